package resolver

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

// pick chooses a new package for alts: the first alternative that some
// usable candidate satisfies. When nothing is usable it also returns the
// excluded names that would have satisfied alts, in order, without repeats.
func (r *walker) pick(alts []Alt) (*Package, []string) {
	var blocked []string
	for _, a := range alts {
		p, b := r.pickAlt(a)
		if p != nil {
			return p, nil
		}
		for _, name := range b {
			if !contains(blocked, name) {
				blocked = append(blocked, name)
			}
		}
	}
	return nil, blocked
}

// pickAlt prefers a real package of the name (best version first) over
// providers (in name order).
func (r *walker) pickAlt(a Alt) (*Package, []string) {
	var blocked []string
	for _, p := range r.ix.byName[a.Name] {
		if r.ix.realOK(a, p) {
			if r.usable(p) {
				return p, nil
			}
			blocked = r.noteBlocked(blocked, p)
		}
	}
	for _, pr := range r.ix.providers[a.Name] {
		if r.ix.providerOK(a, pr) {
			if r.usable(pr.pkg) {
				return pr.pkg, nil
			}
			blocked = r.noteBlocked(blocked, pr.pkg)
		}
	}
	return nil, blocked
}

// usable: not excluded, and no other package of the same name selected
// (only one version of a name can be installed).
func (r *walker) usable(p *Package) bool {
	return !r.excluded[p.Name] && r.selected[p.Name] == nil
}

func (r *walker) noteBlocked(blocked []string, p *Package) []string {
	if r.excluded[p.Name] && !contains(blocked, p.Name) {
		blocked = append(blocked, p.Name)
	}
	return blocked
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
