package ndb

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

const fixture = "rpm/rpmdb/sle15-bci/Packages.db"

func readFixture(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile(testtool.Fixture(t, fixture))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestHeaders reads the SLE 15 BCI database: as many packages as rpm -qa
// listed on that system (packages.csv), each a whole rpm header (its index
// count and data length add up to the payload's length), in increasing
// package index.
func TestHeaders(t *testing.T) {
	file := testtool.Fixture(t, fixture)
	csv, err := os.ReadFile(filepath.Join(filepath.Dir(file), "packages.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows := len(strings.Split(strings.TrimSpace(string(csv)), "\n"))
	d, err := Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if d.Len() != rows {
		t.Errorf("%d packages, packages.csv lists %d", d.Len(), rows)
	}
	var pkgs []uint32
	err = d.Headers(func(pkg uint32, h []byte) error {
		pkgs = append(pkgs, pkg)
		il, dl := binary.BigEndian.Uint32(h), binary.BigEndian.Uint32(h[4:])
		if n := 8 + 16*uint64(il) + uint64(dl); n != uint64(len(h)) {
			t.Errorf("package %d: header of %d index entries and %d data bytes is %d bytes, the blob holds %d", pkg, il, dl, n, len(h))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) != rows || !slices.IsSorted(pkgs) {
		t.Errorf("package indexes %v", pkgs)
	}
}

// TestDamaged: each way of breaking the real database gives an *Error that
// names the file, and the slot and offset where it went wrong.
func TestDamaged(t *testing.T) {
	orig := readFixture(t)
	s2, last := slotAt(orig, 2), lastSlot(orig)
	tests := []struct {
		name   string
		damage func(b []byte) []byte
		slot   int
		reason string
	}{
		{"empty", func(b []byte) []byte { return nil }, -1, "shorter than the 32-byte file header"},
		{"not ndb", func(b []byte) []byte { return []byte("SQLite format 3\x00" + strings.Repeat("\x00", 100)) }, -1, "not an rpm ndb database"},
		{"version", func(b []byte) []byte { b[4] = 1; return b }, -1, "format version 1"},
		{"truncated in the slot pages", func(b []byte) []byte { return b[:2048] }, -1, "do not fit in the 2048-byte file"},
		{"truncated mid-block", func(b []byte) []byte { return b[:len(b)-5] }, -1, "truncated"},
		{"truncated mid-blob", func(b []byte) []byte { return b[:last.off+16] }, last.number, "runs past the end"},
		{"slot pages claimed", func(b []byte) []byte { put(b, 12, 0xffffffff); return b }, -1, "4294967295 slot pages"},
		{"slot magic", func(b []byte) []byte { copy(b[2*16:], "Slob"); return b }, 2, `bad slot magic "Slob"`},
		{"slot outside the file", func(b []byte) []byte { put(b, 2*16+8, 0x7fffffff); return b }, 2, "runs past the end"},
		{"slot in the slot pages", func(b []byte) []byte { put(b, 2*16+8, 1); return b }, 2, "inside the 1 slot pages"},
		{"slot too short", func(b []byte) []byte { put(b, 2*16+12, 1); return b }, 2, "too short"},
		{"slot package 0", func(b []byte) []byte { put(b, 2*16+4, 0); return b }, 2, "package index 0"},
		{"slots overlap", func(b []byte) []byte { copy(b[3*16+8:], b[2*16+8:2*16+16]); return b }, 3, "overlaps slot 2's blob"},
		{"package twice", func(b []byte) []byte { copy(b[3*16+4:], b[2*16+4:2*16+8]); return b }, 3, "also in slot 2"},
		{"blob magic", func(b []byte) []byte { b[s2.off] = 'X'; return b }, 2, `bad blob magic "XlbS"`},
		{"blob package", func(b []byte) []byte { put(b, s2.off+4, 77); return b }, 2, "blob of package 77"},
		{"blob length", func(b []byte) []byte { put(b, s2.off+12, 0xfffffff0); return b }, 2, "needs a"},
		{"blob tail magic", func(b []byte) []byte { b[s2.off+s2.size-1] = 'X'; return b }, 2, "bad blob tail magic"},
		{"blob tail length", func(b []byte) []byte { put(b, s2.off+s2.size-8, 5); return b }, 2, "tail says 5 bytes"},
		{"blob checksum", func(b []byte) []byte { b[s2.off+100] ^= 1; return b }, 2, "checksum"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "Packages.db")
			if err := os.WriteFile(file, tt.damage(slices.Clone(orig)), 0o644); err != nil {
				t.Fatal(err)
			}
			err := readAll(file)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("got %v, want an *ndb.Error", err)
			}
			if e.File != file || e.Slot != tt.slot || !strings.Contains(e.Reason, tt.reason) || !strings.HasPrefix(err.Error(), file+": ") {
				t.Errorf("got %q (slot %d), want slot %d and %q", err, e.Slot, tt.slot, tt.reason)
			}
			if e.Offset < 0 || e.Offset > int64(len(orig)) {
				t.Errorf("offset %d outside the file", e.Offset)
			}
		})
	}
}

func readAll(file string) error {
	d, err := Open(file)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Headers(func(uint32, []byte) error { return nil })
}

func put(b []byte, off int64, v uint32) { binary.LittleEndian.PutUint32(b[off:], v) }

// slotAt decodes slot n of the first slot page of b.
func slotAt(b []byte, n int) slot {
	s := b[n*slotSize:]
	return slot{number: n, pkg: le32(s[4:]), off: int64(le32(s[8:])) * blockSize, size: int64(le32(s[12:])) * blockSize}
}

// lastSlot is the slot whose blob ends the file.
func lastSlot(b []byte) slot {
	last := slot{}
	for n := headerSize / slotSize; n < pageSize/slotSize; n++ {
		if s := slotAt(b, n); s.off > last.off {
			last = s
		}
	}
	return last
}

// head cuts the real database down to the blobs that end at or before
// end, freeing the slots of the others: a small real seed.
func head(b []byte, blobs int) []byte {
	var ends []int64
	for n := headerSize / slotSize; n < pageSize/slotSize; n++ {
		if s := slotAt(b, n); s.off > 0 {
			ends = append(ends, s.off+s.size)
		}
	}
	slices.Sort(ends)
	end := ends[blobs-1]
	b = slices.Clone(b[:end])
	for n := headerSize / slotSize; n < pageSize/slotSize; n++ {
		if s := slotAt(b, n); s.off+s.size > end {
			clear(b[n*slotSize+4 : n*slotSize+16])
		}
	}
	return b
}

// FuzzOpen: whatever the bytes, an *Error naming the file or the
// headers, no panic, no hang, and no allocation beyond a few times the
// input's size.
func FuzzOpen(f *testing.F) {
	b := readFixture(f)
	f.Add(head(b, 1))
	f.Add(head(b, 3))
	f.Add(b)
	f.Fuzz(func(t *testing.T, data []byte) {
		done := make(chan error, 1)
		check := testtool.AllocsUnder(t, 8*uint64(len(data))+1<<20)
		go func() {
			d, err := newDB("fuzz.db", bytes.NewReader(data), int64(len(data)))
			if err == nil {
				err = d.Headers(func(uint32, []byte) error { return nil })
			}
			done <- err
		}()
		select {
		case err := <-done:
			var e *Error
			if err != nil && (!errors.As(err, &e) || e.File != "fuzz.db") {
				t.Errorf("error is not an *Error naming the file: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("hangs")
		}
		check()
	})
}
