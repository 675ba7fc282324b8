// Package kernel chooses the kernel that boots an appliance and its modules
// directory, the way supermin 5 does: the manifest's [kernel] settings or
// the SUPERMIN_KERNEL, SUPERMIN_KERNEL_VERSION and SUPERMIN_MODULES
// environment variables, then /lib/modules/*/vmlinuz, then
// /boot/vmlinu?-*, newest first. Unlike supermin, a setting that points
// at nothing usable is an error.
package kernel

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"pault.ag/go/debian/version"
)

// Kernel is a chosen kernel.
type Kernel struct {
	Path       string // the kernel image
	Version    string // e.g. 6.1.0-56-amd64
	ModulesDir string // e.g. /lib/modules/6.1.0-56-amd64
	// Gunzip says the image is gzip-compressed and must be decompressed
	// before it boots: on RISC-V, as supermin does, since nothing there
	// (firmware, qemu -kernel) decompresses a kernel.
	Gunzip bool
}

// Options steer the search. Empty fields mean "search".
type Options struct {
	Path, Version, ModulesDir string
	HostCPU                   string              // uname -m style; "" = x86_64
	Root                      string              // "" = "/": where /boot and /lib/modules are
	Getenv                    func(string) string // nil = os.Getenv
}

// Find chooses the kernel. The manifest's settings come first, then the
// SUPERMIN_KERNEL, SUPERMIN_KERNEL_VERSION and SUPERMIN_MODULES
// environment variables, then the search.
func Find(o Options) (*Kernel, error) {
	k, err := find(o)
	if err != nil {
		return nil, err
	}
	k.Gunzip = strings.HasPrefix(cpu(o), "riscv") && gzipped(k.Path)
	return k, nil
}

func find(o Options) (*Kernel, error) {
	if o.Root == "" {
		o.Root = "/"
	}
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	env := func(name, fromManifest string) string {
		if fromManifest != "" {
			return fromManifest
		}
		return o.Getenv(name)
	}
	o.Path = env("SUPERMIN_KERNEL", o.Path)
	o.Version = env("SUPERMIN_KERNEL_VERSION", o.Version)
	o.ModulesDir = env("SUPERMIN_MODULES", o.ModulesDir)
	if o.Path != "" {
		return explicit(o)
	}
	if o.ModulesDir != "" && !hasModulesDep(o.ModulesDir) {
		return nil, fmt.Errorf("modules directory %s (SUPERMIN_MODULES or kernel.modules_dir) has no modules.dep", o.ModulesDir)
	}
	for _, search := range []func(Options) []*Kernel{fromLibModules, fromBoot} {
		for _, k := range search(o) {
			if o.Version != "" && k.Version != o.Version {
				continue
			}
			if o.ModulesDir != "" {
				k.ModulesDir = o.ModulesDir
			}
			if err := readable(k.Path); err != nil {
				return nil, err
			}
			return k, nil
		}
	}
	what := "a kernel"
	if o.Version != "" {
		what = "a kernel of version " + o.Version
	}
	return nil, fmt.Errorf("no kernel found: looked for %s for %s in %s and %s, with a modules.dep in %s; "+
		"install one (linux-image-amd64 on Debian) or set SUPERMIN_KERNEL",
		what, cpu(o), filepath.Join(o.Root, "lib/modules/*/vmlinuz"), filepath.Join(o.Root, "boot/vmlinu?-*"),
		filepath.Join(o.Root, "lib/modules/VERSION"))
}

// explicit checks a kernel named by the manifest or the environment.
func explicit(o Options) (*Kernel, error) {
	if err := readable(o.Path); err != nil {
		return nil, err
	}
	k := &Kernel{Path: o.Path, Version: o.Version}
	if k.Version == "" {
		k.Version = HeaderVersion(o.Path)
	}
	if k.Version == "" {
		k.Version = nameVersion(path.Base(o.Path))
	}
	if k.Version == "" {
		return nil, fmt.Errorf("kernel %s: cannot tell its version (no bzImage header, no vmlinuz-VERSION name); set SUPERMIN_KERNEL_VERSION", o.Path)
	}
	k.ModulesDir = o.ModulesDir
	if k.ModulesDir == "" {
		k.ModulesDir = filepath.Join(o.Root, "lib/modules", k.Version)
	}
	if !hasModulesDep(k.ModulesDir) {
		return nil, fmt.Errorf("kernel %s: modules directory %s has no modules.dep; set SUPERMIN_MODULES", o.Path, k.ModulesDir)
	}
	return k, nil
}

// gzipped reports whether file starts as a gzip stream does (magic and
// deflate), as supermin checks.
func gzipped(file string) bool {
	f, err := os.Open(file)
	if err != nil {
		return false
	}
	defer f.Close()
	var magic [3]byte
	_, err = io.ReadFull(f, magic[:])
	return err == nil && magic == [3]byte{0x1f, 0x8b, 0x08}
}

// readable opens the kernel; Ubuntu ships /boot/vmlinuz-* mode 0600.
func readable(p string) error {
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrPermission) {
		return fmt.Errorf("kernel %s is not readable by this user (it is probably mode 0600): "+
			"run as root, or copy it somewhere readable and set SUPERMIN_KERNEL", p)
	}
	if err != nil {
		return fmt.Errorf("kernel: %w", err)
	}
	return f.Close()
}

func fromLibModules(o Options) []*Kernel {
	files, _ := filepath.Glob(filepath.Join(o.Root, "lib/modules/*/vmlinuz"))
	var ks []*Kernel
	for _, f := range bootable(o, files) {
		if fi, err := os.Stat(f); err != nil || fi.Size() < 10000 {
			continue
		}
		dir := filepath.Dir(f)
		ks = append(ks, &Kernel{Path: f, Version: filepath.Base(dir), ModulesDir: dir})
	}
	return newestFirst(ks)
}

func fromBoot(o Options) []*Kernel {
	all, _ := filepath.Glob(filepath.Join(o.Root, "boot/vmlinu?-*"))
	files := bootable(o, matchingCPU(o, all))
	if len(files) == 0 {
		files = bootable(o, all)
	}
	var ks []*Kernel
	for _, f := range files {
		v := HeaderVersion(f)
		if v == "" {
			v = nameVersion(filepath.Base(f))
		}
		dir := o.ModulesDir
		if dir == "" {
			dir = filepath.Join(o.Root, "lib/modules", v)
		}
		if v != "" && hasModulesDep(dir) {
			ks = append(ks, &Kernel{Path: f, Version: v, ModulesDir: dir})
		}
	}
	return newestFirst(ks)
}

// bootable drops Xen, s390 dump and debug kernels.
func bootable(o Options, files []string) []string {
	var out []string
	for _, f := range files {
		name := filepath.Base(f)
		if strings.Contains(name, "xen") || strings.Contains(name, "zfcpdump") ||
			strings.Contains(name, "+debug") || strings.HasSuffix(name, "-debug") ||
			(strings.HasPrefix(cpu(o), "arm") && strings.Contains(name, "tegra")) {
			continue
		}
		out = append(out, f)
	}
	return out
}

func cpu(o Options) string {
	if o.HostCPU == "" {
		return "x86_64"
	}
	return o.HostCPU
}

// matchingCPU keeps kernels whose name ends in one of the host CPU's
// models (cpuModels): "-MODEL", as supermin's vmlinu?-*-MODEL, or
// ".MODEL", Fedora's naming.
func matchingCPU(o Options, files []string) []string {
	models := cpuModels(cpu(o))
	matches := func(name string) bool {
		for _, m := range models {
			dash, _ := path.Match("vmlinu?-*-"+m, name)
			dot, _ := path.Match("vmlinu?-*."+m, name)
			if dash || dot {
				return true
			}
		}
		return false
	}
	var out []string
	for _, f := range files {
		if matches(filepath.Base(f)) {
			out = append(out, f)
		}
	}
	return out
}

// cpuModels are the kernel flavours (glob patterns) that boot on a host
// CPU, as supermin's patt_of_cpu lists them, plus ppc64le and ppc64's
// own names.
func cpuModels(c string) []string {
	switch c {
	case "mips", "mips64":
		return []string{c, "*-malta"}
	case "ppc", "powerpc", "powerpc64":
		return []string{"ppc", "powerpc", "powerpc64"}
	case "ppc64":
		return []string{"ppc64", "powerpc64"}
	case "sparc", "sparc64":
		return []string{"sparc", "sparc64"}
	case "amd64", "x86_64":
		return []string{"amd64", "x86_64"}
	case "parisc", "parisc64":
		return []string{"hppa", "hppa64"}
	case "ppc64el":
		return []string{"powerpc64le"}
	case "ppc64le":
		return []string{"powerpc64le", "ppc64le"}
	case "aarch64":
		return []string{"aarch64", "arm64"}
	}
	switch {
	case len(c) >= 4 && c[0] == 'i' && c[2] == '8' && c[3] == '6': // i386 ... i686
		return []string{"?86"}
	case strings.HasPrefix(c, "armv7"):
		return []string{"armmp"}
	}
	return []string{c}
}

func newestFirst(ks []*Kernel) []*Kernel {
	sort.SliceStable(ks, func(i, j int) bool { return versionLess(ks[j].Version, ks[i].Version) })
	return ks
}

// versionLess orders kernel versions as Debian versions (6.1.0-9 < 6.1.0-10).
func versionLess(a, b string) bool {
	va, errA := version.Parse(a)
	vb, errB := version.Parse(b)
	if errA != nil || errB != nil {
		return a < b
	}
	return version.Compare(va, vb) < 0
}

func nameVersion(name string) string {
	for _, p := range []string{"vmlinuz-", "vmlinux-"} {
		if v, ok := strings.CutPrefix(name, p); ok {
			return v
		}
	}
	return ""
}

func hasModulesDep(dir string) bool {
	fi, err := os.Stat(filepath.Join(dir, "modules.dep"))
	return err == nil && fi.Mode().IsRegular()
}

// HeaderVersion reads the version string of an x86 bzImage: the setup
// header ("HdrS" at 0x202, protocol >= 0x200 at 0x206) points at it with
// the 16-bit kernel_version field at 0x20e, relative to 0x200. It returns
// "" for anything else.
func HeaderVersion(file string) string {
	f, err := os.Open(file)
	if err != nil {
		return ""
	}
	defer f.Close()
	var hdr [0x210]byte
	if _, err := io.ReadFull(f, hdr[:]); err != nil || string(hdr[0x202:0x206]) != "HdrS" {
		return ""
	}
	if binary.LittleEndian.Uint16(hdr[0x206:]) < 0x200 {
		return ""
	}
	off := int64(binary.LittleEndian.Uint16(hdr[0x20e:])) + 0x200
	var buf [132]byte
	n, _ := f.ReadAt(buf[:], off)
	s := string(buf[:n])
	if i := strings.IndexAny(s, "\x00 \t\n"); i > 0 {
		return s[:i]
	}
	return ""
}
