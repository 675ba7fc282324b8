package emit

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/supermin-compile/supermin-compile/boot/initrd"
	"github.com/supermin-compile/supermin-compile/boot/kernel"
	"github.com/supermin-compile/supermin-compile/boot/modules"
	"github.com/supermin-compile/supermin-compile/formats/cpio"
	"github.com/supermin-compile/supermin-compile/manifest"
	"github.com/supermin-compile/supermin-compile/plan"
)

// bootable reports whether the manifest's output gets a kernel and initrd.
func bootable(m *manifest.Manifest) bool {
	return m.Format == manifest.Ext2 && !m.Kernel.Disabled
}

// findKernel chooses the kernel for the manifest.
func findKernel(m *manifest.Manifest) (*kernel.Kernel, error) {
	cpu := m.Kernel.HostCPU
	if cpu == "" {
		cpu = hostCPU()
	}
	k, err := kernel.Find(kernel.Options{Path: m.Kernel.Path, Version: m.Kernel.Version,
		ModulesDir: m.Kernel.ModulesDir, HostCPU: cpu})
	if err != nil {
		return nil, err
	}
	return k, nil
}

func hostCPU() string {
	if runtime.GOARCH == "arm64" {
		return "aarch64"
	}
	return map[string]string{"amd64": "x86_64", "386": "i686"}[runtime.GOARCH]
}

// ModulesLayer describes the kernel's modules directory as
// /lib/modules/VERSION in the root image, as supermin does: libguestfs
// runs modprobe inside the appliance.
func ModulesLayer(k *kernel.Kernel) (Layer, error) {
	var l Layer
	dest := "/lib/modules/" + k.Version
	err := filepath.WalkDir(k.ModulesDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		e, err := HostEntry("/", p, "kernel")
		if err != nil {
			return err
		}
		e.Path = path.Join(dest, strings.TrimPrefix(p, k.ModulesDir))
		l = append(l, e)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading kernel modules: %w", err)
	}
	return l, nil
}

// writeBoot writes DIR/kernel, DIR/initrd and DIR/README.fixed.
func writeBoot(m *manifest.Manifest, k *kernel.Kernel, dir string) error {
	if err := installKernel(k.Path, filepath.Join(dir, "kernel"), m.Kernel.Copy); err != nil {
		return err
	}
	p, err := InitrdPlan(m, k)
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

// InitrdPlan describes the initrd of a bootable manifest: our /init and
// the kernel modules the manifest asks for.
func InitrdPlan(m *manifest.Manifest, k *kernel.Kernel) (*plan.Plan, error) {
	mods, err := modules.Closure(k.ModulesDir, m.Kernel.Modules)
	if err != nil {
		return nil, fmt.Errorf("kernel modules: %w", err)
	}
	return initrd.Plan(mods, Epoch(m))
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
