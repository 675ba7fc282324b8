package chroot

import (
	"os"
	"slices"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/plantest"
	"github.com/supermin-compile/supermin-compile/internal/testtool"
	"github.com/supermin-compile/supermin-compile/plan"
)

// TestRoundTrip writes random plans as root and compares the trees.
func TestRoundTrip(t *testing.T) {
	testtool.Root(t)
	for seed := range uint64(4) {
		p := plantest.Random(t, seed, 200, plantest.Caps{Xattrs: true})
		plan.NormalizeLinks(p)
		dir := t.TempDir()
		rep, err := Write(dir, p, Options{Owners: true, Devices: true})
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if rep.SkippedOwners || len(rep.SkippedDevices) > 0 || len(rep.SkippedXattrs) > 0 {
			t.Errorf("seed %d: report %+v", seed, rep)
		}
		checkTree(t, dir, p, rep, true)
	}
}

// TestTarOracle: a tree written from random plans, whose hard links
// sort before and after the name the tar gives the data to, is the
// tree GNU tar extracts from the tar of the plan.
func TestTarOracle(t *testing.T) {
	for seed := range uint64(3) {
		raw := plantest.Random(t, seed+20, 200, plantest.Caps{Xattrs: true})
		oracle := t.TempDir()
		sockets := plantest.ExtractTar(t, raw, oracle)
		plantest.CheckTree(t, oracle, raw, plantest.Tree{Skipped: sockets, Owners: true, AllXattrs: true})

		p := &plan.Plan{Entries: slices.Clone(raw.Entries)}
		plan.NormalizeLinks(p)
		if err := plan.Validate(p, Limits); err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		rep, err := Write(dir, p, Options{Owners: true, Devices: true})
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		plantest.CheckTree(t, dir, raw, plantest.Tree{Skipped: rep.SkippedSockets, Owners: true, AllXattrs: true})
	}
}

// TestUnprivileged: without owners and devices, devices are listed in
// the report instead of failing, and everything else is written.
func TestUnprivileged(t *testing.T) {
	p := plantest.Random(t, 9, 200, plantest.Caps{Xattrs: true})
	plan.NormalizeLinks(p)
	for i := range p.Entries { // so that a non-root test can read the tree back
		if e := &p.Entries[i]; e.Type == plan.Dir || e.Type == plan.Regular {
			e.Mode |= 0o700
		}
	}
	dir := t.TempDir()
	rep, err := Write(dir, p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.SkippedDevices) == 0 || len(rep.SkippedSockets) == 0 || !rep.SkippedOwners {
		t.Errorf("report %+v", rep)
	}
	for _, d := range rep.SkippedDevices {
		if e := plantest.Find(p, d); e == nil || (e.Type != plan.CharDev && e.Type != plan.BlockDev) {
			t.Errorf("%s listed as a skipped device", d)
		}
	}
	checkTree(t, dir, p, rep, false)
}

// checkTree compares dir with the plan; what the report says was
// skipped must be absent.
func checkTree(t *testing.T, dir string, p *plan.Plan, rep *Report, owners bool) {
	t.Helper()
	skipped := append(append(append([]string(nil), rep.SkippedDevices...), rep.SkippedSockets...), rep.SkippedXattrs...)
	plantest.CheckTree(t, dir, p, plantest.Tree{Skipped: skipped, Owners: owners})
}

func TestDefaultOptions(t *testing.T) {
	o := DefaultOptions()
	if root := os.Geteuid() == 0; o.Owners != root || o.Devices != root {
		t.Errorf("DefaultOptions() = %+v as uid %d", o, os.Geteuid())
	}
}
