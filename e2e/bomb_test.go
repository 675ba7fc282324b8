package e2e

import (
	"archive/tar"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// A base tarball is streamed and spooled, never held: the memory of
// `list` and of a build does not depend on the size of its members.

// bomb writes a .tar.zst of one file of size zero bytes (4 GiB compress
// to 130 KiB) and a chroot manifest of it into dir.
func bomb(t testing.TB, dir string, size int64) string {
	t.Helper()
	zeroTarball(t, filepath.Join(dir, "bomb.tar.zst"), size, "zstd", "-q", "-c")
	return tarballManifest(t, dir, filepath.Join(dir, "bomb.tar.zst"))
}

// TestBombMemory lists and builds tarballs of a 1 GiB and a 4 GiB file:
// both stay under the same memory bound.
func TestBombMemory(t *testing.T) {
	bin := binary(t)
	for _, size := range []int64{1 << 30, 4 << 30} {
		dir := t.TempDir()
		manifest := bomb(t, dir, size)
		list := runMeasured(t, nil, bin, "list", manifest)
		checkSane(t, "list", list, memoryBound)
		if list.code != 0 || !strings.Contains(list.stdout, strconv.FormatInt(size, 10)+" /zero") {
			t.Fatalf("list of a %d MiB member: exit %d\n%s%s", size>>20, list.code, list.stdout, list.stderr)
		}
		build := runMeasured(t, nil, bin, "build", manifest)
		checkSane(t, "build", build, memoryBound)
		if build.code != 0 {
			t.Fatalf("build of a %d MiB member: exit %d\n%s", size>>20, build.code, build.stderr)
		}
		out := filepath.Join(dir, "out", "zero")
		if fi, err := os.Stat(out); err != nil || fi.Size() != size {
			t.Errorf("%s: %v, want %d bytes", out, err, size)
		}
		must(t, os.RemoveAll(filepath.Join(dir, "out"))) // the disk, before the next size
		t.Logf("%d MiB member: peak RSS %d MiB for list, %d MiB for build", size>>20, list.rss>>20, build.rss>>20)
	}
}

// BenchmarkBombBuild builds a chroot from a .tar.zst holding one 4 GiB
// file of zeros and reports the build's peak RSS (before tarballs were
// streamed, a 1 GiB member took 2.6 GiB and a 4 GiB one ended in `fatal
// error: out of memory`).
func BenchmarkBombBuild(b *testing.B) {
	bin := binary(b)
	dir := b.TempDir()
	manifest := bomb(b, dir, 4<<30)
	var rss int64
	for b.Loop() {
		m := runMeasured(b, nil, bin, "build", manifest)
		if m.code != 0 {
			b.Fatalf("exit %d: %s", m.code, m.stderr)
		}
		rss = max(rss, m.rss)
		b.StopTimer()
		os.RemoveAll(filepath.Join(dir, "out"))
		b.StartTimer()
	}
	b.ReportMetric(float64(rss)/(1<<20), "peak-RSS-MiB")
}

// TestFullTMPDIR: a build whose TMPDIR (16 MiB) cannot hold the spooled
// contents fails with exit 1 and a message naming TMPDIR, whether the
// writes run out of room (many 4 MiB members) or one member is known to
// be too large from its header (a 1 GiB one); it leaves the previous
// output as it was, no staging directory, and nothing in TMPDIR.
func TestFullTMPDIR(t *testing.T) {
	bin := binary(t)
	for _, c := range []struct {
		name  string
		write func(t *testing.T, file string)
		want  string
	}{
		{"eight 4 MiB members", func(t *testing.T, file string) {
			tarStream(t, file, func(yield func(*tar.Header) bool) {
				for i := range 8 {
					if !yield(&tar.Header{Name: "f" + strconv.Itoa(i), Typeflag: tar.TypeReg, Mode: 0o644, Size: 4 << 20}) {
						return
					}
				}
			}, "zstd", "-q", "-c")
		}, "no space left on device"},
		{"one 1 GiB member", func(t *testing.T, file string) {
			zeroTarball(t, file, 1<<30, "zstd", "-q", "-c")
		}, "no space left on device: a member of 1024 MiB, 16 MiB free"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tmp := smallTMPDIR(t)
			dir := t.TempDir()
			small := filepath.Join(dir, "small.tar")
			writeFile(t, filepath.Join(dir, "motd"), "previous\n")
			run(t, nil, "tar", "-C", dir, "-cf", small, "motd")
			manifest := tarballManifest(t, dir, small)
			run(t, tmp, bin, "build", manifest)
			c.write(t, filepath.Join(dir, "big.tar.zst"))
			tarballManifest(t, dir, filepath.Join(dir, "big.tar.zst")) // the same manifest, now of big.tar.zst

			m := runMeasured(t, tmp, bin, "build", manifest)
			checkSane(t, c.name, m, memoryBound)
			tmpdir := strings.TrimPrefix(tmp[0], "TMPDIR=")
			if m.code != 1 || !strings.Contains(m.stderr, "TMPDIR ("+tmpdir+")") || !strings.Contains(m.stderr, c.want) {
				t.Errorf("exit %d, want 1 and a message naming TMPDIR (%s) and saying %q:\n%s", m.code, tmpdir, c.want, m.stderr)
			}
			if b, err := os.ReadFile(filepath.Join(dir, "out", "motd")); err != nil || string(b) != "previous\n" {
				t.Errorf("the previous output changed: %q, %v", b, err)
			}
			if staging, _ := filepath.Glob(filepath.Join(dir, ".out.tmp-*")); len(staging) > 0 {
				t.Errorf("left behind: %v", staging)
			}
			if left, _ := os.ReadDir(tmpdir); len(left) > 0 {
				t.Errorf("left in TMPDIR: %v", left)
			}
		})
	}
}
