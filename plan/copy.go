package plan

import (
	"fmt"
	"io"
)

// CopyData writes exactly e.Size bytes from e.Src to w: a source shorter
// or longer than the Plan says (a host file that changed since planning)
// is an error, since it would corrupt the output. When w is an *os.File
// and the source a host file, io.Copy lets the kernel copy the bytes
// (copy_file_range) through os.File.ReadFrom.
func CopyData(w io.Writer, e *Entry) error {
	if e.Src == nil {
		if e.Size == 0 {
			return nil
		}
		return fmt.Errorf("no source for %d bytes", e.Size)
	}
	r, err := e.Src.Open()
	if err != nil {
		return fmt.Errorf("opening %s: %w", e.Src, err)
	}
	defer r.Close()
	n, err := io.Copy(w, io.LimitReader(r, e.Size+1))
	switch {
	case err != nil:
		return fmt.Errorf("copying from %s: %w", e.Src, err)
	case n < e.Size:
		return fmt.Errorf("source %s ended after %d bytes, the plan says %d", e.Src, n, e.Size)
	case n > e.Size:
		return fmt.Errorf("source %s has more than the %d bytes the plan says", e.Src, e.Size)
	}
	return nil
}
