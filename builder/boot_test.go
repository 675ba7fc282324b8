package builder

import (
	"bytes"
	"crypto/rand"
	"os"
	"path/filepath"
	"testing"

	"github.com/supermin-compile/supermin-compile/boot/kernel"
	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// TestInstallKernelGunzip: a kernel to gunzip (RISC-V) is written
// decompressed, byte for byte what zcat gives, even when it would
// otherwise be symlinked; another is symlinked.
func TestInstallKernelGunzip(t *testing.T) {
	testtool.Need(t, "gzip", "zcat")
	dir := t.TempDir()
	image := make([]byte, 3<<20)
	rand.Read(image)
	src := filepath.Join(dir, "vmlinuz")
	must(t, os.WriteFile(src, image, 0o644))
	testtool.Output(t, nil, "gzip", "-n", src)
	src += ".gz"

	dst := filepath.Join(dir, "kernel")
	must(t, installKernel(&kernel.Kernel{Path: src, Gunzip: true}, dst, false))
	got, err := os.ReadFile(dst)
	must(t, err)
	if want := testtool.Output(t, nil, "zcat", src); !bytes.Equal(got, want) {
		t.Errorf("kernel: %d bytes, zcat gives %d", len(got), len(want))
	}

	link := filepath.Join(dir, "link")
	must(t, installKernel(&kernel.Kernel{Path: src}, link, false))
	if target, err := os.Readlink(link); err != nil || target != src {
		t.Errorf("kernel not to gunzip: readlink %q, %v; want a symlink to %s", target, err, src)
	}
}
