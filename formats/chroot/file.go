package chroot

import (
	"fmt"
	"os"

	"github.com/supermin-compile/supermin-compile/plan"
	"golang.org/x/sys/unix"
)

// file creates a regular file (O_EXCL|O_NOFOLLOW: never writing through
// an existing name) and sets its metadata through the descriptor.
func (w *writer) file(a at, e *plan.Entry) error {
	var fd int
	err := w.replacing(a, func() (err error) {
		fd, err = unix.Openat(a.fd, a.base, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
		return err
	})
	if err != nil {
		return fmt.Errorf("creating: %w", err)
	}
	f := os.NewFile(uintptr(fd), e.Path)
	if err := w.fill(f, a, e); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("closing: %w", err)
	}
	return nil
}

func (w *writer) fill(f *os.File, a at, e *plan.Entry) error {
	if err := plan.CopyData(f, e); err != nil {
		return err
	}
	if w.opts.Owners {
		if err := f.Chown(int(e.UID), int(e.GID)); err != nil {
			return fmt.Errorf("chown: %w", err)
		}
	} else {
		w.noteOwner(e)
	}
	if err := unix.Fchmod(int(f.Fd()), e.Perm()); err != nil {
		return fmt.Errorf("chmod: %w", err)
	}
	if err := w.xattrs(e, func(x plan.Xattr) error {
		return unix.Fsetxattr(int(f.Fd()), x.Name, x.Value, 0)
	}); err != nil {
		return err
	}
	return setTimes(a, e)
}
