package fetch

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// TestGetAllVerifies: the files land in the cache under their SHA256,
// with their content, in the order asked, a file named twice fetched once.
func TestGetAllVerifies(t *testing.T) {
	r := newRepo(t)
	files := []File{
		r.file("/dists/a/Packages", content("a", 100000)),
		r.file("/pool/b.deb", content("b", 3)),
		r.file("/pool/empty", nil),
	}
	files = append(files, files[0])
	cl := client(t)
	paths, err := cl.GetAll(context.Background(), files)
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range files {
		if want := filepath.Join(cl.Cache.Dir(), "blobs/sha256", f.SHA256[:2], f.SHA256); paths[i] != want {
			t.Errorf("%s: cached as %s, want %s", f.URL, paths[i], want)
		}
		if got, _ := fileSHA256(paths[i]); got != f.SHA256 {
			t.Errorf("%s: cached content has SHA256 %s, want %s", f.URL, got, f.SHA256)
		}
	}
	if n := r.requests.Load(); n != 3 {
		t.Errorf("%d requests for 3 distinct files", n)
	}
	if u, _ := cl.Cache.Usage(); u.Files != 3 || u.Partial != 0 {
		t.Errorf("usage %+v, want 3 files and no temporary file", u)
	}
}

// TestCacheHitStaysOffTheNetwork: a second build, with a new client, finds
// the files in the cache and sends no request.
func TestCacheHitStaysOffTheNetwork(t *testing.T) {
	r := newRepo(t)
	f := r.file("/pool/a.deb", content("a", 5000))
	cl := client(t)
	first, err := cl.Get(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	before := r.requests.Load()
	again := &Client{Cache: cl.Cache}
	second, err := again.Get(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	if second != first || r.requests.Load() != before {
		t.Errorf("cache hit: path %s (first %s), %d requests (before %d)", second, first, r.requests.Load(), before)
	}
}

// TestMismatchRefused: a file of the wrong SHA256 or size is an error
// naming URL, label, want and got, is not tried again, and is not cached.
func TestMismatchRefused(t *testing.T) {
	for _, tc := range []struct {
		name  string
		alter func(*File)
		want  []string
	}{
		{"sha256", func(f *File) { f.SHA256 = strings.Repeat("0", 64) }, []string{"sha256 mismatch", "want " + strings.Repeat("0", 64)}},
		{"size smaller", func(f *File) { f.Size = 900 }, []string{"size mismatch: want 900, got 1000 (the server's Content-Length)"}},
		{"size larger", func(f *File) { f.Size = 1001 }, []string{"size mismatch: want 1001, got 1000"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRepo(t)
			f := r.file("/dists/x/Packages.xz", content("x", 1000))
			tc.alter(&f)
			cl := client(t)
			_, err := cl.Get(context.Background(), f)
			var me *MismatchError
			if !errors.As(err, &me) {
				t.Fatalf("got %v, want a mismatch", err)
			}
			for _, w := range append(tc.want, f.URL, "(test Packages.xz)", "nothing was cached") {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if n := r.requests.Load(); n != 1 {
				t.Errorf("%d requests: a mismatch is not worth another try", n)
			}
			assertEmpty(t, cl.Cache)
		})
	}
}

// TestTruncatedRefused: a server that closes the connection before the
// Content-Length it announced: tried again, then refused, nothing cached.
func TestTruncatedRefused(t *testing.T) {
	r := newRepo(t)
	body := content("t", 1000)
	f := r.route("/pool/t.deb", body, func(w http.ResponseWriter, _ *http.Request) {
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(err)
		}
		buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
		buf.Write(body[:400])
		buf.Flush()
		conn.Close()
	})
	cl := client(t)
	cl.Attempts = 2
	_, err := cl.Get(context.Background(), f)
	want := f.URL + " (test t.deb): the server closed the connection after 400 of 1000 bytes (gave up after 2 tries)"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	if n := r.requests.Load(); n != 2 {
		t.Errorf("%d requests, want 2 tries", n)
	}
	assertEmpty(t, cl.Cache)
}

// TestServerErrorRetried: a server that answers 500 twice, then the file.
func TestServerErrorRetried(t *testing.T) {
	r := newRepo(t)
	body := content("r", 2000)
	f := r.route("/pool/r.deb", body, func(w http.ResponseWriter, _ *http.Request) {
		if r.requests.Load() <= 2 {
			http.Error(w, "try later", http.StatusInternalServerError)
			return
		}
		w.Write(body)
	})
	cl := client(t)
	p, err := cl.Get(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := fileSHA256(p); got != f.SHA256 || r.requests.Load() != 3 {
		t.Errorf("after two 500s: SHA256 %s, %d requests; want %s in 3", got, r.requests.Load(), f.SHA256)
	}
}

// TestServerErrorGivesUp: a server that always answers 500: the error names
// the URL, the status and the number of tries.
func TestServerErrorGivesUp(t *testing.T) {
	r := newRepo(t)
	f := r.route("/pool/r.deb", content("r", 10), func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "broken", http.StatusInternalServerError)
	})
	cl := client(t)
	cl.Attempts = 3
	_, err := cl.Get(context.Background(), f)
	want := f.URL + " (test r.deb): the server answered HTTP 500 Internal Server Error (gave up after 3 tries)"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	if n := r.requests.Load(); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
	assertEmpty(t, cl.Cache)
}

// TestNotFound: a 404 is not tried again, and says "not found".
func TestNotFound(t *testing.T) {
	r := newRepo(t)
	f := fileOf(r.URL+"/pool/gone.deb", []byte("x"))
	cl := client(t)
	_, err := cl.Get(context.Background(), f)
	want := f.URL + " (test gone.deb): not found (HTTP 404 Not Found)"
	if err == nil || err.Error() != want || !errors.Is(err, ErrNotFound) {
		t.Errorf("got %v, want %s", err, want)
	}
	if n := r.requests.Load(); n != 1 {
		t.Errorf("%d requests for a 404, want 1", n)
	}
	assertEmpty(t, cl.Cache)
}

// TestHungServer: a server that sends nothing, before the headers or in
// the middle of the body: the idle timeout ends each try.
func TestHungServer(t *testing.T) {
	for _, tc := range []struct {
		name  string
		begin func(w http.ResponseWriter)
	}{
		{"before the headers", func(http.ResponseWriter) {}},
		{"in the body", func(w http.ResponseWriter) {
			w.Header().Set("Content-Length", "1000")
			w.Write(content("h", 300))
			http.NewResponseController(w).Flush()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRepo(t)
			f := r.route("/pool/h.deb", content("h", 1000), func(w http.ResponseWriter, req *http.Request) {
				tc.begin(w)
				<-req.Context().Done() // the client gave up
			})
			cl := client(t)
			cl.Attempts, cl.Timeout = 2, 100*time.Millisecond
			_, err := cl.Get(context.Background(), f)
			want := f.URL + " (test h.deb): no data for 100ms (gave up after 2 tries)"
			if err == nil || err.Error() != want {
				t.Errorf("got %v, want %s", err, want)
			}
			assertEmpty(t, cl.Cache)
		})
	}
}

// TestOfflineNamesEveryMissingFile: offline, nothing is requested and the
// error lists each file the cache lacks.
func TestOfflineNamesEveryMissingFile(t *testing.T) {
	r := newRepo(t)
	files := []File{
		r.file("/pool/a.deb", content("a", 10)),
		r.file("/pool/b.deb", content("b", 10)),
		r.file("/pool/c.deb", content("c", 10)),
	}
	cl := client(t)
	if _, err := cl.Get(context.Background(), files[1]); err != nil {
		t.Fatal(err)
	}
	before := r.requests.Load()
	cl.Offline = true
	_, err := cl.GetAll(context.Background(), files)
	want := "offline: 2 files are not in the cache " + cl.Cache.Dir() + ":\n" +
		"  " + files[0].URL + " (test a.deb) sha256 " + files[0].SHA256 + "\n" +
		"  " + files[2].URL + " (test c.deb) sha256 " + files[2].SHA256
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want\n%s", err, want)
	}
	if r.requests.Load() != before {
		t.Errorf("an offline client sent %d requests", r.requests.Load()-before)
	}
	if p, err := cl.Get(context.Background(), files[1]); err != nil || !strings.HasSuffix(p, files[1].SHA256) {
		t.Errorf("offline, a cached file: %s, %v", p, err)
	}
}

// TestManyFailuresListed: GetAll's error lists every file that failed, and
// keeps those that did not.
func TestManyFailuresListed(t *testing.T) {
	r := newRepo(t)
	good := r.file("/pool/good.deb", content("g", 10))
	bad1 := fileOf(r.URL+"/pool/missing1.deb", []byte("1"))
	bad2 := r.file("/pool/wrong.deb", content("w", 10))
	bad2.SHA256 = strings.Repeat("a", 64)
	cl := client(t)
	_, err := cl.GetAll(context.Background(), []File{bad1, good, bad2})
	if err == nil {
		t.Fatal("no error")
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 3 || lines[0] != "2 of 3 downloads failed:" ||
		!strings.HasPrefix(lines[1], bad1.URL+" (test missing1.deb): not found") ||
		!strings.HasPrefix(lines[2], bad2.URL+" (test wrong.deb): sha256 mismatch") {
		t.Errorf("error:\n%v", err)
	}
	if _, ok := cl.Cache.Path(good.SHA256); !ok {
		t.Error("the file that did verify was not cached")
	}
}

// TestBadSHA256 refuses a File whose SHA256 is not one, before any request.
func TestBadSHA256(t *testing.T) {
	cl := client(t)
	_, err := cl.Get(context.Background(), File{URL: "http://127.0.0.1:1/x", SHA256: "ABC", Label: "x"})
	if err == nil || !strings.Contains(err.Error(), `"ABC" is not a SHA256 in lower-case hex`) {
		t.Errorf("got %v", err)
	}
}

// TestFileURL: a mirror on disk, by file:// URL.
func TestFileURL(t *testing.T) {
	dir := t.TempDir()
	body := content("local", 3000)
	if err := os.WriteFile(filepath.Join(dir, "Packages"), body, 0o644); err != nil {
		t.Fatal(err)
	}
	cl := client(t)
	f := fileOf("file://"+dir+"/Packages", body)
	p, err := cl.Get(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(p); !bytes.Equal(got, body) {
		t.Error("the cached copy differs")
	}
	missing := fileOf("file://"+dir+"/nothing", body[:10])
	if _, err := cl.Get(context.Background(), missing); !errors.Is(err, ErrNotFound) {
		t.Errorf("a missing local file: %v", err)
	}
}

// TestGetSigned: a file that verify refuses is not cached; one it accepts
// is, and offline it is found again by its URL, and verified again.
func TestGetSigned(t *testing.T) {
	r := newRepo(t)
	body := []byte("Origin: Debian\nSuite: bookworm\n")
	f := r.file("/dists/bookworm/InRelease", body)
	cl := client(t)
	refuse := func(string) error { return errors.New("bad signature by key 1234") }
	_, _, err := cl.GetSigned(context.Background(), f.URL, "bookworm InRelease", refuse)
	want := f.URL + " (bookworm InRelease): not verified: bad signature by key 1234; nothing was cached"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	assertEmpty(t, cl.Cache)

	var seen []byte
	accept := func(p string) error {
		seen, err = os.ReadFile(p)
		return err
	}
	p, sum, err := cl.GetSigned(context.Background(), f.URL, "bookworm InRelease", accept)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(seen, body) || sum != f.SHA256 || !strings.HasSuffix(p, sum) {
		t.Errorf("verify saw %q; got %s %s, want %s", seen, p, sum, f.SHA256)
	}

	before := r.requests.Load()
	cl.Offline = true
	seen = nil
	p2, sum2, err := cl.GetSigned(context.Background(), f.URL, "bookworm InRelease", accept)
	if err != nil || p2 != p || sum2 != sum || !bytes.Equal(seen, body) || r.requests.Load() != before {
		t.Errorf("offline: %s %s %v, verify saw %q, %d requests", p2, sum2, err, seen, r.requests.Load()-before)
	}
	_, _, err = cl.GetSigned(context.Background(), f.URL, "bookworm InRelease", refuse)
	if want := f.URL + " (bookworm InRelease): the cached copy is not verified: bad signature by key 1234"; err == nil || err.Error() != want {
		t.Errorf("offline, a cached file that verify now refuses: %v, want %s", err, want)
	}
	other := r.URL + "/dists/trixie/InRelease"
	if _, _, err := cl.GetSigned(context.Background(), other, "trixie InRelease", accept); err == nil ||
		!strings.Contains(err.Error(), "offline: a file is not in the cache") || !strings.Contains(err.Error(), other) {
		t.Errorf("offline, a URL never fetched: %v", err)
	}
}

// TestProxyFromEnvironment: http_proxy is used. The proxy is the test's
// server; the repository's host does not exist. A helper process, since
// Go reads the variables once per process.
func TestProxyFromEnvironment(t *testing.T) {
	body := content("p", 500)
	f := fileOf("http://repo.invalid/debian/pool/p.deb", body)
	asked := make(chan string, 1)
	proxy := newRepo(t)
	proxy.route("/debian/pool/p.deb", body, func(w http.ResponseWriter, req *http.Request) {
		asked <- req.RequestURI
		w.Write(body)
	})
	dir := filepath.Join(t.TempDir(), "cache")
	if out, err := helperCmd(dir, []File{f}, "http_proxy="+proxy.URL).CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if got := <-asked; got != f.URL {
		t.Errorf("the proxy was asked for %q, want %q", got, f.URL)
	}
	c, _ := OpenCache(dir)
	if _, ok := c.Path(f.SHA256); !ok {
		t.Error("not cached")
	}
}

// TestProgressOnTerminal: on a terminal, a line per download under way and
// a total; on anything else, nothing.
func TestProgressOnTerminal(t *testing.T) {
	term, screen := openPTY(t)
	r := newRepo(t)
	body := content("slow", 4000)
	seen := make(chan struct{})
	slow := r.route("/pool/slow.deb", body, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", "4000")
		w.Write(body[:1000])
		http.NewResponseController(w).Flush()
		<-seen // the test saw the line of this download
		w.Write(body[1000:])
	})
	quick := r.file("/pool/quick.deb", content("q", 10))
	cl := client(t)
	cl.Progress = term
	done := make(chan error)
	go func() {
		_, err := cl.GetAll(context.Background(), []File{slow, quick})
		term.Close()
		done <- err
	}()
	var out strings.Builder
	shown := false
	sc := bufio.NewScanner(screen)
	sc.Split(bufio.ScanBytes)
	for sc.Scan() {
		out.Write(sc.Bytes())
		if !shown && strings.Contains(out.String(), "test slow.deb") {
			close(seen)
			shown = true
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "total: 2/2 files") {
		t.Errorf("no total line on the terminal:\n%q", out.String())
	}

	pipe := filepath.Join(t.TempDir(), "log")
	log, err := os.Create(pipe)
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	cl2 := client(t)
	cl2.Progress = log
	if _, err := cl2.GetAll(context.Background(), []File{quick}); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(pipe); len(data) != 0 {
		t.Errorf("progress drawn on a file that is not a terminal: %q", data)
	}
}

// TestMemoryBounded: a 64 MiB download streams to disk: the process
// allocates a small fraction of it, server included.
func TestMemoryBounded(t *testing.T) {
	const blocks = 64
	block := content("m", 1<<20)
	h := sha256.New()
	for range blocks {
		h.Write(block)
	}
	r := newRepo(t)
	f := r.route("/pool/big.deb", nil, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(blocks*len(block)))
		for range blocks {
			w.Write(block)
		}
	})
	f.SHA256, f.Size = hex.EncodeToString(h.Sum(nil)), blocks*int64(len(block))
	cl := client(t)
	check := testtool.AllocsUnder(t, 8<<20)
	if _, err := cl.Get(context.Background(), f); err != nil {
		t.Fatal(err)
	}
	check()
}
