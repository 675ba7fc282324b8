package deb

import (
	"fmt"
	"strings"

	"pault.ag/go/debian/dependency"
	"pault.ag/go/debian/version"

	"github.com/supermin-compile/supermin-compile/resolver"
)

// Conflict is one Conflicts or Breaks relation of a chosen package that
// another chosen package matches.
type Conflict struct {
	Pkg, Other *resolver.Package
	Field      string // "Conflicts" or "Breaks"
	Relation   string // the alternative that matched, as written
}

func (c Conflict) String() string {
	verb := "conflicts with"
	if c.Field == "Breaks" {
		verb = "breaks"
	}
	return fmt.Sprintf("%s %s %s %s %s (%s: %s)", c.Pkg.Name, c.Pkg.Version, verb, c.Other.Name, c.Other.Version, c.Field, c.Relation)
}

// ConflictError lists every conflict of a closure, so that one run shows
// all of them.
type ConflictError struct{ Conflicts []Conflict }

func (e *ConflictError) Error() string {
	parts := make([]string, len(e.Conflicts))
	for i, c := range e.Conflicts {
		parts[i] = c.String()
	}
	return "packages of the closure cannot be installed together: " + strings.Join(parts, "; ")
}

// CheckConflicts reports the Conflicts and Breaks between the packages of
// res. The resolver follows Depends only; dpkg would refuse to install such
// a set, so an appliance must not contain one either. A package never
// conflicts with itself, which is how "Conflicts: x, Provides: x" packages
// exclude other providers of x.
func (u *Universe) CheckConflicts(res *resolver.Result) error {
	c, err := newConflictChecker(u.native, res.Packages)
	if err != nil {
		return err
	}
	var found []Conflict
	for _, p := range res.Packages {
		d, err := u.deb(p)
		if err != nil {
			return err
		}
		for _, f := range [...]struct{ name, text string }{{"Conflicts", d.meta.conflicts}, {"Breaks", d.meta.breaks}} {
			cs, err := c.check(p, f.name, f.text)
			if err != nil {
				return err
			}
			found = append(found, cs...)
		}
	}
	if len(found) > 0 {
		return &ConflictError{Conflicts: found}
	}
	return nil
}

// conflictChecker indexes a closure by name and by provided name.
type conflictChecker struct {
	d         resolver.Dialect // Debian's rules, as the resolver applies them
	byName    map[string]*resolver.Package
	providers map[string][]providedBy
}

type providedBy struct {
	pkg *resolver.Package
	ver *version.Version // nil for an unversioned provide
}

func newConflictChecker(native string, pkgs []*resolver.Package) (*conflictChecker, error) {
	d, err := resolver.NewDebian(native)
	if err != nil {
		return nil, err
	}
	c := &conflictChecker{d: d, byName: map[string]*resolver.Package{}, providers: map[string][]providedBy{}}
	for _, p := range pkgs {
		c.byName[p.Name] = p
		dep, err := parseRelations(p.Provides)
		if err != nil {
			continue // the resolver has already rejected a malformed Provides
		}
		for _, rel := range dep.Relations {
			for _, poss := range rel.Possibilities {
				pb := providedBy{pkg: p}
				if poss.Version != nil {
					if v, err := version.Parse(poss.Version.Number); err == nil {
						pb.ver = &v
					}
				}
				c.providers[poss.Name] = append(c.providers[poss.Name], pb)
			}
		}
	}
	return c, nil
}

func (c *conflictChecker) check(p *resolver.Package, field, text string) ([]Conflict, error) {
	if strings.TrimSpace(text) == "" {
		return nil, nil
	}
	dep, err := parseRelations(text)
	if err != nil {
		return nil, fmt.Errorf("%s of %s %s: %w", field, p.Name, p.Version, err)
	}
	var found []Conflict
	for _, rel := range dep.Relations {
		for _, poss := range rel.Possibilities {
			if !c.applies(poss) {
				continue
			}
			for _, q := range c.matches(poss) {
				if q.Name != p.Name {
					found = append(found, Conflict{Pkg: p, Other: q, Field: field, Relation: render(poss)})
				}
			}
		}
	}
	return found, nil
}

// applies rules out alternatives for other architectures: every package
// of a closure is native or "all".
func (c *conflictChecker) applies(poss dependency.Possibility) bool {
	return poss.Arch == nil || c.d.QualifierOK(poss.Arch.String())
}

// matches returns the packages that satisfy poss: by name with the version
// constraint, or by Provides. An unversioned relation matches every
// provider; a versioned one only providers of a version that satisfies it.
func (c *conflictChecker) matches(poss dependency.Possibility) []*resolver.Package {
	var out []*resolver.Package
	if q := c.byName[poss.Name]; q != nil && c.satisfies(poss.Version, q.Version) {
		out = append(out, q)
	}
	for _, pb := range c.providers[poss.Name] {
		if poss.Version == nil || (pb.ver != nil && c.satisfies(poss.Version, pb.ver.String())) {
			if len(out) == 0 || out[len(out)-1] != pb.pkg {
				out = append(out, pb.pkg)
			}
		}
	}
	return out
}

// satisfies reports whether version have meets the constraint vr.
func (c *conflictChecker) satisfies(vr *dependency.VersionRelation, have string) bool {
	return vr == nil || c.d.Satisfies(vr.Operator, vr.Number, have)
}

func render(poss dependency.Possibility) string {
	s := poss.Name
	if poss.Arch != nil {
		s += ":" + poss.Arch.String()
	}
	if poss.Version != nil {
		s += " (" + poss.Version.Operator + " " + poss.Version.Number + ")"
	}
	return s
}

// parseRelations turns parser panics into errors, as the resolver does:
// the library panics on some malformed input.
func parseRelations(text string) (dep *dependency.Dependency, err error) {
	defer func() {
		if v := recover(); v != nil {
			dep, err = nil, fmt.Errorf("parser panic: %v", v)
		}
	}()
	return dependency.Parse(text)
}
