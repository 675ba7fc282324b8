package cpio

import (
	"bytes"
	"fmt"
	"io"
	"path"
	"testing"

	"github.com/supermin-compile/supermin-compile/plan"
	"golang.org/x/sys/unix"
)

// expected computes, by brute force and without layout.go, the members
// an archive of p must hold.
func expected(t testing.TB, p *plan.Plan) []rmember {
	out := make([]rmember, len(p.Entries))
	inos := map[string]uint64{}
	var ino uint64
	for i := range p.Entries {
		e := &p.Entries[i]
		m := &out[i]
		src := e
		if e.Type == plan.Hardlink {
			src = find(p, e.Link)
		} else {
			ino++
			inos[e.Path] = ino
		}
		m.name = archiveName(e.Path)
		m.f[0] = inos[src.Path]
		m.f[1] = modeOf(src)
		m.f[2], m.f[3], m.f[4] = uint64(src.UID), uint64(src.GID), 1
		m.f[5] = uint64(max(src.MTime.Unix(), 0))
		m.f[11] = uint64(len(m.name) + 1)
		switch src.Type {
		case plan.Dir:
			m.f[4] = 2 + count(p, func(o *plan.Entry) bool {
				return o.Type == plan.Dir && o.Path != "/" && path.Dir(o.Path) == e.Path
			})
		case plan.Regular:
			m.f[4] = 1 + count(p, func(o *plan.Entry) bool { return o.Type == plan.Hardlink && o.Link == src.Path })
			if lastName(p, src.Path) == e.Path {
				m.data = content(t, src)
			}
		case plan.Symlink:
			m.data = []byte(e.Link)
		case plan.CharDev, plan.BlockDev:
			m.f[9], m.f[10] = uint64(unix.Major(e.Rdev)), uint64(unix.Minor(e.Rdev))
		}
		m.f[6] = uint64(len(m.data))
	}
	return out
}

func modeOf(e *plan.Entry) uint64 {
	bits := map[plan.Type]uint64{plan.Dir: 0o40000, plan.Regular: 0o100000, plan.Symlink: 0o120000,
		plan.CharDev: 0o20000, plan.BlockDev: 0o60000, plan.FIFO: 0o10000, plan.Socket: 0o140000}
	return bits[e.Type] | uint64(e.Perm())
}

func find(p *plan.Plan, name string) *plan.Entry {
	for i := range p.Entries {
		if p.Entries[i].Path == name {
			return &p.Entries[i]
		}
	}
	return nil
}

func count(p *plan.Plan, f func(*plan.Entry) bool) uint64 {
	var n uint64
	for i := range p.Entries {
		if f(&p.Entries[i]) {
			n++
		}
	}
	return n
}

// lastName is the last name, in plan order, of the file at target.
func lastName(p *plan.Plan, target string) string {
	last := target
	for _, e := range p.Entries {
		if e.Type == plan.Hardlink && e.Link == target {
			last = e.Path
		}
	}
	return last
}

func content(t testing.TB, e *plan.Entry) []byte {
	t.Helper()
	if e.Src == nil {
		return nil
	}
	r, err := e.Src.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// compareMembers reports the first difference between got and want.
func compareMembers(got, want []rmember) error {
	if len(got) != len(want) {
		return fmt.Errorf("%d members, want %d", len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.name != w.name || g.f != w.f || !bytes.Equal(g.data, w.data) {
			return fmt.Errorf("member %d:\n got %q %o %d bytes\nwant %q %o %d bytes", i, g.name, g.f, len(g.data), w.name, w.f, len(w.data))
		}
	}
	return nil
}
