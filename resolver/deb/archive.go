package deb

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"sync"

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
		h, err := s.Tar.Next()
		if err == io.EOF {
			return l.entries, nil
		}
		if err != nil {
			return nil, a.Errorf("%w", err)
		}
		if err := l.add(h); err != nil {
			return nil, a.Errorf("%s: %w", h.Name, err)
		}
		if err := a.cache.Keep(a, l.index-1, members.RegularSize(h), s.Tar); err != nil {
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
		return nil, err // not a nil *members.TarStream in an interface
	}
	return s, nil
}

// stream opens a decompression stream at the start of data.tar.
func (a *archive) stream() (*members.TarStream, error) {
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
	s, err := members.OpenTar(f, bufio.NewReaderSize(sec, 64<<10))
	if err != nil {
		return nil, a.Errorf("%w", err)
	}
	return s, nil
}
