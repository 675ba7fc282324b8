package testtool

import (
	"os"
	"path/filepath"
	"testing"
)

// ModuleRoot returns the directory that holds go.mod, found by walking up
// from the test's working directory (its package directory).
func ModuleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}

// Fixture returns the absolute path of rel in the shared fixtures,
// <module root>/../shared/fixtures (their SOURCES.md files say where each
// comes from), or skips (fails under CI=true) when it is absent.
func Fixture(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(ModuleRoot(t), "..", "shared", "fixtures", rel)
	if _, err := os.Stat(p); err != nil {
		Unavailable(t, "shared fixture not found: "+err.Error())
	}
	return p
}
