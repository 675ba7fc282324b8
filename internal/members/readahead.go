package members

import (
	"io"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// An appliance of a few hundred packages interleaves them all in path
// order, far more than the idle cursors a bounded memory can keep. When a
// cursor is evicted, its archive's next members are therefore read ahead
// into memory, as far as a byte budget allows, instead of being
// decompressed a second time when their turn comes. Small members are
// kept the same way while an archive is listed (KeepSmall), which reads
// it all anyway.
//
// Contents leave the cache when read. A member no one reads (a path the
// manifest excludes) would hold its bytes forever, so the cache predicts
// the order of reads: formats write in path order, so a member's rank is
// its place among every listed member with data (Archive.Members), by
// path, and one whose rank is well behind the highest rank opened so far
// has been skipped.

// The budgets were tuned on libguestfs-tools' closure (324 .deb packages,
// 525 MiB unpacked, almost all xz): with them, reading every file in path
// order from two goroutines starts one stream per archive plus some 15%,
// where 16 idle cursors alone started six times as many.
const (
	readAheadBudget = 64 << 20            // bytes held at most
	readAheadDrain  = readAheadBudget / 4 // bytes one eviction may add
	smallBudget     = 16 << 20            // bytes of small members kept at listing

	// skippedLag is how many ranks behind the highest one opened a
	// member must be to count as skipped: readers run in parallel, a
	// little out of order.
	skippedLag = 256
)

// contents holds member contents read ahead of their turn.
type contents struct {
	mu     sync.Mutex
	budget int64
	used   int64
	data   map[key][]byte
	order  *readOrder
	swept  int64 // the frontier at the last look for skipped members
}

func newContents(budget int64, order *readOrder) *contents {
	return &contents{budget: budget, data: map[key][]byte{}, order: order}
}

// take removes and returns a member's contents.
func (m *contents) take(k key) ([]byte, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.data[k]
	if ok {
		delete(m.data, k)
		m.used -= int64(len(b))
	}
	return b, ok
}

// room reports whether n more bytes fit, dropping skipped members to make
// room if need be; m.mu is held.
func (m *contents) room(n int64) bool {
	if m.used+n <= m.budget {
		return true
	}
	// Only reads make members skipped: look again only after some.
	if f := m.order.frontier.Load(); f > m.swept {
		m.swept = f
		m.sweep()
	}
	return m.used+n <= m.budget
}

func (m *contents) sweep() {
	for k, b := range m.data {
		if m.order.skipped(k) {
			delete(m.data, k)
			m.used -= int64(len(b))
		}
	}
}

// fits reports whether n more bytes would fit.
func (m *contents) fits(n int64) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.room(n)
}

// put stores b if it fits; contents already held are never dropped for it.
func (m *contents) put(k key, b []byte) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.room(int64(len(b))) {
		return false
	}
	m.data[k] = b
	m.used += int64(len(b))
	return true
}

func (m *contents) clear() {
	m.mu.Lock()
	m.data, m.used = map[key][]byte{}, 0
	m.mu.Unlock()
}

// drain reads the members with data after cur's position into the cache,
// up to readAheadDrain bytes or the first one that does not fit.
func (m *contents) drain(cur *cursor) {
	var added int64
	for {
		_, size, err := cur.Next()
		if err != nil {
			return
		}
		index := cur.next
		cur.next++
		if size <= 0 {
			continue
		}
		if added+size > readAheadDrain || !m.fits(size) {
			return
		}
		b := make([]byte, size)
		if _, err := io.ReadFull(cur, b); err != nil || !m.put(key{cur.a, index}, b) {
			return
		}
		added += size
	}
}

// readOrder ranks the listed members by path and follows the reads.
type readOrder struct {
	mu       sync.Mutex
	archives []Archive // listed, in order
	ranked   int       // archives the ranks cover
	ranks    map[key]int
	frontier atomic.Int64 // highest rank opened
}

func (o *readOrder) listed(a Archive) {
	o.mu.Lock()
	o.archives = append(o.archives, a)
	o.mu.Unlock()
}

// opened notes that member k is being read.
func (o *readOrder) opened(k key) {
	r := int64(o.rank(k))
	for f := o.frontier.Load(); r > f && !o.frontier.CompareAndSwap(f, r); f = o.frontier.Load() {
	}
}

// skipped reports whether k lies well behind the reads.
func (o *readOrder) skipped(k key) bool {
	r, ok := o.rankOK(k)
	return ok && int64(r) < o.frontier.Load()-skippedLag
}

func (o *readOrder) rank(k key) int {
	r, _ := o.rankOK(k)
	return r
}

// rankOK returns k's rank, ranking again when archives were listed since.
func (o *readOrder) rankOK(k key) (int, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.ranked < len(o.archives) {
		o.rerank()
	}
	r, ok := o.ranks[k]
	return r, ok
}

func (o *readOrder) rerank() {
	type ranked struct {
		path string
		k    key
	}
	var all []ranked
	for _, a := range o.archives {
		for _, m := range a.Members() {
			all = append(all, ranked{m.Path, key{a, m.Index}})
		}
	}
	slices.SortStableFunc(all, func(x, y ranked) int { return strings.Compare(x.path, y.path) })
	o.ranks = make(map[key]int, len(all))
	for i, m := range all {
		o.ranks[m.k] = i
	}
	o.ranked = len(o.archives)
}
