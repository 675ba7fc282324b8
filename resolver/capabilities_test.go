package resolver_test

import (
	"io"
	"reflect"
	"testing"

	"github.com/supermin-compile/supermin-compile/resolver"
	"github.com/supermin-compile/supermin-compile/resolver/deb"
	"github.com/supermin-compile/supermin-compile/resolver/dpkg"
	"github.com/supermin-compile/supermin-compile/resolver/pacman"
	"github.com/supermin-compile/supermin-compile/resolver/rpm"
)

// capabilities are what a caller may find on a source, each with what a
// user loses when a source that should have it does not.
var capabilities = []struct {
	name  string
	typ   reflect.Type
	loses string
}{
	{"ArchiveUniverse", reflect.TypeFor[resolver.ArchiveUniverse](), "files come from the host instead of the archives"},
	{"RootedUniverse", reflect.TypeFor[resolver.RootedUniverse](), "the appliance takes the build host's layout instead of the root's"},
	{"DialectUniverse", reflect.TypeFor[resolver.DialectUniverse](), "packages are resolved by Debian's rules"},
	{"Digester", reflect.TypeFor[resolver.Digester](), "lock files record no digests"},
	{"EssentialLister", reflect.TypeFor[resolver.EssentialLister](), "`essential = true` adds nothing"},
	{"ConflictChecker", reflect.TypeFor[resolver.ConflictChecker](), "conflicting closures are built"},
	{"ArchiveChecker", reflect.TypeFor[resolver.ArchiveChecker](), "absent archives are reported one per run"},
	{"Licenser", reflect.TypeFor[resolver.Licenser](), "SBOMs state no licence"},
	{"ContentKeeper", reflect.TypeFor[resolver.ContentKeeper](), "builds decompress each archive twice"},
	{"Locator", reflect.TypeFor[resolver.Locator](), "build --locked cannot fetch the locked archives once the repository moves on"},
	{"io.Closer", reflect.TypeFor[io.Closer](), "what the source holds is never released"},
}

// TestCapabilities pins the capabilities of every backend, both ways: a
// backend that loses one silently drops a behaviour, and one that gains
// one changes what a source type does; either must be a decision made
// here, not the side effect of a renamed method.
func TestCapabilities(t *testing.T) {
	backends := []struct {
		source string
		u      resolver.Universe
		has    []string
	}{
		{"dpkg", (*dpkg.Database)(nil), []string{"RootedUniverse", "Digester"}},
		{"deb-dir, apt-index", (*deb.Universe)(nil), []string{"ArchiveUniverse", "Digester", "EssentialLister",
			"ConflictChecker", "ArchiveChecker", "ContentKeeper", "io.Closer"}},
		{"apt", (*deb.Fetched)(nil), []string{"ArchiveUniverse", "Digester", "EssentialLister",
			"ConflictChecker", "ArchiveChecker", "ContentKeeper", "io.Closer", "Locator"}},
		{"rpm-dir", (*rpm.Dir)(nil), []string{"ArchiveUniverse", "DialectUniverse", "Digester",
			"ConflictChecker", "Licenser", "ContentKeeper", "io.Closer"}},
		{"rpmdb", (*rpm.DB)(nil), []string{"RootedUniverse", "DialectUniverse", "Digester", "ConflictChecker", "Licenser"}},
		{"rpm-md", (*rpm.Repos)(nil), []string{"ArchiveUniverse", "DialectUniverse", "Digester",
			"ConflictChecker", "ArchiveChecker", "Licenser", "ContentKeeper", "io.Closer"}},
		{"pacman", (*pacman.DB)(nil), []string{"RootedUniverse", "DialectUniverse", "Digester", "ConflictChecker", "Licenser"}},
		{"pkg-dir", (*pacman.Dir)(nil), []string{"ArchiveUniverse", "DialectUniverse", "Digester",
			"ConflictChecker", "Licenser", "ContentKeeper", "io.Closer"}},
	}
	for _, b := range backends {
		typ := reflect.TypeOf(b.u)
		for _, c := range capabilities {
			want := false
			for _, h := range b.has {
				want = want || h == c.name
			}
			if got := typ.Implements(c.typ); got && !want {
				t.Errorf("%s (%v) is now a %s: decide it here", b.source, typ, c.name)
			} else if !got && want {
				t.Errorf("%s (%v) is no longer a %s: %s", b.source, typ, c.name, c.loses)
			}
		}
	}
}
