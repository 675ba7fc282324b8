package planner

import (
	"archive/tar"
	"fmt"
	"io"
	"os"
	"path"
	"sync"
	"time"

	"github.com/supermin-compile/supermin-compile/internal/members"
	"github.com/supermin-compile/supermin-compile/plan"
)

// tarball is a base tarball, read as package archives are (see
// internal/members): listing streams it and keeps only its headers, so no
// member's data is ever held in memory.
//
// A build spools the data on the first read of a member, not while
// listing as packages do: by then the Plan has been checked (an ext2 image
// too small for it is an error before anything is written or spooled),
// and base tarballs are small enough that decompressing them twice costs
// nothing worth the gigabytes a tarball bomb would otherwise take from
// TMPDIR first.
type tarball struct {
	file  string
	cache *members.Cache
	size  int64 // and mtime, when listed: a tarball replaced since is an error
	mtime time.Time

	once sync.Once
	err  error // of spooling
}

var _ members.Archive = (*tarball)(nil)

// TarballLayer lists a base tarball (.tar, .tar.gz, .tgz, .tar.xz,
// .tar.zst or, for supermin.d inputs, recognised by content). Its regular
// files are read through cache, spooled on the first read when the cache
// keeps contents (builds), else by decompressing the tarball again.
func TarballLayer(file string, cache *members.Cache) (Layer, error) {
	t := &tarball{file: file, cache: cache}
	s, err := t.open()
	if err != nil {
		return nil, err
	}
	defer s.Close()
	origin := plan.FromTarball(path.Base(file))
	var l Layer
	var budget members.Budget
	for index := 0; ; index++ { // as the stream counts members
		h, err := s.Tar.Next()
		if err == io.EOF {
			return l, nil
		}
		if err != nil {
			return nil, t.Errorf("%w", err)
		}
		if h.Typeflag == tar.TypeXGlobalHeader {
			continue // PAX defaults (git archive's commit id), not a file
		}
		e, err := plan.FromTar(h)
		if err == nil {
			err = budget.Spend(&e)
		}
		if err != nil {
			return nil, t.Errorf("%s: %w", h.Name, err)
		}
		e.Origin = origin
		if e.Type == plan.Regular && e.Size > 0 {
			e.Src = &tarSource{members.Source{Cache: cache, Archive: t, Index: index, Name: h.Name, Label: file}, t}
		}
		if e.Path != "/" || e.Type == plan.Dir {
			l = append(l, e)
		}
	}
}

// Errorf prefixes a message with the tarball's name.
func (t *tarball) Errorf(format string, args ...any) error {
	return fmt.Errorf("%s: %w", t.file, fmt.Errorf(format, args...))
}

// Stream opens a stream at the first member, for the cache.
func (t *tarball) Stream() (members.Stream, error) {
	s, err := t.open()
	if err != nil {
		return nil, err // not a nil *members.TarStream in an interface
	}
	return s, nil
}

// open opens a decompression stream at the first member. The first call
// (listing) records the file's size and mtime; later ones require them.
func (t *tarball) open() (*members.TarStream, error) {
	f, err := os.Open(t.file)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	switch {
	case err != nil:
		f.Close()
		return nil, err
	case t.mtime.IsZero():
		t.size, t.mtime = fi.Size(), fi.ModTime()
	case fi.Size() != t.size || !fi.ModTime().Equal(t.mtime):
		f.Close()
		return nil, t.Errorf("changed since it was listed")
	}
	s, err := members.OpenTar(f, f)
	if err != nil {
		return nil, t.Errorf("%w", err)
	}
	return s, nil
}

// spool copies the data of every member into the cache's spool, once, when
// the cache keeps contents.
func (t *tarball) spool() error {
	if !t.cache.Keeping() {
		return nil // list, lock, sbom: a read decompresses up to its member
	}
	t.once.Do(func() { t.err = t.keepAll() })
	return t.err
}

func (t *tarball) keepAll() error {
	s, err := t.open()
	if err != nil {
		return err
	}
	defer s.Close()
	for index := 0; ; index++ {
		name, size, err := s.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("spooling: %w", err)
		}
		if err := t.cache.Keep(t, index, size, s); err != nil {
			return fmt.Errorf("spooling member %s: %w", name, err) // Open's caller names the tarball
		}
	}
}

// tarSource is the plan.Source of a member: a build's first read spools
// the whole tarball.
type tarSource struct {
	members.Source
	t *tarball
}

func (s *tarSource) Open() (io.ReadCloser, error) {
	if err := s.t.spool(); err != nil {
		return nil, err
	}
	return s.Source.Open()
}
