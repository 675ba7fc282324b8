package e2e

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// TestMakeInstall: `make install` with DESTDIR and PREFIX puts the binary,
// the man page and the completions where a system looks for them, and
// nothing else; the installed binary runs, its man page renders, and
// bash loads its completion.
func TestMakeInstall(t *testing.T) {
	testtool.Need(t, "make", "install", "man", "bash")
	dest, bin := t.TempDir(), "BIN="+filepath.Join(t.TempDir(), "supermin-compile")
	run(t, nil, "make", "-s", "-C", "..", "install", bin, "DESTDIR="+dest, "PREFIX=/opt/smc")

	want := map[string]fs.FileMode{
		"opt/smc/bin/supermin-compile":                               0o755,
		"opt/smc/share/man/man1/supermin-compile.1":                  0o644,
		"opt/smc/share/bash-completion/completions/supermin-compile": 0o644,
		"opt/smc/share/zsh/site-functions/_supermin-compile":         0o644,
	}
	got := map[string]fs.FileMode{}
	err := filepath.WalkDir(dest, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dest, p)
		got[rel] = fi.Mode()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for p, mode := range want {
		if got[p] != mode {
			t.Errorf("%s: mode %v, want %v", p, got[p], mode)
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			t.Errorf("make install also wrote %s", p)
		}
	}

	prefix := filepath.Join(dest, "opt/smc")
	if out := run(t, nil, filepath.Join(prefix, "bin/supermin-compile"), "version"); !strings.HasPrefix(out, "supermin-compile ") {
		t.Errorf("the installed binary says %q", out)
	}
	if out := run(t, nil, "man", "-l", filepath.Join(prefix, "share/man/man1/supermin-compile.1")); !strings.Contains(out, "SUPERMIN COMPATIBILITY") {
		t.Errorf("the installed man page does not render its SUPERMIN COMPATIBILITY section")
	}
	run(t, nil, "bash", "-c", `source "$0" && complete -p supermin-compile`,
		filepath.Join(prefix, "share/bash-completion/completions/supermin-compile"))

	// Without PREFIX: /usr/local.
	dflt := t.TempDir()
	run(t, nil, "make", "-s", "-C", "..", "install", bin, "DESTDIR="+dflt)
	if _, err := os.Stat(filepath.Join(dflt, "usr/local/bin/supermin-compile")); err != nil {
		t.Errorf("make install without PREFIX: %v", err)
	}
}
