package dpkg

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/supermin-compile/supermin-compile/internal/smallfile"
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

// readList reads the file list of p.
func (db *Database) readList(p *resolver.Package) ([]string, error) {
	data, err := db.readInfo(p, "list")
	if err != nil {
		return nil, fmt.Errorf("reading file list of %s: %w", p.ID(), err)
	}
	return splitList(string(data)), nil
}

// readInfo reads info/NAME.EXT, trying the arch-qualified name first for
// Multi-Arch: same packages (dpkg names their files so), the plain name
// first otherwise.
func (db *Database) readInfo(p *resolver.Package, ext string) ([]byte, error) {
	names := []string{p.Name + "." + ext, p.Name + ":" + p.Arch + "." + ext}
	if p.MultiArch == "same" {
		names[0], names[1] = names[1], names[0]
	}
	for _, name := range names {
		data, err := smallfile.Read(filepath.Join(db.admin, "info", name), 256<<20)
		if !errors.Is(err, fs.ErrNotExist) {
			return data, err
		}
	}
	return nil, fmt.Errorf("no %s in %s: %w", strings.Join(names, " or "), filepath.Join(db.admin, "info"), fs.ErrNotExist)
}

// Digest identifies the installed contents of p for lock files: the SHA-256
// of dpkg's md5sums of its files, or of its file list when it has none.
func (db *Database) Digest(p *resolver.Package) (string, error) {
	data, err := db.readInfo(p, "md5sums")
	kind := "md5sums"
	if errors.Is(err, fs.ErrNotExist) {
		data, err = db.readInfo(p, "list")
		kind = "list"
	}
	if err != nil {
		return "", fmt.Errorf("digest of %s: %w", p.ID(), err)
	}
	return fmt.Sprintf("%s:sha256:%x", kind, sha256.Sum256(data)), nil
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
