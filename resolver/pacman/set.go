// Package pacman reads Arch Linux packages for the resolver: the local
// database of an installed root (OpenDB, source type "pacman"), whose
// files are taken from that root as dpkg's are, or a directory of
// .pkg.tar.zst/.pkg.tar.xz files (OpenDir, source type "pkg-dir"), whose
// payloads bring the files. Metadata, version comparison (alpm's
// vercmp) and the payload's tar are read here in Go; no pacman tool is
// run.
//
// pacman's rules: depends are followed, each satisfied by a package of
// that name or one that provides it; an unversioned provide satisfies
// only an unversioned dependency, a versioned one ("foo=1.2") is compared
// with the dependency's constraint. conflicts between selected packages
// are errors (CheckConflicts). replaces only matters when pacman upgrades
// from a repository: it is not followed, and the result notes it.
package pacman

import (
	"fmt"
	"runtime"
	"slices"
	"strings"

	"github.com/supermin-compile/supermin-compile/resolver"
)

// Arch maps a Go or Debian architecture name to pacman's; "" is the
// host's.
func Arch(name string) string {
	if name == "" {
		name = runtime.GOARCH
	}
	if a, ok := map[string]string{"amd64": "x86_64", "arm64": "aarch64", "386": "i686", "i386": "i686",
		"arm": "armv7h", "armhf": "armv7h"}[name]; ok {
		return a
	}
	return name
}

// set is the package metadata both sources share.
type set struct {
	native  string
	anyArch bool // every package is a candidate: an installed database
	pkgs    []*resolver.Package
	meta    map[*resolver.Package]*meta
}

func newSet(arch string) *set {
	return &set{native: Arch(arch), meta: map[*resolver.Package]*meta{}}
}

func (s *set) add(m *meta) *resolver.Package {
	p := &m.pkg
	s.pkgs = append(s.pkgs, p)
	s.meta[p] = m
	return p
}

// sort orders packages by name, the highest version first.
func (s *set) sort() {
	slices.SortStableFunc(s.pkgs, func(a, b *resolver.Package) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return Compare(b.Version, a.Version)
	})
}

func (s *set) Packages() []*resolver.Package { return s.pkgs }

func (s *set) NativeArch() string { return s.native }

// License is p's licence, several joined with " AND " (a package is
// under all of those it lists).
func (s *set) License(p *resolver.Package) string { return s.meta[p].license }

func (s *set) Dialect() resolver.Dialect { return &dialect{s} }

// CheckConflicts reports the conflicts between selected packages, naming
// both, as pacman refuses to install them together. It also notes the
// replaces of selected packages, which pacman applies only when
// upgrading from a repository and which are not followed here.
func (s *set) CheckConflicts(r *resolver.Result) error {
	var errs []string
	for _, p := range r.Packages {
		m := s.meta[p]
		for _, c := range m.conflicts {
			for _, q := range r.Packages {
				if q.Name != p.Name && s.satisfies(c, q) {
					errs = append(errs, fmt.Sprintf("%s conflicts with %s %s (%q)", p.Name, q.Name, q.Version, c.String()))
				}
			}
		}
		if len(m.replaces) > 0 {
			r.Notes = append(r.Notes, fmt.Sprintf("%s replaces %s: pacman's replaces apply to upgrades from a repository; not followed", p.Name, strings.Join(m.replaces, ", ")))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("conflicting packages selected:\n  %s", strings.Join(errs, "\n  "))
	}
	return nil
}

// satisfies reports whether q meets d, by its name or a provide
// (alpm's _alpm_depcmp).
func (s *set) satisfies(d dep, q *resolver.Package) bool {
	if d.name == q.Name && satisfies(d.op, d.version, q.Version) {
		return true
	}
	return slices.ContainsFunc(s.meta[q].provides, func(pr dep) bool {
		return pr.name == d.name && provideSatisfies(d.alt(), pr.op, pr.version)
	})
}

// satisfies reports whether version have meets "op want".
func satisfies(op, want, have string) bool {
	if op == "" {
		return true
	}
	c := Compare(have, want)
	switch op {
	case "=":
		return c == 0
	case ">=":
		return c >= 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	case "<":
		return c < 0
	}
	return false
}

// provideSatisfies is alpm's rule: an unversioned dependency takes any
// provide of its name; a versioned one only a provide "name=version"
// whose version meets it.
func provideSatisfies(a resolver.Alt, op, version string) bool {
	if a.Op == "" {
		return true
	}
	return op == "=" && satisfies(a.Op, a.Version, version)
}

// dialect is pacman's rules for the resolver.
type dialect struct{ s *set }

func (d *dialect) CheckVersion(v string) error {
	if v == "" {
		return fmt.Errorf("empty version")
	}
	return nil
}

func (d *dialect) Compare(a, b string) int { return Compare(a, b) }

func (d *dialect) Satisfies(op, want, have string) bool { return satisfies(op, want, have) }

func (d *dialect) ProvideSatisfies(a resolver.Alt, op, version string) bool {
	return provideSatisfies(a, op, version)
}

// Installable: the native architecture and "any"; in an installed
// database, whatever is installed.
func (d *dialect) Installable(arch string) bool {
	return d.s.anyArch || arch == d.s.native || arch == "any"
}

// QualifierOK: pacman's dependencies have no architecture qualifiers.
func (d *dialect) QualifierOK(q string) bool { return q == "" }

func (d *dialect) Relations(p *resolver.Package) ([]resolver.Relation, error) {
	deps := d.s.meta[p].depends
	out := make([]resolver.Relation, len(deps))
	for i, dp := range deps {
		out[i] = resolver.Relation{Text: dp.String(), Alts: []resolver.Alt{dp.alt()}}
	}
	return out, nil
}

func (d *dialect) Provides(p *resolver.Package) ([]resolver.Alt, error) {
	provides := d.s.meta[p].provides
	out := make([]resolver.Alt, len(provides))
	for i, pr := range provides {
		out[i] = pr.alt()
	}
	return out, nil
}

// AptChoice: pacman takes the first package that satisfies a dependency
// (the highest version of its name comes first), without apt's look at
// its own dependencies.
func (d *dialect) AptChoice() bool { return false }

// CompareProviders: pacman offers the providers of a name in database
// order, which is name order; it takes the first without asking
// (--noconfirm).
func (d *dialect) CompareProviders(a, b *resolver.Package) int {
	return strings.Compare(a.Name, b.Name)
}
