package plan

import (
	"archive/tar"
	"fmt"
	"path"
	"slices"
	"strings"

	"golang.org/x/sys/unix"
)

// FromTar describes a tar member as an Entry: clean absolute path, type,
// mode with setuid/setgid/sticky, owner, mtime, link target, device
// number, and the extended attributes of PAX records. A regular file gets
// its Size; its Src is the caller's to set. Names that climb out of the
// root and member types a Plan cannot hold are errors.
func FromTar(h *tar.Header) (Entry, error) {
	p, err := MemberPath(h.Name)
	if err != nil {
		return Entry{}, err
	}
	e := Entry{Path: p, Mode: PermOf(uint32(h.Mode)), UID: uint32(h.Uid), GID: uint32(h.Gid), MTime: h.ModTime, Xattrs: tarXattrs(h)}
	switch h.Typeflag {
	case tar.TypeReg, tar.TypeRegA:
		e.Type, e.Size = Regular, h.Size
	case tar.TypeDir:
		e.Type = Dir
	case tar.TypeSymlink:
		e.Type, e.Link = Symlink, h.Linkname
	case tar.TypeLink:
		e.Type = Hardlink
		if e.Link, err = MemberPath(h.Linkname); err != nil {
			return e, err
		}
	case tar.TypeChar, tar.TypeBlock:
		e.Type, e.Rdev = CharDev, unix.Mkdev(uint32(h.Devmajor), uint32(h.Devminor))
		if h.Typeflag == tar.TypeBlock {
			e.Type = BlockDev
		}
	case tar.TypeFifo:
		e.Type = FIFO
	default:
		return e, fmt.Errorf("unsupported tar entry type %q", h.Typeflag)
	}
	return e, nil
}

// MemberPath makes a tar member name absolute and clean ("./usr/bin/x" is
// "/usr/bin/x", "./" is "/"), refusing names that climb out of the root.
func MemberPath(name string) (string, error) {
	for _, part := range strings.Split(name, "/") {
		if part == ".." {
			return "", fmt.Errorf("member name %q leaves the archive root", name)
		}
	}
	return path.Clean("/" + name), nil
}

// tarXattrs keeps the extended attributes a PAX header carries (file
// capabilities, for instance), sorted by name.
func tarXattrs(h *tar.Header) []Xattr {
	var xs []Xattr
	for k, v := range h.PAXRecords {
		if name, ok := strings.CutPrefix(k, "SCHILY.xattr."); ok {
			xs = append(xs, Xattr{Name: name, Value: []byte(v)})
		}
	}
	slices.SortFunc(xs, func(a, b Xattr) int { return strings.Compare(a.Name, b.Name) })
	return xs
}
