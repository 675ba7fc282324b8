package fetch

import (
	"fmt"
	"io"
	"math"
	"os"
	"sync/atomic"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"golang.org/x/sys/unix"
)

// display draws the downloads of one GetAll on a terminal: a line per
// download under way, and a total line of files and bytes. A nil
// display, and its nil bars, draw nothing.
type display struct {
	p     *mpb.Progress
	total *mpb.Bar
	files int
	done  atomic.Int64 // files
	size  atomic.Int64 // bytes, of the files whose size is known
	bytes atomic.Int64 // bytes received
	next  atomic.Int64 // the next download's line
}

// bar is one download's line.
type bar struct {
	d     *display
	b     *mpb.Bar
	size  int64 // -1: unknown
	bytes int64 // received by this try
}

func (cl *Client) newDisplay(files int) *display {
	if !isTerminal(cl.Progress) {
		return nil
	}
	d := &display{files: files}
	d.p = mpb.New(mpb.WithOutput(cl.Progress), mpb.WithWidth(30), mpb.WithRefreshRate(150*time.Millisecond))
	files1 := func(decor.Statistics) string { return fmt.Sprintf("total: %d/%d files", d.done.Load(), d.files) }
	d.total = d.p.AddBar(0, mpb.BarPriority(math.MaxInt),
		mpb.PrependDecorators(decor.Any(files1, decor.WCSyncSpaceR)),
		mpb.AppendDecorators(decor.CountersKibiByte("% .1f / % .1f", decor.WCSyncSpace)))
	return d
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// add starts a download's line.
func (d *display) add(name string, size int64) *bar {
	if d == nil {
		return nil
	}
	b := &bar{d: d, size: -1}
	b.b = d.p.AddBar(0, mpb.BarPriority(int(d.next.Add(1))), mpb.BarRemoveOnComplete(),
		mpb.PrependDecorators(decor.Name(name, decor.WCSyncSpaceR)),
		mpb.AppendDecorators(decor.CountersKibiByte("% .1f / % .1f", decor.WCSyncSpace), decor.Percentage(decor.WC{W: 6})))
	b.setSize(size)
	return b
}

// setSize gives the size when it becomes known (Content-Length).
func (b *bar) setSize(n int64) {
	if b == nil || n < 0 || b.size >= 0 {
		return
	}
	b.size = n
	b.b.SetTotal(n, false)
	b.d.total.SetTotal(b.d.size.Add(n), false)
}

func (b *bar) Write(p []byte) (int, error) {
	if b != nil {
		b.bytes += int64(len(p))
		b.b.IncrBy(len(p))
		b.d.total.SetCurrent(b.d.bytes.Add(int64(len(p))))
	}
	return len(p), nil
}

// restart forgets what a failed try received.
func (b *bar) restart() {
	if b == nil || b.bytes == 0 {
		return
	}
	b.b.SetCurrent(0)
	b.d.total.SetCurrent(b.d.bytes.Add(-b.bytes))
	b.bytes = 0
}

// end removes the line.
func (b *bar) end(ok bool) {
	if b == nil {
		return
	}
	if ok {
		b.d.done.Add(1)
		b.b.SetTotal(-1, true)
	} else {
		b.b.Abort(true)
	}
}

// finish draws the last total and returns when the display is done.
func (d *display) finish() {
	if d == nil {
		return
	}
	d.total.SetTotal(-1, true)
	d.p.Wait()
}
