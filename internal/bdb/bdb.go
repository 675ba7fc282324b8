// Package bdb reads the records of Berkeley DB hash databases, without cgo
// and read-only: the format of rpm's Packages file on RHEL/CentOS 7 and 8
// and older SUSE.
//
// It reads the hash metadata page and walks each bucket's chain of hash
// pages, following big items to their overflow pages; databases of either
// byte order and any page size are read, as the metadata page says.
// Duplicate keys, encryption, checksums and the other access methods
// (btree, queue, heap) are refused. No locks are taken and no log is
// replayed, so a writer working at the same time may be seen half-way.
// Corrupt files give a *CorruptError naming the path and the page; they
// never panic or loop, since every page is read at most once per Records
// call, and nothing is allocated from a size the file claims before that
// size is checked against the file's.
package bdb

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
)

// Page types and item types of db_page.h.
const (
	pageInvalid       = 0
	pageHashUnsorted  = 2
	pageOverflow      = 7
	pageHashMeta      = 8
	pageHash          = 13
	itemKeyData       = 1
	itemDuplicate     = 2
	itemOffPage       = 3
	itemOffDuplicate  = 4
	itemBlob          = 5
	hashMagic         = 0x061561
	pageHeaderSize    = 26 // lsn, pgno, prev, next, entries, hf_offset, level, type
	offPageItemSize   = 12 // type, 3 unused, pgno, total length
	metaChecksumFlag  = 0x01
	maxSparesLog      = 32
	hashMetaFieldsEnd = 96 + 4*maxSparesLog
)

// CorruptError is a database that does not follow the format, at a page.
type CorruptError struct {
	Path string
	Page uint32
	Msg  string
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("%s: page %d: %s", e.Path, e.Page, e.Msg)
}

// DB is an open hash database file; Records may be called from several
// goroutines.
type DB struct {
	path      string
	r         io.ReaderAt // an *os.File, but for fuzzing
	order     binary.ByteOrder
	pageSize  int
	npages    uint32 // pages in the database: last_pgno + 1
	maxBucket uint32
	spares    [maxSparesLog]uint32
}

// Open reads the metadata page; it keeps the file open.
func Open(path string) (*DB, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	var db *DB
	if err == nil {
		db, err = newDB(path, f, fi.Size())
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return db, nil
}

// Order is the byte order of the hash database that starts with head (at
// least 16 bytes), told by its magic number; nil when it is not one.
func Order(head []byte) binary.ByteOrder {
	switch {
	case binary.LittleEndian.Uint32(head[12:]) == hashMagic:
		return binary.LittleEndian
	case binary.BigEndian.Uint32(head[12:]) == hashMagic:
		return binary.BigEndian
	}
	return nil
}

// Close closes the file.
func (db *DB) Close() error {
	if c, ok := db.r.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

// ByteOrder is the byte order of the machine that made the database: Berkeley
// DB keeps its own fields in it, and applications such as rpm their keys.
func (db *DB) ByteOrder() binary.ByteOrder { return db.order }

// newDB checks the metadata page (page 0) of the database in r, size bytes
// long.
func newDB(path string, r io.ReaderAt, size int64) (*DB, error) {
	db := &DB{path: path, r: r}
	var m [hashMetaFieldsEnd]byte
	if _, err := r.ReadAt(m[:], 0); err != nil {
		return nil, fmt.Errorf("%s: not a Berkeley DB database (%d bytes)", path, size)
	}
	if db.order = Order(m[:]); db.order == nil {
		return nil, fmt.Errorf("%s: not a Berkeley DB hash database (magic %#x)", path, binary.LittleEndian.Uint32(m[12:]))
	}
	u32 := func(off int) uint32 { return db.order.Uint32(m[off:]) }
	version, pageSize := u32(16), u32(20)
	switch {
	case version < 8 || version > 10:
		return nil, fmt.Errorf("%s: hash version %d, only 8 to 10 (Berkeley DB 4.x to 6.x) are read", path, version)
	case pageSize < 512 || pageSize > 65536 || pageSize&(pageSize-1) != 0:
		return nil, db.corrupt(0, "bad page size %d", pageSize)
	case m[24] != 0:
		return nil, fmt.Errorf("%s: database is encrypted, which is not supported", path)
	case m[25] != pageHashMeta:
		return nil, db.corrupt(0, "not a hash metadata page (type %d)", m[25])
	case m[26]&metaChecksumFlag != 0:
		return nil, fmt.Errorf("%s: database has page checksums, which are not supported", path)
	}
	db.pageSize = int(pageSize)
	last := int64(u32(32))
	if inFile := size / int64(pageSize); last >= inFile {
		return nil, db.corrupt(uint32(min(inFile, 1<<32-1)), "past the end of the file (truncated? the metadata page says %d pages)", last+1)
	}
	db.npages = uint32(last + 1)
	db.maxBucket = u32(72)
	for i := range db.spares {
		db.spares[i] = u32(96 + 4*i)
	}
	return db, nil
}

// corrupt returns an error about page pg.
func (db *DB) corrupt(pg uint32, format string, args ...any) error {
	return &CorruptError{Path: db.path, Page: pg, Msg: fmt.Sprintf(format, args...)}
}

// bucketPage is the first page of bucket b (hash.h's BS_TO_PAGE): buckets
// are allocated in doublings, and spares[i] is the page offset of the
// doubling that holds buckets 2^(i-1) to 2^i - 1.
func (db *DB) bucketPage(b uint32) (uint32, error) {
	i := log2(uint64(b) + 1)
	if i >= maxSparesLog {
		return 0, db.corrupt(0, "bucket %d has no spares entry", b)
	}
	pg := uint64(b) + uint64(db.spares[i])
	if pg >= uint64(db.npages) {
		return 0, db.corrupt(uint32(min(pg, 1<<32-1)), "bucket %d: page out of range (database has %d pages)", b, db.npages)
	}
	return uint32(pg), nil
}

// log2 is the smallest i with 2^i >= n (db_log2).
func log2(n uint64) int {
	i := 0
	for uint64(1)<<i < n {
		i++
	}
	return i
}

// walker reads the pages of one Records call.
type walker struct {
	db   *DB
	seen []uint64 // bitset of pages read: a second visit means a loop
	page []byte   // the hash page being read
	ovf  []byte   // the overflow page being read
	fn   func(key, value []byte) error
	// Pages are read a window at a time: an item's overflow pages
	// usually follow each other, and small pages would otherwise cost a
	// system call each.
	win      []byte
	winStart uint32 // the first page in win
}

// windowSize is how many bytes of pages are read at once.
const windowSize = 64 << 10

// Records calls fn for each key/value pair, bucket by bucket (in no order a
// caller should rely on), and stops at the first error fn returns, which
// Records returns as is. Records never reuses key or value: fn may keep
// them.
func (db *DB) Records(fn func(key, value []byte) error) error {
	w := &walker{db: db, seen: make([]uint64, db.npages/64+1), fn: fn}
	if db.maxBucket >= db.npages {
		return db.corrupt(0, "%d buckets do not fit in the %d pages of the database", uint64(db.maxBucket)+1, db.npages)
	}
	for b := uint32(0); b <= db.maxBucket; b++ {
		pg, err := db.bucketPage(b)
		if err != nil {
			return err
		}
		if err := w.bucket(pg); err != nil {
			return err
		}
	}
	return nil
}

// read reads page pg into a reused buffer, once per walk, and checks its
// header: the page's own number and its type.
func (w *walker) read(pg uint32, buf *[]byte, what string, types ...byte) ([]byte, error) {
	db := w.db
	if pg < 1 || pg >= db.npages {
		return nil, db.corrupt(pg, "%s page out of range (database has %d pages)", what, db.npages)
	}
	if w.seen[pg/64]&(1<<(pg%64)) != 0 {
		return nil, db.corrupt(pg, "%s chain loops", what)
	}
	w.seen[pg/64] |= 1 << (pg % 64)
	if *buf == nil {
		*buf = make([]byte, db.pageSize)
	}
	p := *buf
	if err := w.copyPage(pg, p); err != nil {
		return nil, err
	}
	// A bucket page allocated by a doubling but never written reads as
	// zeros: an empty bucket.
	if n := db.order.Uint32(p[8:]); n != pg && !(n == 0 && p[25] == pageInvalid) {
		return nil, db.corrupt(pg, "%s page says it is page %d", what, n)
	}
	for _, t := range types {
		if p[25] == t {
			return p, nil
		}
	}
	return nil, db.corrupt(pg, "page of type %d in the %s chain", p[25], what)
}

// copyPage copies page pg to p, through the window.
func (w *walker) copyPage(pg uint32, p []byte) error {
	db := w.db
	size := uint32(db.pageSize)
	if w.win == nil || pg < w.winStart || pg >= w.winStart+uint32(len(w.win))/size {
		pages := min(max(windowSize/size, 1), db.npages-pg)
		if w.win == nil {
			w.win = make([]byte, max(windowSize, size))
		}
		w.win = w.win[:pages*size]
		if _, err := db.r.ReadAt(w.win, int64(pg)*int64(size)); err != nil {
			w.win = nil
			return db.corrupt(pg, "reading: %v", err)
		}
		w.winStart = pg
	}
	off := (pg - w.winStart) * size
	copy(p, w.win[off:off+size])
	return nil
}

// bucket reads the chain of hash pages of the bucket starting at page pg.
func (w *walker) bucket(pg uint32) error {
	for pg != 0 {
		p, err := w.read(pg, &w.page, "hash", pageHash, pageHashUnsorted, pageInvalid)
		if err != nil {
			return err
		}
		if p[25] == pageInvalid {
			return nil
		}
		// The page is reused by the next one in the chain: take what it
		// says before.
		next := w.db.order.Uint32(p[16:])
		if err := w.pairs(pg, p); err != nil {
			return err
		}
		pg = next
	}
	return nil
}

// pairs passes the key/value pairs of hash page pg to fn. Items are stored
// from the page's end backwards, in index order: item i ends where item
// i-1 starts.
func (w *walker) pairs(pg uint32, p []byte) error {
	db := w.db
	n := int(db.order.Uint16(p[20:]))
	index := pageHeaderSize + 2*n
	if n%2 != 0 || index > len(p) {
		return db.corrupt(pg, "%d entries do not make pairs in the page", n)
	}
	end := len(p)
	var key []byte
	for i := range n {
		off := int(db.order.Uint16(p[pageHeaderSize+2*i:]))
		if off < index || off >= end {
			return db.corrupt(pg, "item %d: offset %d out of place (items end at %d)", i, off, end)
		}
		item, err := w.item(pg, i, p[off:end])
		if err != nil {
			return err
		}
		end = off
		if i%2 == 0 {
			key = item
		} else if err := w.fn(key, item); err != nil {
			return err
		}
	}
	return nil
}

// item returns the bytes of item it, the i-th of page pg: kept in the
// page, or in overflow pages.
func (w *walker) item(pg uint32, i int, it []byte) ([]byte, error) {
	db := w.db
	switch it[0] {
	case itemKeyData:
		return append([]byte(nil), it[1:]...), nil
	case itemOffPage:
		if len(it) < offPageItemSize {
			return nil, db.corrupt(pg, "item %d: big item reference is %d bytes long", i, len(it))
		}
		return w.overflow(pg, i, db.order.Uint32(it[4:]), db.order.Uint32(it[8:]))
	case itemDuplicate, itemOffDuplicate:
		return nil, fmt.Errorf("%s: page %d: item %d: duplicate keys, which are not supported", db.path, pg, i)
	case itemBlob:
		return nil, fmt.Errorf("%s: page %d: item %d: an external blob file, which is not supported", db.path, pg, i)
	}
	return nil, db.corrupt(pg, "item %d: unknown type %d", i, it[0])
}

// overflow reads the big item i of page pg: size bytes in the chain of
// overflow pages starting at next.
func (w *walker) overflow(pg uint32, i int, next, size uint32) ([]byte, error) {
	db := w.db
	room := db.pageSize - pageHeaderSize
	if int64(size) > int64(db.npages)*int64(room) {
		return nil, db.corrupt(pg, "item %d: big item of %d bytes exceeds the file", i, size)
	}
	v := make([]byte, size)
	dst := v
	for from := pg; len(dst) > 0; {
		if next == 0 {
			return nil, db.corrupt(from, "overflow chain of item %d of page %d ends %d bytes early", i, pg, len(dst))
		}
		p, err := w.read(next, &w.ovf, "overflow", pageOverflow)
		if err != nil {
			return nil, err
		}
		n := int(db.order.Uint16(p[22:]))
		if n > room || n > len(dst) {
			return nil, db.corrupt(next, "overflow page holds %d bytes, room for %d, %d left of the item", n, room, len(dst))
		}
		dst = dst[copy(dst, p[pageHeaderSize:pageHeaderSize+n]):]
		from, next = next, db.order.Uint32(p[16:])
	}
	return v, nil
}
