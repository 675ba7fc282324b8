package pacman

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// The test packages are made by makepkg when the tests run
// (testdata/mkpkgs.sh), once per run; pacman installs them into a root
// and resolves from a repository that repo-add makes of them. pacman,
// vercmp and bsdtar are the oracles.

// installed are the test packages pacman installs into the test root:
// all but smc-conflict and smc-vreq, which pacman refuses beside them.
var installed = []string{"smc-base", "smc-app", "smc-tool-a", "smc-tool-b"}

var fixture struct {
	once                sync.Once
	dir, pkgs, root, db string
	err                 string
}

func TestMain(m *testing.M) {
	code := m.Run()
	if fixture.dir != "" {
		os.RemoveAll(fixture.dir)
	}
	os.Exit(code)
}

// fixtures returns the directory of the built packages, the root pacman
// installed them into, and the sync database repo-add made of them (a
// pacman.conf naming it).
func fixtures(t testing.TB) (pkgs, root, conf string) {
	t.Helper()
	testtool.Need(t, "makepkg", "pacman", "repo-add", "bsdtar", "fakeroot")
	f := &fixture
	f.once.Do(func() {
		dir, err := os.MkdirTemp("", "pacman-fixtures-")
		if err != nil {
			f.err = err.Error()
			return
		}
		f.dir, f.pkgs, f.root = dir, filepath.Join(dir, "pkgs"), filepath.Join(dir, "root")
		f.err = setUp(dir)
	})
	if f.err != "" {
		t.Fatal(f.err)
	}
	return f.pkgs, f.root, filepath.Join(f.dir, "pacman.conf")
}

func setUp(dir string) string {
	pkgs, root, repo := filepath.Join(dir, "pkgs"), filepath.Join(dir, "root"), filepath.Join(dir, "repo")
	conf := "[options]\nArchitecture = x86_64\nSigLevel = Never\n[smc]\nServer = file://" + repo + "\n"
	if err := os.WriteFile(filepath.Join(dir, "pacman.conf"), []byte(conf), 0o644); err != nil {
		return err.Error()
	}
	if err := run("sh", "testdata/mkpkgs.sh", pkgs); err != "" {
		return err
	}
	for _, d := range []string{filepath.Join(root, "var/lib/pacman"), repo} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err.Error()
		}
	}
	files, _ := filepath.Glob(filepath.Join(pkgs, "*.pkg.tar.*"))
	var install []string
	for _, f := range files {
		for _, n := range installed {
			if rest, ok := strings.CutPrefix(filepath.Base(f), n+"-"); ok && isDigit(rest[0]) {
				install = append(install, f)
			}
		}
	}
	script := `cp "$@" "$0" && cd "$0" && repo-add -q smc.db.tar.gz *.pkg.tar.*`
	if err := run(append([]string{"sh", "-c", script, repo}, files...)...); err != "" {
		return err
	}
	return run(append(append(pacmanArgs(root), "-U", "--noscriptlet", "--noconfirm"), install...)...)
}

// run runs argv, returning "" or what went wrong.
func run(argv ...string) string {
	if out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput(); err != nil {
		return strings.Join(argv, " ") + ": " + err.Error() + "\n" + string(out)
	}
	return ""
}

// pacmanArgs runs pacman on root, its database and log inside it.
func pacmanArgs(root string) []string {
	return []string{"pacman", "--root", root, "--dbpath", filepath.Join(root, "var/lib/pacman"), "--logfile", filepath.Join(root, "pacman.log")}
}

// pacmanOut runs pacman on root and returns its output lines.
func pacmanOut(t testing.TB, root string, args ...string) []string {
	t.Helper()
	argv := append(pacmanArgs(root), args...)
	return lines(string(testtool.Output(t, nil, argv[0], argv[1:]...)))
}

func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}
