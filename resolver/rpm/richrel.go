package rpm

import (
	"fmt"

	"github.com/supermin-compile/supermin-compile/resolver"
)

// rich parses a rich dependency and turns it into relations.
func rich(text string) ([]resolver.Relation, error) {
	d, err := ParseRich(text)
	if err != nil {
		return nil, err
	}
	return richRelations(d, text)
}

// richRelations turns a rich dependency into the resolver's relations:
//
//   - "and" becomes several relations, "or" one relation with several
//     alternatives (an "or" of "and"s is distributed into clauses);
//   - "(a with b)" is an alternative that the same package must satisfy
//     twice; "(a without b)" keeps only a (over-approximating: a package
//     satisfying both is accepted);
//   - "(a if b else c)" and "(a unless b else c)" become conditional
//     relations; their condition must be a name or an "or" of names.
func richRelations(d *Dep, text string) ([]resolver.Relation, error) {
	switch d.Op {
	case "if", "unless":
		return conditional(d, text)
	}
	clauses, err := cnf(d)
	if err != nil {
		return nil, err
	}
	rels := make([]resolver.Relation, len(clauses))
	for i, c := range clauses {
		rels[i] = resolver.Relation{Text: text, Alts: c}
	}
	return rels, nil
}

func conditional(d *Dep, text string) ([]resolver.Relation, error) {
	if len(d.Args) < 2 {
		return nil, fmt.Errorf("%q without a condition", d.Op)
	}
	cond, err := cnf(d.Args[1])
	if err != nil {
		return nil, err
	}
	if len(cond) != 1 {
		return nil, fmt.Errorf("an %q condition must be a name or an \"or\" of names", d.Op)
	}
	unless := d.Op == "unless"
	out, err := guarded(d.Args[0], text, cond[0], unless)
	if err != nil || len(d.Args) < 3 {
		return out, err
	}
	other, err := guarded(d.Args[2], text, cond[0], !unless)
	return append(out, other...), err
}

// guarded returns d's relations applying only when cond holds, or with
// unless, when it does not.
func guarded(d *Dep, text string, cond []resolver.Alt, unless bool) ([]resolver.Relation, error) {
	rels, err := richRelations(d, text)
	if err != nil {
		return nil, err
	}
	for i := range rels {
		if len(rels[i].If) > 0 {
			return nil, fmt.Errorf("nested conditions are not supported")
		}
		rels[i].If, rels[i].Unless = cond, unless
	}
	return rels, nil
}

// cnf converts d into clauses: every clause must hold, any alternative of
// a clause satisfies it.
func cnf(d *Dep) ([][]resolver.Alt, error) {
	switch d.Op {
	case "":
		return [][]resolver.Alt{{leafAlt(d)}}, nil
	case "and":
		var out [][]resolver.Alt
		for _, a := range d.Args {
			c, err := cnf(a)
			if err != nil {
				return nil, err
			}
			out = append(out, c...)
		}
		return out, nil
	case "or":
		out := [][]resolver.Alt{{}}
		for _, a := range d.Args {
			c, err := cnf(a)
			if err != nil {
				return nil, err
			}
			out = distribute(out, c)
		}
		return out, nil
	case "with":
		return with(d)
	case "without":
		return cnf(d.Args[0])
	}
	return nil, fmt.Errorf("%q inside another operator is not supported", d.Op)
}

// distribute computes (x1 and x2 ...) or (y1 and y2 ...) as the clauses
// (xi or yj) for every i, j.
func distribute(xs, ys [][]resolver.Alt) [][]resolver.Alt {
	out := make([][]resolver.Alt, 0, len(xs)*len(ys))
	for _, x := range xs {
		for _, y := range ys {
			out = append(out, append(append([]resolver.Alt{}, x...), y...))
		}
	}
	return out
}

func with(d *Dep) ([][]resolver.Alt, error) {
	for _, a := range d.Args {
		if a.Op != "" {
			return nil, fmt.Errorf("\"with\" operands must be names")
		}
	}
	first := leafAlt(d.Args[0])
	for _, a := range d.Args[1:] {
		first.With = append(first.With, leafAlt(a))
	}
	return [][]resolver.Alt{{first}}, nil
}

func leafAlt(d *Dep) resolver.Alt {
	return resolver.Alt{Name: d.Name, Op: d.Cmp, Version: d.EVR}
}
