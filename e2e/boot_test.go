package e2e

import (
	"bufio"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

const marker = "supermin-compile: hello from the appliance"

// bootQEMU boots an ext2 output directory under TCG and returns how long the
// marker line took to appear on the serial console.
func bootQEMU(t testing.TB, dir, root string) time.Duration {
	t.Helper()
	took, _ := bootConsole(t, dir, root)
	return took
}

// bootConsole is bootQEMU that also returns the console's lines.
func bootConsole(t testing.TB, dir, root string) (time.Duration, []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "qemu-system-x86_64", "-accel", "tcg", "-nographic", "-no-reboot", "-m", "512",
		"-kernel", filepath.Join(dir, "kernel"), "-initrd", filepath.Join(dir, "initrd"),
		"-drive", "file="+filepath.Join(dir, "root")+",format=raw,if=virtio",
		"-append", "root="+root+" console=ttyS0 panic=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var console []string
	found := time.Duration(0)
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		console = append(console, line)
		if strings.Contains(line, marker) && found == 0 {
			found = time.Since(start)
		}
	}
	cmd.Wait()
	if found == 0 {
		t.Fatalf("no marker on the console (root=%s); last lines:\n%s", root, strings.Join(tail(console, 40), "\n"))
	}
	return found, console
}

func tail(s []string, n int) []string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// TestBootHello builds examples/boot-hello.toml and boots it in QEMU, by
// device name and by filesystem UUID.
func TestBootHello(t *testing.T) {
	testtool.Need(t, "qemu-system-x86_64", "blkid")
	dir := filepath.Join(t.TempDir(), "hello.d")
	run(t, nil, binary(t), "build", "../examples/boot-hello.toml", "-o", dir)
	took := bootQEMU(t, dir, "/dev/vda")
	t.Logf("marker after %s", took.Round(time.Millisecond))
	uuid := strings.TrimSpace(run(t, nil, "blkid", "-s", "UUID", "-o", "value", filepath.Join(dir, "root")))
	if uuid == "" {
		t.Fatal("blkid found no UUID")
	}
	bootQEMU(t, dir, "UUID="+uuid)
}

// BenchmarkBootVsSupermin boots examples/boot-hello.toml as we build it and
// as supermin 5 builds the same recipe (packages bash and mount, the same
// /init in a base tarball; supermin's own init in its initrd), and reports
// the median time from QEMU start to the marker line.
func BenchmarkBootVsSupermin(b *testing.B) {
	testtool.Need(b, "qemu-system-x86_64", "supermin", "tar")
	tmp := b.TempDir()
	ours := filepath.Join(tmp, "ours.d")
	run(b, nil, binary(b), "build", "../examples/boot-hello.toml", "-o", ours)

	recipe, initDir := filepath.Join(tmp, "supermin.d"), filepath.Join(tmp, "init")
	script := `mkdir -p "$1" "$2/proc" && printf 'bash\nmount\n' > "$1/packages" &&
		sed -n '/^content = """/,/^"""/p' ../examples/boot-hello.toml | sed '1d;$d' > "$2/init" &&
		chmod 755 "$2/init" && tar -C "$2" --owner=0 --group=0 -czf "$1/init.tar.gz" .`
	run(b, nil, "sh", "-c", script, "sh", recipe, initDir)
	theirs := filepath.Join(tmp, "supermin.out")
	run(b, nil, "supermin", "--build", "-f", "ext2", "--size", "1G", recipe, "-o", theirs) // it adds the kernel modules

	var o, s []time.Duration
	for range 3 {
		o = append(o, bootQEMU(b, ours, "/dev/vda"))
		s = append(s, bootQEMU(b, theirs, "/dev/vda"))
	}
	mo, ms := medianOf(o), medianOf(s)
	b.ReportMetric(float64(mo.Milliseconds()), "ours-ms")
	b.ReportMetric(float64(ms.Milliseconds()), "supermin-ms")
	fmt.Printf("boot to marker (TCG, median of 3): ours %v, supermin %v\n", mo.Round(time.Millisecond), ms.Round(time.Millisecond))
}

func medianOf(d []time.Duration) time.Duration {
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return d[len(d)/2]
}
