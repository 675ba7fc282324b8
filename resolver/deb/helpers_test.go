package deb

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
	"github.com/supermin-compile/supermin-compile/resolver"
)

// The fixtures are made by real tools when the tests run: testdata/mkdebs.sh
// builds small packages with dpkg-deb, testdata/fetchdebs.sh downloads real
// Debian packages with apt-get into a cache kept between runs.

// realPackages are downloaded with their dependency closure (see
// fetchdebs.sh); apt computes the closure, so this list need not track it.
var realPackages = []string{"busybox-static", "bash", "coreutils", "base-files", "libc6", "libtinfo6",
	"libselinux1", "libpcre2-8-0", "libacl1", "libattr1", "libgmp10", "libssl3"}

// mkdebs builds the smc-* test packages into a new directory.
func mkdebs(t testing.TB) string {
	t.Helper()
	testtool.Need(t, "dpkg-deb", "ar", "tar", "bzip2", "gzip")
	dir := t.TempDir()
	testtool.Output(t, nil, "sh", "testdata/mkdebs.sh", dir)
	return dir
}

var fetched struct {
	sync.Mutex
	files map[string][]string // by request, the closure's .debs
}

// cacheDir is where downloaded .debs are kept between runs.
func cacheDir(t testing.TB) string {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "supermin-compile-test-debs")
}

// fetchDebs makes the cache hold pkgs and their closure and returns the
// closure's files.
func fetchDebs(t testing.TB, pkgs ...string) []string {
	t.Helper()
	testtool.Need(t, "apt-get", "flock")
	hostIndexes(t) // apt-get update when there are no lists
	key := strings.Join(pkgs, " ")
	fetched.Lock()
	defer fetched.Unlock()
	if files, ok := fetched.files[key]; ok {
		return files
	}
	cmd := exec.Command("sh", append([]string{"testdata/fetchdebs.sh", cacheDir(t)}, pkgs...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		testtool.Unavailable(t, "downloading test packages failed (network? apt-get update?): "+err.Error()+"\n"+stderr.String())
	}
	var files []string
	for _, f := range strings.Fields(string(out)) {
		files = append(files, filepath.Join(cacheDir(t), f))
	}
	if fetched.files == nil {
		fetched.files = map[string][]string{}
	}
	fetched.files[key] = files
	return files
}

var indexes struct {
	sync.Once
	files []string
	err   string
}

// hostIndexes returns the native Packages indexes apt uses, running
// `apt-get update` once when there are none.
func hostIndexes(t testing.TB) []string {
	t.Helper()
	testtool.Need(t, "apt-get")
	indexes.Do(func() {
		if indexes.files = aptIndexes(); len(indexes.files) > 0 {
			return
		}
		if out, err := exec.Command("apt-get", "update", "-q").CombinedOutput(); err != nil {
			indexes.err = "apt-get update: " + err.Error() + "\n" + string(out)
			return
		}
		if indexes.files = aptIndexes(); len(indexes.files) == 0 {
			indexes.err = "no Packages indexes even after apt-get update"
		}
	})
	if indexes.err != "" {
		testtool.Unavailable(t, indexes.err)
	}
	return indexes.files
}

// aptIndexes asks apt which Packages files it reads, so that both sides of
// a comparison see the same universe.
func aptIndexes() []string {
	arch, err := hostArch()
	if err != nil {
		return nil
	}
	out, err := exec.Command("apt-get", "indextargets", "--format", "$(FILENAME)",
		"Created-By: Packages", "Architecture: "+arch).Output()
	if err != nil {
		return nil
	}
	var files []string
	for _, f := range strings.Fields(string(out)) {
		// Depending on its version, apt names the file with or without
		// the suffix of the compression it keeps it in.
		for _, ext := range []string{"", ".lz4", ".gz", ".xz", ".zst", ".bz2"} {
			if _, err := os.Stat(f + ext); err == nil {
				files = append(files, f+ext)
				break
			}
		}
	}
	return files
}

func openDir(t testing.TB, dir string) *Universe {
	t.Helper()
	u, err := OpenDir(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	u.KeepContents()
	t.Cleanup(func() { u.Close() })
	return u
}

func find(t testing.TB, u *Universe, name, version string) *resolver.Package {
	t.Helper()
	for _, p := range u.Packages() {
		if p.Name == name && (version == "" || p.Version == version) {
			return p
		}
	}
	t.Fatalf("no package %s %s", name, version)
	return nil
}

func names(pkgs []*resolver.Package) []string {
	var out []string
	for _, p := range pkgs {
		out = append(out, p.Name)
	}
	return out
}
