package cpio

import (
	"fmt"
	"io"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

// Compression is the filter applied to the whole archive.
type Compression string

const (
	None Compression = ""
	Gzip Compression = "gzip"
	XZ   Compression = "xz"
	Zstd Compression = "zstd"
)

// ParseCompression accepts "none" (or "") and the names of the constants.
func ParseCompression(s string) (Compression, error) {
	switch c := Compression(s); c {
	case None, Gzip, XZ, Zstd:
		return c, nil
	case "none":
		return None, nil
	}
	return "", fmt.Errorf("unknown compression %q (valid: none, gzip, xz, zstd)", s)
}

// Ext is the file name suffix conventionally used for c.
func (c Compression) Ext() string {
	switch c {
	case Gzip:
		return ".gz"
	case XZ:
		return ".xz"
	case Zstd:
		return ".zst"
	}
	return ""
}

// compressor wraps w; every choice here is fixed so that the same
// archive always compresses to the same bytes.
func (c Compression) compressor(w io.Writer) (io.WriteCloser, error) {
	switch c {
	case None:
		return nopCloser{w}, nil
	case Gzip:
		// A fresh Header has no name and zero mtime: reproducible.
		return gzip.NewWriterLevel(w, gzip.BestCompression)
	case XZ:
		// The kernel's xz decoder verifies only CRC32 (or no) checks.
		return xz.WriterConfig{CheckSum: xz.CRC32}.NewWriter(w)
	case Zstd:
		// One encoder goroutine keeps block boundaries independent of
		// scheduling; the kernel's zstd accepts the content checksum.
		return zstd.NewWriter(w, zstd.WithEncoderConcurrency(1), zstd.WithEncoderCRC(true))
	}
	return nil, fmt.Errorf("unknown compression %q", string(c))
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }
