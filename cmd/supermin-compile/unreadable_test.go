package main

import (
	"bytes"
	"errors"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// unreadableTree is a world-traversable directory holding what a normal
// user meets on Fedora or Ubuntu: host files and package files that only
// root may read. The paths below are relative to dir.
type unreadableTree struct {
	dir      string
	bin      string // a copy of the CLI that nobody may run
	manifest string // builds hostfiles and a package from a real dpkg root
	out      string // a directory nobody may write into
}

// The paths of the tree that nobody may not read (a directory: not list),
// as the host names them, sorted.
var unreadablePaths = []string{
	"host/secret.key",
	"host/tree/private",
	"pkgroot/usr/lib/smc-unreadable/private/helper",
	"pkgroot/usr/share/smc-unreadable/secret",
}

// newUnreadableTree needs root (to become nobody and to own the files).
func newUnreadableTree(t *testing.T) *unreadableTree {
	testtool.Root(t)
	testtool.Need(t, "setpriv", "dpkg", "dpkg-deb")
	// t.TempDir() is 0700 below a 0700 directory of its own.
	dir := t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} {
		must(t, os.Chmod(d, 0o755))
	}
	tr := &unreadableTree{dir: dir, bin: filepath.Join(dir, "supermin-compile"), out: filepath.Join(dir, "out")}
	data, err := os.ReadFile(bin)
	must(t, err)
	must(t, os.WriteFile(tr.bin, data, 0o755))
	writeTree(t, dir, map[string]os.FileMode{
		"host/public":                               0o644,
		"host/secret.key":                           0o600, // Ubuntu's kernels are 0600
		"host/tree/a.txt":                           0o644,
		"host/tree/private/":                        0o700,
		"host/tree/private/helper":                  0o755,
		"deb/usr/share/smc-unreadable/public":       0o644,
		"deb/usr/share/smc-unreadable/secret":       0o600,
		"deb/usr/lib/smc-unreadable/private/":       0o700, // Fedora's 0750 helpers, seen by others
		"deb/usr/lib/smc-unreadable/private/helper": 0o755,
	})
	tr.installDeb(t)
	must(t, os.Mkdir(tr.out, 0o755))
	nobody := lookupNobody(t)
	must(t, os.Chown(tr.out, nobody[0], nobody[1]))
	tr.manifest = filepath.Join(dir, "app.toml")
	must(t, os.WriteFile(tr.manifest, []byte(`kernel = false
format = "chroot"
packages = ["smc-unreadable"]
hostfiles = ["`+dir+`/host/public", "`+dir+`/host/secret.key", "`+dir+`/host/tree/**"]

[source]
type = "dpkg"
root = "pkgroot"
`), 0o644))
	return tr
}

// writeTree creates files (with their path as content) and directories
// (a trailing "/"), then sets the modes, deepest first.
func writeTree(t *testing.T, dir string, modes map[string]os.FileMode) {
	t.Helper()
	paths := slices.Sorted(maps.Keys(modes))
	for _, p := range paths {
		full := filepath.Join(dir, p)
		must(t, os.MkdirAll(filepath.Dir(full), 0o755))
		if strings.HasSuffix(p, "/") {
			must(t, os.MkdirAll(full, 0o755))
		} else {
			must(t, os.WriteFile(full, []byte(p+"\n"), 0o644))
		}
	}
	for _, p := range slices.Backward(paths) {
		must(t, os.Chmod(filepath.Join(dir, p), modes[p]))
	}
}

// installDeb makes the package smc-unreadable from dir/deb with dpkg-deb
// and installs it with dpkg into a new root, dir/pkgroot.
func (tr *unreadableTree) installDeb(t *testing.T) {
	t.Helper()
	deb := filepath.Join(tr.dir, "deb")
	must(t, os.MkdirAll(filepath.Join(deb, "DEBIAN"), 0o755))
	must(t, os.WriteFile(filepath.Join(deb, "DEBIAN/control"), []byte("Package: smc-unreadable\nVersion: 1.0\n"+
		"Architecture: all\nMaintainer: supermin-compile tests <tests@localhost>\nDescription: files only root may read\n"), 0o644))
	testtool.Output(t, nil, "dpkg-deb", "--root-owner-group", "--build", deb, tr.dir+"/smc-unreadable.deb")
	root := filepath.Join(tr.dir, "pkgroot")
	for _, d := range []string{"var/lib/dpkg/info", "var/lib/dpkg/updates"} {
		must(t, os.MkdirAll(filepath.Join(root, d), 0o755))
	}
	must(t, os.WriteFile(filepath.Join(root, "var/lib/dpkg/status"), nil, 0o644))
	testtool.Output(t, nil, "dpkg", "--root="+root, "--install", tr.dir+"/smc-unreadable.deb")
}

func lookupNobody(t *testing.T) [2]int {
	t.Helper()
	u, err := user.Lookup("nobody")
	if err != nil {
		testtool.Unavailable(t, "no user nobody: "+err.Error())
	}
	g, err := user.LookupGroup("nogroup")
	if err != nil {
		testtool.Unavailable(t, "no group nogroup: "+err.Error())
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(g.Gid)
	return [2]int{uid, gid}
}

// runAs runs the CLI copy as nobody (asNobody) or as root, and returns
// stdout, stderr and the exit status.
func (tr *unreadableTree) run(t *testing.T, asNobody bool, args ...string) (string, string, int) {
	t.Helper()
	argv := append([]string{tr.bin}, args...)
	if asNobody {
		argv = append([]string{"setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"}, argv...)
	}
	return runArgv(t, argv...)
}

func runArgv(t *testing.T, argv ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return out.String(), errb.String(), ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), 0
}

// warnings returns the lines of stderr that start with prefix.
func warnings(stderr, prefix string) []string {
	var ws []string
	for _, l := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(l, prefix) {
			ws = append(ws, l)
		}
	}
	return ws
}

// treePaths lists everything below root, as absolute appliance paths.
func treePaths(t *testing.T, root string) []string {
	t.Helper()
	var paths []string
	must(t, filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != root {
			paths = append(paths, strings.TrimPrefix(p, root))
		}
		return nil
	}))
	return paths
}

func TestUnreadableFailsOneErrorNamingEveryPath(t *testing.T) {
	tr := newUnreadableTree(t)
	_, stderr, code := tr.run(t, true, "build", tr.manifest, "-o", tr.out+"/app")
	var want []string
	for _, p := range unreadablePaths {
		p = filepath.Join(tr.dir, p)
		if strings.HasSuffix(p, "/private") {
			p += "/" // a directory that could not be listed
		}
		want = append(want, "  "+p+": permission denied")
	}
	lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
	if code != 1 || len(lines) != 1+len(want) || !slices.Equal(lines[1:], want) ||
		lines[0] != `supermin-compile: cannot read 4 host paths; to build without them, set unreadable = "skip" in `+tr.manifest {
		t.Errorf("build as nobody: exit %d, stderr:\n%s\nwant exit 1 and these paths:\n%s", code, stderr, strings.Join(want, "\n"))
	}
	if left, _ := os.ReadDir(tr.out); len(left) != 0 {
		t.Errorf("the failed build left %v in %s", left, tr.out)
	}
	// list plans the same appliance, so it fails the same way.
	if _, stderr2, code := tr.run(t, true, "list", tr.manifest); code != 1 || stderr2 != stderr {
		t.Errorf("list as nobody: exit %d, stderr:\n%s", code, stderr2)
	}
}

func TestUnreadableSkipLeavesOutExactlyThoseFiles(t *testing.T) {
	tr := newUnreadableTree(t)
	text, err := os.ReadFile(tr.manifest)
	must(t, err)
	must(t, os.WriteFile(tr.manifest, append([]byte("unreadable = \"skip\"\n"), text...), 0o644))

	_, stderr, code := tr.run(t, true, "build", tr.manifest, "-o", tr.out+"/app")
	var want []string
	for _, p := range unreadablePaths {
		want = append(want, "supermin-compile: warning: "+filepath.Join(tr.dir, p)+": Permission denied (ignored)")
	}
	if got := warnings(stderr, "supermin-compile: warning: "); code != 0 || !slices.Equal(got, want) {
		t.Fatalf("build as nobody: exit %d, warnings %q, want exit 0 and %q\n%s", code, got, want, stderr)
	}

	// As root the same manifest builds everything, silently.
	_, stderr, code = tr.run(t, false, "build", tr.manifest, "-o", tr.dir+"/as-root")
	if code != 0 || strings.Contains(stderr, "warning") {
		t.Fatalf("build as root: exit %d\n%s", code, stderr)
	}
	full, partial := treePaths(t, tr.dir+"/as-root"), treePaths(t, tr.out+"/app")
	var lacking []string
	for _, p := range full {
		if !slices.Contains(partial, p) {
			lacking = append(lacking, p)
		}
	}
	// Package files are at their place in the appliance; the unreadable
	// directory itself is there (from its metadata), empty.
	wantLacking := []string{
		filepath.Join(tr.dir, "host/secret.key"),
		filepath.Join(tr.dir, "host/tree/private/helper"),
		"/usr/lib/smc-unreadable/private/helper",
		"/usr/share/smc-unreadable/secret",
	}
	slices.Sort(lacking)
	slices.Sort(wantLacking)
	if !slices.Equal(lacking, wantLacking) || len(partial)+len(lacking) != len(full) {
		t.Errorf("the build as nobody lacks %q, want exactly %q (%d paths, %d as root)", lacking, wantLacking, len(partial), len(full))
	}
}

// superminD writes a supermin.d whose hostfiles name the 0600 file and
// cross the 0700 directory with a glob(3) pattern.
func (tr *unreadableTree) superminD(t *testing.T, packages string) string {
	t.Helper()
	d := filepath.Join(tr.dir, "supermin.d")
	must(t, os.MkdirAll(d, 0o755))
	host := filepath.Join(tr.dir, "host")
	must(t, os.WriteFile(filepath.Join(d, "hostfiles"), []byte(host+"/public\n"+host+"/secret.key\n"+host+"/tree/*\n"+host+"/tree/*/*\n"), 0o644))
	if packages != "" {
		must(t, os.WriteFile(filepath.Join(d, "packages"), []byte(packages+"\n"), 0o644))
	}
	return d
}

func TestUnreadableDropInChrootMatchesSupermin(t *testing.T) {
	tr := newUnreadableTree(t)
	testtool.Need(t, "supermin")
	sd := tr.superminD(t, "")
	_, stderr, code := tr.run(t, true, "supermin", "--build", "-f", "chroot", sd, "-o", tr.out+"/ours")
	want := []string{
		"supermin: warning: " + tr.dir + "/host/secret.key: Permission denied (ignored)",
		"supermin: warning: " + tr.dir + "/host/tree/private: Permission denied (ignored)",
	}
	if got := warnings(stderr, "supermin:"); code != 0 || !slices.Equal(got, want) {
		t.Fatalf("drop-in as nobody: exit %d, supermin lines %q, want exit 0 and %q\n%s", code, got, want, stderr)
	}
	// The real supermin, as nobody too, is the oracle for what is left out.
	_, stderr, code = runArgv(t, "setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
		"supermin", "--build", "-f", "chroot", sd, "-o", tr.out+"/theirs")
	if code != 0 {
		t.Fatalf("supermin as nobody: exit %d\n%s", code, stderr)
	}
	ours := treePaths(t, filepath.Join(tr.out, "ours", tr.dir))
	theirs := treePaths(t, filepath.Join(tr.out, "theirs", tr.dir))
	if d := testtool.LineDiff(theirs, ours); d != "" || slices.Contains(ours, "/host/secret.key") {
		t.Errorf("chroot below %s differs from supermin's:\n%s", tr.dir, d)
	}
	if !slices.Contains(ours, "/host/tree/private") || !slices.Contains(ours, "/host/public") {
		t.Errorf("chroot lacks the readable paths: %q", ours)
	}
}

func TestUnreadableDropInExt2(t *testing.T) {
	tr := newUnreadableTree(t)
	testtool.Need(t, "debugfs", "supermin")
	// A package, so that the real supermin finds /usr/lib for the modules.
	sd := tr.superminD(t, "base-files")
	_, stderr, code := tr.run(t, true, "supermin", "--build", "-f", "ext2", sd, "-o", tr.out+"/ext2")
	want := []string{
		"supermin: warning: " + tr.dir + "/host/secret.key: Permission denied (ignored)",
		"supermin: warning: " + tr.dir + "/host/tree/private: Permission denied (ignored)",
	}
	if got := warnings(stderr, "supermin:"); code != 0 || !slices.Equal(got, want) {
		t.Fatalf("drop-in as nobody: exit %d, supermin lines %q, want exit 0 and %q\n%s", code, got, want, stderr)
	}
	// The real supermin words the file's warning so (it is silent about
	// the directory).
	_, stderr, code = runArgv(t, "setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
		"supermin", "--build", "-f", "ext2", sd, "-o", tr.out+"/theirs")
	if got := warnings(stderr, "supermin: warning: "); code != 0 || !slices.Equal(got, want[:1]) {
		t.Errorf("supermin as nobody: exit %d, warnings %q, want %q\n%s", code, got, want[:1], stderr)
	}
	img := filepath.Join(tr.out, "ext2/root")
	if got := ext2Names(t, img, tr.dir+"/host"); !slices.Equal(got, []string{"public", "tree"}) {
		t.Errorf("image has %q in %s/host, want public and tree", got, tr.dir)
	}
	if got := ext2Names(t, img, tr.dir+"/host/tree/private"); len(got) != 0 {
		t.Errorf("image has %q in the unreadable directory, want it empty", got)
	}
}

// ext2Names lists a directory of an ext2 image with debugfs, without . and ..
func ext2Names(t *testing.T, img, dir string) []string {
	t.Helper()
	out := testtool.Output(t, nil, "debugfs", "-R", "ls -p "+dir, img)
	var names []string
	for _, l := range strings.Split(string(out), "\n") {
		// /inode/mode/uid/gid/name/size/
		if f := strings.Split(l, "/"); len(f) >= 7 && f[5] != "." && f[5] != ".." {
			names = append(names, f[5])
		}
	}
	slices.Sort(names)
	return names
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
