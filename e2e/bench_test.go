package e2e

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/supermin-compile/supermin-compile/formats/ext2"
	"github.com/supermin-compile/supermin-compile/internal/testtool"
	"github.com/supermin-compile/supermin-compile/plan"
	"github.com/supermin-compile/supermin-compile/planner"
)

// Whole-process comparisons against the real tools, run by `make bench`.
// Each side runs `runs` times; medians are reported, with their ratio and
// the peak RSS of our process.
const runs = 5

type timing struct {
	wall   time.Duration
	maxRSS int64 // KiB
}

// timeCmd runs argv once (after prep, untimed) and measures it.
func timeCmd(b *testing.B, prep func(), argv ...string) timing {
	if prep != nil {
		prep()
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("%v: %v\n%s", argv, err, out)
	}
	return timing{time.Since(start), cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss}
}

func median(b *testing.B, prep func(), argv ...string) timing {
	var ts []timing
	for range runs {
		ts = append(ts, timeCmd(b, prep, argv...))
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].wall < ts[j].wall })
	return ts[len(ts)/2]
}

func report(b *testing.B, what string, ours, theirs timing, other string) {
	ratio := float64(ours.wall) / float64(theirs.wall)
	b.ReportMetric(float64(ours.wall.Milliseconds()), "ours-ms")
	b.ReportMetric(float64(theirs.wall.Milliseconds()), other+"-ms")
	b.ReportMetric(ratio, "ratio")
	b.ReportMetric(float64(ours.maxRSS)/1024, "ours-peak-MiB")
	fmt.Printf("%-28s ours %7.0f ms (peak %3.0f MiB)  %s %7.0f ms  ratio %.3f (1/%.1f)\n", what,
		ms(ours.wall), float64(ours.maxRSS)/1024, other, ms(theirs.wall), ratio, 1/ratio)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func ourBinary(b *testing.B) string {
	bin := filepath.Join(b.TempDir(), "supermin-compile")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/supermin-compile").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// BenchmarkSupermin runs the same supermin command lines with the real
// supermin and with ours (as "supermin-compile supermin"): the cold ext2
// build libguestfs asks for, the repeated --if-newer call, a chroot build
// and --prepare of libguestfs's package list.
func BenchmarkSupermin(b *testing.B) {
	needGuestfsD(b)
	bin := ourBinary(b)
	tmp := b.TempDir()
	pkgs, err := os.ReadFile(guestfsD + "/packages")
	if err != nil {
		b.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		cold bool // remove the output before each run
	}{
		{"ext2-cold", []string{"--build", "--copy-kernel", "-f", "ext2", guestfsD}, true},
		{"ext2-if-newer", []string{"--build", "--if-newer", "--lock", filepath.Join(tmp, "lock"), "--copy-kernel", "-f", "ext2", guestfsD}, false},
		{"chroot", []string{"--build", "-f", "chroot", guestfsD}, true},
		{"prepare", append([]string{"--prepare", "--use-installed"}, strings.Fields(string(pkgs))...), true},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			side := func(argv0 ...string) timing {
				out := filepath.Join(tmp, c.name+"-"+filepath.Base(argv0[0]))
				var prep func()
				if c.cold {
					prep = func() { os.RemoveAll(out) }
				} else {
					timeCmd(b, nil, append(append(argv0, c.args...), "-o", out)...) // warm: the output exists
				}
				return median(b, prep, append(append(argv0, c.args...), "-o", out)...)
			}
			theirs := side("supermin")
			ours := side(bin, "supermin")
			report(b, "supermin "+c.name, ours, theirs, "supermin")
		})
	}
}

// BenchmarkExt2VsMke2fs compares our ext2 writer with `mke2fs -t ext2 -d`
// on the same staged tree (the guestfs appliance built as a chroot).
func BenchmarkExt2VsMke2fs(b *testing.B) {
	testtool.Need(b, "mke2fs")
	testtool.Root(b)
	bin := ourBinary(b)
	tmp := b.TempDir()
	staged := filepath.Join(tmp, "staged")
	if out, err := exec.Command(bin, "build", "../examples/guestfs.toml", "--format", "chroot", "-o", staged).CombinedOutput(); err != nil {
		b.Fatalf("staging: %v\n%s", err, out)
	}
	p := planTree(b, staged)
	img := filepath.Join(tmp, "img")
	var ours []time.Duration
	for range runs {
		f, err := os.Create(img)
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		if err := ext2.Write(f, p, ext2.Options{Size: 4 << 30}); err != nil {
			b.Fatal(err)
		}
		ours = append(ours, time.Since(start))
		f.Close()
	}
	sort.Slice(ours, func(i, j int) bool { return ours[i] < ours[j] })
	mk := func() { os.Remove(img) }
	theirs := median(b, mk, "mke2fs", "-q", "-F", "-t", "ext2", "-b", "4096", "-d", staged, img, "4G")
	report(b, "ext2 writer vs mke2fs -d", timing{wall: ours[len(ours)/2]}, theirs, "mke2fs")
}

// planTree describes a directory tree as a Plan, by lstat of each path.
func planTree(b *testing.B, root string) *plan.Plan {
	var layer planner.Layer
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := "/" + strings.TrimPrefix(strings.TrimPrefix(p, root), "/")
		e, err := planner.HostEntry(root, rel, plan.FromHost)
		layer = append(layer, e)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return (&planner.Merger{Root: root}).Merge(layer)
}

// BenchmarkArchives builds appliances from package files, next to the
// package tools unpacking the same files: libguestfs-tools' 324 .debs as
// an ext2 image against `dpkg-deb -x` of each, and 15 real .rpm packages
// as a chroot against `rpm -i --nodeps --noscripts` into an empty root.
// Outputs go to tmpfs when there is one: on ext4, creating 16,000 files
// right after deleting the previous run's swings both sides by 2-5x.
func BenchmarkArchives(b *testing.B) {
	bin := ourBinary(b)
	tmp, err := os.MkdirTemp("/dev/shm", "bench-")
	if err != nil {
		tmp = b.TempDir()
	}
	defer os.RemoveAll(tmp)
	b.Run("deb-dir-ext2", func(b *testing.B) {
		testtool.Need(b, "dpkg-deb")
		dir := fetchDebDir(b, "libguestfs-tools")
		m := filepath.Join(b.TempDir(), "app.toml")
		writeFile(b, m, fmt.Sprintf("packages = [\"libguestfs-tools\"]\nformat = \"ext2\"\nkernel = false\nsize = \"2G\"\n[source]\ntype = \"deb-dir\"\npath = %q\n", dir))
		ours, theirs := filepath.Join(tmp, "deb-ours"), filepath.Join(tmp, "deb-theirs")
		o := median(b, func() { os.RemoveAll(ours) }, bin, "build", m, "-o", ours)
		t := median(b, func() { os.RemoveAll(theirs) }, "sh", "-c", `for f in "$1"/*.deb; do dpkg-deb -x "$f" "$2"; done`, "sh", dir, theirs)
		report(b, "libguestfs-tools .debs", o, t, "dpkg-deb-x")
	})
	b.Run("rpm-dir-chroot", func(b *testing.B) {
		testtool.Need(b, "rpm")
		dir := testtool.Fixture(b, rpmFixtures)
		m := rpmManifest(b, dir, "chroot", []string{"hello", "mc", "sendmail", "ruby-libs", "xmlstarlet", "tmpwatch",
			"crypto-policies", "nodejs010-nodejs-oauth-sign", "python310-jupyter-server-fileid", "epel-release", "rpm-sign", "monkeysphere"})
		rpms := rpmsOf(b, dir, resolved(b, m))
		ours, theirs := filepath.Join(tmp, "rpm-ours"), filepath.Join(tmp, "rpm-theirs")
		o := median(b, func() { os.RemoveAll(ours) }, bin, "build", m, "-o", ours)
		t := median(b, func() { os.RemoveAll(theirs); os.MkdirAll(theirs, 0o755) }, append([]string{"rpm", "-i", "--nodeps", "--noscripts",
			"--notriggers", "--ignorearch", "--nosignature", "--root", theirs, "--dbpath", theirs + "/db"}, rpms...)...)
		report(b, "15 real .rpms as a chroot", o, t, "rpm-i")
	})
}

// BenchmarkApt builds ext2 appliances from the host's apt sources (type =
// "apt"; real downloads) and compares:
//   - cold cache: with mmdebstrap --variant=extract of the same closure
//     into a directory, from the same sources (each run downloads all);
//   - warm cache: with the same appliance from a deb-dir of the same .debs;
//   - resolving openssh-server against the full indexes, offline from the
//     cache: with apt-get install --simulate on an empty status, with its
//     binary cache (pkgcache.bin, which Docker's apt configuration turns
//     off) made on a first, untimed run; and the peak memory.
//
// The two sides of each comparison alternate, so that both see the same
// network; outputs and caches are on tmpfs when there is one.
func BenchmarkApt(b *testing.B) {
	testtool.Need(b, "mmdebstrap", "apt-get")
	testtool.Root(b)
	bin := ourBinary(b)
	tmp, err := os.MkdirTemp("/dev/shm", "bench-apt-")
	if err != nil {
		tmp = b.TempDir()
	}
	defer os.RemoveAll(tmp)
	manifest := func(pkgs []string, source string) string {
		m := filepath.Join(b.TempDir(), "app.toml")
		writeFile(b, m, fmt.Sprintf("packages = %s\nformat = \"ext2\"\nkernel = false\nsize = \"2G\"\n[source]\n%s\n", tomlList(pkgs), source))
		return m
	}
	cache, out := filepath.Join(tmp, "cache"), filepath.Join(tmp, "out")
	cold := func() { os.RemoveAll(cache); os.RemoveAll(out) }
	for _, set := range []struct {
		name string
		pkgs []string
	}{{"openssh-server", []string{"openssh-server"}}, {"openssh-server+python3+git", []string{"openssh-server", "python3", "git"}}} {
		b.Run("cold-"+set.name, func(b *testing.B) {
			m := manifest(set.pkgs, "type = \"apt\"")
			include := closure(b, m, "--cache-dir", cache)
			theirs := filepath.Join(tmp, "mmdebstrap")
			o, t := alternate(b,
				func() { cold() }, []string{bin, "build", m, "--cache-dir", cache, "-o", out},
				func() { os.RemoveAll(theirs) }, append([]string{"mmdebstrap"}, mmdebstrapArgs(b, theirs, include)...))
			report(b, fmt.Sprintf("apt cold, %d packages", len(include)), o, t, "mmdebstrap")
		})
	}
	pkgs := []string{"openssh-server"}
	b.Run("warm", func(b *testing.B) {
		m := manifest(pkgs, "type = \"apt\"")
		timeCmd(b, cold, bin, "build", m, "--cache-dir", cache, "-o", out) // warms the cache
		dir := manifest(pkgs, fmt.Sprintf("type = \"deb-dir\"\npath = %q", fetchDebDir(b, pkgs...)))
		rm := func() { os.RemoveAll(out) }
		o, t := alternate(b, rm, []string{bin, "build", m, "--cache-dir", cache, "-o", out}, rm, []string{bin, "build", dir, "-o", out})
		report(b, "apt warm vs deb-dir", o, t, "deb-dir")
	})
	b.Run("resolve", func(b *testing.B) {
		m := manifest(pkgs, "type = \"apt\"")
		closure(b, m, "--cache-dir", cache) // warms the cache
		aptDir := b.TempDir()
		status := filepath.Join(aptDir, "status")
		writeFile(b, status, "")
		apt := append([]string{"apt-get", "install", "--simulate", "--no-install-recommends", "-o", "Debug::NoLocking=1",
			"-o", "Dir::State::status=" + status, "-o", "Dir::State::extended_states=/dev/null",
			"-o", "Dir::Cache::pkgcache=" + aptDir + "/pkgcache.bin", "-o", "Dir::Cache::srcpkgcache=" + aptDir + "/srcpkgcache.bin"}, pkgs...)
		timeCmd(b, nil, apt...) // apt builds its binary cache
		o, t := alternate(b, nil, []string{bin, "resolve", m, "--offline", "--cache-dir", cache}, nil, apt)
		report(b, "resolve openssh-server", o, t, "apt-get-simulate")
	})
}

// alternate runs two commands `runs` times each, in turn, and returns the
// median timing of each.
func alternate(b *testing.B, prepA func(), a []string, prepB func(), c []string) (timing, timing) {
	var as, cs []timing
	for range runs {
		as = append(as, timeCmd(b, prepA, a...))
		cs = append(cs, timeCmd(b, prepB, c...))
	}
	mid := func(ts []timing) timing {
		sort.Slice(ts, func(i, j int) bool { return ts[i].wall < ts[j].wall })
		return ts[len(ts)/2]
	}
	return mid(as), mid(cs)
}
