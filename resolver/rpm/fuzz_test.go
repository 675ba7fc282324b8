package rpm

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
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
