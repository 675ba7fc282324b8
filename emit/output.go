package emit

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// Staging is a temporary sibling of an output directory. The build writes
// there; Commit swaps it into place atomically, so a reader never sees a
// half-built output, and a crash leaves the previous output intact.
type Staging struct {
	Dir    string // where to write
	target string
}

// Stage creates the staging directory for target, first removing staging
// directories that earlier, interrupted builds left behind.
func Stage(target string) (*Staging, error) {
	target = filepath.Clean(target)
	parent, base := filepath.Dir(target), filepath.Base(target)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, err
	}
	removeStale(parent, base)
	dir, err := os.MkdirTemp(parent, stagePrefix(base)+strconv.Itoa(os.Getpid())+"-")
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return &Staging{Dir: dir, target: target}, nil
}

func stagePrefix(base string) string { return "." + base + ".tmp-" }

// removeStale deletes staging directories whose build process is gone.
func removeStale(parent, base string) {
	matches, _ := filepath.Glob(filepath.Join(parent, stagePrefix(base)+"*"))
	for _, m := range matches {
		rest := strings.TrimPrefix(filepath.Base(m), stagePrefix(base))
		pid, err := strconv.Atoi(strings.SplitN(rest, "-", 2)[0])
		if err != nil || !alive(pid) {
			os.RemoveAll(m)
		}
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
	err := unix.Renameat2(unix.AT_FDCWD, s.Dir, unix.AT_FDCWD, s.target, unix.RENAME_EXCHANGE)
	switch {
	case err == nil:
		return os.RemoveAll(s.Dir) // now the previous output
	case errors.Is(err, unix.ENOENT):
		return os.Rename(s.Dir, s.target)
	case errors.Is(err, unix.ENOTDIR):
		return fmt.Errorf("output %s exists and is not a directory", s.target)
	}
	// Filesystems without RENAME_EXCHANGE: a short window without output.
	old := s.Dir + ".old"
	if err := os.Rename(s.target, old); err != nil {
		return err
	}
	if err := os.Rename(s.Dir, s.target); err != nil {
		os.Rename(old, s.target)
		return err
	}
	return os.RemoveAll(old)
}

// Abort removes the staging directory.
func (s *Staging) Abort() { os.RemoveAll(s.Dir) }
