// Package ndb reads the package headers stored in rpm's own "ndb" database,
// Packages.db, as SUSE's rpm keeps it (SLES 15, openSUSE Leap 15). It reads
// without cgo and never writes. The format is the one rpm's
// lib/backend/ndb/rpmpkg.c writes; in short:
//
// Numbers are little-endian 32-bit words, and the file is made of 16-byte
// blocks. It begins with slot pages of 4096 bytes. The first 32 bytes of
// page 0 are the file header: "RpmP", format version 0, a generation count
// that every write bumps, the number of slot pages, and the next package
// index rpm will hand out. The rest of the slot pages is an array of 16-byte
// slots: "Slot", package index, first block of the package's blob, length of
// the blob in blocks. A slot whose first block is 0 is free. Blobs lie after
// the slot pages. A blob has a 16-byte head ("BlbS", package index, the time
// it was written, payload length), the payload (the package's header, as rpm
// stores it in every database: index count, data length, index, data), zero
// padding to the next block, and a 12-byte tail: the Adler-32 of everything
// from the head through the padding, the payload length again, "BlbE".
//
// Everything is checked before it is trusted: slots point past the slot
// pages and inside the file, two blobs never share a block, a blob's head
// and tail agree with its slot and with each other, and its Adler-32
// matches (rpm itself skips that check when it reads). Nothing is allocated
// from a size the file claims before that size is checked against the
// file's. Errors are *Error values naming the file, the slot and the byte
// offset.
//
// The index file beside Packages.db (Index.db) only speeds up rpm's
// look-ups and is not read. rpm can be built to LZO-compress blobs; such a
// database (never seen in a distribution) gives payloads that are not
// headers, and the caller's header parser says so.
package ndb

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/adler32"
	"io"
	"os"
	"slices"

	"golang.org/x/sys/unix"
)

// Magic is how an ndb database begins.
const Magic = "RpmP"

const (
	blockSize  = 16
	pageSize   = 4096
	headerSize = 32 // the file header, in place of page 0's first two slots
	slotSize   = 16
	blobHead   = 16
	blobTail   = 12
)

// Error is a damaged database: what is wrong, and where.
type Error struct {
	File   string
	Slot   int   // the slot involved (its byte offset / 16, as rpm numbers them), or -1
	Offset int64 // byte offset in File of what is wrong
	Reason string
}

func (e *Error) Error() string {
	if e.Slot < 0 {
		return fmt.Sprintf("%s: offset %d: %s", e.File, e.Offset, e.Reason)
	}
	return fmt.Sprintf("%s: slot %d, offset %d: %s", e.File, e.Slot, e.Offset, e.Reason)
}

// slot is a used slot: where its package's blob lies.
type slot struct {
	number int
	pkg    uint32
	off    int64 // the blob's first byte
	size   int64 // the blob's length, head to tail
}

// DB is an open database.
type DB struct {
	file  string
	r     io.ReaderAt
	size  int64
	slots []slot // by package index
}

// Open reads the slot pages of file and keeps it open, holding a shared
// lock on it as rpm does while it reads: rpm writes a blob and then its
// slot under an exclusive one, so no half-written package is seen.
func Open(file string) (*DB, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	// A filesystem without locks (NFS without lockd) is read unlocked
	// rather than not at all.
	if err := unix.Flock(int(f.Fd()), unix.LOCK_SH); err != nil && !errors.Is(err, unix.ENOLCK) && !errors.Is(err, unix.EOPNOTSUPP) {
		f.Close()
		return nil, fmt.Errorf("%s: lock: %w", file, err)
	}
	fi, err := f.Stat()
	var d *DB
	if err == nil {
		d, err = newDB(file, f, fi.Size())
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return d, nil
}

// Close closes the file, which releases the lock.
func (d *DB) Close() error {
	if c, ok := d.r.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

// Len is the number of packages.
func (d *DB) Len() int { return len(d.slots) }

// Headers calls fn with each package's index and header, in the order of
// package indexes (the order rpm installed them in), until fn returns an
// error. Each header is read and checked just before fn sees it, into a
// buffer of its own.
func (d *DB) Headers(fn func(pkg uint32, header []byte) error) error {
	for _, s := range d.slots {
		h, err := d.blob(s)
		if err != nil {
			return err
		}
		if err := fn(s.pkg, h); err != nil {
			return err
		}
	}
	return nil
}

func le32(b []byte) uint32 { return binary.LittleEndian.Uint32(b) }

// newDB checks the file header of the size-byte database r and reads its
// slots.
func newDB(file string, r io.ReaderAt, size int64) (*DB, error) {
	d := &DB{file: file, r: r, size: size}
	var h [headerSize]byte
	if _, err := r.ReadAt(h[:], 0); err != nil {
		return nil, d.fail(-1, 0, "shorter than the %d-byte file header (%d bytes)", headerSize, size)
	}
	if string(h[:4]) != Magic {
		return nil, d.fail(-1, 0, "not an rpm ndb database (magic %q)", h[:4])
	}
	if v := le32(h[4:]); v != 0 {
		return nil, d.fail(-1, 4, "format version %d; only 0 is known", v)
	}
	if size%blockSize != 0 {
		return nil, d.fail(-1, size, "file size %d is not a whole number of %d-byte blocks: truncated", size, blockSize)
	}
	pages := int64(le32(h[12:]))
	if pages == 0 || pages*pageSize > size {
		return nil, d.fail(-1, 12, "%d slot pages of %d bytes do not fit in the %d-byte file", pages, pageSize, size)
	}
	if err := d.readSlots(pages); err != nil {
		return nil, err
	}
	if err := d.checkOverlaps(); err != nil {
		return nil, err
	}
	slices.SortStableFunc(d.slots, func(a, b slot) int { return cmp.Compare(a.pkg, b.pkg) })
	for i := 1; i < len(d.slots); i++ {
		if a, b := d.slots[i-1], d.slots[i]; a.pkg == b.pkg {
			return nil, d.fail(b.number, int64(b.number)*slotSize, "package index %d is also in slot %d", b.pkg, a.number)
		}
	}
	return d, nil
}

// readSlots reads the slot pages, one page at a time, keeping the used
// slots.
func (d *DB) readSlots(pages int64) error {
	page := make([]byte, pageSize)
	for p := range pages {
		if _, err := d.r.ReadAt(page, p*pageSize); err != nil {
			return d.fail(-1, p*pageSize, "slot page %d: %v", p, err)
		}
		start := 0
		if p == 0 {
			start = headerSize
		}
		for o := start; o < pageSize; o += slotSize {
			n := int((p*pageSize + int64(o)) / slotSize)
			s, used, err := d.parseSlot(n, page[o:o+slotSize], pages)
			if err != nil {
				return err
			}
			if used {
				d.slots = append(d.slots, s)
			}
		}
	}
	return nil
}

// parseSlot checks slot n, b, against the file: its blob must lie after
// the slot pages and end inside the file.
func (d *DB) parseSlot(n int, b []byte, pages int64) (slot, bool, error) {
	at := int64(n) * slotSize
	if string(b[:4]) != "Slot" {
		return slot{}, false, d.fail(n, at, "bad slot magic %q", b[:4])
	}
	pkg, blk, cnt := le32(b[4:]), int64(le32(b[8:])), int64(le32(b[12:]))
	if blk == 0 {
		return slot{}, false, nil // free
	}
	s := slot{number: n, pkg: pkg, off: blk * blockSize, size: cnt * blockSize}
	switch {
	case pkg == 0:
		return s, false, d.fail(n, at, "package index 0")
	case s.size < blobHead+blobTail:
		return s, false, d.fail(n, at, "blob of %d blocks is too short for a blob's head and tail", cnt)
	case s.off < pages*pageSize:
		return s, false, d.fail(n, at, "blob at offset %d lies inside the %d slot pages", s.off, pages)
	case s.off+s.size > d.size:
		return s, false, d.fail(n, at, "blob at offset %d, %d bytes long, runs past the end of the %d-byte file", s.off, s.size, d.size)
	}
	return s, true, nil
}

// checkOverlaps makes sure no two slots claim the same blocks.
func (d *DB) checkOverlaps() error {
	slices.SortStableFunc(d.slots, func(a, b slot) int { return cmp.Compare(a.off, b.off) })
	for i := 1; i < len(d.slots); i++ {
		if a, b := d.slots[i-1], d.slots[i]; a.off+a.size > b.off {
			return d.fail(b.number, b.off, "blob overlaps slot %d's blob at offset %d", a.number, a.off)
		}
	}
	return nil
}

// blob reads and checks the blob of s, returning its payload.
func (d *DB) blob(s slot) ([]byte, error) {
	b := make([]byte, s.size) // s.size is inside the file: parseSlot checked it
	if _, err := d.r.ReadAt(b, s.off); err != nil {
		return nil, d.fail(s.number, s.off, "package %d: reading its blob: %v", s.pkg, err)
	}
	if string(b[:4]) != "BlbS" {
		return nil, d.fail(s.number, s.off, "package %d: bad blob magic %q", s.pkg, b[:4])
	}
	if pkg := le32(b[4:]); pkg != s.pkg {
		return nil, d.fail(s.number, s.off+4, "blob of package %d where the slot says package %d", pkg, s.pkg)
	}
	n := int64(le32(b[12:]))
	if want := (blobHead + n + blobTail + blockSize - 1) / blockSize * blockSize; want != s.size {
		return nil, d.fail(s.number, s.off+12, "package %d: payload of %d bytes needs a %d-byte blob, the slot gives %d", s.pkg, n, want, s.size)
	}
	tail := b[len(b)-blobTail:]
	if string(tail[8:]) != "BlbE" {
		return nil, d.fail(s.number, s.off+s.size-4, "package %d: bad blob tail magic %q", s.pkg, tail[8:])
	}
	if m := int64(le32(tail[4:])); m != n {
		return nil, d.fail(s.number, s.off+s.size-8, "package %d: blob tail says %d bytes, its head %d", s.pkg, m, n)
	}
	if sum, want := adler32.Checksum(b[:len(b)-blobTail]), le32(tail); sum != want {
		return nil, d.fail(s.number, s.off, "package %d: blob checksum is %#08x, its tail says %#08x", s.pkg, sum, want)
	}
	return b[blobHead : blobHead+n], nil
}

func (d *DB) fail(slot int, off int64, format string, args ...any) error {
	return &Error{File: d.file, Slot: slot, Offset: off, Reason: fmt.Sprintf(format, args...)}
}
