package cpio

import (
	"io/fs"
	"math/rand/v2"
	"path"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/supermin-compile/supermin-compile/plan"
	"golang.org/x/sys/unix"
)

// complete adds the missing parent directories and sorts, giving the
// shape the Plan promises.
func complete(es map[string]plan.Entry) *plan.Plan {
	for p := range es {
		for d := path.Dir(p); ; d = path.Dir(d) {
			if _, ok := es[d]; !ok {
				es[d] = plan.Entry{Path: d, Type: plan.Dir, Mode: 0o755, MTime: time.Unix(1e9, 0)}
			}
			if d == "/" {
				break
			}
		}
	}
	if _, ok := es["/"]; !ok {
		es["/"] = plan.Entry{Path: "/", Type: plan.Dir, Mode: 0o755}
	}
	p := &plan.Plan{}
	for _, e := range es {
		p.Entries = append(p.Entries, e)
	}
	sort.Slice(p.Entries, func(i, j int) bool { return p.Entries[i].Path < p.Entries[j].Path })
	return p
}

// gen builds random plans covering every entry type and the edges of
// the format: padding, long names, big ids, special mode bits.
type gen struct {
	r    *rand.Rand
	es   map[string]plan.Entry
	dirs []string
}

func randomPlan(seed uint64, n int) *plan.Plan {
	g := &gen{r: rand.New(rand.NewPCG(seed, 1)), es: map[string]plan.Entry{}, dirs: []string{"/"}}
	g.deepPath()
	for range n {
		g.add()
	}
	for range n / 10 {
		g.linkGroup()
	}
	return complete(g.es)
}

const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-+"

func (g *gen) name() string {
	n := 1 + g.r.IntN(12)
	if g.r.IntN(20) == 0 {
		n = 100 + g.r.IntN(155) // long, but within NAME_MAX
	}
	var b strings.Builder
	for range n {
		b.WriteByte(alphabet[g.r.IntN(len(alphabet))])
	}
	if s := b.String(); s != "." && s != ".." {
		return s
	}
	return "x"
}

// freshPath returns an unused path under a random existing directory.
func (g *gen) freshPath() string {
	for {
		p := path.Join(g.dirs[g.r.IntN(len(g.dirs))], g.name())
		if _, ok := g.es[p]; !ok {
			return p
		}
	}
}

// deepPath makes one path of about 2 KiB out of long components.
func (g *gen) deepPath() {
	p := ""
	for len(p) < 2000 {
		p += "/" + strings.Repeat(string(alphabet[g.r.IntN(26)]), 200)
		g.es[p] = g.meta(plan.Entry{Path: p, Type: plan.Dir})
	}
	g.dirs = append(g.dirs, p)
}

func (g *gen) meta(e plan.Entry) plan.Entry {
	ids := []uint32{0, 1, 1000, 65534, 4000000000, 0xFFFFFFFE}
	e.UID, e.GID = ids[g.r.IntN(len(ids))], ids[g.r.IntN(len(ids))]
	e.Mode = fs.FileMode(g.r.IntN(0o1000))
	for _, b := range []fs.FileMode{fs.ModeSetuid, fs.ModeSetgid, fs.ModeSticky} {
		if g.r.IntN(4) == 0 {
			e.Mode |= b
		}
	}
	e.MTime = time.Unix(g.r.Int64N(0xFFFFFFFF), 0)
	if e.Type == plan.Dir {
		e.Mode |= 0o700 // GNU cpio as root copes either way; keeps walks simple
	}
	return e
}

func (g *gen) add() {
	p := g.freshPath()
	switch k := g.r.IntN(9); k {
	case 0, 1:
		g.dirs = append(g.dirs, p)
		g.es[p] = g.meta(plan.Entry{Path: p, Type: plan.Dir})
	case 2, 3, 4:
		g.es[p] = g.file(p)
	case 5:
		targets := []string{"../x", "/usr/bin/true", "a", strings.Repeat("t", 1+g.r.IntN(300)), "./sub/../y"}
		e := g.meta(plan.Entry{Path: p, Type: plan.Symlink, Link: targets[g.r.IntN(len(targets))]})
		e.Mode = 0o777
		g.es[p] = e
	case 6, 7:
		t := []plan.Type{plan.CharDev, plan.BlockDev}[k-6]
		rdev := unix.Mkdev(uint32(g.r.IntN(4096)), uint32(g.r.IntN(1<<20)))
		g.es[p] = g.meta(plan.Entry{Path: p, Type: t, Rdev: rdev})
	default:
		t := []plan.Type{plan.FIFO, plan.Socket}[g.r.IntN(2)]
		g.es[p] = g.meta(plan.Entry{Path: p, Type: t})
	}
}

func (g *gen) file(p string) plan.Entry {
	sizes := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 511, 512, 513, g.r.IntN(70000)}
	data := make([]byte, sizes[g.r.IntN(len(sizes))])
	for i := range data {
		data[i] = byte(g.r.Uint32())
	}
	return g.meta(plan.Entry{Path: p, Type: plan.Regular, Size: int64(len(data)), Src: plan.Bytes(data)})
}

// linkGroup adds 2-4 names of one file: the first in path order is the
// Regular entry, the others hard links to it.
func (g *gen) linkGroup() {
	ps := []string{g.freshPath()}
	for range 1 + g.r.IntN(3) {
		p := g.freshPath()
		if p != ps[0] {
			ps = append(ps, p)
		}
	}
	sort.Strings(ps)
	ps = slices.Compact(ps)
	f := g.file(ps[0])
	g.es[ps[0]] = f
	for _, p := range ps[1:] {
		h := f
		h.Path, h.Type, h.Link, h.Src, h.Size = p, plan.Hardlink, ps[0], nil, 0
		g.es[p] = h
	}
}
