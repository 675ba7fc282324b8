package deb

import (
	"archive/tar"
	"bufio"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/supermin-compile/supermin-compile/internal/decompress"
	"github.com/supermin-compile/supermin-compile/plan"
)

// archive is a .deb whose data.tar is listed once and then read member by
// member through the Universe's cursors.
type archive struct {
	deb     *debFile
	cursors *cursorCache

	once    sync.Once
	entries []plan.Entry // data.tar members in archive order
	err     error
}

// list returns the entries of data.tar, reading the archive on first use.
func (a *archive) list() ([]plan.Entry, error) {
	a.once.Do(func() {
		if a.entries, a.err = a.readList(); a.err == nil {
			a.cursors.order.listed(a)
		}
	})
	return a.entries, a.err
}

func (a *archive) readList() ([]plan.Entry, error) {
	s, err := a.stream()
	if err != nil {
		return nil, err
	}
	defer s.close()
	l := newLister(a)
	for {
		h, err := s.tr.Next()
		if err == io.EOF {
			return l.entries, nil
		}
		if err != nil {
			return nil, a.errorf("%w", err)
		}
		if err := l.add(h); err != nil {
			return nil, a.errorf("%s: %w", h.Name, err)
		}
		if err := a.keepSmall(h, l.index-1, s.tr); err != nil {
			return nil, a.errorf("%s: %w", h.Name, err)
		}
	}
}

// keepSmall keeps a small regular file's contents while the listing
// stream is on it, if the budget allows.
func (a *archive) keepSmall(h *tar.Header, index int, r io.Reader) error {
	if h.Typeflag != tar.TypeReg || h.Size == 0 || h.Size > smallMember || !a.cursors.small.fits(h.Size) {
		return nil
	}
	b := make([]byte, h.Size)
	if _, err := io.ReadFull(r, b); err != nil {
		return unexpected(err)
	}
	a.cursors.small.put(memberKey{a, index}, b)
	return nil
}

// errorf prefixes a message with the .deb and its data member.
func (a *archive) errorf(format string, args ...any) error {
	return fmt.Errorf("%s: %s: "+format, append([]any{a.deb.path, a.deb.data.name}, args...)...)
}

// stream opens a decompression stream at the start of data.tar.
func (a *archive) stream() (*stream, error) {
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
		return nil, a.errorf("%w", err)
	}
	return newStream(f, z), nil
}
