package resolver

import (
	"slices"
	"strings"
	"testing"
)

// condUniverse gives packages extra relations the Debian syntax cannot
// write: rpm's conditional ones.
type condUniverse struct {
	*memUniverse
	extra map[string][]Relation
}

func (u *condUniverse) Dialect() Dialect {
	deb, _ := NewDebian(u.native)
	return condDialect{deb, u.extra}
}

type condDialect struct {
	Dialect
	extra map[string][]Relation
}

func (d condDialect) Relations(p *Package) ([]Relation, error) {
	rels, err := d.Dialect.Relations(p)
	return append(rels, d.extra[p.Name]...), err
}

func alts(names ...string) []Alt {
	var out []Alt
	for _, n := range names {
		out = append(out, Alt{Name: n})
	}
	return out
}

func condResolve(t *testing.T, extra map[string][]Relation, req ...string) *Result {
	t.Helper()
	mu := universe(pk("app", "1", "", ""), pk("b", "1", "", ""), pk("c", "1", "", ""), pk("d", "1", "d2", ""),
		pk("d2", "1", "", ""), pk("x", "1", "", ""), pk("y", "1", "", ""))
	r, err := Resolve(&condUniverse{mu, extra}, Request{Packages: req})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func names(r *Result) string {
	var out []string
	for _, p := range r.Packages {
		out = append(out, p.Name)
	}
	return strings.Join(out, " ")
}

// TestConditionalRelations: "if" relations apply once their condition is
// selected, even when it is selected later in the walk; "unless" ones only
// when nothing selected satisfies the condition at the end.
func TestConditionalRelations(t *testing.T) {
	ifB := Relation{Text: "(x if b)", Alts: alts("x"), If: alts("b")}
	unlessB := Relation{Text: "(y unless b)", Alts: alts("y"), If: alts("b"), Unless: true}
	cases := []struct {
		name  string
		extra map[string][]Relation
		req   []string
		want  string
	}{
		{"if, condition absent", map[string][]Relation{"app": {ifB}}, []string{"app"}, "app"},
		{"if, condition requested", map[string][]Relation{"app": {ifB}}, []string{"app", "b"}, "app b x"},
		{"if, condition selected later by a dependency", map[string][]Relation{"app": {ifB, {Text: "c", Alts: alts("c")}}, "c": {{Text: "b", Alts: alts("b")}}}, []string{"app"}, "app b c x"},
		{"unless, condition absent", map[string][]Relation{"app": {unlessB}}, []string{"app"}, "app y"},
		{"unless, condition present", map[string][]Relation{"app": {unlessB}}, []string{"app", "b"}, "app b"},
		{"if, condition a dependency of another request", map[string][]Relation{"app": {{Text: "(x if d2)", Alts: alts("x"), If: alts("d2")}}}, []string{"app", "d"}, "app d d2 x"},
		{"unsupported relation is skipped", map[string][]Relation{"app": {{Text: "(weird)", Unsupported: "a test"}}}, []string{"app"}, "app"},
	}
	for _, c := range cases {
		r := condResolve(t, c.extra, c.req...)
		if got := names(r); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
	r := condResolve(t, map[string][]Relation{"app": {{Text: "(weird)", Unsupported: "a test"}}}, "app")
	if !slices.Contains(r.Warnings, `dependency "(weird)" of app is not supported (a test); ignored (requested)`) {
		t.Errorf("warnings: %v", r.Warnings)
	}
}
