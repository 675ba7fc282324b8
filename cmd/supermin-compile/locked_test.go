package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/supermin-compile/supermin-compile/fetch"
	"github.com/supermin-compile/supermin-compile/internal/testtool"
	"github.com/supermin-compile/supermin-compile/lock"
)

// The fixtures of the locked-build test are made by the real tools: the
// packages by resolver/deb/testdata/mkdebs.sh and dpkg-deb, the
// repositories by repo/apt/testdata/mkrepo.sh (apt-ftparchive), signed
// by gpg with a throwaway key, and served over HTTP on 127.0.0.1.

// signer is a throwaway gpg key.
type signer struct{ home, fpr, keyring string }

func newSigner(t *testing.T) *signer {
	t.Helper()
	testtool.Need(t, "gpg", "gpg-agent", "gpgconf")
	home, err := os.MkdirTemp("", "smc-gpg") // short: gpg-agent's socket path is limited
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = exec.Command("gpgconf", "--homedir", home, "--kill", "gpg-agent").Run()
		os.RemoveAll(home)
	})
	s := &signer{home: home, keyring: filepath.Join(t.TempDir(), "smc.gpg")}
	s.gpg(t, "--quick-gen-key", "smc lock <lock@example.org>", "rsa2048", "sign", "1y")
	for _, line := range strings.Split(s.gpg(t, "--with-colons", "--list-keys"), "\n") {
		if f := strings.Split(line, ":"); f[0] == "fpr" && s.fpr == "" {
			s.fpr = f[9]
		}
	}
	s.gpg(t, "--output", s.keyring, "--export", s.fpr)
	return s
}

func (s *signer) gpg(t *testing.T, args ...string) string {
	t.Helper()
	return string(testtool.Output(t, []string{"LC_ALL=C"}, "gpg", append([]string{"--homedir", s.home, "--batch", "--yes",
		"--pinentry-mode", "loopback", "--passphrase", ""}, args...)...))
}

// repository lays out a signed repository of debs and returns its root.
func (s *signer) repository(t *testing.T, debs ...string) string {
	t.Helper()
	testtool.Need(t, "apt-ftparchive", "dpkg", "xz", "gzip")
	in := t.TempDir()
	for _, d := range debs {
		if err := os.Symlink(d, filepath.Join(in, filepath.Base(d))); err != nil {
			t.Fatal(err)
		}
	}
	root := filepath.Join(t.TempDir(), "repo")
	testtool.Output(t, nil, "sh", filepath.Join(testtool.ModuleRoot(t), "repo/apt/testdata/mkrepo.sh"), root, in)
	dist := filepath.Join(root, "dists/smc")
	s.gpg(t, "--local-user", s.fpr, "--output", filepath.Join(dist, "InRelease"), "--clearsign", filepath.Join(dist, "Release"))
	return root
}

// testPackages builds mkdebs.sh's packages and smc-none 1.1, a newer
// smc-none whose file says so, rebuilt by dpkg-deb from 1.0.
func testPackages(t *testing.T) (dir string) {
	t.Helper()
	testtool.Need(t, "dpkg-deb", "ar", "tar", "bzip2", "gzip", "xz")
	dir = t.TempDir()
	testtool.Output(t, nil, "sh", filepath.Join(testtool.ModuleRoot(t), "resolver/deb/testdata/mkdebs.sh"), dir)
	tree := filepath.Join(t.TempDir(), "smc-none")
	testtool.Output(t, nil, "dpkg-deb", "-R", filepath.Join(dir, "smc-none_1.0_all.deb"), tree)
	control := filepath.Join(tree, "DEBIAN/control")
	text, err := os.ReadFile(control)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, control, strings.Replace(string(text), "Version: 1.0\n", "Version: 1.1\n", 1))
	writeFile(t, filepath.Join(tree, "usr/share/smc-none/file"), "none 1.1\n")
	testtool.Output(t, nil, "dpkg-deb", "--root-owner-group", "--build", tree, filepath.Join(dir, "smc-none_1.1_all.deb"))
	return dir
}

func writeFile(t *testing.T, file, text string) {
	t.Helper()
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func fileSHA256(t *testing.T, file string) string {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// TestLockedBuildOfMovedRepository: lock against a repository, which
// then moves on to a newer smc-none. build --locked still builds the
// locked bytes: fetched from the repository's pool while it keeps them,
// then from the cache once it does not; lock --check shows the drift;
// cache prune keeps the locked files; and with the cache emptied, build
// --locked fails naming the package, its version and SHA256.
func TestLockedBuildOfMovedRepository(t *testing.T) {
	s := newSigner(t)
	debs := testPackages(t)
	old, newer, bz2 := filepath.Join(debs, "smc-none_1.0_all.deb"), filepath.Join(debs, "smc-none_1.1_all.deb"), filepath.Join(debs, "smc-bz2_1.0_all.deb")
	v1 := s.repository(t, old, bz2)
	kept := s.repository(t, old, newer, bz2) // moved on, the old version still in its pool
	gone := s.repository(t, newer, bz2)      // moved on, the old version gone

	var root atomic.Value
	root.Store(v1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.FileServer(http.Dir(root.Load().(string))).ServeHTTP(w, r)
	}))
	defer srv.Close()

	dir := t.TempDir()
	manifest := filepath.Join(dir, "app.toml")
	writeFile(t, manifest, fmt.Sprintf(`packages = ["smc-none", "smc-bz2"]
kernel = false
format = "chroot"
[source]
type = "apt"
cache_dir = "cache"
[[source.repository]]
url = %q
suite = "smc"
components = ["main"]
keyring = %q
`, srv.URL, s.keyring))
	cache, lockFile := filepath.Join(dir, "cache"), filepath.Join(dir, "app.lock")

	if _, stderr, code := runCLI(t, "lock", manifest); code != 0 {
		t.Fatalf("lock: exit %d\n%s", code, stderr)
	}
	l, err := lock.Read(lockFile)
	if err != nil {
		t.Fatal(err)
	}
	oldSum := fileSHA256(t, old)
	info, _ := os.Stat(old)
	want := lock.Package{Name: "smc-none", Version: "1.0", Arch: "all", Source: "apt", Digest: "sha256:" + oldSum,
		Repository: srv.URL, Filename: "pool/main/smc-none_1.0_all.deb", Size: info.Size(),
		Release: "sha256:" + fileSHA256(t, filepath.Join(v1, "dists/smc/InRelease"))}
	if len(l.Packages) != 2 || l.Packages[1] != want {
		t.Fatalf("lock records %+v\nwant smc-bz2 and %+v", l.Packages, want)
	}

	// The old file from the pool of a repository that moved on.
	root.Store(kept)
	if err := os.RemoveAll(cache); err != nil {
		t.Fatal(err)
	}
	wantLockedBuild(t, manifest, filepath.Join(dir, "out1"), old)
	for _, args := range [][]string{{"lock", "--check", manifest}, {"list", "--locked", manifest}} {
		_, stderr, code := runCLI(t, args...)
		if code != 1 || !strings.Contains(stderr, "\n- smc-none 1.0\n+ smc-none 1.1\n") {
			t.Errorf("%v after the repository moved on: exit %d, want 1 and the drift of smc-none:\n%s", args, code, stderr)
		}
	}

	// A lock written before locks recorded archives is checked as before.
	text, err := os.ReadFile(lockFile)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, lockFile, regexp.MustCompile(`(?m)^(repository|filename|size|release) = .*\n`).ReplaceAllString(string(text), ""))
	if _, stderr, code := runCLI(t, "build", "--locked", manifest, "-o", filepath.Join(dir, "older")); code != 1 ||
		!strings.Contains(stderr, "app.lock pins no repository files") || !strings.Contains(stderr, "\n+ smc-none 1.1\n") {
		t.Errorf("build --locked of a lock without archives: exit %d, want 1, a note and the drift:\n%s", code, stderr)
	}
	writeFile(t, lockFile, string(text))

	// From the cache, the repository having dropped the old file.
	root.Store(gone)
	wantLockedBuild(t, manifest, filepath.Join(dir, "out2"), old)
	if stderr := wantLockedBuild(t, manifest, filepath.Join(dir, "out2"), old, "--if-newer"); !strings.Contains(stderr, "up to date") {
		t.Errorf("build --locked --if-newer of a current output rebuilt it:\n%s", stderr)
	}

	// A lock edited to pair the SHA256 with another version is refused.
	writeFile(t, lockFile, strings.Replace(string(text), "name = \"smc-none\"\nversion = \"1.0\"", "name = \"smc-none\"\nversion = \"0.9\"", 1))
	if _, stderr, code := runCLI(t, "build", "--locked", manifest, "-o", filepath.Join(dir, "edited")); code != 1 ||
		!strings.Contains(stderr, "the archive of sha256 "+oldSum+" is not smc-none 0.9 (all)") {
		t.Errorf("build --locked of an edited lock: exit %d, want 1 naming the archive:\n%s", code, stderr)
	}
	writeFile(t, lockFile, string(text))

	// lock --check fetched smc-none 1.1: prune drops it, keeps the locked.
	if _, stderr, code := runCLI(t, "cache", "prune", "--keep-days", "0", "--cache-dir", cache, lockFile); code != 0 {
		t.Fatalf("cache prune: exit %d\n%s", code, stderr)
	}
	c, err := fetch.OpenCache(cache)
	if err != nil {
		t.Fatal(err)
	}
	for file, wantKept := range map[string]bool{old: true, bz2: true, newer: false} {
		if _, ok := c.Path(fileSHA256(t, file)); ok != wantKept {
			t.Errorf("after cache prune app.lock, %s cached: %v, want %v", filepath.Base(file), ok, wantKept)
		}
	}

	// Neither cached nor served.
	if err := os.RemoveAll(cache); err != nil {
		t.Fatal(err)
	}
	out3 := filepath.Join(dir, "out3")
	_, stderr, code := runCLI(t, "build", "--locked", manifest, "-o", out3)
	for _, part := range []string{"\n  smc-none 1.0 (all) sha256 " + oldSum + "\n", "404", "a snapshot of the repository (a URL that serves old versions)"} {
		if code != 1 || !strings.Contains(stderr, part) {
			t.Errorf("build --locked of a file gone from cache and repository: exit %d, want 1 and %q in:\n%s", code, part, stderr)
		}
	}
	if strings.Contains(stderr, "smc-bz2 1.0 (all) sha256") {
		t.Errorf("the error names smc-bz2, which the repository still serves:\n%s", stderr)
	}
	if _, err := os.Stat(out3); err == nil {
		t.Error("build --locked wrote an output")
	}

	// A new lock makes the output of the old one out of date.
	if _, stderr, code := runCLI(t, "lock", manifest); code != 0 {
		t.Fatalf("lock: exit %d\n%s", code, stderr)
	}
	if stderr := wantLockedBuild(t, manifest, filepath.Join(dir, "out2"), newer, "--if-newer"); strings.Contains(stderr, "up to date") {
		t.Errorf("build --locked --if-newer after a new lock skipped the build:\n%s", stderr)
	}
}

// wantLockedBuild runs build --locked into out and checks that smc-none's
// file is the one in deb, as dpkg-deb extracts it; it returns stderr.
func wantLockedBuild(t *testing.T, manifest, out, deb string, options ...string) string {
	t.Helper()
	_, stderr, code := runCLI(t, append([]string{"build", "--locked", manifest, "-o", out}, options...)...)
	if code != 0 {
		t.Fatalf("build --locked: exit %d\n%s", code, stderr)
	}
	x := t.TempDir()
	testtool.Output(t, nil, "dpkg-deb", "-x", deb, x)
	want, _ := os.ReadFile(filepath.Join(x, "usr/share/smc-none/file"))
	got, err := os.ReadFile(filepath.Join(out, "usr/share/smc-none/file"))
	if err != nil || string(got) != string(want) {
		t.Errorf("build --locked: /usr/share/smc-none/file is %q (%v), want %q from %s", got, err, want, filepath.Base(deb))
	}
	return stderr
}
