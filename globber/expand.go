package globber

import (
	"fmt"
	"io/fs"
	"slices"
	"strings"
)

// Match is one path found by Expand.
type Match struct {
	Path    string // absolute path as seen inside the FS
	Pattern int    // index of the first pattern (in the slice given to Expand) that matched it
}

// Expand expands all patterns together in one walk of fsys (the host, "/",
// if nil) and returns the matches sorted by path, without duplicates.
//
// All patterns share one trie, so the walk starts below the longest
// literal prefixes, checks literal names with Lstat and lists a directory
// only when a wildcard needs its entries; each directory is listed at most
// once per call. Missing paths (ENOENT, ENOTDIR, ELOOP) are not errors;
// any other error stops the walk and is returned with the path.
func Expand(fsys FS, patterns []*Pattern) ([]Match, error) {
	return expand(fsys, patterns, nil)
}

// ExpandReadable is Expand that goes on past what it may not read: a
// directory it may not list (EACCES or EPERM) is walked as if empty, a
// path it may not lstat as if absent. It returns those paths as well,
// sorted, each once; Op is "list", "lstat" or "resolve" (a symlink).
func ExpandReadable(fsys FS, patterns []*Pattern) ([]Match, []*fs.PathError, error) {
	denied := []*fs.PathError{}
	ms, err := expand(fsys, patterns, &denied)
	if err != nil {
		return nil, nil, err
	}
	slices.SortFunc(denied, func(a, b *fs.PathError) int { return strings.Compare(a.Path, b.Path) })
	return ms, slices.CompactFunc(denied, func(a, b *fs.PathError) bool { return a.Path == b.Path }), nil
}

func expand(fsys FS, patterns []*Pattern, denied *[]*fs.PathError) ([]Match, error) {
	if fsys == nil {
		fsys = OSFS("/")
	}
	root, err := buildTrie(patterns)
	if err != nil {
		return nil, err
	}
	w := newWalker(fsys)
	w.denied = denied
	start := addClosed(nil, root)
	if t := terminal(start); t >= 0 {
		w.found = append(w.found, Match{Path: "/", Pattern: t})
	}
	if err := w.visit("/", "/", start); err != nil {
		return nil, err
	}
	return sortMatches(w.found), nil
}

// buildTrie merges the alternatives of all patterns into one trie whose
// terminal nodes carry the lowest pattern index ending there.
func buildTrie(patterns []*Pattern) (*node, error) {
	root := newNode()
	for i, p := range patterns {
		if p == nil {
			return nil, fmt.Errorf("globber: pattern %d is nil", i)
		}
		for _, alt := range p.alts {
			root.insert(alt, i)
		}
	}
	return root, nil
}

// sortMatches sorts by path and keeps, for each path, the lowest pattern.
func sortMatches(ms []Match) []Match {
	slices.SortFunc(ms, func(a, b Match) int {
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return a.Pattern - b.Pattern
	})
	return slices.CompactFunc(ms, func(a, b Match) bool { return a.Path == b.Path })
}

// joinPath appends a name to an absolute directory path.
func joinPath(dir, name string) string {
	if dir == "/" {
		return "/" + name
	}
	return dir + "/" + name
}

// parentPath returns the directory part of an absolute path.
func parentPath(p string) string {
	if i := strings.LastIndexByte(p, '/'); i > 0 {
		return p[:i]
	}
	return "/"
}

// describe wraps an I/O error with the path as the pattern wrote it.
func describe(op, logical string, err error) error {
	return fmt.Errorf("globber: %s %s: %w", op, logical, err)
}

// isSymlink reports whether a file type is a symbolic link.
func isSymlink(t fs.FileMode) bool { return t&fs.ModeSymlink != 0 }
