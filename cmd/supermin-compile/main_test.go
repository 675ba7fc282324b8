package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "smc-bin-")
	if err != nil {
		panic(err)
	}
	bin = filepath.Join(dir, "supermin-compile")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		panic(string(out))
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// runCLI runs the binary and returns stdout, stderr and the exit status.
func runCLI(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &out, &errb
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

func writeManifest(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "appliance.toml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestExitStatuses(t *testing.T) {
	bad := writeManifest(t, "packages = [\"bash\"]\n[[file]]\npath = \"/x\"\nmode = \"0x9\"\ncontent = \"\"\n")
	_, stderr, code := runCLI(t, "list", bad)
	if code != 2 || !strings.Contains(stderr, `appliance.toml:4: file[0].mode: "0x9" is not an octal mode`) {
		t.Errorf("manifest error: code %d, stderr %q", code, stderr)
	}
	if _, _, code := runCLI(t, "frobnicate"); code != 2 {
		t.Errorf("unknown command: code %d", code)
	}
	if _, _, code := runCLI(t, "list"); code != 2 {
		t.Errorf("missing manifest: code %d", code)
	}
	missing := writeManifest(t, "packages = [\"bassh\"]\n")
	_, stderr, code = runCLI(t, "resolve", missing)
	if code != 1 || !strings.Contains(stderr, `"bassh"`) || !strings.Contains(stderr, "bash") {
		t.Errorf("missing package: code %d, stderr %q", code, stderr)
	}
}

// TestListInline checks the line format on entries whose metadata the test
// controls: inline files and synthesised parents.
func TestListInline(t *testing.T) {
	needDpkg(t)
	m := writeManifest(t, `
kernel = false

[[file]]
path = "/opt/app/run"
mode = "4755"
uid = 1000
gid = 100
content = "#!/bin/sh\n"

[[file]]
path = "/opt/app/sh"
symlink = "/bin/sh"
`)
	out, stderr, code := runCLI(t, "list", m)
	if code != 0 {
		t.Fatalf("code %d: %s", code, stderr)
	}
	for _, want := range []string{
		"file     4755 1000:100 10 /opt/app/run\tinline\n",
		"symlink  0777 0:0 0 /opt/app/sh -> /bin/sh\tinline\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("list lacks %q:\n%s", want, out)
		}
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if !strings.HasSuffix(strings.Split(lines[0], "\t")[0], " /") {
		t.Errorf("first line should be /: %q", lines[0])
	}

	js, _, code := runCLI(t, "list", "--json", m)
	var entries []map[string]any
	if err := json.Unmarshal([]byte(js), &entries); err != nil || code != 0 {
		t.Fatalf("list --json: %v (code %d)", err, code)
	}
	if len(entries) != len(lines) {
		t.Errorf("--json has %d entries, text %d", len(entries), len(lines))
	}
	last := entries[len(entries)-1]
	if last["path"] != "/opt/app/sh" || last["type"] != "symlink" || last["link"] != "/bin/sh" || last["origin"] != "inline" {
		t.Errorf("last JSON entry: %v", last)
	}
}

func TestListIsSortedAndStable(t *testing.T) {
	needDpkg(t)
	m := writeManifest(t, "kernel = false\npackages = [\"bash\"]\nhostfiles = [\"/etc/host*\"]\nexcludefiles = [\"/usr/share/doc\"]\n")
	a, _, code := runCLI(t, "list", m)
	b, _, _ := runCLI(t, "list", m)
	if code != 0 || a != b {
		t.Fatalf("two runs differ or failed (code %d)", code)
	}
	var prev string
	for _, line := range strings.Split(strings.TrimSpace(a), "\n") {
		p := strings.Fields(strings.Split(line, "\t")[0])[4]
		if p <= prev {
			t.Errorf("not sorted: %s after %s", p, prev)
		}
		if strings.HasPrefix(p, "/usr/share/doc/") {
			t.Errorf("excluded path listed: %s", p)
		}
		prev = p
	}
	if !strings.Contains(a, "/usr/bin/bash\tbash\n") || !strings.Contains(a, "/etc/hostname\thost\n") {
		t.Errorf("list lacks bash or /etc/hostname")
	}
}

func TestGlobAndWhy(t *testing.T) {
	out, _, code := runCLI(t, "glob", "/etc/host{name,s}", "/etc/nonexistent*")
	if code != 0 || out != "/etc/hostname\n/etc/hosts\n" {
		t.Errorf("glob: code %d, %q", code, out)
	}
	needDpkg(t)
	m := writeManifest(t, "kernel = false\npackages = [\"bash\"]\n")
	out, _, code = runCLI(t, "why", m, "libc6")
	if code != 0 || !strings.HasPrefix(out, "libc6 <- ") || !strings.HasSuffix(out, "bash (named in the manifest)\n") {
		t.Errorf("why libc6: code %d, %q", code, out)
	}
	hm := writeManifest(t, "kernel = false\nhostfiles = [\"/etc/host{name,s}\"]\n")
	out, _, code = runCLI(t, "why", hm, "/etc/hosts")
	if code != 0 || out != "/etc/hosts: from host\nmatched by hostfiles glob /etc/host{name,s}\n" {
		t.Errorf("why /etc/hosts: code %d, %q", code, out)
	}
	out, _, code = runCLI(t, "why", m, "/usr/bin/bash")
	if code != 0 || !strings.HasPrefix(out, "/usr/bin/bash: from bash\n") {
		t.Errorf("why /usr/bin/bash: code %d, %q", code, out)
	}
}

func needDpkg(t *testing.T) {
	if _, err := os.Stat("/var/lib/dpkg/status"); err != nil {
		testtool.Unavailable(t, "needs a dpkg host: "+err.Error())
	}
}
