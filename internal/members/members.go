// Package members reads the members of compressed archives (a .deb's
// data.tar, an rpm's cpio payload, a base tarball) in whatever order
// formats ask for them, decompressing each archive once.
//
// A backend lists an archive by streaming it from start to end, and hands
// every member with data to Keep, which copies it into a spool: one
// unlinked temporary file per Cache, shared by its archives (spool.go). A later read
// is then a pread of the spool. Decompressing the archive again instead,
// member by member, cost as much as the listing did (for xz, most of a
// build), and keeping decompression streams positioned between reads, as
// this package first did, still needed a read-ahead cache and tuning to
// stay near one decompression per archive.
//
// When the spool cannot be written (TMPDIR missing or full), listing
// fails with an error saying so: reading each member by decompressing its
// archive from the start would take a hundred times longer. That slow
// path serves only reads of members that were not kept (KeepContents not
// called), which builds never make.
//
// It knows nothing of tar, cpio or package formats: a backend describes
// each archive as an Archive, which opens a Stream of its members.
package members

import (
	"io"
	"os"
	"path"
	"sync/atomic"
)

// Stream reads an archive's members in order.
type Stream interface {
	// Next advances to the next member, skipping what was not read of
	// the current one, and returns its name and, for a regular file
	// with data, its size (0 for anything else). io.EOF after the last
	// member.
	Next() (name string, size int64, err error)
	io.Reader // the current member's data
	Close() error
}

// Archive is one archive whose members the Cache reads. It must be
// comparable (a pointer, typically): it keys the contents.
type Archive interface {
	Stream() (Stream, error)                 // a new stream before the first member
	Errorf(format string, args ...any) error // an error naming the archive
}

// Cache holds the listed members of any number of archives; it is safe
// for concurrent use.
type Cache struct {
	spool  spool
	keep   atomic.Bool // KeepContents was called
	closed atomic.Bool
	starts atomic.Int64 // streams started for reads, for tests
}

// NewCache returns an empty cache; its spool is created on first use.
func NewCache() *Cache { return &Cache{} }

// KeepContents makes Keep spool what listing reads. Without it, Keep
// does nothing: commands that only list (list, lock, sbom) need neither
// the copy nor the room in TMPDIR.
func (c *Cache) KeepContents() { c.keep.Store(true) }

// Keeping reports whether KeepContents was called.
func (c *Cache) Keeping() bool { return c.keep.Load() }

// Keep, called while listing, copies member index of a (size bytes, read
// from r) into the spool, once KeepContents was called. An error is r's
// (the archive is damaged) or the spool's (TMPDIR has no room).
func (c *Cache) Keep(a Archive, index int, size int64, r io.Reader) error {
	if size <= 0 || !c.keep.Load() {
		return nil
	}
	return c.spool.put(key{a, index}, size, r)
}

// Open returns a reader of member index of a, named name (as Next
// returns it: a stream that disagrees means the archive changed).
func (c *Cache) Open(a Archive, index int, name string) (io.ReadCloser, error) {
	if c.closed.Load() {
		return nil, a.Errorf("%s: %w", name, os.ErrClosed)
	}
	if r, ok := c.spool.open(key{a, index}); ok {
		return io.NopCloser(&named{a, name, r}), nil
	}
	return c.stream(a, index, name)
}

// stream decompresses a from its start up to member index.
func (c *Cache) stream(a Archive, index int, name string) (io.ReadCloser, error) {
	s, err := a.Stream()
	if err != nil {
		return nil, err
	}
	c.starts.Add(1)
	for i := 0; i <= index; i++ {
		got, _, err := s.Next()
		if err != nil {
			s.Close()
			return nil, a.Errorf("%s: %w", name, unexpected(err))
		}
		if i == index && path.Clean(got) != path.Clean(name) {
			s.Close()
			return nil, a.Errorf("member %d is %q, it was %q when listed", index, got, name)
		}
	}
	return struct {
		io.Reader
		io.Closer
	}{&named{a, name, s}, s}, nil
}

// named names the archive and member in read errors.
type named struct {
	a    Archive
	name string
	r    io.Reader
}

func (n *named) Read(p []byte) (int, error) {
	k, err := n.r.Read(p)
	if err != nil && err != io.EOF {
		err = n.a.Errorf("%s: %w", n.name, err)
	}
	return k, err
}

// Starts returns how many streams were started for reads, for tests.
func (c *Cache) Starts() int64 { return c.starts.Load() }

// Close releases the spool; members cannot be read afterwards.
func (c *Cache) Close() {
	c.closed.Store(true)
	c.spool.close()
}

// key names one member of one archive.
type key struct {
	a     Archive
	index int
}

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
