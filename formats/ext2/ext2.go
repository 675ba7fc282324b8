// Package ext2 writes a Plan as an ext2 (revision 1) filesystem image.
//
// The writer never mounts anything and never runs mke2fs. It works in three
// steps so that the expensive part (file data) is a plain parallel copy:
//
//  1. build: turn the Plan into inodes, directory blocks, xattr blocks and
//     per-file maps of which logical blocks hold data (holes of sparse host
//     files are found with SEEK_DATA/SEEK_HOLE). Nothing here depends on the
//     image size, so Needed can reuse it.
//  2. layout: choose the geometry (groups, inode tables) for the image size
//     and hand out every block number, in Plan order, from one cursor.
//  3. write: superblocks, descriptors, bitmaps, inode tables, directories
//     and indirect blocks, then copy file data at fixed offsets with
//     copy_file_range from several goroutines.
//
// The result is deterministic: the same Plan, UUID and Time give the same
// bytes, whatever the number of workers.
package ext2

import (
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/supermin-compile/supermin-compile/plan"
)

// Options controls the shape of the image.
type Options struct {
	Size      int64     // image size in bytes (the file is made sparse at this size)
	BlockSize int       // 4096 by default; 1024 and 2048 are allowed too
	UUID      [16]byte  // zero means random
	Label     string    // volume name, at most 16 bytes
	Time      time.Time // superblock, lost+found and crtime, and entries without MTime; zero means now
	Workers   int       // parallel data copiers; 0 means runtime.GOMAXPROCS
	Progress  plan.Progress
}

// ErrTooSmall is returned (wrapped, with the needed size) when the plan does
// not fit in Options.Size.
var ErrTooSmall = errors.New("image too small")

const mib = 1 << 20

// Write writes an ext2 filesystem holding p to f. f is truncated and then
// extended to opts.Size, so blocks that stay zero are holes.
func Write(f *os.File, p *plan.Plan, opts Options) error {
	opts, err := normalize(opts)
	if err != nil {
		return err
	}
	fsys, err := build(p, opts.BlockSize, true)
	if err != nil {
		return err
	}
	ge, err := fsys.fit(opts.Size)
	if err != nil {
		return err
	}
	fsys.allocate(ge)
	if err := f.Truncate(0); err != nil {
		return fmt.Errorf("ext2: truncating %s: %w", f.Name(), err)
	}
	if err := f.Truncate(opts.Size); err != nil {
		return fmt.Errorf("ext2: sizing %s to %d bytes: %w", f.Name(), opts.Size, err)
	}
	if err := fsys.writeMetadata(f, ge, opts); err != nil {
		return fmt.Errorf("ext2: writing metadata to %s: %w", f.Name(), err)
	}
	return fsys.copyData(f, opts.Workers, opts.Progress)
}

// Needed returns the smallest image size, in bytes, that holds p with the
// block size of opts, or 0 when p cannot be written at all (Write says why).
func Needed(p *plan.Plan, opts Options) int64 {
	opts, err := normalize(opts)
	if err != nil {
		return 0
	}
	fsys, err := build(p, opts.BlockSize, false) // lenient: size for what can be known
	if err != nil {
		return 0
	}
	return fsys.needed()
}

// fit returns the geometry for an image of size bytes, or an ErrTooSmall
// error naming the size the plan needs.
func (fsys *filesystem) fit(size int64) (*geometry, error) {
	ge, err := fsys.geometryFor(size)
	if err == nil || !errors.Is(err, ErrTooSmall) {
		return ge, err
	}
	return nil, &tooSmallError{size: size, need: fsys.needed()}
}

// tooSmallError says how much room the plan needs; it unwraps to
// ErrTooSmall.
type tooSmallError struct{ size, need int64 }

func (e *tooSmallError) Error() string {
	return fmt.Sprintf("ext2: image size %d MiB is too small: the plan needs at least %d MiB",
		e.size/mib, (e.need+mib-1)/mib)
}

func (e *tooSmallError) Unwrap() error { return ErrTooSmall }

// normalize fills in defaults and checks the options that do not depend on
// the plan.
func normalize(o Options) (Options, error) {
	switch o.BlockSize {
	case 0:
		o.BlockSize = 4096
	case 1024, 2048, 4096:
	default:
		return o, fmt.Errorf("ext2: block size %d not supported (1024, 2048 or 4096)", o.BlockSize)
	}
	if len(o.Label) > 16 {
		return o, fmt.Errorf("ext2: volume label %q is longer than 16 bytes", o.Label)
	}
	if o.Size < 0 {
		return o, fmt.Errorf("ext2: negative image size %d", o.Size)
	}
	if o.Time.IsZero() {
		o.Time = time.Now()
	}
	if o.UUID == [16]byte{} {
		if _, err := rand.Read(o.UUID[:]); err != nil {
			return o, fmt.Errorf("ext2: random UUID: %w", err)
		}
		o.UUID[6] = o.UUID[6]&0x0f | 0x40 // version 4
		o.UUID[8] = o.UUID[8]&0x3f | 0x80 // RFC 4122 variant
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	return o, nil
}
