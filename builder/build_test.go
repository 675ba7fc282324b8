package builder

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/supermin-compile/supermin-compile/manifest"
	"github.com/supermin-compile/supermin-compile/plan"
)

// TestBuildReportsProgress: every format reports each non-empty regular
// file once, and the totals match what Build announced.
func TestBuildReportsProgress(t *testing.T) {
	for _, format := range []string{"ext2", "cpio", "chroot"} {
		t.Run(format, func(t *testing.T) {
			dir := t.TempDir()
			text := "kernel = false\nsize = \"16M\"\nformat = \"" + format + "\"\n" +
				"[[file]]\npath = \"/a\"\ncontent = \"12345\"\n" +
				"[[file]]\npath = \"/d/b\"\ncontent = \"1234567890\"\n" +
				"[[file]]\npath = \"/empty\"\ncontent = \"\"\n"
			file := filepath.Join(dir, "a.toml")
			must(t, os.WriteFile(file, []byte(text), 0o644))
			m, err := manifest.Load(file)
			if err != nil {
				t.Fatal(err)
			}
			m.Source.Type = "dpkg"
			var mu sync.Mutex
			var files, totalFiles int
			var bytes, totalBytes int64
			_, err = Build(m, Options{Progress: func(n int, b int64) plan.Progress {
				totalFiles, totalBytes = n, b
				return func(size int64) {
					mu.Lock()
					files, bytes = files+1, bytes+size
					mu.Unlock()
				}
			}}, false)
			if err != nil {
				t.Fatal(err)
			}
			if totalFiles != 2 || totalBytes != 15 || files != 2 || bytes != 15 {
				t.Errorf("announced %d files %d bytes, reported %d files %d bytes; want 2 and 15",
					totalFiles, totalBytes, files, bytes)
			}
		})
	}
}
