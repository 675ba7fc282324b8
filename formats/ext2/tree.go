package ext2

import (
	"fmt"
	"path"

	"github.com/supermin-compile/supermin-compile/plan"
	"golang.org/x/sys/unix"
)

// Fixed inode numbers and sizes of the format.
const (
	rootIno      = 2
	lostFoundIno = 11 // also s_first_ino: 1..10 are reserved
	firstFreeIno = 12
	inodeSize    = 256
	extraIsize   = 32 // i_extra_isize: covers the *_extra times and crtime
	maxNameLen   = 255
	maxLinks     = 65000 // EXT2_LINK_MAX as e2fsck knows it
	lostFoundMin = 16 * 1024
)

// File type codes of directory entries (filetype feature).
const (
	ftRegular = 1
	ftDir     = 2
	ftChar    = 3
	ftBlock   = 4
	ftFIFO    = 5
	ftSocket  = 6
	ftSymlink = 7
)

// dirent is one name in a directory, after "." and "..".
type dirent struct {
	name  string
	ino   uint32
	ftype uint8
}

// node is one inode of the image.
type node struct {
	e       *plan.Entry // nil for a lost+found the plan did not have
	ino     uint32
	mode    uint16 // i_mode: type and permission bits
	ftype   uint8
	links   uint32
	size    int64 // i_size
	parent  uint32
	dirents []dirent // directories only
	data    []byte   // directory or slow-symlink content, whole blocks
	xattr   *eaBlock

	// Block map, in logical blocks of the file.
	ranges []blkRange // blocks that hold data, sorted, disjoint
	nData  int64      // data blocks (sum of ranges)
	nInd   int64      // indirect blocks needed to map them

	// Filled in by allocate.
	extents []extent // where the data blocks landed on disk
	ind     []uint32 // indirect blocks, in the order they were placed
}

// filesystem is everything the plan needs, independent of the image size.
type filesystem struct {
	bs     int64
	nodes  []*node // in inode order: root, lost+found, then the plan
	dirs   []*node // directories, counted per group in the descriptors
	blocks int64   // blocks needed outside group metadata
	eas    eaTable
}

// Limits are what an image with 4096-byte blocks, the default, holds:
// names of up to 255 bytes, symlink targets shorter than a block, paths
// of any length.
var Limits = limits(4096)

func limits(bs int) plan.Limits {
	return plan.Limits{Format: "ext2", Name: maxNameLen, Target: bs - 1}
}

// build checks p (plan.Validate, then what only ext2 limits) and turns
// it into inodes. Host files are stat'ed to find their holes; strict
// makes a host file that is missing or of the wrong size an error
// (Write), otherwise it counts as dense (Needed).
func build(p *plan.Plan, bs int, strict bool) (*filesystem, error) {
	if err := plan.Validate(p, limits(bs)); err != nil {
		return nil, fmt.Errorf("ext2: %w", err)
	}
	fsys := &filesystem{bs: int64(bs), eas: newEATable(bs)}
	if err := fsys.addNodes(p); err != nil {
		return nil, err
	}
	for _, n := range fsys.nodes {
		if err := fsys.fill(n, strict); err != nil {
			return nil, err
		}
	}
	return fsys, nil
}

// addNodes numbers the inodes in plan order and links names to them.
func (fsys *filesystem) addNodes(p *plan.Plan) error {
	root := newNode(&p.Entries[0], rootIno)
	root.parent = rootIno
	lf := fsys.lostFound(p)
	fsys.nodes = append(fsys.nodes, root, lf)
	byPath := map[string]*node{"/": root} // lookups only: never iterated
	if lf.e == nil {
		root.dirents = append(root.dirents, dirent{"lost+found", lostFoundIno, ftDir})
		root.links++
	}
	next := uint32(firstFreeIno)
	for i := 1; i < len(p.Entries); i++ {
		e := &p.Entries[i]
		n, err := fsys.addEntry(e, byPath, lf, &next)
		if err != nil {
			return err
		}
		byPath[e.Path] = n
	}
	return nil
}

// addEntry links e into its parent, making a new inode unless e is a hard
// link (or the plan's own lost+found, which keeps inode 11). Validate
// made the parent and a hard link's file earlier entries of the plan.
func (fsys *filesystem) addEntry(e *plan.Entry, byPath map[string]*node, lf *node, next *uint32) (*node, error) {
	parent, name := byPath[path.Dir(e.Path)], path.Base(e.Path)
	if e.Path == "/lost+found" && e.Type != plan.Dir {
		return nil, fmt.Errorf("ext2: /lost+found must be a directory, the plan has a %v", e.Type)
	}
	var n *node
	switch {
	case e.Type == plan.Hardlink:
		n = byPath[e.Link]
		n.links++
	case e.Path == "/lost+found":
		n = lf
	default:
		n = newNode(e, *next)
		*next++
		fsys.nodes = append(fsys.nodes, n)
	}
	if n.ftype == ftDir {
		n.parent = parent.ino
		parent.links++ // the child's ".."
	}
	parent.dirents = append(parent.dirents, dirent{name, n.ino, n.ftype})
	return n, nil
}

// lostFound returns inode 11: the plan's /lost+found directory if it has
// one, or a fresh one like mke2fs makes.
func (fsys *filesystem) lostFound(p *plan.Plan) *node {
	for i := range p.Entries {
		if p.Entries[i].Path == "/lost+found" && p.Entries[i].Type == plan.Dir {
			return newNode(&p.Entries[i], lostFoundIno)
		}
	}
	return &node{ino: lostFoundIno, mode: plan.S_IFDIR | 0o700, ftype: ftDir, links: 2, parent: rootIno}
}

// newNode starts an inode for e; ftype is 0 for an unknown type.
func newNode(e *plan.Entry, ino uint32) *node {
	n := &node{e: e, ino: ino, links: 1}
	n.mode, n.ftype = typeBits(e.Type)
	n.mode |= uint16(e.Perm())
	if n.ftype == ftDir {
		n.links = 2
	}
	return n
}

// fileTypes are the dirent file types of the plan types an inode can
// have; the others (Hardlink) are 0, unknown.
var fileTypes = [...]uint8{plan.Dir: ftDir, plan.Regular: ftRegular, plan.Symlink: ftSymlink,
	plan.CharDev: ftChar, plan.BlockDev: ftBlock, plan.FIFO: ftFIFO, plan.Socket: ftSocket}

// typeBits maps a plan type to i_mode type bits and a dirent file type.
func typeBits(t plan.Type) (uint16, uint8) {
	if int(t) >= len(fileTypes) || fileTypes[t] == 0 {
		return 0, 0
	}
	return uint16(plan.UnixType(t)), fileTypes[t]
}

// fill computes a node's size, content and block map, once every name is
// linked (directory contents need the inode numbers of the children).
func (fsys *filesystem) fill(n *node, strict bool) error {
	if n.links > maxLinks {
		return fmt.Errorf("ext2: %s has %d links, the limit is %d", n.path(), n.links, maxLinks)
	}
	if n.e != nil && len(n.e.Xattrs) > 0 {
		b, isNew, err := fsys.eas.add(n.e.Xattrs)
		if err != nil {
			return fmt.Errorf("ext2: %s: %w", n.e.Path, err)
		}
		n.xattr = b
		if isNew {
			fsys.blocks++
		}
	}
	var err error
	switch n.ftype {
	case ftDir:
		fsys.fillDir(n)
	case ftSymlink:
		fsys.fillSymlink(n)
	case ftRegular:
		err = fsys.fillRegular(n, strict)
	case ftChar, ftBlock:
		err = checkDevice(n.e)
	}
	if err != nil {
		return err
	}
	n.nInd = indirectBlocks(n.ranges, fsys.bs/4)
	if (n.nData+n.nInd+1)*(fsys.bs/512) > 1<<32-1 { // i_blocks is 32 bits without huge_file
		return fmt.Errorf("ext2: %s: %d blocks of data is more than ext2 can count", n.path(), n.nData)
	}
	fsys.blocks += n.nData + n.nInd
	return nil
}

// fillDir encodes the directory blocks. lost+found keeps spare empty blocks
// so that e2fsck can reconnect files without allocating.
func (fsys *filesystem) fillDir(n *node) {
	least := int64(1)
	if n.ino == lostFoundIno {
		least = min(12, max(2, lostFoundMin/fsys.bs)) // stay in direct blocks
	}
	n.data = encodeDir(n, fsys.bs, least)
	n.size = int64(len(n.data))
	n.setDense(n.size / fsys.bs)
	fsys.dirs = append(fsys.dirs, n)
}

// fillSymlink stores short targets in the inode and longer ones in a
// block (Validate kept them shorter than a block).
func (fsys *filesystem) fillSymlink(n *node) {
	t := n.e.Link
	n.size = int64(len(t))
	if len(t) < fastSymlinkMax {
		return
	}
	n.data = make([]byte, fsys.bs)
	copy(n.data, t)
	n.setDense(1)
}

// fastSymlinkMax is the size of i_block: shorter targets live there.
const fastSymlinkMax = 60

// fillRegular finds which blocks of a regular file hold data.
func (fsys *filesystem) fillRegular(n *node, strict bool) error {
	e := n.e
	n.size = e.Size
	nblk := (e.Size + fsys.bs - 1) / fsys.bs
	if nblk > maxFileBlocks(fsys.bs/4) {
		return fmt.Errorf("ext2: %s: %d bytes is too big for ext2 with %d-byte blocks", e.Path, e.Size, fsys.bs)
	}
	if b, ok := e.Src.(plan.Bytes); ok && int64(len(b)) != e.Size {
		return fmt.Errorf("ext2: %s: %d inline bytes, the plan says %d", e.Path, len(b), e.Size)
	}
	hp, isHost := plan.HostPath(e.Src)
	if !isHost {
		n.setDense(nblk)
		return nil
	}
	r, err := dataRanges(hp, e.Size, fsys.bs)
	switch {
	case err != nil && strict:
		return fmt.Errorf("ext2: %s: %w", e.Path, err)
	case err != nil:
		n.setDense(nblk)
		return nil
	}
	n.ranges = r
	n.nData = countBlocks(r)
	return nil
}

// setDense maps blocks [0, nblk) as data.
func (n *node) setDense(nblk int64) {
	n.ranges = nil
	if nblk > 0 {
		n.ranges = []blkRange{{0, nblk}}
	}
	n.nData = nblk
}

// checkDevice rejects device numbers ext2 cannot encode.
func checkDevice(e *plan.Entry) error {
	major, minor := unix.Major(e.Rdev), unix.Minor(e.Rdev)
	if major > 0xfff || minor > 0xfffff {
		return fmt.Errorf("ext2: device %s: %d:%d does not fit in 12:20 bits", e.Path, major, minor)
	}
	return nil
}

// path names a node in messages.
func (n *node) path() string {
	if n.e == nil {
		return "/lost+found"
	}
	return n.e.Path
}
