package deb

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"os"
	"path"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/supermin-compile/supermin-compile/internal/decompress"
)

// Reading a member of a compressed data.tar means decompressing everything
// before it. Formats read a package's files roughly in archive order, but
// interleaved with other packages' files and from several goroutines, so
// each read would otherwise start over. A cursor is a decompression stream
// left positioned after the member last read: the next read of a later
// member of the same archive continues from it.
//
//   - Idle cursors are kept, per Universe, in a small LRU cache; an evicted
//     one first reads its archive's next members ahead (readahead.go).
//   - A read that finds its archive's cursor busy with an earlier member
//     waits for it: starting over would decompress that member again
//     anyway. The wait is bounded, so that a caller holding one member
//     open while opening the next cannot deadlock.
//   - A read of an earlier member, or one with no cursor to wait for,
//     starts a new stream.

const (
	// maxIdleCursors bounds the streams kept open between reads. Each
	// holds a file and a decompressor: up to 8 MiB of xz dictionary for
	// dpkg's default preset. Reading ahead (readahead.go) does more for
	// the same memory than more cursors would.
	maxIdleCursors = 8
	// maxWait bounds the wait for a busy cursor.
	maxWait = 2 * time.Second
)

// stream is an open decompression stream over one data.tar.
type stream struct {
	f  *os.File
	z  *decompress.Reader
	tr *tar.Reader
}

func newStream(f *os.File, z *decompress.Reader) *stream {
	return &stream{f: f, z: z, tr: tar.NewReader(z)}
}

func (s *stream) close() {
	s.z.Close()
	s.f.Close()
}

// cursor is a stream and the index of the tar header it returns next.
type cursor struct {
	*stream
	a       *archive
	next    int
	reading int           // while busy: the member being read
	done    chan struct{} // while busy: closed when the cursor is released
}

type cursorCache struct {
	mu     sync.Mutex
	idle   []*cursor // least recently used first
	busy   []*cursor
	max    int
	order  *readOrder
	small  *memberCache // small files, kept when the archive was listed
	ahead  *memberCache // read ahead from evicted cursors
	starts atomic.Int64 // streams started for reads, for tests and benchmarks
}

func newCursorCache(max int) *cursorCache {
	o := &readOrder{}
	return &cursorCache{max: max, order: o, small: newMemberCache(smallBudget, o), ahead: newMemberCache(readAheadBudget, o)}
}

// open returns a reader of member index (named name) of a's data.tar.
func (c *cursorCache) open(a *archive, index int, name string) (io.ReadCloser, error) {
	c.order.opened(memberKey{a, index})
	deadline := time.Now().Add(maxWait)
	for {
		if b, ok := c.cached(memberKey{a, index}); ok {
			return io.NopCloser(bytes.NewReader(b)), nil
		}
		cur, wait := c.acquire(a, index, time.Now().Before(deadline))
		if wait != nil {
			waitFor(wait, deadline)
			continue // what was read meanwhile may hold our member
		}
		if cur == nil {
			var err error
			if cur, err = c.start(a, index); err != nil {
				return nil, err
			}
		}
		if err := cur.seek(index, name); err != nil {
			c.discard(cur)
			return nil, err
		}
		return &memberReader{cur: cur, cache: c}, nil
	}
}

func (c *cursorCache) cached(k memberKey) ([]byte, bool) {
	if b, ok := c.small.take(k); ok {
		return b, true
	}
	return c.ahead.take(k)
}

// acquire returns an idle cursor of a positioned at or before index, now
// busy, or else, if mayWait, the release signal of a busy one to wait for.
func (c *cursorCache) acquire(a *archive, index int, mayWait bool) (*cursor, <-chan struct{}) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cur := c.takeIdle(a, index); cur != nil {
		c.markBusy(cur, index)
		return cur, nil
	}
	if busy := c.busyBefore(a, index); busy != nil && mayWait {
		return nil, busy.done
	}
	return nil, nil
}

func waitFor(done <-chan struct{}, deadline time.Time) {
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
	}
}

func (c *cursorCache) start(a *archive, index int) (*cursor, error) {
	s, err := a.stream()
	if err != nil {
		return nil, err
	}
	c.starts.Add(1)
	cur := &cursor{stream: s, a: a}
	c.mu.Lock()
	c.markBusy(cur, index)
	c.mu.Unlock()
	return cur, nil
}

// takeIdle removes from the idle list the cursor of a that is furthest
// along without being past index.
func (c *cursorCache) takeIdle(a *archive, index int) *cursor {
	best := -1
	for i, cur := range c.idle {
		if cur.a == a && cur.next <= index && (best < 0 || cur.next > c.idle[best].next) {
			best = i
		}
	}
	if best < 0 {
		return nil
	}
	cur := c.idle[best]
	c.idle = slices.Delete(c.idle, best, best+1)
	return cur
}

// busyBefore returns a busy cursor of a that will be usable for index once
// released: one reading an earlier member.
func (c *cursorCache) busyBefore(a *archive, index int) *cursor {
	for _, cur := range c.busy {
		if cur.a == a && cur.reading < index {
			return cur
		}
	}
	return nil
}

func (c *cursorCache) markBusy(cur *cursor, index int) {
	cur.reading, cur.done = index, make(chan struct{})
	c.busy = append(c.busy, cur)
}

// unbusy takes cur off the busy list and wakes its waiters; c.mu is held.
func (c *cursorCache) unbusy(cur *cursor) {
	if i := slices.Index(c.busy, cur); i >= 0 {
		c.busy = slices.Delete(c.busy, i, i+1)
	}
	close(cur.done)
}

// put makes a busy cursor idle. When that makes too many, the least
// recently used one is evicted: its archive's next members are read ahead
// first, the cursor busy meanwhile so that readers of those members wait
// for them rather than start over.
func (c *cursorCache) put(cur *cursor) {
	c.mu.Lock()
	c.idle = append(c.idle, cur)
	c.unbusy(cur)
	var evict *cursor
	if len(c.idle) > c.max {
		evict = c.idle[0]
		c.idle = c.idle[1:]
		c.markBusy(evict, evict.next-1)
	}
	c.mu.Unlock()
	if evict != nil {
		c.ahead.drain(evict)
		c.discard(evict)
	}
}

// discard closes a busy cursor whose stream cannot be trusted.
func (c *cursorCache) discard(cur *cursor) {
	c.mu.Lock()
	c.unbusy(cur)
	c.mu.Unlock()
	cur.close()
}

// closeAll releases every idle cursor and what was read ahead.
func (c *cursorCache) closeAll() {
	c.mu.Lock()
	idle := c.idle
	c.idle = nil
	c.mu.Unlock()
	for _, cur := range idle {
		cur.close()
	}
	c.small.clear()
	c.ahead.clear()
}

// seek advances to member index. The name check catches an archive that
// no longer matches its listing.
func (cur *cursor) seek(index int, name string) error {
	for cur.next <= index {
		h, err := cur.tr.Next()
		if err != nil {
			return cur.a.errorf("%s: %w", name, unexpected(err))
		}
		cur.next++
		if cur.next-1 == index && path.Clean(h.Name) != path.Clean(name) {
			return cur.a.errorf("member %d is %q, it was %q when listed", index, h.Name, name)
		}
	}
	return nil
}

// memberReader reads one member; closing it returns its cursor to the
// cache, unless reading failed and the stream cannot be trusted.
type memberReader struct {
	cur    *cursor
	cache  *cursorCache
	broken bool
}

func (r *memberReader) Read(p []byte) (int, error) {
	if r.cur == nil {
		return 0, os.ErrClosed
	}
	n, err := r.cur.tr.Read(p)
	if err != nil && err != io.EOF {
		r.broken = true
		err = r.cur.a.errorf("%w", err)
	}
	return n, err
}

func (r *memberReader) Close() error {
	if r.cur == nil {
		return os.ErrClosed
	}
	if r.broken {
		r.cache.discard(r.cur)
	} else {
		r.cache.put(r.cur)
	}
	r.cur = nil
	return nil
}

// memberSource is the plan.Source of one regular file of a data.tar.
type memberSource struct {
	a     *archive
	index int // of its tar header, counting from 0
	name  string
}

func (s *memberSource) Open() (io.ReadCloser, error) {
	return s.a.cursors.open(s.a, s.index, s.name)
}

func (s *memberSource) String() string {
	return fmt.Sprintf("%s: %s", s.a.deb.path, s.name)
}
