package rpm

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/supermin-compile/supermin-compile/internal/bdb"
	"github.com/supermin-compile/supermin-compile/internal/ndb"
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
	_ resolver.RootedUniverse  = (*DB)(nil)
	_ resolver.DialectUniverse = (*DB)(nil)
	_ resolver.Digester        = (*DB)(nil)
	_ resolver.ConflictChecker = (*DB)(nil)
	_ resolver.Licenser        = (*DB)(nil)
)

// Root is the tree the packages are installed in.
func (d *DB) Root() string { return d.root }

// dbDirs are where rpm keeps its database under a root, newest first.
var dbDirs = []string{"usr/lib/sysimage/rpm", "var/lib/rpm"}

// dbFormat is a format of rpm's database: its file's name in dbDirs, how
// its first bytes look, and its reader, which passes each header blob with
// its header number to each.
type dbFormat struct {
	name  string
	magic func(head []byte) bool
	read  func(file string, each func(num uint32, blob []byte) error) error
}

// dbFormats are the formats rpm has used, newest first: sqlite (rpm 4.16
// and later), ndb (SUSE), Berkeley DB (RHEL and CentOS 7 and 8, older SUSE).
var dbFormats = []dbFormat{
	{"rpmdb.sqlite", func(h []byte) bool { return string(h[:len(sqlite.Magic)]) == sqlite.Magic }, readSqlite},
	{"Packages.db", func(h []byte) bool { return string(h[:len(ndb.Magic)]) == ndb.Magic }, readNdb},
	{"Packages", func(h []byte) bool { return bdb.Order(h) != nil }, readBDB},
}

// DBPaths are the files of rpm's database under a root, in the order they
// are looked for.
var DBPaths = dbPaths()

func dbPaths() []string {
	var out []string
	for _, dir := range dbDirs {
		for _, f := range dbFormats {
			out = append(out, dir+"/"+f.name)
		}
	}
	return out
}

// OpenDB reads the rpm database of root; file is the database itself when
// not "" (a database kept outside any root), in any of the formats.
func OpenDB(root, file, arch string) (*DB, error) {
	if file == "" {
		file = findDB(root)
	}
	if file == "" {
		return nil, fmt.Errorf("no rpm database under %s (looked for %s in %s)", root, dbNames(), strings.Join(dbDirs, " and "))
	}
	format, err := sniff(file)
	if err != nil {
		return nil, err
	}
	d := &DB{set: newSet(arch), root: root, digests: map[*resolver.Package]string{}}
	err = format.read(file, func(num uint32, blob []byte) error {
		h, err := parseBlob(blob)
		if err != nil {
			return fmt.Errorf("%s: package %d: %w", file, num, err)
		}
		m, err := readMeta(h)
		if err != nil {
			return fmt.Errorf("%s: package %d: %w", file, num, err)
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

func dbNames() string {
	var names []string
	for _, f := range dbFormats {
		names = append(names, f.name)
	}
	return strings.Join(names, ", ")
}

// sniff tells the format of file by its first bytes, not by its name: a
// database may be named anything outside a root.
func sniff(file string) (dbFormat, error) {
	head := make([]byte, 16)
	f, err := os.Open(file)
	if err != nil {
		return dbFormat{}, err
	}
	_, err = io.ReadFull(f, head)
	f.Close()
	for _, format := range dbFormats {
		if err == nil && format.magic(head) {
			return format, nil
		}
	}
	return dbFormat{}, fmt.Errorf("%s: not an rpm database (%s)", file, dbNames())
}

func readSqlite(file string, each func(uint32, []byte) error) error {
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
		return each(uint32(rowid), blob)
	})
}

// readBDB reads rpm's Packages, whose keys are header numbers in the
// byte order of the machine that wrote them, as the database's own are;
// header number 0 holds the next number to give, not a header.
func readBDB(file string, each func(uint32, []byte) error) error {
	db, err := bdb.Open(file)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.Records(func(key, value []byte) error {
		if len(key) != 4 {
			return fmt.Errorf("%s: a key of %d bytes, not a header number", file, len(key))
		}
		if num := db.ByteOrder().Uint32(key); num != 0 {
			return each(num, value)
		}
		return nil
	})
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
