package cpio

import (
	"bytes"
	"fmt"
	"strconv"
)

// rmember is one member as read back by readNewc, the test's own
// minimal reader, independent of layout.go.
type rmember struct {
	f    [13]uint64 // ino mode uid gid nlink mtime filesize devmaj devmin rdevmaj rdevmin namesize check
	name string
	data []byte
}

// readNewc parses a whole uncompressed archive, checking alignment.
func readNewc(b []byte) ([]rmember, error) {
	var out []rmember
	off := 0
	for {
		m, next, err := readMember(b, off)
		if err != nil {
			return nil, fmt.Errorf("at offset %d: %w", off, err)
		}
		if m.name == trailer {
			if next != len(b) {
				return nil, fmt.Errorf("%d bytes after trailer", len(b)-next)
			}
			return out, nil
		}
		out = append(out, m)
		off = next
	}
}

func readMember(b []byte, off int) (rmember, int, error) {
	var m rmember
	if off%4 != 0 || len(b) < off+headerSize || string(b[off:off+6]) != magic {
		return m, 0, fmt.Errorf("no newc header")
	}
	for i := range m.f {
		s := string(b[off+6+8*i : off+14+8*i])
		v, err := strconv.ParseUint(s, 16, 32)
		if err != nil {
			return m, 0, fmt.Errorf("field %d %q: %w", i, s, err)
		}
		m.f[i] = v
	}
	nameEnd := off + headerSize + int(m.f[11])
	dataStart := nameEnd + int(pad4(int64(nameEnd)))
	dataEnd := dataStart + int(m.f[6])
	end := dataEnd + int(pad4(int64(dataEnd)))
	if m.f[11] == 0 || end > len(b) || b[nameEnd-1] != 0 {
		return m, 0, fmt.Errorf("truncated member or unterminated name")
	}
	m.name = string(b[off+headerSize : nameEnd-1])
	m.data = b[dataStart:dataEnd]
	if !bytes.Equal(b[nameEnd:dataStart], make([]byte, dataStart-nameEnd)) ||
		!bytes.Equal(b[dataEnd:end], make([]byte, end-dataEnd)) {
		return m, 0, fmt.Errorf("%s: non-zero padding", m.name)
	}
	return m, end, nil
}
