package chroot

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/plan"
	"golang.org/x/sys/unix"
)

// checkTree compares dir with the plan entry by entry (what was
// skipped, per the report, must be absent) and finds nothing else.
func checkTree(t *testing.T, dir string, p *plan.Plan, rep *Report, owners bool) {
	t.Helper()
	skipped := map[string]bool{}
	for _, s := range append(rep.SkippedDevices, rep.SkippedSockets...) {
		skipped[s] = true
	}
	for _, s := range rep.SkippedXattrs {
		skipped[s] = true // "path: name"
	}
	seen := map[string]bool{}
	for i := range p.Entries {
		e := &p.Entries[i]
		if skipped[e.Path] {
			if _, err := os.Lstat(filepath.Join(dir, e.Path)); err == nil {
				t.Errorf("%s: skipped but present", e.Path)
			}
			continue
		}
		seen[e.Path] = true
		if err := checkEntry(dir, p, e, owners, skipped); err != nil {
			t.Errorf("%s: %v", e.Path, err)
		}
	}
	filepath.WalkDir(dir, func(name string, d fs.DirEntry, err error) error {
		if rel := "/" + strings.TrimPrefix(strings.TrimPrefix(name, dir), "/"); !seen[rel] {
			t.Errorf("unexpected %s", rel)
		}
		return err
	})
}

func checkEntry(dir string, p *plan.Plan, e *plan.Entry, owners bool, skipped map[string]bool) error {
	name := filepath.Join(dir, e.Path)
	var st unix.Stat_t
	if err := unix.Lstat(name, &st); err != nil {
		return err
	}
	src := e
	if e.Type == plan.Hardlink {
		src = find(p, e.Link)
		var tst unix.Stat_t
		if err := unix.Lstat(filepath.Join(dir, src.Path), &tst); err != nil || tst.Ino != st.Ino {
			return fmt.Errorf("not the inode of %s (%v)", src.Path, err)
		}
	}
	if err := checkMode(&st, src, owners); err != nil {
		return err
	}
	if mt := src.MTime; st.Mtim.Sec != mt.Unix() || st.Mtim.Nsec != int64(mt.Nanosecond()) {
		return fmt.Errorf("mtime %d.%09d, want %d.%09d", st.Mtim.Sec, st.Mtim.Nsec, mt.Unix(), mt.Nanosecond())
	}
	if err := checkXattrs(name, src, skipped); err != nil {
		return err
	}
	return checkData(name, &st, src, p)
}

func checkMode(st *unix.Stat_t, e *plan.Entry, owners bool) error {
	types := map[plan.Type]uint32{plan.Dir: unix.S_IFDIR, plan.Regular: unix.S_IFREG, plan.Symlink: unix.S_IFLNK,
		plan.CharDev: unix.S_IFCHR, plan.BlockDev: unix.S_IFBLK, plan.FIFO: unix.S_IFIFO}
	want := types[e.Type] | e.Perm()
	if e.Type == plan.Symlink {
		want = unix.S_IFLNK | st.Mode&0o7777
	}
	if !owners && e.Type != plan.Dir && e.Perm()&0o2000 != 0 && st.Mode&0o2000 == 0 {
		want &^= 0o2000 // the kernel drops setgid for a group we are not in
	}
	if st.Mode != want {
		return fmt.Errorf("mode %o, want %o", st.Mode, want)
	}
	if owners && (st.Uid != e.UID || st.Gid != e.GID) {
		return fmt.Errorf("owner %d:%d, want %d:%d", st.Uid, st.Gid, e.UID, e.GID)
	}
	return nil
}

func checkXattrs(name string, e *plan.Entry, skipped map[string]bool) error {
	for _, x := range e.Xattrs {
		if skipped[e.Path+": "+x.Name] {
			continue
		}
		buf := make([]byte, 256)
		n, err := unix.Lgetxattr(name, x.Name, buf)
		if err != nil || !bytes.Equal(buf[:n], x.Value) {
			return fmt.Errorf("xattr %s = %x, want %x (%v)", x.Name, buf[:max(n, 0)], x.Value, err)
		}
	}
	return nil
}

func checkData(name string, st *unix.Stat_t, e *plan.Entry, p *plan.Plan) error {
	switch e.Type {
	case plan.Regular:
		b, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		if sha256.Sum256(b) != sha256.Sum256(content(e)) {
			return fmt.Errorf("content differs (%d bytes, want %d)", len(b), e.Size)
		}
		links := 1
		for _, o := range p.Entries {
			if o.Type == plan.Hardlink && o.Link == e.Path {
				links++
			}
		}
		if int(st.Nlink) != links {
			return fmt.Errorf("%d links, want %d", st.Nlink, links)
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

func find(p *plan.Plan, name string) *plan.Entry {
	for i := range p.Entries {
		if p.Entries[i].Path == name {
			return &p.Entries[i]
		}
	}
	return nil
}

func content(e *plan.Entry) []byte {
	r, err := e.Src.Open()
	if err != nil {
		return nil
	}
	defer r.Close()
	b, _ := io.ReadAll(r)
	return b
}
