package modules

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

func writeDep(t *testing.T, text string) string {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "modules.dep"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

const dep = `kernel/fs/ext4/ext4.ko.xz: kernel/lib/crc16.ko.xz kernel/fs/mbcache.ko.xz kernel/fs/jbd2/jbd2.ko.xz
kernel/lib/crc16.ko.xz:
kernel/fs/mbcache.ko.xz:
kernel/fs/jbd2/jbd2.ko.xz:
kernel/drivers/block/virtio_blk.ko.zst: kernel/drivers/virtio/virtio.ko.zst kernel/drivers/virtio/virtio_ring.ko.zst
kernel/drivers/virtio/virtio.ko.zst: kernel/drivers/virtio/virtio_ring.ko.zst
kernel/drivers/virtio/virtio_ring.ko.zst:
kernel/drivers/gpu/drm/virtio/virtio-gpu.ko.zst: kernel/drivers/gpu/drm/drm.ko.zst kernel/drivers/virtio/virtio.ko.zst
kernel/drivers/gpu/drm/drm.ko.zst:
kernel/net/a.ko: kernel/net/b.ko
kernel/net/b.ko: kernel/net/a.ko
`

func names(ms []Module) string {
	var s []string
	for _, m := range ms {
		s = append(s, m.Name)
	}
	return strings.Join(s, " ")
}

func TestClosure(t *testing.T) {
	dir := writeDep(t, dep)
	for _, tc := range []struct {
		patterns []string
		want     string
	}{
		{[]string{"ext4"}, "crc16 mbcache jbd2 ext4"},
		{[]string{"virtio*"}, "virtio_ring virtio drm virtio-gpu virtio_blk"},
		{[]string{"virtio*", "!virtio-gpu"}, "virtio_ring virtio virtio_blk"},
		{[]string{"ext4", "virtio_blk", "crc16"}, "crc16 mbcache jbd2 ext4 virtio_ring virtio virtio_blk"},
		{[]string{"a"}, "b a"}, // a dependency cycle ends
		{[]string{"nothing*"}, ""},
	} {
		ms, err := Closure(dir, tc.patterns)
		if err != nil {
			t.Fatal(err)
		}
		if got := names(ms); got != tc.want {
			t.Errorf("%v: got %q, want %q", tc.patterns, got, tc.want)
		}
	}
	ms, _ := Closure(dir, []string{"ext4"})
	if ms[3].File != filepath.Join(dir, "kernel/fs/ext4/ext4.ko.xz") {
		t.Errorf("file: %s", ms[3].File)
	}
}

func TestClosureErrors(t *testing.T) {
	if _, err := Closure(t.TempDir(), []string{"x"}); err == nil {
		t.Error("missing modules.dep: no error")
	}
	if _, err := Closure(writeDep(t, "garbage line\n"), []string{"x"}); err == nil || !strings.Contains(err.Error(), "modules.dep:1") {
		t.Errorf("malformed modules.dep: %v", err)
	}
}

// TestCompressedModules compresses a real module with xz, zstd and gzip and
// checks that Open gives back the original bytes.
func TestCompressedModules(t *testing.T) {
	testtool.Need(t, "xz", "zstd", "gzip")
	real, _ := filepath.Glob("/lib/modules/*/kernel/drivers/block/virtio_blk.ko*")
	if len(real) == 0 {
		testtool.Unavailable(t, "no kernel modules installed (linux-image-amd64)")
	}
	orig, err := (Module{File: real[0]}).Open()
	if err != nil {
		t.Fatal(err)
	}
	want, _ := io.ReadAll(orig)
	orig.Close()
	dir := t.TempDir()
	plain := filepath.Join(dir, "virtio_blk.ko")
	os.WriteFile(plain, want, 0o644)
	for _, c := range [][]string{{"xz", "--check=crc32", "-k", plain}, {"zstd", "-q", "-k", plain}, {"gzip", "-k", plain}} {
		if out, err := exec.Command(c[0], c[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%v: %v %s", c, err, out)
		}
	}
	for _, ext := range []string{".xz", ".zst", ".gz"} {
		m := Module{Name: "virtio_blk", File: plain + ext}
		if Name(m.File) != "virtio_blk" {
			t.Errorf("Name(%s) = %s", m.File, Name(m.File))
		}
		r, err := m.Open()
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(r)
		r.Close()
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: %d bytes, err %v; want %d bytes", ext, len(got), err, len(want))
		}
		if n, _ := m.Size(); n != int64(len(want)) {
			t.Errorf("%s: Size %d", ext, n)
		}
	}
}
