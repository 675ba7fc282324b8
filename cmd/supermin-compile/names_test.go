package main

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// awkwardFiles creates files whose names break a naive list line (newline,
// tab, backslash, " -> ", bytes that are not UTF-8) and a symlink with such
// a name and target. It returns the directory and its names (path -> link
// target, "" for files).
func awkwardFiles(t *testing.T) (string, map[string]string) {
	dir := t.TempDir()
	names := map[string]string{}
	for _, n := range []string{"a\nb", "t\tx", `back\slash`, `\x41`, "\xff", "\xfe", "with space", "x -> y"} {
		if err := os.WriteFile(filepath.Join(dir, n), nil, 0o644); err != nil {
			t.Fatal(err)
		}
		names[filepath.Join(dir, n)] = ""
	}
	link, target := filepath.Join(dir, "l -> \xfe"), "tgt\n\xff -> z"
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	names[link] = target
	return dir, names
}

// TestListAwkwardNames: every path is one line of `list`, printf '%b'
// decodes each field to the exact name, `list --json` keeps \xff and \xfe
// apart, and `diff` of it against the manifest finds nothing.
func TestListAwkwardNames(t *testing.T) {
	testtool.Need(t, "printf")
	dir, want := awkwardFiles(t)
	m := writeManifest(t, "kernel = false\nhostfiles = [\""+dir+"/*\"]\n")

	text, stderr, code := runCLI(t, "list", m)
	if code != 0 {
		t.Fatalf("list: code %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	var fields []string // PATH, TARGET of each line under dir
	for _, line := range lines {
		if strings.Count(line, "\t") != 1 {
			t.Fatalf("line %q: want one tab, before ORIGIN", line)
		}
		// "%-8s" TYPE, a space, then MODE UID:GID SIZE PATH[ -> TARGET]
		rest := strings.SplitN(strings.Split(line, "\t")[0][9:], " ", 4)[3]
		path, target, _ := strings.Cut(rest, " -> ")
		if strings.HasPrefix(path, dir+"/") {
			fields = append(fields, path, target)
		}
	}
	out := testtool.Output(t, nil, "printf", append([]string{`%b\0`}, fields...)...)
	decoded := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	got := map[string]string{}
	for i := 0; i+1 < len(decoded); i += 2 {
		got[decoded[i]] = decoded[i+1]
	}
	if !mapsEqual(got, want) {
		t.Errorf("list, decoded with printf '%%b':\n got %q\nwant %q\n%s", got, want, text)
	}

	js, stderr, code := runCLI(t, "list", "--json", m)
	if code != 0 {
		t.Fatalf("list --json: code %d: %s", code, stderr)
	}
	if got := jsonNames(t, js, dir); !mapsEqual(got, want) {
		t.Errorf("list --json, read with path_b64:\n got %q\nwant %q\n%s", got, want, js)
	}
	if len(strings.Split(strings.TrimSpace(js), "\n")) != len(lines)+2 {
		t.Errorf("list --json has not one line per path:\n%s", js)
	}

	listed := filepath.Join(t.TempDir(), "list.json")
	if err := os.WriteFile(listed, []byte(js), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, stderr, code := runCLI(t, "diff", listed, m); code != 0 || out != "" {
		t.Errorf("diff list.json manifest: code %d, %q %s", code, out, stderr)
	}
	if err := os.Rename(filepath.Join(dir, "\xff"), filepath.Join(dir, "\xfd")); err != nil {
		t.Fatal(err)
	}
	out2, stderr, code := runCLI(t, "diff", listed, m)
	wantDiff := "+ " + dir + `/\xfd` + "\n- " + dir + `/\xff` + "\n"
	if code != 1 || out2 != wantDiff {
		t.Errorf("diff after renaming \\xff to \\xfd: code %d, %q, want %q %s", code, out2, wantDiff, stderr)
	}
}

// jsonNames reads `list --json` as any JSON user would: path, or the
// base64 of path_b64 when present; link likewise.
func jsonNames(t *testing.T, js, dir string) map[string]string {
	var entries []map[string]any
	if err := json.Unmarshal([]byte(js), &entries); err != nil {
		t.Fatal(err)
	}
	exact := func(e map[string]any, key string) string {
		if b64, ok := e[key+"_b64"].(string); ok {
			b, err := base64.StdEncoding.DecodeString(b64)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
		s, _ := e[key].(string)
		return s
	}
	names := map[string]string{}
	for _, e := range entries {
		if p := exact(e, "path"); strings.HasPrefix(p, dir+"/") {
			names[p] = exact(e, "link")
		}
	}
	return names
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestListUTF8Unchanged: names that need no escaping print as before.
func TestListUTF8Unchanged(t *testing.T) {
	dir := t.TempDir()
	names := []string{"café", "with space", "日本語"}
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(dir, n), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	m := writeManifest(t, "kernel = false\nhostfiles = [\""+dir+"/*\"]\n")
	text, _, code := runCLI(t, "list", m)
	js, _, _ := runCLI(t, "list", "--json", m)
	for _, n := range names {
		p := filepath.Join(dir, n)
		if !strings.Contains(text, " "+p+"\thost\n") || !strings.Contains(js, `{"path":"`+p+`","type":"file"`) {
			t.Errorf("%q is not printed as it is (code %d):\n%s\n%s", p, code, text, js)
		}
	}
	if strings.Contains(js, "_b64") {
		t.Errorf("UTF-8 names got a _b64 field:\n%s", js)
	}
	if strings.Contains(text, `\`) {
		t.Errorf("UTF-8 names were escaped:\n%s", text)
	}
}

// TestLockAwkwardNames: the lock records every awkward name as its own
// host file, and lock --check of the unchanged manifest finds no drift.
func TestLockAwkwardNames(t *testing.T) {
	dir, names := awkwardFiles(t)
	m := writeManifest(t, "kernel = false\nhostfiles = [\""+dir+"/*\"]\n")
	if _, stderr, code := runCLI(t, "lock", m); code != 0 {
		t.Fatalf("lock: code %d: %s", code, stderr)
	}
	text, err := os.ReadFile(strings.TrimSuffix(m, ".toml") + ".lock")
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(text), "[[hostfile]]"); n != len(names) {
		t.Errorf("the lock has %d host files, want %d:\n%s", n, len(names), text)
	}
	if out, stderr, code := runCLI(t, "lock", "--check", m); code != 0 {
		t.Errorf("lock --check of an unchanged manifest: code %d:\n%s%s", code, out, stderr)
	}
}
