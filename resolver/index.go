package resolver

import (
	"fmt"
	"slices"
	"strings"

	"pault.ag/go/debian/dependency"
	"pault.ag/go/debian/version"
)

// provider is a candidate that Provides a name.
type provider struct {
	pkg     *Package
	op      string // "=" for a versioned provide, "" otherwise
	version version.Version
}

// index is the Universe reduced to candidates, keyed for lookups.
type index struct {
	arch      archMatcher
	names     []string              // sorted candidate names
	virtuals  []string              // provided names, in discovery order
	byName    map[string][]*Package // best first: highest version, then universe order
	providers map[string][]provider // provider name order, then byName order
	versions  map[*Package]version.Version
}

func newIndex(u Universe) (*index, error) {
	nativeName := u.NativeArch()
	if nativeName == "" {
		return nil, fmt.Errorf("universe has no native architecture")
	}
	native, err := dependency.ParseArch(nativeName)
	if err != nil {
		return nil, fmt.Errorf("native architecture %q: %w", nativeName, err)
	}
	ix := &index{
		arch:      archMatcher{native: *native},
		byName:    map[string][]*Package{},
		providers: map[string][]provider{},
		versions:  map[*Package]version.Version{},
	}
	if err := ix.addCandidates(u.Packages(), nativeName); err != nil {
		return nil, err
	}
	return ix, ix.addProviders()
}

func (ix *index) addCandidates(pkgs []*Package, native string) error {
	for _, p := range pkgs {
		if p.Arch != native && p.Arch != "all" {
			continue
		}
		v, err := version.Parse(p.Version)
		if err != nil {
			return fmt.Errorf("version %q of %s: %w", p.Version, p.ID(), err)
		}
		ix.versions[p] = v
		if _, ok := ix.byName[p.Name]; !ok {
			ix.names = append(ix.names, p.Name)
		}
		ix.byName[p.Name] = append(ix.byName[p.Name], p)
	}
	slices.Sort(ix.names)
	for _, name := range ix.names {
		slices.SortStableFunc(ix.byName[name], func(a, b *Package) int {
			return version.Compare(ix.versions[b], ix.versions[a])
		})
	}
	return nil
}

// addProviders walks candidates in name order so that every provider list
// comes out sorted by provider name without a further sort.
func (ix *index) addProviders() error {
	for _, name := range ix.names {
		for _, p := range ix.byName[name] {
			if err := ix.addProvides(p); err != nil {
				return err
			}
		}
	}
	return nil
}

func (ix *index) addProvides(p *Package) error {
	if strings.TrimSpace(p.Provides) == "" {
		return nil
	}
	rels, err := parseRelations(p.Provides, &ix.arch.native)
	if err != nil {
		return fmt.Errorf("provides of %s: %w", p.ID(), err)
	}
	for _, r := range rels {
		if len(r.alts) != 1 {
			return fmt.Errorf("provides of %s: alternatives in %q", p.ID(), r.text)
		}
		a := r.alts[0]
		if a.op != "" && a.op != "=" {
			return fmt.Errorf("provides of %s: %q: only \"=\" is allowed", p.ID(), r.text)
		}
		if _, ok := ix.providers[a.name]; !ok {
			ix.virtuals = append(ix.virtuals, a.name)
		}
		ix.providers[a.name] = append(ix.providers[a.name], provider{pkg: p, op: a.op, version: a.ver})
	}
	return nil
}

// realOK reports whether candidate p satisfies alternative a by name.
func (ix *index) realOK(a alt, p *Package) bool {
	return ix.arch.ok(a.arch) && versionOK(a.op, a.ver, ix.versions[p])
}

// providerOK applies dpkg's rule: an unversioned provide satisfies only an
// unversioned dependency.
func (ix *index) providerOK(a alt, pr provider) bool {
	if !ix.arch.ok(a.arch) {
		return false
	}
	if a.op == "" {
		return true
	}
	return pr.op == "=" && versionOK(a.op, a.ver, pr.version)
}

// knownNames lists candidate and provided names, sorted, for suggestions.
func (ix *index) knownNames() []string {
	names := slices.Concat(ix.names, ix.virtuals)
	slices.Sort(names)
	return slices.Compact(names)
}
