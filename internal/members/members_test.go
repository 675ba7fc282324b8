package members

import (
	"bytes"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
	"github.com/supermin-compile/supermin-compile/plan"
)

// fakeArchive is an archive in memory; a member with no data is not a
// regular file (a directory, say).
type fakeArchive struct {
	name    string
	members []fakeMember
}

type fakeMember struct {
	name string
	data []byte
}

func (a *fakeArchive) Stream() (Stream, error) { return &fakeStream{a: a, i: -1}, nil }

func (a *fakeArchive) Errorf(format string, args ...any) error {
	return fmt.Errorf("%s: "+format, append([]any{a.name}, args...)...)
}

type fakeStream struct {
	a *fakeArchive
	i int
	r *bytes.Reader
}

func (s *fakeStream) Next() (string, int64, error) {
	s.i++
	if s.i >= len(s.a.members) {
		s.r = nil
		return "", 0, io.EOF
	}
	m := s.a.members[s.i]
	s.r = bytes.NewReader(m.data)
	return m.name, int64(len(m.data)), nil
}

func (s *fakeStream) Read(p []byte) (int, error) {
	if s.r == nil {
		return 0, io.EOF
	}
	return s.r.Read(p)
}

func (s *fakeStream) Close() error { return nil }

// newFake makes an archive of a directory then members of the given sizes,
// each filled with its own index.
func newFake(name string, sizes ...int) *fakeArchive {
	a := &fakeArchive{name: name, members: []fakeMember{{name: "dir/"}}}
	for i, n := range sizes {
		a.members = append(a.members, fakeMember{fmt.Sprintf("dir/f%d", i), bytes.Repeat([]byte{byte(i)}, n)})
	}
	return a
}

// list reads a as a backend lists it for a build: Keep on every member.
func list(t *testing.T, c *Cache, a *fakeArchive) {
	c.KeepContents()
	s, _ := a.Stream()
	for i := 0; ; i++ {
		_, size, err := s.Next()
		if err == io.EOF {
			break
		}
		if err := c.Keep(a, i, size, s); err != nil {
			t.Fatal(err)
		}
	}
}

// read reads member index of a whole and checks its bytes.
func read(t *testing.T, c *Cache, a *fakeArchive, index int) {
	t.Helper()
	m := a.members[index]
	r, err := c.Open(a, index, "./"+m.name) // compared after path.Clean
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got, err := io.ReadAll(r)
	if err != nil || !bytes.Equal(got, m.data) {
		t.Fatalf("member %d: %d bytes (%v), want %d", index, len(got), err, len(m.data))
	}
}

const big = 20 << 10

// TestListedNoStream: members kept while listing are read back from the
// spool, in any order and more than once, without decompressing again.
func TestListedNoStream(t *testing.T) {
	c := NewCache()
	defer c.Close()
	a := newFake("a.pkg", 100, big, 0, big)
	list(t, c, a)
	for _, i := range []int{4, 1, 2, 4} {
		read(t, c, a, i)
	}
	if n := c.Starts(); n != 0 {
		t.Errorf("listed members: %d streams, want 0", n)
	}
}

// TestUnlisted: a member the spool lacks is read by decompressing its
// archive again, each time.
func TestUnlisted(t *testing.T) {
	c := NewCache()
	defer c.Close()
	a := newFake("a.pkg", big, big)
	read(t, c, a, 2)
	read(t, c, a, 1)
	if n := c.Starts(); n != 2 {
		t.Errorf("%d streams, want 2", n)
	}
}

// TestClosed: after Close nothing can be read.
func TestClosed(t *testing.T) {
	c := NewCache()
	a := newFake("a.pkg", big)
	list(t, c, a)
	c.Close()
	if _, err := c.Open(a, 1, "dir/f0"); err == nil || !strings.Contains(err.Error(), "a.pkg: dir/f0: file already closed") {
		t.Errorf("after Close: %v", err)
	}
}

// TestDamagedWhileListing: a read error of the archive is Keep's error,
// not a reason to turn the spool off.
func TestDamagedWhileListing(t *testing.T) {
	c := NewCache()
	defer c.Close()
	c.KeepContents()
	a := newFake("a.pkg", big)
	if err := c.Keep(a, 1, big+10, bytes.NewReader(make([]byte, big))); err != io.ErrUnexpectedEOF {
		t.Errorf("short member: %v", err)
	}
	list(t, c, a)
	read(t, c, a, 1)
	if n := c.Starts(); n != 0 {
		t.Errorf("%d streams after a damaged member, want 0", n)
	}
}

func TestNameMismatch(t *testing.T) {
	c := NewCache()
	defer c.Close()
	a := newFake("a.pkg", big)
	_, err := c.Open(a, 1, "dir/other")
	if err == nil || !strings.Contains(err.Error(), "a.pkg: ") || !strings.Contains(err.Error(), "dir/other") {
		t.Errorf("err = %v, want one naming a.pkg and dir/other", err)
	}
	_, err = c.Open(a, 5, "dir/f4")
	if err == nil || !strings.Contains(err.Error(), "a.pkg: dir/f4: unexpected EOF") {
		t.Errorf("past the end: err = %v", err)
	}
}

func TestSource(t *testing.T) {
	c := NewCache()
	defer c.Close()
	a := newFake("a.pkg", big)
	s := &Source{Cache: c, Archive: a, Index: 1, Name: "./dir/f0", Label: "a.pkg"}
	if s.String() != "a.pkg: ./dir/f0" {
		t.Errorf("String() = %q", s.String())
	}
	r, err := s.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if b, err := io.ReadAll(r); err != nil || !bytes.Equal(b, a.members[1].data) {
		t.Errorf("read %d bytes (%v)", len(b), err)
	}
}

// TestNoSpool: when the spool cannot be created (TMPDIR missing or full),
// keeping fails with an error that says what to do, rather than leave
// every read to decompress its archive again.
func TestNoSpool(t *testing.T) {
	t.Setenv("TMPDIR", filepath.Join(t.TempDir(), "missing"))
	c := NewCache()
	defer c.Close()
	c.KeepContents()
	a := newFake("a.pkg", big)
	err := c.Keep(a, 1, big, bytes.NewReader(make([]byte, big)))
	if err == nil || !strings.Contains(err.Error(), "set TMPDIR to a directory with room") || !strings.Contains(err.Error(), "missing") {
		t.Errorf("Keep without a spool: %v", err)
	}
}

// TestKeepAfterClose: a Keep racing Close neither panics nor leaks a new
// spool.
func TestKeepAfterClose(t *testing.T) {
	c := NewCache()
	c.KeepContents()
	a := newFake("a.pkg", big)
	c.Close()
	if err := c.Keep(a, 1, big, bytes.NewReader(make([]byte, big))); err == nil {
		t.Error("Keep after Close succeeded")
	}
	if c.spool.f != nil {
		t.Error("Keep after Close opened a spool")
	}
}

// TestListOnly: without KeepContents nothing is spooled; reads decompress.
func TestListOnly(t *testing.T) {
	c := NewCache()
	defer c.Close()
	a := newFake("a.pkg", big)
	if err := c.Keep(a, 1, big, bytes.NewReader(make([]byte, big))); err != nil {
		t.Errorf("Keep without KeepContents: %v", err)
	}
	read(t, c, a, 1)
	if n := c.Starts(); n != 1 {
		t.Errorf("%d streams, want 1", n)
	}
}

// unreadable fails the test when a Keep reads it.
type unreadable struct{ t *testing.T }

func (u unreadable) Read([]byte) (int, error) {
	u.t.Error("a member larger than TMPDIR's free space was read")
	return 0, io.EOF
}

// TestNoRoom: a member larger than the free space of TMPDIR (a tarball
// bomb, a lying size) is refused before a byte of it is read, with the
// message that says what to do.
func TestNoRoom(t *testing.T) {
	t.Setenv("TMPDIR", testtool.Tmpfs(t, "16m"))
	c := NewCache()
	defer c.Close()
	c.KeepContents()
	err := c.Keep(newFake("a.pkg"), 1, 4<<30, unreadable{t})
	if err == nil || !strings.Contains(err.Error(), "no space left on device: a member of 4096 MiB, 16 MiB free") ||
		!strings.Contains(err.Error(), "set TMPDIR to a directory with room") {
		t.Errorf("Keep of 4 GiB into 16 MiB: %v", err)
	}
}

// TestBudget: an archive's listing may take MaxListing bytes, whether in
// many entries or in long names.
func TestBudget(t *testing.T) {
	var b Budget
	name := plan.Entry{Path: "/" + strings.Repeat("n", 1<<20)}
	for i := 0; i < MaxListing/(2<<20)-1; i++ {
		if err := b.Spend(&name); err != nil {
			t.Fatalf("entry %d: %v", i, err)
		}
	}
	var err error
	for i := 0; err == nil && i < 10; i++ {
		err = b.Spend(&name)
	}
	if err == nil || !strings.Contains(err.Error(), "more than 256 MiB of memory") {
		t.Errorf("past the budget: %v", err)
	}
	var small Budget
	for i := range MaxListing / entryCost / 2 {
		if err := small.Spend(&plan.Entry{Path: "/x"}); err != nil {
			t.Fatalf("small entry %d: %v", i, err)
		}
	}
}
