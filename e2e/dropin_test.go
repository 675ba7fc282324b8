package e2e

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// Tests of the drop-in: supermin-compile run as `supermin` (argv[0]) or as
// `supermin-compile supermin ARGS`, judged against the real supermin 5.

// notNeeded is what supermin -v prints when --if-newer finds the output
// up to date; the drop-in prints the same line.
const notNeeded = "supermin: if-newer: output does not need rebuilding"

// ourSupermin is the argv that runs our binary in supermin mode.
func ourSupermin(t testing.TB, args ...string) []string {
	return append([]string{binary(t), "supermin"}, args...)
}

// symlinkedSupermin returns a path named "supermin" that runs our binary,
// to exercise the argv[0] switch.
func symlinkedSupermin(t *testing.T) string {
	link := filepath.Join(t.TempDir(), "supermin")
	if err := os.Symlink(binary(t), link); err != nil {
		t.Fatal(err)
	}
	return link
}

type result struct {
	stdout, stderr string
	code           int
}

// runCode runs argv and returns its output and exit status, failing the
// test only when it cannot be started.
func runCode(t *testing.T, env []string, argv ...string) result {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("%v: %v", argv, err)
	}
	return result{out.String(), errb.String(), cmd.ProcessState.ExitCode()}
}

// node is what a user sees of a path in an appliance: its type and, for a
// symbolic link, its target.
type node struct{ kind, target string }

func (n node) String() string {
	if n.target != "" {
		return n.kind + " -> " + n.target
	}
	return n.kind
}

func treeNodes(t *testing.T, root string) map[string]node {
	nodes := map[string]node{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := "/" + strings.TrimPrefix(strings.TrimPrefix(p, root), "/")
		var n node
		switch m := d.Type(); {
		case m.IsDir():
			n.kind = "dir"
		case m.IsRegular():
			n.kind = "file"
		case m&fs.ModeSymlink != 0:
			n.kind = "symlink"
			n.target, _ = os.Readlink(p)
		case m&fs.ModeCharDevice != 0:
			n.kind = "chardev"
		case m&fs.ModeDevice != 0:
			n.kind = "blockdev"
		case m&fs.ModeNamedPipe != 0:
			n.kind = "fifo"
		case m&fs.ModeSocket != 0:
			n.kind = "socket"
		}
		nodes[rel] = n
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return nodes
}

// rdump extracts an ext2 image with debugfs (as root: it recreates owners
// and device nodes) and returns the directory.
func rdump(t *testing.T, img string) string {
	dump := filepath.Join(t.TempDir(), "dump")
	if err := os.Mkdir(dump, 0o755); err != nil {
		t.Fatal(err)
	}
	run(t, nil, "debugfs", "-R", "rdump / "+dump, img)
	return dump
}

// difference is a known, deliberate difference between the drop-in's
// output and supermin 5.2.2's for the same command line.
type difference struct {
	format  string // "ext2", "chroot", or "" for both
	side    string // "ours" or "supermin": only there; "kind": different type or link target
	pattern string // a path, "/dir/..." for the directory and everything below it, or droppedPackages
	reason  string
}

// droppedPackages, as a pattern, matches the paths dpkg lists for the
// packages in superminDrops.
const droppedPackages = "files of superminDrops"

// dropinDifferences lists every difference TestDropinFileSetsMatchSupermin
// accepts, each with its reason. Only deliberate, documented behaviour
// belongs here; anything else is a bug to fix, not to list.
var dropinDifferences = []difference{
	{"chroot", "ours", "/.supermin-compile.fingerprint", "a chroot holds our fingerprint, the marker that lets " +
		"the next build replace it (README, Safety)"},
	{"", "ours", droppedPackages, "the drop-in resolves dependencies with our resolver, which keeps the " +
		"packages supermin 5.2.2's dpkg resolver wrongly drops (perl via \"perl:any\", sysvinit-utils via " +
		"the virtual lsb-base, ...; superminDrops in supermin_test.go, TestResolveMatchesSupermin)"},
}

// droppedPaths returns the paths of the packages in superminDrops, each
// also under its directory's real path on the host (merged /usr: dpkg
// says /lib/..., the appliance has /usr/lib/...).
func droppedPaths(t *testing.T) map[string]bool {
	paths := map[string]bool{}
	for name := range superminDrops {
		out, err := exec.Command("dpkg-query", "-L", name).Output()
		if err != nil {
			continue // not installed here
		}
		for _, p := range strings.Split(string(out), "\n") {
			if !strings.HasPrefix(p, "/") {
				continue
			}
			paths[p] = true
			if dir, err := filepath.EvalSymlinks(filepath.Dir(p)); err == nil {
				paths[filepath.Join(dir, filepath.Base(p))] = true
			}
		}
	}
	return paths
}

func (d difference) matches(format, side, path string, dropped map[string]bool) bool {
	if d.format != "" && d.format != format || d.side != side {
		return false
	}
	if d.pattern == droppedPackages {
		return dropped[path]
	}
	if dir, ok := strings.CutSuffix(d.pattern, "/..."); ok {
		return path == dir || strings.HasPrefix(path, dir+"/")
	}
	return path == d.pattern
}

// compareTrees returns the differences between two appliance trees that
// dropinDifferences does not explain, and marks the entries it used.
func compareTrees(t *testing.T, format string, ours, theirs map[string]node, used map[int]bool) []string {
	dropped := droppedPaths(t)
	explained := func(side, path string) bool {
		for i, d := range dropinDifferences {
			if d.matches(format, side, path, dropped) {
				used[i] = true
				return true
			}
		}
		return false
	}
	var diffs []string
	for p, n := range theirs {
		o, ok := ours[p]
		switch {
		case !ok:
			if !explained("supermin", p) {
				diffs = append(diffs, "only supermin: "+p+" ("+n.String()+")")
			}
		case o != n:
			if !rewrittenLink(o, n) && !explained("kind", p) {
				diffs = append(diffs, fmt.Sprintf("differs: %s: ours %s, supermin %s", p, o, n))
			}
		}
	}
	for p, n := range ours {
		if _, ok := theirs[p]; !ok && !explained("ours", p) {
			diffs = append(diffs, "only ours: "+p+" ("+n.String()+")")
		}
	}
	sort.Strings(diffs)
	return diffs
}

// rewrittenLink reports a symlink that supermin's chroot format rewrote
// from the host's absolute target into a relative one, with one "../" per
// "/" of the path dpkg lists (format_chroot.ml: "so they always work,
// whether or not you are in a chroot"); on merged /usr that count is off
// and some of its links dangle. We keep the host's target, which is right
// inside the appliance, as the README says.
func rewrittenLink(ours, theirs node) bool {
	if ours.kind != "symlink" || theirs.kind != "symlink" || !strings.HasPrefix(ours.target, "/") {
		return false
	}
	prefix, ok := strings.CutSuffix(theirs.target, ours.target)
	return ok && prefix != "" && strings.Trim(prefix, "./") == "" && strings.Count(prefix, "../")*3 == len(prefix)
}

// outputEntries lists an output directory, leaving out our fingerprint.
func outputEntries(t *testing.T, dir string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), fingerprintPrefix) {
			names = append(names, e.Name())
		}
	}
	return names
}

// TestDropinFileSetsMatchSupermin: for Debian's libguestfs supermin.d, the
// drop-in and the real supermin, given the same command line, produce the
// same paths (ext2: kernel, initrd and the root image's tree; chroot: the
// tree), except for the differences listed in dropinDifferences.
func TestDropinFileSetsMatchSupermin(t *testing.T) {
	needGuestfsD(t)
	testtool.Need(t, "debugfs")
	testtool.Root(t)
	used := map[int]bool{}

	t.Run("ext2", func(t *testing.T) {
		tmp := t.TempDir()
		ours, theirs := filepath.Join(tmp, "ours"), filepath.Join(tmp, "supermin")
		args := []string{"--build", "-f", "ext2", "--copy-kernel", guestfsD, "-o"}
		run(t, nil, ourSupermin(t, append(args, ours)...)...)
		run(t, nil, append([]string{"supermin"}, append(args, theirs)...)...)

		if o, s := outputEntries(t, ours), outputEntries(t, theirs); !slices.Equal(o, s) {
			t.Errorf("output directory: ours has %v, supermin %v", o, s)
		}
		if sha(t, filepath.Join(ours, "kernel")) != sha(t, filepath.Join(theirs, "kernel")) {
			t.Error("--copy-kernel: ours copied a different kernel from supermin's")
		}
		diffs := compareTrees(t, "ext2", treeNodes(t, rdump(t, filepath.Join(ours, "root"))),
			treeNodes(t, rdump(t, filepath.Join(theirs, "root"))), used)
		if len(diffs) > 0 {
			t.Errorf("root images: %d unexplained differences:\n%s", len(diffs), strings.Join(head(diffs, 80), "\n"))
		}
	})

	t.Run("chroot", func(t *testing.T) {
		theirs := superminChroot(t) // built with --include-packagelist
		ours := filepath.Join(t.TempDir(), "chroot")
		run(t, nil, ourSupermin(t, "--build", "-f", "chroot", "--include-packagelist", guestfsD, "-o", ours)...)
		diffs := compareTrees(t, "chroot", treeNodes(t, ours), treeNodes(t, theirs), used)
		if len(diffs) > 0 {
			t.Errorf("chroots: %d unexplained differences:\n%s", len(diffs), strings.Join(head(diffs, 80), "\n"))
		}
		comparePackagelists(t, filepath.Join(ours, "packagelist"), filepath.Join(theirs, "packagelist"))
	})

	if !t.Failed() {
		for i, d := range dropinDifferences {
			if !used[i] {
				t.Errorf("stale entry in dropinDifferences (matched nothing): %+v", d)
			}
		}
	}
}

// comparePackagelists: /packagelist (name_version_arch lines) is the same,
// except for the packages supermin's resolver wrongly drops (superminDrops).
func comparePackagelists(t *testing.T, ours, theirs string) {
	o, s := readPackagelist(t, ours), readPackagelist(t, theirs)
	var diffs []string
	for id := range o {
		if !s[id] && superminDrops[strings.SplitN(id, "_", 2)[0]] == "" {
			diffs = append(diffs, "only ours: "+id)
		}
	}
	for id := range s {
		if !o[id] {
			diffs = append(diffs, "only supermin: "+id)
		}
	}
	sort.Strings(diffs)
	if len(diffs) > 0 {
		t.Errorf("/packagelist: %d unexplained differences:\n%s", len(diffs), strings.Join(head(diffs, 40), "\n"))
	}
}

// TestConcurrentIfNewerLock: libguestfs's way of calling supermin, from 8
// processes at once on one output directory: all succeed, exactly one
// builds, the image is sound, and nothing is left beside the output.
func TestConcurrentIfNewerLock(t *testing.T) {
	needGuestfsD(t)
	testtool.Need(t, "e2fsck")
	dir := t.TempDir()
	out, lock := filepath.Join(dir, "out"), filepath.Join(dir, "lock")
	const n = 8
	cmds := make([]*exec.Cmd, n)
	outputs := make([]bytes.Buffer, n)
	for i := range cmds {
		argv := ourSupermin(t, "--build", "-v", "--if-newer", "--lock", lock, "-f", "ext2", guestfsD, "-o", out)
		cmds[i] = exec.Command(argv[0], argv[1:]...)
		cmds[i].Stdout, cmds[i].Stderr = &outputs[i], &outputs[i]
	}
	start := time.Now()
	for _, c := range cmds {
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
	}
	built := 0
	for i, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Errorf("process %d: %v\n%s", i, err, lastLines(outputs[i].String(), 30))
		}
		if !strings.Contains(outputs[i].String(), notNeeded) {
			built++
		}
	}
	t.Logf("%d processes took %s", n, time.Since(start).Round(time.Millisecond))
	if built != 1 {
		t.Errorf("%d of %d processes built (want exactly 1; the others should print %q)", built, n, notNeeded)
		for i := range outputs {
			t.Logf("process %d:\n%s", i, lastLines(outputs[i].String(), 8))
		}
	}
	if b, err := exec.Command("e2fsck", "-fn", filepath.Join(out, "root")).CombinedOutput(); err != nil {
		t.Errorf("e2fsck -fn: %v\n%s", err, b)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{"lock", "out"}) {
		t.Errorf("beside the output: want only lock and out, got %v", names)
	}
}

// TestIfNewerIsFast: a second --if-newer build leaves the output alone; a
// changed input file or a different --size makes it rebuild.
func TestIfNewerIsFast(t *testing.T) {
	needGuestfsD(t)
	dir := t.TempDir()
	src, out := filepath.Join(dir, "supermin.d"), filepath.Join(dir, "out")
	run(t, nil, "cp", "-a", guestfsD, src)
	root := filepath.Join(out, "root")

	type state struct {
		ino   uint64
		mtime time.Time
		size  int64
	}
	stat := func() state {
		fi, err := os.Stat(root)
		if err != nil {
			t.Fatal(err)
		}
		return state{fi.Sys().(*syscall.Stat_t).Ino, fi.ModTime(), fi.Size()}
	}
	build := func(args ...string) (string, time.Duration) {
		t.Helper()
		start := time.Now()
		argv := ourSupermin(t, append(append([]string{"--build", "-v"}, args...), "-f", "ext2", src, "-o", out)...)
		r := runCode(t, nil, argv...)
		took := time.Since(start)
		if r.code != 0 {
			t.Fatalf("%v: exit %d\n%s%s", argv[1:], r.code, r.stdout, lastLines(r.stderr, 30))
		}
		return r.stdout + r.stderr, took
	}

	_, took := build()
	t.Logf("first build: %s", took.Round(time.Millisecond))
	first := stat()

	o, took := build("--if-newer")
	t.Logf("--if-newer, nothing changed: %s", took.Round(time.Millisecond))
	if !strings.Contains(o, notNeeded) {
		t.Errorf("--if-newer, nothing changed: no %q in\n%s", notNeeded, lastLines(o, 20))
	}
	if s := stat(); s != first {
		t.Errorf("--if-newer, nothing changed: root changed: %+v -> %+v", first, s)
	}

	// A changed input rebuilds: daemon.tar.gz (large: it counts by size
	// and mtime, as all inputs do for supermin) touched, then hostfiles
	// (small: it counts by content) edited.
	later := time.Now().Add(2 * time.Second)
	if err := os.Chtimes(filepath.Join(src, "daemon.tar.gz"), later, later); err != nil {
		t.Fatal(err)
	}
	o, took = build("--if-newer")
	t.Logf("--if-newer, daemon.tar.gz touched: %s", took.Round(time.Millisecond))
	touched := stat()
	if strings.Contains(o, notNeeded) || touched.ino == first.ino {
		t.Errorf("--if-newer after touching daemon.tar.gz: no rebuild (root %+v -> %+v)\n%s", first, touched, lastLines(o, 10))
	}
	if o, _ = build("--if-newer"); !strings.Contains(o, notNeeded) || stat() != touched {
		t.Errorf("--if-newer right after a rebuild: rebuilt again\n%s", lastLines(o, 10))
	}
	hostfiles, err := os.OpenFile(filepath.Join(src, "hostfiles"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(hostfiles, "/etc/debian_version")
	hostfiles.Close()
	o, _ = build("--if-newer")
	edited := stat()
	if strings.Contains(o, notNeeded) || edited.ino == touched.ino {
		t.Errorf("--if-newer after editing hostfiles: no rebuild\n%s", lastLines(o, 10))
	}
	touched = edited

	o, took = build("--if-newer", "--size", "5G")
	t.Logf("--if-newer, --size 5G: %s", took.Round(time.Millisecond))
	resized := stat()
	if strings.Contains(o, notNeeded) || resized.ino == touched.ino {
		t.Errorf("--if-newer with a new --size: no rebuild\n%s", lastLines(o, 10))
	}
	if resized.size != 5<<30 {
		t.Errorf("--size 5G: root is %d bytes", resized.size)
	}
}

type tarMember struct {
	name     string
	typeflag byte
	uid, gid int
	uname    string
}

func tarMembers(t *testing.T, file string) []tarMember {
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	tr := tar.NewReader(zr)
	var members []tarMember
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return members
		}
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		members = append(members, tarMember{h.Name, h.Typeflag, h.Uid, h.Gid, h.Uname})
	}
}

// prepareDrops are the packages of the bash + coreutils closure that
// supermin 5.2.2's resolver drops on Debian 12 (see superminDrops for how),
// so their configuration files are only in our base.tar.gz.
var prepareDrops = map[string]string{
	"mawk": `base-files Pre-Depends on "awk", a virtual package that mawk Provides: supermin looks for a package literally named "awk"`,
}

// diffMembers compares base.tar.gz member names, accepting extra members
// of ours only when dpkg says a package in prepareDrops owns them.
func diffMembers(t *testing.T, ours, theirs []string) []string {
	s := map[string]bool{}
	for _, n := range theirs {
		s[n] = true
	}
	var diffs []string
	for _, n := range ours {
		if s[n] {
			delete(s, n)
			continue
		}
		path := strings.TrimPrefix(n, ".")
		b, err := exec.Command("dpkg-query", "-S", path).Output()
		owner, _, _ := strings.Cut(string(b), ":")
		if err != nil || prepareDrops[owner] == "" {
			diffs = append(diffs, fmt.Sprintf("only ours: %s (package %q)", n, owner))
		}
	}
	for n := range s {
		diffs = append(diffs, "only supermin's: "+n)
	}
	sort.Strings(diffs)
	return diffs
}

// TestPrepare: --prepare --use-installed writes the packages file and a
// base.tar.gz of the packages' configuration files, owned by root, with
// the members the real supermin --use-installed puts there, and the same
// bytes every time. (Without --use-installed: prepare_test.go.)
func TestPrepare(t *testing.T) {
	testtool.Need(t, "supermin", "dpkg-query")
	tmp := t.TempDir()
	ours, again, theirs := filepath.Join(tmp, "ours"), filepath.Join(tmp, "again"), filepath.Join(tmp, "supermin")
	run(t, nil, ourSupermin(t, "--prepare", "bash", "coreutils", "--use-installed", "-o", ours)...)
	run(t, nil, "supermin", "--prepare", "bash", "coreutils", "--use-installed", "-o", theirs)

	if b, err := os.ReadFile(filepath.Join(ours, "packages")); err != nil || string(b) != "bash\ncoreutils\n" {
		t.Errorf("packages: %q, %v; want %q", b, err, "bash\ncoreutils\n")
	}
	var names []string
	for _, m := range tarMembers(t, filepath.Join(ours, "base.tar.gz")) {
		names = append(names, m.name)
		if m.uid != 0 || m.gid != 0 {
			t.Errorf("base.tar.gz: %s is owned by %d:%d", m.name, m.uid, m.gid)
		}
		if m.typeflag != tar.TypeReg || !strings.HasPrefix(m.name, "./etc/") {
			t.Errorf("base.tar.gz: %s (type %q) is not a regular file under ./etc/", m.name, m.typeflag)
		}
	}
	var want []string
	for _, m := range tarMembers(t, filepath.Join(theirs, "base.tar.gz")) {
		want = append(want, m.name)
	}
	for _, d := range diffMembers(t, names, want) {
		t.Errorf("base.tar.gz: %s", d)
	}

	time.Sleep(1100 * time.Millisecond) // a timestamp taken at run time would now differ
	run(t, nil, ourSupermin(t, "--prepare", "bash", "coreutils", "--use-installed", "-o", again)...)
	if sha(t, filepath.Join(ours, "base.tar.gz")) != sha(t, filepath.Join(again, "base.tar.gz")) {
		t.Error("two --prepare runs wrote different base.tar.gz")
	}
}

// TestCommandLineErrors: for bad and informational command lines, the
// drop-in exits as supermin does and words its errors the same way.
func TestCommandLineErrors(t *testing.T) {
	testtool.Need(t, "supermin")
	out := filepath.Join(t.TempDir(), "out") // never created
	cases := []struct {
		name string
		args []string
		want string // in supermin's output and ours (stdout or stderr)
	}{
		{"no arguments", nil, "you must use --prepare or --build to select the mode"},
		{"no mode", []string{"-o", out}, "you must use --prepare or --build to select the mode"},
		{"two modes", []string{"--build", "--prepare", "-o", out}, "you must use --prepare or --build to select the mode"},
		{"build without format", []string{"--build", "-o", out, guestfsD}, "when using --build, you must specify an output --format"},
		{"unknown format", []string{"--build", "-f", "ext3", "-o", out, guestfsD}, "unknown --format option (ext3)"},
		{"prepare with format", []string{"--prepare", "-f", "ext2", "-o", out, "bash"}, "cannot use --prepare and --format options together"},
		{"no output", []string{"--build", "-f", "ext2", guestfsD}, "output directory (-o option) must be supplied"},
		{"bad size", []string{"--build", "-f", "ext2", "--size", "1X", "-o", out, guestfsD}, ""},
		{"dtb", []string{"--dtb", "x"}, "The --dtb option was removed"},
		{"names", []string{"--names"}, "This is supermin version 5"},
		{"unknown option", []string{"--no-such-option"}, ""},
		{"double dash", []string{"--build", "-f", "ext2", "--", "-o", out, guestfsD}, "unknown option '--'"},
		{"size too large", []string{"--build", "-f", "ext2", "--size", "99999999999G", "-o", out, guestfsD}, ""},
		{"missing argument", []string{"--build", "-f", "ext2", "-o", out, guestfsD, "--size"}, ""},
		{"list drivers", []string{"--list-drivers"}, "debian/dpkg\tdetected"},
		{"-V", []string{"-V"}, ""},
		{"--version", []string{"--version"}, ""},
		{"help", []string{"--help"}, ""},
	}
	link := symlinkedSupermin(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			theirs := runCode(t, nil, append([]string{"supermin"}, c.args...)...)
			if c.want != "" && !strings.Contains(theirs.stdout+theirs.stderr, c.want) {
				t.Fatalf("the oracle changed: supermin %v: no %q in\n%s%s", c.args, c.want, theirs.stdout, theirs.stderr)
			}
			for _, argv := range [][]string{ourSupermin(t, c.args...), append([]string{link}, c.args...)} {
				ours := runCode(t, nil, argv...)
				how := strings.Join(argv[:len(argv)-len(c.args)], " ")
				if ours.code != theirs.code {
					t.Errorf("%s: exit %d, supermin %d\nours: %s%s\nsupermin: %s%s", how, ours.code, theirs.code,
						ours.stdout, ours.stderr, theirs.stdout, theirs.stderr)
				}
				if c.want != "" && !strings.Contains(ours.stdout+ours.stderr, c.want) {
					t.Errorf("%s: no %q in\n%s%s", how, c.want, ours.stdout, ours.stderr)
				}
				if strings.HasPrefix(theirs.stderr, "supermin: ") && !strings.HasPrefix(ours.stderr, "supermin: ") {
					t.Errorf("%s: stderr should begin with \"supermin: \" as supermin's does; got\n%s", how, ours.stderr)
				}
				if strings.HasPrefix(c.name, "-V") || c.name == "--version" {
					if !strings.HasPrefix(ours.stdout, "supermin ") {
						t.Errorf("%s: version line %q does not begin with \"supermin \"", how, ours.stdout)
					}
				}
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("an output directory was created by a failing command line")
				os.RemoveAll(out)
			}
		})
	}
}
