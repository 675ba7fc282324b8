// Package members reads the members of compressed archives (a .deb's
// data.tar, an rpm's cpio payload) one at a time, in the order formats ask
// for them, at about one decompression per archive: decompression streams
// are kept positioned between reads (cursor.go), and members about to be
// needed are read ahead within a memory budget (readahead.go).
//
// It knows nothing of tar, cpio or package formats: a backend describes
// each archive as an Archive, which opens a Stream of its members.
package members

import (
	"io"
	"sync"
	"sync/atomic"
	"time"
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
// comparable (a pointer, typically): it keys the cursors and contents.
type Archive interface {
	Stream() (Stream, error)                 // a new stream before the first member
	Errorf(format string, args ...any) error // an error naming the archive
	Members() []Member                       // its listed members with data, for ranking by path
}

// Member is a listed member with data: its path in the appliance and its
// index in archive order (counting every member Next returns, from 0).
type Member struct {
	Path  string
	Index int
}

const (
	// maxIdleCursors bounds the streams kept open between reads. Each
	// holds a file and a decompressor: up to 8 MiB of xz dictionary for
	// dpkg's default preset. Reading ahead (readahead.go) does more for
	// the same memory than more cursors would.
	maxIdleCursors = 8
	// MaxWait bounds the wait for a busy cursor (see cursor.go).
	MaxWait = 2 * time.Second
	// SmallMember is the largest member KeepSmall keeps.
	SmallMember = 16 << 10
)

// Cache reads members of any number of archives; it is safe for
// concurrent use.
type Cache struct {
	mu     sync.Mutex
	idle   []*cursor // least recently used first
	busy   []*cursor
	max    int
	order  *readOrder
	small  *contents    // small members, kept when the archive was listed
	ahead  *contents    // read ahead from evicted cursors
	starts atomic.Int64 // streams started for reads, for tests and benchmarks
}

// NewCache returns a cache with the budgets tuned for .deb archives.
func NewCache() *Cache { return newCache(maxIdleCursors) }

func newCache(maxIdle int) *Cache {
	o := &readOrder{}
	return &Cache{max: maxIdle, order: o,
		small: newContents(smallBudget, o), ahead: newContents(readAheadBudget, o)}
}

// Listed registers an archive once its members are known (for the read
// order ranking).
func (c *Cache) Listed(a Archive) { c.order.listed(a) }

// KeepSmall, called while listing, keeps a small member's contents
// (reading them from r) when it is small and the budget allows; it
// reports whether it did. r may have been read even when it did not:
// another archive can take the room meanwhile.
func (c *Cache) KeepSmall(a Archive, index int, size int64, r io.Reader) (bool, error) {
	if size <= 0 || size > SmallMember || !c.small.fits(size) {
		return false, nil
	}
	b := make([]byte, size)
	if _, err := io.ReadFull(r, b); err != nil {
		return false, unexpected(err)
	}
	return c.small.put(key{a, index}, b), nil
}

// Starts returns how many streams were started for reads, for tests.
func (c *Cache) Starts() int64 { return c.starts.Load() }

// Close releases every idle cursor and what was kept or read ahead.
func (c *Cache) Close() {
	c.mu.Lock()
	idle := c.idle
	c.idle = nil
	c.mu.Unlock()
	for _, cur := range idle {
		cur.Close()
	}
	c.small.clear()
	c.ahead.clear()
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
