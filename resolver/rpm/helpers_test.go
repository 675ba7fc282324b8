package rpm

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// The test packages are made by rpmbuild when the tests run
// (testdata/mkrpms.sh); the real distribution packages and rpm databases
// are the shared fixtures (testtool.Fixture, under "rpm/": see its
// SOURCES.md).

// mkrpms builds the smc-* test packages into a new directory.
func mkrpms(t testing.TB) string {
	t.Helper()
	testtool.Need(t, "rpmbuild")
	dir := t.TempDir()
	testtool.Output(t, nil, "sh", "testdata/mkrpms.sh", dir)
	return dir
}

// rpmFiles lists the .rpm files under dir.
func rpmFiles(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".rpm") && !strings.HasSuffix(p, ".src.rpm") {
			out = append(out, p)
		}
		return err
	})
	return out
}
