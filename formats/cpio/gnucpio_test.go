package cpio

import (
	"bytes"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/plantest"
	"github.com/supermin-compile/supermin-compile/internal/testtool"
	"github.com/supermin-compile/supermin-compile/plan"
	"golang.org/x/sys/unix"
)

// TestGNUList compares `cpio -itv` of random archives with the plans.
func TestGNUList(t *testing.T) {
	testtool.Need(t, "cpio")
	for seed := range uint64(4) {
		p := randomPlan(t, seed, 150)
		var b bytes.Buffer
		if err := Write(&b, p, None); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("cpio", "-itv", "--numeric-uid-gid", "--quiet")
		cmd.Stdin = &b
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("cpio -itv: %v", err)
		}
		lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
		if len(lines) != len(p.Entries) {
			t.Fatalf("seed %d: %d lines listed, %d entries", seed, len(lines), len(p.Entries))
		}
		ms := expected(t, p)
		for i, l := range lines {
			if got, want := listed(l), listing(p, i, ms[i]); got != want {
				t.Errorf("seed %d:\n got %s\nwant %s", seed, got, want)
			}
		}
	}
}

// listed normalises a `cpio -itv` line: drops the date, keeps the rest.
func listed(line string) string {
	f := strings.Fields(line)
	n := 5
	if f[0][0] == 'c' || f[0][0] == 'b' {
		n = 6
	}
	return strings.Join(append(f[:n:n], f[n+3:]...), " ")
}

// listing is what listed should give for entry i.
func listing(p *plan.Plan, i int, m rmember) string {
	e := &p.Entries[i]
	src := e
	if e.Type == plan.Hardlink {
		src = plantest.Find(p, e.Link)
	}
	s := fmt.Sprintf("%s %d %d %d", lsMode(m.f[1]), m.f[4], src.UID, src.GID)
	switch e.Type {
	case plan.CharDev, plan.BlockDev:
		s += fmt.Sprintf(" %d, %d", unix.Major(e.Rdev), unix.Minor(e.Rdev))
	default:
		s += fmt.Sprintf(" %d", m.f[6])
	}
	s += " " + archiveName(e.Path)
	if e.Type == plan.Symlink {
		s += " -> " + e.Link
	}
	return s
}

// lsMode renders a mode like ls -l does.
func lsMode(m uint64) string {
	types := map[uint64]byte{0o040000: 'd', 0o100000: '-', 0o120000: 'l', 0o020000: 'c',
		0o060000: 'b', 0o010000: 'p', 0o140000: 's'}
	b := []byte{types[m&0o170000]}
	for i, c := range "rwxrwxrwx" {
		if m&(1<<(8-i)) != 0 {
			b = append(b, byte(c))
		} else {
			b = append(b, '-')
		}
	}
	special := []struct {
		bit       uint64
		at        int
		set, bare byte
	}{{0o4000, 3, 's', 'S'}, {0o2000, 6, 's', 'S'}, {0o1000, 9, 't', 'T'}}
	for _, s := range special {
		if m&s.bit != 0 {
			b[s.at] = map[bool]byte{true: s.set, false: s.bare}[b[s.at] == 'x']
		}
	}
	return string(b)
}

// TestGNUExtract unpacks random archives with GNU cpio as root and
// compares the tree with the plan.
func TestGNUExtract(t *testing.T) {
	testtool.Need(t, "cpio")
	testtool.Root(t)
	for seed := range uint64(3) {
		p := randomPlan(t, seed+100, 150)
		dir := extract(t, p)
		plantest.CheckTree(t, dir, p, plantest.Tree{Owners: true, UnsetMTimes: []plan.Type{plan.Dir, plan.Symlink}})
	}
}

// extract writes p and unpacks it with GNU cpio into a new directory.
func extract(t *testing.T, p *plan.Plan) string {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, p, None); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cmd := exec.Command("cpio", "-idmu", "--no-absolute-filenames", "--quiet")
	cmd.Dir, cmd.Stdin = dir, &b
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cpio -idmu: %v\n%s", err, out)
	}
	return dir
}

// TestTarOracle: GNU cpio unpacks, from the archive of a random plan
// whose hard links sort before and after the name the tar gives the
// data to, the tree GNU tar extracts from the tar of the plan.
func TestTarOracle(t *testing.T) {
	testtool.Need(t, "cpio")
	for seed := range uint64(3) {
		raw := plantest.Random(t, seed+200, 150, plantest.Caps{Epoch32: true})
		oracle := t.TempDir()
		sockets := plantest.ExtractTar(t, raw, oracle)
		plantest.CheckTree(t, oracle, raw, plantest.Tree{Skipped: sockets, Owners: true})

		p := &plan.Plan{Entries: slices.Clone(raw.Entries)}
		plan.NormalizeLinks(p)
		dir := extract(t, p)
		plantest.CheckTree(t, dir, raw, plantest.Tree{Owners: true, UnsetMTimes: []plan.Type{plan.Dir, plan.Symlink}})
	}
}
