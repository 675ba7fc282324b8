package plan

import (
	"archive/tar"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// treeOfEveryType makes, under a new directory, one file of each type a
// tar can hold, with special mode bits, an owner and an xattr.
func treeOfEveryType(t *testing.T) string {
	t.Helper()
	src := t.TempDir()
	d := filepath.Join(src, "d")
	for _, step := range []func() error{
		func() error { return os.Mkdir(d, 0o755) },
		func() error { return os.WriteFile(d+"/f", []byte("hello\n"), 0o644) },
		func() error { return os.Link(d+"/f", d+"/h") },
		func() error { return os.Symlink("f", d+"/s") },
		func() error { return unix.Mkfifo(d+"/p", 0o640) },
		func() error { return unix.Mknod(d+"/c", unix.S_IFCHR|0o666, int(unix.Mkdev(1, 3))) },
		func() error { return unix.Mknod(d+"/b", unix.S_IFBLK|0o660, int(unix.Mkdev(7, 0))) },
		func() error { return os.Chown(d+"/f", 7, 8) },
		// Raw modes, whatever the umask; after chown, which clears setuid.
		func() error { return unix.Chmod(d+"/f", 0o4755) },
		func() error { return unix.Chmod(d+"/p", 0o2640) },
		func() error { return unix.Chmod(d+"/c", 0o666) },
		func() error { return unix.Chmod(d, 0o1777) },
	} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	if err := unix.Lsetxattr(d+"/f", "user.plan-test", []byte("v1"), 0); err != nil {
		testtool.Unavailable(t, fmt.Sprintf("the temporary directory takes no user xattrs (set TMPDIR): %v", err))
	}
	return src
}

// statEntries describes the paths under src as stat(1) sees them, in the
// form of list's JSON. A second name of an inode is a hard link to the
// first, as tar stores it.
func statEntries(t *testing.T, src string, paths []string) []ListEntry {
	t.Helper()
	args := []string{"-c", "%F|%a|%u|%g|%s|%t|%T|%i"}
	for _, p := range paths {
		args = append(args, filepath.Join(src, p))
	}
	lines := strings.Split(strings.TrimSuffix(string(testtool.Output(t, nil, "stat", args...)), "\n"), "\n")
	types := map[string]string{"directory": "dir", "regular file": "file", "regular empty file": "file",
		"symbolic link": "symlink", "character special file": "chardev", "block special file": "blockdev", "fifo": "fifo"}
	firstOf := map[string]string{}
	var out []ListEntry
	for i, l := range lines {
		f := strings.Split(l, "|")
		mode, _ := strconv.ParseUint(f[1], 8, 32)
		uid, _ := strconv.ParseUint(f[2], 10, 32)
		gid, _ := strconv.ParseUint(f[3], 10, 32)
		e := ListEntry{Path: paths[i], Type: types[f[0]], Mode: fmt.Sprintf("%04o", mode), UID: uint32(uid), GID: uint32(gid), Origin: "every.tar"}
		switch e.Type {
		case "file":
			if first, ok := firstOf[f[7]]; ok {
				e.Type, e.Link = "hardlink", first
			} else {
				firstOf[f[7]] = e.Path
				e.Size, _ = strconv.ParseInt(f[4], 10, 64)
			}
		case "symlink":
			e.Link, _ = os.Readlink(filepath.Join(src, paths[i]))
		case "chardev", "blockdev":
			major, _ := strconv.ParseUint(f[5], 16, 32)
			minor, _ := strconv.ParseUint(f[6], 16, 32)
			e.Major, e.Minor = uint32(major), uint32(minor)
		}
		out = append(out, e)
	}
	return out
}

// TestFromTarEveryType: GNU tar archives a tree holding every member type
// a Plan takes; FromTar reads each member, and list (text and JSON) shows
// each as stat(1) describes the file it came from.
func TestFromTarEveryType(t *testing.T) {
	testtool.Need(t, "tar", "stat")
	testtool.Root(t) // device nodes and owners
	src := treeOfEveryType(t)
	tarball := filepath.Join(t.TempDir(), "every.tar")
	testtool.Output(t, nil, "tar", "--xattrs", "--sort=name", "-C", src, "-cf", tarball, ".")

	p := &Plan{Entries: readTar(t, tarball)}
	var paths []string
	for _, e := range p.Entries {
		paths = append(paths, e.Path)
	}
	checkListed(t, p, statEntries(t, src, paths))

	types := map[Type]bool{}
	for _, e := range p.Entries {
		types[e.Type] = true
		fi, err := os.Lstat(filepath.Join(src, e.Path))
		if err != nil {
			t.Fatal(err)
		}
		if e.MTime.Unix() != fi.ModTime().Unix() {
			t.Errorf("%s: mtime %v, the file's is %v", e.Path, e.MTime, fi.ModTime())
		}
		if ty := TypeOf(fi.Mode()); ty != e.Type && (ty != Regular || e.Type != Hardlink) {
			t.Errorf("%s: TypeOf the file's mode is %s, its tar member a %s", e.Path, ty, e.Type)
		}
	}
	for _, ty := range []Type{Dir, Regular, Hardlink, Symlink, FIFO, CharDev, BlockDev} {
		if !types[ty] {
			t.Errorf("GNU tar stored no %s member: %v", ty, paths)
		}
	}
	if f := p.Entries[slices.Index(paths, "/d/f")]; len(f.Xattrs) != 1 || f.Xattrs[0].Name != "user.plan-test" || string(f.Xattrs[0].Value) != "v1" {
		t.Errorf("/d/f lost its xattr user.plan-test=v1: %+v", f.Xattrs)
	}
}

func readTar(t *testing.T, file string) []Entry {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []Entry
	for tr := tar.NewReader(f); ; {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		e, err := FromTar(h)
		if err != nil {
			t.Fatalf("%s: %v", h.Name, err)
		}
		e.Origin = FromTarball(filepath.Base(file))
		out = append(out, e)
	}
}

// TestFromTarRefuses: members that would land outside the root, or that a
// Plan cannot hold, are errors naming them.
func TestFromTarRefuses(t *testing.T) {
	for _, c := range []struct {
		h    tar.Header
		want string
	}{
		{tar.Header{Name: "./../etc/passwd", Typeflag: tar.TypeReg}, `member name "./../etc/passwd" leaves the archive root`},
		{tar.Header{Name: "x", Typeflag: tar.TypeLink, Linkname: "a/../../etc/shadow"}, `member name "a/../../etc/shadow" leaves the archive root`},
		{tar.Header{Name: "x", Typeflag: tar.TypeCont}, `unsupported tar entry type '7'`},
	} {
		if _, err := FromTar(&c.h); err == nil || err.Error() != c.want {
			t.Errorf("%+v: error %v, want %q", c.h, err, c.want)
		}
	}
}
