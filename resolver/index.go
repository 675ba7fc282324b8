package resolver

import (
	"fmt"
	"slices"
)

// provider is a candidate that Provides a name.
type provider struct {
	pkg         *Package
	op, version string // "" when unversioned
}

// index is the Universe reduced to candidates, keyed for lookups.
type index struct {
	d         Dialect
	names     []string              // sorted candidate names
	virtuals  []string              // provided names, in discovery order
	byName    map[string][]*Package // best first: highest version, then universe order
	providers map[string][]provider // provider name order, then byName order
}

func newIndex(u Universe) (*index, error) {
	d, err := dialectOf(u)
	if err != nil {
		return nil, err
	}
	ix := &index{d: d, byName: map[string][]*Package{}, providers: map[string][]provider{}}
	if err := ix.addCandidates(u.Packages()); err != nil {
		return nil, err
	}
	return ix, ix.addProviders()
}

func (ix *index) addCandidates(pkgs []*Package) error {
	for _, p := range pkgs {
		if !ix.d.Installable(p.Arch) {
			continue
		}
		if err := ix.d.CheckVersion(p.Version); err != nil {
			return fmt.Errorf("version %q of %s: %w", p.Version, p.ID(), err)
		}
		if _, ok := ix.byName[p.Name]; !ok {
			ix.names = append(ix.names, p.Name)
		}
		ix.byName[p.Name] = append(ix.byName[p.Name], p)
	}
	slices.Sort(ix.names)
	for _, name := range ix.names {
		if c := ix.byName[name]; len(c) > 1 {
			slices.SortStableFunc(c, func(a, b *Package) int { return ix.d.Compare(b.Version, a.Version) })
		}
	}
	return nil
}

// addProviders walks candidates in name order so that every provider list
// comes out sorted by provider name without a further sort.
func (ix *index) addProviders() error {
	for _, name := range ix.names {
		for _, p := range ix.byName[name] {
			provides, err := ix.d.Provides(p)
			if err != nil {
				return err
			}
			for _, a := range provides {
				if _, ok := ix.providers[a.Name]; !ok {
					ix.virtuals = append(ix.virtuals, a.Name)
				}
				ix.providers[a.Name] = append(ix.providers[a.Name], provider{pkg: p, op: a.Op, version: a.Version})
			}
		}
	}
	return nil
}

// realOK reports whether candidate p satisfies alternative a by name.
func (ix *index) realOK(a Alt, p *Package) bool {
	return ix.d.QualifierOK(a.Arch) && ix.d.Satisfies(a.Op, a.Version, p.Version) && ix.withOK(a, p)
}

func (ix *index) providerOK(a Alt, pr provider) bool {
	return ix.d.QualifierOK(a.Arch) && ix.d.ProvideSatisfies(a, pr.op, pr.version) && ix.withOK(a, pr.pkg)
}

// withOK checks rpm's "(a with b)": p itself must also satisfy each b.
func (ix *index) withOK(a Alt, p *Package) bool {
	for _, w := range a.With {
		if !ix.satisfiedBy(w, p) {
			return false
		}
	}
	return true
}

// satisfiedBy reports whether p satisfies a, by its name or a provide.
func (ix *index) satisfiedBy(a Alt, p *Package) bool {
	if a.Name == p.Name && ix.realOK(a, p) {
		return true
	}
	for _, pr := range ix.providers[a.Name] {
		if pr.pkg == p && ix.providerOK(a, pr) {
			return true
		}
	}
	return false
}

// knownNames lists candidate and provided names, sorted, for suggestions.
func (ix *index) knownNames() []string {
	names := slices.Concat(ix.names, ix.virtuals)
	slices.Sort(names)
	return slices.Compact(names)
}
