package builder

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"syscall"

	"github.com/supermin-compile/supermin-compile/internal/outdir"
	"golang.org/x/sys/unix"
)

// Staging is a temporary sibling of an output directory. The build writes
// there; Commit swaps it into place atomically, so a reader never sees a
// half-built output, and a crash leaves the previous output intact.
//
// While the build runs, the process holds an flock on the staging
// directory. Another build removes a staging directory only when it can
// take that lock and the process named in its name is gone, so a live
// build's staging directory is never removed, whatever its output's name.
type Staging struct {
	Dir    string // where to write
	target string
	lock   *os.File // holds the flock on Dir

	mu   sync.Mutex // orders Commit, Abort and interruption
	done bool       // committed or aborted: Dir is the previous output, or gone
}

// Stage creates the staging directory for target, first removing staging
// directories that earlier, interrupted builds of the same output left
// behind.
func Stage(target string) (*Staging, error) {
	target = filepath.Clean(target)
	parent, base := filepath.Dir(target), filepath.Base(target)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, err
	}
	removeStale(parent, base)
	dir, err := os.MkdirTemp(parent, outdir.StagingPattern(base, os.Getpid()))
	if err != nil {
		return nil, err
	}
	s := &Staging{Dir: dir, target: target}
	if err := s.hold(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		s.Abort()
		return nil, err
	}
	live.add(s)
	return s, nil
}

// hold takes the flock that marks the staging directory as in use.
func (s *Staging) hold() error {
	f, err := os.Open(s.Dir)
	if err != nil {
		return err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil && !errors.Is(err, unix.ENOLCK) {
		f.Close()
		return fmt.Errorf("locking %s: %w", s.Dir, err)
	}
	s.lock = f
	return nil
}

// removeStale deletes the staging directories of this output whose build
// is gone: nobody holds their flock, and their process does not exist.
// (Both, because a new staging directory exists for a moment before its
// build takes the lock.)
func removeStale(parent, base string) {
	entries, _ := os.ReadDir(parent)
	for _, e := range entries {
		pid, ok := outdir.Staging(e.Name(), base)
		if !ok || !e.IsDir() {
			continue
		}
		dir := filepath.Join(parent, e.Name())
		f, err := os.Open(dir)
		if err != nil {
			continue
		}
		err = unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if (err == nil || errors.Is(err, unix.ENOLCK)) && !alive(pid) {
			os.RemoveAll(dir)
		}
		f.Close()
	}
}

func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// Commit puts the staged output in place of the target: with one atomic
// exchange when the target exists (renameat2 RENAME_EXCHANGE), else with a
// rename. The previous output is then removed.
func (s *Staging) Commit() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer live.remove(s)
	err := s.swap()
	if err != nil {
		s.removeLocked()
		return err
	}
	s.done = true
	os.Remove(oldChrootFingerprint(s.target)) // from before the marker moved inside
	err = os.RemoveAll(s.Dir)                 // now the previous output
	s.lock.Close()
	return err
}

func (s *Staging) swap() error {
	err := unix.Renameat2(unix.AT_FDCWD, s.Dir, unix.AT_FDCWD, s.target, unix.RENAME_EXCHANGE)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, unix.ENOENT):
		return os.Rename(s.Dir, s.target)
	}
	// Filesystems without RENAME_EXCHANGE: a short window without output.
	// The previous output waits under a name that the next build cleans
	// up if this one dies.
	old := outdir.Retired(s.Dir)
	if err := os.Rename(s.target, old); err != nil {
		return err
	}
	if err := os.Rename(s.Dir, s.target); err != nil {
		os.Rename(old, s.target)
		return err
	}
	s.Dir = old
	return nil
}

// Abort removes the staging directory.
func (s *Staging) Abort() {
	s.mu.Lock()
	defer s.mu.Unlock()
	live.remove(s)
	s.removeLocked()
}

func (s *Staging) removeLocked() {
	if !s.done {
		os.RemoveAll(s.Dir)
		s.done = true
	}
	if s.lock != nil {
		s.lock.Close()
	}
}

// Interrupted says what an interruption removed.
type Interrupted struct {
	Dir    string // the staging directory
	Output string // the output it was for, left as it was
	Bytes  int64  // disk space it held
}

// Interrupt removes every staging directory of this process, for a
// signal handler that then exits: the outputs stay as they were. Writers
// still running cannot recreate what was removed (creating an entry in a
// removed directory fails), so removal is retried until it holds.
func Interrupt() []Interrupted {
	var out []Interrupted
	for _, s := range live.all() {
		s.mu.Lock()
		if !s.done {
			n := diskUsage(s.Dir)
			for i := 0; i < 10 && os.RemoveAll(s.Dir) != nil; i++ {
			}
			s.done = true
			out = append(out, Interrupted{s.Dir, s.target, n})
		}
		s.mu.Unlock()
	}
	return out
}

// diskUsage is the space the files under dir take (sparse files count
// what they allocate).
func diskUsage(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if fi, err := d.Info(); err == nil {
			if st, ok := fi.Sys().(*syscall.Stat_t); ok {
				n += st.Blocks * 512
			}
		}
		return nil
	})
	return n
}

// live is the set of this process's staging directories that are not
// committed or aborted yet.
var live = &stagings{m: map[*Staging]bool{}}

type stagings struct {
	mu sync.Mutex
	m  map[*Staging]bool
}

func (l *stagings) add(s *Staging)    { l.mu.Lock(); l.m[s] = true; l.mu.Unlock() }
func (l *stagings) remove(s *Staging) { l.mu.Lock(); delete(l.m, s); l.mu.Unlock() }

func (l *stagings) all() []*Staging {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []*Staging
	for s := range l.m {
		out = append(out, s)
	}
	return out
}
