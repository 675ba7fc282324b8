package deb

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// arMember is one member of an ar archive: where its bytes are.
type arMember struct {
	name      string
	off, size int64
}

const (
	arMagic     = "!<arch>\n"
	arHeaderLen = 60
)

// readAr lists the members of the ar archive r of the given size. It reads
// only the 60-byte headers, skipping over the data.
func readAr(r io.ReaderAt, size int64) ([]arMember, error) {
	var magic [len(arMagic)]byte
	if _, err := r.ReadAt(magic[:], 0); err != nil || string(magic[:]) != arMagic {
		return nil, fmt.Errorf("not an ar archive (no %q magic)", strings.TrimSpace(arMagic))
	}
	var members []arMember
	for off := int64(len(arMagic)); off < size; {
		m, err := readArHeader(r, off, size)
		if err != nil {
			return nil, err
		}
		members = append(members, m)
		off = m.off + m.size + m.size%2 // data is padded to an even offset
	}
	return members, nil
}

func readArHeader(r io.ReaderAt, off, size int64) (arMember, error) {
	var h [arHeaderLen]byte
	if _, err := r.ReadAt(h[:], off); err != nil {
		return arMember{}, fmt.Errorf("ar header at offset %d: %w", off, unexpected(err))
	}
	if string(h[58:60]) != "`\n" {
		return arMember{}, fmt.Errorf("ar header at offset %d: bad terminator", off)
	}
	// GNU ar ends names with "/"; dpkg pads with spaces only.
	name := strings.TrimRight(string(bytes.TrimRight(h[0:16], " ")), "/")
	n, err := strconv.ParseInt(strings.TrimSpace(string(h[48:58])), 10, 64)
	if err != nil || n < 0 {
		return arMember{}, fmt.Errorf("ar member %q: bad size %q", name, bytes.TrimSpace(h[48:58]))
	}
	m := arMember{name: name, off: off + arHeaderLen, size: n}
	if m.size > size-m.off {
		return arMember{}, fmt.Errorf("ar member %q: %d bytes, but the file ends %d bytes after its header", name, n, size-m.off)
	}
	return m, nil
}

// unexpected turns EOF inside a structure into ErrUnexpectedEOF, which
// reads as "truncated" in a message.
func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
