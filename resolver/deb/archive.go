package deb

import (
	"archive/tar"
	"bufio"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/supermin-compile/supermin-compile/internal/decompress"
	"github.com/supermin-compile/supermin-compile/internal/members"
	"github.com/supermin-compile/supermin-compile/plan"
)

// archive is a .deb whose data.tar is listed once, its contents kept by
// the Universe's member cache for the formats to read.
type archive struct {
	deb   *debFile
	cache *members.Cache

	once    sync.Once
	entries []plan.Entry // data.tar members in archive order
	err     error
}

var _ members.Archive = (*archive)(nil)

// list returns the entries of data.tar, reading the archive on first use.
func (a *archive) list() ([]plan.Entry, error) {
	a.once.Do(func() { a.entries, a.err = a.readList() })
	return a.entries, a.err
}

func (a *archive) readList() ([]plan.Entry, error) {
	s, err := a.stream()
	if err != nil {
		return nil, err
	}
	defer s.Close()
	l := newLister(a)
	for {
		h, err := s.tr.Next()
		if err == io.EOF {
			return l.entries, nil
		}
		if err != nil {
			return nil, a.Errorf("%w", err)
		}
		if err := l.add(h); err != nil {
			return nil, a.Errorf("%s: %w", h.Name, err)
		}
		if err := a.cache.Keep(a, l.index-1, regularSize(h), s.tr); err != nil {
			return nil, a.Errorf("%s: %w", h.Name, err)
		}
	}
}

// Errorf prefixes a message with the .deb and its data member.
func (a *archive) Errorf(format string, args ...any) error {
	return fmt.Errorf("%s: %s: "+format, append([]any{a.deb.path, a.deb.data.name}, args...)...)
}

// Stream opens a stream at the start of data.tar, for the cache.
func (a *archive) Stream() (members.Stream, error) {
	s, err := a.stream()
	if err != nil {
		return nil, err // not a nil *tarStream in an interface
	}
	return s, nil
}

// stream opens a decompression stream at the start of data.tar.
func (a *archive) stream() (*tarStream, error) {
	f, err := os.Open(a.deb.path)
	if err != nil {
		return nil, err
	}
	// The file must still be the one whose layout was read: a .deb
	// replaced by another would otherwise yield garbage members.
	if fi, err := f.Stat(); err != nil || fi.Size() != a.deb.size {
		f.Close()
		return nil, fmt.Errorf("%s: changed since it was opened", a.deb.path)
	}
	sec := io.NewSectionReader(f, a.deb.data.off, a.deb.data.size)
	z, err := decompress.New(bufio.NewReaderSize(sec, 64<<10))
	if err != nil {
		f.Close()
		return nil, a.Errorf("%w", err)
	}
	return &tarStream{f: f, z: z, tr: tar.NewReader(z)}, nil
}

// tarStream is a decompression stream over one data.tar: a members.Stream
// whose members are the tar headers.
type tarStream struct {
	f  *os.File
	z  *decompress.Reader
	tr *tar.Reader
}

func (s *tarStream) Next() (string, int64, error) {
	h, err := s.tr.Next()
	if err != nil {
		return "", 0, err
	}
	return h.Name, regularSize(h), nil
}

func (s *tarStream) Read(p []byte) (int, error) { return s.tr.Read(p) }

func (s *tarStream) Close() error {
	s.z.Close()
	return s.f.Close()
}

// regularSize is the size of a regular file's data, 0 for other members.
func regularSize(h *tar.Header) int64 {
	if h.Typeflag != tar.TypeReg {
		return 0
	}
	return h.Size
}
