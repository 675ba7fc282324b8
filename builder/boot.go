package builder

import (
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/supermin-compile/supermin-compile/boot/kernel"
	"github.com/supermin-compile/supermin-compile/formats/cpio"
	"github.com/supermin-compile/supermin-compile/manifest"
	"github.com/supermin-compile/supermin-compile/planner"
)

// writeBoot writes DIR/kernel, DIR/initrd and DIR/README.fixed.
func writeBoot(m *manifest.Manifest, k *kernel.Kernel, clock planner.Clock, dir string) error {
	if err := installKernel(k, filepath.Join(dir, "kernel"), m.Kernel.Copy); err != nil {
		return err
	}
	p, err := planner.InitrdPlan(m, k, clock)
	if err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(dir, "initrd"))
	if err != nil {
		return err
	}
	if err := cpio.Write(f, p, ""); err != nil {
		f.Close()
		return fmt.Errorf("writing initrd: %w", err)
	}
	if err := f.Close(); err != nil || m.Supermin {
		return err // supermin's output has no README.fixed
	}
	return os.WriteFile(filepath.Join(dir, "README.fixed"), []byte(readmeFixed), 0o644)
}

// installKernel copies the kernel (a fresh mtime, as supermin's cp) or
// symlinks it; a kernel to gunzip is always written, decompressed.
func installKernel(k *kernel.Kernel, dst string, copyIt bool) error {
	if !copyIt && !k.Gunzip {
		return os.Symlink(k.Path, dst)
	}
	in, err := os.Open(k.Path)
	if err != nil {
		return err
	}
	defer in.Close()
	var r io.Reader = in
	if k.Gunzip {
		zr, err := gzip.NewReader(in)
		if err != nil {
			return fmt.Errorf("decompressing kernel %s: %w", k.Path, err)
		}
		r = zr
	}
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, r); err != nil {
		out.Close()
		return fmt.Errorf("copying kernel %s: %w", k.Path, err)
	}
	return out.Close()
}

const readmeFixed = `This directory is a fixed appliance built by supermin-compile:
kernel, initrd and root (an ext2 image). libguestfs uses it as is when
LIBGUESTFS_PATH points here.
`
