package members

import (
	"io"
	"os"
	"sync"
)

// spool holds member contents in one temporary file.
type spool struct {
	mu    sync.Mutex
	f     *os.File
	end   int64
	spans map[key]span
	err   error // creating or writing failed: do not try again
}

type span struct{ off, n int64 }

// put copies size bytes of r into the spool. It reports whether they are
// kept; an error is one of r's (a damaged archive), while a failure to
// write only turns the spool off.
func (s *spool) put(k key, size int64, r io.Reader) (bool, error) {
	f, off := s.reserve(size)
	if f == nil {
		return false, nil
	}
	src := &errReader{r: io.LimitReader(r, size)}
	n, err := io.Copy(io.NewOffsetWriter(f, off), src)
	switch {
	case src.err != nil:
		return false, src.err
	case err != nil:
		s.fail(err)
		return false, nil
	case n < size:
		return false, io.ErrUnexpectedEOF
	}
	s.mu.Lock()
	s.spans[k] = span{off, size}
	s.mu.Unlock()
	return true, nil
}

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

// reserve returns the spool file and the offset of size new bytes, or nil
// when there is no usable spool.
func (s *spool) reserve(size int64) (*os.File, int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil && s.err == nil {
		f, err := os.CreateTemp("", "supermin-compile-spool-")
		if err != nil {
			s.err = err
			return nil, 0
		}
		os.Remove(f.Name()) // gone with the process, whatever happens
		s.f, s.spans = f, map[key]span{}
	}
	if s.err != nil {
		return nil, 0
	}
	off := s.end
	s.end += size
	return s.f, off
}

func (s *spool) fail(err error) {
	s.mu.Lock()
	s.err = err
	s.mu.Unlock()
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
	if s.f != nil {
		s.f.Close()
		s.f, s.spans, s.end = nil, nil, 0
	}
}
