package rpm

import (
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/resolver"
)

func renderAlts(alts []resolver.Alt) string {
	var s []string
	for _, a := range alts {
		x := strings.TrimSpace(a.Name + " " + a.Op + " " + a.Version)
		if len(a.With) > 0 {
			x += " with [" + renderAlts(a.With) + "]"
		}
		s = append(s, x)
	}
	return strings.Join(s, " | ")
}

// TestRichRelations: how rich dependencies become the resolver's
// relations; shapes we cannot express are errors the walk turns into
// warnings.
func TestRichRelations(t *testing.T) {
	cases := []struct{ in, want string }{
		{"(a or b)", "a | b"},
		{"(a and b)", "a; b"},
		{"(a >= 1 or (b and c))", "a >= 1 | b; a >= 1 | c"},
		{"(a with a < 3)", "a with [a < 3]"},
		{"(a without b)", "a"},
		{"(a if b)", "if b: a"},
		{"(a if (b or c))", "if b | c: a"},
		{"(a unless b)", "unless b: a"},
		{"(a if b else c)", "if b: a; unless b: c"},
		{"(a unless b else c)", "unless b: a; if b: c"},
		{"((a if b) and c)", "error: \"if\" inside another operator is not supported"},
		{"(a if (b and c))", "error: an \"if\" condition must be a name or an \"or\" of names"},
		{"(a or", "error"},
	}
	for _, c := range cases {
		rels, err := rich(c.in)
		var got []string
		for _, r := range rels {
			s := renderAlts(r.Alts)
			if len(r.If) > 0 {
				s = map[bool]string{false: "if ", true: "unless "}[r.Unless] + renderAlts(r.If) + ": " + s
			}
			got = append(got, s)
		}
		g := strings.Join(got, "; ")
		if err != nil {
			g = "error: " + err.Error()
		}
		if g != c.want && !(c.want == "error" && err != nil) {
			t.Errorf("%s:\n got %s\nwant %s", c.in, g, c.want)
		}
	}
}
