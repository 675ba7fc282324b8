package decompress

import (
	"bytes"
	"io"
	"math/rand"
	"os/exec"
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// sample is compressible but not trivial: text with random runs.
func sample() []byte {
	r := rand.New(rand.NewSource(1))
	var b bytes.Buffer
	for b.Len() < 1<<20 {
		b.WriteString("line of a package file list /usr/share/doc/")
		for range r.Intn(40) {
			b.WriteByte(byte('a' + r.Intn(26)))
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

func compress(t *testing.T, data []byte, argv ...string) []byte {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin = bytes.NewReader(data)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%v: %v", argv, err)
	}
	return out
}

// TestFormats: what the real compressors write, in the variants packages
// and kernels use, comes back byte for byte; plain data passes through.
func TestFormats(t *testing.T) {
	testtool.Need(t, "xz", "gzip", "zstd", "bzip2")
	data := sample()
	cases := []struct {
		kind string
		argv []string
	}{
		{"xz", []string{"xz", "-c", "-0"}},
		{"xz", []string{"xz", "-c", "-9e"}},
		{"xz", []string{"xz", "-c", "--check=none"}},
		{"xz", []string{"xz", "-c", "--check=crc32"}},
		{"xz", []string{"xz", "-c", "--check=sha256"}},
		{"xz", []string{"xz", "-c", "--block-size=64KiB"}},
		{"xz", []string{"xz", "-c", "--x86", "--lzma2=preset=6"}},
		{"xz", []string{"xz", "-c", "--lzma2=dict=64MiB"}},
		{"zstd", []string{"zstd", "-c", "--long=26"}},
		{"lzma", []string{"xz", "-c", "--format=lzma"}},
		{"gzip", []string{"gzip", "-c"}},
		{"zstd", []string{"zstd", "-c", "-19"}},
		{"bzip2", []string{"bzip2", "-c"}},
	}
	for _, c := range cases {
		z := compress(t, data, c.argv...)
		r, err := New(bytes.NewReader(z))
		if err != nil {
			t.Errorf("%v: %v", c.argv, err)
			continue
		}
		got, err := io.ReadAll(r)
		r.Close()
		if err != nil || !bytes.Equal(got, data) || r.Kind != c.kind {
			t.Errorf("%v: %d bytes as %s (%v), want %d as %s", c.argv, len(got), r.Kind, err, len(data), c.kind)
		}
	}
	// Two concatenated xz streams, as xz itself accepts.
	two := append(compress(t, data[:1000], "xz", "-c"), compress(t, data[1000:2000], "xz", "-c")...)
	r, _ := New(bytes.NewReader(two))
	if got, err := io.ReadAll(r); err != nil || !bytes.Equal(got, data[:2000]) {
		t.Errorf("concatenated xz streams: %d bytes (%v)", len(got), err)
	}
	plain := []byte("\x7fELF, or any data without a known magic number")
	r, _ = New(bytes.NewReader(plain))
	if got, _ := io.ReadAll(r); !bytes.Equal(got, plain) || r.Kind != "none" {
		t.Errorf("plain data: %q as %s", got, r.Kind)
	}
}

// TestWindowLimit: a stream whose header asks for more history than
// MaxWindow is refused with a message saying so, before the memory is
// taken (the real tools write such headers when told to); the largest
// windows the tools use without being told (zstd --ultra -22, --long=27)
// still decode.
func TestWindowLimit(t *testing.T) {
	testtool.Need(t, "xz", "zstd")
	data := sample()
	for _, argv := range [][]string{
		{"xz", "-c", "--lzma2=dict=128MiB"},
		{"zstd", "-c", "--long=27"},
		{"zstd", "-c", "--ultra", "-22"},
	} {
		r, err := New(bytes.NewReader(compress(t, data, argv...)))
		if err != nil {
			t.Fatalf("%v: %v", argv, err)
		}
		got, err := io.ReadAll(r)
		r.Close()
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("%v: %v, want the data back", argv, err)
		}
	}
	for _, argv := range [][]string{
		{"xz", "-c", "--lzma2=dict=256MiB"},
		{"xz", "-c", "--format=lzma", "--lzma1=dict=1536MiB"},
		{"zstd", "-c", "--long=28"},
		{"zstd", "-c", "--long=31"},
	} {
		r, err := New(bytes.NewReader(compress(t, data, argv...)))
		if err == nil {
			_, err = io.ReadAll(r)
			r.Close()
		}
		if err == nil || !strings.Contains(err.Error(), "larger than the 128 MiB allowed") {
			t.Errorf("%v: %v, want the window refused", argv, err)
		}
	}
}

// TestCorruptNamesFormat: a damaged stream's error says which format, once.
func TestCorruptNamesFormat(t *testing.T) {
	testtool.Need(t, "xz")
	z := compress(t, sample(), "xz", "-c")
	z[len(z)/2] ^= 0xff
	r, err := New(bytes.NewReader(z))
	if err == nil {
		_, err = io.ReadAll(r)
	}
	if err == nil || !strings.HasPrefix(err.Error(), "xz: ") || strings.HasPrefix(err.Error(), "xz: xz:") {
		t.Errorf("corrupt xz: %v", err)
	}
}

// FuzzNew: any input decompresses or fails, without panicking, and
// allocates a few windows at most, whatever the headers claim.
func FuzzNew(f *testing.F) {
	for _, magic := range [][]byte{magicGzip, magicXz, magicZstd, magicBzip2, magicLz4, magicLzma, []byte("plain")} {
		f.Add(append(append([]byte{}, magic...), make([]byte, 32)...))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		defer testtool.AllocsUnder(t, 4*MaxWindow)()
		r, err := New(bytes.NewReader(b))
		if err != nil {
			return
		}
		defer r.Close()
		io.Copy(io.Discard, io.LimitReader(r, 64<<20))
	})
}
