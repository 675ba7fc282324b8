package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// TestConflictsRefuseTheClosure: the command line checks the conflicts
// of every source that can have them (resolver.ConflictChecker), so a
// closure that dpkg or rpm would refuse to install is refused, naming
// both packages. The test packages are the backends' own, made by
// dpkg-deb and rpmbuild: smc-none Breaks smc-test (<< 2.0), and
// smc-conflict Conflicts with smc-base.
func TestConflictsRefuseTheClosure(t *testing.T) {
	testtool.Need(t, "dpkg", "dpkg-deb", "ar", "tar", "bzip2", "gzip", "rpmbuild")
	debs := t.TempDir()
	testtool.Output(t, nil, "sh", "../../resolver/deb/testdata/mkdebs.sh", debs)
	rpms := t.TempDir()
	testtool.Output(t, nil, "sh", "../../resolver/rpm/testdata/mkrpms.sh", rpms)
	arch := strings.TrimSpace(string(testtool.Output(t, nil, "dpkg", "--print-architecture")))

	resolve := func(source, dir string, pkgs ...string) (string, int) {
		t.Helper()
		m := writeManifest(t, fmt.Sprintf("packages = [\"%s\"]\n[source]\ntype = %q\npath = %q\narch = %q\n",
			strings.Join(pkgs, `", "`), source, dir, map[string]string{"deb-dir": arch, "rpm-dir": "x86_64"}[source]))
		_, stderr, code := runCLI(t, "resolve", m)
		return stderr, code
	}

	// With smc-test 2.0-1 in the directory, the closure installs.
	if stderr, code := resolve("deb-dir", debs, "smc-none", "smc-test"); code != 0 {
		t.Fatalf("deb-dir with smc-test 2.0-1: exit %d\n%s", code, stderr)
	}
	must(t, os.Remove(filepath.Join(debs, "smc-test_2.0-1_"+arch+".deb")))
	stderr, code := resolve("deb-dir", debs, "smc-none", "smc-test")
	if want := "smc-none 1.0 breaks smc-test 1.0-1 (Breaks: smc-test (<< 2.0))"; code != 1 || !strings.Contains(stderr, want) {
		t.Errorf("deb-dir with smc-test 1.0-1 only: exit %d, want 1 and %q\n%s", code, want, stderr)
	}

	if stderr, code := resolve("rpm-dir", rpms, "smc-base"); code != 0 {
		t.Fatalf("rpm-dir, smc-base alone: exit %d\n%s", code, stderr)
	}
	stderr, code = resolve("rpm-dir", rpms, "smc-conflict", "smc-base")
	if want := `smc-conflict conflicts with smc-base 1.0-1 ("smc-base")`; code != 1 || !strings.Contains(stderr, want) {
		t.Errorf("rpm-dir: exit %d, want 1 and %q\n%s", code, want, stderr)
	}
}
