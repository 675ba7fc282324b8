package e2e

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// Appliances from .deb files (source type deb-dir) and apt indexes
// (apt-index). The packages are real Debian ones, downloaded by
// resolver/deb/testdata/fetchdebs.sh into a cache kept between runs; the
// oracle for their contents is dpkg-deb.

// fetchDebDir puts the .debs of pkgs and of their closure (as apt computes
// it) into a new directory, as links into the download cache.
func fetchDebDir(t testing.TB, pkgs ...string) string {
	testtool.Need(t, "apt-get", "flock", "dpkg-deb")
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	cache = filepath.Join(cache, "supermin-compile-test-debs")
	ensureAptLists(t)
	cmd := exec.Command("sh", append([]string{"../resolver/deb/testdata/fetchdebs.sh", cache}, pkgs...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		testtool.Unavailable(t, fmt.Sprintf("downloading %v failed (network? apt-get update?): %v\n%s", pkgs, err, stderr.String()))
	}
	dir := t.TempDir()
	for _, f := range strings.Fields(string(out)) {
		if err := os.Symlink(filepath.Join(cache, f), filepath.Join(dir, f)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// ensureAptLists runs apt-get update when apt has no Packages lists.
func ensureAptLists(t testing.TB) {
	if len(aptIndexes(t)) > 0 {
		return
	}
	if out, err := exec.Command("apt-get", "update", "-q").CombinedOutput(); err != nil {
		testtool.Unavailable(t, fmt.Sprintf("apt-get update: %v\n%s", err, out))
	}
}

// aptIndexes lists the Packages files apt reads for this architecture.
func aptIndexes(t testing.TB) []string {
	arch := strings.TrimSpace(run(t, nil, "dpkg", "--print-architecture"))
	out, _ := exec.Command("apt-get", "indextargets", "--format", "$(FILENAME)", "Created-By: Packages", "Architecture: "+arch).Output()
	var files []string
	for _, f := range strings.Fields(string(out)) {
		for _, ext := range []string{"", ".lz4", ".gz", ".xz", ".zst"} {
			if _, err := os.Stat(f + ext); err == nil {
				files = append(files, f+ext)
				break
			}
		}
	}
	return files
}

// debManifest writes a manifest for a deb-dir source and returns its path.
func debManifest(t testing.TB, dir, format string, pkgs []string, extra string) string {
	m := filepath.Join(t.TempDir(), "app.toml")
	writeFile(t, m, fmt.Sprintf("packages = %s\nformat = %q\nkernel = false\nsize = \"256M\"\n%s\n[source]\ntype = \"deb-dir\"\npath = %q\n",
		tomlList(pkgs), format, extra, dir))
	return m
}

// tomlList renders strings as a TOML array.
func tomlList(s []string) string {
	q := make([]string, len(s))
	for i, x := range s {
		q[i] = fmt.Sprintf("%q", x)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// debMember is one line of dpkg-deb -c (tar -tv) for a .deb.
type debMember struct {
	path, mode, owner, link string // link: symlink target, or "=" + hard-link target
}

var tvLine = regexp.MustCompile(`^(\S+) (\S+) +\S+ \S+ \S+ (.*)$`)

func dpkgMembers(t *testing.T, deb string) []debMember {
	cmd := exec.Command("sh", "-c", `dpkg-deb --fsys-tarfile "$1" | tar -tvf - --numeric-owner --full-time --quoting-style=literal`, "sh", deb)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("dpkg-deb -c %s: %v", deb, err)
	}
	var ms []debMember
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		m := tvLine.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("tar -tv line %q", l)
		}
		dm := debMember{mode: m[1], owner: m[2]}
		name := m[3]
		if a, b, ok := strings.Cut(name, " -> "); ok {
			name, dm.link = a, b
		} else if a, b, ok := strings.Cut(name, " link to "); ok {
			name, dm.link = a, "="+path.Clean("/"+b)
		}
		dm.path = path.Clean("/" + name)
		ms = append(ms, dm)
	}
	return ms
}

// checkTree checks that root holds every member of every .deb in dir with
// dpkg's type, permissions, owner, link target and, for regular files,
// the bytes dpkg-deb -x unpacks.
// For a tree that debugfs rdump made (img set), which drops the setgid and
// sticky bits of directories, those come from debugfs stat instead.
func checkTree(t *testing.T, root, dir, img string) {
	debs, _ := filepath.Glob(filepath.Join(dir, "*.deb"))
	if len(debs) == 0 {
		t.Fatal("no .debs")
	}
	n := 0
	for _, deb := range debs {
		x := filepath.Join(t.TempDir(), "x")
		run(t, nil, "dpkg-deb", "-x", deb, x)
		for _, m := range dpkgMembers(t, deb) {
			n++
			if img != "" && m.mode[0] == 'd' {
				m.mode = checkDirMode(t, img, m)
			}
			if err := checkMember(root, x, m); err != nil {
				t.Errorf("%s: %s: %v", filepath.Base(deb), m.path, err)
			}
		}
	}
	t.Logf("%d members of %d .debs checked", n, len(debs))
}

// checkDirMode checks a directory's special bits in the image and returns
// the mode rdump gives it: without them.
func checkDirMode(t *testing.T, img string, m debMember) string {
	plain := strings.NewReplacer("s", "x", "S", "-", "t", "x", "T", "-").Replace(m.mode)
	if plain == m.mode {
		return m.mode
	}
	out := run(t, nil, "debugfs", "-R", "stat "+m.path, img)
	var mode int
	if _, after, ok := strings.Cut(out, "Mode:"); !ok {
		t.Errorf("debugfs stat %s: no mode in %q", m.path, out)
	} else if _, err := fmt.Sscanf(strings.TrimSpace(after), "%o", &mode); err != nil {
		t.Errorf("debugfs stat %s: no mode in %q", m.path, out)
	}
	if got := lsMode(fs.ModeDir | fs.FileMode(mode&0o777) | specialBits(mode)); got != m.mode {
		t.Errorf("%s: mode in the image %s, dpkg says %s", m.path, got, m.mode)
	}
	return plain
}

func specialBits(mode int) fs.FileMode {
	var m fs.FileMode
	for bit, fm := range map[int]fs.FileMode{0o4000: fs.ModeSetuid, 0o2000: fs.ModeSetgid, 0o1000: fs.ModeSticky} {
		if mode&bit != 0 {
			m |= fm
		}
	}
	return m
}

func checkMember(root, x string, m debMember) error {
	p := filepath.Join(root, m.path)
	fi, err := os.Lstat(p)
	if err != nil {
		return err
	}
	if got := lsMode(fi.Mode()); got[1:] != m.mode[1:] || (m.mode[0] != 'h' && got[0] != m.mode[0]) {
		return fmt.Errorf("mode %s, dpkg says %s", got, m.mode)
	}
	st := fi.Sys().(*syscall.Stat_t)
	if got := fmt.Sprintf("%d/%d", st.Uid, st.Gid); got != m.owner && fi.Mode().Type() != fs.ModeSymlink {
		return fmt.Errorf("owner %s, dpkg says %s", got, m.owner)
	}
	switch {
	case strings.HasPrefix(m.link, "="):
		target, err := os.Lstat(filepath.Join(root, m.link[1:]))
		if err != nil || !os.SameFile(fi, target) {
			return fmt.Errorf("not a hard link to %s (%v)", m.link[1:], err)
		}
	case m.link != "":
		if got, _ := os.Readlink(p); got != m.link {
			return fmt.Errorf("link to %q, dpkg says %q", got, m.link)
		}
	}
	if fi.Mode().IsRegular() {
		if got, want := shaOf(p), shaOf(filepath.Join(x, m.path)); got != want {
			return fmt.Errorf("contents differ from dpkg-deb -x")
		}
	}
	return nil
}

func shaOf(file string) string {
	out, err := exec.Command("sha256sum", file).Output()
	if err != nil {
		return "error: " + err.Error()
	}
	return strings.Fields(string(out))[0]
}

// lsMode renders a mode as tar -tv does: "-rwsr-xr-x", "drwxrwxrwt".
func lsMode(m fs.FileMode) string {
	s := []byte("?---------")
	for c, typ := range map[byte]fs.FileMode{'d': fs.ModeDir, 'l': fs.ModeSymlink, 'p': fs.ModeNamedPipe} {
		if m&typ != 0 {
			s[0] = c
		}
	}
	switch {
	case m.IsRegular():
		s[0] = '-'
	case m&fs.ModeCharDevice != 0:
		s[0] = 'c'
	case m&fs.ModeDevice != 0:
		s[0] = 'b'
	}
	for i := range 9 {
		if m&(1<<(8-i)) != 0 {
			s[1+i] = "rwxrwxrwx"[i]
		}
	}
	for _, sp := range []struct {
		bit fs.FileMode
		i   int
		x   string
	}{{fs.ModeSetuid, 3, "sS"}, {fs.ModeSetgid, 6, "sS"}, {fs.ModeSticky, 9, "tT"}} {
		if m&sp.bit != 0 {
			s[sp.i] = sp.x[map[bool]int{true: 0, false: 1}[s[sp.i] == 'x']]
		}
	}
	return string(s)
}

// resolved runs `supermin-compile resolve` and returns "name version arch" lines.
func resolved(t testing.TB, manifest string, args ...string) []string {
	return strings.Split(strings.TrimSpace(run(t, nil, append([]string{binary(t), "resolve", manifest}, args...)...)), "\n")
}

// TestDebDirChroot builds bash and busybox-static from their .debs into a
// chroot: the closure is exactly the .debs apt chose, and the tree holds
// every member of every .deb as dpkg-deb -x unpacks it.
func TestDebDirChroot(t *testing.T) {
	testtool.Root(t) // owners
	dir := fetchDebDir(t, "bash", "busybox-static")
	m := debManifest(t, dir, "chroot", []string{"bash", "busybox-static"}, "")
	debs, _ := filepath.Glob(filepath.Join(dir, "*.deb"))
	if got := resolved(t, m); len(got) != len(debs) {
		t.Errorf("closure of %d packages from %d .debs:\n%s", len(got), len(debs), strings.Join(got, "\n"))
	}
	out := filepath.Join(t.TempDir(), "out")
	run(t, nil, binary(t), "build", m, "-o", out)
	checkTree(t, out, dir, "")
	if b, err := exec.Command("chroot", out, "/bin/bash", "-c", "echo $BASH_VERSION; busybox true").CombinedOutput(); err != nil ||
		!strings.HasPrefix(string(b), "5.") {
		t.Errorf("bash in the chroot: %v %s", err, b)
	}
}

// TestDebDirExt2 builds the same appliance as an ext2 image: e2fsck -fn
// passes, and debugfs's copy of the tree matches dpkg-deb again (the
// image is written from two goroutines reading out of the archives).
func TestDebDirExt2(t *testing.T) {
	testtool.Need(t, "e2fsck", "debugfs")
	testtool.Root(t)
	dir := fetchDebDir(t, "bash", "busybox-static")
	m := debManifest(t, dir, "ext2", []string{"bash", "busybox-static"}, "")
	out := filepath.Join(t.TempDir(), "out")
	run(t, nil, binary(t), "build", m, "-o", out)
	img := filepath.Join(out, "root")
	if b, err := exec.Command("e2fsck", "-fn", img).CombinedOutput(); err != nil {
		t.Fatalf("e2fsck -fn: %v\n%s", err, b)
	}
	checkTree(t, rdump(t, img), dir, img)
}

// TestBootFromDebDir boots an appliance made of busybox-static's .deb
// alone, the host's kernel and our initrd.
func TestBootFromDebDir(t *testing.T) {
	testtool.Need(t, "qemu-system-x86_64")
	dir := fetchDebDir(t, "busybox-static")
	init := `
[kernel]
root_modules = false

[[file]]
path = "/init"
mode = 0o755
content = """
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
echo "` + marker + `: $(/bin/busybox cat /proc/version)"
echo o > /proc/sysrq-trigger
"""

[[file]]
path = "/proc"
directory = true
`
	m := filepath.Join(t.TempDir(), "boot.toml")
	writeFile(t, m, fmt.Sprintf("packages = [\"busybox-static\"]\nsize = \"64M\"\n%s\n[source]\ntype = \"deb-dir\"\npath = %q\n", init, dir))
	out := filepath.Join(t.TempDir(), "boot.d")
	run(t, nil, binary(t), "build", m, "-o", out)
	t.Logf("marker after %s", bootQEMU(t, out, "/dev/vda"))
}

// TestAptIndexBuild resolves against the host's apt indexes and builds
// from the download cache as a flat pool; with essential = true the
// closure holds every essential package; a package whose .deb is not in
// the pool fails the build with one error listing every missing .deb.
func TestAptIndexBuild(t *testing.T) {
	dir := fetchDebDir(t, "busybox-static", "bash")
	indexes := aptIndexes(t)
	src := fmt.Sprintf("[source]\ntype = \"apt-index\"\npath = %q\nindexes = %s\n", dir, tomlList(indexes))
	m := filepath.Join(t.TempDir(), "app.toml")
	writeFile(t, m, "packages = [\"busybox-static\", \"bash\"]\nformat = \"chroot\"\nkernel = false\n"+src)
	out := filepath.Join(t.TempDir(), "out")
	run(t, nil, binary(t), "build", m, "-o", out)
	checkTree(t, out, dir, "")

	writeFile(t, m, "packages = [\"bash\"]\nformat = \"chroot\"\n"+src+"essential = true\n")
	got := resolved(t, m)
	for _, want := range []string{"dpkg ", "coreutils ", "perl-base ", "util-linux "} {
		if !slices.ContainsFunc(got, func(l string) bool { return strings.HasPrefix(l, want) }) {
			t.Errorf("essential = true: no %s in the closure", want)
		}
	}
	r := runCode(t, nil, binary(t), "build", m, "-o", filepath.Join(t.TempDir(), "out2"))
	if r.code == 0 || !strings.Contains(r.stderr, "package archives are missing") ||
		!strings.Contains(r.stderr, "dpkg ") || !strings.Contains(r.stderr, "perl-base ") {
		t.Errorf("build without the essential .debs: exit %d\n%s", r.code, r.stderr)
	}
}
