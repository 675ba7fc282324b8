package rpm

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/supermin-compile/supermin-compile/internal/sqlite"
	"github.com/supermin-compile/supermin-compile/resolver"
)

// DB is an rpm database: the installed packages of a root, whose files
// are taken from that root, as the dpkg backend does.
type DB struct {
	*set
	root    string
	digests map[*resolver.Package]string
}

var (
	_ resolver.DialectUniverse = (*DB)(nil)
	_ resolver.Digester        = (*DB)(nil)
	_ resolver.ConflictChecker = (*DB)(nil)
	_ resolver.Licenser        = (*DB)(nil)
)

// DBPaths are where rpm keeps its sqlite database under a root, newest
// first.
var DBPaths = []string{"usr/lib/sysimage/rpm/rpmdb.sqlite", "var/lib/rpm/rpmdb.sqlite"}

// OpenDB reads the rpm database of root; file is the database itself when
// not "" (a database kept outside any root).
func OpenDB(root, file, arch string) (*DB, error) {
	if file == "" {
		file = findDB(root)
	}
	if file == "" {
		return nil, fmt.Errorf("no rpm database under %s (looked for %s and %s)", root, DBPaths[0], DBPaths[1])
	}
	db, err := sqlite.Open(file)
	if err != nil {
		return nil, notSqlite(file, err)
	}
	defer db.Close()
	d := &DB{set: newSet(arch), root: root, digests: map[*resolver.Package]string{}}
	err = db.Rows("Packages", func(rowid int64, values []any) error {
		var blob []byte
		if len(values) > 0 {
			blob, _ = values[len(values)-1].([]byte)
		}
		if blob == nil {
			return fmt.Errorf("%s: Packages row %d has no header blob", file, rowid)
		}
		h, err := parseBlob(blob)
		if err != nil {
			return fmt.Errorf("%s: package %d: %w", file, rowid, err)
		}
		m, err := readMeta(h)
		if err != nil {
			return fmt.Errorf("%s: package %d: %w", file, rowid, err)
		}
		if p := d.add(m); p != nil {
			sum := sha256.Sum256(blob)
			d.digests[p] = "header-sha256:" + hex.EncodeToString(sum[:])
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	d.addFileProvides()
	return d, nil
}

// HasDB reports whether root has an rpm database.
func HasDB(root string) bool { return findDB(root) != "" }

func findDB(root string) string {
	for _, p := range DBPaths {
		if _, err := os.Stat(filepath.Join(root, p)); err == nil {
			return filepath.Join(root, p)
		}
	}
	return ""
}

// notSqlite names the older formats rpm used, which are not read here.
func notSqlite(file string, err error) error {
	b := make([]byte, 16)
	if f, oerr := os.Open(file); oerr == nil {
		f.Read(b)
		f.Close()
	}
	if string(b[:4]) == "RpmP" {
		return fmt.Errorf("%s: an ndb rpm database (SUSE); only sqlite databases are supported", file)
	}
	return err
}

// Files lists p's paths under the root, its %ghost files too where the
// root has them: rpm leaves those to scriptlets or to run time (the
// crypto-policies back-ends, a motd the admin wrote), and on the
// installed system they are the package's, as supermin's rpm driver
// takes them.
func (d *DB) Files(p *resolver.Package) ([]resolver.File, error) {
	root := d.root
	if root == "" {
		root = "/"
	}
	files := d.set.files(p, root)
	for _, f := range d.meta[p].files {
		if f.flags&fileGhost == 0 {
			continue
		}
		host := strings.TrimSuffix(root, "/") + f.path
		if _, err := os.Lstat(host); err == nil {
			files = append(files, resolver.File{Path: f.path, HostPath: host, Conffile: f.flags&fileConfig != 0})
		}
	}
	return files, nil
}

// Digest is "header-sha256:" and the SHA-256 of p's header as the
// database stores it: it changes whenever the installed package does.
func (d *DB) Digest(p *resolver.Package) (string, error) { return d.digests[p], nil }
