package e2e

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/supermin-compile/supermin-compile/boot/kernel"
	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// TestInitramfsBootsToShell builds examples/initramfs.toml (a gzip cpio,
// no disk) and boots it in QEMU with the host's kernel; once /init says the
// shell is there, it types a command whose answer the shell must compute.
func TestInitramfsBootsToShell(t *testing.T) {
	testtool.Need(t, "qemu-system-x86_64")
	k, err := kernel.Find(kernel.Options{})
	if err != nil {
		testtool.Unavailable(t, "no kernel to boot: "+err.Error())
	}
	dir := filepath.Join(t.TempDir(), "initramfs.d")
	run(t, nil, binary(t), "build", "../examples/initramfs.toml", "-o", dir)

	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "qemu-system-x86_64", "-accel", "tcg", "-nographic", "-no-reboot", "-m", "512",
		"-kernel", k.Path, "-initrd", filepath.Join(dir, "initramfs.cpio.gz"), "-append", "console=ttyS0 panic=1")
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	if console, ok := typeAtShell(out, in, "supermin-compile initramfs: a shell on the console",
		`echo "shell says $((6*7))"`, "shell says 42"); !ok {
		t.Fatalf("no answer from the shell; last lines:\n%s", strings.Join(tail(console, 40), "\n"))
	}
}

// typeAtShell reads the console until ready appears, then types command
// and a power-off, and reports whether want came back. The typed line
// echoes too, so want must be what only running command prints.
func typeAtShell(out io.Reader, in io.WriteCloser, ready, command, want string) ([]string, bool) {
	var console []string
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		console = append(console, line)
		if strings.Contains(line, ready) {
			fmt.Fprintf(in, "%s\necho o > /proc/sysrq-trigger\n", command)
		}
		if strings.Contains(line, want) && !strings.Contains(line, command) {
			in.Close()
			io.Copy(io.Discard, out)
			return console, true
		}
	}
	return console, false
}

// TestCentOS7Boots builds examples/centos7.toml, a CentOS 7 appliance from
// real .rpm files, as a chroot that matches what rpm lists of them and as
// an ext2 appliance that boots and prints the release the package holds.
func TestCentOS7Boots(t *testing.T) {
	testtool.Need(t, "qemu-system-x86_64", "rpm", "rpm2cpio", "cpio", "busybox")
	testtool.Root(t)
	testtool.Fixture(t, rpmFixtures)
	const manifest = "../examples/centos7.toml"
	rpms := rpmsOf(t, "../examples/centos7-rpms", resolved(t, manifest))
	tree := filepath.Join(t.TempDir(), "chroot")
	run(t, nil, binary(t), "build", manifest, "--format", "chroot", "-o", tree)
	checkRpmTree(t, tree, rpms)

	var release string
	for _, f := range rpms {
		release += run(t, nil, "sh", "-c", `rpm2cpio "$1" | cpio -i --quiet --to-stdout ./etc/centos-release`, "sh", f)
	}
	release = strings.TrimSpace(release)
	if release == "" {
		t.Fatalf("no /etc/centos-release in %v", rpms)
	}
	dir := filepath.Join(t.TempDir(), "centos7.d")
	run(t, nil, binary(t), "build", manifest, "-o", dir)
	_, console := bootConsole(t, dir, "/dev/vda")
	if !strings.Contains(strings.Join(console, "\n"), marker+": "+release) {
		t.Errorf("the appliance did not print %q; last lines:\n%s", release, strings.Join(tail(console, 20), "\n"))
	}
}
