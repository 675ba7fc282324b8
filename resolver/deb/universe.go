package deb

import (
	"cmp"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/supermin-compile/supermin-compile/internal/members"
	"github.com/supermin-compile/supermin-compile/resolver"
)

// Universe is a set of .deb packages, from a directory or an index.
type Universe struct {
	native string
	items  []*item                                       // sorted by name, arch, then source order
	pkgs   []*resolver.Package                           // the items' packages, in the same order
	locate func(p *resolver.Package, d *pkgDeb) []string // index: candidate paths of a .deb
	pool   string                                        // index: where .debs are
	fetch  Fetch                                         // a fetched repository: brings the .debs
	cache  *members.Cache                                // reads the archives' members
	order  *resolver.NameOrder                           // while reading: numbers packages as apt does
}

var (
	_ resolver.ArchiveUniverse = (*Universe)(nil)
	_ resolver.Digester        = (*Universe)(nil)
	_ resolver.EssentialLister = (*Universe)(nil)
	_ resolver.ConflictChecker = (*Universe)(nil)
	_ resolver.ArchiveChecker  = (*Universe)(nil)
	_ resolver.ContentKeeper   = (*Universe)(nil)
)

// item is one package and its archive, allocated together.
type item struct {
	pkg resolver.Package
	deb pkgDeb
}

// pkgDeb is everything known about one package's archive. Index packages
// are opened lazily, the first time their files are asked for.
type pkgDeb struct {
	meta meta
	path string // the .deb; for an index, "" until opened

	once      sync.Once
	arch      *archive // nil until opened
	conffiles []string
	err       error

	fetchOnce   sync.Once // a fetched repository's download
	fetchedPath string
	fetchErr    error
}

func newUniverse(native string) *Universe {
	return &Universe{native: native, cache: members.NewCache(), order: resolver.NewNameOrder(native)}
}

// add appends a package read from a paragraph whose namingFields are
// named (see builder), in source order.
func (u *Universe) add(it *item, named []byte) {
	u.items = append(u.items, it)
	u.order.Paragraph(it.pkg.Name, it.pkg.Arch, named)
}

// finish sorts the packages and drops repeats of the same name, version
// and architecture (one .deb twice, or one version in two indexes): the
// first one wins, as in apt. Then it numbers the packages as apt would.
func (u *Universe) finish() {
	slices.SortStableFunc(u.items, func(a, b *item) int { return comparePkg(&a.pkg, &b.pkg) })
	kept := make([]*item, 0, len(u.items))
	for i, it := range u.items {
		if !repeated(u.items, i) {
			kept = append(kept, it)
		}
	}
	u.items = kept
	u.pkgs = make([]*resolver.Package, len(u.items))
	for i, it := range u.items {
		u.pkgs[i] = &it.pkg
		it.pkg.FirstNamed = u.order.Of(it.pkg.Name, u.native)
	}
	u.order = nil
}

func comparePkg(a, b *resolver.Package) int {
	return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.Arch, b.Arch))
}

// repeated reports whether an earlier item of the same name and arch (they
// are adjacent) has the same version as items[i].
func repeated(items []*item, i int) bool {
	for j := i - 1; j >= 0 && comparePkg(&items[j].pkg, &items[i].pkg) == 0; j-- {
		if items[j].pkg.Version == items[i].pkg.Version {
			return true
		}
	}
	return false
}

// Packages returns every package, foreign architectures included, sorted
// by name then architecture; versions of one name keep their source order.
func (u *Universe) Packages() []*resolver.Package { return u.pkgs }

// NativeArch is the architecture given to Open, or the host's.
func (u *Universe) NativeArch() string { return u.native }

// EssentialNames lists the names of Essential: yes packages that the
// resolver could select (native or "all"), sorted, without repeats: what
// `[source] essential = true` adds to a request.
func (u *Universe) EssentialNames() []string {
	var names []string
	for _, p := range u.pkgs {
		if p.Essential && (p.Arch == u.native || p.Arch == "all") {
			names = append(names, p.Name)
		}
	}
	return slices.Compact(names)
}

// deb finds p's archive data by binary search: no map from packages to
// archives is built, which keeps opening a large index cheap.
func (u *Universe) deb(p *resolver.Package) (*pkgDeb, error) {
	i, _ := slices.BinarySearchFunc(u.items, p, func(it *item, p *resolver.Package) int { return comparePkg(&it.pkg, p) })
	for ; i < len(u.items) && comparePkg(&u.items[i].pkg, p) == 0; i++ {
		if &u.items[i].pkg == p {
			return &u.items[i].deb, nil
		}
	}
	return nil, fmt.Errorf("package %s %s is not from this source", p.ID(), p.Version)
}

// hostArch maps GOARCH to Debian's name for the same architecture, what
// `dpkg --print-architecture` prints on this machine.
func hostArch() (string, error) {
	if a, ok := goToDebian[runtime.GOARCH]; ok {
		return a, nil
	}
	return "", fmt.Errorf("no Debian architecture for GOARCH %s; set [source] arch", runtime.GOARCH)
}

var goToDebian = map[string]string{
	"amd64": "amd64", "386": "i386", "arm64": "arm64", "arm": "armhf",
	"ppc64le": "ppc64el", "ppc64": "ppc64", "s390x": "s390x", "riscv64": "riscv64",
	"mips64le": "mips64el", "mipsle": "mipsel", "loong64": "loong64",
}

// NativeArch is the architecture a source of .debs builds for: arch, or
// the host's when arch is "".
func NativeArch(arch string) (string, error) { return nativeOr(arch) }

func nativeOr(arch string) (string, error) {
	if arch != "" {
		return arch, nil
	}
	return hostArch()
}
