package planner

import (
	"strings"
	"time"

	"github.com/supermin-compile/supermin-compile/plan"
	"github.com/supermin-compile/supermin-compile/resolver"
)

// mergedUsrDirs are the directories Debian's usrmerge turns into links
// into /usr (convert-usrmerge's list).
var mergedUsrDirs = []string{"bin", "sbin", "lib", "lib32", "lib64", "libo32", "libx32"}

// mergedUsrLayer is the merged /usr of a Debian system made from archives,
// which no package ships: the installer makes it (debootstrap links
// /bin -> usr/bin, ... before unpacking; usrmerge's postinst converts an
// unpacked tree). It is made when the closure requires it, as bookworm's
// does: usr-is-merged refuses to install on an unmerged root, and usrmerge
// merges it. Each directory of mergedUsrDirs that the packages fill, at
// /DIR or /usr/DIR, becomes a link DIR -> usr/DIR, as convert-usrmerge
// leaves it; their files then move under /usr, as the kernel resolves
// them. Nothing otherwise: an installed root already has its links, and
// rpm's filesystem package ships them in its payload.
func mergedUsrLayer(u resolver.Universe, closure []*resolver.Package, pkgs Layer, epoch time.Time) Layer {
	if _, ok := u.(resolver.ArchiveUniverse); !ok || !requiresMergedUsr(closure) {
		return nil
	}
	filled := map[string]bool{}
	for _, e := range pkgs {
		p := e.Path
		if rest, ok := strings.CutPrefix(p, "/usr/"); ok {
			p = "/" + rest
		}
		top, _, _ := strings.Cut(p[1:], "/")
		filled[top] = true
	}
	var l Layer
	for _, d := range mergedUsrDirs {
		if filled[d] {
			l = append(l, plan.Entry{Path: "/" + d, Type: plan.Symlink, Link: "usr/" + d, Mode: 0o777, MTime: epoch, Origin: plan.FromParent})
		}
	}
	return l
}

// requiresMergedUsr says whether the closure holds a package that asserts
// or makes a merged /usr (Debian's, from bookworm on).
func requiresMergedUsr(closure []*resolver.Package) bool {
	for _, p := range closure {
		if p.Name == "usr-is-merged" || p.Name == "usrmerge" {
			return true
		}
	}
	return false
}
