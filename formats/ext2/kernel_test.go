package ext2

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
	"github.com/supermin-compile/supermin-compile/plan"
	"golang.org/x/sys/unix"
)

// TestKernelMount reads a random image back through the Linux ext2/ext4
// driver, the consumer that matters most. It also catches what e2fsck does
// not check, such as xattr entry order (the kernel's lookup relies on it).
// It needs root and loop devices; without them it skips (fails in CI).
func TestKernelMount(t *testing.T) {
	testtool.Root(t)
	p, ex := newGen(t, 1, 4096).randomPlan(true)
	opts := testOptions(4096)
	opts.Size = Needed(p, opts)
	img := writeImage(t, p, opts)
	mnt := t.TempDir()
	if out, err := exec.Command("mount", "-o", "loop,ro", img, mnt).CombinedOutput(); err != nil {
		testtool.Missing(t, fmt.Sprintf("cannot loop-mount here: %v: %s", err, out))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", mnt).CombinedOutput(); err != nil {
			t.Errorf("umount: %v: %s", err, out)
		}
	})
	kids := childrenOf(p)
	for i := range p.Entries {
		e := &p.Entries[i]
		host := filepath.Join(mnt, e.Path)
		if e.Type == plan.Hardlink {
			checkSameFile(t, host, filepath.Join(mnt, e.Link), e.Path)
			continue
		}
		var st unix.Stat_t
		if err := unix.Lstat(host, &st); err != nil {
			t.Errorf("%s: %v", e.Path, err)
			continue
		}
		checkKernelStat(t, p, e, &st)
		checkKernelXattrs(t, e, host)
		checkKernelContent(t, e, host, ex.regions[e.Path])
		if e.Type == plan.Dir {
			checkKernelDir(t, e, host, kids[e.Path])
		}
	}
}

func checkSameFile(t *testing.T, a, b, name string) {
	var sa, sb unix.Stat_t
	if unix.Lstat(a, &sa) != nil || unix.Lstat(b, &sb) != nil || sa.Ino != sb.Ino {
		t.Errorf("hard link %s is not the same inode as its target", name)
	}
}

// checkKernelStat compares lstat with the plan.
func checkKernelStat(t *testing.T, p *plan.Plan, e *plan.Entry, st *unix.Stat_t) {
	t.Helper()
	if st.Mode != modeOf(e) || st.Uid != e.UID || st.Gid != e.GID {
		t.Errorf("%s: mode %o uid %d gid %d, want %o %d %d", e.Path, st.Mode, st.Uid, st.Gid, modeOf(e), e.UID, e.GID)
	}
	if int(st.Nlink) != wantLinks(p, e) {
		t.Errorf("%s: %d links, want %d", e.Path, st.Nlink, wantLinks(p, e))
	}
	if st.Mtim.Sec != e.MTime.Unix() {
		t.Errorf("%s: mtime %d, want %d", e.Path, st.Mtim.Sec, e.MTime.Unix())
	}
	if (e.Type == plan.CharDev || e.Type == plan.BlockDev) && st.Rdev != e.Rdev {
		t.Errorf("%s: device %d:%d, want %d:%d", e.Path, unix.Major(st.Rdev), unix.Minor(st.Rdev), unix.Major(e.Rdev), unix.Minor(e.Rdev))
	}
	if e.Type == plan.Regular && st.Size != e.Size {
		t.Errorf("%s: size %d, want %d", e.Path, st.Size, e.Size)
	}
}

// checkKernelXattrs compares the attribute list and every value.
func checkKernelXattrs(t *testing.T, e *plan.Entry, host string) {
	t.Helper()
	buf := make([]byte, 64<<10)
	n, err := unix.Llistxattr(host, buf)
	if err != nil {
		t.Errorf("%s: listxattr: %v", e.Path, err)
		return
	}
	var got, want []string
	for _, s := range strings.Split(string(buf[:n]), "\x00") {
		if s != "" {
			got = append(got, s)
		}
	}
	for _, x := range e.Xattrs {
		want = append(want, x.Name)
		v := make([]byte, 64<<10)
		k, err := unix.Lgetxattr(host, x.Name, v)
		if err != nil || !bytes.Equal(v[:k], x.Value) {
			t.Errorf("%s: getxattr %s = %x, %v; want %x", e.Path, x.Name, v[:max(k, 0)], err, x.Value)
		}
	}
	sort.Strings(got)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("%s: xattrs %q, want %q", e.Path, got, want)
	}
}

// checkKernelContent compares file data (only the written regions of huge
// sparse files) and symlink targets.
func checkKernelContent(t *testing.T, e *plan.Entry, host string, regions [][2]int64) {
	t.Helper()
	switch {
	case e.Type == plan.Symlink:
		if got, err := os.Readlink(host); err != nil || got != e.Link {
			t.Errorf("%s: readlink = %q, %v; want %q", e.Path, got, err, e.Link)
		}
	case e.Type == plan.Regular && regions != nil:
		compareRegions(t, e, host, regions)
	case e.Type == plan.Regular:
		f, err := os.Open(host)
		if err != nil {
			t.Error(err)
			return
		}
		defer f.Close()
		h := sha256.New()
		io.Copy(h, f)
		if [32]byte(h.Sum(nil)) != sha256.Sum256(content(t, e)) {
			t.Errorf("%s: content differs", e.Path)
		}
	}
}

func compareRegions(t *testing.T, e *plan.Entry, host string, regions [][2]int64) {
	src, err := os.Open(string(e.Src.(plan.HostFile)))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.Open(host)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	for _, r := range regions {
		// Include a little of the holes around each region.
		lo, hi := max(r[0]-4096, 0), min(r[1]+4096, e.Size)
		a, b := make([]byte, hi-lo), make([]byte, hi-lo)
		src.ReadAt(a, lo)
		dst.ReadAt(b, lo)
		if !bytes.Equal(a, b) {
			t.Errorf("%s: bytes %d..%d differ", e.Path, lo, hi)
		}
	}
}

// checkKernelDir compares the directory listing with the plan.
func checkKernelDir(t *testing.T, e *plan.Entry, host string, kids []*plan.Entry) {
	t.Helper()
	ents, err := os.ReadDir(host)
	if err != nil {
		t.Errorf("%s: %v", e.Path, err)
		return
	}
	var got, want []string
	for _, d := range ents {
		got = append(got, d.Name())
	}
	for _, k := range kids {
		want = append(want, filepath.Base(k.Path))
	}
	if e.Path == "/" && !hasLostFound(kids) {
		want = append(want, "lost+found")
	}
	sort.Strings(want)
	if strings.Join(got, "/") != strings.Join(want, "/") {
		t.Errorf("%s: %d names, want %d", e.Path, len(got), len(want))
	}
}
