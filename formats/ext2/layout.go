package ext2

import (
	"fmt"
)

// Layout: every group of 8*blocksize blocks starts with its metadata
//
//	[superblock + descriptor table]  only in groups 0, 1 and powers of 3, 5, 7
//	block bitmap, inode bitmap, inode table
//
// and the rest of the group is data. Data is handed out from one cursor that
// walks the data areas in order, so the used blocks of the whole image are a
// prefix of the data areas: bitmaps and free counts follow from the cursor.
//
// Inodes: one per 16 KiB of image like mke2fs, but never fewer than twice
// the inodes the plan uses, so a small image still has room to add files.

const (
	inodeRatio = 16384 // bytes per inode, mke2fs's default
	descSize   = 32    // group descriptor without the 64bit feature
)

// geometry is the shape of the image.
type geometry struct {
	bs        int64
	blocks    uint32 // s_blocks_count
	firstData uint32 // 1 with 1 KiB blocks: block 0 is the boot block
	perGroup  uint32
	groups    uint32
	ipg       uint32 // inodes per group
	itBlocks  uint32 // inode table blocks per group
	gdtBlocks uint32

	// Where the allocation cursor stopped, set by allocate.
	endGroup uint32
	endBlock uint32
}

// lastIno is the highest inode number in use: inodes are numbered densely.
func (fsys *filesystem) lastIno() uint32 {
	return uint32(lostFoundIno + len(fsys.nodes) - 2)
}

// geometryFor returns the geometry for an image of size bytes, failing with
// ErrTooSmall when the plan does not fit.
func (fsys *filesystem) geometryFor(size int64) (*geometry, error) {
	ge, err := newGeometry(size/fsys.bs, fsys.bs, fsys.lastIno())
	if err != nil {
		return nil, err
	}
	if ge.dataBlocks() < fsys.blocks {
		return nil, ErrTooSmall
	}
	return ge, nil
}

// needed finds the smallest number of blocks that fits by bisection. The
// fit is not strictly monotonic (a larger image may get a larger inode
// table), but the answer always fits.
func (fsys *filesystem) needed() int64 {
	fits := func(nb int64) bool {
		_, err := fsys.geometryFor(nb * fsys.bs)
		return err == nil
	}
	lo, hi := fsys.blocks, max(2*fsys.blocks, 64)
	for !fits(hi) {
		if hi > 1<<32 {
			return 0
		}
		lo, hi = hi, 2*hi
	}
	for lo+1 < hi {
		mid := lo + (hi-lo)/2
		if fits(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi * fsys.bs
}

// newGeometry lays out nblocks blocks with room for at least used inodes
// (twice that, or one per inodeRatio bytes, whichever is more). A last
// group too small for its own metadata is dropped, as mke2fs does.
func newGeometry(nblocks, bs int64, used uint32) (*geometry, error) {
	if nblocks > 1<<32-1 {
		return nil, fmt.Errorf("ext2: %d blocks of %d bytes is more than ext2 can address", nblocks, bs)
	}
	ge := &geometry{bs: bs, perGroup: uint32(8 * bs)}
	if bs == 1024 {
		ge.firstData = 1
	}
	if nblocks <= int64(ge.firstData) {
		return nil, ErrTooSmall
	}
	ge.blocks = uint32(nblocks)
	ge.groups = (ge.blocks - ge.firstData + ge.perGroup - 1) / ge.perGroup
	for {
		if !ge.sizeInodes(used) {
			return nil, ErrTooSmall
		}
		if ge.overhead(0) >= ge.perGroup {
			return nil, fmt.Errorf("ext2: %d groups need more descriptor blocks than a group holds; use a larger block size", ge.groups)
		}
		last := ge.groups - 1
		if ge.groupEnd(last)-ge.groupStart(last) > ge.overhead(last) {
			return ge, nil
		}
		if ge.groups == 1 {
			return nil, ErrTooSmall
		}
		ge.groups--
		ge.blocks = ge.firstData + ge.groups*ge.perGroup
	}
}

// sizeInodes picks inodes per group: a multiple of 8 (bitmap bytes) that
// fills whole inode table blocks, at most one bitmap block's worth.
func (ge *geometry) sizeInodes(used uint32) bool {
	want := max(int64(ge.blocks)*ge.bs/inodeRatio, 2*int64(used))
	unit := max(8, ge.bs/inodeSize)
	groups := int64(ge.groups)
	ipg := roundUp((want+groups-1)/groups, unit)
	limit := min(8*ge.bs, (1<<32-1)/groups/unit*unit)
	ipg = min(ipg, limit)
	if ipg*groups < int64(used) {
		return false
	}
	ge.ipg = uint32(ipg)
	ge.itBlocks = uint32(ipg * inodeSize / ge.bs)
	ge.gdtBlocks = uint32((groups*descSize + ge.bs - 1) / ge.bs)
	return true
}

func roundUp(v, unit int64) int64 { return (v + unit - 1) / unit * unit }

// hasSuper reports whether group g holds a superblock backup (sparse_super).
func hasSuper(g uint32) bool {
	return g <= 1 || isPower(g, 3) || isPower(g, 5) || isPower(g, 7)
}

func isPower(g, b uint32) bool {
	for g%b == 0 {
		g /= b
	}
	return g == 1
}

func (ge *geometry) groupStart(g uint32) uint32 { return ge.firstData + g*ge.perGroup }

func (ge *geometry) groupEnd(g uint32) uint32 {
	return uint32(min(int64(ge.groupStart(g))+int64(ge.perGroup), int64(ge.blocks)))
}

// superBlocks is the number of blocks the superblock copy and the
// descriptor table take at the start of group g.
func (ge *geometry) superBlocks(g uint32) uint32 {
	if hasSuper(g) {
		return 1 + ge.gdtBlocks
	}
	return 0
}

func (ge *geometry) blockBitmap(g uint32) uint32 { return ge.groupStart(g) + ge.superBlocks(g) }
func (ge *geometry) inodeBitmap(g uint32) uint32 { return ge.blockBitmap(g) + 1 }
func (ge *geometry) inodeTable(g uint32) uint32  { return ge.blockBitmap(g) + 2 }
func (ge *geometry) dataStart(g uint32) uint32   { return ge.inodeTable(g) + ge.itBlocks }
func (ge *geometry) overhead(g uint32) uint32    { return ge.dataStart(g) - ge.groupStart(g) }

// dataBlocks is the number of blocks outside group metadata.
func (ge *geometry) dataBlocks() int64 {
	supers := min(int64(ge.groups), 2) // groups 0 and 1
	for _, b := range []int64{3, 5, 7} {
		for p := b; p < int64(ge.groups); p *= b {
			supers++
		}
	}
	meta := int64(ge.groups)*int64(2+ge.itBlocks) + supers*int64(1+ge.gdtBlocks)
	return int64(ge.blocks) - int64(ge.firstData) - meta
}

// usedData is the number of data blocks allocated in group g.
func (ge *geometry) usedData(g uint32) uint32 {
	switch {
	case g < ge.endGroup:
		return ge.groupEnd(g) - ge.dataStart(g)
	case g == ge.endGroup:
		return ge.endBlock - ge.dataStart(g)
	}
	return 0
}

// allocator hands out data blocks from a cursor.
type allocator struct {
	ge   *geometry
	g    uint32
	next uint32
}

// take returns n blocks as runs; a run breaks only at group metadata.
func (a *allocator) take(n int64) []run {
	var rs []run
	for n > 0 {
		end := a.ge.groupEnd(a.g)
		if a.next >= end {
			a.g++
			if a.g >= a.ge.groups {
				panic("ext2: allocation ran past the last group")
			}
			a.next = a.ge.dataStart(a.g)
			continue
		}
		k := uint32(min(n, int64(end-a.next)))
		rs = append(rs, run{a.next, k})
		a.next += k
		n -= int64(k)
	}
	return rs
}

// allocate gives every block a number: first directories, symlink and
// xattr blocks (so metadata sits together at the front), then regular
// files in plan order.
func (fsys *filesystem) allocate(ge *geometry) {
	a := &allocator{ge: ge, next: ge.dataStart(0)}
	for _, n := range fsys.nodes {
		if n.xattr != nil && n.xattr.blk == 0 {
			n.xattr.blk = a.take(1)[0].start
		}
		if n.ftype != ftRegular {
			n.place(a, ge.bs/4)
		}
	}
	for _, n := range fsys.nodes {
		if n.ftype == ftRegular {
			n.place(a, ge.bs/4)
		}
	}
	ge.endGroup, ge.endBlock = a.g, a.next
}
