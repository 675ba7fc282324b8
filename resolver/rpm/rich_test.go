package rpm

import (
	"cmp"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// richCases: want is the canonical String of a valid input, or for an
// invalid one "!" and a piece of the error. rpmbuild differs when
// rpmbuild != "" (it adds build-time rules, and allows a lone "else").
var richCases = []struct{ in, want, rpmbuild string }{
	{"(python310-jupyter-server >= 1.15 with python310-jupyter-server < 3)", "", ""},
	{"(cockpit-packagekit if dnf)", "", ""},
	{"(NetworkManager >= 1.20 or dhclient)", "", ""},
	{"((a and b) or c)", "", ""},
	{"(a if b else c)", "", ""},
	{"(pkgconfig(foo) >= 2 or libfoo.so.1()(64bit))", "", ""},
	{"(rpmlib(RichDependencies) <= 4.12.0-1 and b)", "", ""},
	{"(a and b and (c or d))", "", ""},
	{"(a with b with c)", "", ""},
	{"(a without b)", "", ""},
	{"(a unless b else c)", "", "unless only inside or"},
	{"(a unless b)", "", "unless only inside or"},
	{"(a if (b unless c))", "", ""},
	{"(a with (b or c))", "", ""},
	{"(a >= 1:2.0~rc1^git2-3.fc38 or b)", "", ""},
	{"(a => 1 or b =< 2 or c == 3)", "(a >= 1 or b <= 2 or c = 3)", ""},
	{"(a ,and\tb )", "(a and b)", ""},
	{"(and and or)", "", ""},
	{"(a(b and c)", "", ""},
	{"(x and a( )", "", ""},
	{"(a)", "a", ""},
	{"((a >= 1))", "a >= 1", ""},
	{"a", "", ""},
	{"a >= 1.0-1", "", ""},
	{"a >= 1.0 ", "a >= 1.0", ""},

	{"", "!missing name", ""},
	{"(", "!missing name", ""},
	{"()", "!empty", ""},
	{"(a", "!missing ')'", ""},
	{"((a and b)", "!missing ')'", ""},
	{"(a and b(c)", "!missing ')'", ""},
	{"(a and)", `!missing operand after "and"`, ""},
	{"(a and b))", "!junk", ""},
	{"(a) ", "!junk", "trims the Requires: line"},
	{"(a and b or c)", `!"or" after "and" needs parentheses`, ""},
	{"(a if b and c)", "!needs parentheses", ""},
	{"(a if b if c)", `!"if" does not chain`, ""},
	{"(a without b without c)", "!does not chain", ""},
	{"(a if b else c else d)", `!"else" must follow`, ""},
	{"(a or b else c)", `!"else" must follow`, ""},
	{"(a else b)", `!"else" must follow`, "accepts a lone else"},
	{"(a xor b)", `!unknown operator "xor"`, ""},
	{"(a AND b)", `!unknown operator "AND"`, ""},
	{"(a b)", `!unknown operator "b"`, ""},
	{"(a and, b)", `!unknown operator "and,"`, ""},
	{"(a >=)", "!missing version", ""},
	{"(a >= , b)", "a >= b", ""},
	{"(a with (b and c))", "!may not contain", ""},
	{"(a without (b if c))", "!may not contain", ""},
	{"(a with (b or (c and d)))", "!may not contain", ""},
	{"a b", "!junk", ""},
}

func TestParseRich(t *testing.T) {
	for _, c := range richCases {
		d, err := ParseRich(c.in)
		bad, ok := strings.CutPrefix(c.want, "!")
		switch {
		case ok && err == nil:
			t.Errorf("ParseRich(%q) = %q, want error containing %q", c.in, d, bad)
		case ok && !strings.Contains(err.Error(), bad):
			t.Errorf("ParseRich(%q): %v, want error containing %q", c.in, err, bad)
		case !ok && err != nil:
			t.Errorf("ParseRich(%q): %v", c.in, err)
		case !ok && d.String() != cmp.Or(c.want, c.in):
			t.Errorf("ParseRich(%q).String() = %q, want %q", c.in, d, cmp.Or(c.want, c.in))
		case !ok:
			checkRoundTrip(t, c.in, d)
		}
	}
}

func TestParseRichTree(t *testing.T) {
	leaf := func(n, c, v string) *Dep { return &Dep{Name: n, Cmp: c, EVR: v} }
	for in, want := range map[string]*Dep{
		"(a if b else c)": {Op: "if", Args: []*Dep{leaf("a", "", ""), leaf("b", "", ""), leaf("c", "", "")}},
		"(pkgconfig(foo) >= 2 or libfoo.so.1()(64bit))": {Op: "or", Args: []*Dep{
			leaf("pkgconfig(foo)", ">=", "2"), leaf("libfoo.so.1()(64bit)", "", "")}},
		"((a and b) or c = 1)": {Op: "or", Args: []*Dep{
			{Op: "and", Args: []*Dep{leaf("a", "", ""), leaf("b", "", "")}}, leaf("c", "=", "1")}},
		"(x and a( )": {Op: "and", Args: []*Dep{leaf("x", "", ""), leaf("a(", "", "")}},
	} {
		if got, err := ParseRich(in); err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("ParseRich(%q) = %#v, %v; want %#v", in, got, err, want)
		}
	}
}

func checkRoundTrip(t *testing.T, in string, d *Dep) {
	t.Helper()
	s := d.String()
	d2, err := ParseRich(s)
	if err != nil {
		t.Fatalf("ParseRich(%q) ok but its String %q: %v", in, s, err)
	}
	if !reflect.DeepEqual(d, d2) {
		t.Fatalf("ParseRich(%q) = %#v, but ParseRich(%q) = %#v", in, d, s, d2)
	}
}

func FuzzParseRich(f *testing.F) {
	for _, c := range richCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if d, err := ParseRich(s); err == nil {
			checkRoundTrip(t, s, d)
		}
	})
}

// TestParseRichRpmbuild asks rpmspec, which parses a Requires: line with
// the same rpm parser (plus build-time rules), whether each rich case is
// valid, and checks it agrees except where a case says why not.
func TestParseRichRpmbuild(t *testing.T) {
	testtool.Need(t, "rpmspec")
	dir := t.TempDir()
	for i, c := range richCases {
		if !strings.HasPrefix(c.in, "(") {
			continue // a plain name: rpmspec reads "a b" as two
		}
		spec := filepath.Join(dir, strconv.Itoa(i)+".spec")
		text := "Name: t\nVersion: 1\nRelease: 1\nSummary: t\nLicense: MIT\nRequires: " + c.in + "\n%description\nt\n"
		if err := os.WriteFile(spec, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("rpmspec", "-q", "--requires", spec).CombinedOutput()
		ours := !strings.HasPrefix(c.want, "!")
		if rpm := err == nil; (rpm == ours) != (c.rpmbuild == "") {
			t.Errorf("%q: rpmspec accepts=%v, ParseRich accepts=%v (known difference: %q)\n%s", c.in, rpm, ours, c.rpmbuild, out)
		}
	}
}
