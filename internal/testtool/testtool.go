// Package testtool lets tests require what they judge by: real tools (the
// oracles), root, the host's files and the shared fixtures. Anything
// missing skips the test with a reason on a laptop, but fails it under
// CI=true, where scripts/install-deps.sh should have installed it; so no
// test elsewhere calls Skip itself (TestNoBareSkip checks).
package testtool

import (
	"os"
	"os/exec"
	"testing"
)

// Need requires each named command on PATH, or skips (fails in CI).
func Need(t testing.TB, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			Missing(t, n+" is not installed (scripts/install-deps.sh installs it)")
		}
	}
}

// Missing skips the test with reason, or fails it when CI=true.
func Missing(t testing.TB, reason string) {
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
		Missing(t, "needs root")
	}
}
