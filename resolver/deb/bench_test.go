package deb

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/supermin-compile/supermin-compile/resolver"
)

// BenchmarkOpenIndex opens the host's full indexes (bookworm main: some
// 63,000 packages) and resolves libguestfs-tools, the largest closure of
// the apt comparison. It reports the peak resident memory of the process
// (VmHWM, reset first) and the Go heap, and prints how long apt-get
// install --simulate takes for the same request, as a ratio.
func BenchmarkOpenIndex(b *testing.B) {
	idx := hostIndexes(b)
	req := resolver.Request{Packages: []string{"libguestfs-tools"}}
	pool := b.TempDir()
	runtime.GC()
	os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) // resets VmHWM
	var ms runtime.MemStats
	n := 0
	for b.Loop() {
		u, err := OpenIndex(idx, pool, "")
		if err != nil {
			b.Fatal(err)
		}
		res, err := resolver.Resolve(u, req)
		if err != nil {
			b.Fatal(err)
		}
		if err := u.CheckConflicts(res); err != nil {
			b.Fatal(err)
		}
		n = len(res.Packages)
		runtime.ReadMemStats(&ms)
	}
	b.ReportMetric(float64(vmHWM())/(1<<20), "peak-RSS-MiB")
	b.ReportMetric(float64(ms.HeapSys)/(1<<20), "heap-sys-MiB")
	ours := b.Elapsed() / time.Duration(b.N)
	apt := timeApt(b, req.Packages)
	fmt.Printf("BenchmarkOpenIndex: %d packages in %s; apt-get install --simulate: %s; apt/ours = %.1f\n",
		n, ours.Round(time.Millisecond), apt.Round(time.Millisecond), float64(apt)/float64(ours))
}

// vmHWM is the process's peak resident set, in bytes.
func vmHWM() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// timeApt is the median of 3 runs of apt-get's simulation on an empty
// status: the same job, parsing its binary cache (which it builds on the
// first run: that one does not count).
func timeApt(b *testing.B, pkgs []string) time.Duration {
	status := filepath.Join(b.TempDir(), "status")
	os.WriteFile(status, nil, 0o644)
	args := append([]string{"install", "--simulate", "--no-install-recommends", "-o", "Debug::NoLocking=1",
		"-o", "Dir::State::status=" + status, "-o", "Dir::State::extended_states=/dev/null"}, pkgs...)
	var times []time.Duration
	for i := range 4 {
		start := time.Now()
		if out, err := exec.Command("apt-get", args...).CombinedOutput(); err != nil {
			b.Fatalf("apt-get: %v\n%s", err, out)
		}
		if i > 0 {
			times = append(times, time.Since(start))
		}
	}
	slices.Sort(times)
	return times[len(times)/2]
}

// BenchmarkOpenDir opens a pool of the real test packages, each linked
// from eight directories (OpenDir reads every file it finds, repeats
// included): the control data of 8 x 16 .debs, read in parallel.
func BenchmarkOpenDir(b *testing.B) {
	pool := b.TempDir()
	for i := range 8 {
		sub := filepath.Join(pool, strconv.Itoa(i))
		if err := os.Mkdir(sub, 0o755); err != nil {
			b.Fatal(err)
		}
		for _, deb := range fetchDebs(b, realPackages...) {
			if err := os.Symlink(deb, filepath.Join(sub, filepath.Base(deb))); err != nil {
				b.Fatal(err)
			}
		}
	}
	for b.Loop() {
		u, err := OpenDir(pool, "")
		if err != nil {
			b.Fatal(err)
		}
		u.Close()
	}
}
