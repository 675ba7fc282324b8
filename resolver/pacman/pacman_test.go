package pacman

import (
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
	"github.com/supermin-compile/supermin-compile/plan"
	"github.com/supermin-compile/supermin-compile/resolver"
)

// versionPairs generates pairs of versions that exercise alpm's order:
// epochs, releases, numbers with leading zeros, letters, separators of
// different kinds and lengths, and the same pieces in other orders.
func versionPairs(n int) [][2]string {
	pieces := []string{"0", "1", "2", "9", "10", "01", "001", "a", "b", "alpha", "beta", "rc", "rc1", "1a", "a1", "pre", "git", "r123"}
	seps := []string{".", ".", ".", "_", "+", "..", "~", "^"}
	r := rand.New(rand.NewSource(14))
	version := func() string {
		var b strings.Builder
		if r.Intn(5) == 0 {
			fmt.Fprintf(&b, "%d:", r.Intn(3))
		}
		for i := 0; i < 1+r.Intn(4); i++ {
			if i > 0 {
				b.WriteString(seps[r.Intn(len(seps))])
			}
			b.WriteString(pieces[r.Intn(len(pieces))])
		}
		if r.Intn(3) > 0 {
			fmt.Fprintf(&b, "-%s", pieces[r.Intn(6)])
		}
		return b.String()
	}
	pairs := [][2]string{{"1.0", "1.0-1"}, {"1:1.0", "2.0"}, {"1.0a", "1.0"}, {"1.0.a", "1.0"}, {"1.0", "1.0.0"},
		{"1.0-1", "1.0-2"}, {":1.0", "0:1.0"}, {"1.0_1", "1.0.1"}, {"1..0", "1.0"}, {"a", "1"}, {"1.0-1.1", "1.0-1"}}
	for len(pairs) < n {
		a, b := version(), version()
		if r.Intn(4) == 0 { // close pairs: the same version with one piece changed
			b = strings.Replace(a, pieces[r.Intn(len(pieces))], pieces[r.Intn(len(pieces))], 1)
		}
		pairs = append(pairs, [2]string{a, b})
	}
	return pairs
}

// TestCompareMatchesVercmp: Compare orders 500 generated pairs as
// pacman's vercmp does.
func TestCompareMatchesVercmp(t *testing.T) {
	testtool.Need(t, "vercmp")
	pairs := versionPairs(500)
	var in strings.Builder
	for _, p := range pairs {
		fmt.Fprintf(&in, "%s\n%s\n", p[0], p[1])
	}
	script := `while IFS= read -r a && IFS= read -r b; do vercmp "$a" "$b"; done <"$0"`
	file := filepath.Join(t.TempDir(), "pairs")
	if err := os.WriteFile(file, []byte(in.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	want := lines(string(testtool.Output(t, nil, "sh", "-c", script, file)))
	if len(want) != len(pairs) {
		t.Fatalf("vercmp gave %d answers for %d pairs", len(want), len(pairs))
	}
	bad := 0
	for i, p := range pairs {
		if got := fmt.Sprint(Compare(p[0], p[1])); got != want[i] {
			t.Errorf("Compare(%q, %q) = %s, vercmp says %s", p[0], p[1], got, want[i])
			if bad++; bad > 20 {
				t.FailNow()
			}
		}
	}
}

// closureOf resolves names over u, failing the test on an error.
func closureOf(t *testing.T, u resolver.Universe, names ...string) *resolver.Result {
	t.Helper()
	r, err := resolver.Resolve(u, resolver.Request{Packages: names})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func describe(pkgs []*resolver.Package) []string {
	var out []string
	for _, p := range pkgs {
		out = append(out, p.Name+" "+p.Version)
	}
	slices.Sort(out)
	return out
}

// TestClosureMatchesPacmanSync: the closure of smc-app, from the local
// database and from the package files, is what pacman -S would install
// from a repository of the same packages: the versioned depends met by a
// package and by a versioned provide, and the first provider of
// smc-tool by name, as pacman --noconfirm takes.
func TestClosureMatchesPacmanSync(t *testing.T) {
	pkgs, root, conf := fixtures(t)
	empty := t.TempDir()
	os.MkdirAll(filepath.Join(empty, "var/lib/pacman"), 0o755)
	pacmanOut(t, empty, "--config", conf, "-Sy")
	want := pacmanOut(t, empty, "--config", conf, "-S", "--print", "--print-format", "%n %v", "--noconfirm", "smc-app")
	slices.Sort(want)
	db, err := OpenDB(root, "x86_64")
	if err != nil {
		t.Fatal(err)
	}
	dir, err := OpenDir(pkgs, "x86_64")
	if err != nil {
		t.Fatal(err)
	}
	defer dir.Close()
	for name, u := range map[string]resolver.Universe{"local database": db, "pkg-dir": dir} {
		r := closureOf(t, u, "smc-app")
		if d := testtool.LineDiff(want, describe(r.Packages)); d != "" {
			t.Errorf("%s: closure of smc-app differs from pacman -S --print:\n%s", name, d)
		}
		if len(r.Warnings) > 0 {
			t.Errorf("%s: warnings %q", name, r.Warnings)
		}
	}
}

// TestDBMatchesPacman: every installed package has the name, version and
// architecture pacman -Qi gives, and the files pacman -Qlq lists.
func TestDBMatchesPacman(t *testing.T) {
	_, root, _ := fixtures(t)
	db, err := OpenDB(root, "")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	var field string
	for _, l := range pacmanOut(t, root, "-Qi") {
		k, v, _ := strings.Cut(l, " : ")
		switch k = strings.TrimSpace(k); k {
		case "Name", "Version":
			field += v + " "
		case "Architecture":
			want, field = append(want, field+v), ""
		}
	}
	var got []string
	for _, p := range db.Packages() {
		got = append(got, p.Name+" "+p.Version+" "+p.Arch)
	}
	if d := testtool.LineDiff(want, got); d != "" {
		t.Errorf("packages differ from pacman -Qi:\n%s", d)
	}
	for _, p := range db.Packages() {
		files, err := db.Files(p)
		if err != nil {
			t.Fatal(err)
		}
		var ours []string
		for _, f := range files {
			ours = append(ours, f.HostPath)
			if f.HostPath != filepath.Join(root, f.Path) {
				t.Errorf("%s: %s is taken from %s", p.Name, f.Path, f.HostPath)
			}
		}
		var theirs []string
		for _, l := range pacmanOut(t, root, "-Qlq", p.Name) {
			theirs = append(theirs, strings.TrimSuffix(l, "/"))
		}
		if d := testtool.LineDiff(theirs, ours); d != "" {
			t.Errorf("%s: files differ from pacman -Qlq:\n%s", p.Name, d)
		}
	}
}

// TestDirEntriesMatchInstalled: what the package files describe is what
// pacman installed from them: the same paths, types, permissions, sizes,
// link targets, the hard link of smc-base kept, the setuid bit; the
// files carry the archives' bytes.
func TestDirEntriesMatchInstalled(t *testing.T) {
	pkgs, root, _ := fixtures(t)
	dir, err := OpenDir(pkgs, "x86_64")
	if err != nil {
		t.Fatal(err)
	}
	defer dir.Close()
	dir.KeepContents()
	r := closureOf(t, dir, installed...)
	checked := 0
	for _, p := range r.Packages {
		entries, err := dir.Entries(p)
		if err != nil {
			t.Fatal(err)
		}
		var ours []string
		for _, e := range entries {
			ours = append(ours, e.Path)
			checkInstalled(t, root, e)
			checked++
		}
		var theirs []string
		for _, l := range pacmanOut(t, root, "-Qlq", p.Name) {
			theirs = append(theirs, strings.TrimSuffix(strings.TrimPrefix(l, root), "/"))
		}
		if d := testtool.LineDiff(theirs, ours); d != "" {
			t.Errorf("%s: entries differ from pacman -Qlq:\n%s", p.Name, d)
		}
	}
	t.Logf("%d entries checked", checked)
}

// checkInstalled compares e with the file pacman installed under root.
func checkInstalled(t *testing.T, root string, e plan.Entry) {
	t.Helper()
	host := filepath.Join(root, e.Path)
	var st syscall.Stat_t
	if err := syscall.Lstat(host, &st); err != nil {
		t.Errorf("%s: %v", e.Path, err)
		return
	}
	if e.Type == plan.Hardlink {
		var target syscall.Stat_t
		if syscall.Lstat(filepath.Join(root, e.Link), &target) != nil || target.Ino != st.Ino {
			t.Errorf("%s: a hard link to %s, which pacman did not install as one", e.Path, e.Link)
		}
		return
	}
	if got, want := plan.UnixType(e.Type)|e.Perm(), st.Mode; got != want {
		t.Errorf("%s: mode %o, pacman installed %o", e.Path, got, want)
	}
	switch e.Type {
	case plan.Regular:
		data, err := os.ReadFile(host)
		var got bytes.Buffer
		rerr := plan.CopyData(&got, &e)
		if err != nil || rerr != nil || got.String() != string(data) {
			t.Errorf("%s: %d bytes (%v), pacman installed %d (%v)", e.Path, got.Len(), rerr, len(data), err)
		}
	case plan.Symlink:
		if target, _ := os.Readlink(host); target != e.Link {
			t.Errorf("%s: link to %q, pacman installed %q", e.Path, e.Link, target)
		}
	}
}
