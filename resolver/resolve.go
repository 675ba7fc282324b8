package resolver

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Resolve computes the closure of req over u; see the package comment for
// the rules. A required package that does not exist yields *NotFoundError.
func Resolve(u Universe, req Request) (*Result, error) {
	ix, err := newIndex(u)
	if err != nil {
		return nil, err
	}
	r := &walker{
		ix:        ix,
		excluded:  map[string]bool{},
		selected:  map[string]*Package{},
		relations: map[*Package][]Relation{},
		res:       &Result{Reasons: map[string]string{}},
	}
	if err := r.setExcludes(req.Exclude); err != nil {
		return nil, err
	}
	if err := r.seedRequired(req.Packages); err != nil {
		return nil, err
	}
	if err := r.seedOptional(req.Optional); err != nil {
		return nil, err
	}
	r.requested = len(r.order)
	if err := r.walk(); err != nil {
		return nil, err
	}
	return r.result(), nil
}

// walker holds the state of one Resolve call.
type walker struct {
	ix        *index
	excluded  map[string]bool         // names never to select
	selected  map[string]*Package     // name -> the one package chosen for it
	order     []*Package              // selection order
	requested int                     // order[:requested] are the requested packages
	relations map[*Package][]Relation // parsed once, see relationsOf
	pending   []pending               // conditional relations not yet applied
	res       *Result
}

func (r *walker) setExcludes(names []string) error {
	specs, err := parseSpecs(names, r.ix.d)
	if err != nil {
		return fmt.Errorf("exclude: %w", err)
	}
	for _, sp := range specs {
		// A qualifier matches all candidates or none.
		if !r.ix.d.QualifierOK(sp.alt.Arch) {
			continue
		}
		r.excluded[sp.alt.Name] = true
		r.checkExclude(sp)
	}
	return nil
}

// checkExclude notes excludes that cannot have an effect, to catch typos.
// Excludes name real packages: excluding a virtual name does not exclude
// its providers, which would be a surprising action at a distance.
func (r *walker) checkExclude(sp spec) {
	switch {
	case len(r.ix.byName[sp.alt.Name]) > 0:
	case len(r.ix.providers[sp.alt.Name]) > 0:
		r.note("excluded %q is a virtual package; exclude its providers instead", sp.raw)
	default:
		r.note("excluded package %q does not exist", sp.raw)
	}
}

func (r *walker) add(p *Package, parent string) {
	r.selected[p.Name] = p
	r.res.Reasons[p.Name] = parent
	r.order = append(r.order, p)
}

// walk follows the requested packages' relations, in request order, then
// applies conditional relations whose condition now holds, and repeats
// until nothing changes. "unless" relations are decided only when no "if"
// relation fires any more.
func (r *walker) walk() error {
	for _, p := range r.order[:r.requested] {
		if err := r.follow(p); err != nil {
			return err
		}
	}
	for {
		applied, err := r.applyConditions(false)
		if err == nil && !applied {
			applied, err = r.applyConditions(true)
		}
		if err != nil || !applied {
			return err
		}
	}
}

// follow satisfies p's relations depth first, as apt's MarkInstall does:
// the package chosen for one relation has all of its own relations
// satisfied before the next relation of p is looked at. Which packages are
// already selected when a relation is reached decides its or-groups and
// providers, so this order is part of the answer.
func (r *walker) follow(p *Package) error {
	type frame struct {
		p    *Package
		rels []Relation
	}
	var stack []frame
	push := func(p *Package) error {
		rels, err := r.relationsOf(p)
		stack = append(stack, frame{p, rels})
		return err
	}
	if err := push(p); err != nil {
		return err
	}
	for len(stack) > 0 {
		f := &stack[len(stack)-1]
		if len(f.rels) == 0 {
			stack = stack[:len(stack)-1]
			continue
		}
		rel := f.rels[0]
		f.rels = f.rels[1:]
		if dep := r.satisfyRelation(f.p, rel); dep != nil {
			if err := push(dep); err != nil {
				return err
			}
		}
	}
	return nil
}

// relationsOf parses p's relations once: the installability check reads
// those of packages it then does not choose.
func (r *walker) relationsOf(p *Package) ([]Relation, error) {
	if rels, ok := r.relations[p]; ok {
		return rels, nil
	}
	rels, err := r.ix.d.Relations(p)
	if err != nil {
		return nil, err
	}
	r.relations[p] = rels
	return rels, nil
}

// satisfyRelation applies one relation of p: an unsupported one is warned
// about, a conditional one waits (see walk). It returns the package newly
// selected for it, if any.
func (r *walker) satisfyRelation(p *Package, rel Relation) *Package {
	switch {
	case rel.Unsupported != "":
		r.warn("dependency %q of %s is not supported (%s); ignored%s", rel.Text, p.Name, rel.Unsupported, r.via(p.Name))
	case len(rel.If) > 0:
		r.pending = append(r.pending, pending{p, rel})
	default:
		return r.satisfy(p, rel)
	}
	return nil
}

// pending is a conditional relation of a selected package, not yet applied.
type pending struct {
	from *Package
	rel  Relation
}

// applyConditions applies the pending relations of one kind whose
// condition holds, in the order they were met, following what each
// selects; it reports whether any was applied.
func (r *walker) applyConditions(unless bool) (bool, error) {
	var apply []pending
	keep := r.pending[:0]
	for _, c := range r.pending {
		holds := r.selectedFor(c.rel.If) != nil
		switch {
		case c.rel.Unless != unless:
			keep = append(keep, c)
		case holds != unless:
			apply = append(apply, c)
		case !unless:
			keep = append(keep, c) // its condition may hold later
		}
	}
	r.pending = keep
	for _, c := range apply {
		if dep := r.satisfy(c.from, c.rel); dep != nil {
			if err := r.follow(dep); err != nil {
				return false, err
			}
		}
	}
	return len(apply) > 0, nil
}

// satisfy selects a package for rel unless a selected one satisfies it
// already, and returns the one it selected.
func (r *walker) satisfy(p *Package, rel Relation) *Package {
	if r.selectedFor(rel.Alts) != nil {
		return nil
	}
	dep, blocked := r.choose(rel.Alts)
	switch {
	case dep != nil:
		r.add(dep, p.Name)
	case len(blocked) > 0:
		r.warn("dependency %q of %s is satisfiable only by excluded %s%s",
			rel.Text, p.Name, strings.Join(blocked, ", "), r.via(p.Name))
	default:
		r.warn("unsatisfied dependency %q of %s%s", rel.Text, p.Name, r.via(p.Name))
	}
	return dep
}

// via renders the chain that led to name for a message.
func (r *walker) via(name string) string {
	chain := r.res.Chain(name)
	if len(chain) <= 1 {
		return " (requested)"
	}
	return " (required by " + strings.Join(chain[1:], " <- ") + ")"
}

func (r *walker) warn(format string, args ...any) {
	r.res.Warnings = append(r.res.Warnings, fmt.Sprintf(format, args...))
}

func (r *walker) note(format string, args ...any) {
	r.res.Notes = append(r.res.Notes, fmt.Sprintf(format, args...))
}

func (r *walker) result() *Result {
	pkgs := slices.Clone(r.order)
	slices.SortFunc(pkgs, func(a, b *Package) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.Arch, b.Arch))
	})
	r.res.Packages = pkgs
	return r.res
}
