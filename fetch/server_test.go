package fetch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// repo is a repository served on 127.0.0.1 by the test: files, and
// handlers that misbehave. It counts the requests it gets.
type repo struct {
	*httptest.Server
	requests atomic.Int64
	mu       sync.Mutex
	routes   map[string]http.HandlerFunc
}

func newRepo(t *testing.T) *repo {
	r := &repo{routes: map[string]http.HandlerFunc{}}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.requests.Add(1)
		r.mu.Lock()
		h := r.routes[req.URL.Path]
		r.mu.Unlock()
		if h == nil {
			http.NotFound(w, req)
			return
		}
		h(w, req)
	}))
	t.Cleanup(r.Close)
	return r
}

// route serves path with h and returns the File of content there.
func (r *repo) route(path string, content []byte, h http.HandlerFunc) File {
	r.mu.Lock()
	r.routes[path] = h
	r.mu.Unlock()
	return fileOf(r.URL+path, content)
}

// file serves content at path.
func (r *repo) file(path string, content []byte) File {
	return r.route(path, content, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(len(content)))
		w.Write(content)
	})
}

func fileOf(url string, content []byte) File {
	sum := sha256.Sum256(content)
	return File{URL: url, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(content)), Label: "test " + url[strings.LastIndex(url, "/")+1:]}
}

// content makes n bytes that differ with seed.
func content(seed string, n int) []byte {
	var b []byte
	for i := 0; len(b) < n; i++ {
		b = fmt.Appendf(b, "%s %d\n", seed, i)
	}
	return b[:n]
}

// client is a Client on a fresh cache, with short waits.
func client(t *testing.T) *Client {
	c, err := OpenCache(filepath.Join(t.TempDir(), "cache"))
	if err != nil {
		t.Fatal(err)
	}
	return &Client{Cache: c, Backoff: time.Millisecond, Timeout: 5 * time.Second}
}

// assertEmpty checks that a failed fetch left nothing in the cache: no
// file, no temporary file.
func assertEmpty(t *testing.T, c *Cache) {
	t.Helper()
	u, err := c.Usage()
	if err != nil {
		t.Fatal(err)
	}
	if u != (Usage{}) {
		t.Errorf("the cache holds %+v after a failure, want nothing", u)
	}
}

// assertConsistent checks that every cached file has the SHA256 of its name.
func assertConsistent(t *testing.T, c *Cache) {
	t.Helper()
	bad, err := c.Verify()
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) > 0 {
		t.Errorf("cached files whose content is not their name: %v", bad)
	}
}

// The helper process: the test binary run with FETCH_HELPER set fetches
// the files of FETCH_FILES (JSON) into the cache FETCH_HELPER, like a
// build, and exits 1 on an error.
func TestMain(m *testing.M) {
	if dir := os.Getenv("FETCH_HELPER"); dir != "" {
		os.Exit(helper(dir, os.Getenv("FETCH_FILES")))
	}
	os.Exit(m.Run())
}

func helper(dir, files string) int {
	var fs []File
	if err := json.Unmarshal([]byte(files), &fs); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	c, err := OpenCache(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	cl := &Client{Cache: c, Backoff: time.Millisecond}
	if _, err := cl.GetAll(context.Background(), fs); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}
