package chroot

import (
	"errors"
	"fmt"
	"os"
	"path"

	"golang.org/x/sys/unix"
)

// writer carries the state of one Write.
type writer struct {
	root *os.Root
	opts Options
	rep  *Report

	// The parent directory of the previous entry, kept open because
	// plan order makes siblings consecutive.
	parentPath string
	parentFile *os.File
}

// at names an entry the escape-safe way: a directory descriptor that
// os.Root resolved (following only symlinks that stay inside), plus a
// single path component that the *at syscalls do not follow.
type at struct {
	fd   int
	base string
}

// parent opens the directory holding p; for "/" it is the root itself,
// named ".".
func (w *writer) parent(p string) (at, error) {
	dir, base := path.Dir(p), path.Base(p)
	if p == "/" {
		dir, base = "/", "."
	}
	if w.parentFile == nil || w.parentPath != dir {
		w.dropParent()
		f, err := w.root.OpenFile(rel(dir), os.O_RDONLY|unix.O_DIRECTORY, 0)
		if err != nil {
			return at{}, fmt.Errorf("opening parent directory: %w", err)
		}
		w.parentPath, w.parentFile = dir, f
	}
	return at{int(w.parentFile.Fd()), base}, nil
}

// dropParent closes the cached directory.
func (w *writer) dropParent() {
	if w.parentFile != nil {
		w.parentFile.Close()
		w.parentFile = nil
	}
}

// remove unlinks whatever non-directory is at a, without following it.
func (w *writer) remove(a at) error {
	var st unix.Stat_t
	if err := unix.Fstatat(a.fd, a.base, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return fmt.Errorf("inspecting existing entry: %w", err)
	}
	if st.Mode&unix.S_IFMT == unix.S_IFDIR {
		return fmt.Errorf("a directory is already there")
	}
	if err := unix.Unlinkat(a.fd, a.base, 0); err != nil {
		return fmt.Errorf("replacing existing entry: %w", err)
	}
	// A path through the removed name (a symlink) may now mean another
	// directory: reopen the parent next time. a.fd stays open for now.
	w.parentPath = ""
	return nil
}

// replacing runs create, and if the name is taken removes the old entry
// (never following it) and tries once more.
func (w *writer) replacing(a at, create func() error) error {
	err := create()
	if !errors.Is(err, unix.EEXIST) {
		return err
	}
	if err := w.remove(a); err != nil {
		return err
	}
	return create()
}
