package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/supermin-compile/supermin-compile/plan"
)

// bar draws a progress bar of files and bytes on a terminal, at most ten
// times a second.
type bar struct {
	mu           sync.Mutex
	w            io.Writer
	files, total int
	bytes, size  int64
	last         time.Time
	drawn        bool
}

// progressBar returns a BuildOptions.Progress that draws on stderr when
// stderr is a terminal, and nil otherwise (the summary line suffices).
func progressBar() (start func(int, int64) plan.Progress, finish func()) {
	if _, err := unix.IoctlGetTermios(int(os.Stderr.Fd()), unix.TCGETS); err != nil {
		return nil, func() {}
	}
	b := &bar{w: os.Stderr}
	start = func(files int, bytes int64) plan.Progress {
		b.total, b.size = files, bytes
		return b.add
	}
	return start, b.clear
}

func (b *bar) add(n int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.files++
	b.bytes += n
	if now := time.Now(); now.Sub(b.last) >= 100*time.Millisecond || b.files == b.total {
		b.last = now
		b.draw()
	}
}

func (b *bar) draw() {
	const width = 30
	done := 0
	if b.size > 0 {
		done = int(int64(width) * b.bytes / b.size)
	}
	fmt.Fprintf(b.w, "\r[%s%s] %d/%d files, %.0f/%.0f MiB", strings.Repeat("=", done), strings.Repeat(" ", width-done),
		b.files, b.total, float64(b.bytes)/(1<<20), float64(b.size)/(1<<20))
	b.drawn = true
}

// clear erases the bar before the summary line.
func (b *bar) clear() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.drawn {
		fmt.Fprint(b.w, "\r\033[K")
	}
}
