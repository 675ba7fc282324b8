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
		ix:       ix,
		excluded: map[string]bool{},
		selected: map[string]*Package{},
		res:      &Result{Reasons: map[string]string{}},
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
	if err := r.walk(); err != nil {
		return nil, err
	}
	return r.result(), nil
}

// walker holds the state of one Resolve call.
type walker struct {
	ix       *index
	excluded map[string]bool     // names never to select
	selected map[string]*Package // name -> the one package chosen for it
	order    []*Package          // selection order; doubles as the BFS queue
	next     int                 // the queue's head in order
	pending  []pending           // conditional relations not yet applied
	res      *Result
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

// walk drains the queue, then applies conditional relations whose
// condition now holds, and repeats until nothing changes. "unless"
// relations are decided only when no "if" relation fires any more.
func (r *walker) walk() error {
	for {
		if err := r.drain(); err != nil {
			return err
		}
		if !r.applyConditions(false) && !r.applyConditions(true) {
			return nil
		}
	}
}

func (r *walker) drain() error {
	for ; r.next < len(r.order); r.next++ {
		p := r.order[r.next]
		rels, err := r.ix.d.Relations(p)
		if err != nil {
			return err
		}
		for _, rel := range rels {
			if rel.Unsupported != "" {
				r.warn("dependency %q of %s is not supported (%s); ignored%s", rel.Text, p.Name, rel.Unsupported, r.via(p.Name))
				continue
			}
			if len(rel.If) > 0 {
				r.pending = append(r.pending, pending{p, rel})
			} else {
				r.satisfy(p, rel)
			}
		}
	}
	return nil
}

// pending is a conditional relation of a selected package, not yet applied.
type pending struct {
	from *Package
	rel  Relation
}

// applyConditions applies the pending relations of one kind whose
// condition holds, in the order they were met; it reports whether any did.
func (r *walker) applyConditions(unless bool) bool {
	applied := false
	keep := r.pending[:0]
	for _, c := range r.pending {
		holds := r.selectedFor(c.rel.If) != nil
		switch {
		case c.rel.Unless != unless:
			keep = append(keep, c)
		case holds != unless:
			r.satisfy(c.from, c.rel)
			applied = true
		case !unless:
			keep = append(keep, c) // its condition may hold later
		}
	}
	r.pending = keep
	return applied
}

func (r *walker) satisfy(p *Package, rel Relation) {
	if r.selectedFor(rel.Alts) != nil {
		return
	}
	if dep, blocked := r.pick(rel.Alts); dep != nil {
		r.add(dep, p.Name)
	} else if len(blocked) > 0 {
		r.warn("dependency %q of %s is satisfiable only by excluded %s%s",
			rel.Text, p.Name, strings.Join(blocked, ", "), r.via(p.Name))
	} else {
		r.warn("unsatisfied dependency %q of %s%s", rel.Text, p.Name, r.via(p.Name))
	}
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
