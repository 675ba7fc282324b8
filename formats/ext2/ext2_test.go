package ext2

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
	"github.com/supermin-compile/supermin-compile/plan"
	"golang.org/x/sys/unix"
)

// writeImage writes p to a new image file and returns its path.
func writeImage(t testing.TB, p *plan.Plan, opts Options) string {
	t.Helper()
	img := filepath.Join(t.TempDir(), "fs.img")
	f, err := os.Create(img)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := Write(f, p, opts); err != nil {
		t.Fatal(err)
	}
	return img
}

func testOptions(bs int) Options {
	return Options{BlockSize: bs, UUID: testUUID, Time: testTime, Label: "test", Workers: 3}
}

// TestRandomPlans writes seeded random plans at exactly the size Needed
// reports, then checks them with e2fsck and debugfs.
func TestRandomPlans(t *testing.T) {
	testtool.Need(t, "e2fsck", "debugfs")
	for _, c := range []struct {
		bs   int
		seed uint64
		huge bool
	}{{4096, 1, true}, {1024, 2, false}, {2048, 3, false}} {
		t.Run(fmt.Sprintf("bs%d", c.bs), func(t *testing.T) {
			p, ex := newGen(t, c.seed, int64(c.bs)).randomPlan(c.huge)
			opts := testOptions(c.bs)
			opts.Size = Needed(p, opts)
			if opts.Size == 0 || opts.Size > 64<<20 {
				t.Fatalf("Needed = %d, want a few MiB (holes need no blocks)", opts.Size)
			}
			img := writeImage(t, p, opts)
			fsck(t, img)
			verify(t, img, ex)
			checkHeadroom(t, img)
		})
	}
}

// checkHeadroom wants at least as many free inodes as used ones, so the
// appliance can create files at run time.
func checkHeadroom(t *testing.T, img string) {
	t.Helper()
	f, err := os.Open(img)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var sb [0x14]byte
	f.ReadAt(sb[:], 1024)
	count, free := binary.LittleEndian.Uint32(sb[0:]), binary.LittleEndian.Uint32(sb[0x10:])
	if free < count-free {
		t.Errorf("%d inodes, %d free: want at least as many free as used", count, free)
	}
}

// TestTripleIndirect1K reaches the triple indirect tree cheaply: with 1 KiB
// blocks it starts at about 64 MiB, and the file is sparse.
func TestTripleIndirect1K(t *testing.T) {
	testtool.Need(t, "e2fsck", "debugfs")
	g := newGen(t, 4, 1024)
	g.add(plan.Entry{Path: "/", Type: plan.Dir})
	const tind = (12 + 256 + 256*256) * 1024 // first byte mapped by the triple tree
	g.sparseFile("/sparse", 70<<20, [][2]int64{{0, 5000}, {tind - 3000, tind + 300000},
		{68 << 20, 68<<20 + 70000}, {70<<20 - 10, 70 << 20}}, true)
	p := &plan.Plan{Entries: g.entries}
	opts := testOptions(1024)
	opts.Size = 8 << 20
	img := writeImage(t, p, opts)
	fsck(t, img)
	verify(t, img, expected{p: p, regions: g.regions})
}

// TestTooSmall fails before touching the file and names the size needed.
func TestTooSmall(t *testing.T) {
	g := newGen(t, 5, 4096)
	g.add(plan.Entry{Path: "/", Type: plan.Dir})
	for range 20 {
		g.file("/", 1<<20)
	}
	plan.Sort(g.entries)
	p := &plan.Plan{Entries: g.entries}
	opts := testOptions(4096)
	need := Needed(p, opts)
	if need < 20<<20 || need > 24<<20 {
		t.Fatalf("Needed = %d, want a little over 20 MiB", need)
	}
	img := filepath.Join(t.TempDir(), "img")
	if err := os.WriteFile(img, []byte("untouched"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(img, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	opts.Size = 16 << 20
	err = Write(f, p, opts)
	if !errors.Is(err, ErrTooSmall) {
		t.Fatalf("Write = %v, want ErrTooSmall", err)
	}
	want := fmt.Sprintf("image size 16 MiB is too small: the plan needs at least %d MiB", (need+mib-1)/mib)
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not say %q", err, want)
	}
	if b, _ := os.ReadFile(img); string(b) != "untouched" {
		t.Errorf("the image was modified before the size check")
	}
	opts.Size = need - int64(opts.BlockSize)
	if err := Write(f, p, opts); !errors.Is(err, ErrTooSmall) {
		t.Errorf("Write one block under the Needed size = %v, want ErrTooSmall", err)
	}
	opts.Size = need
	if err := Write(f, p, opts); err != nil {
		t.Errorf("Write at the Needed size: %v", err)
	}
}

// TestDeterministic writes the same plan twice with different worker
// counts and compares the bytes.
func TestDeterministic(t *testing.T) {
	p, _ := newGen(t, 6, 4096).randomPlan(false)
	var sums [2][32]byte
	for i, workers := range []int{1, 4} {
		opts := testOptions(4096)
		opts.Workers = workers
		opts.Size = 64 << 20
		img := writeImage(t, p, opts)
		sums[i] = fileSum(t, img)
	}
	if sums[0] != sums[1] {
		t.Errorf("two writes of the same plan differ: %x vs %x", sums[0], sums[1])
	}
}

func fileSum(t *testing.T, name string) [32]byte {
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	return [32]byte(h.Sum(nil))
}

// TestEmptyPlan: just "/" gives a valid filesystem with lost+found.
func TestEmptyPlan(t *testing.T) {
	testtool.Need(t, "e2fsck", "debugfs")
	for _, bs := range []int{1024, 4096} {
		p := &plan.Plan{Entries: []plan.Entry{{Path: "/", Type: plan.Dir, Mode: 0o755}}}
		opts := testOptions(bs)
		opts.Size = 4 << 20
		img := writeImage(t, p, opts)
		fsck(t, img)
		verify(t, img, expected{p: p})
		out := debugfs(t, img, []string{"stat /lost+found"})[0]
		if want := fmt.Sprintf("Size: %d\n", min(12*bs, max(2*bs, 16384))); !strings.Contains(out, want) {
			t.Errorf("lost+found: want %q in\n%s", want, out)
		}
	}
}

// TestPlanErrors checks that bad plans are refused with the path named.
func TestPlanErrors(t *testing.T) {
	root := plan.Entry{Path: "/", Type: plan.Dir}
	long := "/" + strings.Repeat("n", 256)
	for _, c := range []struct {
		entries []plan.Entry
		want    string
	}{
		{[]plan.Entry{root, {Path: long, Type: plan.FIFO}}, "name is 256 bytes, longer than ext2 allows (255)"},
		{[]plan.Entry{root, {Path: "/f", Type: plan.Regular}, {Path: "/f/x", Type: plan.FIFO}}, "/f/x: parent /f is a regular file, not a directory"},
		{[]plan.Entry{root, {Path: "/a/b", Type: plan.FIFO}}, "/a/b"},
		{[]plan.Entry{root, {Path: "/h", Type: plan.Hardlink, Link: "/x"}}, "/h"},
		{[]plan.Entry{root, {Path: "/s", Type: plan.Symlink, Link: strings.Repeat("x", 4096)}}, "/s"},
		{[]plan.Entry{root, {Path: "/x", Type: plan.Regular, Size: 3, Src: plan.Bytes("ab")}}, "/x"},
		{[]plan.Entry{root, {Path: "/x", Type: plan.Regular, Xattrs: []plan.Xattr{{Name: "bogus.x"}}}}, "/x"},
		{[]plan.Entry{root, {Path: "/lost+found", Type: plan.FIFO}}, "/lost+found"},
	} {
		f, err := os.Create(filepath.Join(t.TempDir(), "img"))
		if err != nil {
			t.Fatal(err)
		}
		err = Write(f, &plan.Plan{Entries: c.entries}, Options{Size: 8 << 20})
		f.Close()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Write(%s...) = %v, want an error naming %s", c.entries[1].Path, err, c.want)
		}
	}
}

// TestHostFileChanged: a host file that grew after planning is an error.
func TestHostFileChanged(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	if err := os.WriteFile(src, bytes.Repeat([]byte("a"), 5000), 0o644); err != nil {
		t.Fatal(err)
	}
	p := &plan.Plan{Entries: []plan.Entry{{Path: "/", Type: plan.Dir},
		{Path: "/f", Type: plan.Regular, Size: 4000, Src: plan.HostFile(src)}}}
	f, err := os.Create(filepath.Join(dir, "img"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	err = Write(f, p, Options{Size: 8 << 20})
	if err == nil || !strings.Contains(err.Error(), "/f") || !strings.Contains(err.Error(), src) {
		t.Errorf("Write = %v, want an error naming /f and %s", err, src)
	}
}

// BenchmarkWrite writes 5000 small host files, like an appliance's.
func BenchmarkWrite(b *testing.B) {
	dir := b.TempDir()
	r := rand.New(rand.NewPCG(1, 2))
	p := &plan.Plan{Entries: []plan.Entry{{Path: "/", Type: plan.Dir, Mode: 0o755}}}
	var total int64
	buf := make([]byte, 64<<10)
	for d := range 50 {
		dp := fmt.Sprintf("/d%02d", d)
		p.Entries = append(p.Entries, plan.Entry{Path: dp, Type: plan.Dir, Mode: 0o755})
		for i := range 100 {
			size := r.Int64N(int64(len(buf)))
			hp := filepath.Join(dir, fmt.Sprintf("%d-%d", d, i))
			if err := os.WriteFile(hp, buf[:size], 0o644); err != nil {
				b.Fatal(err)
			}
			p.Entries = append(p.Entries, plan.Entry{Path: fmt.Sprintf("%s/f%03d", dp, i),
				Type: plan.Regular, Mode: 0o644, Size: size, Src: plan.HostFile(hp)})
			total += size
		}
	}
	opts := testOptions(4096)
	opts.Workers = 0
	opts.Size = Needed(p, opts) + 64<<20
	img := filepath.Join(dir, "img")
	f, err := os.Create(img)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	b.SetBytes(total)
	b.ResetTimer()
	for range b.N {
		if err := Write(f, p, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// TestManyGroups spreads data over several groups (a file crosses group
// metadata) and checks the image from backup superblocks as well.
func TestManyGroups(t *testing.T) {
	testtool.Need(t, "e2fsck", "debugfs")
	for _, c := range []struct {
		bs   int
		size int64
	}{{1024, 200 << 20}, {4096, 3 << 30}} {
		t.Run(fmt.Sprintf("bs%d", c.bs), func(t *testing.T) {
			g := newGen(t, 7, int64(c.bs))
			g.add(plan.Entry{Path: "/", Type: plan.Dir})
			for _, s := range []int64{3 << 20, 20 << 20, 5000, 0, 1} {
				g.file("/", s)
			}
			plan.Sort(g.entries)
			p := &plan.Plan{Entries: g.entries}
			opts := testOptions(c.bs)
			opts.Size = c.size
			img := writeImage(t, p, opts)
			fsck(t, img)
			firstData := 0
			if c.bs == 1024 {
				firstData = 1 // block 0 is the boot block
			}
			for _, group := range []int{1, 3, 5, 7, 9} {
				sb := firstData + group*8*c.bs
				out, err := exec.Command("e2fsck", "-fn", "-b", fmt.Sprint(sb), "-B", fmt.Sprint(c.bs), img).CombinedOutput()
				if err != nil {
					t.Errorf("e2fsck from the backup in group %d: %v\n%s", group, err, out)
				}
			}
			verify(t, img, expected{p: p})
		})
	}
}

// TestCopyFallback makes copy_file_range copy a little and then refuse, as
// it does across filesystems on some kernels: the read/write fallback must
// finish every file.
func TestCopyFallback(t *testing.T) {
	testtool.Need(t, "e2fsck", "debugfs")
	var calls atomic.Int64
	copyFileRange = func(rfd int, roff *int64, wfd int, woff *int64, n int, flags int) (int, error) {
		if calls.Add(1)%2 == 0 {
			return 0, unix.EXDEV
		}
		return unix.CopyFileRange(rfd, roff, wfd, woff, min(n, 777), flags)
	}
	defer func() { copyFileRange = unix.CopyFileRange }()
	p, ex := newGen(t, 8, 4096).randomPlan(false)
	opts := testOptions(4096)
	opts.Size = Needed(p, opts)
	img := writeImage(t, p, opts)
	if calls.Load() == 0 {
		t.Fatal("copy_file_range was never called")
	}
	fsck(t, img)
	verify(t, img, ex)
}

// lyingSource yields n bytes whatever the plan says.
type lyingSource int

func (s lyingSource) Open() (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(make([]byte, s))), nil
}
func (s lyingSource) String() string { return fmt.Sprintf("lying source of %d bytes", int(s)) }

// TestStreamSizeChanged: a streamed source shorter or longer than planned
// is an error naming the path.
func TestStreamSizeChanged(t *testing.T) {
	for _, n := range []int{9000, 11000} {
		p := &plan.Plan{Entries: []plan.Entry{{Path: "/", Type: plan.Dir},
			{Path: "/f", Type: plan.Regular, Size: 10000, Src: lyingSource(n)}}}
		f, err := os.Create(filepath.Join(t.TempDir(), "img"))
		if err != nil {
			t.Fatal(err)
		}
		err = Write(f, p, Options{Size: 8 << 20})
		f.Close()
		if err == nil || !strings.Contains(err.Error(), "/f") {
			t.Errorf("source of %d bytes for 10000: Write = %v, want an error naming /f", n, err)
		}
	}
}
