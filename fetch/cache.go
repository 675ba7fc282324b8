package fetch

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The cache directory's layout.
const (
	blobsDir = "blobs/sha256" // blobs/sha256/ab/abcdef…: verified files, named by content
	tmpDir   = "tmp"          // PID-RANDOM-HOST: downloads under way, or left by a killed process
	urlsDir  = "urls"         // SHA256-OF-URL: "SHA256 URL\n" of the last verified file of a URL
)

// Cache is a directory of verified files named by their SHA256, shared by
// every build of a user. Nothing is written under blobs/ but by a rename
// of a complete, verified temporary file of the same file system, so a
// reader never sees a half file and two writers of one blob both rename
// the same bytes. No lock is taken.
type Cache struct {
	dir string
}

// DefaultDir is $XDG_CACHE_HOME/supermin-compile, or
// ~/.cache/supermin-compile.
func DefaultDir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache directory: %w (set XDG_CACHE_HOME, or give --cache-dir)", err)
	}
	return filepath.Join(base, "supermin-compile"), nil
}

// OpenCache opens the cache in dir, creating it.
func OpenCache(dir string) (*Cache, error) {
	for _, sub := range []string{blobsDir, tmpDir, urlsDir} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return nil, fmt.Errorf("cache: %w", err)
		}
	}
	return &Cache{dir: dir}, nil
}

// Dir is the cache's directory.
func (c *Cache) Dir() string { return c.dir }

// Path returns the cached file whose content has this SHA256, and marks
// it used now (its mtime), which keeps it from Prune for a while.
func (c *Cache) Path(sum string) (string, bool) {
	if !validSHA256(sum) {
		return "", false
	}
	p := c.blobPath(sum)
	now := time.Now()
	if err := os.Chtimes(p, now, now); err == nil {
		return p, true
	}
	if _, err := os.Stat(p); err == nil { // a cache we may read but not touch
		return p, true
	}
	return "", false
}

func (c *Cache) blobPath(sum string) string {
	return filepath.Join(c.dir, blobsDir, sum[:2], sum)
}

func validSHA256(s string) bool {
	if len(s) != sha256.Size*2 {
		return false
	}
	for _, r := range s {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f') {
			return false
		}
	}
	return true
}

// newTemp creates a temporary file in the cache, on the file system of
// the blobs so that rename is atomic. Its name says which process of which
// host writes it, so that Prune can tell a download under way from one
// whose process was killed.
func (c *Cache) newTemp() (*os.File, error) {
	f, err := os.CreateTemp(filepath.Join(c.dir, tmpDir), fmt.Sprintf("%d-*-%s", os.Getpid(), hostname()))
	if err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	return f, nil
}

// commit makes tmp, whose content has been verified to have this SHA256,
// the cached file of that SHA256. tmp is closed, and removed on error.
func (c *Cache) commit(tmp *os.File, sum string) (string, error) {
	dst := c.blobPath(sum)
	err := tmp.Sync() // the data reaches the disk before the name does
	if e := tmp.Close(); err == nil {
		err = e
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o444)
	}
	if err == nil {
		err = os.MkdirAll(filepath.Dir(dst), 0o755)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), dst)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return "", fmt.Errorf("cache: %w", err)
	}
	return dst, nil
}

// Put caches what write writes as the file of sum, when it has that
// SHA256 and size: a file derived from a verified one, such as an index
// decompressed and checked against its Release's hash of the plain file,
// is kept like a download. On a mismatch or an error nothing is cached.
func (c *Cache) Put(sum string, size int64, write func(io.Writer) error) (string, error) {
	if !validSHA256(sum) {
		return "", fmt.Errorf("cache: %q is not a SHA256 in lower-case hex", sum)
	}
	tmp, err := c.newTemp()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	err = write(io.MultiWriter(tmp, h))
	got, _ := tmp.Seek(0, io.SeekCurrent)
	switch {
	case err != nil:
	case got != size:
		err = &MismatchError{What: "size", Want: fmt.Sprint(size), Got: fmt.Sprint(got)}
	case hex.EncodeToString(h.Sum(nil)) != sum:
		err = &MismatchError{What: "sha256", Want: sum, Got: hex.EncodeToString(h.Sum(nil))}
	}
	if err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return "", err
	}
	return c.commit(tmp, sum)
}

// rememberURL records that the last verified file fetched from url has
// this SHA256, for offline builds (see lastVerified).
func (c *Cache) rememberURL(url, sum string) error {
	tmp, err := c.newTemp()
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(tmp, "%s %s\n", sum, url)
	if e := tmp.Close(); err == nil {
		err = e
	}
	if err == nil {
		err = os.Rename(tmp.Name(), c.urlEntry(url))
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("cache: %w", err)
	}
	return nil
}

// lastVerified returns the SHA256 rememberURL recorded for url, if its
// file is still cached.
func (c *Cache) lastVerified(url string) (string, bool) {
	data, err := os.ReadFile(c.urlEntry(url))
	if err != nil {
		return "", false
	}
	sum, _, _ := strings.Cut(string(data), " ")
	if _, ok := c.Path(sum); !ok {
		return "", false
	}
	return sum, true
}

func (c *Cache) urlEntry(url string) string {
	sum := sha256.Sum256([]byte(url))
	return filepath.Join(c.dir, urlsDir, hex.EncodeToString(sum[:]))
}

// hostname names this host in temporary files' names.
var hostname = sync.OnceValue(func() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		return "localhost"
	}
	return strings.ReplaceAll(h, "/", "_")
})

// tempOwner parses a temporary file's name: the process that writes it
// and its host.
func tempOwner(name string) (pid int, host string, ok bool) {
	f := strings.SplitN(name, "-", 3)
	if len(f) != 3 {
		return 0, "", false
	}
	pid, err := strconv.Atoi(f[0])
	return pid, f[2], err == nil && pid > 0
}
