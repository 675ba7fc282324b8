package cpio

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
	"github.com/supermin-compile/supermin-compile/plan"
	"golang.org/x/sys/unix"
)

// TestGNUList compares `cpio -itv` of random archives with the plans.
func TestGNUList(t *testing.T) {
	testtool.Need(t, "cpio")
	for seed := range uint64(4) {
		p := randomPlan(seed, 150)
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
		src = find(p, e.Link)
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
		p := randomPlan(seed+100, 150)
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
		checkTree(t, dir, p)
	}
}

// checkTree compares every plan entry with what lstat finds under dir,
// and finds nothing else there.
func checkTree(t *testing.T, dir string, p *plan.Plan) {
	t.Helper()
	seen := map[string]bool{}
	for i := range p.Entries {
		e := &p.Entries[i]
		seen[e.Path] = true
		if err := checkEntry(t, dir, p, e); err != nil {
			t.Errorf("%.80s: %v", e.Path, err)
		}
	}
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		rel := "/" + strings.TrimPrefix(strings.TrimPrefix(path, dir), "/")
		if !seen[rel] {
			t.Errorf("unexpected %s", rel)
		}
		return err
	})
}

func checkEntry(t *testing.T, dir string, p *plan.Plan, e *plan.Entry) error {
	var st unix.Stat_t
	name := filepath.Join(dir, e.Path)
	if err := unix.Lstat(name, &st); err != nil {
		return err
	}
	src := e
	if e.Type == plan.Hardlink {
		src = find(p, e.Link)
		var tst syscall.Stat_t
		if err := syscall.Lstat(filepath.Join(dir, src.Path), &tst); err != nil || tst.Ino != st.Ino {
			return fmt.Errorf("not the same inode as %s (%v)", src.Path, err)
		}
	}
	want := modeOf(src)
	if src.Type == plan.Symlink {
		want = want&^0o7777 | uint64(st.Mode&0o7777)
	}
	if uint64(st.Mode) != want || st.Uid != src.UID || st.Gid != src.GID {
		return fmt.Errorf("mode %o owner %d:%d, want %o %d:%d", st.Mode, st.Uid, st.Gid, want, src.UID, src.GID)
	}
	return checkData(t, name, src, &st, p)
}

func checkData(t *testing.T, name string, e *plan.Entry, st *unix.Stat_t, p *plan.Plan) error {
	switch e.Type {
	case plan.Regular:
		b, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		if sha256.Sum256(b) != sha256.Sum256(content(t, e)) {
			return fmt.Errorf("content differs (%d bytes, want %d)", len(b), e.Size)
		}
		if n := 1 + count(p, func(o *plan.Entry) bool { return o.Link == e.Path && o.Type == plan.Hardlink }); uint64(st.Nlink) != n {
			return fmt.Errorf("%d links, want %d", st.Nlink, n)
		}
		if st.Mtim.Sec != max(e.MTime.Unix(), 0) {
			return fmt.Errorf("mtime %d, want %d", st.Mtim.Sec, e.MTime.Unix())
		}
	case plan.Symlink:
		if l, err := os.Readlink(name); err != nil || l != e.Link {
			return fmt.Errorf("link %q, want %q (%v)", l, e.Link, err)
		}
	case plan.CharDev, plan.BlockDev:
		if st.Rdev != e.Rdev {
			return fmt.Errorf("rdev %x, want %x", st.Rdev, e.Rdev)
		}
	}
	return nil
}
