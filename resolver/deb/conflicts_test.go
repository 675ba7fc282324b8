package deb

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/supermin-compile/supermin-compile/resolver"
)

// TestConflictsFixtures: smc-none Breaks smc-test (<< 2.0) and smc-bz2
// Conflicts with smc-virtual (<< 2), which smc-test 1.0-1 Provides. With
// only smc-test 1.0-1 both fire; with 2.0-1 neither does. smc-bz2 also
// conflicts with its own name, which never counts.
func TestConflictsFixtures(t *testing.T) {
	debs := mkdebs(t)
	old := t.TempDir()
	for _, f := range []string{"smc-none_1.0_all.deb", "smc-bz2_1.0_all.deb"} {
		os.Symlink(filepath.Join(debs, f), filepath.Join(old, f))
	}
	arch, _ := hostArch()
	os.Symlink(filepath.Join(debs, "smc-test_1.0-1_"+arch+".deb"), filepath.Join(old, "smc-test_1.0-1_"+arch+".deb"))

	req := resolver.Request{Packages: []string{"smc-none", "smc-bz2", "smc-test"}}
	u := openDir(t, old)
	res, err := resolver.Resolve(u, req)
	if err != nil {
		t.Fatal(err)
	}
	err = u.CheckConflicts(res)
	ce, ok := err.(*ConflictError)
	if !ok {
		t.Fatalf("error %v, want a *ConflictError", err)
	}
	var got []string
	for _, c := range ce.Conflicts {
		got = append(got, c.String())
	}
	want := []string{
		"smc-bz2 1.0 conflicts with smc-test 1.0-1 (Conflicts: smc-virtual (<< 2))",
		"smc-none 1.0 breaks smc-test 1.0-1 (Breaks: smc-test (<< 2.0))",
	}
	if !slices.Equal(got, want) {
		t.Errorf("conflicts:\n got  %q\n want %q", got, want)
	}

	u = openDir(t, debs)
	if res, err = resolver.Resolve(u, req); err != nil {
		t.Fatal(err)
	}
	if err := u.CheckConflicts(res); err != nil {
		t.Errorf("with smc-test 2.0-1: %v", err)
	}
}

// TestConflictsReal: busybox-static Conflicts: busybox in the real index.
func TestConflictsReal(t *testing.T) {
	u := openIndex(t, hostIndexes(t), t.TempDir())
	res, err := resolver.Resolve(u, resolver.Request{Packages: []string{"busybox", "busybox-static"}})
	if err != nil {
		t.Fatal(err)
	}
	err = u.CheckConflicts(res)
	ce, ok := err.(*ConflictError)
	if !ok {
		t.Fatalf("error %v, want a *ConflictError", err)
	}
	pairs := map[[2]string]bool{}
	for _, c := range ce.Conflicts {
		pairs[[2]string{c.Pkg.Name, c.Other.Name}] = true
	}
	// Each conflicts with the other (busybox by "Conflicts: busybox-static").
	if !pairs[[2]string{"busybox-static", "busybox"}] || !pairs[[2]string{"busybox", "busybox-static"}] {
		t.Errorf("conflicts %v", err)
	}
}
