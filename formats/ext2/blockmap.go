package ext2

import (
	"encoding/binary"
	"sort"
)

// A file's blocks are mapped the classic way: i_block[0..11] point at data,
// i_block[12] at an indirect block of pointers, [13] at a double and [14] at
// a triple indirect tree. Holes are 0 pointers, and a subtree with no data
// gets no block at all.

const nDirect = 12

// blkRange is a run of logical blocks [start, end) that hold data.
type blkRange struct{ start, end int64 }

// run is a run of physical blocks.
type run struct{ start, n uint32 }

// extent says where logical blocks [logical, logical+n) sit on disk.
type extent struct {
	logical int64
	phys    uint32
	n       int64
}

// countBlocks is the number of blocks in rs.
func countBlocks(rs []blkRange) int64 {
	var n int64
	for _, r := range rs {
		n += r.end - r.start
	}
	return n
}

// maxFileBlocks is the number of logical blocks the four levels can map.
func maxFileBlocks(apb int64) int64 {
	return nDirect + apb + apb*apb + apb*apb*apb
}

// tree walks the indirect trees of one file. apb is pointers per block.
type tree struct {
	apb    int64
	ranges []blkRange
}

// root returns the first logical block mapped through i_block[12+level-1].
func (t *tree) root(level int) int64 {
	base := int64(nDirect)
	for l := 1; l < level; l++ {
		base += t.span(l)
	}
	return base
}

// span is the number of logical blocks under one block at level.
func (t *tree) span(level int) int64 {
	s := int64(1)
	for range level {
		s *= t.apb
	}
	return s
}

// nextData returns the first logical block >= x holding data, or -1.
func (t *tree) nextData(x int64) int64 {
	i := sort.Search(len(t.ranges), func(i int) bool { return t.ranges[i].end > x })
	if i == len(t.ranges) {
		return -1
	}
	return max(x, t.ranges[i].start)
}

// hasData reports whether [lo, hi) holds any data.
func (t *tree) hasData(lo, hi int64) bool {
	x := t.nextData(lo)
	return x >= 0 && x < hi
}

// children calls fn with the base of every child of the block at (level,
// base) whose subtree holds data, in order.
func (t *tree) children(level int, base int64, fn func(child int64)) {
	cs, end := t.span(level-1), base+t.span(level)
	x := t.nextData(base)
	for x >= 0 && x < end {
		child := base + (x-base)/cs*cs
		fn(child)
		x = t.nextData(child + cs)
	}
}

// count is the number of indirect blocks in the subtree at (level, base),
// which must hold data.
func (t *tree) count(level int, base int64) int64 {
	c := int64(1)
	if level > 1 {
		t.children(level, base, func(child int64) { c += t.count(level-1, child) })
	}
	return c
}

// indirectBlocks is the number of indirect blocks needed to map rs.
func indirectBlocks(rs []blkRange, apb int64) int64 {
	t := &tree{apb: apb, ranges: rs}
	var c int64
	for level := 1; level <= 3; level++ {
		base := t.root(level)
		if t.hasData(base, base+t.span(level)) {
			c += t.count(level, base)
		}
	}
	return c
}

// placer allocates one node's blocks in the order the kernel's ext2
// allocator produces for a file written front to back: data, with each
// indirect block just before the first data it maps. Sequential reads then
// only move forward, and e2fsck counts the file as contiguous.
type placer struct {
	tree
	a *allocator
	n *node
}

// place allocates n's indirect and data blocks.
func (n *node) place(a *allocator, apb int64) {
	if n.nData == 0 {
		return
	}
	p := &placer{tree: tree{apb: apb, ranges: n.ranges}, a: a, n: n}
	p.data(0, nDirect)
	for level := 1; level <= 3; level++ {
		base := p.root(level)
		if p.hasData(base, base+p.span(level)) {
			p.visit(level, base)
		}
	}
}

// visit allocates the indirect block at (level, base), then its subtree.
func (p *placer) visit(level int, base int64) {
	p.n.ind = append(p.n.ind, p.a.take(1)[0].start)
	if level == 1 {
		p.data(base, base+p.apb)
		return
	}
	p.children(level, base, func(child int64) { p.visit(level-1, child) })
}

// data allocates the data blocks in [lo, hi) and records their extents.
func (p *placer) data(lo, hi int64) {
	i := sort.Search(len(p.ranges), func(i int) bool { return p.ranges[i].end > lo })
	for ; i < len(p.ranges) && p.ranges[i].start < hi; i++ {
		l := max(lo, p.ranges[i].start)
		for _, r := range p.a.take(min(hi, p.ranges[i].end) - l) {
			p.n.addExtent(extent{logical: l, phys: r.start, n: int64(r.n)})
			l += int64(r.n)
		}
	}
}

// addExtent appends e, merging it with the previous extent when both the
// logical and physical blocks follow on.
func (n *node) addExtent(e extent) {
	if k := len(n.extents) - 1; k >= 0 {
		last := &n.extents[k]
		if last.logical+last.n == e.logical && int64(last.phys)+last.n == int64(e.phys) {
			last.n += e.n
			return
		}
	}
	n.extents = append(n.extents, e)
}

// mapWriter fills i_block and the indirect blocks of one node, taking the
// indirect block numbers in the order placer handed them out.
type mapWriter struct {
	tree
	extents []extent
	ind     []uint32
	put     func(blk uint32, b []byte)
	bufs    [4][]byte // one per level: a parent's buffer outlives its children's
}

// write returns i_block for the node, emitting its indirect blocks.
func (w *mapWriter) write(bs int64) [15]uint32 {
	var ib [15]uint32
	w.physRange(0, nDirect, func(l int64, p uint32) { ib[l] = p })
	for level := 1; level <= 3; level++ {
		if w.bufs[level] == nil {
			w.bufs[level] = make([]byte, bs)
		}
		base := w.root(level)
		if w.hasData(base, base+w.span(level)) {
			ib[nDirect+level-1] = w.build(level, base)
		}
	}
	return ib
}

// build fills and emits the block at (level, base) and returns its number.
func (w *mapWriter) build(level int, base int64) uint32 {
	blk := w.ind[0]
	w.ind = w.ind[1:]
	buf := w.bufs[level]
	clear(buf)
	if level == 1 {
		w.physRange(base, base+w.apb, func(l int64, p uint32) {
			binary.LittleEndian.PutUint32(buf[4*(l-base):], p)
		})
	} else {
		cs := w.span(level - 1)
		w.children(level, base, func(child int64) {
			p := w.build(level-1, child)
			binary.LittleEndian.PutUint32(buf[4*((child-base)/cs):], p)
		})
	}
	w.put(blk, buf)
	return blk
}

// physRange calls fn(logical, physical) for every mapped block in [lo, hi).
func (w *mapWriter) physRange(lo, hi int64, fn func(int64, uint32)) {
	es := w.extents
	i := sort.Search(len(es), func(i int) bool { return es[i].logical+es[i].n > lo })
	for ; i < len(es) && es[i].logical < hi; i++ {
		e := es[i]
		for l := max(lo, e.logical); l < min(hi, e.logical+e.n); l++ {
			fn(l, e.phys+uint32(l-e.logical))
		}
	}
}
