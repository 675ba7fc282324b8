package chroot

import (
	"fmt"

	"github.com/supermin-compile/supermin-compile/plan"
	"golang.org/x/sys/unix"
)

// entry creates one plan entry. Directories get their metadata later,
// in finishDir.
func (w *writer) entry(e *plan.Entry) error {
	if err := checkPath(e.Path); err != nil {
		return err
	}
	if e.Type == plan.Socket {
		w.rep.SkippedSockets = append(w.rep.SkippedSockets, e.Path)
		return nil
	}
	if (e.Type == plan.CharDev || e.Type == plan.BlockDev) && !w.opts.Devices {
		w.rep.SkippedDevices = append(w.rep.SkippedDevices, e.Path)
		return nil
	}
	a, err := w.parent(e.Path)
	if err != nil {
		return err
	}
	switch e.Type {
	case plan.Dir:
		return w.mkdir(a)
	case plan.Regular:
		return w.file(a, e)
	case plan.Symlink:
		return w.symlink(a, e)
	case plan.Hardlink:
		return w.link(a, e)
	case plan.CharDev, plan.BlockDev, plan.FIFO:
		return w.node(a, e)
	}
	return fmt.Errorf("unsupported entry type %v", e.Type)
}

// mkdir makes a directory the writer can fill, keeping one that exists
// and replacing anything else (a symlink is removed, not followed).
func (w *writer) mkdir(a at) error {
	if a.base == "." {
		return nil // the root: dir itself
	}
	err := unix.Mkdirat(a.fd, a.base, 0o700)
	if err == unix.EEXIST {
		var st unix.Stat_t
		if err := unix.Fstatat(a.fd, a.base, &st, unix.AT_SYMLINK_NOFOLLOW); err == nil && st.Mode&unix.S_IFMT == unix.S_IFDIR {
			return nil
		}
		err = w.replacing(a, func() error { return unix.Mkdirat(a.fd, a.base, 0o700) })
	}
	if err != nil {
		return fmt.Errorf("mkdir: %w", err)
	}
	return nil
}

func (w *writer) symlink(a at, e *plan.Entry) error {
	if e.Link == "" {
		return fmt.Errorf("empty symlink target")
	}
	if err := w.replacing(a, func() error { return unix.Symlinkat(e.Link, a.fd, a.base) }); err != nil {
		return fmt.Errorf("symlink: %w", err)
	}
	return w.meta(a, e)
}

// link makes a hard link to an earlier path. os.Root resolves both
// names inside dir, and links a symlink itself, not what it points to.
func (w *writer) link(a at, e *plan.Entry) error {
	if err := checkPath(e.Link); err != nil {
		return fmt.Errorf("hard link target: %w", err)
	}
	err := w.replacing(a, func() error { return w.root.Link(rel(e.Link), rel(e.Path)) })
	if err != nil {
		return fmt.Errorf("hard link to %s: %w", e.Link, err)
	}
	return nil
}

// node makes devices and FIFOs; FIFOs need no privilege.
func (w *writer) node(a at, e *plan.Entry) error {
	kind := map[plan.Type]uint32{plan.CharDev: unix.S_IFCHR, plan.BlockDev: unix.S_IFBLK, plan.FIFO: unix.S_IFIFO}[e.Type]
	err := w.replacing(a, func() error { return unix.Mknodat(a.fd, a.base, kind|0o600, int(e.Rdev)) })
	if err != nil {
		return fmt.Errorf("mknod: %w", err)
	}
	return w.meta(a, e)
}
