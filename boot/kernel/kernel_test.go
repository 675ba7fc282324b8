package kernel

import (
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// fakeKernel writes a bzImage-shaped file: a setup header whose
// kernel_version field points at version (empty: no header at all).
func fakeKernel(t *testing.T, file, version string) {
	t.Helper()
	buf := make([]byte, 16384)
	if version != "" {
		copy(buf[0x202:], "HdrS")
		binary.LittleEndian.PutUint16(buf[0x206:], 0x20f)
		binary.LittleEndian.PutUint16(buf[0x20e:], 0x1000)
		copy(buf[0x1200:], version+" (debian-kernel@lists.debian.org) #1 SMP")
	}
	must(t, os.MkdirAll(filepath.Dir(file), 0o755))
	must(t, os.WriteFile(file, buf, 0o644))
}

func modulesDep(t *testing.T, root, version string) {
	dir := filepath.Join(root, "lib/modules", version)
	must(t, os.MkdirAll(dir, 0o755))
	must(t, os.WriteFile(filepath.Join(dir, "modules.dep"), nil, 0o644))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func noEnv(string) string { return "" }

func TestFind(t *testing.T) {
	type tree struct {
		boot    map[string]string // /boot file name -> header version ("" = no header)
		libVmlz []string          // versions with /lib/modules/V/vmlinuz
		deps    []string          // versions with a modules.dep
	}
	for _, tc := range []struct {
		name string
		tree tree
		opts Options
		env  map[string]string
		want string // "path version moddir" relative to root, or "error: substring"
	}{
		{"newest by Debian ordering", tree{
			boot: map[string]string{"vmlinuz-6.1.0-9-amd64": "6.1.0-9-amd64", "vmlinuz-6.1.0-10-amd64": "6.1.0-10-amd64"},
			deps: []string{"6.1.0-9-amd64", "6.1.0-10-amd64"}},
			Options{}, nil, "/boot/vmlinuz-6.1.0-10-amd64 6.1.0-10-amd64 /lib/modules/6.1.0-10-amd64"},
		{"skips xen, debug and zfcpdump", tree{
			boot: map[string]string{"vmlinuz-6.2.0-xen-amd64": "6.2.0-xen-amd64", "vmlinuz-6.3.0+debug-amd64": "6.3.0+debug-amd64",
				"vmlinuz-6.4.0-zfcpdump-amd64": "6.4.0-zfcpdump-amd64", "vmlinuz-6.1.0-1-amd64": "6.1.0-1-amd64"},
			deps: []string{"6.2.0-xen-amd64", "6.3.0+debug-amd64", "6.4.0-zfcpdump-amd64", "6.1.0-1-amd64"}},
			Options{}, nil, "/boot/vmlinuz-6.1.0-1-amd64 6.1.0-1-amd64 /lib/modules/6.1.0-1-amd64"},
		{"skips kernels without modules.dep", tree{
			boot: map[string]string{"vmlinuz-6.5.0-1-amd64": "6.5.0-1-amd64", "vmlinuz-6.1.0-1-amd64": "6.1.0-1-amd64"},
			deps: []string{"6.1.0-1-amd64"}},
			Options{}, nil, "/boot/vmlinuz-6.1.0-1-amd64 6.1.0-1-amd64 /lib/modules/6.1.0-1-amd64"},
		{"prefers the host CPU", tree{
			boot: map[string]string{"vmlinuz-6.5.0-1-arm64": "6.5.0-1-arm64", "vmlinuz-6.1.0-1-amd64": "6.1.0-1-amd64"},
			deps: []string{"6.5.0-1-arm64", "6.1.0-1-amd64"}},
			Options{}, nil, "/boot/vmlinuz-6.1.0-1-amd64 6.1.0-1-amd64 /lib/modules/6.1.0-1-amd64"},
		{"aarch64 host", tree{
			boot: map[string]string{"vmlinuz-6.5.0-1-arm64": "", "vmlinuz-6.1.0-1-amd64": "6.1.0-1-amd64"},
			deps: []string{"6.5.0-1-arm64", "6.1.0-1-amd64"}},
			Options{HostCPU: "aarch64"}, nil, "/boot/vmlinuz-6.5.0-1-arm64 6.5.0-1-arm64 /lib/modules/6.5.0-1-arm64"},
		{"version from the header, not the name", tree{
			boot: map[string]string{"vmlinuz-custom-amd64": "6.6.6-custom"}, deps: []string{"6.6.6-custom"}},
			Options{}, nil, "/boot/vmlinuz-custom-amd64 6.6.6-custom /lib/modules/6.6.6-custom"},
		{"/lib/modules/*/vmlinuz first (Fedora)", tree{
			boot:    map[string]string{"vmlinuz-6.9.0-1-amd64": "6.9.0-1-amd64"},
			libVmlz: []string{"6.1.0-1.fc40.x86_64"}, deps: []string{"6.9.0-1-amd64", "6.1.0-1.fc40.x86_64"}},
			Options{}, nil, "/lib/modules/6.1.0-1.fc40.x86_64/vmlinuz 6.1.0-1.fc40.x86_64 /lib/modules/6.1.0-1.fc40.x86_64"},
		{"nothing usable", tree{boot: map[string]string{"vmlinuz-6.1.0-1-amd64": "6.1.0-1-amd64"}},
			Options{}, nil, "error: no kernel found"},
		{"SUPERMIN_KERNEL", tree{
			boot: map[string]string{"vmlinuz-6.9.0-1-amd64": "6.9.0-1-amd64", "vmlinuz-6.1.0-1-amd64": "6.1.0-1-amd64"},
			deps: []string{"6.9.0-1-amd64", "6.1.0-1-amd64"}},
			Options{}, map[string]string{"SUPERMIN_KERNEL": "/boot/vmlinuz-6.1.0-1-amd64"},
			"/boot/vmlinuz-6.1.0-1-amd64 6.1.0-1-amd64 /lib/modules/6.1.0-1-amd64"},
		{"SUPERMIN_KERNEL pointing at nothing", tree{}, Options{},
			map[string]string{"SUPERMIN_KERNEL": "/boot/nope"}, "error: /boot/nope: no such file"},
		{"SUPERMIN_KERNEL_VERSION selects", tree{
			boot: map[string]string{"vmlinuz-6.9.0-1-amd64": "6.9.0-1-amd64", "vmlinuz-6.1.0-1-amd64": "6.1.0-1-amd64"},
			deps: []string{"6.9.0-1-amd64", "6.1.0-1-amd64"}},
			Options{}, map[string]string{"SUPERMIN_KERNEL_VERSION": "6.1.0-1-amd64"},
			"/boot/vmlinuz-6.1.0-1-amd64 6.1.0-1-amd64 /lib/modules/6.1.0-1-amd64"},
		{"SUPERMIN_KERNEL_VERSION of no kernel", tree{
			boot: map[string]string{"vmlinuz-6.9.0-1-amd64": "6.9.0-1-amd64"}, deps: []string{"6.9.0-1-amd64"}},
			Options{}, map[string]string{"SUPERMIN_KERNEL_VERSION": "5.10.0-1-amd64"}, "error: a kernel of version 5.10.0-1-amd64"},
		{"SUPERMIN_MODULES without modules.dep", tree{
			boot: map[string]string{"vmlinuz-6.9.0-1-amd64": "6.9.0-1-amd64"}, deps: []string{"6.9.0-1-amd64"}},
			Options{}, map[string]string{"SUPERMIN_MODULES": "/srv/modules"}, "error: modules directory"},
		{"manifest path wins over the environment", tree{
			boot: map[string]string{"vmlinuz-6.9.0-1-amd64": "6.9.0-1-amd64", "vmlinuz-6.1.0-1-amd64": "6.1.0-1-amd64"},
			deps: []string{"6.9.0-1-amd64", "6.1.0-1-amd64"}},
			Options{Path: "/boot/vmlinuz-6.9.0-1-amd64"}, map[string]string{"SUPERMIN_KERNEL": "/boot/vmlinuz-6.1.0-1-amd64"},
			"/boot/vmlinuz-6.9.0-1-amd64 6.9.0-1-amd64 /lib/modules/6.9.0-1-amd64"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			for name, v := range tc.tree.boot {
				fakeKernel(t, filepath.Join(root, "boot", name), v)
			}
			for _, v := range tc.tree.libVmlz {
				fakeKernel(t, filepath.Join(root, "lib/modules", v, "vmlinuz"), "")
			}
			for _, v := range tc.tree.deps {
				modulesDep(t, root, v)
			}
			o := tc.opts
			o.Root = root
			if o.Path != "" {
				o.Path = root + o.Path
			}
			o.Getenv = func(k string) string {
				if v := tc.env[k]; strings.HasPrefix(v, "/") {
					return root + v
				} else {
					return v
				}
			}
			k, err := Find(o)
			if want, ok := strings.CutPrefix(tc.want, "error: "); ok {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Fatalf("want error containing %q, got %v (%+v)", want, err, k)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := strings.TrimPrefix(k.Path, root) + " " + k.Version + " " + strings.TrimPrefix(k.ModulesDir, root)
			if got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

// TestUnreadableKernel runs the search as an unprivileged user (Ubuntu
// ships kernels mode 0600): the error must say so and suggest a way out.
func TestUnreadableKernel(t *testing.T) {
	if os.Getenv("KERNEL_TEST_CHILD") != "" {
		_, err := Find(Options{Root: os.Getenv("KERNEL_TEST_CHILD"), Getenv: noEnv})
		if err == nil {
			t.Fatal("no error for an unreadable kernel")
		}
		os.Stdout.WriteString(err.Error())
		return
	}
	root := t.TempDir()
	fakeKernel(t, filepath.Join(root, "boot/vmlinuz-6.1.0-1-amd64"), "6.1.0-1-amd64")
	modulesDep(t, root, "6.1.0-1-amd64")
	must(t, os.Chmod(filepath.Join(root, "boot/vmlinuz-6.1.0-1-amd64"), 0o600))
	cmd := exec.Command(os.Args[0], "-test.run", "^TestUnreadableKernel$")
	cmd.Env = append(os.Environ(), "KERNEL_TEST_CHILD="+root)
	if os.Getuid() == 0 {
		// root reads anything: drop to nobody, who must reach the tree
		// and the test binary.
		for d := root; d != "/"; d = filepath.Dir(d) {
			os.Chmod(d, 0o755)
		}
		bin := filepath.Join(t.TempDir(), "kernel.test")
		data, err := os.ReadFile(os.Args[0])
		must(t, err)
		must(t, os.WriteFile(bin, data, 0o755))
		os.Chmod(filepath.Dir(bin), 0o755)
		os.Chmod(filepath.Dir(filepath.Dir(bin)), 0o755)
		cmd.Path = bin
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	for _, want := range []string{"is not readable", "mode 0600", "SUPERMIN_KERNEL", "root"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("error %q lacks %q", out, want)
		}
	}
}

func TestHeaderVersionOfHostKernel(t *testing.T) {
	files, _ := filepath.Glob("/boot/vmlinuz-*")
	if len(files) == 0 {
		testtool.Unavailable(t, "no kernel in /boot (linux-image-amd64)")
	}
	for _, f := range files {
		if v := HeaderVersion(f); v != strings.TrimPrefix(filepath.Base(f), "vmlinuz-") {
			t.Errorf("%s: header version %q", f, v)
		}
	}
}

// TestCPUPatterns: for each host CPU, the /boot kernels preferred are
// those supermin's patterns (vmlinu?-*-MODEL) pick among the flavours
// distributions name their kernels after.
func TestCPUPatterns(t *testing.T) {
	names := []string{"vmlinuz-6.1.0-9-amd64", "vmlinuz-6.5.6-300.fc39.x86_64", "vmlinuz-6.1.0-9-686", "vmlinuz-6.1.0-9-686-pae",
		"vmlinuz-3.16.0-4-586", "vmlinuz-6.1.0-9-armmp", "vmlinuz-6.1.0-9-armmp-lpae", "vmlinuz-6.1.0-9-arm64",
		"vmlinuz-4.19.0-20-4kc-malta", "vmlinuz-4.19.0-20-5kc-malta", "vmlinuz-6.1.0-9-mips64", "vmlinuz-6.1.0-9-powerpc64le",
		"vmlinuz-6.1.0-9-powerpc64", "vmlinuz-6.1.0-9-sparc64", "vmlinuz-6.1.0-9-hppa64", "vmlinuz-6.1.0-9-riscv64",
		"vmlinuz-6.1.0-9-s390x"}
	for _, tc := range []struct {
		cpu  string
		want []string
	}{
		{"x86_64", []string{"vmlinuz-6.1.0-9-amd64", "vmlinuz-6.5.6-300.fc39.x86_64"}},
		{"amd64", []string{"vmlinuz-6.1.0-9-amd64", "vmlinuz-6.5.6-300.fc39.x86_64"}},
		{"i686", []string{"vmlinuz-6.1.0-9-686", "vmlinuz-3.16.0-4-586"}},
		{"i386", []string{"vmlinuz-6.1.0-9-686", "vmlinuz-3.16.0-4-586"}},
		{"armv7l", []string{"vmlinuz-6.1.0-9-armmp"}},
		{"armv7hl", []string{"vmlinuz-6.1.0-9-armmp"}},
		{"aarch64", []string{"vmlinuz-6.1.0-9-arm64"}},
		{"mips", []string{"vmlinuz-4.19.0-20-4kc-malta", "vmlinuz-4.19.0-20-5kc-malta"}},
		{"mips64", []string{"vmlinuz-4.19.0-20-4kc-malta", "vmlinuz-4.19.0-20-5kc-malta", "vmlinuz-6.1.0-9-mips64"}},
		{"ppc64el", []string{"vmlinuz-6.1.0-9-powerpc64le"}},
		{"ppc64le", []string{"vmlinuz-6.1.0-9-powerpc64le"}},
		{"powerpc", []string{"vmlinuz-6.1.0-9-powerpc64"}},
		{"ppc64", []string{"vmlinuz-6.1.0-9-powerpc64"}},
		{"sparc", []string{"vmlinuz-6.1.0-9-sparc64"}},
		{"parisc64", []string{"vmlinuz-6.1.0-9-hppa64"}},
		{"riscv64", []string{"vmlinuz-6.1.0-9-riscv64"}},
		{"s390x", []string{"vmlinuz-6.1.0-9-s390x"}},
	} {
		got := matchingCPU(Options{HostCPU: tc.cpu}, names)
		if d := testtool.LineDiff(tc.want, got); d != "" {
			t.Errorf("host CPU %s:\n%s", tc.cpu, d)
		}
	}
}

// TestRiscvGunzip: on RISC-V a gzip-compressed kernel (made by gzip) is
// to be decompressed before it boots, as supermin does; an uncompressed
// one, or one for another CPU, is taken as it is.
func TestRiscvGunzip(t *testing.T) {
	testtool.Need(t, "gzip")
	root := t.TempDir()
	fakeKernel(t, filepath.Join(root, "boot/vmlinuz-6.1.0-9-riscv64"), "")
	modulesDep(t, root, "6.1.0-9-riscv64")
	plain := filepath.Join(root, "plain")
	fakeKernel(t, plain, "")
	testtool.Output(t, nil, "gzip", "-n", filepath.Join(root, "boot/vmlinuz-6.1.0-9-riscv64"))
	must(t, os.Rename(filepath.Join(root, "boot/vmlinuz-6.1.0-9-riscv64.gz"), filepath.Join(root, "boot/vmlinuz-6.1.0-9-riscv64")))
	for _, tc := range []struct {
		cpu, path string
		want      bool
	}{{"riscv64", "", true}, {"riscv64", plain, false}, {"aarch64", "", false}} {
		k, err := Find(Options{HostCPU: tc.cpu, Root: root, Getenv: noEnv, Path: tc.path, Version: "6.1.0-9-riscv64"})
		if err != nil {
			t.Fatal(err)
		}
		if k.Gunzip != tc.want {
			t.Errorf("host CPU %s, kernel %s: Gunzip %v, want %v", tc.cpu, k.Path, k.Gunzip, tc.want)
		}
	}
}
