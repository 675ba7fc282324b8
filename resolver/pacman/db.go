package pacman

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/supermin-compile/supermin-compile/internal/parallel"
	"github.com/supermin-compile/supermin-compile/internal/smallfile"
	"github.com/supermin-compile/supermin-compile/resolver"
)

// DB is the local database of an installed root: the packages pacman
// installed there, whose files are taken from that root, as the dpkg
// backend does.
type DB struct {
	*set
	root string
	dirs map[*resolver.Package]string // the package's directory in local/
}

var (
	_ resolver.DialectUniverse = (*DB)(nil)
	_ resolver.Digester        = (*DB)(nil)
	_ resolver.ConflictChecker = (*DB)(nil)
	_ resolver.Licenser        = (*DB)(nil)
	_ resolver.RootedUniverse  = (*DB)(nil) // its root lays the appliance out
)

// LocalDB is where pacman keeps its local database under a root.
const LocalDB = "var/lib/pacman/local"

// maxDBFile bounds a desc, files or mtree file: the biggest real ones
// (a kernel's files) are a few MiB.
const maxDBFile = 256 << 20

// HasDB reports whether root has a pacman database.
func HasDB(root string) bool {
	fi, err := os.Stat(filepath.Join(root, LocalDB))
	return err == nil && fi.IsDir()
}

// OpenDB reads root's local database, every NAME-VERSION/desc in it, for
// arch ("" for the host's; every installed package is a candidate).
func OpenDB(root, arch string) (*DB, error) {
	if root == "" {
		root = "/"
	}
	local := filepath.Join(root, LocalDB)
	ents, err := os.ReadDir(local)
	if err != nil {
		return nil, fmt.Errorf("no pacman database under %s: %w", root, err)
	}
	var dirs []string
	for _, e := range ents {
		if e.IsDir() { // not ALPM_DB_VERSION
			dirs = append(dirs, filepath.Join(local, e.Name()))
		}
	}
	// Reading hundreds of small files is mostly system calls: one
	// goroutine per CPU.
	metas := make([]*meta, len(dirs))
	err = parallel.For(len(dirs), 0, func(i int) (err error) {
		metas[i], err = readDescFile(filepath.Join(dirs[i], "desc"))
		return err
	})
	if err != nil {
		return nil, err
	}
	d := &DB{set: newSet(arch), root: root, dirs: map[*resolver.Package]string{}}
	d.anyArch = true
	for i, m := range metas {
		d.dirs[d.add(m)] = dirs[i]
	}
	d.sort()
	return d, nil
}

func readDescFile(path string) (*meta, error) {
	data, err := smallfile.Read(path, maxDBFile)
	if err != nil {
		return nil, err
	}
	m, err := readDesc(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// Root is the directory the database was opened under.
func (d *DB) Root() string { return d.root }

// Files lists p's paths, directories included, from its files entry
// (%FILES%); those in %BACKUP% are its configuration files.
func (d *DB) Files(p *resolver.Package) ([]resolver.File, error) {
	path := filepath.Join(d.dirs[p], "files")
	data, err := smallfile.Read(path, maxDBFile)
	if err != nil {
		return nil, fmt.Errorf("file list of %s: %w", p.Name, err)
	}
	m := &meta{}
	var paths []string
	err = readSections(bytes.NewReader(data), func(key, v string) {
		if key == "FILES" {
			paths = append(paths, v)
		}
		m.set(key, v)
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	files := make([]resolver.File, 0, len(paths))
	for _, rel := range paths {
		rel = strings.TrimSuffix(rel, "/")
		f := resolver.File{Path: "/" + rel, HostPath: filepath.Join(d.root, rel), Conffile: slices.Contains(m.backup, rel)}
		files = append(files, f)
	}
	return files, nil
}

// Digest identifies the installed contents of p for lock files: the
// SHA-256 of its mtree, which holds a SHA-256 of every file it
// installed, or of its file list when it has none.
func (d *DB) Digest(p *resolver.Package) (string, error) {
	for _, kind := range []string{"mtree", "files"} {
		data, err := smallfile.Read(filepath.Join(d.dirs[p], kind), maxDBFile)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("digest of %s: %w", p.Name, err)
		}
		return fmt.Sprintf("%s:sha256:%x", kind, sha256.Sum256(data)), nil
	}
	return "", fmt.Errorf("digest of %s: no mtree or files in %s", p.Name, d.dirs[p])
}
