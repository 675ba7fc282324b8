package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
	"github.com/supermin-compile/supermin-compile/lock"
	"github.com/supermin-compile/supermin-compile/manifest"
)

// decodeStrict decodes out into v as a script would, but refuses any
// field the documented struct does not have, and anything after it.
func decodeStrict(t *testing.T, out string, v any) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%v in:\n%s", err, out)
	}
	if dec.More() {
		t.Fatalf("more than one JSON value in:\n%s", out)
	}
}

// TestResolveJSON: resolve --json of examples/minimal.toml lists the
// packages the text lists, in its order, and says which the manifest names
// and which package pulled in each of the others, as why says.
func TestResolveJSON(t *testing.T) {
	needDpkg(t)
	manifestPath := "../../examples/minimal.toml"
	text, stderr, code := runCLI(t, "resolve", manifestPath)
	if code != 0 {
		t.Fatalf("resolve: code %d: %s", code, stderr)
	}
	out, stderr, code := runCLI(t, "resolve", "--json", manifestPath)
	if code != 0 {
		t.Fatalf("resolve --json: code %d: %s", code, stderr)
	}
	var got ResolveJSON
	decodeStrict(t, out, &got)
	var lines, named []string
	for _, p := range got.Packages {
		lines = append(lines, p.Name+" "+p.Version+" "+p.Arch)
		if p.PulledBy == "" {
			named = append(named, p.Name)
		}
	}
	if d := testtool.LineDiff(strings.Split(strings.TrimSuffix(text, "\n"), "\n"), lines); d != "" {
		t.Errorf("resolve --json differs from resolve:\n%s", d)
	}
	m, err := manifest.Load(manifestPath)
	if err != nil {
		t.Fatal(err)
	}
	if want := slices.Sorted(slices.Values(m.Packages)); !slices.Equal(named, want) {
		t.Errorf("packages without pulled_by: %q, the manifest names %q", named, want)
	}
	for _, p := range got.Packages {
		if p.PulledBy == "" {
			continue
		}
		why, stderr, code := runCLI(t, "why", manifestPath, p.Name)
		if code != 0 || !strings.HasPrefix(why, p.Name+" <- "+p.PulledBy+" ") {
			t.Errorf("%s pulled by %s, but why says (code %d): %s%s", p.Name, p.PulledBy, code, why, stderr)
		}
	}
}

// TestWhyJSON: why --json says what why says, for a package and for a
// path of each kind the example has: a package's, a host file, an inline
// file; something absent is an error on stderr with nothing on stdout.
func TestWhyJSON(t *testing.T) {
	needDpkg(t)
	manifestPath := "../../examples/minimal.toml"
	for _, target := range []string{"libc6", "bash", "/usr/bin/bash", "/etc", "/etc/passwd", "/init"} {
		text, stderr, code := runCLI(t, "why", manifestPath, target)
		if code != 0 {
			t.Errorf("why %s: code %d: %s", target, code, stderr)
			continue
		}
		out, stderr, code := runCLI(t, "why", "--json", manifestPath, target)
		if code != 0 {
			t.Errorf("why --json %s: code %d: %s", target, code, stderr)
			continue
		}
		var w WhyJSON
		decodeStrict(t, out, &w)
		if w.Target != target {
			t.Errorf("why --json %s: target %q", target, w.Target)
		}
		if got := whyText(w); got != text {
			t.Errorf("why %s says\n%sbut its JSON says\n%s", target, text, got)
		}
	}
	for _, target := range []string{"no-such-package", "/no/such/path"} {
		out, stderr, code := runCLI(t, "why", "--json", manifestPath, target)
		if code != 1 || out != "" || !strings.Contains(stderr, target) {
			t.Errorf("why --json %s: code %d, stdout %q, stderr %q", target, code, out, stderr)
		}
	}
}

// whyText is what README.md says why prints for a WhyJSON.
func whyText(w WhyJSON) string {
	var b strings.Builder
	if w.Origin != nil {
		word := w.Origin.Name
		if word == "" {
			word = w.Origin.Kind
		}
		fmt.Fprintf(&b, "%s: from %s\n", w.Target, word)
	}
	switch {
	case len(w.Chain) > 0:
		fmt.Fprintf(&b, "%s (named in the manifest)\n", strings.Join(w.Chain, " <- "))
	case w.Glob != "":
		fmt.Fprintf(&b, "matched by hostfiles glob %s\n", w.Glob)
	case w.Origin.Kind == "host":
		b.WriteString("a parent directory, as the host has it\n")
	}
	return b.String()
}

// TestLockCheckJSON: lock --check --json prints an empty drift and exits
// 0 for a current lock; after the manifest gains a package and a host
// file, and a locked host file changes, it prints one change per line of
// the text, with the whole digests, and exits 1 as the text does.
func TestLockCheckJSON(t *testing.T) {
	needDpkg(t)
	dir := t.TempDir()
	motd, gone := filepath.Join(dir, "motd"), filepath.Join(dir, "gone")
	for _, f := range []string{motd, gone} {
		if err := os.WriteFile(f, []byte("one\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	m := filepath.Join(dir, "appliance.toml")
	before := fmt.Sprintf("kernel = false\npackages = [\"bash\"]\nhostfiles = [%q, %q]\n", motd, gone)
	if err := os.WriteFile(m, []byte(before), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := runCLI(t, "lock", m); code != 0 {
		t.Fatalf("lock: code %d: %s", code, stderr)
	}
	locked := resolved(t, m)
	out, stderr, code := runCLI(t, "lock", "--check", "--json", m)
	var current LockCheckJSON
	decodeStrict(t, out, &current)
	if code != 0 || current.Drift == nil || len(current.Drift) != 0 || current.Lock != strings.TrimSuffix(m, ".toml")+".lock" {
		t.Errorf("a current lock: code %d, %+v, stderr %q", code, current, stderr)
	}

	after := fmt.Sprintf("kernel = false\npackages = [\"bash\", \"sed\"]\nhostfiles = [%q, %q]\n", motd, filepath.Join(dir, "new"))
	for f, data := range map[string]string{m: after, motd: "two\n", filepath.Join(dir, "new"): "new\n"} {
		if err := os.WriteFile(f, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, textErr, textCode := runCLI(t, "lock", "--check", m)
	out, stderr, code = runCLI(t, "lock", "--check", "--json", m)
	if code != 1 || textCode != 1 {
		t.Errorf("drift: code %d, text code %d", code, textCode)
	}
	if !strings.Contains(stderr, "drift: ") || strings.Contains(stderr, "does not match") {
		t.Errorf("lock --check --json: stderr should say only how much drifted:\n%s", stderr)
	}
	var drift LockCheckJSON
	decodeStrict(t, out, &drift)
	var lines []string
	for _, c := range drift.Drift {
		lines = append(lines, c.String())
	}
	textLines := strings.Split(textErr, "\n")
	if d := testtool.LineDiff(textLines[1:len(textLines)-2], lines); d != "" {
		t.Errorf("lock --check --json differs from lock --check:\n%s", d)
	}
	want := []lock.Change{
		{Op: lock.Changed, Kind: "manifest", Field: "sha256", Old: digestOf(before), New: digestOf(after)},
		{Op: lock.Changed, Kind: "hostfile", Name: motd, Field: "sha256", Old: digestOf("one\n"), New: digestOf("two\n")},
		{Op: lock.Removed, Kind: "hostfile", Name: gone},
		{Op: lock.Added, Kind: "hostfile", Name: filepath.Join(dir, "new")},
	}
	for _, p := range resolved(t, m) {
		if !slices.Contains(locked, p) {
			want = append(want, lock.Change{Op: lock.Added, Kind: "package", Name: p.Name, Version: p.Version})
		}
	}
	if !slices.ContainsFunc(want, func(c lock.Change) bool { return c.Name == "sed" }) {
		t.Errorf("sed is not new in the closure:\n%+v", locked)
	}
	for _, w := range want {
		if !slices.ContainsFunc(drift.Drift, func(c lock.Change) bool { return reflect.DeepEqual(c, w) }) {
			t.Errorf("the drift lacks %+v:\n%s", w, out)
		}
	}
	if len(drift.Drift) != len(want) {
		t.Errorf("%d changes, want %d:\n%s", len(drift.Drift), len(want), out)
	}

	if err := os.Remove(strings.TrimSuffix(m, ".toml") + ".lock"); err != nil {
		t.Fatal(err)
	}
	out, stderr, code = runCLI(t, "lock", "--check", "--json", m)
	if code != 1 || out != "" || !strings.Contains(stderr, "reading the lock file") {
		t.Errorf("no lock file: code %d, stdout %q, stderr %q", code, out, stderr)
	}
	if _, stderr, code := runCLI(t, "lock", "--json", m); code != 2 {
		t.Errorf("lock --json without --check: code %d, stderr %q", code, stderr)
	}
}

// resolved is what resolve --json says of manifest m.
func resolved(t *testing.T, m string) []ResolvedPackage {
	t.Helper()
	out, stderr, code := runCLI(t, "resolve", "--json", m)
	if code != 0 {
		t.Fatalf("resolve: code %d: %s", code, stderr)
	}
	var r ResolveJSON
	decodeStrict(t, out, &r)
	return r.Packages
}

func digestOf(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
