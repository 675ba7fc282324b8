// Package sqlite reads the rows of tables in SQLite 3 database files, without
// cgo and read-only, following https://www.sqlite.org/fileformat2.html.
//
// It reads table b-trees of the main database file only: a database whose
// -wal file is not empty is refused, index b-trees are never read, and no
// locks are taken, so a writer working at the same time may be seen half-way.
// Corrupt files give errors that name the path and the page; they never
// panic or loop, since every page is read at most once per Rows call.
package sqlite

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
)

// DB is an open database file; Rows may be called from several goroutines.
type DB struct {
	path     string
	r        io.ReaderAt // an *os.File, but for fuzzing
	pageSize int
	usable   int    // page size minus the reserved bytes at the end of each page
	npages   uint32 // pages in the database
}

// Magic is how an SQLite database file begins.
const Magic = "SQLite format 3\x00"

// Open reads the database header; it keeps the file open.
func Open(path string) (*DB, error) {
	// Committed pages may live only in the WAL; reading around them would
	// give stale or inconsistent rows.
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > 0 {
		return nil, fmt.Errorf("%s: database has an un-checkpointed WAL (%s-wal), which is not read", path, path)
	}
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

// Close closes the file.
func (db *DB) Close() error {
	if c, ok := db.r.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

// newDB checks the 100-byte header of the database in r, size bytes long.
func newDB(path string, r io.ReaderAt, size int64) (*DB, error) {
	db := &DB{path: path, r: r}
	var h [100]byte
	if _, err := r.ReadAt(h[:], 0); err != nil || string(h[:len(Magic)]) != Magic {
		return nil, fmt.Errorf("%s: not a SQLite 3 database", path)
	}
	db.pageSize = int(binary.BigEndian.Uint16(h[16:]))
	if db.pageSize == 1 {
		db.pageSize = 65536
	}
	if db.pageSize < 512 || db.pageSize&(db.pageSize-1) != 0 {
		return nil, fmt.Errorf("%s: bad page size %d", path, db.pageSize)
	}
	db.usable = db.pageSize - int(h[20])
	if db.usable < 480 || h[21] != 64 || h[22] != 32 || h[23] != 32 {
		return nil, fmt.Errorf("%s: bad header (usable page size %d, payload fractions %d/%d/%d)", path, db.usable, h[21], h[22], h[23])
	}
	// 0 means not set yet: the database holds no text.
	if enc := binary.BigEndian.Uint32(h[56:]); enc > 1 {
		return nil, fmt.Errorf("%s: text encoding %d is UTF-16, only UTF-8 is supported", path, enc)
	}
	inFile := size / int64(db.pageSize)
	n := int64(binary.BigEndian.Uint32(h[28:]))
	// The header's size is valid only if written by a version that keeps
	// it up to date, which then also stamps the change counter at 92.
	if n == 0 || binary.BigEndian.Uint32(h[24:]) != binary.BigEndian.Uint32(h[92:]) {
		n = min(inFile, 1<<32-1)
	}
	if n > inFile {
		return nil, fmt.Errorf("%s: page %d: past the end of the file (truncated? the header says %d pages)", path, inFile+1, n)
	}
	db.npages = uint32(n)
	return db, nil
}

// corrupt returns an error about page pg.
func (db *DB) corrupt(pg uint32, format string, args ...any) error {
	return fmt.Errorf("%s: page %d: %s", db.path, pg, fmt.Sprintf(format, args...))
}

// walker visits the cells of one table b-tree.
type walker struct {
	db      *DB
	seen    []uint64 // bitset of pages read: a second visit means a loop
	bufs    [][]byte // one page buffer per b-tree depth, and one for overflow
	scratch []byte
	fn      func(rowid int64, values []any) error
}

// maxDepth bounds b-tree depth; SQLite itself gives up at 20.
const maxDepth = 32

// rows calls fn for each row of the table b-tree rooted at page root.
func (db *DB) rows(root uint32, fn func(int64, []any) error) error {
	w := &walker{db: db, seen: make([]uint64, db.npages/64+1), fn: fn}
	return w.walk(root, 0)
}

// read reads page pg into a reused buffer, once per walk.
func (w *walker) read(pg uint32, buf *[]byte, what string) ([]byte, error) {
	db := w.db
	if pg < 1 || pg > db.npages {
		return nil, db.corrupt(pg, "%s page out of range (database has %d pages)", what, db.npages)
	}
	if w.seen[pg/64]&(1<<(pg%64)) != 0 {
		return nil, db.corrupt(pg, "%s loops", what)
	}
	w.seen[pg/64] |= 1 << (pg % 64)
	if *buf == nil {
		*buf = make([]byte, db.pageSize)
	}
	if _, err := db.r.ReadAt(*buf, int64(pg-1)*int64(db.pageSize)); err != nil {
		return nil, db.corrupt(pg, "reading: %v", err)
	}
	return (*buf)[:db.usable], nil
}

// walk visits the cells of the b-tree page pg in key order.
func (w *walker) walk(pg uint32, depth int) error {
	if depth >= maxDepth {
		return w.db.corrupt(pg, "b-tree deeper than %d", maxDepth)
	}
	if len(w.bufs) <= depth {
		w.bufs = append(w.bufs, nil)
	}
	p, err := w.read(pg, &w.bufs[depth], "b-tree")
	if err != nil {
		return err
	}
	hdr := 0
	if pg == 1 {
		hdr = 100 // the database header comes first
	}
	var ptrs int
	switch p[hdr] {
	case 0x05:
		ptrs = hdr + 12
	case 0x0d:
		ptrs = hdr + 8
	default:
		return w.db.corrupt(pg, "not a table b-tree page (type %#x)", p[hdr])
	}
	n := int(binary.BigEndian.Uint16(p[hdr+3:]))
	cells := ptrs + 2*n
	if cells > len(p) {
		return w.db.corrupt(pg, "%d cells do not fit in the page", n)
	}
	for i := range n {
		off := int(binary.BigEndian.Uint16(p[ptrs+2*i:]))
		if off < cells || off >= len(p) {
			return w.db.corrupt(pg, "cell %d: pointer %d out of the page", i, off)
		}
		if p[hdr] == 0x0d {
			err = w.leafCell(pg, p, off)
		} else if off+4 > len(p) {
			err = w.db.corrupt(pg, "cell %d: child pointer out of the page", i)
		} else {
			err = w.walk(binary.BigEndian.Uint32(p[off:]), depth+1)
		}
		if err != nil {
			return err
		}
	}
	if p[hdr] == 0x05 {
		return w.walk(binary.BigEndian.Uint32(p[hdr+8:]), depth+1)
	}
	return nil
}

// leafCell decodes the table leaf cell at p[off:] and passes it to fn.
func (w *walker) leafCell(pg uint32, p []byte, off int) error {
	db := w.db
	size, n1 := varint(p[off:])
	rowid, n2 := varint(p[off+n1:])
	if n1 == 0 || n2 == 0 {
		return db.corrupt(pg, "cell at %d: bad varint", off)
	}
	if size > uint64(db.npages)*uint64(db.usable) {
		return db.corrupt(pg, "cell at %d: payload size %d exceeds the file", off, size)
	}
	start := off + n1 + n2
	local := db.localSize(int(size))
	end := start + local
	if end > len(p) || (local < int(size) && end+4 > len(p)) {
		return db.corrupt(pg, "cell at %d: payload runs out of the page", off)
	}
	// A fresh buffer per row: fn may keep the []byte values.
	payload := make([]byte, size)
	copy(payload, p[start:end])
	if local < int(size) {
		next := binary.BigEndian.Uint32(p[end:])
		if err := w.overflow(pg, next, payload[local:]); err != nil {
			return err
		}
	}
	values, err := decodeRecord(payload)
	if err != nil {
		return db.corrupt(pg, "cell at %d (rowid %d): %v", off, int64(rowid), err)
	}
	return w.fn(int64(rowid), values)
}

// localSize is how many of size payload bytes a table leaf cell holds in the
// page itself; the rest goes to overflow pages (fileformat2.html, 1.6).
func (db *DB) localSize(size int) int {
	u := db.usable
	x := u - 35
	if size <= x {
		return size
	}
	m := (u-12)*32/255 - 23
	if k := m + (size-m)%(u-4); k <= x {
		return k
	}
	return m
}

// overflow fills dst from the overflow chain starting at page next,
// referenced from page pg.
func (w *walker) overflow(pg, next uint32, dst []byte) error {
	for len(dst) > 0 {
		if next == 0 {
			return w.db.corrupt(pg, "overflow chain ends %d bytes early", len(dst))
		}
		p, err := w.read(next, &w.scratch, "overflow chain")
		if err != nil {
			return err
		}
		dst = dst[copy(dst, p[4:]):]
		pg, next = next, binary.BigEndian.Uint32(p)
	}
	return nil
}
