package e2e

import (
	"archive/tar"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// The drop-in on an rpm host: a root made by Debian's rpm from real
// Fedora, CentOS and openSUSE packages (sqlite database, as current
// Fedora and RHEL keep it), with our static binary run in it by chroot,
// as supermin. rpm, queried on the same root, is the oracle.

// rpmRootPackages are installed into the root: a consistent set of
// noarch and x86_64 packages whose files do not clash. centos-stream-release
// makes it a CentOS host (/etc/os-release, /etc/redhat-release) and
// provides what epel-release requires.
var rpmRootPackages = []string{"el/centos-stream-release-9.0-1.c9s.noarch.rpm", "el/epel-release-7-5.noarch.rpm",
	"el/monkeysphere-0.37-1.el7.noarch.rpm", "el/crypto-policies-20210617-1.gitc776d3e.el8.noarch.rpm",
	"fedora/hello-2.12.1-2.fc39.x86_64.rpm", "fedora/ngircd-22-2.fc22.x86_64.rpm", "fedora/xmlstarlet-1.6.1-14.fc32.x86_64.rpm",
	"fedora/perl-srpm-macros-1-10.fc20.noarch.rpm", "opensuse/mc-4.8.21-2.1.x86_64.rpm"}

// rpmRoot installs pkgs (paths under the rpm fixtures) into a new root
// with `rpm -i --nodeps --noscripts`, its database where Fedora keeps it,
// and puts our static binary in it as /usr/bin/supermin.
func rpmRoot(t *testing.T, pkgs []string) string {
	testtool.Need(t, "rpm", "chroot")
	testtool.Root(t)
	root := t.TempDir()
	dir := testtool.Fixture(t, rpmFixtures)
	args := []string{"--root", root, "--dbpath", "/usr/lib/sysimage/rpm", "-i", "--nodeps", "--noscripts", "--nosignature"}
	for _, p := range pkgs {
		args = append(args, filepath.Join(dir, p))
	}
	run(t, nil, append([]string{"rpm"}, args...)...)
	if err := os.Mkdir(filepath.Join(root, "tmp"), 0o1777); err != nil { // the filesystem package's, on a real host
		t.Fatal(err)
	}
	bin := filepath.Join(root, "usr/bin/supermin")
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(staticBinary(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	return root
}

var static struct {
	once sync.Once
	bin  string
	err  error
}

// staticBinary builds supermin-compile without cgo, to run in a root that
// has no C library.
func staticBinary(t testing.TB) string {
	static.once.Do(func() {
		dir, err := os.MkdirTemp("", "smc-static-")
		if err != nil {
			static.err = err
			return
		}
		static.bin = filepath.Join(dir, "supermin-compile")
		cmd := exec.Command("go", "build", "-o", static.bin, "../cmd/supermin-compile")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			static.err = err
			t.Logf("%s", out)
		}
	})
	if static.err != nil {
		t.Fatal(static.err)
	}
	return static.bin
}

// rpmQuery runs rpm -q on root's database and returns its output lines;
// "no package provides" and "not installed" answers are left out.
func rpmQuery(t *testing.T, root string, args ...string) []string {
	cmd := exec.Command("rpm", append([]string{"--root", root, "--dbpath", "/usr/lib/sysimage/rpm", "-q"}, args...)...)
	out, err := cmd.Output()
	if _, exit := err.(*exec.ExitError); err != nil && !exit {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if l != "" && !strings.HasPrefix(l, "no package provides") && !strings.HasSuffix(l, "is not installed") &&
			!strings.HasSuffix(l, "is not owned by any package") {
			lines = append(lines, l)
		}
	}
	return lines
}

// rpmClosure is what supermin's rpm driver resolves: the named packages
// and, recursively, the installed packages that provide what they
// require (rpm --whatprovides), by name, as supermin's librpm query
// (RPMTAG_REQUIRENAME) asks.
func rpmClosure(t *testing.T, root string, names []string) []string {
	closure := map[string]bool{}
	for len(names) > 0 {
		var reqs []string
		for _, n := range names {
			closure[n] = true
			reqs = append(reqs, rpmQuery(t, root, "--qf", "[%{REQUIRENAME}\n]", n)...)
		}
		names = nil
		for _, n := range rpmQuery(t, root, append([]string{"--qf", "%{NAME}\n", "--whatprovides"}, reqs...)...) {
			if !closure[n] && !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	var out []string
	for n := range closure {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// inRoot runs our binary as supermin inside root.
func inRoot(t *testing.T, root string, args ...string) result {
	return runCode(t, nil, append([]string{"chroot", root, "/usr/bin/supermin"}, args...)...)
}

// TestRpmRootPrepareBuild: on an rpm host, --prepare writes the installed
// packages asked for and a base.tar.gz of exactly the %config files of
// their closure (rpm -qlc) that the host has; --build -f chroot then
// holds exactly the closure's files the host has (rpm -ql: %ghost ones
// only where the host has them), and --if-newer rebuilds once the rpm
// database changed.
func TestRpmRootPrepareBuild(t *testing.T) {
	root := rpmRoot(t, rpmRootPackages)
	// ngircd's /etc/ngircd.motd is %config %ghost: rpm installs none, the
	// admin writes one, and then it is the package's configuration.
	writeFile(t, filepath.Join(root, "etc/ngircd.motd"), "welcome\n")
	asked := []string{"ngircd", "monkeysphere", "mc", "epel-release", "crypto-policies"}
	r := inRoot(t, root, append([]string{"--prepare", "--use-installed", "-o", "/supermin.d", "not-installed"}, asked...)...)
	if r.code != 0 {
		t.Fatalf("--prepare: exit %d\n%s", r.code, r.stderr)
	}
	want := slices.Clone(asked)
	sort.Strings(want)
	if b, _ := os.ReadFile(filepath.Join(root, "supermin.d/packages")); string(b) != strings.Join(want, "\n")+"\n" {
		t.Errorf("packages file: %q, want %q", b, strings.Join(want, "\n")+"\n")
	}
	closure := rpmClosure(t, root, asked)
	t.Logf("closure by rpm --whatprovides: %v", closure)

	var configs, members []string
	for _, c := range rpmQuery(t, root, append([]string{"-c"}, closure...)...) {
		if fi, err := statIn(root, c); err == nil && !fi.IsDir() { // supermin's open check
			configs = append(configs, "."+c)
		}
	}
	for _, m := range tarMembers(t, filepath.Join(root, "supermin.d/base.tar.gz")) {
		members = append(members, m.name)
		if m.typeflag != tar.TypeReg && m.typeflag != tar.TypeSymlink {
			t.Errorf("base.tar.gz: %s has type %q", m.name, m.typeflag)
		}
	}
	if d := testtool.LineDiff(sorted(configs), sorted(members)); d != "" {
		t.Errorf("base.tar.gz members (+) against rpm -qlc of the closure (-):\n%s", d)
	}
	for _, m := range []string{"./etc/ngircd.conf", "./etc/ngircd.motd"} {
		if !slices.Contains(members, m) {
			t.Errorf("base.tar.gz lacks %s, which ngircd flags %%config", m)
		}
	}

	r = inRoot(t, root, "--build", "-f", "chroot", "--if-newer", "-o", "/appliance", "/supermin.d")
	if r.code != 0 {
		t.Fatalf("--build: exit %d\n%s", r.code, r.stderr)
	}
	got := walked(t, filepath.Join(root, "appliance"))
	sameSet(t, "chroot against rpm -ql of the closure", withoutFingerprint(got), withParents(rpmFiles(t, root, closure)))

	if r = inRoot(t, root, "--build", "-f", "chroot", "--if-newer", "-v", "-o", "/appliance", "/supermin.d"); !strings.Contains(r.stdout, notNeeded) {
		t.Errorf("an unchanged host rebuilt:\n%s", r.stdout)
	}
	run(t, nil, "rpm", "--root", root, "--dbpath", "/usr/lib/sysimage/rpm", "-e", "--nodeps", "--noscripts", "hello")
	if r = inRoot(t, root, "--build", "-f", "chroot", "--if-newer", "-v", "-o", "/appliance", "/supermin.d"); r.code != 0 || strings.Contains(r.stdout, notNeeded) {
		t.Errorf("after rpm -e changed the database, --if-newer did not rebuild (exit %d):\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestRpmRootListDrivers: --list-drivers prints supermin's drivers in its
// order (the real supermin's, on this host, is the oracle) and, in the
// rpm root, only fedora/rpm detected, as supermin would on CentOS.
func TestRpmRootListDrivers(t *testing.T) {
	testtool.Need(t, "supermin")
	theirs := run(t, nil, "supermin", "--list-drivers")
	if ours := run(t, nil, ourSupermin(t, "--list-drivers")...); ours != theirs {
		t.Errorf("--list-drivers on this host:\n%s\nsupermin says:\n%s", ours, theirs)
	}
	root := rpmRoot(t, rpmRootPackages)
	r := inRoot(t, root, "--list-drivers")
	var want []string
	for _, line := range strings.Split(strings.TrimSpace(theirs), "\n") {
		name, _, _ := strings.Cut(line, "\t")
		state := "not-detected"
		if name == "fedora/rpm" {
			state = "detected"
		}
		want = append(want, name+"\t"+state)
	}
	if d := testtool.LineDiff(want, strings.Split(strings.TrimSpace(r.stdout), "\n")); r.code != 0 || d != "" {
		t.Errorf("--list-drivers in the rpm root (exit %d):\n%s", r.code, d)
	}
}

// rpmFiles is what rpm lists for pkgs that root has: all but the %ghost
// files rpm did not create.
func rpmFiles(t *testing.T, root string, pkgs []string) []string {
	var files []string
	for _, f := range rpmQuery(t, root, append([]string{"-l"}, pkgs...)...) {
		if _, err := os.Lstat(filepath.Join(root, f)); err == nil {
			files = append(files, f)
		}
	}
	return files
}

// TestRpmRootExt2: --build -f ext2 on the rpm host gives an image that
// e2fsck passes, holding the closure's files as rpm lists them and the
// kernel's modules directory. The kernel is this host's, copied into the
// root's /boot; its modules directory there holds only an empty
// modules.dep, which is all the search asks for.
func TestRpmRootExt2(t *testing.T) {
	testtool.Need(t, "e2fsck", "debugfs")
	kernels, _ := filepath.Glob("/boot/vmlinuz-*")
	if len(kernels) == 0 {
		testtool.Unavailable(t, "no kernel in /boot to copy into the rpm root")
	}
	root := rpmRoot(t, rpmRootPackages)
	version := strings.TrimPrefix(filepath.Base(kernels[0]), "vmlinuz-")
	modules := filepath.Join(root, "lib/modules", version)
	for _, dir := range []string{filepath.Join(root, "boot"), modules} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	run(t, nil, "cp", kernels[0], filepath.Join(root, "boot"))
	writeFile(t, filepath.Join(modules, "modules.dep"), "")

	asked := []string{"ngircd", "epel-release", "xmlstarlet"}
	for _, args := range [][]string{append([]string{"--prepare", "--use-installed", "-o", "/supermin.d"}, asked...),
		{"--build", "-f", "ext2", "-o", "/appliance", "/supermin.d"}} {
		if r := inRoot(t, root, args...); r.code != 0 {
			t.Fatalf("%v: exit %d\n%s", args, r.code, r.stderr)
		}
	}
	img := filepath.Join(root, "appliance/root")
	if out, err := exec.Command("e2fsck", "-fn", img).CombinedOutput(); err != nil {
		t.Fatalf("e2fsck -fn: %v\n%s", err, out)
	}
	got := slices.DeleteFunc(walked(t, rdump(t, img)), func(p string) bool { return p == "/lost+found" })
	want := append(rpmFiles(t, root, rpmClosure(t, root, asked)), "/lib/modules/"+version+"/modules.dep")
	sameSet(t, "ext2 image against rpm -ql of the closure", got, withParents(want))
}

// TestRpmRootPreparePristine: without --use-installed, the %config files
// come from the packages as shipped, not as the host edited them: the
// .rpm is downloaded from the host's repository (a createrepo_c one
// served here, named in /etc/yum.repos.d, its signatures checked with
// the EPEL key epel-release installed), as supermin's dnf download does.
// rpm2cpio of the same .rpm is the oracle.
func TestRpmRootPreparePristine(t *testing.T) {
	root := rpmRoot(t, []string{"el/epel-release-7-5.noarch.rpm", "el/monkeysphere-0.37-1.el7.noarch.rpm"})
	_, url := rpmRepo(t)
	epel := filepath.Join(root, "etc/yum.repos.d/epel.repo") // the admin turns the mirrors off ...
	b, err := os.ReadFile(epel)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, epel, strings.Replace(string(b), "enabled=1", "enabled=0", 1))
	writeFile(t, filepath.Join(root, "etc/yum.repos.d/local.repo"), // ... uses a local one ...
		"[local]\nbaseurl="+url+"\ngpgcheck=1\ngpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-EPEL-7\n")
	conf := filepath.Join(root, "etc/monkeysphere/monkeysphere.conf") // ... and edits a configuration file
	b, err = os.ReadFile(conf)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, conf, string(b)+"# edited on the host\n")

	if r := inRoot(t, root, "--prepare", "monkeysphere", "-o", "/supermin.d"); r.code != 0 {
		t.Fatalf("--prepare: exit %d\n%s", r.code, r.stderr)
	}
	shipped := t.TempDir()
	rpmFile := filepath.Join(testtool.Fixture(t, rpmFixtures), "el/monkeysphere-0.37-1.el7.noarch.rpm")
	run(t, nil, "sh", "-c", `rpm2cpio "$1" | cpio -idm --quiet -D "$2"`, "sh", rpmFile, shipped)
	got := untar(t, filepath.Join(root, "supermin.d/base.tar.gz"))
	var want []string
	for _, c := range rpmQuery(t, root, "-c", "monkeysphere") {
		want = append(want, "."+c)
		data, err := os.ReadFile(filepath.Join(shipped, c))
		if err != nil {
			t.Fatal(err)
		}
		if m, ok := got["."+c]; !ok || m.sha != sumOf(data) {
			t.Errorf("base.tar.gz: %s is not the file the .rpm ships (in the tarball: %v)", c, ok)
		}
	}
	if d := testtool.LineDiff(sorted(want), sorted(memberNames(got))); d != "" {
		t.Errorf("base.tar.gz members (+) against rpm -qc monkeysphere (-):\n%s", d)
	}
}

// statIn stats p as a process chrooted into root sees it when p itself
// is a symbolic link: absolute targets are under root.
func statIn(root, p string) (os.FileInfo, error) {
	for range 40 {
		target, err := os.Readlink(filepath.Join(root, p))
		if err != nil {
			break
		}
		if !path.IsAbs(target) {
			target = path.Join(path.Dir(p), target)
		}
		p = target
	}
	return os.Stat(filepath.Join(root, p))
}

// withParents adds the directories above each path, and the root, which a chroot has
// whether or not a package lists them.
func withParents(paths []string) []string {
	set := map[string]bool{"/": true}
	for _, p := range paths {
		for ; p != "/" && p != "." && !set[p]; p = path.Dir(p) {
			set[p] = true
		}
	}
	var out []string
	for p := range set {
		out = append(out, p)
	}
	return sorted(out)
}

func withoutFingerprint(paths []string) []string {
	return slices.DeleteFunc(paths, func(p string) bool { return p == "/.supermin-compile.fingerprint" })
}
