package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// rpmRepo copies the fixtures' real .rpm files into a repository that
// createrepo_c indexes, and serves it on 127.0.0.1.
func rpmRepo(t *testing.T) (dir, url string) {
	testtool.Need(t, "createrepo_c", "rpm")
	dir = filepath.Join(t.TempDir(), "repo")
	if out, err := exec.Command("cp", "-r", testtool.Fixture(t, rpmFixtures), dir).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v %s", err, out)
	}
	testtool.Output(t, nil, "createrepo_c", "-q", dir)
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	t.Cleanup(srv.Close)
	return dir, srv.URL
}

// rpmMDManifest writes a manifest for an rpm-md source with its own cache.
func rpmMDManifest(t *testing.T, url string, pkgs []string) (manifest, cache string) {
	dir := t.TempDir()
	manifest, cache = filepath.Join(dir, "app.toml"), filepath.Join(dir, "cache")
	writeFile(t, manifest, fmt.Sprintf("packages = %s\nformat = \"chroot\"\nkernel = false\n\n[source]\ntype = \"rpm-md\"\narch = \"x86_64\"\ncache_dir = %q\n\n[[source.repository]]\nurl = %q\ntrusted = true\n",
		tomlList(pkgs), cache, url))
	return manifest, cache
}

// cachedBlobs checks that every file of a download cache is named by its
// SHA-256, and returns the names.
func cachedBlobs(t *testing.T, cache string) map[string]bool {
	blobs := map[string]bool{}
	filepath.Walk(filepath.Join(cache, "blobs"), func(p string, fi os.FileInfo, err error) error {
		if err != nil || !fi.Mode().IsRegular() {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		h := sha256.New()
		io.Copy(h, f)
		if sum := hex.EncodeToString(h.Sum(nil)); sum != filepath.Base(p) {
			t.Errorf("cache file %s holds content hashing to %s", p, sum)
		}
		blobs[filepath.Base(p)] = true
		return nil
	})
	return blobs
}

// TestRpmMDChroot: packages fetched over HTTP from a createrepo_c
// repository build the same tree as from the directory of .rpm files
// (rpm-dir), which rpm -qplv judges in TestRpmDirChroot.
func TestRpmMDChroot(t *testing.T) {
	testtool.Root(t) // owners
	dir, url := rpmRepo(t)
	pkgs := []string{"hello", "xmlstarlet", "epel-release", "monkeysphere"}
	m, cache := rpmMDManifest(t, url, pkgs)
	fromDir := rpmManifest(t, dir, "chroot", pkgs)
	if got, want := resolved(t, m), resolved(t, fromDir); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("rpm-md resolves to\n%s\nrpm-dir to\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	out, want := filepath.Join(t.TempDir(), "md"), filepath.Join(t.TempDir(), "dir")
	run(t, nil, binary(t), "build", m, "-o", out)
	run(t, nil, binary(t), "build", fromDir, "-o", want)
	for _, d := range []string{out, want} {
		must(t, os.Remove(filepath.Join(d, ".supermin-compile.fingerprint"))) // hashes different inputs
	}
	if a, b := snapshot(t, out), snapshot(t, want); strings.ReplaceAll(a, out, "") != strings.ReplaceAll(b, want, "") {
		t.Error("the chroot from the repository differs from the one from the .rpm files")
	}
	if len(cachedBlobs(t, cache)) == 0 {
		t.Error("nothing was cached")
	}
}

// TestRpmMDTampered: a package whose bytes are not what primary.xml says
// is refused, naming it, exit 1, and none of it is cached.
func TestRpmMDTampered(t *testing.T) {
	dir, url := rpmRepo(t)
	files, _ := filepath.Glob(filepath.Join(dir, "*", "hello-*.rpm"))
	if len(files) == 0 {
		t.Fatal("no hello .rpm in the fixtures")
	}
	data, err := os.ReadFile(files[0])
	must(t, err)
	data[len(data)-100] ^= 0xff
	must(t, os.WriteFile(files[0], data, 0o644))
	sum := sha256.Sum256(data)
	m, cache := rpmMDManifest(t, url, []string{"hello"})
	r := runCode(t, nil, binary(t), "build", m, "-o", filepath.Join(t.TempDir(), "out"))
	if r.code != 1 || !strings.Contains(r.stderr, filepath.Base(files[0])) || strings.Contains(r.stderr, "panic") {
		t.Errorf("exit %d: %s", r.code, r.stderr)
	}
	if cachedBlobs(t, cache)[hex.EncodeToString(sum[:])] {
		t.Error("the tampered package is in the cache")
	}
}

// TestRpmMDUnverifiable: a repository that neither signs its metadata nor
// its packages is refused unless the manifest vouches for it.
func TestRpmMDUnverifiable(t *testing.T) {
	_, url := rpmRepo(t)
	m, _ := rpmMDManifest(t, url, []string{"hello"})
	text, _ := os.ReadFile(m)
	must(t, os.WriteFile(m, []byte(strings.Replace(string(text), "trusted = true\n", "", 1)), 0o644))
	r := runCode(t, nil, binary(t), "resolve", m)
	if r.code != 1 || !strings.Contains(r.stderr, "neither gpgcheck nor repo_gpgcheck is on") {
		t.Errorf("exit %d: %s", r.code, r.stderr)
	}
}

// TestRpmMDLocked: the lock of an rpm-md source pins each .rpm (its
// repository, file and SHA-256); build --locked fetches those bytes, from
// the repository when the cache is empty, and, when neither has them
// any more, fails naming the package and its hash.
func TestRpmMDLocked(t *testing.T) {
	dir, url := rpmRepo(t)
	m, cache := rpmMDManifest(t, url, []string{"hello"})
	run(t, nil, binary(t), "lock", m)
	lockText, err := os.ReadFile(strings.TrimSuffix(m, ".toml") + ".lock")
	must(t, err)
	for _, key := range []string{"repository = " + fmt.Sprintf("%q", url), "filename = ", "size = ", "release = \"sha256:"} {
		if !strings.Contains(string(lockText), key) {
			t.Errorf("the lock does not record %q:\n%s", key, lockText)
		}
	}
	must(t, os.RemoveAll(cache))
	out := filepath.Join(t.TempDir(), "out")
	run(t, nil, binary(t), "build", "--locked", m, "-o", out)

	files, _ := filepath.Glob(filepath.Join(dir, "*", "hello-*.rpm"))
	data, err := os.ReadFile(files[0])
	must(t, err)
	sum := sha256.Sum256(data)
	must(t, os.Remove(files[0]))
	must(t, os.RemoveAll(cache))
	r := runCode(t, nil, binary(t), "build", "--locked", m, "-o", out)
	if r.code != 1 || !strings.Contains(r.stderr, "hello") || !strings.Contains(r.stderr, hex.EncodeToString(sum[:])) {
		t.Errorf("exit %d: %s", r.code, r.stderr)
	}
}
