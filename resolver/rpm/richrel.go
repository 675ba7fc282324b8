package rpm

import (
	"fmt"

	"github.com/supermin-compile/supermin-compile/resolver"
)

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
	cond, err := cnf(d.Args[1])
	if err != nil {
		return nil, err
	}
	if len(cond) != 1 {
		return nil, fmt.Errorf("an %q condition must be a name or an \"or\" of names", d.Op)
	}
	then, err := richRelations(d.Args[0], text)
	if err != nil {
		return nil, err
	}
	unless := d.Op == "unless"
	for i := range then {
		if len(then[i].If) > 0 {
			return nil, fmt.Errorf("nested conditions are not supported")
		}
		then[i].If, then[i].Unless = cond[0], unless
	}
	if len(d.Args) < 3 {
		return then, nil
	}
	other, err := richRelations(d.Args[2], text)
	if err != nil {
		return nil, err
	}
	for i := range other {
		if len(other[i].If) > 0 {
			return nil, fmt.Errorf("nested conditions are not supported")
		}
		other[i].If, other[i].Unless = cond[0], !unless
	}
	return append(then, other...), nil
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
