package fetch

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// helperCmd runs the test binary as a build that fetches files into the
// cache dir (see TestMain).
func helperCmd(dir string, files []File, env ...string) *exec.Cmd {
	list, err := json.Marshal(files)
	if err != nil {
		panic(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), append(env, "FETCH_HELPER="+dir, "FETCH_FILES="+string(list))...)
	return cmd
}

// TestConcurrentBuilds: four processes and four clients of this one fetch
// overlapping sets of files into one cache at once. Every file ends up
// cached once, under its SHA256, with nothing left over.
func TestConcurrentBuilds(t *testing.T) {
	r := newRepo(t)
	var files []File
	for i := range 12 {
		files = append(files, r.file(fmt.Sprintf("/pool/%d.deb", i), content(fmt.Sprint(i), 50000+i*7919)))
	}
	dir := filepath.Join(t.TempDir(), "cache")
	set := func(k int) []File { return files[k*2 : k*2+6] } // each overlaps the next
	var cmds []*exec.Cmd
	for k := range 4 {
		cmd := helperCmd(dir, set(k))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	c, err := OpenCache(dir)
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 4)
	for k := range 4 {
		go func() {
			_, err := (&Client{Cache: c, Parallel: 2}).GetAll(context.Background(), set(3-k))
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	for _, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("helper: %v", err)
		}
	}
	assertConsistent(t, c)
	if u, _ := c.Usage(); u.Files != 12 || u.Partial != 0 {
		t.Errorf("usage %+v, want 12 files and no temporary file", u)
	}
}

// TestKilledDownload: a build killed by SIGKILL in the middle of a
// download leaves nothing under blobs/, and a temporary file that Prune
// removes since its process is gone.
func TestKilledDownload(t *testing.T) {
	r := newRepo(t)
	body := content("k", 100000)
	started := make(chan struct{})
	f := r.route("/pool/k.deb", body, func(w http.ResponseWriter, req *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		w.Write(body[:30000])
		http.NewResponseController(w).Flush()
		close(started)
		<-req.Context().Done() // until the client dies
	})
	dir := filepath.Join(t.TempDir(), "cache")
	cmd := helperCmd(dir, []File{f})
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	<-started // the helper made its temporary file before its request
	cmd.Process.Kill()
	if err := cmd.Wait(); err == nil || cmd.ProcessState.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("the helper was not killed: %v", err)
	}
	c, err := OpenCache(dir)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := c.Usage()
	if u.Files != 0 || u.Partial != 1 {
		t.Errorf("after the kill: %+v, want no file and one temporary file", u)
	}
	pr, err := c.Prune(nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if pr.Partial != 1 {
		t.Errorf("prune removed %d temporary files, want 1", pr.Partial)
	}
	if _, err := (&Client{Cache: c, Offline: true}).Get(context.Background(), f); err == nil {
		t.Error("the killed download is in the cache")
	}
	assertEmpty(t, c)
}

// TestPrune: a file named by a lock, or used recently, stays; another goes.
// A cache hit counts as a use.
func TestPrune(t *testing.T) {
	r := newRepo(t)
	locked := r.file("/pool/locked.deb", content("l", 100))
	used := r.file("/pool/used.deb", content("u", 200))
	old := r.file("/pool/old.deb", content("o", 300))
	cl := client(t)
	if _, err := cl.GetAll(context.Background(), []File{locked, used, old}); err != nil {
		t.Fatal(err)
	}
	month := time.Now().Add(-40 * 24 * time.Hour)
	for _, f := range []File{locked, used, old} {
		if err := os.Chtimes(cl.Cache.blobPath(f.SHA256), month, month); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := (&Client{Cache: cl.Cache}).Get(context.Background(), used); err != nil {
		t.Fatal(err)
	}
	pr, err := cl.Cache.Prune(map[string]bool{locked.SHA256: true}, time.Now().Add(-30*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if pr.Removed != 1 || pr.RemovedBytes != 300 || pr.Kept != 2 {
		t.Errorf("prune: %+v, want old.deb removed and 2 kept", pr)
	}
	for _, f := range []File{locked, used} {
		if _, ok := cl.Cache.Path(f.SHA256); !ok {
			t.Errorf("%s was pruned", f.Label)
		}
	}
	if _, ok := cl.Cache.Path(old.SHA256); ok {
		t.Error("old.deb was kept")
	}
}

// TestVerifyRemovesCorruptFiles: a cached file whose bytes changed on disk
// is found, removed, and fetched again by the next Get.
func TestVerifyRemovesCorruptFiles(t *testing.T) {
	r := newRepo(t)
	f := r.file("/pool/c.deb", content("c", 1000))
	cl := client(t)
	p, err := cl.Get(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(p, 0o644)
	if err := os.WriteFile(p, content("d", 1000), 0o644); err != nil {
		t.Fatal(err)
	}
	bad, err := cl.Cache.Verify()
	if err != nil || len(bad) != 1 || bad[0] != p {
		t.Fatalf("verify: %v %v, want %s", bad, err, p)
	}
	if _, err := cl.Get(context.Background(), f); err != nil {
		t.Fatal(err)
	}
	assertConsistent(t, cl.Cache)
}

// openPTY returns a new terminal and the other end, which reads what is
// drawn on it.
func openPTY(t *testing.T) (term, screen *os.File) {
	t.Helper()
	screen, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		testtool.Unavailable(t, "no pseudo-terminal: "+err.Error())
	}
	t.Cleanup(func() { screen.Close() })
	fd := int(screen.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetUint32(fd, unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	term, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.IoctlSetWinsize(int(term.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 24, Col: 100}); err != nil {
		t.Fatal(err)
	}
	return term, screen
}

// TestShortCachedFileFetchedAgain: a cached file whose size is not the
// one wanted (cut short on disk) is not trusted: Get fetches it again.
func TestShortCachedFileFetchedAgain(t *testing.T) {
	r := newRepo(t)
	f := r.file("/pool/s.deb", content("s", 1000))
	cl := client(t)
	p, err := cl.Get(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(p, 0o644)
	if err := os.Truncate(p, 10); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.Get(context.Background(), f); err != nil {
		t.Fatal(err)
	}
	if n := r.requests.Load(); n != 2 {
		t.Errorf("%d requests, want the file fetched again", n)
	}
	assertConsistent(t, cl.Cache)
}

// TestPut: a derived file is cached under its SHA256 when its content and
// size are what the caller says, and found by Path; otherwise, or when
// the writer fails, nothing is cached.
func TestPut(t *testing.T) {
	body := content("plain", 5000)
	good := fileOf("", body)
	for _, tc := range []struct {
		name  string
		size  int64
		sum   string
		write func(io.Writer) error
		want  string
	}{
		{"sha256", good.Size, strings.Repeat("0", 64), nil, "sha256 mismatch"},
		{"size", good.Size + 1, good.SHA256, nil, "size mismatch"},
		{"writer", good.Size, good.SHA256, func(w io.Writer) error { w.Write(body[:10]); return io.ErrUnexpectedEOF }, "unexpected EOF"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := client(t).Cache
			write := tc.write
			if write == nil {
				write = func(w io.Writer) error { _, err := w.Write(body); return err }
			}
			if _, err := c.Put(tc.sum, tc.size, write); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want %q", err, tc.want)
			}
			assertEmpty(t, c)
		})
	}
	c := client(t).Cache
	p, err := c.Put(good.SHA256, good.Size, func(w io.Writer) error { _, err := w.Write(body); return err })
	if err != nil {
		t.Fatal(err)
	}
	if found, ok := c.Path(good.SHA256); !ok || found != p {
		t.Errorf("Path: %q %v, want %q", found, ok, p)
	}
	assertConsistent(t, c)
}
