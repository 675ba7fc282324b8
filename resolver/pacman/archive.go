package pacman

import (
	"archive/tar"
	"bufio"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/supermin-compile/supermin-compile/internal/members"
	"github.com/supermin-compile/supermin-compile/plan"
)

// archive is one package file, a compressed tar whose members the
// Dir's member cache keeps for the formats to read.
type archive struct {
	path  string
	pkg   *meta
	cache *members.Cache

	once    sync.Once
	entries []plan.Entry // the files to install, in archive order
	err     error
}

var _ members.Archive = (*archive)(nil)

func (a *archive) Errorf(format string, args ...any) error {
	return fmt.Errorf("%s: %w", a.path, fmt.Errorf(format, args...))
}

// Stream opens a stream at the start of the archive, for the cache.
func (a *archive) Stream() (members.Stream, error) {
	s, err := a.stream()
	if err != nil {
		return nil, err // not a nil *members.TarStream in an interface
	}
	return s, nil
}

func (a *archive) stream() (*members.TarStream, error) {
	f, err := os.Open(a.path)
	if err != nil {
		return nil, err
	}
	s, err := members.OpenTar(f, bufio.NewReaderSize(f, 64<<10))
	if err != nil {
		return nil, a.Errorf("%w", err)
	}
	return s, nil
}

// list returns the archive's entries, reading it on first use.
func (a *archive) list() ([]plan.Entry, error) {
	a.once.Do(func() { a.entries, a.err = a.readList() })
	return a.entries, a.err
}

// readList streams the archive once: every member but pacman's metadata
// becomes an entry, and a regular file's data is kept on the way.
func (a *archive) readList() ([]plan.Entry, error) {
	s, err := a.stream()
	if err != nil {
		return nil, err
	}
	defer s.Close()
	var entries []plan.Entry
	var budget members.Budget
	regular := map[string]bool{} // hard-link targets
	for index := 0; ; index++ {
		h, err := s.Tar.Next()
		if err == io.EOF {
			return entries, nil
		}
		if err != nil {
			return nil, a.Errorf("%w", err)
		}
		if h.Typeflag == tar.TypeXGlobalHeader || isMetadata(h.Name) {
			continue
		}
		e, err := a.entry(h, index, regular)
		if err == nil {
			err = budget.Spend(&e)
		}
		if err == nil {
			err = a.cache.Keep(a, index, members.RegularSize(h), s.Tar)
		}
		if err != nil {
			return nil, a.Errorf("%s: %w", h.Name, err)
		}
		if e.Path != "/" {
			entries = append(entries, e)
		}
	}
}

func (a *archive) entry(h *tar.Header, index int, regular map[string]bool) (plan.Entry, error) {
	e, err := plan.FromTar(h)
	if err != nil {
		return e, err
	}
	switch {
	case e.Type == plan.Regular:
		regular[e.Path] = true
		if e.Size > 0 {
			e.Src = &members.Source{Cache: a.cache, Archive: a, Index: index, Name: h.Name, Label: a.path}
		}
	case e.Type == plan.Hardlink && !regular[e.Link]:
		return e, fmt.Errorf("hard link to %q, which is not an earlier regular file", h.Linkname)
	}
	return e, nil
}
