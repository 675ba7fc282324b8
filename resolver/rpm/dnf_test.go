package rpm

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
	"github.com/supermin-compile/supermin-compile/resolver"
)

// baseOS is the CentOS Stream 9 BaseOS repodata of the shared fixtures
// (February 2022): metadata only, no .rpm files.
const baseOS = "rpm/repodata/centos-stream-9-baseos-x86_64-2022-02"

// noPackages is the Fetch of a repository whose .rpm files are absent.
func noPackages(f PackageFile) (string, error) {
	return "", os.ErrNotExist
}

// dnfInstall runs Debian's dnf (libsolv) on the repositories at dirs
// with an empty installroot, without weak dependencies and without
// installing anything, and returns the transaction's packages as
// "name-version" and the problem dnf reports, if any. cache is dnf's
// metadata cache, kept between calls.
func dnfInstall(t *testing.T, cache string, dirs []string, pkgs ...string) ([]string, string) {
	t.Helper()
	testtool.Need(t, "dnf")
	tmp := t.TempDir()
	conf := filepath.Join(tmp, "dnf.conf")
	os.WriteFile(conf, nil, 0o644)
	args := []string{"-c", conf, "--setopt=reposdir=" + filepath.Join(tmp, "none"), "--installroot=" + filepath.Join(tmp, "root"),
		"--setopt=cachedir=" + cache, "--releasever=9", "--forcearch=x86_64", "--nogpgcheck",
		"--setopt=install_weak_deps=False", "--assumeno"}
	for i, d := range dirs {
		id := "r" + string(rune('0'+i))
		args = append(args, "--repofrompath="+id+",file://"+d, "--repo="+id)
	}
	out, _ := exec.Command("dnf", append(append(args, "install"), pkgs...)...).CombinedOutput() // --assumeno exits 1
	got, problem := parseTransaction(string(out))
	if len(got) == 0 && problem == "" {
		t.Fatalf("dnf gave no transaction:\n%s", out)
	}
	return got, problem
}

// parseTransaction reads the packages of dnf's transaction table (a name
// too long for its column wraps the rest of the row onto the next line),
// and the problem it reports instead, if any.
func parseTransaction(out string) ([]string, string) {
	var pkgs, row []string
	inTable := false
	for _, line := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(line, "Error:") || strings.HasPrefix(line, " Problem"):
			return nil, strings.TrimSpace(out[strings.Index(out, line):])
		case strings.HasPrefix(line, "Installing") && strings.HasSuffix(line, ":"):
			inTable = true
		case line == "" || !strings.HasPrefix(line, " "):
			inTable = false // another section, or the summary
		case inTable:
			row = append(row, strings.Fields(line)...)
			if len(row) >= 6 { // name arch version repo size unit
				pkgs = append(pkgs, row[0]+"-"+row[2])
				row = nil
			}
		}
	}
	slices.Sort(pkgs)
	return pkgs, ""
}

// appStream is the CentOS Stream 9 AppStream repodata (January 2025):
// modules.yaml, and a filelists.xml that osbuild replaced by an empty one,
// editing repomd.xml's checksum but not its open-checksum.
const appStream = "rpm/repodata/centos-stream-9-appstream-x86_64-2025-01"

// TestClosuresMatchDnf: the closures of package sets over the real CentOS
// Stream 9 repodata are dnf's (--setopt=install_weak_deps=False, an empty
// installroot), but for the differences listed with each case. The
// AppStream snapshot is three years younger than the BaseOS one, so some
// of its packages need libraries BaseOS does not have yet.
func TestClosuresMatchDnf(t *testing.T) {
	base, app := testtool.Fixture(t, baseOS), testtool.Fixture(t, appStream)
	baseRepo := localRepo(t, "baseos", base, noPackages)
	appRepo := localRepo(t, "appstream", app, noPackages)
	appRepo.Filelists = nil // see appStream
	baseOnly, err := OpenRepos([]Repo{baseRepo}, "x86_64")
	if err != nil {
		t.Fatal(err)
	}
	both, err := OpenRepos([]Repo{baseRepo, appRepo}, "x86_64")
	if err != nil {
		t.Fatal(err)
	}
	// libsolv backtracks: the newest perl-Net-SSLeay needs OpenSSL 3.2
	// symbols that BaseOS's openssl-libs 3.0.1 lacks, so dnf takes the
	// older 1.92. The walk takes the best version of a name and warns
	// about its unsatisfiable dependency (resolver/rpm's AptChoice).
	sslEAY := map[string]string{
		"- perl-Net-SSLeay-1.92-2.el9": "dnf falls back to an installable older version",
		"+ perl-Net-SSLeay-1.94-1.el9": "the newest version, whose libssl.so.3(OPENSSL_3.2.0) nobody provides",
	}
	cache := t.TempDir()
	for _, c := range []struct {
		pkgs   []string
		u      *Repos
		dirs   []string
		differ map[string]string // "- name-version" (dnf's) or "+ ..." (ours) -> why
	}{
		{pkgs: []string{"bash"}, u: baseOnly, dirs: []string{base}},
		{pkgs: []string{"coreutils"}, u: baseOnly, dirs: []string{base}},
		{pkgs: []string{"dnf"}, u: baseOnly, dirs: []string{base}},
		{pkgs: []string{"openssh-server"}, u: baseOnly, dirs: []string{base}},
		{pkgs: []string{"python3"}, u: baseOnly, dirs: []string{base}},
		{pkgs: []string{"systemd", "util-linux", "kernel-core"}, u: baseOnly, dirs: []string{base}},
		{pkgs: []string{"NetworkManager", "sudo"}, u: baseOnly, dirs: []string{base}},
		{pkgs: []string{"tmux", "vim-enhanced"}, u: both, dirs: []string{base, app}},
		{pkgs: []string{"httpd"}, u: both, dirs: []string{base, app}},
		{pkgs: []string{"nginx"}, u: both, dirs: []string{base, app}},  // nginx:1.22..1.26 module streams hidden
		{pkgs: []string{"nodejs"}, u: both, dirs: []string{base, app}}, // nodejs 16, not the nodejs:22 stream
		{pkgs: []string{"ruby", "podman"}, u: both, dirs: []string{base, app}},
		{pkgs: []string{"git"}, u: both, dirs: []string{base, app}, differ: sslEAY},
		{pkgs: []string{"mariadb-server"}, u: both, dirs: []string{base, app}, differ: sslEAY},
	} {
		want, problem := dnfInstall(t, cache, c.dirs, c.pkgs...)
		if problem != "" {
			t.Errorf("%v: dnf finds no solution:\n%s", c.pkgs, problem)
			continue
		}
		r, err := resolver.Resolve(c.u, resolver.Request{Packages: c.pkgs})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.u.CheckConflicts(r); err != nil {
			t.Errorf("%v: %v", c.pkgs, err)
		}
		diff := strings.Split(testtool.LineDiff(want, names(r)), "\n")
		if diff[0] == "" {
			diff = nil
		}
		for _, line := range diff {
			if c.differ[line] == "" {
				t.Errorf("%v: differs from dnf (- dnf, + ours): %s, chain %s", c.pkgs, line, strings.Join(r.Chain(pkgName(line)), " <- "))
			}
		}
		for line, why := range c.differ {
			if !slices.Contains(diff, line) {
				t.Errorf("%v: no longer differs from dnf by %q (%s): update the test", c.pkgs, line, why)
			}
		}
		if len(c.differ) == 0 && len(r.Warnings) > 0 {
			t.Errorf("%v: warnings where dnf had none: %q", c.pkgs, r.Warnings)
		}
	}
}

// pkgName is the name in a LineDiff line of "name-version-release".
func pkgName(line string) string {
	s := strings.TrimPrefix(strings.TrimPrefix(line, "- "), "+ ")
	for range 2 {
		if i := strings.LastIndexByte(s, '-'); i > 0 {
			s = s[:i]
		}
	}
	return s
}

// TestUnsatisfiableLikeDnf: where dnf finds no solution (AppStream's
// python3-pip needs a python3 newer than BaseOS's), the walk warns about
// the very dependency dnf names.
func TestUnsatisfiableLikeDnf(t *testing.T) {
	base, app := testtool.Fixture(t, baseOS), testtool.Fixture(t, appStream)
	appRepo := localRepo(t, "appstream", app, noPackages)
	appRepo.Filelists = nil
	u, err := OpenRepos([]Repo{localRepo(t, "baseos", base, noPackages), appRepo}, "x86_64")
	if err != nil {
		t.Fatal(err)
	}
	_, problem := dnfInstall(t, t.TempDir(), []string{base, app}, "python3-pip")
	const dep = "python3 >= 3.9.17-2"
	if !strings.Contains(problem, "nothing provides "+dep+" needed by python3-pip") {
		t.Fatalf("dnf's verdict changed: %s", problem)
	}
	r, err := resolver.Resolve(u, resolver.Request{Packages: []string{"python3-pip"}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(r.Warnings, fmt.Sprintf("unsatisfied dependency %q of python3-pip (requested)", dep)) {
		t.Errorf("warnings %q do not name %q", r.Warnings, dep)
	}
}
