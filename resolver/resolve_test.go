package resolver

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

type resolveCase struct {
	name     string
	u        *memUniverse
	req      Request
	want     []string // "name" for native/all packages, "name:arch" otherwise
	warnings []string
	notes    []string
	err      string // substring of the expected error
}

func req(names ...string) Request { return Request{Packages: names} }

func ids(pkgs []*Package) []string {
	var out []string
	for _, p := range pkgs {
		if p.Arch == "amd64" || p.Arch == "all" {
			out = append(out, p.Name)
		} else {
			out = append(out, p.ID())
		}
	}
	return out
}

func runCases(t *testing.T, cases []resolveCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := Resolve(c.u, c.req)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error = %v, want it to contain %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			check(t, "packages", ids(res.Packages), c.want)
			check(t, "warnings", res.Warnings, c.warnings)
			check(t, "notes", res.Notes, c.notes)
		})
	}
}

func check(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got  %q\n want %q", what, got, want)
	}
}

func TestClosureAndAlternatives(t *testing.T) {
	runCases(t, []resolveCase{
		{name: "transitive", u: universe(pk("a", "1", "b", ""), pk("b", "1", "c", ""), pk("c", "1", "", ""), pk("d", "1", "", "")),
			req: req("a"), want: []string{"a", "b", "c"}},
		{name: "first satisfiable alternative", u: universe(pk("a", "1", "x | y | z", ""), pk("y", "1", "", ""), pk("z", "1", "", "")),
			req: req("a"), want: []string{"a", "y"}},
		{name: "alternative skipped on version", u: universe(pk("a", "1", "y (>= 2) | z", ""), pk("y", "1", "", ""), pk("z", "1", "", "")),
			req: req("a"), want: []string{"a", "z"}},
		{name: "requested alternative preferred", u: universe(pk("a", "1", "y | z", ""), pk("y", "1", "", ""), pk("z", "1", "", "")),
			req: req("a", "z"), want: []string{"a", "z"}},
		{name: "earlier selected alternative preferred", u: universe(pk("a", "1", "z, y | z", ""), pk("y", "1", "", ""), pk("z", "1", "", "")),
			req: req("a"), want: []string{"a", "z"}},
		{name: "selected alternative must satisfy version", u: universe(pk("a", "1", "z (>= 2) | y", ""), pk("y", "1", "", ""), pk("z", "1", "", "")),
			req: req("a", "z"), want: []string{"a", "y", "z"}},
		{name: "recommends not followed", u: universe(pk("a", "1", "", ""), pk("b", "1", "", "")),
			req: req("a"), want: []string{"a"}},
		{name: "cycle", u: universe(pk("a", "1", "b", ""), pk("b", "1", "c", ""), pk("c", "1", "a, c", "")),
			req: req("b"), want: []string{"a", "b", "c"}},
		{name: "duplicate request", u: universe(pk("a", "1", "", "")),
			req: req("a", "a"), want: []string{"a"}},
		{name: "highest version of a name", u: universe(pk("a", "1", "b", ""), pk("b", "1", "", ""), pk("b", "3", "", ""), pk("b", "2", "", "")),
			req: req("a"), want: []string{"a", "b"}},
		{name: "relation fields over several lines", u: universe(pk("a", "1", "b,\n c (>=\n 1) | d,\n\tv", ""),
			pk("b", "1", "", ""), pk("c", "1", "", ""), pk("p", "1", "", "w,\n v")),
			req: req("a"), want: []string{"a", "b", "c", "p"}},
		{name: "arch and profile restrictions", u: universe(pk("a", "1", "x [i386], b [amd64], c <!nocheck>, y <stage1>, z [!amd64] | d", ""),
			pk("b", "1", "", ""), pk("c", "1", "", ""), pk("d", "1", "", "")),
			req: req("a"), want: []string{"a", "b", "c", "d"}},
	})
}

func TestVersionConstraints(t *testing.T) {
	cases := []struct {
		have, rel string
		ok        bool
	}{
		{"2.0", "<< 3", true}, {"2.0", "<< 2.0", false},
		{"2.0", "<= 2.0", true}, {"2.0", "<= 1.9", false},
		{"2.0", "= 2.0", true}, {"2.0", "= 2.0-1", false},
		{"2.0", ">= 2.0", true}, {"2.0", ">= 2.0.1", false},
		{"2.0", ">> 1.99", true}, {"2.0", ">> 2.0", false},
		{"1:1.0", ">= 9.9", true}, {"1:1.0", "<< 2:0.1", true}, // epochs
		{"1.0~rc1", ">= 1.0", false}, {"1.0~rc1", ">> 1.0~beta", true}, // tildes
		{"1.0~~", "<< 1.0~", true}, {"1.0", ">> 1.0~rc1", true},
		{"1.0-2", ">> 1.0-1", true}, {"1.0-10", ">> 1.0-9", true}, // revisions
		{"1.0+b1", ">> 1.0", true}, {"1.0a", ">> 1.0", true},
	}
	for _, c := range cases {
		t.Run(c.have+" "+c.rel, func(t *testing.T) {
			dep := "lib (" + c.rel + ")"
			res, err := Resolve(universe(pk("a", "1", dep, ""), pk("lib", c.have, "", "")), req("a"))
			if err != nil {
				t.Fatal(err)
			}
			if got := len(res.Packages) == 2; got != c.ok {
				t.Errorf("%s satisfies %q = %v, want %v (warnings %q)", c.have, dep, got, c.ok, res.Warnings)
			}
		})
	}
}

func TestVirtualPackages(t *testing.T) {
	runCases(t, []resolveCase{
		{name: "unversioned provide", u: universe(pk("a", "1", "mta", ""), pk("postfix", "3", "", "mta")),
			req: req("a"), want: []string{"a", "postfix"}},
		{name: "versioned provide satisfies versioned dep", u: universe(pk("a", "1", "foo (>= 1.2)", ""), pk("bar", "9", "", "foo (= 1.2)")),
			req: req("a"), want: []string{"a", "bar"}},
		{name: "versioned provide too old", u: universe(pk("a", "1", "foo (>= 1.3)", ""), pk("bar", "9", "", "foo (= 1.2)")),
			req: req("a"), want: []string{"a"}, warnings: []string{`unsatisfied dependency "foo (>= 1.3)" of a (requested)`}},
		{name: "unversioned provide never satisfies versioned dep", u: universe(pk("a", "1", "foo (<< 99) | foo (>= 0)", ""), pk("bar", "9", "", "foo")),
			req: req("a"), want: []string{"a"}, warnings: []string{`unsatisfied dependency "foo (<< 99) | foo (>= 0)" of a (requested)`}},
		{name: "providers: first name wins", u: universe(pk("a", "1", "v", ""), pk("zeta", "1", "", "v"), pk("alpha", "1", "", "v, w")),
			req: req("a"), want: []string{"a", "alpha"}},
		{name: "providers: selected one wins", u: universe(pk("a", "1", "v", ""), pk("zeta", "1", "", "v"), pk("alpha", "1", "", "v")),
			req: req("a", "zeta"), want: []string{"a", "zeta"}},
		{name: "real package preferred over provider", u: universe(pk("a", "1", "v", ""), pk("v", "1", "", ""), pk("alpha", "1", "", "v")),
			req: req("a"), want: []string{"a", "v"}},
		{name: "provider when real package too old", u: universe(pk("a", "1", "v (>= 2)", ""), pk("v", "1", "", ""), pk("p", "1", "", "v (= 2)")),
			req: req("a"), want: []string{"a", "p"}},
		{name: "requested real package also provided", u: universe(pk("foo", "1", "", ""), pk("bar", "1", "", "foo")),
			req: req("bar", "foo"), want: []string{"bar", "foo"}},
		{name: "dependency satisfied by selected provider", u: universe(pk("a", "1", "foo", ""), pk("foo", "1", "", ""), pk("bar", "1", "", "foo")),
			req: req("bar", "a"), want: []string{"a", "bar"}},
		{name: "requested virtual", u: universe(pk("mawk", "1", "", "awk"), pk("gawk", "1", "", "awk")),
			req: req("awk"), want: []string{"gawk"}, notes: []string{`"awk" is a virtual package, using its provider gawk`}},
	})
}

func TestArchitectures(t *testing.T) {
	lib64, lib32 := pk("lib", "1", "", ""), pk("lib:i386", "1", "", "")
	runCases(t, []resolveCase{
		{name: "foreign candidate skipped", u: universe(pk("a", "1", "lib", ""), lib32),
			req: req("a"), want: []string{"a"}, warnings: []string{`unsatisfied dependency "lib" of a (requested)`}},
		{name: "native chosen over foreign", u: universe(pk("a", "1", "lib", ""), lib32, lib64),
			req: req("a"), want: []string{"a", "lib"}},
		{name: ":any", u: universe(pk("a", "1", "lib:any", ""), lib32, lib64), req: req("a"), want: []string{"a", "lib"}},
		{name: ":native", u: universe(pk("a", "1", "lib:native", ""), lib64), req: req("a"), want: []string{"a", "lib"}},
		{name: ":all", u: universe(pk("a", "1", "lib:all", ""), lib64), req: req("a"), want: []string{"a", "lib"}},
		{name: ":amd64", u: universe(pk("a", "1", "lib:amd64", ""), lib64), req: req("a"), want: []string{"a", "lib"}},
		{name: ":amd64 on arch all", u: universe(pk("a", "1", "data:amd64", ""), pk("data:all", "1", "", "")),
			req: req("a"), want: []string{"a", "data"}},
		{name: ":i386 never", u: universe(pk("a", "1", "lib:i386", ""), lib32, lib64),
			req: req("a"), want: []string{"a"}, warnings: []string{`unsatisfied dependency "lib:i386" of a (requested)`}},
		{name: "qualified provider", u: universe(pk("a", "1", "v:any", ""), pk("p", "1", "", "v")), req: req("a"), want: []string{"a", "p"}},
		{name: "qualified request", u: universe(lib32, lib64), req: req("lib:amd64"), want: []string{"lib"}},
		{name: "foreign request", u: universe(lib32, lib64), req: req("lib:i386"),
			err: `package "lib:i386" is not installed (did you mean lib?)`},
	})
}

func TestExcludeAndOptional(t *testing.T) {
	u := universe(pk("a", "1", "b, c | d, e", ""), pk("b", "1", "", ""), pk("c", "1", "", ""), pk("d", "1", "", ""),
		pk("e", "1", "", ""), pk("opt", "1", "", ""))
	runCases(t, []resolveCase{
		{name: "exclude", u: u, req: Request{Packages: []string{"a"}, Exclude: []string{"b", "c", "ghost"}},
			want:     []string{"a", "d", "e"},
			warnings: []string{`dependency "b" of a is satisfiable only by excluded b (requested)`},
			notes:    []string{`excluded package "ghost" does not exist`}},
		{name: "exclude provider", u: universe(pk("a", "1", "v", ""), pk("p", "1", "", "v"), pk("q", "1", "", "v")),
			req: Request{Packages: []string{"a"}, Exclude: []string{"p"}}, want: []string{"a", "q"}},
		{name: "exclude every provider", u: universe(pk("a", "1", "v | w", ""), pk("p", "1", "", "v"), pk("q", "1", "", "w")),
			req: Request{Packages: []string{"a"}, Exclude: []string{"p", "q"}}, want: []string{"a"},
			warnings: []string{`dependency "v | w" of a is satisfiable only by excluded p, q (requested)`}},
		{name: "exclude foreign qualifier has no effect", u: u, req: Request{Packages: []string{"e"}, Exclude: []string{"e:i386"}},
			want: []string{"e"}},
		{name: "required excluded", u: u, req: Request{Packages: []string{"a"}, Exclude: []string{"a"}},
			err: `package "a" is both required and excluded`},
		{name: "optional", u: u, req: Request{Packages: []string{"e"}, Optional: []string{"opt", "nope", "b"}, Exclude: []string{"b"}},
			want:  []string{"e", "opt"},
			notes: []string{`optional package "nope" is not available, skipped`, `optional package "b" is excluded, skipped`}},
	})
}

func TestNotFound(t *testing.T) {
	u := universe(pk("bash", "5", "", ""), pk("dash", "0.5", "", ""), pk("zsh", "5", "", ""),
		pk("python3", "3", "", ""), pk("python3-minimal", "3", "", ""), pk("python3.11", "3", "", ""), pk("python3-yaml", "3", "", ""))
	_, err := Resolve(u, req("bassh", "bash", "nope", "pyth"))
	var nf *NotFoundError
	if !errors.As(err, &nf) {
		t.Fatalf("error %v (%T) is not a *NotFoundError", err, err)
	}
	want := `package "bassh" is not installed (did you mean bash, dash?); ` +
		`package "nope" is not installed; ` +
		`package "pyth" is not installed (did you mean python3, python3.11, python3-yaml?)`
	if err.Error() != want {
		t.Errorf("error:\n got  %s\n want %s", err, want)
	}
	if len(nf.Unknown) != 3 || nf.Unknown[0].Name != "bassh" {
		t.Errorf("Unknown = %+v", nf.Unknown)
	}
}

func TestWarningChain(t *testing.T) {
	u := universe(pk("quux", "1", "baz", ""), pk("baz", "1", "bar", ""), pk("bar", "1", "libfoo (>= 2), ok", ""),
		pk("libfoo", "1", "", ""), pk("ok", "1", "", ""))
	res, err := Resolve(u, req("quux"))
	if err != nil {
		t.Fatal(err)
	}
	check(t, "warnings", res.Warnings, []string{`unsatisfied dependency "libfoo (>= 2)" of bar (required by baz <- quux)`})
	check(t, "chain", res.Chain("ok"), []string{"ok", "bar", "baz", "quux"})
	check(t, "chain", res.Chain("quux"), []string{"quux"})
	check(t, "chain", res.Chain("libfoo"), nil)
	if res.Reasons["bar"] != "baz" || res.Reasons["quux"] != "" {
		t.Errorf("Reasons = %v", res.Reasons)
	}
}

func TestDepthFirstReasons(t *testing.T) {
	// b is requested first, so c is credited to b even though a needs it too.
	u := universe(pk("a", "1", "c", ""), pk("b", "1", "c", ""), pk("c", "1", "d", ""), pk("d", "1", "", ""))
	res, err := Resolve(u, req("b", "a"))
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Reasons["c"]; got != "b" {
		t.Errorf("c pulled in by %q, want b (request order)", got)
	}
}

// TestAptOrder: apt satisfies the relations of a chosen package before the
// next relation of its parent, which decides or-groups; it considers only
// a name's best version, and skips an alternative it could not install.
func TestAptOrder(t *testing.T) {
	runCases(t, []resolveCase{
		{name: "or-group reached after a dependency selected an alternative",
			u:   universe(pk("a", "1", "b, x | y", ""), pk("b", "1", "c", ""), pk("c", "1", "y", ""), pk("x", "1", "", ""), pk("y", "1", "", "")),
			req: req("a"), want: []string{"a", "b", "c", "y"}},
		{name: "requested packages selected before any relation",
			u:   universe(pk("a", "1", "x | y", ""), pk("x", "1", "", ""), pk("y", "1", "", "")),
			req: req("a", "y"), want: []string{"a", "y"}},
		{name: "only the best version is a candidate",
			u:   universe(pk("a", "1", "lib (<< 2)", ""), pk("lib", "1", "", ""), pk("lib", "2", "", "")),
			req: req("a"), want: []string{"a"}, warnings: []string{`unsatisfied dependency "lib (<< 2)" of a (requested)`}},
		{name: "older provider version is no candidate",
			u:   universe(pk("a", "1", "v", ""), pk("p", "1", "", "v"), pk("p", "2", "", ""), pk("q", "1", "", "v")),
			req: req("a"), want: []string{"a", "q"}},
		{name: "uninstallable alternative skipped",
			u:   universe(pk("a", "1", "x | y", ""), pk("x", "1", "gone", ""), pk("y", "1", "", "")),
			req: req("a"), want: []string{"a", "y"}},
		{name: "uninstallable provider skipped",
			u:   universe(pk("a", "1", "v", ""), pk("p", "1", "gone (>= 2)", "v"), pk("gone", "1", "", ""), pk("q", "1", "", "v")),
			req: req("a"), want: []string{"a", "q"}},
		{name: "nothing installable: the first, and a warning",
			u:   universe(pk("a", "1", "x | y", ""), pk("x", "1", "gone", ""), pk("y", "1", "gone", "")),
			req: req("a"), want: []string{"a", "x"}, warnings: []string{`unsatisfied dependency "gone" of x (required by a)`}},
		{name: "excluded packages count as installable",
			u:   universe(pk("a", "1", "x | y", ""), pk("x", "1", "e", ""), pk("e", "1", "", ""), pk("y", "1", "", "")),
			req: Request{Packages: []string{"a"}, Exclude: []string{"e"}}, want: []string{"a", "x"},
			warnings: []string{`dependency "e" of x is satisfiable only by excluded e (required by a)`}},
	})
}

// TestProviderOrder: among the providers of a name apt prefers Essential,
// then Protected, then Priority, then the one its cache numbered last.
func TestProviderOrder(t *testing.T) {
	prov := func(name, priority string, essential, protected bool, firstNamed int) *Package {
		return &Package{Name: name, Version: "1", Arch: "all", Provides: "v", Priority: priority,
			Essential: essential, Protected: protected, FirstNamed: firstNamed}
	}
	a := pk("a", "1", "v", "")
	runCases(t, []resolveCase{
		{name: "priority", u: universe(a, prov("gawk", "optional", false, false, 2), prov("mawk", "required", false, false, 1)),
			req: req("a"), want: []string{"a", "mawk"}},
		{name: "priority, any case", u: universe(a, prov("p", "Standard", false, false, 2), prov("q", "important", false, false, 1)),
			req: req("a"), want: []string{"a", "q"}},
		{name: "unknown priority is extra", u: universe(a, prov("p", "whatever", false, false, 2), prov("q", "extra", false, false, 1)),
			req: req("a"), want: []string{"a", "p"}},
		{name: "no priority before required", u: universe(a, prov("p", "required", false, false, 2), prov("q", "", false, false, 1)),
			req: req("a"), want: []string{"a", "q"}},
		{name: "essential before priority", u: universe(a, prov("p", "required", false, false, 2), prov("q", "optional", true, false, 1)),
			req: req("a"), want: []string{"a", "q"}},
		{name: "protected before priority", u: universe(a, prov("p", "required", false, false, 2), prov("q", "optional", false, true, 1)),
			req: req("a"), want: []string{"a", "q"}},
		{name: "essential before protected", u: universe(a, prov("p", "optional", false, true, 2), prov("q", "optional", true, false, 1)),
			req: req("a"), want: []string{"a", "q"}},
		{name: "apt counts as essential", u: universe(a, prov("p", "required", false, false, 2), prov("apt", "optional", false, false, 1)),
			req: req("a"), want: []string{"a", "apt"}},
		{name: "the last numbered", u: universe(a, prov("p", "optional", false, false, 1), prov("q", "optional", false, false, 7), prov("r", "optional", false, false, 3)),
			req: req("a"), want: []string{"a", "q"}},
		{name: "the real package before providers", u: universe(pk("a", "1", "v", ""), prov("p", "required", true, true, 9), pk("v", "1", "", "")),
			req: req("a"), want: []string{"a", "v"}},
		{name: "requested virtual", u: universe(prov("p", "optional", false, false, 1), prov("q", "required", false, false, 2)),
			req: req("v"), want: []string{"q"}, notes: []string{`"v" is a virtual package, using its provider q`}},
	})
}

func TestMalformed(t *testing.T) {
	runCases(t, []resolveCase{
		{name: "depends", u: universe(pk("a", "1", "b (>= 1", "")), req: req("a"), err: "dependencies of a:amd64 1"},
		{name: "provides", u: universe(pk("a", "1", "", "b (>= 1)")), req: req("a"), err: `only "=" is allowed`},
		{name: "version", u: universe(pk("a", "x", "", "")), req: req("a"), err: `version "x" of a:amd64`},
		{name: "odd qualifier", u: universe(pk("a", "1", "b:x-y-z-w-v", ""), pk("b", "1", "", "")), req: req("a"),
			want: []string{"a"}, warnings: []string{`unsatisfied dependency "b:x-y-z-w-v" of a (requested)`}},
		{name: "empty qualifier", u: universe(pk("a", "1", "b:", "")), req: req("a"), err: "empty architecture qualifier"},
		{name: "substvar", u: universe(pk("a", "1", "${shlibs:Depends}", "")), req: req("a"), err: "unsubstituted"},
		{name: "request", u: universe(), req: req("a b"), err: `invalid package name "a b"`},
	})
}

func TestDeterministic(t *testing.T) {
	var pkgs []*Package
	for i := range 40 {
		deps := fmt.Sprintf("v%d | p%d, v%d", i%7, (i+1)%40, (i+3)%5)
		pkgs = append(pkgs, pk(fmt.Sprintf("p%d", i), "1", deps, fmt.Sprintf("v%d, v%d", i%5, i%7)))
	}
	u := universe(pkgs...)
	first, err := Resolve(u, req("p0", "p17"))
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		again, _ := Resolve(u, req("p0", "p17"))
		check(t, "packages", ids(again.Packages), ids(first.Packages))
		check(t, "warnings", again.Warnings, first.Warnings)
		for name, why := range first.Reasons {
			if again.Reasons[name] != why {
				t.Fatalf("reason of %s changed: %q vs %q", name, again.Reasons[name], why)
			}
		}
	}
}
