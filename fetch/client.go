package fetch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/supermin-compile/supermin-compile/internal/parallel"
)

// File is a file to fetch, and what it must be.
type File struct {
	URL    string // http, https or file
	SHA256 string // lower-case hex
	Size   int64  // -1: unknown
	Label  string // names it in messages: "bookworm main/binary-amd64/Packages.xz"
}

// name is how messages and the progress display name f.
func (f File) name() string {
	if f.Label != "" {
		return f.Label
	}
	return path.Base(f.URL)
}

// MaxUnsized bounds a file whose size is not known beforehand
// (Client.GetSigned, or a File of Size -1), so that a hostile server
// cannot fill the disk.
const MaxUnsized = 256 << 20

// Client fetches files into a Cache. The zero values of its settings
// mean the defaults given; a Client is safe for concurrent use.
type Client struct {
	Cache    *Cache
	Offline  bool          // use only the cache
	Parallel int           // downloads at once; 0 means 4
	Attempts int           // tries per file; 0 means 4
	Timeout  time.Duration // an attempt fails when no data came for this long; 0 means 30s
	Backoff  time.Duration // the wait after the first failed try, doubled after each, with jitter; 0 means 1s
	Progress io.Writer     // a terminal to draw the progress on; nil or not a terminal: none

	once sync.Once
	http *http.Client
}

func (cl *Client) parallel() int { return positive(cl.Parallel, 4) }
func (cl *Client) attempts() int { return positive(cl.Attempts, 4) }
func (cl *Client) timeout() time.Duration {
	return positive(cl.Timeout, 30*time.Second)
}

func positive[T ~int | ~int64](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}

// Get returns the cached file of f.SHA256, fetching it when it is not
// cached. See GetAll.
func (cl *Client) Get(ctx context.Context, f File) (string, error) {
	paths, err := cl.GetAll(ctx, []File{f})
	if err != nil {
		return "", err
	}
	return paths[0], nil
}

// GetAll returns the paths in the cache of files, in their order,
// fetching those not cached yet, Parallel at a time. A download goes to a temporary file
// in the cache; only when its size and SHA256 are right does it become
// the cached file. The error lists every file that failed; the files
// that were fetched stay cached. Offline, the error names every file
// missing from the cache, and nothing is fetched.
func (cl *Client) GetAll(ctx context.Context, files []File) ([]string, error) {
	paths := make([]string, len(files))
	var todo []int            // the files to fetch, one per SHA256
	first := map[string]int{} // SHA256 -> the file of todo that fetches it
	var bad []error
	for i, f := range files {
		if err := f.check(); err != nil {
			bad = append(bad, err)
			continue
		}
		if p, ok := cl.cached(f); ok {
			paths[i] = p
		} else if _, dup := first[f.SHA256]; !dup {
			first[f.SHA256] = i
			todo = append(todo, i)
		}
	}
	if len(bad) > 0 {
		return nil, errors.Join(bad...)
	}
	if len(todo) > 0 && cl.Offline {
		missing := make([]File, len(todo))
		for k, i := range todo {
			missing[k] = files[i]
		}
		return nil, &MissingError{Dir: cl.Cache.dir, Files: missing}
	}
	if err := cl.fetchAll(ctx, files, todo, paths); err != nil {
		return nil, err
	}
	for i, f := range files {
		if paths[i] == "" {
			paths[i] = paths[first[f.SHA256]]
		}
	}
	return paths, nil
}

func (f File) check() error {
	if !validSHA256(f.SHA256) {
		return &Error{URL: f.URL, Label: f.Label, Err: fmt.Errorf("%q is not a SHA256 in lower-case hex", f.SHA256)}
	}
	return nil
}

// cached returns f's cached file. One whose size is not f's is not
// trusted: fetching f again replaces it.
func (cl *Client) cached(f File) (string, bool) {
	p, ok := cl.Cache.Path(f.SHA256)
	if ok && f.Size >= 0 {
		info, err := os.Stat(p)
		ok = err == nil && info.Size() == f.Size
	}
	return p, ok
}

// fetchAll fetches files[i] for each i of todo into paths[i].
func (cl *Client) fetchAll(ctx context.Context, files []File, todo []int, paths []string) error {
	if len(todo) == 0 {
		return nil
	}
	show := cl.newDisplay(len(todo))
	errs := make([]error, len(todo))
	parallel.For(len(todo), cl.parallel(), func(k int) error {
		i := todo[k]
		paths[i], errs[k] = cl.fetch(ctx, files[i], show)
		return nil
	})
	show.finish()
	var failed []error
	for _, err := range errs {
		if err != nil {
			failed = append(failed, err)
		}
	}
	switch {
	case len(failed) == 1:
		return failed[0]
	case len(failed) > 1:
		return fmt.Errorf("%d of %d downloads failed:\n%w", len(failed), len(todo), errors.Join(failed...))
	}
	return nil
}

// fetch fetches f into the cache, trying again after a transient failure.
func (cl *Client) fetch(ctx context.Context, f File, show *display) (string, error) {
	bar := show.add(f.name(), f.Size)
	p, err := cl.retry(ctx, f.URL, f.Label, func() (string, error) {
		bar.restart()
		return cl.fetchOnce(ctx, f, bar)
	})
	bar.end(err == nil)
	return p, err
}

// fetchOnce is one try of fetch.
func (cl *Client) fetchOnce(ctx context.Context, f File, bar *bar) (string, error) {
	tmp, err := cl.Cache.newTemp()
	if err != nil {
		return "", err
	}
	defer func() {
		if tmp != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	if err := cl.download(ctx, f.URL, f.Size, io.MultiWriter(tmp, h, bar), bar); err != nil {
		return "", err
	}
	got := hex.EncodeToString(h.Sum(nil))
	if size, _ := tmp.Seek(0, io.SeekCurrent); f.Size >= 0 && size != f.Size {
		return "", &MismatchError{What: "size", Want: fmt.Sprint(f.Size), Got: fmt.Sprint(size)}
	}
	if got != f.SHA256 {
		return "", &MismatchError{What: "sha256", Want: f.SHA256, Got: got}
	}
	t := tmp
	tmp = nil
	return cl.Cache.commit(t, got)
}

// GetSigned fetches a file whose SHA256 is not known beforehand (an
// InRelease, a repomd.xml): verify, the caller's signature check, must
// accept the download before it is cached. It returns the cached file
// and its SHA256, and records it as the URL's last verified file.
// Offline, it returns that file instead, after verify accepts it again
// (the keys may have changed since).
func (cl *Client) GetSigned(ctx context.Context, url, label string, verify func(path string) error) (string, string, error) {
	if cl.Offline {
		return cl.lastSigned(url, label, verify)
	}
	show := cl.newDisplay(1)
	bar := show.add(File{URL: url, Label: label}.name(), -1)
	var sum string
	p, err := cl.retry(ctx, url, label, func() (string, error) {
		bar.restart()
		p, s, err := cl.signedOnce(ctx, url, verify, bar)
		sum = s
		return p, err
	})
	bar.end(err == nil)
	show.finish()
	if err != nil {
		return "", "", err
	}
	if err := cl.Cache.rememberURL(url, sum); err != nil {
		return "", "", err
	}
	return p, sum, nil
}

func (cl *Client) signedOnce(ctx context.Context, url string, verify func(string) error, bar *bar) (string, string, error) {
	tmp, err := cl.Cache.newTemp()
	if err != nil {
		return "", "", err
	}
	defer func() {
		if tmp != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	if err := cl.download(ctx, url, -1, io.MultiWriter(tmp, h, bar), bar); err != nil {
		return "", "", err
	}
	if err := tmp.Sync(); err != nil {
		return "", "", fmt.Errorf("cache: %w", err)
	}
	if err := verify(tmp.Name()); err != nil {
		return "", "", &VerifyError{Err: err}
	}
	sum := hex.EncodeToString(h.Sum(nil))
	t := tmp
	tmp = nil
	p, err := cl.Cache.commit(t, sum)
	return p, sum, err
}

// lastSigned is GetSigned offline.
func (cl *Client) lastSigned(url, label string, verify func(string) error) (string, string, error) {
	sum, ok := cl.Cache.lastVerified(url)
	if !ok {
		return "", "", &MissingError{Dir: cl.Cache.dir, Files: []File{{URL: url, Label: label, Size: -1}}}
	}
	p := cl.Cache.blobPath(sum)
	if err := verify(p); err != nil {
		return "", "", &Error{URL: url, Label: label, Err: &VerifyError{Err: err, Cached: true}}
	}
	return p, sum, nil
}

// retry calls try until it succeeds, fails for good, or has been called
// Attempts times, waiting longer after each failure.
func (cl *Client) retry(ctx context.Context, url, label string, try func() (string, error)) (string, error) {
	wait := positive(cl.Backoff, time.Second)
	for n := 1; ; n++ {
		p, err := try()
		if err == nil {
			return p, nil
		}
		if n == cl.attempts() || !transient(err) || sleep(ctx, jitter(wait)) != nil {
			return "", &Error{URL: url, Label: label, Tries: n, Err: err}
		}
		wait = min(2*wait, time.Minute)
	}
}

// jitter spreads the retries of concurrent builds: d/2 to d.
func jitter(d time.Duration) time.Duration {
	return d/2 + rand.N(d/2+1)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Error is a failure to fetch a file: its URL, label, how many tries were
// made, and why the last failed.
type Error struct {
	URL, Label string
	Tries      int
	Err        error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.URL)
	if e.Label != "" {
		fmt.Fprintf(&b, " (%s)", e.Label)
	}
	fmt.Fprintf(&b, ": %v", e.Err)
	if e.Tries > 1 {
		fmt.Fprintf(&b, " (gave up after %d tries)", e.Tries)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// MismatchError is a download that is not the file wanted.
type MismatchError struct {
	What      string // "size" or "sha256"
	Want, Got string
}

func (e *MismatchError) Error() string {
	return fmt.Sprintf("%s mismatch: want %s, got %s; nothing was cached", e.What, e.Want, e.Got)
}

// VerifyError is a file that GetSigned's verify refused: a download, or
// offline the cached copy.
type VerifyError struct {
	Err    error
	Cached bool
}

func (e *VerifyError) Error() string {
	if e.Cached {
		return fmt.Sprintf("the cached copy is not verified: %v", e.Err)
	}
	return fmt.Sprintf("not verified: %v; nothing was cached", e.Err)
}

func (e *VerifyError) Unwrap() error { return e.Err }

// MissingError lists the files an offline client did not find in the cache.
type MissingError struct {
	Dir   string
	Files []File
}

func (e *MissingError) Error() string {
	var b strings.Builder
	if len(e.Files) == 1 {
		fmt.Fprintf(&b, "offline: a file is not in the cache %s:", e.Dir)
	} else {
		fmt.Fprintf(&b, "offline: %d files are not in the cache %s:", len(e.Files), e.Dir)
	}
	for _, f := range e.Files {
		fmt.Fprintf(&b, "\n  %s", f.URL)
		if f.Label != "" {
			fmt.Fprintf(&b, " (%s)", f.Label)
		}
		if f.SHA256 != "" {
			fmt.Fprintf(&b, " sha256 %s", f.SHA256)
		}
	}
	return b.String()
}
