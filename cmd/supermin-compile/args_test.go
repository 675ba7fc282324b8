package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// runIn runs the binary in dir, so that a manifest can be named "-a.toml".
func runIn(t *testing.T, dir string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return out.String(), errb.String(), ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), 0
}

// TestDoubleDashEndsOptions: after "--" every argument is a file name, in
// every subcommand, as getopt does.
func TestDoubleDashEndsOptions(t *testing.T) {
	dir := t.TempDir()
	text := "kernel = false\n[[file]]\npath = \"/opt/hello\"\ncontent = \"hi\\n\"\n"
	if err := os.WriteFile(filepath.Join(dir, "-a.toml"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")

	_, stderr, code := runIn(t, dir, "build", "--", "-a.toml", "-o", out)
	if code != 2 || !strings.Contains(stderr, "build needs one manifest, got 3 arguments") {
		t.Errorf("build -- -a.toml -o out: code %d, %s", code, stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("build -- -a.toml -o out applied -o: %s exists", out)
	}
	for _, cmd := range []string{"list", "resolve", "sbom", "lock"} {
		if _, stderr, code := runIn(t, dir, cmd, "-a.toml"); code != 2 || !strings.Contains(stderr, "not defined: -a.toml") {
			t.Errorf("%s -a.toml should be an unknown option: code %d, %s", cmd, code, stderr)
		}
		if _, stderr, code := runIn(t, dir, cmd, "--", "-a.toml"); code != 0 {
			t.Errorf("%s -- -a.toml: code %d, %s", cmd, code, stderr)
		}
		if _, stderr, code := runIn(t, dir, cmd, "--", "-a.toml", "--json"); code != 2 || !strings.Contains(stderr, "got 2 arguments") {
			t.Errorf("%s -- -a.toml --json: code %d, %s", cmd, code, stderr)
		}
	}
	listed, _, _ := runIn(t, dir, "list", "--json", "--", "-a.toml")
	if !strings.HasPrefix(listed, "[\n{") || !strings.Contains(listed, `"path":"/opt/hello"`) {
		t.Errorf("list --json -- -a.toml: %s", listed)
	}
	if out, stderr, code := runIn(t, dir, "why", "--", "-a.toml", "/opt/hello"); code != 0 || out != "/opt/hello: from inline\n" {
		t.Errorf("why -- -a.toml /opt/hello: code %d, %q %s", code, out, stderr)
	}
	if out, stderr, code := runIn(t, dir, "diff", "--json", "--", "-a.toml", "-a.toml"); code != 0 || !strings.Contains(out, `"paths"`) {
		t.Errorf("diff --json -- -a.toml -a.toml: code %d, %q %s", code, out, stderr)
	}
	// "--" as an option's value is the value, as getopt takes it.
	if _, stderr, code := runIn(t, dir, "build", "--format", "--", "--", "-a.toml"); code != 2 || !strings.Contains(stderr, `--format: "--" is not a format`) {
		t.Errorf("build --format --: code %d, %s", code, stderr)
	}
}

// TestSizeTooLarge: a size beyond 64 bits is a usage error, not a
// negative size.
func TestSizeTooLarge(t *testing.T) {
	m := writeManifest(t, "kernel = false\nsize = \"99999999T\"\n")
	if _, stderr, code := runCLI(t, "list", m); code != 2 || !strings.Contains(stderr, `appliance.toml:2: size: "99999999T" is too large`) {
		t.Errorf("size = \"99999999T\": code %d, %s", code, stderr)
	}
	ok := writeManifest(t, "kernel = false\n")
	out := filepath.Join(t.TempDir(), "out")
	if _, stderr, code := runCLI(t, "build", ok, "--size", "99999999T", "-o", out); code != 2 || !strings.Contains(stderr, `--size: "99999999T" is too large`) {
		t.Errorf("build --size 99999999T: code %d, %s", code, stderr)
	}
	superminD := t.TempDir()
	if err := os.WriteFile(filepath.Join(superminD, "hostfiles"), []byte("/etc/hostname\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := runCLI(t, "supermin", "--build", "-f", "ext2", "--size", "99999999999G", "-o", out, superminD)
	if code != 1 || !strings.Contains(stderr, "size field '99999999999G' is too large") {
		t.Errorf("supermin --size 99999999999G: code %d, %s", code, stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("a build with a size too large wrote %s", out)
	}
}
