package ext2

import (
	"encoding/binary"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/supermin-compile/supermin-compile/plan"
	"golang.org/x/sys/unix"
)

// gen builds random but seeded plans with host files under dir.
type gen struct {
	t       *testing.T
	r       *rand.Rand
	data    *rand.ChaCha8
	dir     string
	bs      int64
	entries []plan.Entry
	paths   map[string]bool
	dirs    []string
	nfiles  int
	regions map[string][][2]int64
}

func newGen(t *testing.T, seed uint64, bs int64) *gen {
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:], seed)
	return &gen{t: t, r: rand.New(rand.NewPCG(seed, 7)), data: rand.NewChaCha8(key),
		dir: t.TempDir(), bs: bs, paths: map[string]bool{}, regions: map[string][][2]int64{}}
}

const nameChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-+"

// name returns a fresh name in dir, between lo and hi bytes long.
func (g *gen) name(dir string, lo, hi int) string {
	for {
		b := make([]byte, lo+g.r.IntN(hi-lo+1))
		for i := range b {
			b[i] = nameChars[g.r.IntN(len(nameChars))]
		}
		p := path.Join(dir, string(b))
		if s := string(b); s != "." && s != ".." && s != "lost+found" && !g.paths[p] {
			return p
		}
	}
}

var (
	testTime = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	testUUID = [16]byte{0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	uids     = []uint32{0, 1, 1000, 65535, 65536, 100000, 4294967294}
	mtimes   = []int64{0, 1, 1 << 30, 1<<31 - 1, 1 << 31, 4102444800, -100000000}
)

// add appends e with random owner, mode bits and time.
func (g *gen) add(e plan.Entry) *plan.Entry {
	e.UID, e.GID = uids[g.r.IntN(len(uids))], uids[g.r.IntN(len(uids))]
	e.Mode = fs.FileMode(g.r.IntN(0o1000))
	for _, special := range []fs.FileMode{fs.ModeSetuid, fs.ModeSetgid, fs.ModeSticky} {
		if g.r.IntN(6) == 0 {
			e.Mode |= special
		}
	}
	e.MTime = time.Unix(g.r.Int64N(1<<31), 0)
	if g.r.IntN(8) == 0 {
		e.MTime = time.Unix(mtimes[g.r.IntN(len(mtimes))], 0)
	}
	g.paths[e.Path] = true
	g.entries = append(g.entries, e)
	return &g.entries[len(g.entries)-1]
}

// bytes returns n seeded random bytes.
func (g *gen) bytes(n int64) []byte {
	b := make([]byte, n)
	g.data.Read(b)
	return b
}

// file adds a regular file of size bytes, from the host or from memory.
func (g *gen) file(dir string, size int64) {
	data := g.bytes(size)
	e := plan.Entry{Path: g.name(dir, 1, 40), Type: plan.Regular, Size: size}
	if g.r.IntN(3) == 0 && size < 1<<20 {
		e.Src = plan.Bytes(data)
	} else {
		e.Src = g.hostFile(data)
	}
	g.add(e)
}

// hostFile writes data to a new host file.
func (g *gen) hostFile(data []byte) plan.HostFile {
	g.nfiles++
	p := filepath.Join(g.dir, fmt.Sprintf("f%d", g.nfiles))
	if err := os.WriteFile(p, data, 0o644); err != nil {
		g.t.Fatal(err)
	}
	return plan.HostFile(p)
}

// sparseFile adds a host file of size bytes with random data in regions.
func (g *gen) sparseFile(p string, size int64, regions [][2]int64, huge bool) {
	g.nfiles++
	hp := filepath.Join(g.dir, fmt.Sprintf("f%d", g.nfiles))
	f, err := os.Create(hp)
	if err != nil {
		g.t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		g.t.Fatal(err)
	}
	for _, r := range regions {
		if _, err := f.WriteAt(g.bytes(r[1]-r[0]), r[0]); err != nil {
			g.t.Fatal(err)
		}
	}
	g.add(plan.Entry{Path: p, Type: plan.Regular, Size: size, Src: plan.HostFile(hp)})
	if huge {
		g.regions[p] = regions
	}
}

// randomPlan builds the property-test plan.
func (g *gen) randomPlan(huge bool) (*plan.Plan, expected) {
	g.add(plan.Entry{Path: "/", Type: plan.Dir})
	g.dirs = []string{"/"}
	g.addDirs()
	g.addFiles()
	g.addOthers()
	g.addBigDir()
	if huge {
		const gib = 1 << 30
		g.add(plan.Entry{Path: "/huge", Type: plan.Dir})
		g.sparseFile("/huge/sparse", 5*gib, [][2]int64{{0, 10000}, {gib + 123, gib + 5123},
			{4*gib + gib/2, 4*gib + gib/2 + 8199}, {5*gib - 100, 5 * gib}}, true)
	}
	g.addHardlinks()
	g.addXattrs()
	sort.Slice(g.entries, func(i, j int) bool { return g.entries[i].Path < g.entries[j].Path })
	p := &plan.Plan{Entries: g.entries}
	plan.NormalizeLinks(p)
	return p, expected{p: p, regions: g.regions}
}

// addDirs makes a random tree plus one deep chain of long names.
func (g *gen) addDirs() {
	for range 40 {
		p := g.name(g.dirs[g.r.IntN(len(g.dirs))], 1, 30)
		g.add(plan.Entry{Path: p, Type: plan.Dir})
		g.dirs = append(g.dirs, p)
	}
	d := "/"
	for i := range 10 {
		d = g.name(d, 200+i*5, 255)
		g.add(plan.Entry{Path: d, Type: plan.Dir})
		g.dirs = append(g.dirs, d)
	}
}

// addFiles adds regular files around the block-map boundaries.
func (g *gen) addFiles() {
	bs, apb := g.bs, g.bs/4
	sizes := []int64{0, 1, bs - 1, bs, bs + 1, 12*bs - 1, 12 * bs, 12*bs + 1,
		(12+apb)*bs - 1, (12 + apb) * bs, (12+apb)*bs + 1}
	for range 60 {
		sizes = append(sizes, g.r.Int64N(3*bs), g.r.Int64N(100<<10))
	}
	for _, s := range sizes {
		g.file(g.dirs[g.r.IntN(len(g.dirs))], s)
	}
	// Data at an unaligned end of file: the last block is partly past EOF.
	g.sparseFile(g.name("/", 5, 10), 300<<10+777, [][2]int64{{0, 5000}, {200 << 10, 210 << 10}, {300 << 10, 300<<10 + 777}}, false)
}

// addOthers adds symlinks, devices, FIFOs and sockets.
func (g *gen) addOthers() {
	const linkChars = "abcdefghijklmnopqrstuvwxyz0123456789/._-"
	for _, n := range []int{1, 59, 60, 61, int(g.bs) - 1, g.r.IntN(200) + 1, g.r.IntN(58) + 1} {
		t := make([]byte, n)
		for i := range t {
			t[i] = linkChars[g.r.IntN(len(linkChars))]
		}
		g.add(plan.Entry{Path: g.name(g.dirs[g.r.IntN(len(g.dirs))], 1, 20), Type: plan.Symlink, Link: string(t)})
	}
	devs := [][2]uint32{{1, 3}, {8, 0}, {255, 255}, {256, 0}, {0, 256}, {259, 300000}, {4095, 0xfffff}}
	for i, d := range devs {
		typ := plan.CharDev
		if i%2 == 1 {
			typ = plan.BlockDev
		}
		g.add(plan.Entry{Path: g.name(g.dirs[g.r.IntN(len(g.dirs))], 1, 20), Type: typ, Rdev: unix.Mkdev(d[0], d[1])})
	}
	for range 3 {
		g.add(plan.Entry{Path: g.name(g.dirs[g.r.IntN(len(g.dirs))], 1, 20), Type: plan.FIFO})
		g.add(plan.Entry{Path: g.name(g.dirs[g.r.IntN(len(g.dirs))], 1, 20), Type: plan.Socket})
	}
}

// addBigDir makes a directory of 1100 entries with long names.
func (g *gen) addBigDir() {
	g.add(plan.Entry{Path: "/big", Type: plan.Dir})
	for i := range 1100 {
		e := plan.Entry{Path: g.name("/big", 20, 255), Type: plan.Regular, Src: plan.Bytes{}}
		if i%3 == 0 {
			e = plan.Entry{Path: e.Path, Type: plan.FIFO}
		}
		g.add(e)
	}
}

// addHardlinks links new names to regular files, names that sort before
// or after them: randomPlan normalises the groups.
func (g *gen) addHardlinks() {
	var files []string
	for _, e := range g.entries {
		if e.Type == plan.Regular {
			files = append(files, e.Path)
		}
	}
	for range 25 {
		p := g.name(g.dirs[g.r.IntN(len(g.dirs))], 1, 30)
		g.add(plan.Entry{Path: p, Type: plan.Hardlink, Link: files[g.r.IntN(len(files))]})
	}
}

// addXattrs puts attribute sets on some files and directories; the
// SELinux label is shared by many, as on a real system.
func (g *gen) addXattrs() {
	acl := binary.LittleEndian.AppendUint32(nil, 2)
	for _, a := range [][3]uint32{{0x01, 7, ^uint32(0)}, {0x02, 5, 1000}, {0x04, 5, ^uint32(0)}, {0x10, 5, ^uint32(0)}, {0x20, 4, ^uint32(0)}} {
		acl = binary.LittleEndian.AppendUint16(acl, uint16(a[0]))
		acl = binary.LittleEndian.AppendUint16(acl, uint16(a[1]))
		acl = binary.LittleEndian.AppendUint32(acl, a[2])
	}
	capNetRaw := []byte{0, 0, 0, 2, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	label := []byte("system_u:object_r:bin_t:s0\x00")
	for i := range g.entries {
		e := &g.entries[i]
		if e.Type != plan.Regular && e.Type != plan.Dir || g.r.IntN(3) != 0 {
			continue
		}
		xs := []plan.Xattr{{Name: "security.selinux", Value: label}}
		switch g.r.IntN(4) {
		case 0:
			xs = append(xs, plan.Xattr{Name: "security.capability", Value: capNetRaw})
		case 1:
			xs = append(xs, plan.Xattr{Name: "user." + strings.Repeat("k", 1+g.r.IntN(60)), Value: g.bytes(g.r.Int64N(300))},
				plan.Xattr{Name: "user.empty", Value: []byte{}}, plan.Xattr{Name: "trusted.t", Value: []byte("y")})
		case 2:
			xs = append(xs, plan.Xattr{Name: "system.posix_acl_access", Value: acl})
			if e.Type == plan.Dir {
				xs = append(xs, plan.Xattr{Name: "system.posix_acl_default", Value: acl})
			}
		}
		sort.Slice(xs, func(a, b int) bool { return xs[a].Name < xs[b].Name })
		e.Xattrs = xs
	}
}
