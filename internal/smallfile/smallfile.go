// Package smallfile reads files that are held in memory whole (manifests,
// lock files, listings, dpkg's file lists), refusing any larger than a
// limit: a device or a huge file named by mistake or malice is then an
// error naming it, not the process killed for want of memory.
package smallfile

import (
	"fmt"
	"io"
	"os"
)

// Read returns the contents of file, or an error naming it when it holds
// more than max bytes. A missing file gives os.Open's error.
func Read(file string, max int64) ([]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err // a *PathError: it names file
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%s: larger than the %s allowed for this file", file, size(max))
	}
	return b, nil
}

func size(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d KiB", n>>10)
}
