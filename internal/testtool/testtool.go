// Package testtool lets tests require what they judge by: real tools (the
// oracles), root, the host's files and the shared fixtures. Anything
// missing skips the test with a reason on a laptop, but fails it under
// CI=true, where scripts/install-deps.sh should have installed it; so no
// test elsewhere calls Skip itself (TestNoBareSkip checks).
package testtool

import (
	"os"
	"os/exec"
	"runtime"
	"testing"
)

// Need requires each named command on PATH, or skips (fails in CI).
func Need(t testing.TB, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			Unavailable(t, n+" is not installed (scripts/install-deps.sh installs it)")
		}
	}
}

// Unavailable says that something the test needs is not available here:
// it skips the test with reason, or fails it when CI=true.
func Unavailable(t testing.TB, reason string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI: %s", reason)
	}
	t.Skip(reason)
}

// Root requires running as root.
func Root(t testing.TB) {
	t.Helper()
	if os.Getuid() != 0 {
		Unavailable(t, "needs root")
	}
}

// Tmpfs mounts a tmpfs of size ("16m") on a new directory and returns it;
// it is unmounted when the test ends. It needs root.
func Tmpfs(t testing.TB, size string) string {
	t.Helper()
	Root(t)
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Fatalf("mount tmpfs: %v %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", dir, err, out)
		}
	})
	return dir
}

// AllocsUnder starts counting the bytes the program allocates; the
// function it returns fails the test once they exceed bound. Fuzz targets
// check each input so: an allocation sized by a claim of the input (a
// member size, a dictionary) shows at once, even if never touched.
func AllocsUnder(t testing.TB, bound uint64) func() {
	start := allocated()
	return func() {
		t.Helper()
		if n := allocated() - start; n > bound {
			t.Fatalf("one input allocated %d MiB, over the %d MiB bound", n>>20, bound>>20)
		}
	}
}

func allocated() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.TotalAlloc
}
