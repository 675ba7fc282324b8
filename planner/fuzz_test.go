package planner

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path"
	"path/filepath"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"

	"github.com/supermin-compile/supermin-compile/internal/decompress"
	"github.com/supermin-compile/supermin-compile/internal/members"
	"github.com/supermin-compile/supermin-compile/internal/testtool"
	"github.com/supermin-compile/supermin-compile/plan"
)

// maxFuzzAlloc bounds what one input may make the listing and reading
// allocate: what a listing may hold, twice (the slices grow by copying),
// and a few decompression windows. An allocation sized by a claim of the
// input (a member size, a dictionary) would go past it at once.
const maxFuzzAlloc = 2*members.MaxListing + 4*decompress.MaxWindow

// FuzzTarballLayer feeds malformed tarballs, plain or compressed, to the
// Plan builder: it must return an error or entries with clean absolute
// paths that merge into a well-formed Plan, whose members then read back
// exactly as large as listed; it must never panic, nor allocate more
// than maxFuzzAlloc.
func FuzzTarballLayer(f *testing.F) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, h := range []*tar.Header{
		{Name: "./etc/", Typeflag: tar.TypeDir, Mode: 0o755},
		{Name: "./etc/motd", Typeflag: tar.TypeReg, Mode: 0o644, Size: 3},
		{Name: "./etc/issue", Typeflag: tar.TypeSymlink, Linkname: "motd"},
		{Name: "./etc/hard", Typeflag: tar.TypeLink, Linkname: "./etc/motd"},
		{Name: "dev/null", Typeflag: tar.TypeChar, Devmajor: 1, Devminor: 3, Mode: 0o666},
	} {
		tw.WriteHeader(h)
		if h.Size > 0 {
			tw.Write([]byte("hi\n"))
		}
	}
	tw.Close()
	plain := buf.Bytes()
	f.Add(plain)
	f.Add(plain[:700])
	f.Add([]byte("\x1f\x8b\x08\x00garbage"))
	for _, z := range []func(io.Writer) io.WriteCloser{
		func(w io.Writer) io.WriteCloser { return gzip.NewWriter(w) },
		func(w io.Writer) io.WriteCloser { e, _ := zstd.NewWriter(w); return e },
		func(w io.Writer) io.WriteCloser { e, _ := xz.NewWriter(w); return e },
	} {
		var c bytes.Buffer
		w := z(&c)
		w.Write(plain)
		w.Close()
		f.Add(c.Bytes())
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		file := filepath.Join(dir, "fuzz.tar")
		if err := os.WriteFile(file, data, 0o644); err != nil {
			t.Fatal(err)
		}
		defer testtool.AllocsUnder(t, maxFuzzAlloc)()
		c := members.NewCache()
		defer c.Close()
		c.KeepContents()
		l, err := TarballLayer(file, c)
		if err != nil {
			return
		}
		var total int64
		for _, e := range l {
			if !path.IsAbs(e.Path) || path.Clean(e.Path) != e.Path {
				t.Fatalf("entry path %q is not clean and absolute", e.Path)
			}
			if e.Type == plan.Hardlink && (!path.IsAbs(e.Link) || path.Clean(e.Link) != e.Link) {
				t.Fatalf("hard link target %q is not clean and absolute", e.Link)
			}
			total += e.Size
		}
		p := (&Merger{Root: dir, Epoch: time.Unix(0, 0)}).Merge(l)
		if len(p.Entries) == 0 || p.Entries[0].Path != "/" {
			t.Fatalf("plan does not start with /: %v", p.Entries)
		}
		for i := 1; i < len(p.Entries); i++ {
			if p.Entries[i-1].Path >= p.Entries[i].Path {
				t.Fatalf("plan not sorted or not unique at %s", p.Entries[i].Path)
			}
		}
		if total > 16<<20 {
			return // listed, hence readable; not worth the spooling time
		}
		for _, e := range l {
			if e.Src == nil {
				continue
			}
			if err := plan.CopyData(io.Discard, &e); err != nil {
				t.Fatalf("a listed member does not read back: %v", err)
			}
		}
	})
}
