package bdb

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// The databases are made by Berkeley DB's own db5.3_load, and read back by
// its db5.3_dump as the oracle; the values are the headers of the real rpm
// files in the shared fixtures, rpm's Packages records, and their keys are
// rpm's: a 4-byte header number in the database's byte order.

const rhel8 = "rpm/rpmdb/rhel8-libuuid/Packages"

type record struct{ key, value []byte }

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// records reads path with Records.
func records(t testing.TB, path string) []record {
	t.Helper()
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var out []record
	if err := db.Records(func(k, v []byte) error {
		out = append(out, record{k, v})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// dump reads path with db5.3_dump, in its order (bucket by bucket, as a
// cursor walks them).
func dump(t testing.TB, path string) []record {
	t.Helper()
	out := testtool.Output(t, nil, "db5.3_dump", path)
	var recs []record
	var key []byte
	data := false
	for _, l := range strings.Split(string(out), "\n") {
		switch {
		case l == "HEADER=END":
			data = true
		case l == "DATA=END":
			data = false
		case data && strings.HasPrefix(l, " "):
			b, err := hex.DecodeString(l[1:])
			if err != nil {
				t.Fatalf("db5.3_dump %s: %v", path, err)
			}
			if key == nil {
				key = b
			} else {
				recs = append(recs, record{key, b})
				key = nil
			}
		}
	}
	return recs
}

// load makes a hash database at path with db5.3_load from recs, with
// db5.3_load's -c options (db_pagesize=512, db_lorder=4321, ...).
func load(t testing.TB, path string, recs []record, opts ...string) {
	t.Helper()
	testtool.Need(t, "db5.3_load")
	var in bytes.Buffer
	in.WriteString("VERSION=3\nformat=bytevalue\ntype=hash\nHEADER=END\n")
	for _, r := range recs {
		fmt.Fprintf(&in, " %x\n %x\n", r.key, r.value)
	}
	in.WriteString("DATA=END\n")
	args := []string{"-t", "hash"}
	for _, o := range opts {
		args = append(args, "-c", o)
	}
	cmd := exec.Command("db5.3_load", append(args, path)...)
	cmd.Stdin = &in
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("db5.3_load %v: %v\n%s", opts, err, out)
	}
}

// rpmHeaders returns the main header of each rpm file of the shared
// fixtures as rpm's database stores it: without the header's magic.
func rpmHeaders(t testing.TB) [][]byte {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(filepath.Dir(testtool.Fixture(t, "rpm/packages/el")), "*", "*.rpm"))
	if len(files) == 0 {
		t.Fatal("no rpm files in the fixtures")
	}
	var out [][]byte
	for _, f := range files {
		out = append(out, mainHeader(t, f))
	}
	return out
}

// mainHeader reads the main header of an rpm file: after the 96-byte
// lead and the signature header, padded to 8 bytes.
func mainHeader(t testing.TB, path string) []byte {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	size := func(off int) int { // of the header at off, with its magic
		return 16 + 16*int(binary.BigEndian.Uint32(b[off+8:])) + int(binary.BigEndian.Uint32(b[off+12:]))
	}
	main := 96 + size(96)
	main += (8 - main%8) % 8
	return b[main+8 : main+size(main)]
}

// rpmRecords are the records of an rpm Packages database of headers:
// header numbers from 1, and at key 0 the next number to give.
func rpmRecords(order binary.AppendByteOrder, headers [][]byte) []record {
	recs := []record{{order.AppendUint32(nil, 0), order.AppendUint32(nil, uint32(len(headers)+1))}}
	for i, h := range headers {
		recs = append(recs, record{order.AppendUint32(nil, uint32(i+1)), h})
	}
	return recs
}

// manyRecords are n records of keys and values of every size from 0 to
// 3 pages of 512 bytes, so that buckets split, chains grow and big keys
// and values go to overflow pages.
func manyRecords(n int) []record {
	var recs []record
	for i := range n {
		k := fmt.Appendf(nil, "key-%d-", i)
		k = append(k, bytes.Repeat([]byte{byte(i)}, i*7%1600)...)
		v := bytes.Repeat([]byte{byte(i * 3)}, i*13%1700)
		recs = append(recs, record{k, v})
	}
	return recs
}

// TestRecordsMatchDbDump: every record, in the order db5.3_dump walks
// them, of the real RHEL 8 database and of databases db5.3_load made in
// both byte orders and several page sizes.
func TestRecordsMatchDbDump(t *testing.T) {
	testtool.Need(t, "db5.3_load", "db5.3_dump")
	dir := t.TempDir()
	t.Run("rhel8", func(t *testing.T) {
		path := testtool.Fixture(t, rhel8)
		got := compare(t, path)
		if len(got) != 2 || string(got[1].value[:4]) != "\x00\x00\x00\x4c" {
			t.Errorf("want key 0 and libuuid's header; got %d records", len(got))
		}
	})
	headers := rpmHeaders(t)
	for _, c := range []struct {
		name  string
		order interface {
			binary.ByteOrder
			binary.AppendByteOrder
		}
		opts []string
	}{
		{"little-endian", binary.LittleEndian, []string{"db_lorder=1234"}},
		{"big-endian", binary.BigEndian, []string{"db_lorder=4321"}},
		{"512-byte pages", binary.LittleEndian, []string{"db_pagesize=512"}},
		{"big-endian 512-byte pages", binary.BigEndian, []string{"db_pagesize=512", "db_lorder=4321"}},
		{"64k pages", binary.LittleEndian, []string{"db_pagesize=65536"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "-")+".db")
			recs := append(rpmRecords(c.order, headers), manyRecords(1200)...)
			load(t, path, recs, c.opts...)
			got := compare(t, path)
			if len(got) != len(recs) {
				t.Errorf("%d records, loaded %d", len(got), len(recs))
			}
			db := must(Open(path))
			defer db.Close()
			if db.ByteOrder().String() != c.order.String() {
				t.Errorf("byte order %v, want %v", db.ByteOrder(), c.order)
			}
		})
	}
}

// compare checks Records of path against db5.3_dump and returns them.
func compare(t *testing.T, path string) []record {
	t.Helper()
	want, got := dump(t, path), records(t, path)
	if !slices.EqualFunc(want, got, func(a, b record) bool {
		return bytes.Equal(a.key, b.key) && bytes.Equal(a.value, b.value)
	}) {
		t.Errorf("%s: %d records differ from db5.3_dump's %d", path, len(got), len(want))
		for i := range min(len(want), len(got)) {
			if !bytes.Equal(want[i].key, got[i].key) || !bytes.Equal(want[i].value, got[i].value) {
				t.Fatalf("first difference at record %d: key %.40x (%d bytes), want %.40x (%d bytes)",
					i, got[i].key, len(got[i].value), want[i].key, len(want[i].value))
			}
		}
	}
	return got
}

func TestRefused(t *testing.T) {
	testtool.Need(t, "db5.3_load")
	dir := t.TempDir()
	recs := []record{{[]byte("a"), []byte("1")}, {[]byte("a"), []byte("2")}}
	for _, c := range []struct {
		name, want string
		typ        string
		opts       []string
	}{
		{"duplicates", "item 1: duplicate keys, which are not supported", "hash", []string{"duplicates=1"}},
		{"checksums", "database has page checksums", "hash", []string{"chksum=1"}},
		{"btree", "not a Berkeley DB hash database", "btree", nil},
	} {
		path := filepath.Join(dir, c.name+".db")
		var in bytes.Buffer
		fmt.Fprintf(&in, "VERSION=3\nformat=bytevalue\ntype=%s\nHEADER=END\n", c.typ)
		for _, r := range recs {
			fmt.Fprintf(&in, " %x\n %x\n", r.key, r.value)
		}
		in.WriteString("DATA=END\n")
		args := []string{"-t", c.typ}
		for _, o := range c.opts {
			args = append(args, "-c", o)
		}
		cmd := exec.Command("db5.3_load", append(args, path)...)
		cmd.Stdin = &in
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("db5.3_load: %v\n%s", err, out)
		}
		db, err := Open(path)
		if err == nil {
			err = db.Records(func(k, v []byte) error { return nil })
			db.Close()
		}
		if err == nil || !strings.HasPrefix(err.Error(), path+": ") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %s", c.name, err, c.want)
		}
	}
}

// page is what a test needs to know of a page of a database made by
// db5.3_load: its number, type and first item.
type page struct {
	pg, next uint32
	typ      byte
	item     []byte
}

// pages lists the pages of the little-endian database b.
func pages(b []byte, size int) []page {
	var out []page
	for pg := 1; (pg+1)*size <= len(b); pg++ {
		p := b[pg*size : (pg+1)*size]
		q := page{pg: uint32(pg), next: binary.LittleEndian.Uint32(p[16:]), typ: p[25]}
		if q.typ == pageHash && binary.LittleEndian.Uint16(p[20:]) > 0 {
			q.item = p[binary.LittleEndian.Uint16(p[26:]):]
		}
		out = append(out, q)
	}
	return out
}

// TestCorrupt breaks a database db5.3_load made where its pages say.
func TestCorrupt(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.db")
	load(t, good, manyRecords(200), "db_pagesize=512", "db_lorder=1234")
	orig := must(os.ReadFile(good))
	const size = 512
	var hash, big, ovf page // a hash page, one with a big item first, an overflow page with a next
	for _, p := range pages(orig, size) {
		switch {
		case p.typ == pageHash && hash.pg == 0:
			hash = p
		case p.typ == pageHash && p.item != nil && p.item[0] == itemOffPage && big.pg == 0:
			big = p
		case p.typ == pageOverflow && p.next != 0 && ovf.pg == 0:
			ovf = p
		}
	}
	if hash.pg == 0 || big.pg == 0 || ovf.pg == 0 {
		t.Fatalf("pages not found: hash %d, big item %d, overflow %d", hash.pg, big.pg, ovf.pg)
	}
	at := func(pg uint32) int { return int(pg) * size }
	item := func(p page) int { return at(p.pg) + int(binary.LittleEndian.Uint16(orig[at(p.pg)+26:])) }
	last := uint32(len(orig)/size - 1)
	for _, c := range []struct {
		name  string
		edit  func(b []byte) []byte
		page  uint32
		error string
	}{
		{"truncated", func(b []byte) []byte { return b[:len(b)/2] }, uint32(len(orig) / 2 / size), "past the end of the file"},
		{"overflow loop", func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[at(ovf.pg)+16:], ovf.pg)
			return b
		}, ovf.pg, "overflow chain loops"},
		{"overflow chain short", func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[at(ovf.pg)+16:], 0)
			return b
		}, ovf.pg, "overflow chain of item"},
		{"big item out of range", func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[item(big)+4:], 1<<30)
			return b
		}, 1 << 30, "overflow page out of range"},
		{"big item too big", func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[item(big)+8:], 1<<31)
			return b
		}, big.pg, "item 0: big item of 2147483648 bytes exceeds the file"},
		{"hash chain out of range", func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[at(hash.pg)+16:], last+1)
			return b
		}, last + 1, "hash page out of range"},
		{"hash chain loop", func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[at(hash.pg)+16:], hash.pg)
			return b
		}, hash.pg, "hash chain loops"},
		{"item offset", func(b []byte) []byte {
			binary.LittleEndian.PutUint16(b[at(hash.pg)+26:], 0xffff)
			return b
		}, hash.pg, "item 0: offset 65535 out of place"},
		{"odd entries", func(b []byte) []byte {
			binary.LittleEndian.PutUint16(b[at(hash.pg)+20:], 3)
			return b
		}, hash.pg, "3 entries do not make pairs"},
		{"page type", func(b []byte) []byte {
			b[at(ovf.pg)+25] = pageHash
			return b
		}, ovf.pg, "page of type 13 in the overflow chain"},
		{"page number", func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[at(hash.pg)+8:], 7777)
			return b
		}, hash.pg, "hash page says it is page 7777"},
		{"buckets", func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[72:], 1<<31)
			return b
		}, 0, "2147483649 buckets do not fit"},
		{"spares", func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[96:], 1<<31)
			return b
		}, 1 << 31, "bucket 0: page out of range"},
	} {
		path := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "-")+".db")
		if err := os.WriteFile(path, c.edit(bytes.Clone(orig)), 0o644); err != nil {
			t.Fatal(err)
		}
		db, err := Open(path)
		if err == nil {
			err = db.Records(func(k, v []byte) error { return nil })
			db.Close()
		}
		var ce *CorruptError
		if want := fmt.Sprintf("%s: page %d: %s", path, c.page, c.error); err == nil || !strings.HasPrefix(err.Error(), want) || !errors.As(err, &ce) || ce.Page != c.page {
			t.Errorf("%s: got %v, want %s", c.name, err, want)
		}
	}
}

// FuzzRecords checks that no input makes the reader panic or hang, and
// that every error names the file. The seeds are the RHEL 8 database and
// small ones db5.3_load made (testdata/mkseeds.sh).
func FuzzRecords(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.db")
	seeds = append(seeds, testtool.Fixture(f, rhel8))
	for _, s := range seeds {
		f.Add(must(os.ReadFile(s)))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		done := make(chan error, 1)
		go func() {
			db, err := newDB("fuzz.db", bytes.NewReader(data), int64(len(data)))
			if err == nil {
				err = db.Records(func(k, v []byte) error { return nil })
			}
			done <- err
		}()
		select {
		case err := <-done:
			if err != nil && !strings.HasPrefix(err.Error(), "fuzz.db: ") {
				t.Errorf("error does not start with the path: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("hangs")
		}
	})
}

func BenchmarkRecords(b *testing.B) {
	path := testtool.Fixture(b, rhel8)
	for b.Loop() {
		n := 0
		db := must(Open(path))
		if err := db.Records(func(k, v []byte) error { n += len(v); return nil }); err != nil {
			b.Fatal(err)
		}
		db.Close()
		if n == 0 {
			b.Fatal("no values")
		}
	}
}
