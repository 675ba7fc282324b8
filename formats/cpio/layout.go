package cpio

import (
	"fmt"
	"path"

	"github.com/supermin-compile/supermin-compile/plan"
	"golang.org/x/sys/unix"
)

// member is what gets written for one plan entry.
type member struct {
	hdr    header
	target string      // symlink target, written as the data
	data   *plan.Entry // the Regular entry whose bytes follow the header
}

// Limits are what an initramfs holds: the kernel skips a member whose
// name, with its NUL, is longer than PATH_MAX, and its rootfs takes
// names of up to 255 bytes and symlink targets shorter than PATH_MAX.
var Limits = plan.Limits{Format: "cpio", Name: 255, Path: pathMax, Target: pathMax - 1}

// layout turns the plan into members, checking everything that can be
// checked before the first byte is written: the plan (plan.Validate),
// then what only newc limits.
func layout(p *plan.Plan) ([]member, error) {
	if err := plan.Validate(p, Limits); err != nil {
		return nil, fmt.Errorf("cpio: %w", err)
	}
	ms := make([]member, len(p.Entries))
	index := make(map[string]int, len(p.Entries))
	var ino uint64
	for i := range p.Entries {
		e := &p.Entries[i]
		index[e.Path] = i
		if e.Type != plan.Hardlink {
			ino++
		}
		if err := fill(&ms[i], e, ino); err != nil {
			return nil, fmt.Errorf("cpio: %s: %w", e.Path, err)
		}
	}
	linkGroups(p, ms, index)
	countSubdirs(p, ms, index)
	for i := range ms {
		if err := ms[i].hdr.check(); err != nil {
			return nil, fmt.Errorf("cpio: %s: %w", p.Entries[i].Path, err)
		}
	}
	return ms, nil
}

// archiveName is the member name: relative, like `find . | cpio -o`.
// Validate made the path clean and absolute, so it has no "..".
func archiveName(p string) string {
	if p == "/" {
		return "."
	}
	return p[1:]
}

// fill sets the fields that depend on the entry alone.
func fill(m *member, e *plan.Entry, ino uint64) error {
	m.hdr = header{ino: ino, uid: uint64(e.UID), gid: uint64(e.GID),
		nlink: 1, mtime: mtime(e), name: archiveName(e.Path)}
	m.hdr.mode = uint64(plan.UnixType(e.Type) | e.Perm())
	switch e.Type {
	case plan.Dir:
		m.hdr.nlink = 2
	case plan.Regular:
		if e.Size > maxField {
			return fmt.Errorf("size %d exceeds the newc limit of %d bytes", e.Size, uint64(maxField))
		}
	case plan.Symlink:
		m.target, m.hdr.filesize = e.Link, uint64(len(e.Link))
	case plan.CharDev, plan.BlockDev:
		m.hdr.rdevmajor, m.hdr.rdevminor = uint64(unix.Major(e.Rdev)), uint64(unix.Minor(e.Rdev))
	}
	return nil
}

// mtime clamps times before the epoch (and the zero Time) to 0; times
// after 2106 are left to overflow, which check reports.
func mtime(e *plan.Entry) uint64 {
	if e.MTime.IsZero() || e.MTime.Unix() < 0 {
		return 0
	}
	return uint64(e.MTime.Unix())
}

// countSubdirs sets a directory's nlink to 2 + its subdirectories, as a
// real file system would report it (Validate made every parent a
// directory of the plan).
func countSubdirs(p *plan.Plan, ms []member, index map[string]int) {
	for i := range p.Entries {
		if e := &p.Entries[i]; e.Type == plan.Dir && e.Path != "/" {
			ms[index[path.Dir(e.Path)]].hdr.nlink++
		}
	}
}
