package resolver

import (
	"fmt"
	"strings"
)

// seedRequired selects every required package before the walk starts, so
// that they count as "already selected" for every relation. All unknown
// names are collected into one *NotFoundError.
func (r *walker) seedRequired(names []string) error {
	specs, err := parseSpecs(names, r.ix.d)
	if err != nil {
		return fmt.Errorf("packages: %w", err)
	}
	var unknown []UnknownPackage
	for _, sp := range specs {
		found, err := r.seed(sp)
		if err != nil {
			return err
		}
		if !found {
			unknown = append(unknown, UnknownPackage{Name: sp.raw, Suggestions: r.suggest(sp)})
		}
	}
	if len(unknown) > 0 {
		return &NotFoundError{Unknown: unknown}
	}
	return nil
}

func (r *walker) seedOptional(names []string) error {
	specs, err := parseSpecs(names, r.ix.d)
	if err != nil {
		return fmt.Errorf("optional: %w", err)
	}
	for _, sp := range specs {
		if r.excluded[sp.alt.Name] && r.ix.d.QualifierOK(sp.alt.Arch) {
			r.note("optional package %q is excluded, skipped", sp.raw)
			continue
		}
		found, err := r.seed(sp)
		if err != nil {
			r.note("optional package %q skipped: %v", sp.raw, err)
		} else if !found {
			r.note("optional package %q is not available, skipped", sp.raw)
		}
	}
	return nil
}

// seed selects the package sp names (a provider when sp names a virtual
// package). It reports false when nothing matches.
func (r *walker) seed(sp spec) (bool, error) {
	if r.excluded[sp.alt.Name] && r.ix.d.QualifierOK(sp.alt.Arch) {
		return false, fmt.Errorf("package %q is both required and excluded", sp.raw)
	}
	if r.alreadySeeded(sp.alt) {
		return true, nil
	}
	p, blocked := r.requestedPackage(sp.alt)
	if p == nil && len(blocked) > 0 {
		return false, fmt.Errorf("package %q is satisfiable only by excluded %s", sp.raw, strings.Join(blocked, ", "))
	}
	if p == nil {
		return false, nil
	}
	if p.Name != sp.alt.Name {
		r.note("%q is a virtual package, using its provider %s", sp.raw, p.Name)
	}
	r.add(p, "")
	return true, nil
}

// requestedPackage picks the package a request names: the best version
// of that name that matches (a pinned version included: apt makes it the
// candidate), else a provider, chosen as for a dependency.
func (r *walker) requestedPackage(a Alt) (*Package, []string) {
	for _, p := range r.ix.byName[a.Name] {
		if r.ix.realOK(a, p) && r.selected[p.Name] == nil {
			return p, nil
		}
	}
	return r.choose([]Alt{a})
}

// alreadySeeded reports whether sp is already in the closure. A request
// names a real package when one exists: a selected package that merely
// Provides the name does not count, unlike for a dependency.
func (r *walker) alreadySeeded(a Alt) bool {
	if p := r.selected[a.Name]; p != nil && r.ix.realOK(a, p) {
		return true
	}
	for _, p := range r.ix.byName[a.Name] {
		if r.ix.realOK(a, p) {
			return false
		}
	}
	return r.selectedFor([]Alt{a}) != nil
}

// suggest offers close names; a name that exists but not for the requested
// architecture is the most likely fix and goes first.
func (r *walker) suggest(sp spec) []string {
	s := suggest(sp.alt.Name, r.ix.knownNames())
	if sp.alt.Arch != "" && len(r.ix.byName[sp.alt.Name]) > 0 {
		s = append([]string{sp.alt.Name}, s...)
	}
	return s[:min(len(s), maxSuggestions)]
}
