package dpkg

import (
	"bufio"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
	"github.com/supermin-compile/supermin-compile/resolver"
)

// The tests in this file check the real host database against dpkg's own
// tools, with checking code that shares nothing with the resolver.

func hostDB(t testing.TB) *Database {
	t.Helper()
	if _, err := os.Stat("/var/lib/dpkg/status"); err != nil {
		testtool.Unavailable(t, "no dpkg database on this host: "+err.Error())
	}
	testtool.Need(t, "dpkg-query")
	db, err := Open("/")
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func outputString(t *testing.T, name string, args ...string) string {
	return string(testtool.Output(t, nil, name, args...))
}

// queried is one package as dpkg-query reports it.
type queried struct {
	name, arch, version, status, provides string
	depends                               []string // Pre-Depends and Depends relations
}

func queryAll(t *testing.T) map[string]queried {
	out := outputString(t, "dpkg-query", "-W", "-f",
		`${Package}\t${Architecture}\t${Version}\t${Status}\t${Provides}\t${Pre-Depends}\t${Depends}\n`)
	all := map[string]queried{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Split(line, "\t")
		if len(f) != 7 {
			t.Fatalf("dpkg-query line %q", line)
		}
		q := queried{name: f[0], arch: f[1], version: f[2], status: f[3], provides: f[4]}
		for _, field := range f[5:] {
			for _, rel := range strings.Split(field, ",") {
				if rel = strings.TrimSpace(rel); rel != "" {
					q.depends = append(q.depends, rel)
				}
			}
		}
		all[q.name+":"+q.arch] = q
	}
	return all
}

func isInstalled(status string) bool { return strings.HasSuffix(status, " ok installed") }

func TestHostPackagesMatchDpkgQuery(t *testing.T) {
	db := hostDB(t)
	var want []string
	for id, q := range queryAll(t) {
		if isInstalled(q.status) {
			want = append(want, id+"="+q.version)
		}
	}
	slices.Sort(want)
	var got []string
	for _, p := range db.Packages() {
		got = append(got, p.ID()+"="+p.Version)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("Packages() differs from dpkg-query: got %d, want %d", len(got), len(want))
	}
	for _, p := range db.Packages() {
		if _, err := db.Files(p); err != nil {
			t.Errorf("Files(%s): %v", p.ID(), err)
		}
	}
}

func TestHostClosure(t *testing.T) {
	db := hostDB(t)
	res, err := resolver.Resolve(db, resolver.Request{Packages: []string{"bash", "coreutils"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) > 0 {
		t.Errorf("warnings on a consistent system: %q", res.Warnings)
	}
	all := queryAll(t)
	sel := map[string]queried{} // by name: the closure has one package per name
	for _, p := range res.Packages {
		q, ok := all[p.ID()]
		if !ok || !isInstalled(q.status) || q.version != p.Version {
			t.Errorf("selected %s %s is not installed per dpkg-query (%+v)", p.ID(), p.Version, q)
		}
		sel[p.Name] = q
	}
	for _, name := range []string{"bash", "coreutils", "libc6"} {
		if _, ok := sel[name]; !ok {
			t.Errorf("closure lacks %s", name)
		}
	}
	c := closureChecker{t: t, sel: sel, native: db.NativeArch(), cmp: map[string]bool{}}
	for _, p := range res.Packages {
		for _, rel := range sel[p.Name].depends {
			if !c.satisfied(rel) {
				t.Errorf("%s: relation %q not satisfied by the closure", p.Name, rel)
			}
		}
	}
	t.Logf("closure of bash+coreutils: %d packages", len(res.Packages))
}

// closureChecker decides relations with dpkg --compare-versions.
type closureChecker struct {
	t      *testing.T
	sel    map[string]queried
	native string
	cmp    map[string]bool
}

func (c *closureChecker) satisfied(rel string) bool {
	for _, alt := range strings.Split(rel, "|") {
		name, op, ver := splitAlt(alt)
		name, qual, _ := strings.Cut(name, ":")
		if qual != "" && qual != "any" && qual != "native" && qual != c.native {
			continue
		}
		if q, ok := c.sel[name]; ok && (op == "" || c.versionOK(q.version, op, ver)) {
			return true
		}
		if c.provided(name, op, ver) {
			return true
		}
	}
	return false
}

func (c *closureChecker) provided(name, op, ver string) bool {
	for _, q := range c.sel {
		for _, pr := range strings.Split(q.provides, ",") {
			pname, pop, pver := splitAlt(pr)
			if pname != name {
				continue
			}
			if op == "" || (pop == "=" && c.versionOK(pver, op, ver)) {
				return true
			}
		}
	}
	return false
}

// splitAlt splits "name (op ver)" into its parts.
func splitAlt(s string) (name, op, ver string) {
	s = strings.TrimSpace(s)
	name, rest, _ := strings.Cut(s, "(")
	name = strings.TrimSpace(name)
	rest = strings.TrimSuffix(strings.TrimSpace(rest), ")")
	fields := strings.Fields(rest)
	if len(fields) == 2 {
		op, ver = fields[0], fields[1]
	}
	return name, op, ver
}

var dpkgOps = map[string]string{"<<": "lt", "<=": "le", "=": "eq", ">=": "ge", ">>": "gt"}

func (c *closureChecker) versionOK(have, op, want string) bool {
	key := have + " " + op + " " + want
	if ok, done := c.cmp[key]; done {
		return ok
	}
	err := exec.Command("dpkg", "--compare-versions", have, dpkgOps[op], want).Run()
	if _, exit := err.(*exec.ExitError); err != nil && !exit {
		c.t.Fatalf("dpkg --compare-versions: %v", err)
	}
	c.cmp[key] = err == nil
	return err == nil
}

func TestHostFilesMatchDpkgL(t *testing.T) {
	db := hostDB(t)
	divs := hostDiversions(t)
	for _, name := range []string{"bash", "dash", "libpq-dev", "coreutils"} {
		var pkg *resolver.Package
		for _, p := range db.Packages() {
			if p.Name == name && (p.Arch == db.NativeArch() || p.Arch == "all") {
				pkg = p
			}
		}
		if pkg == nil {
			t.Logf("%s not installed, skipped", name)
			continue
		}
		files, err := db.Files(pkg)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range files {
			got = append(got, f.Path)
			if f.HostPath != f.Path {
				t.Errorf("%s: HostPath %q != Path %q for root /", name, f.HostPath, f.Path)
			}
		}
		want := dpkgL(t, name, divs)
		if !slices.Equal(got, want) {
			t.Errorf("Files(%s) differs from dpkg -L:\n got  %q\n want %q", name, got, want)
		}
		checkConffiles(t, name, files)
	}
}

type hostDiversion struct{ to, by string }

// hostDiversions parses "dpkg-divert --list": "[local ]diversion of A to B[ by P]".
func hostDiversions(t *testing.T) map[string]hostDiversion {
	divs := map[string]hostDiversion{}
	sc := bufio.NewScanner(strings.NewReader(outputString(t, "dpkg-divert", "--list")))
	for sc.Scan() {
		line := sc.Text()
		rest, ok := strings.CutPrefix(line, "diversion of ")
		by := ""
		if !ok {
			rest, ok = strings.CutPrefix(line, "local diversion of ")
			by = ":"
		}
		if !ok {
			t.Fatalf("dpkg-divert line %q", line)
		}
		from, rest, _ := strings.Cut(rest, " to ")
		to, pkg, hasBy := strings.Cut(rest, " by ")
		if hasBy {
			by = pkg
		}
		divs[from] = hostDiversion{to: to, by: by}
	}
	return divs
}

// dpkgL lists a package's paths as dpkg -L prints them, minus "/." and the
// "diverted by" notes, with diversions applied.
func dpkgL(t *testing.T, name string, divs map[string]hostDiversion) []string {
	var paths []string
	for _, line := range strings.Split(outputString(t, "dpkg", "-L", name), "\n") {
		if !strings.HasPrefix(line, "/") || line == "/." {
			continue
		}
		if d, ok := divs[line]; ok && d.by != name {
			line = d.to
		}
		paths = append(paths, line)
	}
	return paths
}

func checkConffiles(t *testing.T, name string, files []resolver.File) {
	out := outputString(t, "dpkg-query", "-W", "-f", `${Conffiles}\n`, name)
	want := map[string]bool{}
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) >= 2 {
			want[f[0]] = true
		}
	}
	for _, f := range files {
		if f.Conffile != want[f.Path] {
			t.Errorf("%s: %s Conffile = %v, dpkg-query says %v", name, f.Path, f.Conffile, want[f.Path])
		}
	}
}
