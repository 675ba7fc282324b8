package planner

import (
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/supermin-compile/supermin-compile/boot/initrd"
	"github.com/supermin-compile/supermin-compile/boot/kernel"
	"github.com/supermin-compile/supermin-compile/boot/modules"
	"github.com/supermin-compile/supermin-compile/manifest"
	"github.com/supermin-compile/supermin-compile/plan"
)

// Bootable reports whether the manifest's output gets a kernel and initrd.
func Bootable(m *manifest.Manifest) bool {
	return m.Format == manifest.Ext2 && !m.Kernel.Disabled
}

// FindKernel chooses the kernel for the manifest.
func FindKernel(m *manifest.Manifest) (*kernel.Kernel, error) {
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

// hostCPU is this machine's CPU as uname -m names it (x86_64, aarch64,
// riscv64, armv7l, ...), the host_cpu supermin was configured with.
func hostCPU() string {
	var u unix.Utsname
	if unix.Uname(&u) != nil {
		return ""
	}
	return unix.ByteSliceToString(u.Machine[:])
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
		e, err := HostEntry("/", p, plan.FromKernel)
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

// InitrdPlan describes the initrd of a bootable manifest: our /init and
// the kernel modules the manifest asks for.
func InitrdPlan(m *manifest.Manifest, k *kernel.Kernel, clock Clock) (*plan.Plan, error) {
	mods, err := modules.Closure(k.ModulesDir, m.Kernel.Modules)
	if err != nil {
		return nil, fmt.Errorf("kernel modules: %w", err)
	}
	return initrd.Plan(mods, clock.Epoch)
}
