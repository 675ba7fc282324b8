package members

import (
	"bytes"
	"io"
	"os"
	"path"
	"slices"
	"time"
)

// Reading a member of a compressed archive means decompressing everything
// before it. Formats read a package's files roughly in archive order, but
// interleaved with other packages' files and from several goroutines, so
// each read would otherwise start over. A cursor is a decompression stream
// left positioned after the member last read: the next read of a later
// member of the same archive continues from it.
//
//   - Idle cursors are kept, per Cache, in a small LRU list; an evicted
//     one first reads its archive's next members ahead (readahead.go).
//   - A read that finds its archive's cursor busy with an earlier member
//     waits for it: starting over would decompress that member again
//     anyway. The wait is bounded (MaxWait), so that a caller holding one
//     member open while opening the next cannot deadlock.
//   - A read of an earlier member, or one with no cursor to wait for,
//     starts a new stream.

// cursor is a stream and the index of the member its Next returns next.
type cursor struct {
	Stream
	a       Archive
	next    int
	reading int           // while busy: the member being read
	done    chan struct{} // while busy: closed when the cursor is released
}

// Open returns a reader of member index of a, which must be named name
// (compared after path.Clean with what the stream's Next returns).
func (c *Cache) Open(a Archive, index int, name string) (io.ReadCloser, error) {
	c.order.opened(key{a, index})
	deadline := time.Now().Add(MaxWait)
	for {
		if b, ok := c.cached(key{a, index}); ok {
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
		return &reader{cur: cur, cache: c}, nil
	}
}

func (c *Cache) cached(k key) ([]byte, bool) {
	if b, ok := c.small.take(k); ok {
		return b, true
	}
	return c.ahead.take(k)
}

// acquire returns an idle cursor of a positioned at or before index, now
// busy, or else, if mayWait, the release signal of a busy one to wait for.
func (c *Cache) acquire(a Archive, index int, mayWait bool) (*cursor, <-chan struct{}) {
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

func (c *Cache) start(a Archive, index int) (*cursor, error) {
	s, err := a.Stream()
	if err != nil {
		return nil, err
	}
	c.starts.Add(1)
	cur := &cursor{Stream: s, a: a}
	c.mu.Lock()
	c.markBusy(cur, index)
	c.mu.Unlock()
	return cur, nil
}

// takeIdle removes from the idle list the cursor of a that is furthest
// along without being past index.
func (c *Cache) takeIdle(a Archive, index int) *cursor {
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
func (c *Cache) busyBefore(a Archive, index int) *cursor {
	for _, cur := range c.busy {
		if cur.a == a && cur.reading < index {
			return cur
		}
	}
	return nil
}

func (c *Cache) markBusy(cur *cursor, index int) {
	cur.reading, cur.done = index, make(chan struct{})
	c.busy = append(c.busy, cur)
}

// unbusy takes cur off the busy list and wakes its waiters; c.mu is held.
func (c *Cache) unbusy(cur *cursor) {
	if i := slices.Index(c.busy, cur); i >= 0 {
		c.busy = slices.Delete(c.busy, i, i+1)
	}
	close(cur.done)
}

// put makes a busy cursor idle. When that makes too many, the least
// recently used one is evicted: its archive's next members are read ahead
// first, the cursor busy meanwhile so that readers of those members wait
// for them rather than start over.
func (c *Cache) put(cur *cursor) {
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
func (c *Cache) discard(cur *cursor) {
	c.mu.Lock()
	c.unbusy(cur)
	c.mu.Unlock()
	cur.Close()
}

// seek advances to member index. The name check catches an archive that
// no longer matches its listing.
func (cur *cursor) seek(index int, name string) error {
	for cur.next <= index {
		got, _, err := cur.Next()
		if err != nil {
			return cur.a.Errorf("%s: %w", name, unexpected(err))
		}
		cur.next++
		if cur.next-1 == index && path.Clean(got) != path.Clean(name) {
			return cur.a.Errorf("member %d is %q, it was %q when listed", index, got, name)
		}
	}
	return nil
}

// reader reads one member; closing it returns its cursor to the cache,
// unless reading failed and the stream cannot be trusted.
type reader struct {
	cur    *cursor
	cache  *Cache
	broken bool
}

func (r *reader) Read(p []byte) (int, error) {
	if r.cur == nil {
		return 0, os.ErrClosed
	}
	n, err := r.cur.Read(p)
	if err != nil && err != io.EOF {
		r.broken = true
		err = r.cur.a.Errorf("%w", err)
	}
	return n, err
}

func (r *reader) Close() error {
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
