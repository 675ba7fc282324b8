package rpm

import (
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
	"github.com/supermin-compile/supermin-compile/resolver"
)

func names(r *resolver.Result) []string {
	var out []string
	for _, p := range r.Packages {
		out = append(out, p.Name+"-"+p.Version)
	}
	return out
}

// rpmAccepts runs rpm's own dependency check of installing exactly files
// on an empty system and returns what it reports (nothing when happy).
func rpmAccepts(t *testing.T, files []string) string {
	t.Helper()
	args := append([]string{"-U", "--test", "--nosignature", "--ignorearch", "--dbpath", t.TempDir(), "--root", t.TempDir()}, files...)
	out, err := exec.Command("rpm", args...).CombinedOutput()
	if err != nil {
		return strings.TrimSpace(string(out))
	}
	return ""
}

// TestResolveTestPackages resolves the rpmbuild-made packages: a file
// require, a versioned and an unversioned provide, "or", "if" and "with"
// rich dependencies, and two versions of one name. rpm itself must accept
// the closure on an empty system, and refuse it without any one package.
func TestResolveTestPackages(t *testing.T) {
	testtool.Need(t, "rpm")
	d, err := OpenDir(mkrpms(t), "x86_64")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	r, err := resolver.Resolve(d, resolver.Request{Packages: []string{"smc-app"}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"smc-alt-a-1.0-1", "smc-app-1:2.0-3", "smc-base-1.0-1", "smc-cond-1.0-1", "smc-with-2.0-1"}
	if got := names(r); !slices.Equal(got, want) {
		t.Fatalf("closure %v, want %v", got, want)
	}
	if len(r.Warnings) > 0 {
		t.Errorf("warnings: %v", r.Warnings)
	}
	if chain := strings.Join(r.Chain("smc-with"), " <- "); chain != "smc-with <- smc-cond <- smc-app" {
		t.Errorf("chain of smc-with: %s", chain)
	}
	var files []string
	for _, p := range r.Packages {
		files = append(files, d.Path(p))
	}
	if msg := rpmAccepts(t, files); msg != "" {
		t.Fatalf("rpm refuses our closure:\n%s", msg)
	}
	for i := range files {
		if rpmAccepts(t, slices.Delete(slices.Clone(files), i, i+1)) == "" && !strings.Contains(files[i], "smc-app") {
			t.Errorf("rpm accepts the closure without %s: it is not needed", filepath.Base(files[i]))
		}
	}
}

func TestResolveRules(t *testing.T) {
	d, err := OpenDir(mkrpms(t), "x86_64")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	cases := []struct {
		req           []string
		want, warning string
	}{
		{req: []string{"smc-tilde"}, want: "smc-tilde-1.0-1"},             // 1.0~rc1 sorts before 1.0
		{req: []string{"smc-tilde=1.0~rc1"}, want: "smc-tilde-1.0~rc1-1"}, // a pin
		{req: []string{"smc-with=1.0"}, want: "smc-with-1.0-1"},           // a pin without release
		{req: []string{"smc-shell"}, want: "smc-base-1.0-1"},              // a versioned provide
		{req: []string{"smc-unsat"}, want: "smc-unsat-1.0-1", warning: `unsatisfied dependency "smc-does-not-exist" of smc-unsat (requested)`},
	}
	for _, c := range cases {
		r, err := resolver.Resolve(d, resolver.Request{Packages: c.req})
		if err != nil {
			t.Errorf("%v: %v", c.req, err)
			continue
		}
		if got := strings.Join(names(r), " "); got != c.want {
			t.Errorf("%v: got %s, want %s", c.req, got, c.want)
		}
		if got := strings.Join(r.Warnings, "; "); got != c.warning {
			t.Errorf("%v: warnings %q, want %q", c.req, got, c.warning)
		}
	}
	r, err := resolver.Resolve(d, resolver.Request{Packages: []string{"smc-conflict", "smc-base"}})
	if err != nil {
		t.Fatal(err)
	}
	err = d.CheckConflicts(r)
	if err == nil || !strings.Contains(err.Error(), `smc-conflict conflicts with smc-base 1.0-1 ("smc-base")`) {
		t.Errorf("conflict: got %v", err)
	}
	// dnf installs only smc-filereq: the package it obsoletes is replaced.
	r, err = resolver.Resolve(d, resolver.Request{Packages: []string{"smc-filereq", "smc-unsat"}})
	if err != nil {
		t.Fatal(err)
	}
	err = d.CheckConflicts(r)
	if err == nil || !strings.Contains(err.Error(), `smc-filereq obsoletes smc-unsat 1.0-1 ("smc-unsat < 2")`) {
		t.Errorf("obsoletes: got %v", err)
	}
}

// TestResolveFixtures resolves real distribution packages: epel-release
// needs "redhat-release >= 7", which CentOS 7 provides with a version and
// older centos-release packages without one (satisfying it too, by rpm's
// rule); the nodejs010 chain goes through a virtual "(engine)" provide.
func TestResolveFixtures(t *testing.T) {
	d, err := OpenDir(testtool.Fixture(t, "rpm/packages"), "x86_64")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	r, err := resolver.Resolve(d, resolver.Request{Packages: []string{"epel-release"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(names(r), " "); got != "centos-release-10:5-0.0.el5.centos.2 epel-release-7-5" {
		t.Errorf("epel-release closure: %s", got)
	}
	r, err = resolver.Resolve(d, resolver.Request{Packages: []string{"nodejs010-nodejs-oauth-sign"}})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(names(r), " ")
	if got != "nodejs010-nodejs-0.10.3-3.el6_4 nodejs010-nodejs-oauth-sign-0.2.0-2.el6_4 nodejs010-runtime-1-7.el6_4" {
		t.Errorf("nodejs010 closure: %s", got)
	}
	if !slices.ContainsFunc(r.Warnings, func(w string) bool { return strings.Contains(w, `"scl-utils"`) }) {
		t.Errorf("no warning about the missing scl-utils: %v", r.Warnings)
	}
}

// TestFixtureEVROrder: of the upgrade pairs in the fixtures the newer one
// wins, as rpm -U would pick.
func TestFixtureEVROrder(t *testing.T) {
	d, err := OpenDir(testtool.Fixture(t, "rpm/packages"), "x86_64")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	r, err := resolver.Resolve(d, resolver.Request{Packages: []string{"mc", "hello"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"mc-4.8.21-2.1", "hello-2.12.1-2.fc39"} {
		if !slices.Contains(names(r), want) {
			t.Errorf("want %s in %v", want, names(r))
		}
	}
}
