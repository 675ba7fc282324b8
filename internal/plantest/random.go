package plantest

import (
	"encoding/binary"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/supermin-compile/supermin-compile/plan"
	"golang.org/x/sys/unix"
)

// Caps says what a format can hold; Random makes nothing beyond it.
type Caps struct {
	// Xattrs puts user.k on some files and directories and a file
	// capability on some files.
	Xattrs bool
	// Epoch32 keeps mtimes to whole seconds in [0, 2^32), what newc's
	// eight hex digits hold; otherwise they run from 1901 to 2242, with
	// nanoseconds.
	Epoch32 bool
}

// gen builds random plans covering every entry type and the edges of
// the formats: padding, long names, a 2 KiB path, big ids, special mode
// bits, odd modes on directories, host and in-memory sources.
type gen struct {
	r     *rand.Rand
	t     testing.TB
	caps  Caps
	es    map[string]plan.Entry
	dirs  []string
	hosts string // directory for plan.HostFile sources
	files int
}

// Random makes a complete, sorted plan of n random entries and n/10
// groups of hard links, the same for the same seed. Host-file sources
// are written under t.TempDir(). A link group is as a tar describes
// it (see linkGroup): plan.NormalizeLinks makes it a valid Plan.
func Random(t testing.TB, seed uint64, n int, c Caps) *plan.Plan {
	g := &gen{r: rand.New(rand.NewPCG(seed, 1)), t: t, caps: c, es: map[string]plan.Entry{},
		dirs: []string{"/"}, hosts: t.TempDir()}
	g.es["/"] = plan.Entry{Path: "/", Type: plan.Dir, Mode: 0o755, MTime: g.mtime()}
	g.deepPath()
	for range n {
		g.add()
	}
	for range n / 10 {
		g.linkGroup()
	}
	return Complete(g.es)
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

func (g *gen) mtime() time.Time {
	if g.caps.Epoch32 {
		return time.Unix(g.r.Int64N(1<<32), 0)
	}
	return time.Unix(g.r.Int64N(1<<33)-1<<31, g.r.Int64N(1e9))
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
	e.MTime = g.mtime()
	// user.* attributes are only for files and directories.
	if g.caps.Xattrs && (e.Type == plan.Dir || e.Type == plan.Regular) && g.r.IntN(3) == 0 {
		e.Xattrs = []plan.Xattr{{Name: "user.k", Value: []byte(path.Base(e.Path))}}
	}
	return e
}

func (g *gen) add() {
	p := g.freshPath()
	switch g.r.IntN(10) {
	case 0, 1:
		g.dirs = append(g.dirs, p)
		g.es[p] = g.meta(plan.Entry{Path: p, Type: plan.Dir})
	case 2, 3, 4:
		g.es[p] = g.file(p)
	case 5, 6:
		targets := []string{"../x", "/usr/bin/true", "a", "/", "..", "../../../../etc", "./sub/../y",
			strings.Repeat("t", 1+g.r.IntN(300))}
		e := g.meta(plan.Entry{Path: p, Type: plan.Symlink, Link: targets[g.r.IntN(len(targets))]})
		e.Mode = 0o777 // as symlink(2) makes them
		g.es[p] = e
	case 7, 8:
		e := plan.Entry{Path: p, Type: []plan.Type{plan.CharDev, plan.BlockDev, plan.FIFO}[g.r.IntN(3)]}
		if e.Type != plan.FIFO {
			e.Rdev = unix.Mkdev(uint32(g.r.IntN(4096)), uint32(g.r.IntN(1<<20)))
		}
		g.es[p] = g.meta(e)
	default:
		g.es[p] = g.meta(plan.Entry{Path: p, Type: plan.Socket})
	}
}

// file makes a regular file whose content is in memory or, half the
// time, in a host file (the copy_file_range path). Most sizes are at
// the edges of cpio padding and of blocks.
func (g *gen) file(p string) plan.Entry {
	sizes := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 511, 512, 513, 4095, 4096, 4097, g.r.IntN(70000)}
	n := sizes[g.r.IntN(len(sizes))]
	if g.r.IntN(50) == 0 {
		n = 256<<10 + g.r.IntN(50000) // past cpio's write buffer
	}
	data := make([]byte, n)
	for i := range data {
		data[i] = byte(g.r.Uint32())
	}
	e := g.meta(plan.Entry{Path: p, Type: plan.Regular, Size: int64(len(data)), Src: plan.Bytes(data)})
	if g.r.IntN(2) == 0 {
		g.files++
		host := filepath.Join(g.hosts, fmt.Sprintf("f%d", g.files))
		if err := os.WriteFile(host, data, 0o600); err != nil {
			g.t.Fatal(err)
		}
		e.Src = plan.HostFile(host)
	}
	if g.caps.Xattrs && g.r.IntN(8) == 0 {
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

// linkGroup adds 2-4 names of one file as a tar gives them: the data
// on one name, at random, and the others hard links to it. The data
// sits before the links in tar order (see WriteTar) but, as often as
// not, after some of them in path order.
func (g *gen) linkGroup() {
	ps := []string{g.freshPath(), g.freshPath()}
	for range g.r.IntN(3) {
		ps = append(ps, g.freshPath())
	}
	slices.Sort(ps)
	ps = slices.Compact(ps)
	data := ps[g.r.IntN(len(ps))]
	f := g.file(data)
	g.es[data] = f
	for _, p := range ps {
		if p != data {
			g.es[p] = plan.Entry{Path: p, Type: plan.Hardlink, Link: data, Mode: f.Mode, UID: f.UID, GID: f.GID, MTime: f.MTime}
		}
	}
}
