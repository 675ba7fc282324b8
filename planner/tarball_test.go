package planner

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/members"
	"github.com/supermin-compile/supermin-compile/internal/testtool"
	"github.com/supermin-compile/supermin-compile/plan"
)

// gnuTar runs GNU tar with args, in dir.
func gnuTar(t *testing.T, dir string, args ...string) {
	t.Helper()
	testtool.Need(t, "tar", "zstd", "xz")
	cmd := exec.Command("tar", args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("tar %v: %v %s", args, err, out)
	}
}

// readAll reads every regular file of l through its Source.
func readAll(t *testing.T, l Layer) map[string][]byte {
	t.Helper()
	got := map[string][]byte{}
	for _, e := range l {
		if e.Type != plan.Regular || e.Src == nil {
			continue
		}
		r, err := e.Src.Open()
		if err != nil {
			t.Fatalf("%s: %v", e.Path, err)
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil || int64(len(b)) != e.Size {
			t.Fatalf("%s: %d bytes (%v), the header says %d", e.Path, len(b), err, e.Size)
		}
		got[e.Path] = b
	}
	return got
}

// TestTarballContents: the members GNU tar packed read back byte for byte,
// from the spool in a build (one decompression for all of them) and by
// decompressing again otherwise.
func TestTarballContents(t *testing.T) {
	dir := t.TempDir()
	want := map[string][]byte{
		"/etc/motd":     []byte("hi\n"),
		"/usr/bin/tool": bytes.Repeat([]byte("tool\x00"), 100_000),
		"/big":          bytes.Repeat([]byte{0}, 3<<20),
	}
	for p, b := range want {
		must(t, os.MkdirAll(filepath.Dir(dir+"/src"+p), 0o755))
		must(t, os.WriteFile(dir+"/src"+p, b, 0o644))
	}
	must(t, os.WriteFile(dir+"/src/empty", nil, 0o644))
	gnuTar(t, dir+"/src", "--zstd", "-cf", dir+"/b.tar.zst", ".")
	gnuTar(t, dir+"/src", "-J", "-cf", dir+"/b.tar.xz", ".")
	for _, name := range []string{"b.tar.zst", "b.tar.xz"} {
		for _, build := range []bool{true, false} {
			c := members.NewCache()
			if build {
				c.KeepContents()
			}
			l, err := TarballLayer(filepath.Join(dir, name), c)
			must(t, err)
			got := readAll(t, l)
			c.Close()
			for p, b := range want {
				if !bytes.Equal(got[p], b) {
					t.Errorf("%s (build %v): %s: %d bytes, want %d", name, build, p, len(got[p]), len(b))
				}
			}
			wantStarts := int64(len(want)) // one per read
			if build {
				wantStarts = 0 // all from the spool
			}
			if n := c.Starts(); n != wantStarts {
				t.Errorf("%s (build %v): %d decompressions for reads, want %d", name, build, n, wantStarts)
			}
		}
	}
}

// TestTarballChanged: a tarball replaced between listing and the build's
// first read is an error naming it, not members read from another file.
func TestTarballChanged(t *testing.T) {
	dir := t.TempDir()
	must(t, os.MkdirAll(dir+"/src", 0o755))
	must(t, os.WriteFile(dir+"/src/a", []byte("first"), 0o644))
	gnuTar(t, dir+"/src", "-cf", dir+"/b.tar", "a")
	c := members.NewCache()
	defer c.Close()
	c.KeepContents()
	l, err := TarballLayer(dir+"/b.tar", c)
	must(t, err)
	must(t, os.WriteFile(dir+"/src/a", []byte("second, longer"), 0o644))
	gnuTar(t, dir+"/src", "-cf", dir+"/b.tar", "a", "a")
	_, err = l[0].Src.Open()
	if err == nil || !strings.Contains(err.Error(), dir+"/b.tar: changed since it was listed") {
		t.Errorf("reading a replaced tarball: %v", err)
	}
}
