package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// inFreshDebian runs `make run` in a clean clone inside the chroot $1, in
// a private mount namespace, so that every mount below ends with it. The
// chroot gets the host's Go read-only and its module and build caches
// behind overlays (upper layers in $2): nothing is written to the host.
const inFreshDebian = `set -eu
root=$1 scratch=$2 goroot=$3 modcache=$4 gocache=$5
mount -t proc proc "$root/proc"
mkdir -p "$root$goroot" "$root$modcache" "$root$gocache"
mount --bind -o ro "$goroot" "$root$goroot"
for c in "$modcache" "$gocache"; do
	d=$scratch/$(basename "$c")
	mkdir -p "$d/upper" "$d/work"
	mount -t overlay overlay -o "lowerdir=$c,upperdir=$d/upper,workdir=$d/work" "$root$c"
done
cp /etc/resolv.conf "$root/etc/resolv.conf"
exec chroot "$root" /usr/bin/env -i HOME=/root PATH="$goroot/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
	GOMODCACHE="$modcache" GOCACHE="$gocache" GOPROXY=off GOFLAGS=-mod=readonly GOTOOLCHAIN=local \
	sh -c 'cd /src && make run'
`

// TestMakeRunWithoutKernel runs the README's first command on a fresh
// Debian made by mmdebstrap (minbase and make, from the host's apt
// sources): it has no kernel, and `make run` must install one and build
// the example, as on a new machine with only Go.
func TestMakeRunWithoutKernel(t *testing.T) {
	testtool.Root(t)
	testtool.Need(t, "mmdebstrap", "unshare", "chroot", "git", "go")
	dir := t.TempDir()
	root := filepath.Join(dir, "root")
	args := []string{"--variant=minbase", "--include=make", "--mode=root", "--format=directory", "--quiet",
		"--skip=cleanup/apt/lists", "", root}
	if out, err := exec.Command("mmdebstrap", append(args, hostSources(t)...)...).CombinedOutput(); err != nil {
		testtool.Unavailable(t, fmt.Sprintf("mmdebstrap (network?): %v\n%s", err, out))
	}
	if kernels, _ := filepath.Glob(filepath.Join(root, "boot/vmlinu?-*")); len(kernels) > 0 {
		t.Fatalf("the fresh Debian already has a kernel: %v", kernels)
	}
	run(t, nil, "git", "clone", "-q", testtool.ModuleRoot(t), filepath.Join(root, "src"))

	goEnv := strings.Fields(run(t, nil, "go", "env", "GOROOT", "GOMODCACHE", "GOCACHE"))
	b, err := exec.Command("unshare", append([]string{"-m", "--propagation", "private", "sh", "-c", inFreshDebian, "sh",
		root, filepath.Join(dir, "scratch")}, goEnv...)...).CombinedOutput()
	out := string(b)
	if err != nil {
		t.Fatalf("make run in a fresh Debian: %v\n%s", err, out)
	}
	// what a user sees: make run said it installs a kernel, and the
	// example was built from it
	if !strings.Contains(out, "install-deps: installing linux-image-amd64") {
		t.Errorf("make run did not say it installs a kernel:\n%s", out)
	}
	kernels, _ := filepath.Glob(filepath.Join(root, "boot/vmlinuz-*"))
	if len(kernels) != 1 {
		t.Fatalf("after make run, the chroot's kernels are %v", kernels)
	}
	appliance := filepath.Join(root, "src/examples/minimal.d")
	if sha(t, filepath.Join(appliance, "kernel")) != sha(t, kernels[0]) {
		t.Errorf("examples/minimal.d/kernel is not the kernel make run installed (%s)", kernels[0])
	}
	for _, f := range []string{"initrd", "root"} {
		if _, err := os.Stat(filepath.Join(appliance, f)); err != nil {
			t.Error(err)
		}
	}
}
