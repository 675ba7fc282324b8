package deb

import (
	"archive/tar"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/supermin-compile/supermin-compile/plan"
	"github.com/supermin-compile/supermin-compile/resolver"
)

// Entries describes the data.tar members of p's archive with the
// archive's metadata; each regular file's Src streams its bytes out of
// the archive when opened.
func (u *Universe) Entries(p *resolver.Package) ([]plan.Entry, error) {
	a, _, err := u.open(p)
	if err != nil {
		return nil, err
	}
	entries, err := a.list()
	if err != nil {
		return nil, err
	}
	return slices.Clone(entries), nil
}

// Files lists the paths p ships, in archive order, without the root.
func (u *Universe) Files(p *resolver.Package) ([]resolver.File, error) {
	a, d, err := u.open(p)
	if err != nil {
		return nil, err
	}
	entries, err := a.list()
	if err != nil {
		return nil, err
	}
	conf := map[string]bool{}
	for _, c := range d.conffiles {
		conf[path.Clean(c)] = true
	}
	files := make([]resolver.File, 0, len(entries))
	for _, e := range entries {
		if e.Path != "/" {
			files = append(files, resolver.File{Path: e.Path, Conffile: conf[e.Path]})
		}
	}
	return files, nil
}

// lister turns tar headers into entries, in archive order.
type lister struct {
	a       *archive
	index   int             // of the next header, as a cursor counts them
	regular map[string]bool // regular files so far: hard-link targets
	entries []plan.Entry
}

func newLister(a *archive) *lister { return &lister{a: a, regular: map[string]bool{}} }

func (l *lister) add(h *tar.Header) error {
	index := l.index
	l.index++
	if h.Typeflag == tar.TypeXGlobalHeader {
		return nil // PAX defaults, not a file
	}
	e, err := l.entry(h, index)
	if err != nil {
		return err
	}
	if e.Type == plan.Regular {
		l.regular[e.Path] = true
	}
	l.entries = append(l.entries, e)
	return nil
}

func (l *lister) entry(h *tar.Header, index int) (plan.Entry, error) {
	p, err := memberPath(h.Name)
	if err != nil {
		return plan.Entry{}, err
	}
	e := plan.Entry{Path: p, Mode: mode(h.Mode), UID: uint32(h.Uid), GID: uint32(h.Gid),
		MTime: h.ModTime, Xattrs: xattrs(h)}
	switch h.Typeflag {
	case tar.TypeReg:
		e.Type, e.Size = plan.Regular, h.Size
		if h.Size > 0 {
			e.Src = &memberSource{a: l.a, index: index, name: h.Name}
		}
	case tar.TypeDir:
		e.Type = plan.Dir
	case tar.TypeSymlink:
		e.Type, e.Link = plan.Symlink, h.Linkname
	case tar.TypeLink:
		e.Type = plan.Hardlink
		if e.Link, err = memberPath(h.Linkname); err != nil {
			return e, err
		}
		if !l.regular[e.Link] {
			return e, fmt.Errorf("hard link to %q, which is not an earlier regular file", h.Linkname)
		}
	case tar.TypeChar, tar.TypeBlock:
		e.Type, e.Rdev = plan.CharDev, unix.Mkdev(uint32(h.Devmajor), uint32(h.Devminor))
		if h.Typeflag == tar.TypeBlock {
			e.Type = plan.BlockDev
		}
	case tar.TypeFifo:
		e.Type = plan.FIFO
	default:
		return e, fmt.Errorf("unsupported tar entry type %q", h.Typeflag)
	}
	return e, nil
}

// memberPath makes a member name absolute and clean ("./usr/bin/x" is
// "/usr/bin/x", "./" is "/"), refusing names that climb out of the root.
func memberPath(name string) (string, error) {
	for _, part := range strings.Split(name, "/") {
		if part == ".." {
			return "", fmt.Errorf("member name %q leaves the archive root", name)
		}
	}
	return path.Clean("/" + name), nil
}

// mode maps tar's mode bits, special bits included, to a fs.FileMode.
func mode(m int64) fs.FileMode {
	fm := fs.FileMode(m) & fs.ModePerm
	if m&0o4000 != 0 {
		fm |= fs.ModeSetuid
	}
	if m&0o2000 != 0 {
		fm |= fs.ModeSetgid
	}
	if m&0o1000 != 0 {
		fm |= fs.ModeSticky
	}
	return fm
}

// xattrs keeps the extended attributes a PAX header carries (file
// capabilities, for instance), sorted by name as plan.Entry wants.
func xattrs(h *tar.Header) []plan.Xattr {
	var xs []plan.Xattr
	for k, v := range h.PAXRecords {
		if name, ok := strings.CutPrefix(k, "SCHILY.xattr."); ok {
			xs = append(xs, plan.Xattr{Name: name, Value: []byte(v)})
		}
	}
	slices.SortFunc(xs, func(a, b plan.Xattr) int { return strings.Compare(a.Name, b.Name) })
	return xs
}
