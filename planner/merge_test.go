package planner

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/supermin-compile/supermin-compile/internal/members"
	"github.com/supermin-compile/supermin-compile/internal/testtool"
	"github.com/supermin-compile/supermin-compile/manifest"
	"github.com/supermin-compile/supermin-compile/plan"
)

func entry(p string, t plan.Type, origin plan.Origin) plan.Entry {
	return plan.Entry{Path: p, Type: t, Mode: 0o755, Origin: origin}
}

func paths(p *plan.Plan) string {
	var s []string
	for _, e := range p.Entries {
		x := e.Path + ":" + e.Type.String() + ":" + e.Origin.String()
		if e.Link != "" {
			x += "->" + e.Link
		}
		s = append(s, x)
	}
	return strings.Join(s, " ")
}

func TestMergeOverridesAndParents(t *testing.T) {
	m := &Merger{Root: t.TempDir(), Epoch: time.Unix(0, 0)} // empty host: parents are synthesised
	got := m.Merge(
		Layer{entry("/usr/bin/bash", plan.Regular, plan.FromPackage("bash")), entry("/etc/motd", plan.Regular, plan.FromPackage("base-files"))},
		Layer{entry("/etc/motd", plan.Regular, plan.FromHost)},
		Layer{entry("/etc/motd", plan.Regular, plan.FromTarball("base.tar.gz"))},
		Layer{entry("/etc/hostname", plan.Regular, plan.FromInline)},
	)
	want := "/:dir:host /etc:dir:parent /etc/hostname:file:inline /etc/motd:file:base.tar.gz " +
		"/usr:dir:parent /usr/bin:dir:parent /usr/bin/bash:file:bash"
	if s := paths(got); s != want {
		t.Errorf("got  %s\nwant %s", s, want)
	}
}

// Debian's merged /usr: /lib is a symlink on the host, packages list paths
// through it; they must land under /usr/lib, with the symlink kept.
func TestMergeRelocatesThroughSymlinkedDirs(t *testing.T) {
	root := t.TempDir()
	must(t, os.MkdirAll(root+"/usr/lib/x86_64-linux-gnu", 0o755))
	must(t, os.Symlink("usr/lib", root+"/lib"))
	m := &Merger{Root: root}
	got := m.Merge(Layer{
		entry("/lib/x86_64-linux-gnu", plan.Dir, plan.FromPackage("libc6")),
		entry("/lib/x86_64-linux-gnu/libc.so.6", plan.Regular, plan.FromPackage("libc6")),
		entry("/usr/lib/x86_64-linux-gnu/libc.so.6", plan.Regular, plan.FromPackage("other")), // already at the real path: wins
		entry("/lib/x86_64-linux-gnu/libm.so.6", plan.Regular, plan.FromPackage("libc6")),
	})
	want := "/:dir:host /lib:symlink:host->usr/lib /usr:dir:host /usr/lib:dir:host " +
		"/usr/lib/x86_64-linux-gnu:dir:libc6 /usr/lib/x86_64-linux-gnu/libc.so.6:file:other " +
		"/usr/lib/x86_64-linux-gnu/libm.so.6:file:libc6"
	if s := paths(got); s != want {
		t.Errorf("got  %s\nwant %s", s, want)
	}
}

// Another system's root is laid out by its own links, resolved inside it:
// its /var/run -> /run (absolute) is its /run, whose metadata the Plan
// takes, and a parent through it is looked up there, not on this host.
func TestMergeResolvesLinksInsideRoot(t *testing.T) {
	root := t.TempDir()
	must(t, os.MkdirAll(root+"/run/smc-test", 0o750)) // this host has no /run/smc-test
	must(t, os.MkdirAll(root+"/var", 0o755))
	must(t, os.Symlink("/run", root+"/var/run"))
	must(t, os.Symlink("/run/smc-test", root+"/var/smc-test"))
	got := (&Merger{Root: root}).Merge(Layer{
		entry("/var/run/smc-test/x.pid", plan.Regular, plan.FromPackage("p")),
		{Path: "/var/smc", Type: plan.Symlink, Link: "/var/smc-test", Origin: plan.FromPackage("p")},
	})
	want := "/:dir:host /run:dir:host /run/smc-test:dir:host /run/smc-test/x.pid:file:p /var:dir:host " +
		"/var/run:symlink:host->/run /var/smc:symlink:p->/var/smc-test /var/smc-test:symlink:host->/run/smc-test"
	if s := paths(got); s != want {
		t.Errorf("got  %s\nwant %s", s, want)
	}
	for _, e := range got.Entries {
		if e.Path == "/run/smc-test" && e.Perm() != 0o750 {
			t.Errorf("/run/smc-test has mode %o; the root's is 0750", e.Perm())
		}
	}
}

// A package's hard links under a symlinked directory follow their file
// to the real directory, and the first name in path order carries the
// data, whichever name the archive gave it to.
func TestMergeRelocatesHardLinks(t *testing.T) {
	root := t.TempDir()
	must(t, os.MkdirAll(root+"/usr/lib", 0o755))
	must(t, os.Symlink("usr/lib", root+"/lib"))
	file := entry("/lib/a", plan.Regular, plan.FromPackage("p"))
	file.Size, file.Src = 2, plan.Bytes("hi")
	got := (&Merger{Root: root}).Merge(Layer{file,
		{Path: "/lib/b", Type: plan.Hardlink, Link: "/lib/a", Origin: plan.FromPackage("p")},
		{Path: "/lib/0", Type: plan.Hardlink, Link: "/lib/a", Origin: plan.FromPackage("p")},
	})
	want := "/:dir:host /lib:symlink:host->usr/lib /usr:dir:host /usr/lib:dir:host " +
		"/usr/lib/0:file:p /usr/lib/a:hardlink:p->/usr/lib/0 /usr/lib/b:hardlink:p->/usr/lib/0"
	if s := paths(got); s != want {
		t.Errorf("got  %s\nwant %s", s, want)
	}
	if err := plan.Validate(got, plan.Limits{}); err != nil {
		t.Error(err)
	}
}

func TestMergeSymlinkLoopDoesNotHang(t *testing.T) {
	m := &Merger{Root: t.TempDir()}
	got := m.Merge(Layer{
		{Path: "/a", Type: plan.Symlink, Link: "b"},
		{Path: "/b", Type: plan.Symlink, Link: "a"},
		entry("/a/x", plan.Regular, plan.FromPackage("p")),
	})
	if !strings.Contains(paths(got), "/a/x:file:p") {
		t.Errorf("entry under a symlink loop must stay where it is: %s", paths(got))
	}
}

func TestHostEntryAndHardlinks(t *testing.T) {
	root := t.TempDir()
	must(t, os.WriteFile(root+"/a", []byte("hello"), 0o751))
	must(t, os.Chmod(root+"/a", 0o751|os.ModeSetuid))
	must(t, os.Link(root+"/a", root+"/b"))
	must(t, os.Symlink("a", root+"/c"))
	var l Layer
	for _, p := range []string{"/b", "/a", "/c"} {
		e, err := HostEntry(root, p, plan.FromHost)
		must(t, err)
		l = append(l, e)
	}
	p := (&Merger{Root: root}).Merge(l)
	byPath := map[string]plan.Entry{}
	for _, e := range p.Entries {
		byPath[e.Path] = e
	}
	a, b, c := byPath["/a"], byPath["/b"], byPath["/c"]
	if a.Type != plan.Regular || a.Size != 5 || a.Perm() != 0o4751 {
		t.Errorf("/a: %+v", a)
	}
	// Formats must still see the host path (copy_file_range, holes).
	if hp, ok := plan.HostPath(a.Src); !ok || hp != root+"/a" {
		t.Errorf("HostPath(/a) = %q, %v", hp, ok)
	}
	if b.Type != plan.Hardlink || b.Link != "/a" {
		t.Errorf("/b should be a hard link to /a: %+v", b)
	}
	if c.Type != plan.Symlink || c.Link != "a" {
		t.Errorf("/c: %+v", c)
	}
}

func TestTarballLayer(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	must(t, os.MkdirAll(src+"/etc/skel", 0o700))
	must(t, os.WriteFile(src+"/etc/motd", []byte("hi\n"), 0o640))
	must(t, os.Symlink("motd", src+"/etc/issue"))
	must(t, os.Link(src+"/etc/motd", src+"/etc/motd2"))
	testtool.Need(t, "tar", "gzip", "xz", "zstd")
	for _, c := range []struct{ name, flag string }{{"b.tar", ""}, {"b.tar.gz", "-z"}, {"b.tar.xz", "-J"}, {"b.tar.zst", "--zstd"}} {
		tarball := filepath.Join(dir, c.name)
		args := []string{"-C", src, "--owner=0", "--group=0", "-cf", tarball, "."}
		if c.flag != "" {
			args = append([]string{c.flag}, args...)
		}
		if out, err := exec.Command("tar", args...).CombinedOutput(); err != nil {
			t.Fatalf("tar %s: %v %s", c.flag, err, out)
		}
		l, err := TarballLayer(tarball, members.NewCache())
		must(t, err)
		got := paths(&plan.Plan{Entries: l})
		want := "/:dir:" + c.name + " /etc:dir:" + c.name + " /etc/issue:symlink:" + c.name + "->motd " +
			"/etc/motd:file:" + c.name + " /etc/motd2:hardlink:" + c.name + "->/etc/motd /etc/skel:dir:" + c.name
		if sorted := sortedFields(got); sorted != sortedFields(want) {
			t.Errorf("%s:\n got %s\nwant %s", c.name, sorted, sortedFields(want))
		}
	}
}

func sortedFields(s string) string {
	f := strings.Fields(s)
	for i := range f {
		for j := i + 1; j < len(f); j++ {
			if f[j] < f[i] {
				f[i], f[j] = f[j], f[i]
			}
		}
	}
	return strings.Join(f, " ")
}

func TestTarballRefusesEscapes(t *testing.T) {
	testtool.Need(t, "tar")
	dir := t.TempDir()
	must(t, os.WriteFile(dir+"/x", nil, 0o644))
	tarball := dir + "/evil.tar"
	out, err := exec.Command("tar", "-C", dir, "-cf", tarball, "--transform", "s,^x,../../x,", "x").CombinedOutput()
	if err != nil {
		t.Fatalf("tar: %v %s", err, out)
	}
	_, err = TarballLayer(tarball, members.NewCache())
	if err == nil || !strings.Contains(err.Error(), `member name "../../x" leaves the archive root`) {
		t.Errorf("want an escape error naming the member, got %v", err)
	}
}

func TestInlineLayer(t *testing.T) {
	src := filepath.Join(t.TempDir(), "motd")
	must(t, os.WriteFile(src, []byte("12345"), 0o600))
	epoch := time.Unix(1700000000, 0)
	l, err := InlineLayer([]manifest.File{
		{Path: "/init", Mode: 0o755, Content: []byte("#!/bin/sh\n")},
		{Path: "/etc/motd", Mode: 0o644, Source: src, UID: 7},
		{Path: "/bin/sh", Symlink: "bash"},
		{Path: "/data", Dir: true, Mode: 0o700},
	}, epoch)
	must(t, err)
	if l[0].Size != 10 || l[1].Size != 5 || l[1].UID != 7 || l[2].Link != "bash" || l[3].Type != plan.Dir || !l[0].MTime.Equal(epoch) {
		t.Errorf("inline layer: %+v", l)
	}
	if _, err := InlineLayer([]manifest.File{{Path: "/x", Source: "/nonexistent/file"}}, epoch); err == nil ||
		!strings.Contains(err.Error(), "/nonexistent/file") {
		t.Errorf("missing source: %v", err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestHostEntryXattrs(t *testing.T) {
	root := t.TempDir()
	must(t, os.WriteFile(root+"/ping", []byte("x"), 0o755))
	if err := unix.Lsetxattr(root+"/ping", "user.supermin-test", []byte("v1"), 0); err != nil {
		testtool.Unavailable(t, fmt.Sprintf("the temporary directory takes no user xattrs (set TMPDIR): %v", err))
	}
	must(t, unix.Lsetxattr(root+"/ping", "user.a", []byte{0, 1, 2}, 0))
	e, err := HostEntry(root, "/ping", plan.FromHost)
	must(t, err)
	if len(e.Xattrs) != 2 || e.Xattrs[0].Name != "user.a" || string(e.Xattrs[0].Value) != "\x00\x01\x02" ||
		e.Xattrs[1].Name != "user.supermin-test" || string(e.Xattrs[1].Value) != "v1" {
		t.Errorf("xattrs: %+v", e.Xattrs)
	}
}
