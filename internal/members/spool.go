package members

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"golang.org/x/sys/unix"
)

// spool holds member contents in one temporary file.
type spool struct {
	mu    sync.Mutex
	f     *os.File
	end   int64
	spans map[key]span
	err   error // why the spool cannot be used any more
}

type span struct{ off, n int64 }

var errClosed = errors.New("member cache closed")

// put copies size bytes of r into the spool. An error is either r's (a
// damaged archive) or the spool's: then the spool gives up, frees its
// space and says that TMPDIR needs room (decompressing every member again
// instead would take a hundred times longer).
func (s *spool) put(k key, size int64, r io.Reader) error {
	f, off, err := s.reserve(size)
	if err != nil {
		return err
	}
	if err := roomFor(f, size); err != nil {
		return s.fail(err)
	}
	src := &errReader{r: r}
	buf := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(buf)
	n, err := io.CopyBuffer(io.NewOffsetWriter(f, off), io.LimitReader(src, size), *buf)
	switch {
	case src.err != nil:
		return src.err
	case err != nil:
		return s.fail(err)
	case n < size:
		return io.ErrUnexpectedEOF
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == f { // not closed meanwhile
		s.spans[k] = span{off, size}
	}
	return nil
}

// copyBufs spares a 32 KiB buffer per member (io.Copy would allocate one
// each time: gigabytes of garbage for a tarball of 100,000 small files).
var copyBufs = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// errReader remembers a read error, to tell it from a write error.
type errReader struct {
	r   io.Reader
	err error
}

func (e *errReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF {
		e.err = err
	}
	return n, err
}

// reserve returns the spool file and the offset of size new bytes.
func (s *spool) reserve(size int64) (*os.File, int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return nil, 0, s.err
	}
	if s.f == nil {
		f, err := os.CreateTemp("", "supermin-compile-spool-")
		if err != nil {
			s.err = spoolError(err)
			return nil, 0, s.err
		}
		os.Remove(f.Name()) // gone with the process, whatever happens
		s.f, s.spans = f, map[key]span{}
	}
	off := s.end
	s.end += size
	return s.f, off, nil
}

// fail gives the spool up after a write error, releasing its space.
func (s *spool) fail(err error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err == nil {
		s.err = spoolError(err)
		s.release()
	}
	return s.err
}

// roomFor fails when the spool's filesystem has less than size bytes free:
// a member too large for it (a tarball bomb, a lying size) is an error
// before it fills TMPDIR, not after. Small members are left to ENOSPC: a
// statfs per member would cost more than it saves.
func roomFor(f *os.File, size int64) error {
	if size < 64<<20 {
		return nil
	}
	var st unix.Statfs_t
	if err := unix.Fstatfs(int(f.Fd()), &st); err != nil {
		return nil // the writes will tell
	}
	if free := int64(st.Bavail) * st.Bsize; size > free {
		return fmt.Errorf("%w: a member of %d MiB, %d MiB free", unix.ENOSPC, size>>20, free>>20)
	}
	return nil
}

func spoolError(err error) error {
	return fmt.Errorf("keeping the unpacked packages and tarballs in TMPDIR (%s): %w; set TMPDIR to a directory with room for them", os.TempDir(), err)
}

// open returns a reader of k's contents, if the spool holds them.
func (s *spool) open(k key) (io.Reader, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sp, ok := s.spans[k]
	if !ok {
		return nil, false
	}
	return io.NewSectionReader(s.f, sp.off, sp.n), true
}

func (s *spool) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.err = errClosed
	s.release()
}

// release closes the file; s.mu is held.
func (s *spool) release() {
	if s.f != nil {
		s.f.Close()
		s.f, s.spans, s.end = nil, nil, 0
	}
}
