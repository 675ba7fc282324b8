package rpm

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
	"github.com/supermin-compile/supermin-compile/resolver"
)

func openFixtureDB(t *testing.T) (*DB, string) {
	t.Helper()
	file := testtool.Fixture(t, "rpm/rpmdb/amazonlinux2023/rpmdb.sqlite")
	d, err := OpenDB("/nonexistent", file, "x86_64")
	if err != nil {
		t.Fatal(err)
	}
	return d, file
}

// TestDBPackages: the Amazon Linux 2023 database lists the 103 packages
// that `rpm -qa` printed in the image (packages.csv).
func TestDBPackages(t *testing.T) {
	d, file := openFixtureDB(t)
	csv, err := os.ReadFile(filepath.Join(filepath.Dir(file), "packages.csv"))
	if err != nil {
		t.Fatal(err)
	}
	var want, got []string
	for _, line := range strings.Split(strings.TrimSpace(string(csv)), "\n") {
		f := strings.Split(line, "¶")
		evr := EVR{Epoch: f[0], Version: f[2], Release: f[3]}
		want = append(want, f[1]+"-"+evr.String()+"."+f[4])
	}
	for _, p := range d.Packages() {
		got = append(got, p.Name+"-"+p.Version+"."+p.Arch)
	}
	slices.Sort(want)
	slices.Sort(got)
	if diff := testtool.LineDiff(want, got); diff != "" {
		t.Errorf("packages differ from packages.csv (- csv, + ours):\n%s", diff)
	}
}

// TestDBClosure resolves bash and dnf over the database; rpm's own check,
// erasing every package outside the closure, must find nothing missing,
// and erasing one more package of the closure must break it.
func TestDBClosure(t *testing.T) {
	testtool.Need(t, "rpm")
	d, file := openFixtureDB(t)
	for _, req := range [][]string{{"bash"}, {"dnf"}, {"curl-minimal", "coreutils-single", "gawk"}} {
		r, err := resolver.Resolve(d, resolver.Request{Packages: req})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Warnings) > 0 {
			t.Errorf("%v: warnings %v", req, r.Warnings)
		}
		in := map[string]bool{}
		for _, p := range r.Packages {
			in[p.Name] = true
		}
		var outside []string
		for _, p := range d.Packages() {
			if !in[p.Name] {
				outside = append(outside, p.Name)
			}
		}
		if msg := rpmErases(t, file, outside); msg != "" {
			t.Errorf("%v: closure %v is incomplete, rpm says:\n%s", req, names(r), msg)
		}
		for _, p := range r.Packages {
			if slices.Contains(req, p.Name) || installOnly(d, r, p) {
				continue
			}
			if rpmErases(t, file, append(slices.Clone(outside), p.Name)) == "" {
				t.Errorf("%v: %s is in the closure but nothing needs it", req, p.Name)
			}
		}
		t.Logf("%v: %d of %d packages", req, len(r.Packages), len(d.Packages()))
	}
}

// installOnly reports whether p was chosen for a Requires(pre) or
// Requires(post) of its parent: rpm checks those when installing, not
// when erasing (filesystem's Requires(pre): setup, for one).
func installOnly(d *DB, r *resolver.Result, p *resolver.Package) bool {
	for _, q := range r.Packages {
		if q.Name != r.Reasons[p.Name] {
			continue
		}
		for _, c := range d.meta[q].requires {
			if c.flags&(1<<9|1<<10) != 0 && (c.name == p.Name || slices.ContainsFunc(d.meta[p].provides, func(pr capability) bool { return pr.name == c.name })) {
				return true
			}
		}
	}
	return false
}

// rpmErases runs `rpm -e --test` of names on a copy of the database and
// returns rpm's complaint, "" when none.
func rpmErases(t *testing.T, file string, names []string) string {
	t.Helper()
	dir := t.TempDir()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "rpmdb.sqlite"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"-e", "--test", "--dbpath", dir}, names...)
	out, err := exec.Command("rpm", args...).CombinedOutput()
	if err != nil {
		return strings.TrimSpace(string(out))
	}
	return ""
}

func TestDBErrors(t *testing.T) {
	if _, err := OpenDB(t.TempDir(), "", ""); err == nil || !strings.Contains(err.Error(), "no rpm database under") {
		t.Errorf("empty root: %v", err)
	}
}
