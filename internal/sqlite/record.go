package sqlite

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// varint decodes a SQLite varint: big-endian, 7 bits per byte while the high
// bit is set, and all 8 bits of a ninth byte. n is 0 if b ends too early.
func varint(b []byte) (v uint64, n int) {
	for i := 0; i < len(b) && i < 9; i++ {
		if i == 8 {
			return v<<8 | uint64(b[i]), 9
		}
		v = v<<7 | uint64(b[i]&0x7f)
		if b[i] < 0x80 {
			return v, i + 1
		}
	}
	return 0, 0
}

// intSizes are the byte widths of serial types 1 to 6.
var intSizes = [...]uint64{1: 1, 2: 2, 3: 3, 4: 4, 5: 6, 6: 8}

// decodeRecord splits a record into its values: nil, int64, float64, string
// or []byte; the []byte values share b.
func decodeRecord(b []byte) ([]any, error) {
	hlen, n := varint(b)
	if n == 0 || hlen < uint64(n) || hlen > uint64(len(b)) {
		return nil, errors.New("bad record header size")
	}
	hdr, body := b[n:hlen], b[hlen:]
	values := make([]any, 0, len(hdr))
	for len(hdr) > 0 {
		st, k := varint(hdr)
		if k == 0 {
			return nil, errors.New("bad varint in record header")
		}
		hdr = hdr[k:]
		var size uint64
		switch {
		case st >= 12:
			size = (st - 12) / 2
		case st == 10 || st == 11:
			return nil, fmt.Errorf("reserved serial type %d", st)
		case st <= 6:
			size = intSizes[st]
		case st == 7:
			size = 8
		}
		if size > uint64(len(body)) {
			return nil, errors.New("record body too short")
		}
		values = append(values, value(st, body[:size:size]))
		body = body[size:]
	}
	return values, nil
}

// value converts the bytes v of serial type st.
func value(st uint64, v []byte) any {
	switch {
	case st == 0:
		return nil
	case st <= 6:
		var x uint64
		for _, c := range v {
			x = x<<8 | uint64(c)
		}
		shift := 64 - 8*len(v) // sign-extend from the top byte
		return int64(x<<shift) >> shift
	case st == 7:
		return math.Float64frombits(binary.BigEndian.Uint64(v))
	case st == 8 || st == 9:
		return int64(st - 8)
	case st%2 == 0:
		return v
	}
	return string(v)
}
