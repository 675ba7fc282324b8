// Package dpkg exposes an installed dpkg database as a resolver.Universe:
// the packages of var/lib/dpkg/status, each with the files of its
// info/*.list (diversions applied), which an appliance takes from that
// root. It reads the database files directly (no dpkg-query), so it works
// on any root, e.g. a chroot or a mounted image, from any host.
package dpkg

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/supermin-compile/supermin-compile/resolver"
)

// Database is the dpkg database of one root.
type Database struct {
	root       string
	admin      string // root/var/lib/dpkg
	native     string
	pkgs       []*resolver.Package
	conffiles  map[*resolver.Package][]string
	diversions map[string]diversion
}

var (
	_ resolver.RootedUniverse = (*Database)(nil)
	_ resolver.Digester       = (*Database)(nil)
)

// Open reads root/var/lib/dpkg. Use "/" for the running system.
func Open(root string) (*Database, error) {
	if root == "" {
		return nil, fmt.Errorf("opening dpkg database: empty root")
	}
	admin := filepath.Join(root, "var", "lib", "dpkg")
	st, err := readStatus(filepath.Join(admin, "status"))
	if err != nil {
		return nil, err
	}
	div, err := readDiversions(filepath.Join(admin, "diversions"))
	if err != nil {
		return nil, err
	}
	native, err := nativeArch(admin, st.dpkgArch)
	if err != nil {
		return nil, err
	}
	st.number(native)
	slices.SortStableFunc(st.pkgs, func(a, b *resolver.Package) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.Arch, b.Arch))
	})
	return &Database{root: root, admin: admin, native: native, pkgs: st.pkgs,
		conffiles: st.conffiles, diversions: div}, nil
}

func readStatus(path string) (*status, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading dpkg status: %w", err)
	}
	defer f.Close()
	st, err := parseStatus(f)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return st, nil
}

// Packages returns the installed packages, foreign architectures included,
// sorted by name then architecture.
func (db *Database) Packages() []*resolver.Package { return db.pkgs }

// NativeArch is the dpkg architecture of the root (not necessarily the host).
func (db *Database) NativeArch() string { return db.native }

// Root is the directory the database was opened under.
func (db *Database) Root() string { return db.root }
