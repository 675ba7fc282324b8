package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

func TestBuildVersion(t *testing.T) {
	info := func(v string, settings ...debug.BuildSetting) func() (*debug.BuildInfo, bool) {
		return func() (*debug.BuildInfo, bool) {
			return &debug.BuildInfo{Main: debug.Module{Version: v}, Settings: settings}, true
		}
	}
	rev := debug.BuildSetting{Key: "vcs.revision", Value: "0123456789abcdef0123"}
	dirty := debug.BuildSetting{Key: "vcs.modified", Value: "true"}
	for _, c := range []struct {
		set  string
		info func() (*debug.BuildInfo, bool)
		want string
	}{
		{"1.2", info("v9.9.9", rev), "1.2"}, // the linker's wins
		{"dev", info("v0.0.0-20261128-abcdef"), "v0.0.0-20261128-abcdef"},
		{"dev", info("(devel)", rev), "dev+0123456789ab"},
		{"dev", info("(devel)", rev, dirty), "dev+0123456789ab-dirty"},
		{"dev", info("(devel)"), "dev"},
		{"dev", func() (*debug.BuildInfo, bool) { return nil, false }, "dev"},
	} {
		if got := buildVersion(c.set, c.info); got != c.want {
			t.Errorf("buildVersion(%q) = %q, want %q", c.set, got, c.want)
		}
	}
}

// TestGoBuildVersionNamesTheCommit: a binary built by plain go build in a
// git checkout says which commit it is, so that --if-newer tells two
// go-installed versions apart; the Makefile's -X still sets it.
func TestGoBuildVersionNamesTheCommit(t *testing.T) {
	testtool.Need(t, "git")
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	head, err := exec.Command("git", "-C", root, "rev-parse", "HEAD").Output()
	if err != nil {
		testtool.Unavailable(t, "not a git checkout: "+err.Error())
	}
	versionOf := func(args ...string) string {
		bin := filepath.Join(t.TempDir(), "smc")
		build := exec.Command("go", append(append([]string{"build", "-o", bin}, args...), ".")...)
		build.Env = append(os.Environ(), "GOFLAGS=-buildvcs=true")
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("go build: %v\n%s", err, out)
		}
		out, err := exec.Command(bin, "--version").Output()
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	if got, want := versionOf(), "+"+string(head[:12]); !strings.Contains(got, want) {
		t.Errorf("--version says %q, want the commit %s in it", got, want)
	}
	if got, want := versionOf("-ldflags", "-X main.version=1.2-3-gabc"), "supermin-compile 1.2-3-gabc\n"; got != want {
		t.Errorf("with -X: --version says %q, want %q", got, want)
	}
}
