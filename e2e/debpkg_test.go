package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// The Debian package (`make deb`, scripts/mkdeb.sh) judged by dpkg itself:
// installed with dpkg -i, upgraded, and removed, on this host's own dpkg
// database and /usr, but seen through a private mount namespace with a
// copy-on-write overlay on /usr, /etc and /var. So the host and any test
// running beside this one (several use the real /usr/bin/supermin) never
// see the diversion, and whatever happens to the test, the host needs no
// restoring: the overlay goes when the namespace does.

// isolatedHost is this host in a mount namespace of its own, where
// /usr, /etc and /var are writable copies and /var/tmp is varTmp.
type isolatedHost struct {
	ns     string // the namespace, bind-mounted on a file, for nsenter
	varTmp string
}

func newIsolatedHost(t *testing.T) *isolatedHost {
	t.Helper()
	testtool.Root(t)
	testtool.Need(t, "unshare", "nsenter", "mount", "umount")
	keep, upper, varTmp := t.TempDir(), t.TempDir(), t.TempDir()
	// unshare --mount=FILE needs FILE on a mount that does not propagate.
	run(t, nil, "mount", "--bind", keep, keep)
	t.Cleanup(func() { umount(t, keep) })
	run(t, nil, "mount", "--make-private", keep)
	h := &isolatedHost{ns: filepath.Join(keep, "mnt"), varTmp: varTmp}
	if err := os.WriteFile(h.ns, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	script := `set -e
for d in usr etc var; do
	mkdir -p "$1/$d" "$1/$d.work"
	mount -t overlay overlay -o "lowerdir=/$d,upperdir=$1/$d,workdir=$1/$d.work" "/$d"
done
mount --bind "$2" /var/tmp`
	cmd := exec.Command("unshare", "--mount="+h.ns, "--propagation", "private", "sh", "-c", script, "sh", upper, varTmp)
	out, err := cmd.CombinedOutput()
	if cmd.Process != nil {
		t.Cleanup(func() { exec.Command("umount", h.ns).Run() }) // bound even when the script failed
	}
	if err != nil {
		testtool.Unavailable(t, "no private overlay of /usr, /etc and /var: "+err.Error()+": "+string(out))
	}
	// dpkg must never write to the host's own /usr, /etc or /var.
	if out := h.run(t, "stat", "-f", "-c", "%T", "/usr", "/etc", "/var"); out != strings.Repeat("overlayfs\n", 3) {
		t.Fatalf("the namespace's /usr, /etc and /var are not all overlays: %q", out)
	}
	return h
}

func umount(t *testing.T, path string) {
	if out, err := exec.Command("umount", path).CombinedOutput(); err != nil {
		t.Errorf("umount %s: %v %s", path, err, out)
	}
}

// argv returns argv to run inside the namespace.
func (h *isolatedHost) argv(argv ...string) []string {
	return append([]string{"nsenter", "--mount=" + h.ns, "--"}, argv...)
}

// run runs argv inside the namespace and returns its output; it fails the
// test if argv fails.
func (h *isolatedHost) run(t *testing.T, argv ...string) string {
	t.Helper()
	out, err := exec.Command(h.argv(argv...)[0], h.argv(argv...)[1:]...).CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %v\n%s", argv, err, out)
	}
	return string(out)
}

// try runs argv inside the namespace and returns its output and error.
func (h *isolatedHost) try(argv ...string) (string, error) {
	out, err := exec.Command(h.argv(argv...)[0], h.argv(argv...)[1:]...).CombinedOutput()
	return string(out), err
}

// makePackage runs `make deb` with VERSION=version and returns the .deb.
// The binary it builds goes to a temporary directory too, not bin/.
func makePackage(t *testing.T, version string) string {
	t.Helper()
	dir := t.TempDir()
	out := run(t, nil, "make", "-s", "-C", "..", "deb", "VERSION="+version,
		"BIN="+filepath.Join(dir, "supermin-compile"), "DEB_DIR="+dir)
	deb := strings.TrimSpace(lastLines(out, 1))
	if _, err := os.Stat(deb); err != nil {
		t.Fatalf("make deb said %q: %v", out, err)
	}
	return deb
}

var realSupermin = regexp.MustCompile(`^supermin 5\.[0-9.]+\n$`)

// TestDebianPackage: installing the .deb makes /usr/bin/supermin (and `man
// supermin`) supermin-compile, so libguestfs-test-tool, with nothing set
// but TCG, builds its appliance with us and boots it; an upgrade keeps
// that; removing the package brings supermin's own binary and man page
// back, and supermin builds again. And all that where supermin is not
// installed.
func TestDebianPackage(t *testing.T) {
	needLibguestfs(t, "libguestfs-test-tool", "make", "dpkg-deb", "dpkg-shlibdeps", "man")
	first, second := makePackage(t, "1.0~test1"), makePackage(t, "1.0~test2")
	h := newIsolatedHost(t)

	h.run(t, "dpkg", "-i", first)
	checkDiverted(t, h, "1.0~test1")
	out, err := runLong(t, "libguestfs-test-tool", 10*time.Minute, t.TempDir(), nil, h.argv("env",
		"-u", "TMPDIR", "-u", "LIBGUESTFS_CACHEDIR", "-u", "LIBGUESTFS_PATH", "-u", "SUPERMIN",
		"LIBGUESTFS_BACKEND=direct", "LIBGUESTFS_BACKEND_SETTINGS=force_tcg", "libguestfs-test-tool")...)
	if err != nil || !strings.Contains(out, testFinishedOK) {
		t.Fatalf("libguestfs-test-tool with the package installed: %v, no %q; last lines:\n%s", err, testFinishedOK, lastLines(out, 60))
	}
	// libguestfs's default cache, /var/tmp/.guestfs-UID, is varTmp here.
	fingerprints, _ := filepath.Glob(filepath.Join(h.varTmp, ".guestfs-*", "appliance.d", fingerprintPrefix+"*"))
	if len(fingerprints) == 0 {
		t.Fatalf("libguestfs's appliance has no %s* file: supermin-compile did not build it; supermin lines:\n%s",
			fingerprintPrefix, grepLines(out, "supermin"))
	}

	h.run(t, "dpkg", "-i", second) // an upgrade
	checkDiverted(t, h, "1.0~test2")

	h.run(t, "dpkg", "-r", "supermin-compile")
	checkSuperminBack(t, h)

	t.Run("without supermin", func(t *testing.T) { withoutSupermin(t, second) })
}

// withoutSupermin: the package installs and goes away cleanly where
// supermin is not installed: /usr/bin/supermin is us, then nothing.
func withoutSupermin(t *testing.T, deb string) {
	h := newIsolatedHost(t)
	h.run(t, "dpkg", "--remove", "--force-depends", "supermin")

	h.run(t, "dpkg", "-i", deb)
	if out, err := h.try("supermin", "--version"); err != nil || !strings.Contains(out, "supermin-compile 1.0~test2") {
		t.Errorf("supermin --version with the package and no supermin: %v %q, want ours", err, out)
	}
	if _, err := h.try("test", "-e", "/usr/bin/supermin.distrib"); err == nil {
		t.Errorf("/usr/bin/supermin.distrib exists though supermin is not installed")
	}
	h.run(t, "dpkg", "--purge", "supermin-compile")
	if _, err := h.try("test", "-e", "/usr/bin/supermin"); err == nil {
		t.Errorf("/usr/bin/supermin is still there after the purge")
	}
	if out := h.run(t, "dpkg-divert", "--list", "*supermin*"); out != "" {
		t.Errorf("diversions left after the purge:\n%s", out)
	}
}

// checkDiverted: /usr/bin/supermin and supermin(1) are ours at version,
// supermin's are beside them as *.distrib.
func checkDiverted(t *testing.T, h *isolatedHost, version string) {
	t.Helper()
	if out := h.run(t, "dpkg-query", "-W", "-f", "${Version}", "supermin-compile"); out != version {
		t.Errorf("installed version %q, want %q", out, version)
	}
	if out := h.run(t, "readlink", "-f", "/usr/bin/supermin"); out != "/usr/bin/supermin-compile\n" {
		t.Errorf("/usr/bin/supermin leads to %q, want /usr/bin/supermin-compile", out)
	}
	if out := h.run(t, "supermin", "--version"); !strings.Contains(out, "supermin-compile "+version) {
		t.Errorf("supermin --version says %q, want ours, %s", out, version)
	}
	if out := h.run(t, "/usr/bin/supermin.distrib", "--version"); !realSupermin.MatchString(out) {
		t.Errorf("supermin.distrib --version says %q, want supermin 5's", out)
	}
	if out := h.run(t, "man", "-w", "supermin"); !strings.HasSuffix(out, "/supermin-compile.1.gz\n") {
		t.Errorf("man supermin shows %q, want supermin-compile.1.gz", out)
	}
	if out := h.run(t, "dpkg-divert", "--truename", "/usr/bin/supermin"); out != "/usr/bin/supermin.distrib\n" {
		t.Errorf("dpkg-divert --truename /usr/bin/supermin: %q", out)
	}
}

// checkSuperminBack: after removal, /usr/bin/supermin and its man page are
// supermin's again, with no diversion left, and it builds an appliance.
func checkSuperminBack(t *testing.T, h *isolatedHost) {
	t.Helper()
	if out := h.run(t, "dpkg", "-S", "/usr/bin/supermin"); out != "supermin: /usr/bin/supermin\n" {
		t.Errorf("dpkg -S /usr/bin/supermin: %q, want supermin's", out)
	}
	if out := h.run(t, "supermin", "--version"); !realSupermin.MatchString(out) {
		t.Errorf("supermin --version after removal: %q, want supermin 5's", out)
	}
	if out := h.run(t, "man", "-w", "supermin"); out != "/usr/share/man/man1/supermin.1.gz\n" {
		t.Errorf("man supermin after removal shows %q", out)
	}
	if out := h.run(t, "dpkg-divert", "--list", "*supermin*"); out != "" {
		t.Errorf("diversions left after removal:\n%s", out)
	}
	for _, f := range []string{"/usr/bin/supermin.distrib", "/usr/bin/supermin-compile"} {
		if _, err := h.try("test", "-e", f); err == nil {
			t.Errorf("%s is still there after removal", f)
		}
	}
	// supermin works: a chroot of one package.
	in, out := t.TempDir(), filepath.Join(t.TempDir(), "chroot")
	if err := os.WriteFile(filepath.Join(in, "packages"), []byte("hostname\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	h.run(t, "supermin", "--build", "-f", "chroot", in, "-o", out)
	if _, err := os.Stat(filepath.Join(out, "bin", "hostname")); err != nil {
		t.Errorf("supermin --build after removal: %v", err)
	}
	if m, _ := filepath.Glob(filepath.Join(out, fingerprintPrefix+"*")); len(m) > 0 {
		t.Errorf("supermin --build after removal wrote our fingerprint %v: it was not supermin", m)
	}
}
