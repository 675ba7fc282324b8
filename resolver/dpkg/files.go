package dpkg

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/supermin-compile/supermin-compile/resolver"
)

// Files lists what p ships, from info/NAME[:ARCH].list, in list order with
// diversions applied; "/." is dropped.
func (db *Database) Files(p *resolver.Package) ([]resolver.File, error) {
	paths, err := db.readList(p)
	if err != nil {
		return nil, err
	}
	conf := map[string]bool{}
	for _, c := range db.conffiles[p] {
		conf[c] = true
	}
	files := make([]resolver.File, 0, len(paths))
	for _, path := range paths {
		dest := db.divert(path, p.Name)
		files = append(files, resolver.File{Path: dest, HostPath: db.hostPath(dest), Conffile: conf[path]})
	}
	return files, nil
}

// readList tries the arch-qualified name first for Multi-Arch: same
// packages (dpkg names their lists so), the plain name first otherwise.
func (db *Database) readList(p *resolver.Package) ([]string, error) {
	names := []string{p.Name + ".list", p.Name + ":" + p.Arch + ".list"}
	if p.MultiArch == "same" {
		names[0], names[1] = names[1], names[0]
	}
	for _, name := range names {
		data, err := os.ReadFile(filepath.Join(db.admin, "info", name))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading file list of %s: %w", p.ID(), err)
		}
		return splitList(string(data)), nil
	}
	return nil, fmt.Errorf("reading file list of %s: no %s in %s", p.ID(),
		strings.Join(names, " or "), filepath.Join(db.admin, "info"))
}

func splitList(data string) []string {
	var paths []string
	for _, line := range strings.Split(data, "\n") {
		if line != "" && line != "/." {
			paths = append(paths, line)
		}
	}
	return paths
}

func (db *Database) hostPath(path string) string {
	if db.root == "/" {
		return path
	}
	return filepath.Join(db.root, path)
}
