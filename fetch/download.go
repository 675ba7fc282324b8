package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sync/atomic"
	"time"
)

// download writes what rawURL holds to w: size bytes (-1: unknown, at
// most MaxUnsized), or it fails. An error that trying again may cure is
// transient.
func (cl *Client) download(ctx context.Context, rawURL string, size int64, w io.Writer, bar *bar) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return err
	}
	switch u.Scheme {
	case "http", "https":
		return cl.downloadHTTP(ctx, u, size, w, bar)
	case "file":
		return downloadFile(u, size, w, bar)
	}
	return fmt.Errorf("unsupported URL scheme %q (want http, https or file)", u.Scheme)
}

// downloadFile copies a local file: a mirror on disk.
func downloadFile(u *url.URL, size int64, w io.Writer, bar *bar) error {
	if u.Host != "" && u.Host != "localhost" {
		return fmt.Errorf("a file URL names a local file, not one on %q", u.Host)
	}
	f, err := os.Open(u.Path)
	if os.IsNotExist(err) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil {
		bar.setSize(info.Size())
	}
	_, err = copyAtMost(w, f, size)
	return err
}

func (cl *Client) downloadHTTP(parent context.Context, u *url.URL, size int64, w io.Writer, bar *bar) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	idle := &watchdog{d: cl.timeout()}
	idle.t = time.AfterFunc(idle.d, func() { idle.fired.Store(true); cancel() })
	defer idle.t.Stop()
	explain := func(err error) error {
		switch {
		case idle.fired.Load():
			return &TimeoutError{Idle: idle.d}
		case parent.Err() != nil:
			return parent.Err()
		}
		return transientError{err}
	}

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return err
	}
	req.Header.Set("User-Agent", "supermin-compile")
	resp, err := cl.client().Do(req)
	if err != nil {
		return explain(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return &StatusError{Code: resp.StatusCode, Status: resp.Status}
	}
	if resp.ContentLength > limit(size) {
		return tooBig(size, fmt.Sprintf("%d (the server's Content-Length)", resp.ContentLength))
	}
	bar.setSize(resp.ContentLength)
	n, err := copyAtMost(w, &idleReader{r: resp.Body, idle: idle}, size)
	var re readError
	switch {
	case err == nil:
		return nil
	case idle.fired.Load() || parent.Err() != nil:
		return explain(err)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return transientError{fmt.Errorf("the server closed the connection after %d of %d bytes", n, resp.ContentLength)}
	case errors.As(err, &re):
		return explain(re.err)
	}
	return err
}

func (cl *Client) client() *http.Client {
	cl.once.Do(func() {
		t := http.DefaultTransport.(*http.Transport).Clone() // keeps ProxyFromEnvironment
		t.DisableCompression = true                          // the bytes as stored: a .gz stays compressed
		t.MaxIdleConnsPerHost = cl.parallel()
		cl.http = &http.Client{Transport: t}
	})
	return cl.http
}

// copyAtMost copies r to w and fails when r holds more than size bytes
// (see limit): a server cannot fill the disk.
func copyAtMost(w io.Writer, r io.Reader, size int64) (int64, error) {
	n, err := io.Copy(w, io.LimitReader(r, limit(size)+1))
	if err == nil && n > limit(size) {
		return n, tooBig(size, "more")
	}
	return n, err
}

// limit is the most bytes a file of this size (-1: unknown) may have.
func limit(size int64) int64 {
	if size < 0 {
		return MaxUnsized
	}
	return size
}

func tooBig(size int64, got string) error {
	if size < 0 {
		return fmt.Errorf("larger than %d MiB, the most accepted for a file whose size is not known beforehand", MaxUnsized>>20)
	}
	return &MismatchError{What: "size", Want: fmt.Sprint(size), Got: got}
}

// watchdog cancels a download that received nothing for d.
type watchdog struct {
	d     time.Duration
	t     *time.Timer
	fired atomic.Bool
}

// idleReader restarts the watchdog on every read, and marks its errors as
// the server's.
type idleReader struct {
	r    io.Reader
	idle *watchdog
}

func (r *idleReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.idle.t.Reset(r.idle.d)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		err = readError{err}
	}
	return n, err
}

type readError struct{ err error }

func (e readError) Error() string { return e.err.Error() }
func (e readError) Unwrap() error { return e.err }

// ErrNotFound is a file the server (or the file system) does not have.
var ErrNotFound = errors.New("not found")

// StatusError is an HTTP answer other than 200 OK.
type StatusError struct {
	Code   int
	Status string // "500 Internal Server Error"
}

func (e *StatusError) Error() string {
	if e.notFound() {
		return "not found (HTTP " + e.Status + ")"
	}
	return "the server answered HTTP " + e.Status
}

func (e *StatusError) Is(target error) bool { return target == ErrNotFound && e.notFound() }

func (e *StatusError) notFound() bool {
	return e.Code == http.StatusNotFound || e.Code == http.StatusGone
}

// TimeoutError is a server that sent nothing for Idle.
type TimeoutError struct{ Idle time.Duration }

func (e *TimeoutError) Error() string { return fmt.Sprintf("no data for %v", e.Idle) }

// transientError is a failure of the connection.
type transientError struct{ err error }

func (e transientError) Error() string { return e.err.Error() }
func (e transientError) Unwrap() error { return e.err }

// transient tells the failures worth another try: the connection's, a
// silent server, and the HTTP statuses that say "later" (5xx, 408, 429).
// A 404, a wrong size or SHA256, or a full disk are not.
func transient(err error) bool {
	var te transientError
	var to *TimeoutError
	var se *StatusError
	switch {
	case errors.As(err, &te), errors.As(err, &to):
		return true
	case errors.As(err, &se):
		return se.Code >= 500 || se.Code == http.StatusRequestTimeout || se.Code == http.StatusTooManyRequests
	}
	return false
}
