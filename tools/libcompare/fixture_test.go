package libcompare

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// fixture is testtool.Fixture for this module, two levels below the main
// one: the shared fixtures are beside the main module.
func fixture(t testing.TB, rel string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", "..", "shared", "fixtures", rel))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); err != nil {
		testtool.Unavailable(t, "shared fixture not found: "+err.Error())
	}
	return p
}
