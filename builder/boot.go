package builder

import (
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
	if err := installKernel(k.Path, filepath.Join(dir, "kernel"), m.Kernel.Copy); err != nil {
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
// symlinks it.
func installKernel(src, dst string, copyIt bool) error {
	if !copyIt {
		return os.Symlink(src, dst)
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copying kernel %s: %w", src, err)
	}
	return out.Close()
}

const readmeFixed = `This directory is a fixed appliance built by supermin-compile:
kernel, initrd and root (an ext2 image). libguestfs uses it as is when
LIBGUESTFS_PATH points here.
`
