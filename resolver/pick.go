package resolver

import "slices"

// selectedFor returns an already selected package satisfying any of alts:
// that one wins over the written order, so "a | b" with b selected does not
// pull in a as well.
func (r *walker) selectedFor(alts []Alt) *Package {
	for _, a := range alts {
		if p := r.selected[a.Name]; p != nil && r.ix.realOK(a, p) {
			return p
		}
		for _, pr := range r.ix.providers[a.Name] {
			if r.selected[pr.pkg.Name] == pr.pkg && r.ix.providerOK(a, pr) {
				return pr.pkg
			}
		}
	}
	return nil
}

// choose picks a new package for alts: the first of solutions that is not
// excluded and is installable, or, when none is installable, the first
// not excluded (its unsatisfiable relation is then warned about). When
// nothing is usable it also returns the excluded names that would have
// satisfied alts, in order, without repeats.
func (r *walker) choose(alts []Alt) (*Package, []string) {
	var blocked []string
	var fallback *Package
	for _, p := range r.solutions(alts) {
		switch {
		case r.excluded[p.Name]:
			if !slices.Contains(blocked, p.Name) {
				blocked = append(blocked, p.Name)
			}
		case r.installable(p):
			return p, nil
		case fallback == nil:
			fallback = p
		}
	}
	if fallback != nil {
		return fallback, nil
	}
	return nil, blocked
}

// solutions lists the packages that can be chosen for alts, in the order
// apt tries them (getAllPossibleSolutions in apt-pkg/depcache.cc):
// alternative by alternative, and within one the package of that name
// before its providers, which come in the dialect's order.
func (r *walker) solutions(alts []Alt) []*Package {
	var out []*Package
	for _, a := range alts {
		for _, p := range r.versions(a.Name) {
			if r.ix.realOK(a, p) && !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
		providers := len(out)
		for _, pr := range r.ix.providers[a.Name] {
			if r.eligible(pr.pkg) && r.ix.providerOK(a, pr) && !slices.Contains(out, pr.pkg) {
				out = append(out, pr.pkg)
			}
		}
		slices.SortStableFunc(out[providers:], r.ix.d.CompareProviders)
	}
	return out
}

// versions returns the versions of name a relation can choose from, best
// first: the selected one if any (only one version of a name can be
// installed), else the best only (apt's candidate) or all, as the dialect
// says.
func (r *walker) versions(name string) []*Package {
	if p := r.selected[name]; p != nil {
		return []*Package{p}
	}
	all := r.ix.byName[name]
	if r.ix.d.AptChoice() && len(all) > 1 {
		return all[:1]
	}
	return all
}

// eligible reports whether p is among the versions of its name.
func (r *walker) eligible(p *Package) bool {
	if s := r.selected[p.Name]; s != nil {
		return s == p
	}
	return !r.ix.d.AptChoice() || r.ix.byName[p.Name][0] == p
}

// installable is apt's check before it chooses a package
// (IsInstallOkDependenciesSatisfiableByCandidates): each of p's relations
// is satisfied by a selected package, or could be by some package,
// excluded ones included (an exclude means the package is taken care of).
// Conditional and unsupported relations do not count. Dialects that do
// not choose as apt does take any package.
func (r *walker) installable(p *Package) bool {
	if !r.ix.d.AptChoice() {
		return true
	}
	rels, err := r.relationsOf(p)
	if err != nil {
		return true // the error is reported if p is followed
	}
	for _, rel := range rels {
		if rel.Unsupported != "" || len(rel.If) > 0 {
			continue
		}
		if r.selectedFor(rel.Alts) == nil && !r.possible(rel.Alts) {
			return false
		}
	}
	return true
}

// possible reports whether some package could satisfy alts.
func (r *walker) possible(alts []Alt) bool {
	for _, a := range alts {
		for _, p := range r.versions(a.Name) {
			if r.ix.realOK(a, p) {
				return true
			}
		}
		for _, pr := range r.ix.providers[a.Name] {
			if r.eligible(pr.pkg) && r.ix.providerOK(a, pr) {
				return true
			}
		}
	}
	return false
}
