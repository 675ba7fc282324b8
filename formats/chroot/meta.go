package chroot

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/supermin-compile/supermin-compile/plan"
	"golang.org/x/sys/unix"
)

// meta applies owner, mode, xattrs and times to a non-directory entry,
// in that order: chown clears setuid bits and file capabilities, and
// the other steps change the ctime only.
func (w *writer) meta(a at, e *plan.Entry) error {
	if err := w.chown(a, e); err != nil {
		return err
	}
	if e.Type != plan.Symlink {
		if err := chmodAt(a, e.Perm()); err != nil {
			return fmt.Errorf("chmod: %w", err)
		}
	}
	if err := w.xattrs(e, func(x plan.Xattr) error {
		return unix.Lsetxattr(procPath(a), x.Name, x.Value, 0)
	}); err != nil {
		return err
	}
	return setTimes(a, e)
}

// finishDir gives a directory its metadata once everything in it exists.
func (w *writer) finishDir(e *plan.Entry) error {
	a, err := w.parent(e.Path)
	if err != nil {
		return err
	}
	return w.meta(a, e)
}

func (w *writer) chown(a at, e *plan.Entry) error {
	if !w.opts.Owners {
		w.noteOwner(e)
		return nil
	}
	if err := unix.Fchownat(a.fd, a.base, int(e.UID), int(e.GID), unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return fmt.Errorf("chown: %w", err)
	}
	return nil
}

// noteOwner records that an owner the plan asks for was not applied.
func (w *writer) noteOwner(e *plan.Entry) {
	if int(e.UID) != os.Geteuid() || int(e.GID) != os.Getegid() {
		w.rep.SkippedOwners = true
	}
}

// chmodAt never follows a symlink where the kernel has fchmodat2 (6.6);
// older kernels fall back to fchmodat, after checking that the name is
// not a symlink (the writer is the only one changing the tree).
func chmodAt(a at, perm uint32) error {
	err := unix.Fchmodat(a.fd, a.base, perm, unix.AT_SYMLINK_NOFOLLOW)
	if !errors.Is(err, unix.EOPNOTSUPP) {
		return err
	}
	var st unix.Stat_t
	if err := unix.Fstatat(a.fd, a.base, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return err
	}
	if st.Mode&unix.S_IFMT == unix.S_IFLNK {
		return fmt.Errorf("refusing to chmod through a symlink")
	}
	return unix.Fchmodat(a.fd, a.base, perm, 0)
}

// procPath names an entry for the l*xattr calls, which have no *at
// form: the magic link of the parent descriptor plus one component.
func procPath(a at) string {
	return fmt.Sprintf("/proc/self/fd/%d/%s", a.fd, a.base)
}

// xattrs sets e's extended attributes with set. Refusals for want of
// privilege or file system support are reported, not fatal.
func (w *writer) xattrs(e *plan.Entry, set func(plan.Xattr) error) error {
	for _, x := range e.Xattrs {
		err := set(x)
		switch {
		case err == nil:
		case errors.Is(err, unix.EPERM), errors.Is(err, unix.EACCES), errors.Is(err, unix.EOPNOTSUPP):
			w.rep.SkippedXattrs = append(w.rep.SkippedXattrs, e.Path+": "+x.Name)
		default:
			return fmt.Errorf("setting xattr %s: %w", x.Name, err)
		}
	}
	return nil
}

// setTimes sets atime and mtime of the entry at a, without following a
// symlink, both to the plan's mtime; the zero Time becomes the epoch
// rather than year 1.
func setTimes(a at, e *plan.Entry) error {
	t := e.MTime
	if t.IsZero() {
		t = time.Unix(0, 0)
	}
	ts := unix.Timespec{Sec: t.Unix(), Nsec: int64(t.Nanosecond())}
	if err := unix.UtimesNanoAt(a.fd, a.base, []unix.Timespec{ts, ts}, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return fmt.Errorf("setting times: %w", err)
	}
	return nil
}
