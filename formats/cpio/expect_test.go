package cpio

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/plantest"
	"github.com/supermin-compile/supermin-compile/plan"
	"golang.org/x/sys/unix"
)

// randomPlan is a random plan of what newc holds: no xattrs, mtimes in
// whole seconds from 1970 to 2106.
func randomPlan(t testing.TB, seed uint64, n int) *plan.Plan {
	p := plantest.Random(t, seed, n, plantest.Caps{Epoch32: true})
	plan.NormalizeLinks(p)
	return p
}

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
			src = plantest.Find(p, e.Link)
		} else {
			ino++
			inos[e.Path] = ino
		}
		m.name = archiveName(e.Path)
		m.f[0] = inos[src.Path]
		m.f[1] = uint64(plantest.Mode(src))
		m.f[2], m.f[3], m.f[4] = uint64(src.UID), uint64(src.GID), uint64(plantest.Links(p, src))
		m.f[5] = uint64(max(src.MTime.Unix(), 0))
		m.f[11] = uint64(len(m.name) + 1)
		switch src.Type {
		case plan.Regular:
			if lastName(p, src.Path) == e.Path {
				m.data = plantest.Content(t, src)
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
