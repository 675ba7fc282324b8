package cpio

import (
	"fmt"
	"path"
	"strings"

	"github.com/supermin-compile/supermin-compile/plan"
	"golang.org/x/sys/unix"
)

// member is what gets written for one plan entry.
type member struct {
	hdr    header
	target string      // symlink target, written as the data
	data   *plan.Entry // the Regular entry whose bytes follow the header
}

// layout turns the plan into members, checking everything that can be
// checked before the first byte is written.
func layout(p *plan.Plan) ([]member, error) {
	ms := make([]member, len(p.Entries))
	index := make(map[string]int, len(p.Entries))
	var ino uint64
	for i := range p.Entries {
		e := &p.Entries[i]
		if err := checkPath(e.Path); err != nil {
			return nil, err
		}
		index[e.Path] = i
		if e.Type != plan.Hardlink {
			ino++
		}
		if err := fill(&ms[i], e, ino); err != nil {
			return nil, fmt.Errorf("cpio: %s: %w", e.Path, err)
		}
	}
	if err := linkGroups(p, ms, index); err != nil {
		return nil, err
	}
	countSubdirs(p, ms, index)
	for i := range ms {
		if err := ms[i].hdr.check(); err != nil {
			return nil, fmt.Errorf("cpio: %s: %w", p.Entries[i].Path, err)
		}
	}
	return ms, nil
}

// checkPath insists on the absolute clean paths the Plan promises: the
// archive name is derived from them and must not climb out with "..".
func checkPath(p string) error {
	switch {
	case !strings.HasPrefix(p, "/") || path.Clean(p) != p:
		return fmt.Errorf("cpio: %q is not an absolute clean path", p)
	case strings.IndexByte(p, 0) >= 0:
		return fmt.Errorf("cpio: %q contains a NUL byte", p)
	case len(archiveName(p))+1 > pathMax:
		return fmt.Errorf("cpio: %.60s...: name is %d bytes, the kernel accepts at most %d", p, len(p)-1, pathMax-1)
	}
	return nil
}

// archiveName is the member name: relative, like `find . | cpio -o`.
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
	bits, err := typeBits(e.Type)
	if err != nil {
		return err
	}
	m.hdr.mode = bits | uint64(e.Perm())
	switch e.Type {
	case plan.Dir:
		m.hdr.nlink = 2
	case plan.Regular:
		if e.Size < 0 || e.Size > maxField {
			return fmt.Errorf("size %d exceeds the newc limit of %d bytes", e.Size, uint64(maxField))
		}
	case plan.Symlink:
		return symlinkData(m, e.Link)
	case plan.CharDev, plan.BlockDev:
		m.hdr.rdevmajor, m.hdr.rdevminor = uint64(unix.Major(e.Rdev)), uint64(unix.Minor(e.Rdev))
	}
	return nil
}

func symlinkData(m *member, target string) error {
	if target == "" || len(target) >= pathMax || strings.IndexByte(target, 0) >= 0 {
		return fmt.Errorf("symlink target of %d bytes is empty, too long (max %d) or has a NUL", len(target), pathMax-1)
	}
	m.target = target
	m.hdr.filesize = uint64(len(target))
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

func typeBits(t plan.Type) (uint64, error) {
	switch t {
	case plan.Dir:
		return sIFDIR, nil
	case plan.Regular, plan.Hardlink:
		return sIFREG, nil
	case plan.Symlink:
		return sIFLNK, nil
	case plan.CharDev:
		return sIFCHR, nil
	case plan.BlockDev:
		return sIFBLK, nil
	case plan.FIFO:
		return sIFIFO, nil
	case plan.Socket:
		return sIFSOCK, nil
	}
	return 0, fmt.Errorf("unsupported entry type %v", t)
}

// countSubdirs sets a directory's nlink to 2 + its subdirectories, as a
// real file system would report it.
func countSubdirs(p *plan.Plan, ms []member, index map[string]int) {
	for i := range p.Entries {
		e := &p.Entries[i]
		if e.Type != plan.Dir || e.Path == "/" {
			continue
		}
		if j, ok := index[path.Dir(e.Path)]; ok && p.Entries[j].Type == plan.Dir {
			ms[j].hdr.nlink++
		}
	}
}
