package plan

import (
	"fmt"
	"io/fs"
)

// The bits of a Unix st_mode, as ext2 inodes, cpio and tar headers and rpm
// file lists store them: the file type (S_IFMT), then the permission bits
// beyond rwxrwxrwx. The values are the same on every system.
const (
	S_IFMT   = 0o170000
	S_IFSOCK = 0o140000
	S_IFLNK  = 0o120000
	S_IFREG  = 0o100000
	S_IFBLK  = 0o060000
	S_IFDIR  = 0o040000
	S_IFCHR  = 0o020000
	S_IFIFO  = 0o010000
	S_ISUID  = 0o4000
	S_ISGID  = 0o2000
	S_ISVTX  = 0o1000
)

// unixSpecial pairs the Unix special permission bits with Go's.
var unixSpecial = [...]struct {
	bit  uint32
	mode fs.FileMode
}{{S_ISUID, fs.ModeSetuid}, {S_ISGID, fs.ModeSetgid}, {S_ISVTX, fs.ModeSticky}}

// unixTypes pairs the Types that have a file type of their own with it.
var unixTypes = [...]struct {
	bits uint32
	t    Type
}{{S_IFDIR, Dir}, {S_IFREG, Regular}, {S_IFLNK, Symlink}, {S_IFCHR, CharDev},
	{S_IFBLK, BlockDev}, {S_IFIFO, FIFO}, {S_IFSOCK, Socket}}

// UnixPerm returns the permission bits of a Go mode as the four octal
// digits Unix stores, ls and stat print (setuid 4000, setgid 2000, sticky
// 1000).
func UnixPerm(m fs.FileMode) uint32 {
	u := uint32(m.Perm())
	for _, s := range unixSpecial {
		if m&s.mode != 0 {
			u |= s.bit
		}
	}
	return u
}

// PermOf is UnixPerm's inverse: the permission bits of a Unix mode as an
// Entry's Mode. Type bits are ignored.
func PermOf(u uint32) fs.FileMode {
	m := fs.FileMode(u) & fs.ModePerm
	for _, s := range unixSpecial {
		if u&s.bit != 0 {
			m |= s.mode
		}
	}
	return m
}

// UnixType returns the file type bits of t: a Hardlink is S_IFREG, the
// type of the file it links to; an unknown Type is 0.
func UnixType(t Type) uint32 {
	if t == Hardlink {
		t = Regular
	}
	for _, u := range unixTypes {
		if u.t == t {
			return u.bits
		}
	}
	return 0
}

// FromUnixMode splits a whole Unix mode into an Entry's Type and Mode; a
// file type that is none of S_IF* is an error.
func FromUnixMode(u uint32) (Type, fs.FileMode, error) {
	for _, ut := range unixTypes {
		if u&S_IFMT == ut.bits {
			return ut.t, PermOf(u), nil
		}
	}
	return 0, 0, fmt.Errorf("unknown file type in mode %#o", u)
}
