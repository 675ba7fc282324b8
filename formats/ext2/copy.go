package ext2

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"

	"github.com/supermin-compile/supermin-compile/internal/parallel"
	"github.com/supermin-compile/supermin-compile/plan"
	"golang.org/x/sys/unix"
)

const copyBufSize = 1 << 20

// dataRanges stats a host file, checks its size against the plan and
// returns the logical blocks that hold data. Files whose allocated size
// covers their length are taken as dense without asking for holes.
func dataRanges(path string, size, bs int64) ([]blkRange, error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return nil, fmt.Errorf("stat source %s: %w", path, err)
	}
	if st.Size != size {
		return nil, fmt.Errorf("source %s is %d bytes, the plan says %d", path, st.Size, size)
	}
	nblk := (size + bs - 1) / bs
	dense := []blkRange{{0, nblk}}
	if size == 0 {
		return nil, nil
	}
	if st.Blocks*512 >= size {
		return dense, nil
	}
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open source %s: %w", path, err)
	}
	defer unix.Close(fd)
	var rs []blkRange
	for off := int64(0); off < size; {
		data, err := unix.Seek(fd, off, unix.SEEK_DATA)
		if err == unix.ENXIO { // only a hole is left
			break
		}
		if err == unix.EINVAL { // no SEEK_DATA here: copy everything
			return dense, nil
		}
		if err != nil {
			return nil, fmt.Errorf("seeking data in %s: %w", path, err)
		}
		hole, err := unix.Seek(fd, data, unix.SEEK_HOLE)
		if err != nil {
			return nil, fmt.Errorf("seeking hole in %s: %w", path, err)
		}
		rs = addRange(rs, blkRange{data / bs, min((hole+bs-1)/bs, nblk)})
		off = hole
	}
	return rs, nil
}

// addRange appends r to sorted rs, merging when they touch (host holes
// need not be aligned to our blocks).
func addRange(rs []blkRange, r blkRange) []blkRange {
	if r.start >= r.end {
		return rs
	}
	if k := len(rs) - 1; k >= 0 && rs[k].end >= r.start {
		rs[k].end = max(rs[k].end, r.end)
		return rs
	}
	return append(rs, r)
}

// copyData copies every regular file's data to its blocks from workers
// goroutines. Each file goes to fixed offsets, so the order is irrelevant.
func (fsys *filesystem) copyData(f *os.File, workers int, progress plan.Progress) error {
	var jobs []*node
	for _, n := range fsys.nodes {
		if n.ftype == ftRegular && n.nData > 0 {
			jobs = append(jobs, n)
		}
	}
	dst := int(f.Fd())
	err := parallel.ForWorkers(len(jobs), workers, func() func(int) error {
		c := &copier{f: f, dst: dst, bs: fsys.bs}
		return func(i int) error {
			err := c.file(jobs[i])
			progress.Report(jobs[i].size)
			return err
		}
	})
	runtime.KeepAlive(f)
	return err
}

// copier is one worker's state.
type copier struct {
	f   *os.File
	dst int
	bs  int64
	buf []byte
}

// file copies one regular file.
func (c *copier) file(n *node) error {
	if c.buf == nil {
		c.buf = make([]byte, copyBufSize)
	}
	var err error
	if hp, ok := plan.HostPath(n.e.Src); ok {
		err = c.host(n, hp)
	} else {
		err = c.stream(n)
	}
	if err != nil {
		return fmt.Errorf("ext2: copying %s: %w", n.e.Path, err)
	}
	return nil
}

// host copies a host file extent by extent, with copy_file_range when the
// kernel can, so that same-filesystem copies can share or skip the page
// cache.
func (c *copier) host(n *node, path string) error {
	src, err := os.Open(path)
	if err != nil {
		return err
	}
	defer src.Close()
	fi, err := src.Stat()
	if err != nil {
		return err
	}
	if fi.Size() != n.size {
		return fmt.Errorf("source %s changed size since planning: %d bytes, was %d", path, fi.Size(), n.size)
	}
	sfd := int(src.Fd())
	for _, e := range n.extents {
		off := e.logical * c.bs
		length := min(e.n*c.bs, n.size-off)
		if err := c.copyRange(src, sfd, off, int64(e.phys)*c.bs, length); err != nil {
			return fmt.Errorf("source %s: %w", path, err)
		}
	}
	return nil
}

var errShrunk = errors.New("source ended early: it changed since planning")

// copyFileRange is unix.CopyFileRange; tests replace it to exercise the
// fallback.
var copyFileRange = unix.CopyFileRange

// copyRange copies length bytes from srcOff to dstOff, falling back to
// read and write where copy_file_range is not possible (across
// filesystems on some kernels, or unsupported).
func (c *copier) copyRange(src *os.File, sfd int, srcOff, dstOff, length int64) error {
	for length > 0 {
		k, err := copyFileRange(sfd, &srcOff, c.dst, &dstOff, int(min(length, 1<<30)), 0)
		switch {
		case err == nil && k == 0:
			return errShrunk
		case err == nil:
			length -= int64(k)
			continue
		case err == unix.EINTR:
			continue
		case err != unix.EXDEV && err != unix.EINVAL && err != unix.ENOSYS && err != unix.EOPNOTSUPP:
			return fmt.Errorf("copy_file_range: %w", err)
		}
		w, err := io.CopyBuffer(io.NewOffsetWriter(c.f, dstOff), io.NewSectionReader(src, srcOff, length), c.buf)
		if err != nil {
			return err
		}
		if w < length {
			return errShrunk
		}
		return nil
	}
	return nil
}

// stream copies a source that can only be read in order. Its blocks are
// dense, so extents follow each other logically.
func (c *copier) stream(n *node) error {
	rc, err := n.e.Src.Open()
	if err != nil {
		return fmt.Errorf("opening %s: %w", n.e.Src, err)
	}
	defer rc.Close()
	for _, e := range n.extents {
		length := min(e.n*c.bs, n.size-e.logical*c.bs)
		w := io.NewOffsetWriter(c.f, int64(e.phys)*c.bs)
		k, err := io.CopyBuffer(w, io.LimitReader(rc, length), c.buf)
		if err != nil {
			return fmt.Errorf("reading %s: %w", n.e.Src, err)
		}
		if k < length {
			return fmt.Errorf("%s: %w", n.e.Src, errShrunk)
		}
	}
	if k, _ := io.ReadFull(rc, c.buf[:1]); k > 0 {
		return fmt.Errorf("%s is longer than the %d bytes planned", n.e.Src, n.size)
	}
	return nil
}
