package globber

import (
	"bufio"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// benchPatterns are plain glob(3) patterns (no ** or braces) over real
// host directories, so that shells can expand them too.
const benchPatterns = "testdata/bench-patterns.txt"

// hostExtras add ** and braces to the host test; they are not in the file.
var hostExtras = []string{
	"/usr/share/doc/**/copyright",
	"/usr/lib/x86_64-linux-gnu/**/*.conf",
	"/etc/**/*.conf",
	"/etc/**",
	"/usr/include/**/std*.h",
	"/usr/share/**/README*",
	"/usr/{bin,sbin}/z*",
	"/usr/share/{doc,man}/{a,b}*",
	"/etc/{ssl/certs,apt}/*",
	"/lib/x86_64-linux-gnu/libc.so*", // /lib is a symlink on merged-/usr hosts
}

// hostDirs must exist for the host tests to mean anything.
var hostDirs = []string{"/usr/lib/x86_64-linux-gnu", "/usr/share/doc", "/usr/share/man/man1",
	"/usr/bin", "/usr/include", "/etc"}

func readPatterns(tb testing.TB) []string {
	tb.Helper()
	for _, d := range hostDirs {
		if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
			testtool.Unavailable(tb, "host directory "+d+" does not exist: the host tests want a full Debian (libc6-dev for /usr/include)")
		}
	}
	f, err := os.Open(benchPatterns)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var pats []string
	for sc := bufio.NewScanner(f); sc.Scan(); {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			pats = append(pats, line)
		}
	}
	return pats
}

func TestExpandHost(t *testing.T) {
	srcs := append(readPatterns(t), hostExtras...)
	if len(srcs) != 150+len(hostExtras) {
		t.Fatalf("%s has %d patterns, want 150", benchPatterns, len(srcs)-len(hostExtras))
	}
	pats := compileAll(t, srcs)
	fsys := newCountingFS(OSFS("/"))
	got, err := Expand(fsys, pats)
	if err != nil {
		t.Fatal(err)
	}
	for dir, n := range fsys.reads {
		if n > 1 {
			t.Errorf("ReadDir(%s) called %d times", dir, n)
		}
	}
	for _, dir := range []string{"/", "/usr", "/usr/lib"} {
		if fsys.reads[dir] != 0 {
			t.Errorf("ReadDir(%s) called; literal prefixes should not be listed", dir)
		}
	}
	want := naiveExpand(t, pats)
	if len(got) == 0 {
		t.Fatal("no matches at all on this host")
	}
	if !reflect.DeepEqual(got, want) {
		reportDiff(t, got, want)
	}
	t.Logf("%d matches, %d directories listed, %d lstats", len(got), len(fsys.reads), fsys.stats)
}

// naiveExpand is the reference: each pattern on its own, walking with
// filepath.WalkDir (which never follows symlinks) from its literal prefix,
// resolved first so that a symlinked prefix such as /lib works, and
// testing every path with Pattern.Match.
func naiveExpand(t *testing.T, pats []*Pattern) []Match {
	best := map[string]int{}
	for i, p := range pats {
		for _, path := range naiveOne(t, p) {
			if j, ok := best[path]; !ok || i < j {
				best[path] = i
			}
		}
	}
	var ms []Match
	for path, i := range best {
		ms = append(ms, Match{Path: path, Pattern: i})
	}
	slices.SortFunc(ms, func(a, b Match) int { return strings.Compare(a.Path, b.Path) })
	return ms
}

func naiveOne(t *testing.T, p *Pattern) []string {
	prefix, depth := literalPrefix(p.String())
	real, err := filepath.EvalSymlinks(prefix)
	if err != nil {
		return nil
	}
	var out []string
	err = filepath.WalkDir(real, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(real, path)
		logical := filepath.Join(prefix, rel)
		if p.Match(logical) {
			out = append(out, logical)
		}
		if d.IsDir() && depth >= 0 && segments(rel) >= depth {
			return filepath.SkipDir
		}
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("reference walk of %s: %v", p, err)
	}
	return out
}

// segments counts the names in a relative path ("." has none).
func segments(rel string) int {
	if rel == "." {
		return 0
	}
	return strings.Count(rel, "/") + 1
}

// literalPrefix returns the leading meta-free segments of a pattern and
// an upper bound on the number of segments after them (-1 if unbounded).
func literalPrefix(src string) (string, int) {
	segs := strings.Split(src[1:], "/")
	k := 0
	for k < len(segs) && !strings.ContainsAny(segs[k], `*?[{\`) {
		k++
	}
	depth := len(segs) - k
	if strings.Contains(src, "**") {
		depth = -1
	}
	return "/" + strings.Join(segs[:k], "/"), depth
}

func reportDiff(t *testing.T, got, want []Match) {
	t.Helper()
	g, w := map[Match]bool{}, map[Match]bool{}
	for _, m := range got {
		g[m] = true
	}
	for _, m := range want {
		w[m] = true
	}
	n := 0
	for _, m := range got {
		if !w[m] && n < 20 {
			t.Errorf("unexpected %v", m)
			n++
		}
	}
	for _, m := range want {
		if !g[m] && n < 40 {
			t.Errorf("missing %v", m)
			n++
		}
	}
	t.Errorf("got %d matches, reference has %d", len(got), len(want))
}

func BenchmarkExpand(b *testing.B) {
	pats := compileAll(b, readPatterns(b))
	fsys := OSFS("/")
	var n int
	for b.Loop() {
		ms, err := Expand(fsys, pats)
		if err != nil {
			b.Fatal(err)
		}
		n = len(ms)
	}
	b.ReportMetric(float64(n), "matches")
}

// BenchmarkExpandEachPattern is the same work done one pattern at a time,
// to show what sharing the walk saves.
func BenchmarkExpandEachPattern(b *testing.B) {
	pats := compileAll(b, readPatterns(b))
	fsys := OSFS("/")
	for b.Loop() {
		for _, p := range pats {
			if _, err := Expand(fsys, []*Pattern{p}); err != nil {
				b.Fatal(err)
			}
		}
	}
}
