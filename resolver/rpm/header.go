package rpm

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// An rpm file is a 96-byte lead, a signature header padded to 8 bytes, the
// main header, then the compressed cpio payload. A header is an index of
// 16-byte entries (tag, type, offset, count) over a data store; the rpm
// database stores the same header as a blob, without the 8-byte magic.

var (
	leadMagic   = []byte{0xed, 0xab, 0xee, 0xdb}
	headerMagic = []byte{0x8e, 0xad, 0xe8, 0x01}
)

const (
	leadSize = 96
	// maxHeader bounds what one header may claim, as rpm does (256 MiB of
	// data, 64k entries), before anything is allocated.
	maxHeaderData  = 256 << 20
	maxHeaderIndex = 0xffff
)

// Header tags used here (rpmtag.h).
const (
	tagName             = 1000
	tagVersion          = 1001
	tagRelease          = 1002
	tagEpoch            = 1003
	tagLicense          = 1014
	tagOldFilenames     = 1027
	tagFileSizes        = 1028
	tagFileModes        = 1030
	tagFileRdevs        = 1033
	tagFileMtimes       = 1034
	tagFileLinkTos      = 1036
	tagFileFlags        = 1037
	tagFileUserName     = 1039
	tagFileGroupName    = 1040
	tagArch             = 1022
	tagProvideName      = 1047
	tagRequireFlags     = 1048
	tagRequireName      = 1049
	tagRequireVersion   = 1050
	tagConflictFlags    = 1053
	tagConflictName     = 1054
	tagConflictVersion  = 1055
	tagObsoleteName     = 1090
	tagFileDevices      = 1095
	tagFileInodes       = 1096
	tagSourcePackage    = 1106
	tagProvideFlags     = 1112
	tagProvideVersion   = 1113
	tagDirIndexes       = 1116
	tagBaseNames        = 1117
	tagDirNames         = 1118
	tagObsoleteFlags    = 1114
	tagObsoleteVersion  = 1115
	tagLongFileSizes    = 5008
	tagRecommendName    = 5046
	tagRecommendVersion = 5047
	tagRecommendFlags   = 5048
	tagSuggestName      = 5049
	tagSuggestVersion   = 5050
	tagSuggestFlags     = 5051
)

// Entry types.
const (
	typeChar        = 1
	typeInt8        = 2
	typeInt16       = 3
	typeInt32       = 4
	typeInt64       = 5
	typeString      = 6
	typeBin         = 7
	typeStringArray = 8
	typeI18NString  = 9
)

type indexEntry struct {
	typ, count uint32
	offset     int32
}

// header is a parsed header: its index by tag, over its data store.
type header struct {
	index map[uint32]indexEntry
	data  []byte
}

// readFileHeaders reads the lead and both headers of an rpm file and
// returns the main header and the payload's offset in the file.
func readFileHeaders(r io.Reader) (*header, int64, error) {
	h, err := readHeaders(r, nil)
	if err != nil {
		return nil, 0, err
	}
	return h.main, h.payload, nil
}

// headers are the two headers of an rpm file.
type headers struct {
	sig, main *header
	payload   int64 // the payload's offset in the file
}

// readHeaders reads the lead and both headers of an rpm file; raw, when
// not nil, gets the main header as the file stores it.
func readHeaders(r io.Reader, raw io.Writer) (*headers, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	lead := make([]byte, leadSize)
	if _, err := io.ReadFull(br, lead); err != nil {
		return nil, fmt.Errorf("lead: %w", unexpected(err))
	}
	if !bytes.Equal(lead[:4], leadMagic) {
		return nil, errors.New("not an rpm file (bad lead magic)")
	}
	sig, sigSize, err := readHeader(br, true)
	if err != nil {
		return nil, fmt.Errorf("signature header: %w", err)
	}
	pad := (8 - sigSize%8) % 8
	if _, err := br.Discard(int(pad)); err != nil {
		return nil, fmt.Errorf("signature header: %w", unexpected(err))
	}
	var hr io.Reader = br
	if raw != nil {
		hr = io.TeeReader(br, raw)
	}
	h, size, err := readHeader(hr, true)
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	return &headers{sig: sig, main: h, payload: leadSize + sigSize + pad + size}, nil
}

// readHeader reads one header, with its magic when magic is set, and
// returns it with its size in bytes.
func readHeader(r io.Reader, magic bool) (*header, int64, error) {
	pre := 8
	if magic {
		pre = 16
	}
	intro := make([]byte, pre)
	if _, err := io.ReadFull(r, intro); err != nil {
		return nil, 0, unexpected(err)
	}
	if magic {
		if !bytes.Equal(intro[:4], headerMagic) {
			return nil, 0, errors.New("bad header magic")
		}
		intro = intro[8:]
	}
	nindex, size, err := headerSize(intro)
	if err != nil {
		return nil, 0, err
	}
	// Read what is there rather than allocate what the header claims: a
	// damaged size must not cost hundreds of MiB.
	body, err := io.ReadAll(io.LimitReader(r, size))
	if err == nil && int64(len(body)) < size {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		return nil, 0, err
	}
	h, err := parseIndex(body, nindex)
	return h, int64(pre) + size, err
}

// headerSize reads the entry count and data size that start a header and
// returns the count and the size of what follows.
func headerSize(b []byte) (uint32, int64, error) {
	nindex, hsize := binary.BigEndian.Uint32(b), binary.BigEndian.Uint32(b[4:])
	if nindex > maxHeaderIndex || hsize > maxHeaderData {
		return 0, 0, fmt.Errorf("header too large (%d entries, %d bytes)", nindex, hsize)
	}
	return nindex, int64(nindex)*16 + int64(hsize), nil
}

// parseBlob parses a header as the rpm database stores it.
func parseBlob(b []byte) (*header, error) {
	if len(b) < 8 {
		return nil, io.ErrUnexpectedEOF
	}
	nindex, size, err := headerSize(b)
	if err != nil {
		return nil, err
	}
	if int64(len(b)-8) < size {
		return nil, io.ErrUnexpectedEOF
	}
	return parseIndex(b[8:8+size], nindex)
}

func parseIndex(body []byte, nindex uint32) (*header, error) {
	h := &header{index: make(map[uint32]indexEntry, nindex), data: body[nindex*16:]}
	for i := range nindex {
		e := body[i*16:]
		tag := binary.BigEndian.Uint32(e)
		ie := indexEntry{
			typ:    binary.BigEndian.Uint32(e[4:]),
			offset: int32(binary.BigEndian.Uint32(e[8:])),
			count:  binary.BigEndian.Uint32(e[12:]),
		}
		if ie.offset < 0 || int(ie.offset) > len(h.data) {
			return nil, fmt.Errorf("tag %d: offset %d outside the %d-byte data store", tag, ie.offset, len(h.data))
		}
		h.index[tag] = ie
	}
	return h, nil
}

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// strings returns a string, string array or i18n string entry; nil when
// the tag is absent.
func (h *header) strings(tag uint32) ([]string, error) {
	e, ok := h.index[tag]
	if !ok {
		return nil, nil
	}
	switch e.typ {
	case typeString, typeStringArray, typeI18NString:
	default:
		return nil, fmt.Errorf("tag %d: type %d is not a string", tag, e.typ)
	}
	if e.typ == typeString {
		e.count = 1 // rpm writes 1; be lenient about it
	}
	out := make([]string, 0, min(e.count, 1<<16))
	rest := h.data[e.offset:]
	for range e.count {
		i := bytes.IndexByte(rest, 0)
		if i < 0 {
			return nil, fmt.Errorf("tag %d: string runs past the data store", tag)
		}
		out = append(out, string(rest[:i]))
		rest = rest[i+1:]
	}
	return out, nil
}

// str returns a single string; "" when absent.
func (h *header) str(tag uint32) (string, error) {
	s, err := h.strings(tag)
	if err != nil || len(s) == 0 {
		return "", err
	}
	return s[0], nil
}

// ints returns an integer entry of any width, widened to int64 (16- and
// 32-bit values are unsigned in rpm: modes, rdevs, sizes).
func (h *header) ints(tag uint32) ([]int64, error) {
	e, ok := h.index[tag]
	if !ok {
		return nil, nil
	}
	var width int
	switch e.typ {
	case typeChar, typeInt8:
		width = 1
	case typeInt16:
		width = 2
	case typeInt32:
		width = 4
	case typeInt64:
		width = 8
	default:
		return nil, fmt.Errorf("tag %d: type %d is not an integer", tag, e.typ)
	}
	if int64(e.count)*int64(width) > int64(len(h.data))-int64(e.offset) {
		return nil, fmt.Errorf("tag %d: %d values run past the data store", tag, e.count)
	}
	b := h.data[e.offset:]
	out := make([]int64, e.count)
	for i := range out {
		switch width {
		case 1:
			out[i] = int64(b[i])
		case 2:
			out[i] = int64(binary.BigEndian.Uint16(b[2*i:]))
		case 4:
			out[i] = int64(binary.BigEndian.Uint32(b[4*i:]))
		case 8:
			out[i] = int64(binary.BigEndian.Uint64(b[8*i:]))
		}
	}
	return out, nil
}

// bin returns a binary entry; nil when the tag is absent.
func (h *header) bin(tag uint32) ([]byte, error) {
	e, ok := h.index[tag]
	if !ok {
		return nil, nil
	}
	if e.typ != typeBin {
		return nil, fmt.Errorf("tag %d: type %d is not binary", tag, e.typ)
	}
	if int64(e.count) > int64(len(h.data))-int64(e.offset) {
		return nil, fmt.Errorf("tag %d: %d bytes run past the data store", tag, e.count)
	}
	return h.data[e.offset : int64(e.offset)+int64(e.count)], nil
}

// has reports whether the header carries tag.
func (h *header) has(tag uint32) bool {
	_, ok := h.index[tag]
	return ok
}
