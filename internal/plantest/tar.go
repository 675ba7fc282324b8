package plantest

import (
	"archive/tar"
	"bytes"
	"io"
	"os/exec"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
	"github.com/supermin-compile/supermin-compile/plan"
	"golang.org/x/sys/unix"
)

// WriteTar writes p as a PAX tar in the order real tars have: a file
// before its other names, which follow as hard links to it, whatever
// their paths. Sockets, which tar cannot hold, are left out and
// returned.
func WriteTar(t testing.TB, w io.Writer, p *plan.Plan) (sockets []string) {
	t.Helper()
	tw := tar.NewWriter(w)
	var links []*plan.Entry
	for i := range p.Entries {
		switch e := &p.Entries[i]; e.Type {
		case plan.Socket:
			sockets = append(sockets, e.Path)
		case plan.Hardlink:
			links = append(links, e)
		default:
			writeMember(t, tw, e)
		}
	}
	for _, e := range links {
		writeMember(t, tw, e)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return sockets
}

func writeMember(t testing.TB, tw *tar.Writer, e *plan.Entry) {
	t.Helper()
	h := &tar.Header{Name: memberName(e.Path), Mode: int64(e.Perm()), Uid: int(e.UID), Gid: int(e.GID),
		ModTime: e.MTime, Format: tar.FormatPAX, PAXRecords: map[string]string{}}
	switch e.Type {
	case plan.Dir:
		h.Typeflag = tar.TypeDir
	case plan.Regular:
		h.Typeflag, h.Size = tar.TypeReg, e.Size
	case plan.Symlink:
		h.Typeflag, h.Linkname = tar.TypeSymlink, e.Link
	case plan.Hardlink:
		h.Typeflag, h.Linkname = tar.TypeLink, memberName(e.Link)
	case plan.CharDev, plan.BlockDev, plan.FIFO:
		h.Typeflag = map[plan.Type]byte{plan.CharDev: tar.TypeChar, plan.BlockDev: tar.TypeBlock, plan.FIFO: tar.TypeFifo}[e.Type]
		h.Devmajor, h.Devminor = int64(unix.Major(e.Rdev)), int64(unix.Minor(e.Rdev))
	}
	for _, x := range e.Xattrs {
		h.PAXRecords["SCHILY.xattr."+x.Name] = string(x.Value)
	}
	if err := tw.WriteHeader(h); err != nil {
		t.Fatalf("tar header of %s: %v", e.Path, err)
	}
	if e.Type == plan.Regular {
		if _, err := tw.Write(Content(t, e)); err != nil {
			t.Fatal(err)
		}
	}
}

// memberName is a plan path as tar names it, relative: "." for the root.
func memberName(p string) string {
	if p == "/" {
		return "."
	}
	return p[1:]
}

// ExtractTar is the oracle for hard links and the rest: GNU tar, as
// root, extracts WriteTar's archive of p into dir with owners,
// permissions and extended attributes. It returns the sockets left out.
func ExtractTar(t testing.TB, p *plan.Plan, dir string) (sockets []string) {
	t.Helper()
	testtool.Need(t, "tar")
	testtool.Root(t)
	var b bytes.Buffer
	sockets = WriteTar(t, &b, p)
	// The links come last: directories get their mtimes after them.
	cmd := exec.Command("tar", "-x", "-f", "-", "-C", dir, "--numeric-owner", "--same-permissions",
		"--same-owner", "--xattrs", "--xattrs-include=*", "--delay-directory-restore")
	cmd.Stdin = &b
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("tar -x: %v\n%s", err, out)
	}
	return sockets
}
