package ext2

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/plantest"
	"github.com/supermin-compile/supermin-compile/plan"
	"golang.org/x/sys/unix"
)

// The oracles are e2fsprogs: e2fsck must find nothing to fix, and debugfs
// must read back the plan. Nothing here reuses the writer's code.

// fsck runs e2fsck -fn and fails on any output beyond the pass headers and
// the summary.
func fsck(t *testing.T, img string) {
	t.Helper()
	out, err := exec.Command("e2fsck", "-fn", img).CombinedOutput()
	if err != nil {
		t.Fatalf("e2fsck -fn: %v\n%s", err, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		ok := strings.HasPrefix(line, "e2fsck ") || strings.HasPrefix(line, "Pass ") ||
			strings.Contains(line, " files (") && strings.HasSuffix(line, " blocks")
		if !ok {
			t.Fatalf("e2fsck reported: %q\n%s", line, out)
		}
	}
}

// debugfs runs cmds in one debugfs process and returns each command's
// standard output, in order.
func debugfs(t *testing.T, img string, cmds []string) []string {
	t.Helper()
	cf := filepath.Join(t.TempDir(), "cmds")
	if err := os.WriteFile(cf, []byte(strings.Join(cmds, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command("debugfs", "-f", cf, img)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("debugfs: %v\n%s", err, stderr.String())
	}
	parts := strings.Split("\n"+stdout.String(), "\ndebugfs: ")
	if len(parts)-1 != len(cmds) {
		t.Fatalf("debugfs: %d outputs for %d commands\n%s", len(parts)-1, len(cmds), stderr.String())
	}
	outs := parts[1:]
	for i, o := range outs {
		o = strings.TrimPrefix(o, cmds[i]) // the echoed command line
		outs[i] = strings.TrimPrefix(o, "\n")
	}
	return outs
}

// expected is what the test knows about a plan, independently of the writer.
type expected struct {
	p       *plan.Plan
	regions map[string][][2]int64 // huge sparse files: byte ranges written
}

var (
	reLinks  = regexp.MustCompile(`Links: (\d+)`)
	reOwner  = regexp.MustCompile(`User: +(-?\d+) +Group: +(-?\d+)`)
	reSize   = regexp.MustCompile(`Size: (\d+)\n`)
	reMtime  = regexp.MustCompile(`\bmtime: 0x([0-9a-f]{8}):([0-9a-f]{8})`)
	reDevice = regexp.MustCompile(`Device major/minor number: 0*(\d+):0*(\d+)`)
	reFast   = regexp.MustCompile(`Fast link dest: "(.*)"`)
	reEAName = regexp.MustCompile(`(?m)^  (\S+) \(\d+\)`)
)

// verify reads the image back with debugfs and compares it with the plan.
func verify(t *testing.T, img string, ex expected) {
	t.Helper()
	out := t.TempDir()
	var cmds []string
	type check func(o string)
	var checks []check
	inos := map[string]string{}
	add := func(cmd string, c check) { cmds, checks = append(cmds, cmd), append(checks, c) }
	children := childrenOf(ex.p)
	for i := range ex.p.Entries {
		e := &ex.p.Entries[i]
		if e.Type == plan.Dir {
			add("ls -p "+e.Path, func(o string) { checkDir(t, e, children[e.Path], o, inos) })
		}
		if e.Type == plan.Hardlink {
			continue
		}
		add("stat "+e.Path, func(o string) { checkStat(t, ex.p, e, o) })
		add("ea_list "+e.Path, func(o string) { checkEANames(t, e, o) })
		for j, x := range e.Xattrs {
			f := filepath.Join(out, fmt.Sprintf("ea%d.%d", i, j))
			add(fmt.Sprintf("ea_get -f %s %s %s", f, e.Path, x.Name), func(string) { checkXattr(t, e.Path, x, f) })
		}
		if _, huge := ex.regions[e.Path]; huge {
			add("stat "+e.Path, func(o string) { checkSparse(t, img, e, ex.regions[e.Path], o) })
			continue
		}
		if e.Type == plan.Regular || e.Type == plan.Symlink && len(e.Link) >= 60 {
			f := filepath.Join(out, strconv.Itoa(i))
			add(fmt.Sprintf("dump %s %s", e.Path, f), func(string) { checkFile(t, e.Path, f, content(t, e)) })
		}
	}
	outs := debugfs(t, img, cmds)
	for i, c := range checks {
		c(outs[i])
	}
	for i := range ex.p.Entries {
		if e := &ex.p.Entries[i]; e.Type == plan.Hardlink && inos[e.Path] != inos[e.Link] {
			t.Errorf("hard link %s: inode %s, target %s has %s", e.Path, inos[e.Path], e.Link, inos[e.Link])
		}
	}
}

// childrenOf lists each directory's children in plan order.
func childrenOf(p *plan.Plan) map[string][]*plan.Entry {
	m := map[string][]*plan.Entry{}
	for i := 1; i < len(p.Entries); i++ {
		e := &p.Entries[i]
		m[filepath.Dir(e.Path)] = append(m[filepath.Dir(e.Path)], e)
	}
	return m
}

// checkDir compares `ls -p` with the plan: names in order, modes, owners,
// sizes. It records inode numbers for the hard-link check.
func checkDir(t *testing.T, dir *plan.Entry, kids []*plan.Entry, o string, inos map[string]string) {
	t.Helper()
	want := []string{".", ".."}
	if dir.Path == "/" && !hasLostFound(kids) {
		want = append(want, "lost+found")
	}
	byName := map[string]*plan.Entry{}
	for _, k := range kids {
		want = append(want, filepath.Base(k.Path))
		byName[filepath.Base(k.Path)] = k
	}
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(o), "\n") {
		f := strings.Split(line, "/") // "", ino, mode, uid, gid, name, size, ""
		if len(f) != 8 {
			t.Fatalf("ls -p %s: odd line %q", dir.Path, line)
		}
		got = append(got, f[5])
		e := byName[f[5]]
		if e == nil {
			continue
		}
		inos[e.Path] = f[1]
		if e.Type == plan.Hardlink {
			continue
		}
		wantLine := fmt.Sprintf("%06o/%d/%d", plantest.Mode(e), int32(e.UID), int32(e.GID)) // debugfs prints ids signed
		if g := strings.Join(f[2:5], "/"); g != wantLine {
			t.Errorf("%s: ls -p mode/uid/gid %s, want %s", e.Path, g, wantLine)
		}
		if e.Type == plan.Regular && f[6] != strconv.FormatInt(e.Size, 10) {
			t.Errorf("%s: size %s, want %d", e.Path, f[6], e.Size)
		}
	}
	if strings.Join(got, "\x00") != strings.Join(want, "\x00") {
		t.Errorf("ls %s: got %d names %q..., want %d names %q...", dir.Path, len(got), head(got), len(want), head(want))
	}
}

func hasLostFound(kids []*plan.Entry) bool {
	for _, k := range kids {
		if k.Path == "/lost+found" {
			return true
		}
	}
	return false
}

func head(s []string) []string { return s[:min(len(s), 6)] }

// checkStat compares `stat` with the plan: link count, owner, size, mtime,
// device numbers, fast symlink targets.
func checkStat(t *testing.T, p *plan.Plan, e *plan.Entry, o string) {
	t.Helper()
	fail := func(what string, got, want any) { t.Errorf("%s: %s %v, want %v\n%s", e.Path, what, got, want, o) }
	if g := find(reLinks, o, 1); g != strconv.Itoa(wantLinks(p, e)) {
		fail("links", g, wantLinks(p, e))
	}
	if g, want := find(reOwner, o, 1)+":"+find(reOwner, o, 2), fmt.Sprintf("%d:%d", int32(e.UID), int32(e.GID)); g != want {
		fail("owner", g, want)
	}
	mtime := e.MTime
	if mtime.IsZero() {
		mtime = testTime
	}
	if m := reMtime.FindStringSubmatch(o); m == nil || decodeTime(m[1], m[2]) != mtime.Unix() {
		fail("mtime", m, mtime.Unix())
	}
	switch e.Type {
	case plan.Regular:
		if g := find(reSize, o, 1); g != strconv.FormatInt(e.Size, 10) {
			fail("size", g, e.Size)
		}
	case plan.Symlink:
		if len(e.Link) < 60 && find(reFast, o, 1) != e.Link {
			fail("fast link", find(reFast, o, 1), e.Link)
		}
		if g := find(reSize, o, 1); g != strconv.Itoa(len(e.Link)) {
			fail("symlink size", g, len(e.Link))
		}
	case plan.CharDev, plan.BlockDev:
		want := fmt.Sprintf("%d:%d", unix.Major(e.Rdev), unix.Minor(e.Rdev))
		if g := find(reDevice, o, 1) + ":" + find(reDevice, o, 2); g != want {
			fail("device", g, want)
		}
	}
}

func find(re *regexp.Regexp, s string, group int) string {
	if m := re.FindStringSubmatch(s); m != nil {
		return m[group]
	}
	return "<missing>"
}

// decodeTime reads debugfs's "0xSECONDS:EXTRA" (signed seconds plus epoch
// bits).
func decodeTime(sec, extra string) int64 {
	s, _ := strconv.ParseUint(sec, 16, 32)
	x, _ := strconv.ParseUint(extra, 16, 32)
	return int64(int32(uint32(s))) + int64(x&3)<<32
}

// wantLinks is the plan's link count, and the writer's own lost+found
// in "/".
func wantLinks(p *plan.Plan, e *plan.Entry) int {
	n := plantest.Links(p, e)
	if e.Path == "/" && !hasLostFound(childrenOf(p)["/"]) {
		n++
	}
	return n
}

// checkEANames compares the attribute names with the plan's.
func checkEANames(t *testing.T, e *plan.Entry, o string) {
	t.Helper()
	var got, want []string
	for _, m := range reEAName.FindAllStringSubmatch(o, -1) {
		got = append(got, m[1])
	}
	for _, x := range e.Xattrs {
		want = append(want, x.Name)
	}
	if strings.Join(sorted(got), ",") != strings.Join(sorted(want), ",") {
		t.Errorf("%s: xattrs %q, want %q", e.Path, got, want)
	}
}

func sorted(s []string) []string {
	s = append([]string(nil), s...)
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return s
}

// checkFile compares a file debugfs wrote with the expected bytes.
func checkFile(t *testing.T, what, path string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Errorf("%s: debugfs wrote nothing: %v", what, err)
		return
	}
	if sha256.Sum256(got) != sha256.Sum256(want) {
		t.Errorf("%s: %d bytes read back differ from the %d expected", what, len(got), len(want))
	}
}

// checkXattr compares one attribute value. debugfs turns on-disk ACLs back
// into the xattr form with 0 instead of the kernel's -1 as the id of the
// owner, group, mask and other entries, so those ids are not compared.
func checkXattr(t *testing.T, p string, x plan.Xattr, file string) {
	t.Helper()
	got, err := os.ReadFile(file)
	if err != nil {
		t.Errorf("%s %s: debugfs wrote nothing: %v", p, x.Name, err)
		return
	}
	want := x.Value
	if strings.HasPrefix(x.Name, "system.posix_acl_") {
		got, want = aclIDs(got), aclIDs(want)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s %s: read back %x, want %x", p, x.Name, got, want)
	}
}

// aclIDs zeroes the ids of entries that have none.
func aclIDs(v []byte) []byte {
	v = append([]byte(nil), v...)
	for i := 4; i+8 <= len(v); i += 8 {
		if tag := v[i]; tag != 0x02 && tag != 0x08 {
			clear(v[i+4 : i+8])
		}
	}
	return v
}

// content is the bytes a regular file or slow symlink should hold.
func content(t *testing.T, e *plan.Entry) []byte {
	if e.Type == plan.Symlink {
		return []byte(e.Link)
	}
	return plantest.Content(t, e)
}

var reBlockRun = regexp.MustCompile(`^\((\d+)(?:-(\d+))?\):(\d+)(?:-(\d+))?$`)

// checkSparse checks a huge sparse file through its block map as debugfs
// decodes it: every block the test wrote data into is mapped and holds the
// source's bytes, and not much else is mapped.
func checkSparse(t *testing.T, img string, e *plan.Entry, regions [][2]int64, o string) {
	t.Helper()
	bs := blockSizeOf(t, img)
	mapped := map[int64]int64{}
	_, list, _ := strings.Cut(o, "BLOCKS:\n")
	list, _, _ = strings.Cut(list, "\nTOTAL")
	for _, tok := range strings.Split(strings.TrimSpace(list), ", ") {
		if strings.Contains(tok, "IND)") {
			continue
		}
		m := reBlockRun.FindStringSubmatch(tok)
		if m == nil {
			t.Fatalf("%s: odd block map entry %q", e.Path, tok)
		}
		lo, _ := strconv.ParseInt(m[1], 10, 64)
		hi, phys := lo, int64(0)
		if m[2] != "" {
			hi, _ = strconv.ParseInt(m[2], 10, 64)
		}
		phys, _ = strconv.ParseInt(m[3], 10, 64)
		for l := lo; l <= hi; l++ {
			mapped[l] = phys + l - lo
		}
	}
	want := 0
	for _, r := range regions {
		for l := r[0] / bs; l <= (r[1]-1)/bs; l++ {
			if _, ok := mapped[l]; !ok {
				t.Errorf("%s: block %d holds data but is not mapped", e.Path, l)
			}
			want++
		}
	}
	if len(mapped) > want+len(regions)*2*int(4096/bs+1) {
		t.Errorf("%s: %d blocks mapped, expected about %d: holes were filled", e.Path, len(mapped), want)
	}
	compareMapped(t, img, e, mapped, bs)
}

// compareMapped compares every mapped block with the source.
func compareMapped(t *testing.T, img string, e *plan.Entry, mapped map[int64]int64, bs int64) {
	im, err := os.Open(img)
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	src, err := os.Open(string(e.Src.(plan.HostFile)))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	a, b := make([]byte, bs), make([]byte, bs)
	for l, p := range mapped {
		clear(a)
		clear(b)
		n, _ := src.ReadAt(a, l*bs)
		im.ReadAt(b, p*bs)
		if !bytes.Equal(a[:n], b[:n]) {
			t.Errorf("%s: logical block %d (disk block %d) differs from the source", e.Path, l, p)
			return
		}
	}
}

// blockSizeOf reads the block size from the primary superblock.
func blockSizeOf(t *testing.T, img string) int64 {
	f, err := os.Open(img)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var b [4]byte
	f.ReadAt(b[:], 1024+0x18)
	return 1024 << (uint32(b[0]) | uint32(b[1])<<8)
}
