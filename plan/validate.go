package plan

import (
	"fmt"
	"path"
	"strings"
)

// Limits are the lengths a format can hold, in bytes; zero means no
// limit. Each format exports its own.
type Limits struct {
	Format string // the format's name, for messages
	Name   int    // one path component
	Path   int    // a whole path, with its leading "/"
	Target int    // a symlink's target
}

// Error lists what is wrong with a Plan, one "path: problem" a line.
type Error struct {
	Problems []string // the first maxProblems
	More     int      // how many more there are
}

// maxProblems bounds the message whatever the Plan.
const maxProblems = 20

func (e *Error) Error() string {
	if len(e.Problems) == 1 {
		return "invalid plan: " + e.Problems[0]
	}
	s := fmt.Sprintf("invalid plan, %d problems:\n  %s", len(e.Problems)+e.More, strings.Join(e.Problems, "\n  "))
	if e.More > 0 {
		s += fmt.Sprintf("\n  and %d more", e.More)
	}
	return s
}

// Validate checks everything the formats rely on, for every format
// alike, and names each entry that breaks a rule: the Plan starts with
// the directory "/"; paths are absolute, clean, free of NUL bytes,
// sorted and unique; every parent is a directory of the Plan; a
// regular file of some size has a source; a symlink has a target; a
// hard link names an earlier regular file (NormalizeLinks makes the
// links of a group so); and names, paths and symlink targets fit in l.
func Validate(p *Plan, l Limits) error {
	if p == nil {
		p = &Plan{}
	}
	v := &validator{p: p, l: l, index: make(map[string]int, len(p.Entries))}
	for i := range p.Entries {
		if _, dup := v.index[p.Entries[i].Path]; !dup {
			v.index[p.Entries[i].Path] = i
		}
	}
	if len(p.Entries) == 0 || p.Entries[0].Path != "/" || p.Entries[0].Type != Dir {
		v.problem("/: the plan must start with the root directory")
	}
	for i := range p.Entries {
		if e := &p.Entries[i]; v.pathOK(i, e) {
			v.entry(i, e)
		}
	}
	if len(v.err.Problems) == 0 {
		return nil
	}
	return &v.err
}

type validator struct {
	p     *Plan
	l     Limits
	index map[string]int // the first entry at each path, of the whole Plan
	err   Error
}

func (v *validator) problem(format string, args ...any) {
	if len(v.err.Problems) == maxProblems {
		v.err.More++
		return
	}
	v.err.Problems = append(v.err.Problems, fmt.Sprintf(format, args...))
}

// pathOK checks e's path on its own and against the entry before it.
func (v *validator) pathOK(i int, e *Entry) bool {
	switch p := e.Path; {
	case !strings.HasPrefix(p, "/") || path.Clean(p) != p:
		v.problem("%q: not a clean absolute path", short(p))
	case strings.IndexByte(p, 0) >= 0:
		v.problem("%q: a path cannot hold a NUL byte", short(p))
	case v.index[p] != i:
		v.problem("%s: appears twice in the plan", v.who(e))
	case i > 0 && v.p.Entries[i-1].Path > p:
		v.problem("%s: out of order, after %s", v.who(e), short(v.p.Entries[i-1].Path))
	default:
		return true
	}
	return false
}

// entry checks one entry whose path is sound.
func (v *validator) entry(i int, e *Entry) {
	l := v.l
	if e.Path != "/" {
		v.parent(e)
	}
	if name := path.Base(e.Path); l.Name > 0 && len(name) > l.Name {
		v.problem("%s: name is %d bytes, longer than %s allows (%d)", v.who(e), len(name), l.Format, l.Name)
	}
	if l.Path > 0 && len(e.Path) > l.Path {
		v.problem("%s: path is %d bytes, longer than %s allows (%d)", v.who(e), len(e.Path), l.Format, l.Path)
	}
	switch e.Type {
	case Dir, CharDev, BlockDev, FIFO, Socket:
	case Regular:
		if e.Size < 0 {
			v.problem("%s: negative size %d", v.who(e), e.Size)
		} else if e.Size > 0 && e.Src == nil {
			v.problem("%s: %d bytes but no source for them", v.who(e), e.Size)
		}
	case Symlink:
		v.symlink(e)
	case Hardlink:
		v.hardlink(i, e)
	default:
		v.problem("%s: unknown entry type %v", v.who(e), e.Type)
	}
}

func (v *validator) parent(e *Entry) {
	dir := path.Dir(e.Path)
	j, ok := v.index[dir]
	switch {
	case !ok:
		v.problem("%s: parent %s is not in the plan", v.who(e), short(dir))
	case v.p.Entries[j].Type != Dir:
		v.problem("%s: parent %s is %s, not a directory", v.who(e), v.who(&v.p.Entries[j]), noun(v.p.Entries[j].Type))
	}
}

func (v *validator) symlink(e *Entry) {
	switch t := e.Link; {
	case t == "":
		v.problem("%s: symlink with an empty target", v.who(e))
	case strings.IndexByte(t, 0) >= 0:
		v.problem("%s: symlink target holds a NUL byte", v.who(e))
	case v.l.Target > 0 && len(t) > v.l.Target:
		v.problem("%s: symlink target is %d bytes, longer than %s allows (%d)", v.who(e), len(t), v.l.Format, v.l.Target)
	}
}

func (v *validator) hardlink(i int, e *Entry) {
	j, ok := v.index[e.Link]
	switch {
	case e.Link == "":
		v.problem("%s: hard link with an empty target", v.who(e))
	case !ok:
		v.problem("%s: hard link to %s, which is not in the plan", v.who(e), short(e.Link))
	case j == i:
		v.problem("%s: hard link to itself", v.who(e))
	case v.p.Entries[j].Type != Regular:
		v.problem("%s: hard link to %s, which is %s, not a regular file", v.who(e), v.who(&v.p.Entries[j]), noun(v.p.Entries[j].Type))
	case j > i:
		v.problem("%s: hard link to %s, which comes after it: the first name of a file must hold its data",
			v.who(e), v.who(&v.p.Entries[j]))
	}
}

// who names an entry in messages: its path and where it came from.
func (v *validator) who(e *Entry) string {
	if e.Origin.String() == "" {
		return short(e.Path)
	}
	return short(e.Path) + " (from " + e.Origin.String() + ")"
}

// noun names a type with its article.
func noun(t Type) string {
	switch t {
	case Regular:
		return "a regular file"
	case Hardlink:
		return "a hard link"
	case CharDev:
		return "a character device"
	case BlockDev:
		return "a block device"
	case FIFO:
		return "a FIFO"
	case Socket:
		return "a socket"
	case Dir:
		return "a directory"
	case Symlink:
		return "a symlink"
	}
	return t.String()
}

// short keeps the ends of a long path, for readable messages.
func short(p string) string {
	if len(p) <= 100 {
		return p
	}
	return p[:50] + "..." + p[len(p)-40:]
}
