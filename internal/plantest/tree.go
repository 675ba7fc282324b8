package plantest

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/plan"
	"golang.org/x/sys/unix"
)

// Tree says how a tree on disk may differ from its plan, and what of
// it to compare.
type Tree struct {
	// Skipped is what the writer reported leaving out: paths, which
	// must then be absent, and "path: xattr name" pairs.
	Skipped []string
	// Owners compares owners. Without it the setgid bit of a file may
	// be missing: the kernel drops it for a group we are not in.
	Owners bool
	// UnsetMTimes lists the types whose mtimes the extractor does not
	// set (GNU cpio: directories and symlinks).
	UnsetMTimes []plan.Type
	// AllXattrs wants no attributes beyond the plan's (which a host
	// that labels its files would add).
	AllXattrs bool
	// DirLinks compares the link counts of directories (2 plus the
	// subdirectories; btrfs, for one, says 1).
	DirLinks bool
	// Extra lists directories the writer adds of its own accord
	// (ext2's /lost+found); they must be there.
	Extra []string
	// Regions limits, for the huge sparse files it names, the content
	// comparison to these byte ranges and a page either side.
	Regions map[string][][2]int64
}

// CheckTree compares every entry of p with what lstat finds under dir,
// a hard link by its inode and its target's metadata, and finds
// nothing else there.
func CheckTree(t *testing.T, dir string, p *plan.Plan, o Tree) {
	t.Helper()
	skipped := map[string]bool{}
	for _, s := range o.Skipped {
		skipped[s] = true
	}
	seen := map[string]bool{}
	for _, x := range o.Extra {
		seen[x] = true
		if fi, err := os.Lstat(filepath.Join(dir, x)); err != nil || !fi.IsDir() {
			t.Errorf("%s: not a directory (%v)", x, err)
		}
	}
	for i := range p.Entries {
		e := &p.Entries[i]
		if skipped[e.Path] {
			if _, err := os.Lstat(filepath.Join(dir, e.Path)); err == nil {
				t.Errorf("%s: skipped but present", short(e.Path))
			}
			continue
		}
		seen[e.Path] = true
		if err := o.checkEntry(dir, p, e, skipped); err != nil {
			t.Errorf("%s: %v", short(e.Path), err)
		}
	}
	filepath.WalkDir(dir, func(name string, d fs.DirEntry, err error) error {
		if rel := "/" + strings.TrimPrefix(strings.TrimPrefix(name, dir), "/"); !seen[rel] {
			t.Errorf("unexpected %s", short(rel))
		}
		return err
	})
}

func (o Tree) checkEntry(dir string, p *plan.Plan, e *plan.Entry, skipped map[string]bool) error {
	name := filepath.Join(dir, e.Path)
	var st unix.Stat_t
	if err := unix.Lstat(name, &st); err != nil {
		return err
	}
	src := e
	if e.Type == plan.Hardlink {
		src = Find(p, e.Link)
		var tst unix.Stat_t
		if err := unix.Lstat(filepath.Join(dir, src.Path), &tst); err != nil || tst.Ino != st.Ino {
			return fmt.Errorf("not the inode of %s (%v)", src.Path, err)
		}
	}
	if err := o.checkMode(&st, src); err != nil {
		return err
	}
	if mt := src.MTime; !slices.Contains(o.UnsetMTimes, src.Type) &&
		(st.Mtim.Sec != mt.Unix() || st.Mtim.Nsec != int64(mt.Nanosecond())) {
		return fmt.Errorf("mtime %d.%09d, want %d.%09d", st.Mtim.Sec, st.Mtim.Nsec, mt.Unix(), mt.Nanosecond())
	}
	if err := o.checkLinks(&st, p, src); err != nil {
		return err
	}
	if err := o.checkXattrs(name, src, skipped); err != nil {
		return err
	}
	return o.checkData(name, &st, src)
}

func (o Tree) checkMode(st *unix.Stat_t, e *plan.Entry) error {
	want := Mode(e)
	if !o.Owners && e.Type != plan.Dir && want&0o2000 != 0 && st.Mode&0o2000 == 0 {
		want &^= 0o2000 // the kernel drops setgid for a group we are not in
	}
	if st.Mode != want {
		return fmt.Errorf("mode %o, want %o", st.Mode, want)
	}
	if o.Owners && (st.Uid != e.UID || st.Gid != e.GID) {
		return fmt.Errorf("owner %d:%d, want %d:%d", st.Uid, st.Gid, e.UID, e.GID)
	}
	return nil
}

func (o Tree) checkLinks(st *unix.Stat_t, p *plan.Plan, e *plan.Entry) error {
	if e.Type == plan.Dir && !o.DirLinks {
		return nil
	}
	want := Links(p, e)
	for _, x := range o.Extra {
		if e.Type == plan.Dir && path.Dir(x) == e.Path {
			want++
		}
	}
	if int(st.Nlink) != want {
		return fmt.Errorf("%d links, want %d", st.Nlink, want)
	}
	return nil
}

// checkXattrs compares the value of each attribute in the plan, and
// with AllXattrs the list of names.
func (o Tree) checkXattrs(name string, e *plan.Entry, skipped map[string]bool) error {
	buf := make([]byte, 64<<10)
	var want []string
	for _, x := range e.Xattrs {
		if skipped[e.Path+": "+x.Name] {
			continue
		}
		want = append(want, x.Name)
		n, err := unix.Lgetxattr(name, x.Name, buf)
		if err != nil || !bytes.Equal(buf[:n], x.Value) {
			return fmt.Errorf("xattr %s = %x, want %x (%v)", x.Name, buf[:max(n, 0)], x.Value, err)
		}
	}
	if !o.AllXattrs {
		return nil
	}
	n, err := unix.Llistxattr(name, buf)
	if err != nil {
		return fmt.Errorf("listxattr: %v", err)
	}
	got := strings.FieldsFunc(string(buf[:n]), func(r rune) bool { return r == 0 })
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		return fmt.Errorf("xattrs %q, want %q", got, want)
	}
	return nil
}

func (o Tree) checkData(name string, st *unix.Stat_t, e *plan.Entry) error {
	switch e.Type {
	case plan.Regular:
		if st.Size != e.Size {
			return fmt.Errorf("size %d, want %d", st.Size, e.Size)
		}
		if r, ok := o.Regions[e.Path]; ok {
			return compareRegions(name, e, r)
		}
		b, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		want, err := content(e)
		if err != nil {
			return err
		}
		if !bytes.Equal(b, want) {
			return fmt.Errorf("content differs (%d bytes, want %d)", len(b), e.Size)
		}
	case plan.Symlink:
		if l, err := os.Readlink(name); err != nil || l != e.Link {
			return fmt.Errorf("link %q, want %q (%v)", l, e.Link, err)
		}
	case plan.CharDev, plan.BlockDev:
		if st.Rdev != e.Rdev {
			return fmt.Errorf("device %d:%d, want %d:%d", unix.Major(st.Rdev), unix.Minor(st.Rdev), unix.Major(e.Rdev), unix.Minor(e.Rdev))
		}
	}
	return nil
}

// compareRegions compares the bytes around each region with the host
// file e comes from.
func compareRegions(name string, e *plan.Entry, regions [][2]int64) error {
	src, err := os.Open(string(e.Src.(plan.HostFile)))
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.Open(name)
	if err != nil {
		return err
	}
	defer dst.Close()
	for _, r := range regions {
		lo, hi := max(r[0]-4096, 0), min(r[1]+4096, e.Size)
		a, b := make([]byte, hi-lo), make([]byte, hi-lo)
		src.ReadAt(a, lo)
		dst.ReadAt(b, lo)
		if !bytes.Equal(a, b) {
			return fmt.Errorf("bytes %d..%d differ", lo, hi)
		}
	}
	return nil
}

// short keeps the end of a long path, for readable messages.
func short(p string) string {
	if len(p) > 80 {
		return "..." + p[len(p)-77:]
	}
	return p
}
