package globber

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// buildTree creates a small tree with dotfiles, symlinks to files and
// directories, absolute and dangling links and symlink loops.
func buildTree(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	files := []string{
		"a/x.txt", "a/y.so", "a/.hidden", "a/.hdir/z.txt",
		"a/sub/x.txt", "a/sub/deep/x.txt", "a/sub/deep/.dot.txt", "a/sub/.x.txt",
	}
	for _, f := range files {
		p := filepath.Join(root, f)
		must(t, os.MkdirAll(filepath.Dir(p), 0o755))
		must(t, os.WriteFile(p, nil, 0o644))
	}
	must(t, os.Mkdir(filepath.Join(root, "c"), 0o755))
	links := [][2]string{
		{"a/link-to-sub", "sub"},
		{"a/link-to-file", "x.txt"},
		{"a/broken", "nowhere"},
		{"a/loop", "loop"},
		{"a/loop1", "loop2"},
		{"a/loop2", "loop1"},
		{"b", "a"},
		{"c/abs", "/a/sub"},           // absolute: must resolve inside the FS
		{"c/up", "../../../../a/sub"}, // ".." cannot leave the FS root
		{"c/chain", "abs/deep"},
	}
	for _, l := range links {
		must(t, os.Symlink(l[1], filepath.Join(root, l[0])))
	}
	return root
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func compileAll(t testing.TB, patterns []string) []*Pattern {
	t.Helper()
	ps := make([]*Pattern, len(patterns))
	for i, s := range patterns {
		p, err := Compile(s)
		if err != nil {
			t.Fatal(err)
		}
		ps[i] = p
	}
	return ps
}

// m builds expected matches: "/p" is a match of pattern 0, "2:/p" one of
// pattern 2.
func m(paths ...string) []Match {
	var ms []Match
	for _, p := range paths {
		i := 0
		if n, rest, ok := strings.Cut(p, ":"); ok {
			i, p = int(n[0]-'0'), rest
		}
		ms = append(ms, Match{Path: p, Pattern: i})
	}
	return ms
}

func TestExpandTree(t *testing.T) {
	fsys := OSFS(buildTree(t))
	tests := []struct {
		patterns []string
		want     []Match
	}{
		{[]string{"/a/*"}, m("/a/broken", "/a/link-to-file", "/a/link-to-sub",
			"/a/loop", "/a/loop1", "/a/loop2", "/a/sub", "/a/x.txt", "/a/y.so")},
		{[]string{"/a/.*"}, m("/a/.hdir", "/a/.hidden")},
		{[]string{"/a/**/x.txt"}, m("/a/sub/deep/x.txt", "/a/sub/x.txt", "/a/x.txt")},
		{[]string{"/a/**"}, m("/a/broken", "/a/link-to-file", "/a/link-to-sub",
			"/a/loop", "/a/loop1", "/a/loop2", "/a/sub", "/a/sub/deep", "/a/sub/deep/x.txt",
			"/a/sub/x.txt", "/a/x.txt", "/a/y.so")},
		{[]string{"/a/**/.*"}, m("/a/.hdir", "/a/.hidden", "/a/sub/.x.txt", "/a/sub/deep/.dot.txt")},
		{[]string{"/a/*/x.txt"}, m("/a/sub/x.txt")}, // link-to-sub is not followed by *
		{[]string{"/a/link-to-sub/*"}, m("/a/link-to-sub/deep", "/a/link-to-sub/x.txt")},
		{[]string{"/b/sub/*.txt"}, m("/b/sub/x.txt")},
		{[]string{"/b/**/x.txt"}, m("/b/sub/deep/x.txt", "/b/sub/x.txt", "/b/x.txt")},
		{[]string{"/c/abs/x.txt"}, m("/c/abs/x.txt")},
		{[]string{"/c/up/x.txt"}, m("/c/up/x.txt")},
		{[]string{"/c/chain/*"}, m("/c/chain/x.txt")},
		{[]string{"/c/*"}, m("/c/abs", "/c/chain", "/c/up")},
		{[]string{"/a/loop/x", "/a/loop1/*", "/a/link-to-file/x", "/a/broken/*"}, nil},
		{[]string{"/a/broken", "/a/loop"}, m("/a/broken", "1:/a/loop")},
		{[]string{"/nonexistent/*", "/nonexistent/**", "/a/nope"}, nil},
		{[]string{"/a/{sub/deep,.hdir}/*.txt"}, m("/a/.hdir/z.txt", "/a/sub/deep/x.txt")},
		{[]string{"/a/*.txt", "/a/**/x.txt", "/a/sub/x.txt"},
			m("1:/a/sub/deep/x.txt", "1:/a/sub/x.txt", "/a/x.txt")},
		{[]string{"/a/sub", "/a/sub/*"}, m("/a/sub", "1:/a/sub/deep", "1:/a/sub/x.txt")},
		{[]string{"/"}, m("/")},
	}
	for _, tt := range tests {
		got, err := Expand(fsys, compileAll(t, tt.patterns))
		if err != nil {
			t.Errorf("Expand(%q): %v", tt.patterns, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Expand(%q)\n got %v\nwant %v", tt.patterns, got, tt.want)
		}
	}
}

// countingFS counts the calls the walker makes.
type countingFS struct {
	inner FS
	mu    sync.Mutex
	reads map[string]int
	stats int
}

func newCountingFS(inner FS) *countingFS {
	return &countingFS{inner: inner, reads: make(map[string]int)}
}

func (c *countingFS) ReadDir(dir string) ([]fs.DirEntry, error) {
	c.mu.Lock()
	c.reads[dir]++
	c.mu.Unlock()
	return c.inner.ReadDir(dir)
}

func (c *countingFS) Lstat(p string) (fs.FileInfo, error) {
	c.mu.Lock()
	c.stats++
	c.mu.Unlock()
	return c.inner.Lstat(p)
}

func (c *countingFS) ReadLink(p string) (string, error) {
	return c.inner.(ReadLinkFS).ReadLink(p)
}

func TestExpandReadsLiteralPrefixesWithoutListing(t *testing.T) {
	fsys := newCountingFS(OSFS(buildTree(t)))
	got, err := Expand(fsys, compileAll(t, []string{"/a/sub/x.txt", "/a/sub/deep/x.txt", "/b/sub/x.txt"}))
	if err != nil {
		t.Fatal(err)
	}
	if want := m("1:/a/sub/deep/x.txt", "/a/sub/x.txt", "2:/b/sub/x.txt"); !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if len(fsys.reads) != 0 {
		t.Errorf("literal patterns listed directories: %v", fsys.reads)
	}
}

func TestExpandListsEachDirectoryOnce(t *testing.T) {
	fsys := newCountingFS(OSFS(buildTree(t)))
	// /b and /a/link-to-sub resolve to directories that are also reached
	// directly; the listing cache is keyed by the resolved path.
	_, err := Expand(fsys, compileAll(t, []string{
		"/a/*", "/a/*.txt", "/a/**", "/a/**/x.txt", "/b/*", "/b/sub/*", "/a/link-to-sub/*", "/a/sub/?.txt",
	}))
	if err != nil {
		t.Fatal(err)
	}
	for dir, n := range fsys.reads {
		if n > 1 {
			t.Errorf("ReadDir(%s) called %d times", dir, n)
		}
	}
	for _, dir := range []string{"/", "/b", "/a/link-to-sub"} {
		if fsys.reads[dir] != 0 {
			t.Errorf("ReadDir(%s) called, want no listing", dir)
		}
	}
}

// denyFS fails, with EACCES, ReadDir on one directory and Lstat below
// it, as the kernel does for a non-root user when the directory is 0700
// and owned by another.
type denyFS struct {
	FS
	deny string
}

func (d denyFS) ReadDir(dir string) ([]fs.DirEntry, error) {
	if dir == d.deny {
		return nil, &fs.PathError{Op: "open", Path: dir, Err: syscall.EACCES}
	}
	return d.FS.ReadDir(dir)
}

func (d denyFS) Lstat(p string) (fs.FileInfo, error) {
	if strings.HasPrefix(p, d.deny+"/") {
		return nil, &fs.PathError{Op: "lstat", Path: p, Err: syscall.EACCES}
	}
	return d.FS.Lstat(p)
}

func (d denyFS) ReadLink(p string) (string, error) { return d.FS.(ReadLinkFS).ReadLink(p) }

func TestExpandReadableGoesOnPastDeniedPaths(t *testing.T) {
	fsys := denyFS{FS: OSFS(buildTree(t)), deny: "/a/sub"}
	got, denied, err := ExpandReadable(fsys, compileAll(t, []string{"/a/**/x.txt", "/a/*", "/b/sub/**"}))
	if err != nil {
		t.Fatal(err)
	}
	// /a/sub itself is still matched (its metadata is readable); nothing below it is.
	if want := m("1:/a/broken", "1:/a/link-to-file", "1:/a/link-to-sub", "1:/a/loop", "1:/a/loop1", "1:/a/loop2",
		"1:/a/sub", "/a/x.txt", "1:/a/y.so"); !reflect.DeepEqual(got, want) {
		t.Errorf("matches\n got %v\nwant %v", got, want)
	}
	// Once: /b/sub is the same directory, through the symlink /b -> a.
	if want := []string{"list /a/sub: permission denied"}; !reflect.DeepEqual(errorStrings(denied), want) {
		t.Errorf("denied\n got %q\nwant %q", errorStrings(denied), want)
	}
	// Literal names below /a/sub are looked up with lstat, which needs
	// search permission on it.
	got, denied, err = ExpandReadable(fsys, compileAll(t, []string{"/a/sub/x.txt", "/a/sub/deep/x.txt", "/a/x.txt"}))
	if err != nil {
		t.Fatal(err)
	}
	if want := m("2:/a/x.txt"); !reflect.DeepEqual(got, want) {
		t.Errorf("matches\n got %v\nwant %v", got, want)
	}
	if want := []string{"lstat /a/sub/deep: permission denied", "lstat /a/sub/x.txt: permission denied"}; !reflect.DeepEqual(errorStrings(denied), want) {
		t.Errorf("denied\n got %q\nwant %q", errorStrings(denied), want)
	}
}

func errorStrings(errs []*fs.PathError) []string {
	var s []string
	for _, e := range errs {
		s = append(s, e.Error())
	}
	return s
}

func TestExpandReturnsOtherErrors(t *testing.T) {
	fsys := denyFS{FS: OSFS(buildTree(t)), deny: "/a/sub"}
	_, err := Expand(fsys, compileAll(t, []string{"/a/**/x.txt"}))
	if !errors.Is(err, syscall.EACCES) || !strings.Contains(err.Error(), "/a/sub") {
		t.Errorf("err = %v, want EACCES naming /a/sub", err)
	}
	// A literal lookup below /a/sub needs search permission on it too.
	_, err = Expand(fsys, compileAll(t, []string{"/a/sub/x.txt"}))
	if !errors.Is(err, syscall.EACCES) || !strings.Contains(err.Error(), "/a/sub/x.txt") {
		t.Errorf("literal pattern: err = %v, want EACCES naming /a/sub/x.txt", err)
	}
}

// plainFS hides ReadLink, so symlinks are left to the OS to resolve.
type plainFS struct{ FS }

func TestExpandWithoutReadLink(t *testing.T) {
	fsys := plainFS{OSFS(buildTree(t))}
	got, err := Expand(fsys, compileAll(t, []string{"/b/sub/*.txt", "/a/link-to-sub/x.txt", "/a/loop/*", "/a/link-to-file/*"}))
	if err != nil {
		t.Fatal(err)
	}
	if want := m("1:/a/link-to-sub/x.txt", "/b/sub/x.txt"); !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestExpandNilPattern(t *testing.T) {
	if _, err := Expand(OSFS("/"), []*Pattern{nil}); err == nil {
		t.Error("Expand with a nil pattern succeeded")
	}
}
