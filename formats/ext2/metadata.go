package ext2

import (
	"crypto/sha256"
	"encoding/binary"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

var le = binary.LittleEndian

// Feature flags written to the superblock.
const (
	compatExtAttr      = 0x0008
	incompatFiletype   = 0x0002
	roCompatSparse     = 0x0001
	roCompatLargeFile  = 0x0002
	defmXattrUserACL   = 0x0004 | 0x0008 // user_xattr, acl mount options
	flagSignedHash     = 0x0001
	hashHalfMD4        = 1
	superMagic         = 0xEF53
	superSize          = 1024
	maxBlockWriteBytes = 1 << 20
)

// writeMetadata writes everything but regular file data. Blocks in the
// data area (xattrs, directories, symlinks, indirect blocks) go first while
// the inode table is filled in; then the per-group metadata.
func (fsys *filesystem) writeMetadata(f *os.File, ge *geometry, opts Options) error {
	w := &blockWriter{f: f, bs: fsys.bs}
	itab := make([]byte, int64(fsys.lastIno())*inodeSize)
	mw := &mapWriter{tree: tree{apb: fsys.bs / 4}, put: w.put}
	for _, n := range fsys.nodes {
		if n.xattr != nil && !n.xattr.written {
			n.xattr.written = true
			le.PutUint32(n.xattr.data[4:], n.xattr.refs)
			w.put(n.xattr.blk, n.xattr.data)
		}
		if n.ftype != ftRegular {
			fsys.writeNode(mw, w, n, itab, opts.Time)
		}
	}
	for _, n := range fsys.nodes {
		if n.ftype == ftRegular {
			fsys.writeNode(mw, w, n, itab, opts.Time)
		}
	}
	if err := w.flush(); err != nil {
		return err
	}
	fsys.writeGroups(w, ge, itab, opts)
	return w.flush()
}

// writeNode emits a node's indirect blocks and in-memory content, and
// encodes its inode into itab.
func (fsys *filesystem) writeNode(mw *mapWriter, w *blockWriter, n *node, itab []byte, fsTime time.Time) {
	var ib [15]uint32
	if n.nData > 0 {
		mw.ranges, mw.extents, mw.ind = n.ranges, n.extents, n.ind
		ib = mw.write(fsys.bs)
		for _, e := range n.extents {
			if n.data != nil {
				w.put(e.phys, n.data[e.logical*fsys.bs:(e.logical+e.n)*fsys.bs])
			}
		}
	}
	fsys.encodeInode(itab[int64(n.ino-1)*inodeSize:][:inodeSize], n, ib, fsTime)
}

// encodeInode fills one 256-byte inode.
func (fsys *filesystem) encodeInode(b []byte, n *node, ib [15]uint32, fsTime time.Time) {
	uid, gid, mtime := uint32(0), uint32(0), fsTime
	if n.e != nil {
		uid, gid = n.e.UID, n.e.GID
		if !n.e.MTime.IsZero() { // unset times are the image's time
			mtime = n.e.MTime
		}
	}
	blocks := n.nData + n.nInd
	if n.xattr != nil {
		blocks++
		le.PutUint32(b[0x68:], n.xattr.blk) // i_file_acl
	}
	le.PutUint16(b[0x00:], n.mode)
	le.PutUint16(b[0x02:], uint16(uid))
	le.PutUint32(b[0x04:], uint32(n.size))
	if n.ftype == ftRegular {
		le.PutUint32(b[0x6C:], uint32(n.size>>32)) // i_size_high (large_file)
	}
	t, tx := encodeTime(mtime)
	for _, off := range []int{0x08, 0x0C, 0x10} { // atime, ctime, mtime
		le.PutUint32(b[off:], t)
	}
	le.PutUint16(b[0x18:], uint16(gid))
	le.PutUint16(b[0x1A:], uint16(n.links))
	le.PutUint32(b[0x1C:], uint32(blocks*fsys.bs/512))
	fsys.encodeBlockField(b[0x28:0x64], n, ib)
	le.PutUint16(b[0x78:], uint16(uid>>16))
	le.PutUint16(b[0x7A:], uint16(gid>>16))
	le.PutUint16(b[0x80:], extraIsize)
	for _, off := range []int{0x84, 0x88, 0x8C} { // ctime, mtime, atime extra
		le.PutUint32(b[off:], tx)
	}
	ct, ctx := encodeTime(fsTime)
	le.PutUint32(b[0x90:], ct) // crtime: when the image was made
	le.PutUint32(b[0x94:], ctx)
}

// encodeBlockField fills i_block: block pointers, a fast symlink target,
// or a device number.
func (fsys *filesystem) encodeBlockField(b []byte, n *node, ib [15]uint32) {
	switch {
	case n.ftype == ftSymlink && n.nData == 0:
		copy(b, n.e.Link)
	case n.ftype == ftChar || n.ftype == ftBlock:
		major, minor := unix.Major(n.e.Rdev), unix.Minor(n.e.Rdev)
		if major < 256 && minor < 256 {
			le.PutUint32(b[0:], major<<8|minor)
		} else {
			le.PutUint32(b[4:], minor&0xff|major<<8|(minor&^0xff)<<12)
		}
	default:
		for i, p := range ib {
			le.PutUint32(b[4*i:], p)
		}
	}
}

// encodeTime splits t into the 32-bit seconds field and the *_extra field,
// whose low two bits extend the epoch past 2038.
func encodeTime(t time.Time) (uint32, uint32) {
	s := min(max(t.Unix(), -1<<31), 1<<34-1<<31-1)
	return uint32(int32(s)), uint32((s-int64(int32(s)))>>32) & 3
}

// writeGroups writes superblock copies, descriptors, bitmaps and the used
// part of each inode table.
func (fsys *filesystem) writeGroups(w *blockWriter, ge *geometry, itab []byte, opts Options) {
	gdt := fsys.descriptors(ge)
	bitmap := make([]byte, fsys.bs)
	ipg := int64(ge.ipg)
	for g := uint32(0); g < ge.groups; g++ {
		if hasSuper(g) {
			sb := make([]byte, fsys.bs)
			fsys.encodeSuper(sb[superOffset(g, fsys.bs):][:superSize], ge, opts, g)
			w.put(ge.groupStart(g), sb)
			w.put(ge.groupStart(g)+1, gdt)
		}
		used := ge.overhead(g) + ge.usedData(g)
		w.put(ge.blockBitmap(g), fillBitmap(bitmap, int64(used), int64(ge.groupEnd(g)-ge.groupStart(g))))
		inodes := min(max(int64(fsys.lastIno())-int64(g)*ipg, 0), ipg)
		w.put(ge.inodeBitmap(g), fillBitmap(bitmap, inodes, ipg))
		if inodes > 0 {
			w.put(ge.inodeTable(g), itab[int64(g)*ipg*inodeSize:][:inodes*inodeSize])
		}
	}
}

// superOffset is where the superblock sits in the first block of group g:
// the primary is always at byte 1024 of the image, backups at their
// group's first byte.
func superOffset(g uint32, bs int64) int64 {
	if g == 0 {
		return superSize % bs
	}
	return 0
}

// fillBitmap marks the first used bits of the group in use, and the bits
// past the group's size (end) as padding, which e2fsck expects set.
func fillBitmap(b []byte, used, end int64) []byte {
	clear(b)
	setBits(b, 0, used)
	setBits(b, end, int64(len(b))*8)
	return b
}

// setBits sets bits [from, to).
func setBits(b []byte, from, to int64) {
	for ; from < to && from%8 != 0; from++ {
		b[from/8] |= 1 << (from % 8)
	}
	for ; from+8 <= to; from += 8 {
		b[from/8] = 0xff
	}
	for ; from < to; from++ {
		b[from/8] |= 1 << (from % 8)
	}
}

// descriptors encodes the group descriptor table.
func (fsys *filesystem) descriptors(ge *geometry) []byte {
	dirs := make([]uint16, ge.groups)
	for _, n := range fsys.dirs {
		dirs[(n.ino-1)/ge.ipg]++
	}
	gdt := make([]byte, int64(ge.gdtBlocks)*fsys.bs)
	for g := uint32(0); g < ge.groups; g++ {
		d := gdt[g*descSize:]
		le.PutUint32(d[0:], ge.blockBitmap(g))
		le.PutUint32(d[4:], ge.inodeBitmap(g))
		le.PutUint32(d[8:], ge.inodeTable(g))
		le.PutUint16(d[12:], uint16(ge.freeBlocks(g)))
		le.PutUint16(d[14:], uint16(ge.freeInodes(g, fsys.lastIno())))
		le.PutUint16(d[16:], dirs[g])
	}
	return gdt
}

func (ge *geometry) freeBlocks(g uint32) uint32 {
	return ge.groupEnd(g) - ge.groupStart(g) - ge.overhead(g) - ge.usedData(g)
}

func (ge *geometry) freeInodes(g uint32, lastIno uint32) uint32 {
	used := min(max(int64(lastIno)-int64(g)*int64(ge.ipg), 0), int64(ge.ipg))
	return ge.ipg - uint32(used)
}

// encodeSuper fills a superblock copy for group g.
func (fsys *filesystem) encodeSuper(b []byte, ge *geometry, opts Options, g uint32) {
	var freeBlocks, freeInodes uint32
	for i := uint32(0); i < ge.groups; i++ {
		freeBlocks += ge.freeBlocks(i)
		freeInodes += ge.freeInodes(i, fsys.lastIno())
	}
	now := uint32(min(max(opts.Time.Unix(), 0), 1<<32-1))
	logBS := uint32(0)
	for 1024<<logBS < fsys.bs {
		logBS++
	}
	for _, f := range []struct {
		off int
		v   uint32
	}{ // offsets from the kernel's struct ext4_super_block
		{0x00, ge.ipg * ge.groups}, {0x04, ge.blocks}, {0x0C, freeBlocks}, {0x10, freeInodes},
		{0x14, ge.firstData}, {0x18, logBS}, {0x1C, logBS}, {0x20, ge.perGroup}, {0x24, ge.perGroup},
		{0x28, ge.ipg}, {0x30, now}, {0x40, now}, {0x4C, 1}, {0x54, lostFoundIno},
		{0x5C, compatExtAttr}, {0x60, incompatFiletype}, {0x64, roCompatSparse | roCompatLargeFile},
		{0x100, defmXattrUserACL}, {0x108, now}, {0x160, flagSignedHash},
	} {
		le.PutUint32(b[f.off:], f.v)
	}
	le.PutUint16(b[0x36:], 0xFFFF) // s_max_mnt_count -1: no mount-count checks
	le.PutUint16(b[0x38:], superMagic)
	le.PutUint16(b[0x3A:], 1) // s_state: clean
	le.PutUint16(b[0x3C:], 1) // s_errors: continue
	le.PutUint16(b[0x58:], inodeSize)
	le.PutUint16(b[0x5A:], uint16(g))
	copy(b[0x68:0x78], opts.UUID[:])
	copy(b[0x78:0x88], opts.Label)
	seed := sha256.Sum256(append([]byte("ext2 directory hash seed"), opts.UUID[:]...))
	copy(b[0xEC:0xFC], seed[:16])
	b[0xFC] = hashHalfMD4
	le.PutUint16(b[0x15C:], extraIsize) // s_min_extra_isize
	le.PutUint16(b[0x15E:], extraIsize) // s_want_extra_isize
}

// blockWriter coalesces writes of consecutive blocks into one pwrite.
type blockWriter struct {
	f     *os.File
	bs    int64
	start int64 // block of buf[0]
	buf   []byte
	err   error
}

// put queues b (padded to whole blocks) for block blk.
func (w *blockWriter) put(blk uint32, b []byte) {
	if w.err != nil {
		return
	}
	contiguous := int64(blk) == w.start+int64(len(w.buf))/w.bs
	if len(w.buf) > 0 && (!contiguous || len(w.buf)+len(b) > maxBlockWriteBytes) {
		w.err = w.flush()
	}
	if len(w.buf) == 0 {
		w.start = int64(blk)
	}
	w.buf = append(w.buf, b...)
	if pad := int64(len(w.buf)) % w.bs; pad != 0 {
		w.buf = append(w.buf, make([]byte, w.bs-pad)...)
	}
}

// flush writes what is queued and reports the first error.
func (w *blockWriter) flush() error {
	if w.err == nil && len(w.buf) > 0 {
		_, w.err = w.f.WriteAt(w.buf, w.start*w.bs)
	}
	w.buf = w.buf[:0]
	return w.err
}

// encodeDir builds a directory's blocks: ".", "..", then the children in
// plan order. An entry never crosses a block; the last one of each block
// stretches to its end. least pads with empty blocks (for lost+found).
func encodeDir(n *node, bs, least int64) []byte {
	var out []byte
	last := -1 // offset of the previous entry
	off := 0
	add := func(ino uint32, name string, ft uint8) {
		need := 8 + pad4(len(name))
		if last < 0 || off+need > len(out) {
			if last >= 0 {
				le.PutUint16(out[last+4:], uint16(len(out)-last))
			}
			off = len(out)
			out = append(out, make([]byte, bs)...)
		}
		e := out[off:]
		le.PutUint32(e[0:], ino)
		le.PutUint16(e[4:], uint16(need))
		e[6], e[7] = uint8(len(name)), ft
		copy(e[8:], name)
		last, off = off, off+need
	}
	add(n.ino, ".", ftDir)
	add(n.parent, "..", ftDir)
	for _, d := range n.dirents {
		add(d.ino, d.name, d.ftype)
	}
	le.PutUint16(out[last+4:], uint16(len(out)-last))
	for int64(len(out)) < least*bs {
		empty := make([]byte, bs)
		le.PutUint16(empty[4:], uint16(bs)) // inode 0: an unused entry spanning the block
		out = append(out, empty...)
	}
	return out
}
