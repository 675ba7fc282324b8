package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// goInstalled does what `go install .../cmd/supermin-compile@latest` does
// to a user: a clean clone of this repository (its committed HEAD, so no
// init that `make` left in boot/initrd/bin) and a plain `go install`, with
// no Makefile step. It returns the clone and the installed binary.
func goInstalled(t testing.TB) (clone, bin string) {
	t.Helper()
	testtool.Need(t, "git", "go")
	clone = filepath.Join(t.TempDir(), "src")
	run(t, nil, "git", "clone", "-q", testtool.ModuleRoot(t), clone)
	if _, err := os.Stat(filepath.Join(clone, "boot/initrd/bin/supermin-init")); err == nil {
		t.Fatal("the clean clone holds boot/initrd/bin/supermin-init: it must not be committed")
	}
	gobin := t.TempDir()
	run(t, []string{"GOBIN=" + gobin, "GOFLAGS="}, "sh", "-c", `cd "$1" && go install ./cmd/supermin-compile`, "sh", clone)
	return clone, filepath.Join(gobin, "supermin-compile")
}

// TestGoInstallBoots builds examples/boot-hello.toml with a go-installed
// supermin-compile, whose initrd's /init is the binary itself, and boots it.
func TestGoInstallBoots(t *testing.T) {
	testtool.Need(t, "qemu-system-x86_64")
	clone, bin := goInstalled(t)
	dir := filepath.Join(t.TempDir(), "hello.d")
	run(t, nil, bin, "build", filepath.Join(clone, "examples/boot-hello.toml"), "-o", dir)
	t.Logf("marker after %s", bootQEMU(t, dir, "/dev/vda").Round(time.Millisecond))
}

// BenchmarkInitSelfVsEmbedded compares the two inits of the initrd:
// the small supermin-init that `make` embeds, and the go-installed binary
// itself (with its loader and libc when cgo made it dynamic). It reports
// the initrd's size and the median time from QEMU start to the marker.
func BenchmarkInitSelfVsEmbedded(b *testing.B) {
	testtool.Need(b, "qemu-system-x86_64")
	_, self := goInstalled(b)
	for _, c := range []struct{ name, bin string }{{"embedded", binary(b)}, {"self", self}} {
		dir := filepath.Join(b.TempDir(), c.name+".d")
		run(b, nil, c.bin, "build", "../examples/boot-hello.toml", "-o", dir)
		fi, err := os.Stat(filepath.Join(dir, "initrd"))
		if err != nil {
			b.Fatal(err)
		}
		var d []time.Duration
		for range 5 {
			d = append(d, bootQEMU(b, dir, "/dev/vda"))
		}
		fmt.Printf("init %s: initrd %d bytes, boot to marker (TCG, median of 5) %v\n", c.name, fi.Size(), medianOf(d).Round(time.Millisecond))
	}
}

// TestLibguestfsWithGoInstalled: libguestfs boots the appliance that a
// go-installed supermin-compile, as its supermin, builds with itself as
// the initrd's /init.
func TestLibguestfsWithGoInstalled(t *testing.T) {
	needLibguestfs(t, "libguestfs-test-tool")
	_, bin := goInstalled(t)
	cache, tmp, work := t.TempDir(), t.TempDir(), t.TempDir()
	out, err := runLong(t, "libguestfs-test-tool", 10*time.Minute, work, libguestfsEnv(cache, tmp),
		withOurSupermin(bin, "libguestfs-test-tool")...)
	if err != nil || !strings.Contains(out, testFinishedOK) {
		t.Fatalf("libguestfs-test-tool with a go-installed supermin: %v, no %q; last lines:\n%s", err, testFinishedOK, lastLines(out, 60))
	}
	initrds, _ := filepath.Glob(filepath.Join(cache, ".guestfs-*", "appliance.d", "initrd"))
	if len(initrds) != 1 {
		t.Fatalf("want one appliance.d/initrd in the cache, got %v", initrds)
	}
	fi, err := os.Stat(bin)
	if err != nil {
		t.Fatal(err)
	}
	listing := run(t, nil, "sh", "-c", `cpio -itv --quiet < "$1"`, "sh", initrds[0])
	size := ""
	for _, line := range strings.Split(listing, "\n") {
		if f := strings.Fields(line); len(f) > 4 && f[len(f)-1] == "init" {
			size = f[4]
		}
	}
	if size != fmt.Sprint(fi.Size()) {
		t.Errorf("the initrd's /init is %q bytes, the installed binary %d:\n%s", size, fi.Size(), listing)
	}
}
