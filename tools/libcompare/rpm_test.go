package libcompare

import (
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	rpmutils "github.com/sassoftware/go-rpmutils"

	"github.com/supermin-compile/supermin-compile/internal/sqlite"
	"github.com/supermin-compile/supermin-compile/internal/testtool"
	"github.com/supermin-compile/supermin-compile/resolver/rpm"
)

func fixtureRPMs(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(fixture(t, "rpm/packages"), "*", "*.rpm"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixture RPMs: %v", err)
	}
	return files
}

// TestRpmutilsReadsEveryFixture records what go-rpmutils gets right: for
// each fixture RPM (gzip, xz, lzma and zstd payloads, i386 to noarch,
// source packages), the header's file list equals `rpm -qpl` and the
// payload has as many members as `rpm2cpio | cpio -it` lists.
func TestRpmutilsReadsEveryFixture(t *testing.T) {
	testtool.Need(t, "rpm", "rpm2cpio", "cpio")
	for _, file := range fixtureRPMs(t) {
		t.Run(filepath.Base(file), func(t *testing.T) {
			names, members, err := rpmutilsRead(file)
			if err != nil {
				t.Fatal(err)
			}
			want := lines(testtool.Output(t, nil, "rpm", "-qpl", "--nosignature", file))
			if want[0] == "(contains no files)" {
				want = nil
			}
			if d := testtool.LineDiff(want, names); d != "" {
				t.Errorf("file list (- rpm, + go-rpmutils):\n%s", d)
			}
			cpioList := testtool.Output(t, nil, "sh", "-c", `rpm2cpio "$1" | cpio --quiet -it`, "sh", file)
			if n := len(lines(cpioList)); n != members {
				t.Errorf("payload: go-rpmutils read %d members, cpio lists %d", members, n)
			}
		})
	}
}

func lines(b []byte) []string {
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

// rpmutilsRead reads file's header file list and every payload member's
// bytes with go-rpmutils.
func rpmutilsRead(file string) (names []string, members int, err error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	r, err := rpmutils.ReadRpm(f)
	if err != nil {
		return nil, 0, err
	}
	files, err := r.Header.GetFiles()
	if err != nil {
		return nil, 0, err
	}
	for _, fi := range files {
		names = append(names, fi.Name())
	}
	pr, err := r.PayloadReaderExtended()
	if err != nil {
		return nil, 0, err
	}
	for {
		if _, err := pr.Next(); err == io.EOF {
			return names, members, nil
		} else if err != nil {
			return nil, 0, err
		}
		if _, err := io.Copy(io.Discard, pr); err != nil {
			return nil, 0, err
		}
		members++
	}
}

// TestRpmutilsCannotReadDatabaseHeaders: the rpm database stores each
// package's header without the lead and the header magic. Our one header
// parser reads both; go-rpmutils only reads .rpm files, so adopting it
// would keep our parser for the database and add a second one.
func TestRpmutilsCannotReadDatabaseHeaders(t *testing.T) {
	dir := copyFixtureDB(t)
	db, err := sqlite.Open(filepath.Join(dir, "rpmdb.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var blobs, refused int
	err = db.Rows("Packages", func(_ int64, v []any) error {
		blob, _ := v[1].([]byte)
		blobs++
		if _, err := rpmutils.ReadHeader(bytes.NewReader(blob)); err != nil {
			refused++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ours, err := rpm.OpenDB(dir, filepath.Join(dir, "rpmdb.sqlite"), "x86_64")
	if err != nil {
		t.Fatal(err)
	}
	if got := len(ours.Packages()); got != blobs || refused != blobs {
		t.Errorf("%d header blobs: we read %d, go-rpmutils refused %d", blobs, got, refused)
	}
	t.Logf("%d database headers: we read %d, go-rpmutils refused %d", blobs, len(ours.Packages()), refused)
}

// copyFixtureDB copies the Amazon Linux 2023 rpmdb.sqlite to a temporary
// directory, where the SQLite libraries may create their -shm file.
func copyFixtureDB(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	data, err := os.ReadFile(filepath.Join(fixture(t, "rpm/rpmdb/amazonlinux2023"), "rpmdb.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "rpmdb.sqlite"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestRpmutilsAllocatesWhatAHeaderClaims: a 4 KiB .rpm whose main header
// claims 200 MiB of data (a damaged or hostile file) costs go-rpmutils a
// 200 MiB allocation before it finds the file short; we read what is there.
func TestRpmutilsAllocatesWhatAHeaderClaims(t *testing.T) {
	file := fixtureRPMs(t)[0]
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	// The main header follows the 96-byte lead and the signature header,
	// padded to 8 bytes; its data size is the word after the entry count.
	sigEntries, sigSize := binary.BigEndian.Uint32(data[96+8:]), binary.BigEndian.Uint32(data[96+12:])
	main := 96 + 16 + int(sigEntries)*16 + int(sigSize)
	main += (8 - main%8) % 8
	if !bytes.Equal(data[main:main+3], []byte{0x8e, 0xad, 0xe8}) {
		t.Fatalf("%s: no header magic at %d", file, main)
	}
	const claim = 200 << 20
	binary.BigEndian.PutUint32(data[main+12:], claim)
	bad := filepath.Join(t.TempDir(), "hostile.rpm")
	if err := os.WriteFile(bad, data[:min(len(data), main+4096)], 0o644); err != nil {
		t.Fatal(err)
	}
	theirs := allocated(func() error {
		f, err := os.Open(bad)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = rpmutils.ReadHeader(f)
		return err
	})
	ours := allocated(func() error { _, err := rpm.OpenDir(filepath.Dir(bad), "x86_64"); return err })
	t.Logf("a header claiming %d MiB: go-rpmutils allocated %d MiB, we %d KiB", claim>>20, theirs>>20, ours>>10)
	if theirs < claim || ours > 1<<20 {
		t.Errorf("go-rpmutils allocated %d bytes, we %d", theirs, ours)
	}
}

// allocated runs fn, which must fail, and returns the bytes it allocated.
func allocated(fn func() error) uint64 {
	return allocatedBy(func() {
		if fn() == nil {
			panic("a hostile header was accepted")
		}
	})
}

// BenchmarkRPMHeaders reads the metadata of every fixture RPM: names,
// versions, dependencies and file lists.
func BenchmarkRPMHeaders(b *testing.B) {
	files := fixtureRPMs(b)
	dir := filepath.Dir(filepath.Dir(files[0]))
	b.Run("ours", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			d, err := rpm.OpenDir(dir, "x86_64")
			if err != nil {
				b.Fatal(err)
			}
			d.Close()
		}
	})
	b.Run("go-rpmutils", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, file := range files {
				f, err := os.Open(file)
				if err != nil {
					b.Fatal(err)
				}
				h, err := rpmutils.ReadHeader(f)
				if err == nil {
					_, err = h.GetFiles()
				}
				for _, tag := range []int{rpmutils.REQUIRENAME, rpmutils.PROVIDENAME, rpmutils.REQUIREVERSION, rpmutils.PROVIDEVERSION} {
					if err == nil && h.HasTag(tag) {
						_, err = h.GetStrings(tag)
					}
				}
				f.Close()
				if err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

// BenchmarkRPMPayload lists the biggest fixture payload (ruby-libs, 643
// files, 11.9 MB in zstd): every member decompressed and read.
func BenchmarkRPMPayload(b *testing.B) {
	i := slices.IndexFunc(fixtureRPMs(b), func(f string) bool { return strings.Contains(f, "ruby-libs") })
	file := fixtureRPMs(b)[i]
	b.Run("ours", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			d, err := rpm.OpenFiles([]string{file}, "x86_64")
			if err != nil {
				b.Fatal(err)
			}
			if _, err := d.Entries(d.Packages()[0]); err != nil {
				b.Fatal(err)
			}
			d.Close()
		}
	})
	b.Run("go-rpmutils", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := rpmutilsRead(file); err != nil {
				b.Fatal(err)
			}
		}
	})
}
