package chroot

import (
	"encoding/binary"
	"io/fs"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/supermin-compile/supermin-compile/plan"
	"golang.org/x/sys/unix"
)

// complete adds missing parent directories and sorts: the Plan's shape.
func complete(es map[string]plan.Entry) *plan.Plan {
	es["/"] = plan.Entry{Path: "/", Type: plan.Dir, Mode: 0o755, MTime: time.Unix(1e9, 5)}
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
	sort.Slice(p.Entries, func(i, j int) bool { return p.Entries[i].Path < p.Entries[j].Path })
	return p
}

// gen makes random plans with every entry type, special mode bits,
// odd modes on directories, nanosecond mtimes and xattrs.
type gen struct {
	r     *rand.Rand
	t     testing.TB
	es    map[string]plan.Entry
	dirs  []string
	hosts string // directory for plan.HostFile sources
}

func randomPlan(t testing.TB, seed uint64, n int) *plan.Plan {
	g := &gen{r: rand.New(rand.NewPCG(seed, 2)), t: t, es: map[string]plan.Entry{}, dirs: []string{"/"}, hosts: t.TempDir()}
	for range n {
		g.add()
	}
	for range n / 10 {
		g.linkGroup()
	}
	return complete(g.es)
}

func (g *gen) freshPath() string {
	for {
		var b strings.Builder
		for range 1 + g.r.IntN(10) {
			b.WriteByte("abcdefghijklmnopqrstuvwxyz0123456789._-"[g.r.IntN(39)])
		}
		p := path.Join(g.dirs[g.r.IntN(len(g.dirs))], b.String())
		if _, ok := g.es[p]; !ok && path.Base(p) != "." && path.Base(p) != ".." {
			return p
		}
	}
}

func (g *gen) meta(e plan.Entry) plan.Entry {
	ids := []uint32{0, 1, 1000, 65534, 4000000000}
	e.UID, e.GID = ids[g.r.IntN(len(ids))], ids[g.r.IntN(len(ids))]
	e.Mode = fs.FileMode(g.r.IntN(0o1000))
	for _, b := range []fs.FileMode{fs.ModeSetuid, fs.ModeSetgid, fs.ModeSticky} {
		if g.r.IntN(4) == 0 {
			e.Mode |= b
		}
	}
	e.MTime = time.Unix(g.r.Int64N(1<<33)-1<<31, g.r.Int64N(1e9))
	if g.r.IntN(3) == 0 {
		e.Xattrs = []plan.Xattr{{Name: "user.k", Value: []byte(e.Path)}}
	}
	return e
}

func (g *gen) add() {
	p := g.freshPath()
	switch k := g.r.IntN(10); k {
	case 0, 1:
		g.dirs = append(g.dirs, p)
		g.es[p] = g.meta(plan.Entry{Path: p, Type: plan.Dir})
	case 2, 3, 4:
		g.es[p] = g.file(p)
	case 5, 6:
		targets := []string{"../x", "/usr/bin/true", "a", "/", "..", "../../../../etc"}
		e := g.meta(plan.Entry{Path: p, Type: plan.Symlink, Link: targets[g.r.IntN(len(targets))]})
		e.Mode, e.Xattrs = 0o777, nil // user.* xattrs are not allowed on symlinks
		g.es[p] = e
	case 7, 8:
		t := []plan.Type{plan.CharDev, plan.BlockDev, plan.FIFO, plan.FIFO}[g.r.IntN(4)]
		rdev := unix.Mkdev(uint32(g.r.IntN(4096)), uint32(g.r.IntN(1<<20)))
		e := g.meta(plan.Entry{Path: p, Type: t, Rdev: rdev})
		e.Xattrs = nil // user.* xattrs are only for files and directories
		g.es[p] = e
	default:
		g.es[p] = g.meta(plan.Entry{Path: p, Type: plan.Socket})
	}
}

// file makes a regular file whose content is in memory or, half the
// time, in a host file (the copy_file_range path).
func (g *gen) file(p string) plan.Entry {
	data := make([]byte, []int{0, 1, 4095, 4096, g.r.IntN(300000)}[g.r.IntN(5)])
	for i := range data {
		data[i] = byte(g.r.Uint32())
	}
	e := g.meta(plan.Entry{Path: p, Type: plan.Regular, Size: int64(len(data)), Src: plan.Bytes(data)})
	if g.r.IntN(2) == 0 {
		host := filepath.Join(g.hosts, strings.ReplaceAll(p, "/", "_"))
		if err := os.WriteFile(host, data, 0o600); err != nil {
			g.t.Fatal(err)
		}
		e.Src = plan.HostFile(host)
	}
	if g.r.IntN(8) == 0 {
		e.Xattrs = append(e.Xattrs, plan.Xattr{Name: "security.capability", Value: capNetRaw()})
	}
	return e
}

// capNetRaw is a version 2 file capability: cap_net_raw=ep.
func capNetRaw() []byte {
	b := make([]byte, 20)
	binary.LittleEndian.PutUint32(b, 0x02000001)
	binary.LittleEndian.PutUint32(b[4:], 1<<13)
	return b
}

// linkGroup adds 2-4 names of one file, the first in order Regular.
func (g *gen) linkGroup() {
	ps := []string{g.freshPath(), g.freshPath()}
	for range g.r.IntN(3) {
		ps = append(ps, g.freshPath())
	}
	sort.Strings(ps)
	ps = slices.Compact(ps)
	f := g.file(ps[0])
	g.es[ps[0]] = f
	for _, p := range ps[1:] {
		g.es[p] = plan.Entry{Path: p, Type: plan.Hardlink, Link: ps[0], Mode: f.Mode, UID: f.UID, GID: f.GID, MTime: f.MTime}
	}
}
