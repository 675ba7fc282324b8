// Package decompress recognises a compressed stream by its magic number
// and decompresses it: gzip, xz, zstd, bzip2, lz4 and legacy lzma, the
// compressors of .deb members, apt indexes, rpm payloads, kernel modules,
// base tarballs and supermin.d files. Plain data passes through unchanged.
package decompress

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
	"github.com/ulikunitz/xz/lzma"
	"github.com/xi2/xz"
)

// Magic numbers of the compressors packages and indexes use. lzma (the legacy "alone" format) has no real magic: its first
// byte is the properties byte, 0x5d for every file dpkg or xz writes.
var (
	magicGzip  = []byte{0x1f, 0x8b}
	magicXz    = []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}
	magicZstd  = []byte{0x28, 0xb5, 0x2f, 0xfd}
	magicBzip2 = []byte("BZh")
	magicLz4   = []byte{0x04, 0x22, 0x4d, 0x18}
	magicLzma  = []byte{0x5d, 0x00, 0x00}
)

// MaxWindow bounds the history a stream may ask the decompressor to keep
// (xz and lzma dictionaries, zstd windows), since that much memory is
// allocated on the header's word. It is the zstd tool's own default limit
// when decompressing (zstd --ultra -22 and --long=27 stay within it; xz -9
// uses 64 MiB). A stream that asks for more is refused: a few bytes of
// header must not cost a gigabyte.
const MaxWindow = 128 << 20

// Reader is a decompressing reader and what releases it.
type Reader struct {
	io.Reader
	close func()
	Kind  string // "gzip", "xz", ... or "none", for messages
}

// Read names the format in errors: "xz: unexpected EOF" says which layer
// of a .deb is damaged.
func (d *Reader) Read(p []byte) (int, error) {
	n, err := d.Reader.Read(p)
	if err != nil && err != io.EOF && d.Kind != "none" {
		err = explain(d.Kind, err)
	}
	return n, err
}

// explain prefixes err with the format, and says why a window is refused.
func explain(kind string, err error) error {
	var dict *lzma.ErrDictSize
	if errors.Is(err, xz.ErrMemlimit) || errors.Is(err, zstd.ErrWindowSizeExceeded) ||
		errors.Is(err, zstd.ErrDecoderSizeExceeded) || errors.As(err, &dict) {
		return fmt.Errorf("%s: the stream asks for a window (history) larger than the %d MiB allowed", kind, MaxWindow>>20)
	}
	if strings.HasPrefix(err.Error(), kind+":") {
		return err
	}
	return fmt.Errorf("%s: %w", kind, err)
}

func (d *Reader) Close() error {
	if d.close != nil {
		d.close()
		d.close = nil
	}
	return nil
}

// New recognises the compression of r by its first bytes. Plain data (a
// tar or a Packages file) passes through unchanged.
func New(r io.Reader) (*Reader, error) {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 64<<10)
	}
	head, _ := br.Peek(6)
	switch {
	case bytes.HasPrefix(head, magicGzip):
		z, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		return &Reader{Reader: z, Kind: "gzip"}, nil
	case bytes.HasPrefix(head, magicXz):
		// xi2/xz (a port of xz-embedded) decodes about ten times faster
		// than ulikunitz/xz, which made xz .debs the bulk of a build.
		z, err := xz.NewReader(br, MaxWindow)
		if err != nil {
			return nil, explain("xz", err)
		}
		return &Reader{Reader: z, Kind: "xz"}, nil
	case bytes.HasPrefix(head, magicZstd):
		// One goroutine and low memory: many streams may be open at once
		// (one per package being copied), each should stay small.
		z, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true),
			zstd.WithDecoderMaxWindow(MaxWindow))
		if err != nil {
			return nil, explain("zstd", err)
		}
		return &Reader{Reader: z, close: z.Close, Kind: "zstd"}, nil
	case bytes.HasPrefix(head, magicBzip2):
		return &Reader{Reader: bzip2.NewReader(br), Kind: "bzip2"}, nil
	case bytes.HasPrefix(head, magicLz4):
		return &Reader{Reader: lz4.NewReader(br), Kind: "lz4"}, nil
	case bytes.HasPrefix(head, magicLzma):
		z, err := lzma.ReaderConfig{DictCap: MaxWindow}.NewReader(br)
		if err != nil {
			return nil, explain("lzma", err)
		}
		return &Reader{Reader: z, Kind: "lzma"}, nil
	}
	return &Reader{Reader: br, Kind: "none"}, nil
}

// Open opens a file that may be compressed; Close closes both the
// decompressor and the file.
func Open(name string) (io.ReadCloser, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	z, err := New(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &file{z, f}, nil
}

type file struct {
	*Reader
	f *os.File
}

func (f *file) Close() error {
	f.Reader.Close()
	return f.f.Close()
}
