// Package plantest is what the format tests share: random Plans
// (Random), the Plan's shape around hand-made entries (Complete), a
// Plan as a tar and GNU tar's extraction of it, the oracle (WriteTar,
// ExtractTar), and a check of a tree on disk against its Plan
// (CheckTree), whether a chroot directory, an extracted archive or a
// mounted image. Only tests import it.
package plantest

import (
	"io"
	"path"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/supermin-compile/supermin-compile/plan"
	"golang.org/x/sys/unix"
)

// Complete adds "/" (mode 0755, zero mtime) and the other missing
// parent directories (0755, mtime 10^9) and sorts by path: the shape
// the Plan promises.
func Complete(es map[string]plan.Entry) *plan.Plan {
	if _, ok := es["/"]; !ok {
		es["/"] = plan.Entry{Path: "/", Type: plan.Dir, Mode: 0o755}
	}
	for p := range es {
		for d := path.Dir(p); d != "/"; d = path.Dir(d) {
			if _, ok := es[d]; !ok {
				es[d] = plan.Entry{Path: d, Type: plan.Dir, Mode: 0o755, MTime: time.Unix(1e9, 0)}
			}
		}
	}
	p := &plan.Plan{}
	for _, e := range es {
		p.Entries = append(p.Entries, e)
	}
	slices.SortFunc(p.Entries, func(a, b plan.Entry) int { return strings.Compare(a.Path, b.Path) })
	return p
}

// Find returns the entry at name, or nil.
func Find(p *plan.Plan, name string) *plan.Entry {
	for i := range p.Entries {
		if p.Entries[i].Path == name {
			return &p.Entries[i]
		}
	}
	return nil
}

// Content is the bytes of e's source; none without a source.
func Content(t testing.TB, e *plan.Entry) []byte {
	t.Helper()
	b, err := content(e)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func content(e *plan.Entry) ([]byte, error) {
	if e.Src == nil {
		return nil, nil
	}
	r, err := e.Src.Open()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

// Mode is the st_mode the plan asks for: file type and permission bits.
func Mode(e *plan.Entry) uint32 {
	types := map[plan.Type]uint32{plan.Dir: unix.S_IFDIR, plan.Regular: unix.S_IFREG,
		plan.Symlink: unix.S_IFLNK, plan.CharDev: unix.S_IFCHR, plan.BlockDev: unix.S_IFBLK,
		plan.FIFO: unix.S_IFIFO, plan.Socket: unix.S_IFSOCK}
	return types[e.Type] | e.Perm()
}

// Links is the link count the plan implies: 1 plus the hard links to a
// regular file, 2 plus the subdirectories of a directory, 1 otherwise.
func Links(p *plan.Plan, e *plan.Entry) int {
	n := 1
	if e.Type == plan.Dir {
		n = 2
	}
	for i := range p.Entries {
		o := &p.Entries[i]
		switch {
		case e.Type == plan.Dir && o.Type == plan.Dir && o.Path != "/" && path.Dir(o.Path) == e.Path:
			n++
		case e.Type == plan.Regular && o.Type == plan.Hardlink && o.Link == e.Path:
			n++
		}
	}
	return n
}
