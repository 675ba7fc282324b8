package rpm

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/supermin-compile/supermin-compile/internal/decompress"
	"github.com/supermin-compile/supermin-compile/plan"
)

// payload reads an rpm's cpio (newc) payload member by member.
type payload struct {
	f      *os.File
	z      *decompress.Reader
	r      *bufio.Reader
	remain int64 // unread data of the current member
	pad    int64 // padding after it
}

const newcHeaderSize = 110

// openPayload opens path's payload, which starts at offset.
func openPayload(path string, offset int64) (*payload, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		f.Close()
		return nil, err
	}
	z, err := decompress.New(bufio.NewReaderSize(f, 64<<10))
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("payload: %w", err)
	}
	return &payload{f: f, z: z, r: bufio.NewReaderSize(z, 32<<10)}, nil
}

func (p *payload) Close() error {
	p.z.Close()
	return p.f.Close()
}

// cpioHeader is what Next reports of a member.
type cpioHeader struct {
	name     string
	mode     int64
	filesize int64
}

// next skips to the next member's header; io.EOF at the trailer.
func (p *payload) next() (cpioHeader, error) {
	if _, err := p.r.Discard(int(p.remain + p.pad)); err != nil {
		return cpioHeader{}, unexpected(err)
	}
	p.remain, p.pad = 0, 0
	var raw [newcHeaderSize]byte
	if _, err := io.ReadFull(p.r, raw[:]); err != nil {
		return cpioHeader{}, fmt.Errorf("cpio header: %w", unexpected(err))
	}
	magic := string(raw[:6])
	if magic == "07070X" {
		return cpioHeader{}, fmt.Errorf("stripped cpio payloads (rpm's format for files over 4 GiB) are not supported")
	}
	if magic != "070701" && magic != "070702" {
		return cpioHeader{}, fmt.Errorf("cpio header: bad magic %q", magic)
	}
	field := func(i int) (int64, error) {
		v, err := strconv.ParseUint(string(raw[6+8*i:14+8*i]), 16, 32)
		return int64(v), err
	}
	var h cpioHeader
	var namesize int64
	var err error
	for _, f := range []struct {
		i   int
		dst *int64
	}{{1, &h.mode}, {6, &h.filesize}, {11, &namesize}} {
		if *f.dst, err = field(f.i); err != nil {
			return h, fmt.Errorf("cpio header: %w", err)
		}
	}
	if namesize < 1 || namesize > 1<<16 {
		return h, fmt.Errorf("cpio header: name size %d", namesize)
	}
	name := make([]byte, namesize)
	if _, err := io.ReadFull(p.r, name); err != nil {
		return h, fmt.Errorf("cpio name: %w", unexpected(err))
	}
	h.name = string(name[:namesize-1])
	if _, err := p.r.Discard(int(pad4(newcHeaderSize + namesize))); err != nil {
		return h, unexpected(err)
	}
	if h.name == "TRAILER!!!" {
		return h, io.EOF
	}
	p.remain, p.pad = h.filesize, pad4(h.filesize)
	return h, nil
}

func pad4(n int64) int64 { return (4 - n%4) % 4 }

// Next implements members.Stream: regular files report their data size.
func (p *payload) Next() (string, int64, error) {
	h, err := p.next()
	if err != nil {
		return "", 0, err
	}
	if h.mode&plan.S_IFMT != plan.S_IFREG {
		return h.name, 0, nil
	}
	return h.name, h.filesize, nil
}

func (p *payload) Read(b []byte) (int, error) {
	if p.remain <= 0 {
		return 0, io.EOF
	}
	n, err := p.r.Read(b[:min(int64(len(b)), p.remain)])
	p.remain -= int64(n)
	if err == io.EOF && p.remain > 0 {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}
