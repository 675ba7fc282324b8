package builder

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
	"github.com/supermin-compile/supermin-compile/plan"
	"github.com/supermin-compile/supermin-compile/resolver"
	"github.com/supermin-compile/supermin-compile/resolver/deb"
)

// The .debs an installed package's configuration files come from: real
// packages (resolver/deb/testdata/mkdebs.sh, dpkg-deb) in a pool indexed
// by apt-ftparchive, smc-test at versions 1.0-1 and 2.0-1, whose conffile
// /etc/smc-test/smc.conf says "setting = VERSION".

func pool(t *testing.T) *deb.Universe {
	t.Helper()
	testtool.Need(t, "dpkg-deb", "apt-ftparchive", "xz", "zstd")
	dir := t.TempDir()
	testtool.Output(t, nil, "sh", filepath.Join(testtool.ModuleRoot(t), "resolver/deb/testdata/mkdebs.sh"), dir)
	index := filepath.Join(t.TempDir(), "Packages")
	must(t, os.WriteFile(index, testtool.Output(t, nil, "sh", "-c", `cd "$0" && apt-ftparchive packages .`, dir), 0o644))
	u, err := deb.OpenIndex([]string{index}, dir, "")
	must(t, err)
	t.Cleanup(func() { u.Close() })
	return u
}

func installed(u *deb.Universe, version string, paths ...string) configs {
	c := configs{pkg: &resolver.Package{Name: "smc-test", Version: version, Arch: u.NativeArch()}}
	for _, p := range paths {
		c.files = append(c.files, plan.Entry{Path: p, Type: plan.Regular})
	}
	return c
}

func contents(t *testing.T, e plan.Entry) string {
	t.Helper()
	r, err := e.Src.Open()
	must(t, err)
	defer r.Close()
	b, err := io.ReadAll(r)
	must(t, err)
	return string(b)
}

// TestMatchVersions: the installed version's .deb when the repository has
// it, even with a newer one there; else the newest newer one, with a
// warning; else an error naming the package.
func TestMatchVersions(t *testing.T) {
	u := pool(t)
	conf := "/etc/smc-test/smc.conf"
	for _, c := range []struct{ installed, want, warning string }{
		{"1.0-1", "setting = 1.0-1\n", ""},
		{"1.5", "setting = 2.0-1\n", "smc-test 1.5 (" + u.NativeArch() + ") is installed but the repositories have 2.0-1"},
	} {
		cs := []configs{installed(u, c.installed, conf)}
		files, warnings, err := debConfigs(u, cs, nil, t.Logf)
		if err != nil {
			t.Fatalf("installed %s: %v", c.installed, err)
		}
		if len(files) != 1 || files[0].Path != conf || contents(t, files[0]) != c.want {
			t.Errorf("installed %s: %v, want %s with %q", c.installed, files, conf, c.want)
		}
		if got := strings.Join(warnings, "\n"); (c.warning == "") != (got == "") || !strings.Contains(got, c.warning) {
			t.Errorf("installed %s: warnings %q, want %q", c.installed, got, c.warning)
		}
	}
	_, _, err := debConfigs(u, []configs{installed(u, "3.0", conf)}, nil, t.Logf)
	if err == nil || !strings.Contains(err.Error(), "smc-test 3.0 ("+u.NativeArch()+")") || !strings.Contains(err.Error(), "--use-installed") {
		t.Errorf("installed 3.0, newer than the repository's: %v, want an error naming it", err)
	}
}

// TestDebFiles: a hard link is read as its target's regular file; a path
// the .deb lacks, or ships as a symlink or a directory, is left out.
func TestDebFiles(t *testing.T) {
	u := pool(t)
	c := installed(u, "1.0-1", "/usr/share/smc-test/hard2", "/usr/bin/smc-link", "/usr/share/smc-test", "/etc/not-shipped")
	files, _, err := debConfigs(u, []configs{c}, nil, t.Logf)
	must(t, err)
	if len(files) != 1 || files[0].Path != "/usr/share/smc-test/hard2" || files[0].Type != plan.Regular ||
		contents(t, files[0]) != "one inode, two names\n" {
		t.Errorf("got %v, want the hard link hard2 as a regular file of hard1's contents", files)
	}
}
