package rpm

import (
	"fmt"
	"strings"

	"github.com/supermin-compile/supermin-compile/resolver"
)

// dialect is rpm's rules for the resolver.
type dialect struct {
	native string
	meta   func(*resolver.Package) *meta
}

func (d *dialect) CheckVersion(v string) error {
	if v == "" {
		return fmt.Errorf("empty version")
	}
	return nil
}

func (d *dialect) Compare(a, b string) int { return Compare(ParseEVR(a), ParseEVR(b)) }

func (d *dialect) Satisfies(op, want, have string) bool {
	return Satisfies(op, ParseEVR(want), ParseEVR(have))
}

// ProvideSatisfies applies rpm's rule: an unversioned provide satisfies
// every requirement of its name, versioned or not; otherwise the two
// ranges must overlap ("baz >= 2.0" meets "baz >= 3.0").
func (d *dialect) ProvideSatisfies(a resolver.Alt, op, version string) bool {
	return op == "" || a.Op == "" || Overlap(op, ParseEVR(version), a.Op, ParseEVR(a.Version))
}

// Installable: the native architecture and noarch. Multilib (i686 next to
// x86_64) is not chosen automatically.
func (d *dialect) Installable(arch string) bool { return arch == d.native || arch == "noarch" }

func (d *dialect) QualifierOK(q string) bool { return q == "" || q == d.native || q == "noarch" }

// Relations turns Requires into relations: rpmlib() requires are rpm's
// own features and always met; Requires(missingok) are weak; rich
// dependencies become several relations (see richRelations).
func (d *dialect) Relations(p *resolver.Package) ([]resolver.Relation, error) {
	var out []resolver.Relation
	m := d.meta(p)
	for _, c := range m.requires {
		if c.flags&(senseRPMLib|senseMissingOK) != 0 || strings.HasPrefix(c.name, "rpmlib(") {
			continue
		}
		if !strings.HasPrefix(c.name, "(") {
			out = append(out, resolver.Relation{Text: c.String(), Alts: weakFirst(m, c.alt())})
			continue
		}
		rels, err := rich(c.name)
		if err != nil {
			rels = []resolver.Relation{{Text: c.name, Unsupported: err.Error()}}
		}
		out = append(out, rels...)
	}
	return out, nil
}

// weakFirst returns the alternatives of a require a: first the packages
// that p recommends, then those it suggests, provided they satisfy a too
// ("w with a"), then a itself. libsolv prefers so among the providers of
// a dependency (prune_to_recommended), also when weak dependencies are
// not installed: glibc requires "glibc-langpack" and suggests
// glibc-minimal-langpack, which dnf takes rather than glibc-all-langpacks.
// libsolv also weighs the weak dependencies of every package chosen so
// far; only p's are here.
func weakFirst(m *meta, a resolver.Alt) []resolver.Alt {
	var alts []resolver.Alt
	for _, list := range [][]capability{m.recommends, m.suggests} {
		for _, w := range list {
			if w.name != a.Name && !strings.HasPrefix(w.name, "(") {
				wa := w.alt()
				wa.With = []resolver.Alt{a}
				alts = append(alts, wa)
			}
		}
	}
	return append(alts, a)
}

// AptChoice: a versioned require may be met by an older version when a
// newer one is also present, as dnf would, and the first package that
// satisfies a require is taken.
func (d *dialect) AptChoice() bool { return false }

// CompareProviders: rpm has no priorities; providers are tried in name
// order.
func (d *dialect) CompareProviders(a, b *resolver.Package) int {
	return strings.Compare(a.Name, b.Name)
}

func (d *dialect) Provides(p *resolver.Package) ([]resolver.Alt, error) {
	m := d.meta(p)
	out := make([]resolver.Alt, 0, len(m.provides))
	for _, c := range m.provides {
		out = append(out, c.alt())
	}
	return out, nil
}

func (c capability) alt() resolver.Alt {
	return resolver.Alt{Name: c.name, Op: c.op, Version: c.version}
}

func (c capability) String() string {
	if c.op == "" {
		return c.name
	}
	return c.name + " " + c.op + " " + c.version
}
