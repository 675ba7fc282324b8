package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/supermin-compile/supermin-compile/fetch"
	"github.com/supermin-compile/supermin-compile/lock"
)

// fillCache fetches files of the given sizes into a new cache, from a
// mirror on disk, and dates their last use 40 days back.
func fillCache(t *testing.T, sizes ...int) (dir string, sums []string) {
	t.Helper()
	mirror := t.TempDir()
	dir = filepath.Join(t.TempDir(), "cache")
	c, err := fetch.OpenCache(dir)
	if err != nil {
		t.Fatal(err)
	}
	cl := &fetch.Client{Cache: c}
	old := time.Now().AddDate(0, 0, -40)
	for i, n := range sizes {
		data := []byte(strings.Repeat(fmt.Sprint(i), n))
		name := filepath.Join(mirror, fmt.Sprint(i))
		if err := os.WriteFile(name, data, 0o644); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		f := fetch.File{URL: "file://" + name, SHA256: hex.EncodeToString(sum[:]), Size: int64(n)}
		p, err := cl.Get(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
		sums = append(sums, f.SHA256)
	}
	return dir, sums
}

// TestCacheShowAndPrune: `cache` shows the size; `cache prune` keeps what a
// lock file pins (a package digest, a sha256 field), removes the rest.
func TestCacheShowAndPrune(t *testing.T) {
	dir, sums := fillCache(t, 1<<20, 1000, 3000)
	out, stderr, code := runCLI(t, "cache", "--cache-dir", dir)
	if want := dir + ": 3 files, 1.0 MiB\n"; code != 0 || out != want {
		t.Errorf("cache: code %d, %q (stderr %q), want %q", code, out, stderr, want)
	}

	l := &lock.Lock{
		Manifest: strings.Repeat("f", 64),
		Packages: []lock.Package{{Name: "a", Version: "1", Arch: "amd64", Source: "apt", Digest: "sha256:" + sums[0]}},
		Base:     []lock.Base{{Path: "base.tar", SHA256: sums[2]}},
	}
	lockFile := filepath.Join(t.TempDir(), "app.lock")
	f, err := os.Create(lockFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Write(f); err != nil {
		t.Fatal(err)
	}
	f.Close()

	_, stderr, code = runCLI(t, "cache", "prune", lockFile, "--cache-dir", dir)
	if code != 0 || !strings.Contains(stderr, "removed 1 files (0.0 MiB) unused for 30 days and in no lock file given; kept 2 (1.0 MiB)") {
		t.Errorf("cache prune: code %d, %q", code, stderr)
	}
	c, _ := fetch.OpenCache(dir)
	for i, want := range []bool{true, false, true} {
		if _, ok := c.Path(sums[i]); ok != want {
			t.Errorf("file %d: cached %v after prune, want %v", i, ok, want)
		}
	}

	_, stderr, code = runCLI(t, "cache", "prune", "--keep-days", "0", "--cache-dir", dir)
	if code != 0 || !strings.Contains(stderr, "removed 2 files") {
		t.Errorf("cache prune --keep-days 0 without a lock: code %d, %q", code, stderr)
	}
}

// TestCacheDefaultDir: without --cache-dir, the cache is in
// $XDG_CACHE_HOME/supermin-compile.
func TestCacheDefaultDir(t *testing.T) {
	home := t.TempDir()
	cmd := exec.Command(bin, "cache")
	cmd.Env = append(os.Environ(), "XDG_CACHE_HOME="+home)
	out, err := cmd.Output()
	if want := filepath.Join(home, "supermin-compile") + ": 0 files, 0.0 MiB\n"; err != nil || string(out) != want {
		t.Errorf("cache: %v, %q, want %q", err, out, want)
	}
}

// TestCacheVerify: a file whose bytes changed in the cache is reported,
// removed, and the exit status is 1.
func TestCacheVerify(t *testing.T) {
	dir, sums := fillCache(t, 100, 200)
	_, stderr, code := runCLI(t, "cache", "verify", "--cache-dir", dir)
	if code != 0 || !strings.Contains(stderr, "2 files verified") {
		t.Errorf("cache verify: code %d, %q", code, stderr)
	}
	bad := filepath.Join(dir, "blobs/sha256", sums[1][:2], sums[1])
	os.Chmod(bad, 0o644)
	if err := os.WriteFile(bad, []byte("tampered"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, code = runCLI(t, "cache", "verify", "--cache-dir", dir)
	if code != 1 || !strings.Contains(stderr, bad+": content does not match its SHA256; removed") {
		t.Errorf("cache verify of a tampered file: code %d, %q", code, stderr)
	}
	if _, err := os.Stat(bad); err == nil {
		t.Error("the tampered file is still cached")
	}
}

// TestCacheUsageErrors: bad arguments exit 2, a lock file that cannot be
// read exits 1 naming it.
func TestCacheUsageErrors(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"cache", "prune", "--keep-days", "-1", "--cache-dir", dir},
		{"cache", "verify", "extra", "--cache-dir", dir},
		{"cache", "--keep-days", "3", "--cache-dir", dir},
	} {
		if _, _, code := runCLI(t, args...); code != 2 {
			t.Errorf("%v: code %d, want 2", args, code)
		}
	}
	missing := filepath.Join(dir, "nothing.lock")
	_, stderr, code := runCLI(t, "cache", "prune", missing, "--cache-dir", dir)
	if code != 1 || !strings.Contains(stderr, missing) {
		t.Errorf("prune with a missing lock file: code %d, %q", code, stderr)
	}
}
