// Package plan is the contract in the middle of supermin-compile: everything
// before it (resolver, globber, tarballs, inline files) produces Entries,
// everything after it (the formats) consumes them. Around the Plan it has
// what both sides share: FromTar reads a tar member as an Entry,
// NormalizeLinks gives hard links the shape the formats take, Validate
// checks the rest of what they rely on, CopyData copies a file's bytes,
// UnixPerm and FromUnixMode translate modes to and from Unix's bits,
// and WriteList and WriteJSON print a Plan for `list`, names escaped
// (Escape). It knows nothing about packages, and writes no output format.
package plan

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"time"
)

// Type is the kind of an Entry.
type Type uint8

const (
	Dir Type = iota + 1
	Regular
	Symlink
	CharDev
	BlockDev
	FIFO
	Socket
	Hardlink // Link names the path of an earlier Regular entry
)

var typeNames = [...]string{Dir: "dir", Regular: "file", Symlink: "symlink",
	CharDev: "chardev", BlockDev: "blockdev", FIFO: "fifo", Socket: "socket",
	Hardlink: "hardlink"}

func (t Type) String() string {
	if int(t) < len(typeNames) && typeNames[t] != "" {
		return typeNames[t]
	}
	return fmt.Sprintf("type(%d)", t)
}

// TypeOf maps a file mode's type bits to a Type.
func TypeOf(m fs.FileMode) Type {
	switch {
	case m.IsDir():
		return Dir
	case m&fs.ModeSymlink != 0:
		return Symlink
	case m&fs.ModeNamedPipe != 0:
		return FIFO
	case m&fs.ModeSocket != 0:
		return Socket
	case m&fs.ModeCharDevice != 0:
		return CharDev
	case m&fs.ModeDevice != 0:
		return BlockDev
	}
	return Regular
}

// Entry is one path of the appliance.
type Entry struct {
	Path     string      // absolute, clean, "/" separated
	Type     Type        //
	Mode     fs.FileMode // permission bits plus fs.ModeSetuid, ModeSetgid, ModeSticky
	UID, GID uint32      //
	MTime    time.Time   //
	Size     int64       // regular files only
	Link     string      // symlink target, or hard-link target path
	Rdev     uint64      // device number (unix.Mkdev encoding) for devices
	Src      Source      // where a regular file's bytes come from
	Origin   Origin      // where it comes from: a package, the host, a tarball, ...
	Xattrs   []Xattr     // extended attributes (e.g. security.capability), sorted by name
}

// Xattr is one extended attribute.
type Xattr struct {
	Name  string
	Value []byte
}

// Source yields the bytes of a regular file.
type Source interface {
	Open() (io.ReadCloser, error)
	String() string // for messages
}

// HostFile is a file read from the build host (or a package root) at build time.
type HostFile string

func (h HostFile) Open() (io.ReadCloser, error) { return os.Open(string(h)) }
func (h HostFile) String() string               { return string(h) }
func (h HostFile) HostPath() string             { return string(h) }

// HostBacked is a Source that reads a file of the build host, as it is:
// HostPath names that file. Sources that wrap a HostFile are HostBacked by
// embedding it.
type HostBacked interface {
	Source
	HostPath() string
}

var _ HostBacked = HostFile("")

// HostPath returns the host file a Source reads, when it reads one, so
// that a format can copy it with copy_file_range and see its holes.
func HostPath(s Source) (string, bool) {
	h, ok := s.(HostBacked)
	if !ok {
		return "", false
	}
	return h.HostPath(), true
}

// Bytes is content held in memory: inline files and base tarball members.
type Bytes []byte

func (b Bytes) Open() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
func (b Bytes) String() string               { return fmt.Sprintf("%d inline bytes", len(b)) }

// Progress is told, as a format writes, the size of each non-empty regular
// file whose data is written. It must be safe for concurrent use; nil means
// nobody is listening.
type Progress func(bytes int64)

// Report calls p if it is set.
func (p Progress) Report(bytes int64) {
	if p != nil {
		p(bytes)
	}
}

// Plan is the whole appliance: entries sorted by path, parents before
// children, every parent directory present, "/" first.
type Plan struct {
	Entries []Entry
}

// Sort orders entries by path, the order a Plan keeps.
func Sort(entries []Entry) {
	sort.Slice(entries, func(i, j int) bool { return entries[i].Path < entries[j].Path })
}
