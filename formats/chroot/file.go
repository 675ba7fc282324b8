package chroot

import (
	"fmt"
	"io"
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
	if err := copyData(f, e); err != nil {
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
	ts := times(e)
	if err := unix.UtimesNanoAt(a.fd, a.base, ts[:], unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return fmt.Errorf("setting times: %w", err)
	}
	return nil
}

// copyData streams exactly e.Size bytes. When the source is an
// *os.File (plan.HostFile), io.Copy hands the work to the kernel with
// copy_file_range (or sendfile/splice) through os.File.ReadFrom.
func copyData(f *os.File, e *plan.Entry) error {
	if e.Src == nil {
		if e.Size == 0 {
			return nil
		}
		return fmt.Errorf("no source for %d bytes", e.Size)
	}
	r, err := e.Src.Open()
	if err != nil {
		return fmt.Errorf("opening %s: %w", e.Src, err)
	}
	defer r.Close()
	n, err := io.Copy(f, io.LimitReader(r, e.Size+1))
	if err != nil {
		return fmt.Errorf("copying from %s: %w", e.Src, err)
	}
	if n < e.Size {
		return fmt.Errorf("source %s ended after %d bytes, the plan says %d", e.Src, n, e.Size)
	}
	if n > e.Size {
		return fmt.Errorf("source %s has more than the %d bytes the plan says", e.Src, e.Size)
	}
	return nil
}
