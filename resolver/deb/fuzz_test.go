package deb

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/deb822"
	"github.com/supermin-compile/supermin-compile/internal/decompress"
	"github.com/supermin-compile/supermin-compile/internal/members"
	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

var indexSeed = `Package: 0ad
Version: 0.0.26-3
Architecture: amd64
Depends: 0ad-data (>= 0.0.26), libc6 (>= 2.34)
Pre-Depends: dpkg (>= 1.15.6~)
Description: Real-time strategy game of ancient warfare
Tag: game::strategy, interface::graphical,
 uitoolkit::sdl
Filename: pool/main/0/0ad/0ad_0.0.26-3_amd64.deb
Size: 7891488
SHA256: 3a2118df47bf3f04285649f0455c2fc6fe2dc7f0b237073038aa00af41f0d5f2

Package: libc6
Version: 2.36-9+deb12u4
Architecture: amd64
Multi-Arch: same
Provides: libc-abi (= 2.36-9)
Filename: pool/main/g/glibc/libc6_2.36-9+deb12u4_amd64.deb
`

// FuzzParagraphs: any bytes parse or fail with an error, never panic, and
// every package built has what the resolver relies on.
func FuzzParagraphs(f *testing.F) {
	f.Add([]byte(indexSeed))
	f.Add([]byte("Package: a\n continued\n\n\n \t\nVersion:\nArchitecture: all\nSize: -1\n"))
	f.Add([]byte("package: x\nversion: 1\narchitecture: all\nfilename: ../x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		b := newBuilder()
		_ = deb822.Parse(bytes.NewReader(data), newFieldParagraph(), func(p *deb822.Paragraph) error {
			var it item
			if err := b.build(p, &it); err != nil {
				return err
			}
			if it.pkg.Name == "" || it.pkg.Version == "" || it.pkg.Arch == "" ||
				strings.ContainsAny(it.pkg.Depends+it.pkg.Provides, "\n") {
				t.Fatalf("bad package %+v from %q", it.pkg, data)
			}
			return nil
		})
	})
}

// FuzzDebArchive: any bytes as a .deb open or fail with an error; when
// one opens, listing and reading its data.tar do not panic either, and
// every entry path is absolute and clean, and an input allocates boundedly.
func FuzzDebArchive(f *testing.F) {
	dir := mkdebs(f)
	debs, _ := filepath.Glob(filepath.Join(dir, "*.deb"))
	for _, d := range debs {
		if data, err := os.ReadFile(d); err == nil && len(data) < 64<<10 {
			f.Add(data)
		}
	}
	f.Add([]byte("!<arch>\ndebian-binary   0           0     0     100644  4         `\n2.0\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, _, err := readDeb(bytes.NewReader(data), int64(len(data)), newBuilder()); err != nil {
			return
		}
		file := filepath.Join(t.TempDir(), "x.deb")
		os.WriteFile(file, data, 0o644)
		df, _, err := openDeb(file, newBuilder())
		if err != nil {
			t.Fatalf("readDeb accepted what openDeb refuses: %v", err)
		}
		a := &archive{deb: df, cache: members.NewCache()}
		defer a.cache.Close()
		defer testtool.AllocsUnder(t, 2*members.MaxListing+4*decompress.MaxWindow)()
		entries, err := a.list()
		if err != nil {
			return
		}
		for _, e := range entries {
			if !strings.HasPrefix(e.Path, "/") || filepath.Clean(e.Path) != e.Path {
				t.Fatalf("entry path %q", e.Path)
			}
			if e.Src != nil {
				if r, err := e.Src.Open(); err == nil {
					io.Copy(io.Discard, io.LimitReader(r, 1<<20))
					r.Close()
				}
			}
		}
	})
}
