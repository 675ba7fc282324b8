package cpio

import (
	"fmt"
	"io"
)

// The newc ("SVR4 without CRC") format: a 110-byte ASCII header of
// "070701" and 13 eight-digit hex fields, the NUL-terminated name padded
// so header+name is a multiple of 4, then the data padded to 4.
const (
	magic      = "070701"
	headerSize = 110
	maxField   = 0xFFFFFFFF
	trailer    = "TRAILER!!!"
	// pathMax is the kernel's limit for a member name including its NUL
	// (init/initramfs.c skips longer ones) and for a symlink target.
	pathMax = 4096
)

// header holds the fields of one member; uint64 so that overflow is
// detected instead of silently wrapped.
type header struct {
	ino, mode, uid, gid, nlink, mtime, filesize uint64
	rdevmajor, rdevminor                        uint64
	name                                        string
}

var fieldNames = [...]string{"ino", "mode", "uid", "gid", "nlink", "mtime",
	"filesize", "devmajor", "devminor", "rdevmajor", "rdevminor", "namesize", "check"}

func (h *header) fields() [13]uint64 {
	return [13]uint64{h.ino, h.mode, h.uid, h.gid, h.nlink, h.mtime,
		h.filesize, 0, 0, h.rdevmajor, h.rdevminor, uint64(len(h.name)) + 1, 0}
}

// check reports the first field that does not fit in 8 hex digits.
func (h *header) check() error {
	for i, v := range h.fields() {
		if v > maxField {
			return fmt.Errorf("%s %d does not fit in a newc header (max %d)", fieldNames[i], v, uint64(maxField))
		}
	}
	return nil
}

// encode returns header, name, NUL and padding, ready to write.
func (h *header) encode() []byte {
	b := make([]byte, 0, headerSize+len(h.name)+4)
	b = append(b, magic...)
	for _, v := range h.fields() {
		b = fmt.Appendf(b, "%08X", v)
	}
	b = append(b, h.name...)
	b = append(b, 0)
	return append(b, make([]byte, pad4(int64(len(b))))...)
}

func pad4(n int64) int64 { return (4 - n%4) % 4 }

// writePad writes the zeros that align n bytes of data to 4.
func writePad(w io.Writer, n int64) error {
	_, err := w.Write(make([]byte, pad4(n)))
	return err
}
