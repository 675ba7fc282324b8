package pacman

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
	"github.com/supermin-compile/supermin-compile/resolver"
)

// manyPackages is how many packages the benchmarks' database holds.
const manyPackages = 400

// manyRoot writes manyPackages package files (testdata/mkmany.sh) and
// installs them with pacman into a new root.
func manyRoot(b *testing.B) (pkgs, root string) {
	testtool.Need(b, "pacman", "bsdtar", "zstd")
	dir := b.TempDir()
	pkgs, root = filepath.Join(dir, "pkgs"), filepath.Join(dir, "root")
	os.MkdirAll(filepath.Join(root, "var/lib/pacman"), 0o755)
	testtool.Output(b, nil, "sh", "testdata/mkmany.sh", pkgs, strconv.Itoa(manyPackages))
	files, _ := filepath.Glob(filepath.Join(pkgs, "*.pkg.tar.zst"))
	argv := append(append(pacmanArgs(root), "-U", "--noscriptlet", "--noconfirm"), files...)
	testtool.Output(b, nil, argv[0], argv[1:]...)
	return pkgs, root
}

// median is the median time of 5 runs of f.
func median(b *testing.B, f func() error) time.Duration {
	var times []time.Duration
	for range 5 {
		start := time.Now()
		if err := f(); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(start))
	}
	slices.Sort(times)
	return times[len(times)/2]
}

// BenchmarkOpenResolve opens a local database of 400 packages (8,000
// files) and resolves the closure of all of them, from the database and
// from the package files, and prints the median of 5 runs next to that
// of `pacman -Q`, which only lists the same database.
func BenchmarkOpenResolve(b *testing.B) {
	pkgs, root := manyRoot(b)
	req := resolver.Request{Packages: []string{fmt.Sprintf("smc-many-%d", manyPackages)}}
	resolve := func(u resolver.Universe, err error) error {
		if err != nil {
			return err
		}
		r, err := resolver.Resolve(u, req)
		if err == nil && len(r.Packages) != manyPackages {
			err = fmt.Errorf("closure of %d packages, want %d", len(r.Packages), manyPackages)
		}
		return err
	}
	for b.Loop() {
		if err := resolve(OpenDB(root, "")); err != nil {
			b.Fatal(err)
		}
	}
	db := median(b, func() error { return resolve(OpenDB(root, "")) })
	dir := median(b, func() error { return resolve(OpenDir(pkgs, "")) })
	argv := append(pacmanArgs(root), "-Q")
	pacmanQ := median(b, func() error { return exec.Command(argv[0], argv[1:]...).Run() })
	fmt.Printf("BenchmarkOpenResolve: %d packages, median of 5: local database %s, pkg-dir %s; pacman -Q %s; pacman/ours = %.1f\n",
		manyPackages, db.Round(time.Microsecond), dir.Round(time.Microsecond), pacmanQ.Round(time.Microsecond), float64(pacmanQ)/float64(db))
}
