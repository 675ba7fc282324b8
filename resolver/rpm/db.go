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

// DBPaths are where rpm keeps its database under a root, newest first:
// sqlite, or ndb (Packages.db, SUSE).
var DBPaths = []string{
	"usr/lib/sysimage/rpm/rpmdb.sqlite", "usr/lib/sysimage/rpm/Packages.db",
	"var/lib/rpm/rpmdb.sqlite", "var/lib/rpm/Packages.db",
}

// OpenDB reads the rpm database of root; file is the database itself when
// not "" (a database kept outside any root).
func OpenDB(root, file, arch string) (*DB, error) {
	if file == "" {
		file = findDB(root)
	}
	if file == "" {
		return nil, fmt.Errorf("no rpm database under %s (looked for %s)", root, strings.Join(DBPaths, ", "))
	}
	d := &DB{set: newSet(arch), root: root, digests: map[*resolver.Package]string{}}
	add := func(n int64, blob []byte) error { return d.addHeader(file, n, blob) }
	var err error
	if isNDB(file) {
		err = ndbHeaders(file, add)
	} else {
		err = sqliteHeaders(file, add)
	}
	if err != nil {
		return nil, err
	}
	d.addFileProvides()
	return d, nil
}

// sqliteHeaders calls add with each header blob of the sqlite database
// file and its row id.
func sqliteHeaders(file string, add func(n int64, blob []byte) error) error {
	db, err := sqlite.Open(file)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.Rows("Packages", func(rowid int64, values []any) error {
		var blob []byte
		if len(values) > 0 {
			blob, _ = values[len(values)-1].([]byte)
		}
		if blob == nil {
			return fmt.Errorf("%s: Packages row %d has no header blob", file, rowid)
		}
		return add(rowid, blob)
	})
}

// addHeader adds package n, whose header is blob, read from file.
func (d *DB) addHeader(file string, n int64, blob []byte) error {
	h, err := parseBlob(blob)
	if err != nil {
		return fmt.Errorf("%s: package %d: %w", file, n, err)
	}
	m, err := readMeta(h)
	if err != nil {
		return fmt.Errorf("%s: package %d: %w", file, n, err)
	}
	if p := d.add(m); p != nil {
		sum := sha256.Sum256(blob)
		d.digests[p] = "header-sha256:" + hex.EncodeToString(sum[:])
	}
	return nil
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

// Files lists p's paths under the root.
func (d *DB) Files(p *resolver.Package) ([]resolver.File, error) {
	root := d.root
	if root == "" {
		root = "/"
	}
	return d.set.files(p, root), nil
}

// Digest is "header-sha256:" and the SHA-256 of p's header as the
// database stores it: it changes whenever the installed package does.
func (d *DB) Digest(p *resolver.Package) (string, error) { return d.digests[p], nil }
