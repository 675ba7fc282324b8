package rpm

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/decompress"
	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// FuzzHeader: any bytes as an .rpm file or an rpmdb blob give metadata or
// an error, never a panic or an allocation the input does not back.
func FuzzHeader(f *testing.F) {
	for _, name := range []string{"rpm/packages/el/sblim-cim-client-javadoc-1.3.9.1-1.el6.noarch.rpm", "rpm/packages/fedora/perl-srpm-macros-1-10.fc20.noarch.rpm"} {
		b, err := os.ReadFile(testtool.Fixture(f, name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(append(append([]byte{}, leadMagic...), make([]byte, 200)...))
	f.Fuzz(func(t *testing.T, b []byte) {
		defer testtool.AllocsUnder(t, 64<<20)() // the input is at most 1 MiB
		if h, _, err := readFileHeaders(bytes.NewReader(b)); err == nil {
			readMeta(h)
		}
		if h, err := parseBlob(b); err == nil {
			readMeta(h)
		}
	})
}

// newc renders one cpio member.
func newc(name string, mode int, data string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x", 1, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name)+1, 0)
	b.WriteString(name + "\x00")
	for b.Len()%4 != 0 {
		b.WriteByte(0)
	}
	b.WriteString(data)
	for b.Len()%4 != 0 {
		b.WriteByte(0)
	}
	return b.Bytes()
}

// FuzzPayload: any bytes as a payload are read to the end or give an
// error, never a panic, allocating a few decompression windows at most.
func FuzzPayload(f *testing.F) {
	seed := append(newc("./etc/passwd", 0o100644, "root:x:0:0::/:/bin/sh\n"), newc("./usr", 0o40755, "")...)
	f.Add(append(seed, newc("TRAILER!!!", 0, "")...))
	f.Fuzz(func(t *testing.T, b []byte) {
		file := filepath.Join(t.TempDir(), "p")
		if err := os.WriteFile(file, b, 0o644); err != nil {
			t.Fatal(err)
		}
		p, err := openPayload(file, 0)
		if err != nil {
			return
		}
		defer p.Close()
		defer testtool.AllocsUnder(t, 4*decompress.MaxWindow)()
		for range 1000 {
			if _, _, err := p.Next(); err != nil {
				return
			}
			if _, err := io.Copy(io.Discard, p); err != nil {
				return
			}
		}
	})
}

// firstPackages is the start of the BaseOS primary.xml: its header and
// first two packages, closed.
func firstPackages(f *testing.F) []byte {
	rec, _ := readRepomd(f, testtool.Fixture(f, baseOS)).Record("primary")
	z, err := decompress.Open(filepath.Join(testtool.Fixture(f, baseOS), rec.Href))
	if err != nil {
		f.Fatal(err)
	}
	defer z.Close()
	b, err := io.ReadAll(io.LimitReader(z, 64<<10))
	if err != nil {
		f.Fatal(err)
	}
	end := bytes.Index(b, []byte("</package>"))
	end += bytes.Index(b[end+1:], []byte("</package>")) + 1
	return append(b[:end+len("</package>")], "\n</metadata>\n"...)
}

// FuzzPrimary: any bytes as primary.xml give packages or an error naming
// the file, never a panic or an allocation the input does not back.
func FuzzPrimary(f *testing.F) {
	f.Add(firstPackages(f))
	f.Add([]byte(`<metadata><package type="rpm"><name>a</name><arch>noarch</arch><version epoch="1" ver="1" rel="1"/>` +
		`<checksum type="sha256">` + strings.Repeat("0", 64) + `</checksum><location href="a.rpm"/>` +
		`<format><rpm:requires><rpm:entry name="(b if c)"/><rpm:entry name="d" flags="GE" ver="2"/></rpm:requires><file type="dir">/etc</file></format></package></metadata>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		defer testtool.AllocsUnder(t, 64<<20)()
		err := readPrimary(bytes.NewReader(b), "primary.xml", func(p *primaryPackage) error {
			if p.pkg.Name == "" || p.pkg.Version == "" || checkHref(p.file.Href) != nil {
				t.Fatalf("a package without a name, a version or a safe href: %+v", p.file)
			}
			return nil
		})
		if err != nil && !strings.HasPrefix(err.Error(), "primary.xml") {
			t.Fatalf("error without the file name: %v", err)
		}
	})
}

// FuzzFilelists: the same for filelists.xml.
func FuzzFilelists(f *testing.F) {
	f.Add([]byte(`<filelists><package pkgid="00" name="a" arch="x86_64"><version epoch="0" ver="1" rel="1"/><file>/usr/lib/a</file><file type="dir">/usr/lib</file></package></filelists>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		defer testtool.AllocsUnder(t, 64<<20)()
		err := readFilelists(bytes.NewReader(b), "filelists.xml", map[string]bool{"/usr/lib/a": true}, func(string, []file) error { return nil })
		if err != nil && !strings.HasPrefix(err.Error(), "filelists.xml") {
			t.Fatalf("error without the file name: %v", err)
		}
	})
}

// FuzzRepomd: any bytes as repomd.xml give records whose hrefs stay in
// the repository, or an error naming the file.
func FuzzRepomd(f *testing.F) {
	for _, dir := range []string{baseOS, appStream} {
		b, err := os.ReadFile(filepath.Join(testtool.Fixture(f, dir), "repodata/repomd.xml"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		defer testtool.AllocsUnder(t, 64<<20)()
		m, err := ParseRepomd(bytes.NewReader(b), "repomd.xml")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "repomd.xml") {
				t.Fatalf("error without the file name: %v", err)
			}
			return
		}
		for _, r := range m.Records {
			if checkHref(r.Href) != nil || r.Checksum.Value == "" {
				t.Fatalf("record %+v", r)
			}
		}
	})
}

// FuzzModules: any bytes as modules.yaml give what it hides or an error
// naming the file (YAML aliases included: a "billion laughs" is refused).
func FuzzModules(f *testing.F) {
	f.Add([]byte("---\ndocument: modulemd\nversion: 2\ndata:\n  name: a\n  stream: \"1\"\n  artifacts:\n    rpms:\n    - a-0:1-1.module_el9+1+2.x86_64\n...\n" +
		"---\ndocument: modulemd-defaults\nversion: 1\ndata:\n  module: a\n  stream: \"1\"\n...\n"))
	f.Add([]byte("a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		defer testtool.AllocsUnder(t, 64<<20)()
		if _, err := readModules(bytes.NewReader(b), "modules.yaml"); err != nil && !strings.HasPrefix(err.Error(), "modules.yaml") {
			t.Fatalf("error without the file name: %v", err)
		}
	})
}
