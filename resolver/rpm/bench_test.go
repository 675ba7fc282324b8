package rpm

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
	"github.com/supermin-compile/supermin-compile/resolver"
)

// BenchmarkOpenDB opens the Amazon Linux 2023 database (103 packages) and
// resolves dnf's closure (101 of them), and prints how long rpm takes
// merely to list the same database (`rpm -qa`), as a ratio.
func BenchmarkOpenDB(b *testing.B) {
	file := testtool.Fixture(b, "rpm/rpmdb/amazonlinux2023/rpmdb.sqlite")
	req := resolver.Request{Packages: []string{"dnf"}}
	n := 0
	for b.Loop() {
		d, err := OpenDB("/", file, "x86_64")
		if err != nil {
			b.Fatal(err)
		}
		r, err := resolver.Resolve(d, req)
		if err != nil {
			b.Fatal(err)
		}
		n = len(r.Packages)
	}
	ours := b.Elapsed() / time.Duration(b.N)
	theirs := medianRun(b, "rpm", "-qa", "--dbpath", filepath.Dir(file))
	fmt.Printf("BenchmarkOpenDB: open and resolve %d packages in %s; rpm -qa: %s; rpm/ours = %.1f\n",
		n, ours.Round(time.Microsecond), theirs.Round(time.Microsecond), float64(theirs)/float64(ours))
}

// BenchmarkOpenDirFixtures reads the headers of the 41 real packages and
// resolves a closure, next to `rpm -qp` reading the same headers.
func BenchmarkOpenDirFixtures(b *testing.B) {
	dir := testtool.Fixture(b, "rpm/packages")
	for b.Loop() {
		d, err := OpenDir(dir, "x86_64")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := resolver.Resolve(d, resolver.Request{Packages: []string{"epel-release", "nodejs010-nodejs-oauth-sign"}}); err != nil {
			b.Fatal(err)
		}
	}
	ours := b.Elapsed() / time.Duration(b.N)
	theirs := medianRun(b, "rpm", append([]string{"-qp", "--nosignature"}, rpmFiles(b, dir)...)...)
	fmt.Printf("BenchmarkOpenDirFixtures: %s; rpm -qp of the same files: %s; rpm/ours = %.1f\n",
		ours.Round(time.Microsecond), theirs.Round(time.Microsecond), float64(theirs)/float64(ours))
}

// medianRun is the median of 5 runs of a command.
func medianRun(b *testing.B, name string, args ...string) time.Duration {
	testtool.Need(b, name)
	var times []time.Duration
	for range 5 {
		start := time.Now()
		cmd := exec.Command(name, args...)
		cmd.Stdout = nil
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			b.Fatalf("%s: %v", name, err)
		}
		times = append(times, time.Since(start))
	}
	slices.Sort(times)
	return times[len(times)/2]
}
