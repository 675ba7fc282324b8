package globber

import (
	"errors"
	"io/fs"
	"slices"
	"syscall"
)

// walker holds the state of one Expand call. Every directory is visited
// under two names: the logical path, as the patterns spell it (reported in
// matches), and the real path with literal symlinks resolved (used for I/O
// and as the listing cache key, so /lib/x and /usr/lib/x share a listing).
type walker struct {
	fsys  FS
	links ReadLinkFS // nil if fsys cannot read links
	dirs  map[string]*listing
	found []Match
	// denied collects what the walk may not read (EACCES, EPERM) when it
	// is to go on past it; nil makes such an error stop the walk.
	denied *[]*fs.PathError
}

// listing is a directory read once; missing directories list as empty.
type listing struct {
	ents   []fs.DirEntry
	byName map[string]fs.DirEntry // built on first lookup
}

func newWalker(fsys FS) *walker {
	links, _ := fsys.(ReadLinkFS)
	return &walker{fsys: fsys, links: links, dirs: make(map[string]*listing)}
}

// visit matches the entries of a directory against the state set.
func (w *walker) visit(logical, real string, set []*node) error {
	if needsListing(set) {
		return w.visitListed(logical, real, set)
	}
	return w.visitLiteral(logical, real, set)
}

// needsListing reports whether some state needs more than exact names.
func needsListing(set []*node) bool {
	for _, n := range set {
		if len(n.wild) > 0 || n.loop {
			return true
		}
	}
	return false
}

// visitListed reads the directory and tries every entry.
func (w *walker) visitListed(logical, real string, set []*node) error {
	l, err := w.list(logical, real)
	if err != nil {
		return err
	}
	var next []*node // reused per entry; a child visit is done before reuse
	for _, e := range l.ents {
		name := e.Name()
		if next = advance(next[:0], set, name, false); len(next) == 0 {
			continue
		}
		if err := w.enter(logical, real, name, e.Type(), set, next); err != nil {
			return err
		}
	}
	return nil
}

// visitLiteral checks only the exact names the states ask for, from the
// listing if the directory was read anyway, else with Lstat.
func (w *walker) visitLiteral(logical, real string, set []*node) error {
	for _, name := range literalNames(set) {
		typ, ok, err := w.typeOf(logical, real, name)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if err := w.enter(logical, real, name, typ, set, advance(nil, set, name, true)); err != nil {
			return err
		}
	}
	return nil
}

// literalNames returns the distinct exact-name edges of set, sorted so
// that the walk (and the first error it meets) is deterministic.
func literalNames(set []*node) []string {
	var names []string
	for _, n := range set {
		for name := range n.lit {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// enter records a match for the entry and descends into it. Directories
// are entered with every state; symlinks only with the states reached by
// exact names, since wildcards and ** never follow symlinks.
func (w *walker) enter(dirLog, dirReal, name string, typ fs.FileMode, set, next []*node) error {
	logical := joinPath(dirLog, name)
	real := logical // no symlink was followed above this entry
	if dirReal != dirLog {
		real = joinPath(dirReal, name)
	}
	if t := terminal(next); t >= 0 {
		w.found = append(w.found, Match{Path: logical, Pattern: t})
	}
	switch {
	case typ.IsDir():
		if anyEdges(next) {
			return w.visit(logical, real, next)
		}
	case isSymlink(typ):
		if lit := advance(nil, set, name, true); anyEdges(lit) {
			return w.follow(logical, real, lit)
		}
	}
	return nil
}

// follow descends through a symlink matched by a literal segment.
func (w *walker) follow(logical, real string, set []*node) error {
	if w.links == nil {
		return w.visit(logical, real, set) // the FS resolves it on access
	}
	dir, ok, err := w.realDir(logical, real)
	if err != nil || !ok {
		return err
	}
	return w.visit(logical, dir, set)
}

// list reads a directory, at most once per walk.
func (w *walker) list(logical, real string) (*listing, error) {
	if l := w.dirs[real]; l != nil {
		return l, nil
	}
	ents, err := w.fsys.ReadDir(real)
	if err != nil {
		if !w.skip("list", logical, err) {
			return nil, describe("reading directory", logical, err)
		}
		ents = nil
	}
	l := &listing{ents: ents}
	w.dirs[real] = l
	return l, nil
}

// typeOf returns the file type of dir/name and whether it exists.
func (w *walker) typeOf(logical, real, name string) (fs.FileMode, bool, error) {
	if l := w.dirs[real]; l != nil {
		e := l.lookup(name)
		if e == nil {
			return 0, false, nil
		}
		return e.Type(), true, nil
	}
	fi, err := w.fsys.Lstat(joinPath(real, name))
	if err != nil {
		if w.skip("lstat", joinPath(logical, name), err) {
			return 0, false, nil
		}
		return 0, false, describe("lstat", joinPath(logical, name), err)
	}
	return fi.Mode().Type(), true, nil
}

func (l *listing) lookup(name string) fs.DirEntry {
	if l.byName == nil {
		l.byName = make(map[string]fs.DirEntry, len(l.ents))
		for _, e := range l.ents {
			l.byName[e.Name()] = e
		}
	}
	return l.byName[name]
}

// skip reports whether the walk goes on past err, at path, as if
// nothing were there; a permission error it may pass is recorded.
func (w *walker) skip(op, logical string, err error) bool {
	if skippable(err) {
		return true
	}
	if w.denied == nil || !errors.Is(err, fs.ErrPermission) {
		return false
	}
	*w.denied = append(*w.denied, &fs.PathError{Op: op, Path: logical, Err: permissionErrno(err)})
	return true
}

// permissionErrno is the errno under a permission error (EACCES, EPERM).
func permissionErrno(err error) error {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno
	}
	return err
}

// skippable reports errors that mean "nothing here" rather than failure.
func skippable(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) ||
		errors.Is(err, syscall.ELOOP)
}
