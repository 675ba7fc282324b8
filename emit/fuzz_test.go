package emit

import (
	"archive/tar"
	"bytes"
	"os"
	"path"
	"path/filepath"
	"testing"
	"time"

	"github.com/supermin-compile/supermin-compile/internal/members"
	"github.com/supermin-compile/supermin-compile/plan"
)

// FuzzTarballLayer feeds malformed tarballs to the Plan builder: it must
// return an error or entries with clean absolute paths that merge into a
// well-formed Plan, and never panic.
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
	f.Add(buf.Bytes())
	f.Add(buf.Bytes()[:700])
	f.Add([]byte("\x1f\x8b\x08\x00garbage"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		file := filepath.Join(dir, "fuzz.tar")
		if err := os.WriteFile(file, data, 0o644); err != nil {
			t.Fatal(err)
		}
		l, err := TarballLayer(file, members.NewCache())
		if err != nil {
			return
		}
		for _, e := range l {
			if !path.IsAbs(e.Path) || path.Clean(e.Path) != e.Path {
				t.Fatalf("entry path %q is not clean and absolute", e.Path)
			}
			if e.Type == plan.Hardlink && (!path.IsAbs(e.Link) || path.Clean(e.Link) != e.Link) {
				t.Fatalf("hard link target %q is not clean and absolute", e.Link)
			}
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
	})
}
