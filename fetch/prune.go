package fetch

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/supermin-compile/supermin-compile/internal/filesum"
	"golang.org/x/sys/unix"
)

// StaleAfter is how long a temporary file may go unwritten before Prune
// takes it for the leftover of a killed download, whatever its process.
// A live download writes all the time: Client.Timeout is far shorter.
const StaleAfter = time.Hour

// Usage is what a cache holds.
type Usage struct {
	Files        int   // verified files
	Bytes        int64 // their size
	Partial      int   // temporary files: downloads under way or left by killed processes
	PartialBytes int64
}

// Usage counts the cache's files.
func (c *Cache) Usage() (Usage, error) {
	var u Usage
	err := c.eachBlob(func(_, _ string, info fs.FileInfo) error {
		u.Files++
		u.Bytes += info.Size()
		return nil
	})
	if err != nil {
		return u, err
	}
	err = c.eachTemp(func(_ string, info fs.FileInfo) error {
		u.Partial++
		u.PartialBytes += info.Size()
		return nil
	})
	return u, err
}

// Pruned is what Prune removed and kept.
type Pruned struct {
	Removed      int // verified files
	RemovedBytes int64
	Kept         int
	KeptBytes    int64
	Partial      int // temporary files
	PartialBytes int64
}

// Prune removes:
//   - each cached file whose SHA256 keep does not hold and that was not
//     used (fetched or found by Get or Path) since usedSince;
//   - each temporary file whose process is gone (on this host), or that
//     nothing wrote for StaleAfter;
//   - each URL record (see Client.GetSigned) whose file is gone.
func (c *Cache) Prune(keep map[string]bool, usedSince time.Time) (Pruned, error) {
	var r Pruned
	err := c.eachBlob(func(sum, p string, info fs.FileInfo) error {
		if keep[sum] || !info.ModTime().Before(usedSince) {
			r.Kept++
			r.KeptBytes += info.Size()
			return nil
		}
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			return err
		}
		r.Removed++
		r.RemovedBytes += info.Size()
		return nil
	})
	if err != nil {
		return r, err
	}
	now := time.Now()
	err = c.eachTemp(func(p string, info fs.FileInfo) error {
		if !stale(info, now) {
			return nil
		}
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			return err
		}
		r.Partial++
		r.PartialBytes += info.Size()
		return nil
	})
	if err != nil {
		return r, err
	}
	return r, c.pruneURLs()
}

// stale tells a temporary file left by a killed process.
func stale(info fs.FileInfo, now time.Time) bool {
	if now.Sub(info.ModTime()) > StaleAfter {
		return true
	}
	pid, host, ok := tempOwner(info.Name())
	// A process of another host, or of another PID namespace with our
	// host name, is not ours to judge: only the time rule applies there.
	return ok && host == hostname() && !alive(pid)
}

func alive(pid int) bool {
	err := unix.Kill(pid, 0)
	return err == nil || err == unix.EPERM
}

// pruneURLs removes the URL records whose file is gone.
func (c *Cache) pruneURLs() error {
	dir := filepath.Join(c.dir, urlsDir)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		var sum string
		fmt.Sscan(string(data), &sum)
		if !validSHA256(sum) || !exists(c.blobPath(sum)) {
			os.Remove(p)
		}
	}
	return nil
}

// Verify hashes every cached file, removes each whose content does not
// have the SHA256 its name says, and returns their paths.
func (c *Cache) Verify() (bad []string, err error) {
	err = c.eachBlob(func(sum, p string, _ fs.FileInfo) error {
		got, err := fileSHA256(p)
		if os.IsNotExist(err) { // pruned meanwhile
			return nil
		}
		if err != nil {
			return err
		}
		if got != sum {
			bad = append(bad, p)
			return os.Remove(p)
		}
		return nil
	})
	return bad, err
}

func fileSHA256(p string) (string, error) {
	sum, _, err := filesum.SHA256(p)
	return sum, err
}

// eachBlob calls do for every file under blobs/ with the name it has
// there (its SHA256, for a file the cache wrote).
func (c *Cache) eachBlob(do func(sum, path string, info fs.FileInfo) error) error {
	root := filepath.Join(c.dir, blobsDir)
	fans, err := os.ReadDir(root)
	if err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	for _, fan := range fans {
		if !fan.IsDir() {
			continue
		}
		err := eachFile(filepath.Join(root, fan.Name()), func(p string, info fs.FileInfo) error {
			return do(info.Name(), p, info)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func (c *Cache) eachTemp(do func(path string, info fs.FileInfo) error) error {
	return eachFile(filepath.Join(c.dir, tmpDir), do)
}

// eachFile calls do for every regular file of dir; one removed meanwhile
// is skipped.
func eachFile(dir string, do func(path string, info fs.FileInfo) error) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	for _, e := range entries {
		info, err := e.Info()
		if os.IsNotExist(err) || err == nil && !info.Mode().IsRegular() {
			continue
		}
		if err != nil {
			return fmt.Errorf("cache: %w", err)
		}
		if err := do(filepath.Join(dir, e.Name()), info); err != nil {
			return fmt.Errorf("cache: %w", err)
		}
	}
	return nil
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
