package e2e

import (
	"archive/tar"
	"bufio"
	"bytes"
	be "encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// Hostile and broken inputs, run through the real binary: whatever the
// input, the tool exits 1 with a message naming the file, never 2 (the
// usage code) and never with a Go panic or `fatal error`, and its peak
// memory stays under a bound that no size written in the input moves.

// memoryBound is the most a run may take whatever its archives' member
// sizes, windows or claims; the README quotes what the bombs really take.
const memoryBound = 100 << 20

// measured is a finished run: its exit status, output and peak RSS.
type measured struct {
	result
	rss int64 // bytes
}

// runMeasured runs argv and reports its peak resident memory (the child's
// getrusage maxrss): an upper bound, as it includes what the test process
// held when it started the child.
func runMeasured(t testing.TB, env []string, argv ...string) measured {
	t.Helper()
	// Linux counts in a child's maxrss the peak of the process that
	// exec'd it (the test, through vfork): reset that to what it holds now.
	os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			t.Fatalf("%v: %v", argv, err)
		}
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return measured{result{out.String(), errb.String(), cmd.ProcessState.ExitCode()}, ru.Maxrss << 10}
}

// checkSane fails the test when a run crashed or took too much memory.
func checkSane(t testing.TB, what string, m measured, bound int64) {
	t.Helper()
	for _, crash := range []string{"panic:", "fatal error:", "goroutine ", "runtime error"} {
		if strings.Contains(m.stderr, crash) {
			t.Errorf("%s: the Go runtime crashed (exit %d):\n%.2000s", what, m.code, m.stderr)
			break
		}
	}
	if m.rss > bound {
		t.Errorf("%s: peak RSS %d MiB, over the %d MiB bound", what, m.rss>>20, bound>>20)
	}
}

// tarStream writes, through the compressor argv (none: plain), a tar of
// the given headers into file; a regular member's data is zeros, streamed,
// never held. Go's archive/tar makes the members GNU tar would need
// gigabytes of disk for.
func tarStream(t testing.TB, file string, headers func(yield func(*tar.Header) bool), argv ...string) {
	t.Helper()
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var w io.Writer = f
	var cmd *exec.Cmd
	var in io.WriteCloser
	if len(argv) > 0 {
		testtool.Need(t, argv[0])
		cmd = exec.Command(argv[0], argv[1:]...)
		cmd.Stdout = f
		if in, err = cmd.StdinPipe(); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		w = in
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	tw := tar.NewWriter(bw)
	zeros := make([]byte, 1<<20)
	for h := range headers {
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		for left := h.Size; left > 0; left -= int64(len(zeros)) {
			if _, err := tw.Write(zeros[:min(left, int64(len(zeros)))]); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
	if cmd != nil {
		in.Close()
		if err := cmd.Wait(); err != nil {
			t.Fatalf("%v: %v", argv, err)
		}
	}
}

// zeroTarball writes a tar of one file, /zero, of size zero bytes.
func zeroTarball(t testing.TB, file string, size int64, argv ...string) {
	tarStream(t, file, func(yield func(*tar.Header) bool) {
		yield(&tar.Header{Name: "zero", Typeflag: tar.TypeReg, Mode: 0o644, Size: size, ModTime: time.Unix(1700000000, 0)})
	}, argv...)
}

// manyMembers writes a tar of n empty files, zstd-compressed.
func manyMembers(t testing.TB, file string, n int) {
	tarStream(t, file, func(yield func(*tar.Header) bool) {
		for i := range n {
			if !yield(&tar.Header{Name: fmt.Sprintf("d%03d/f%07d", i%1000, i), Typeflag: tar.TypeReg, Mode: 0o644}) {
				return
			}
		}
	}, "zstd", "-q", "-c")
}

// tarballManifest writes a manifest whose only input is the base tarball
// file, for a chroot in dir/out.
func tarballManifest(t testing.TB, dir, file string) string {
	m := filepath.Join(dir, "app.toml")
	writeFile(t, m, fmt.Sprintf("base = [%q]\nformat = \"chroot\"\noutput = %q\n", file, filepath.Join(dir, "out")))
	return m
}

// gnuTarOf packs a small tree (a text file and 300 KiB of random bytes,
// so that a cut lands in compressed data) with GNU tar and flags.
func gnuTarOf(t testing.TB, dir, name string, flags ...string) string {
	t.Helper()
	testtool.Need(t, "tar", "gzip", "xz", "zstd")
	src := filepath.Join(dir, "src-"+name)
	must(t, os.MkdirAll(src+"/etc", 0o755))
	writeFile(t, src+"/etc/motd", "hello\n")
	noise := make([]byte, 300<<10)
	for i := range noise {
		noise[i] = byte(i*7919>>3) ^ byte(i>>11)
	}
	must(t, os.WriteFile(src+"/noise", noise, 0o644))
	file := filepath.Join(dir, name)
	run(t, nil, append(append([]string{"tar", "-C", src, "--owner=0", "--group=0"}, flags...), "-cf", file, ".")...)
	return file
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// edit rewrites file through fn.
func edit(t testing.TB, file string, fn func([]byte) []byte) {
	t.Helper()
	b, err := os.ReadFile(file)
	must(t, err)
	must(t, os.WriteFile(file, fn(b), 0o644))
}

// cut keeps the first fraction of file.
func cut(t testing.TB, file string, fraction float64) {
	t.Helper()
	fi, err := os.Stat(file)
	must(t, err)
	must(t, os.Truncate(file, int64(float64(fi.Size())*fraction)))
}

// setTarSize writes size into the first tar header of b in base-256 (as
// GNU tar does for sizes over 8 GiB) and fixes the header's checksum.
func setTarSize(b []byte, size uint64) []byte {
	h := b[:512]
	clear(h[124:136])
	h[124] = 0x80
	be.BigEndian.PutUint64(h[128:136], size)
	copy(h[148:156], "        ")
	sum := 0
	for _, c := range h {
		sum += int(c)
	}
	copy(h[148:156], fmt.Sprintf("%06o\x00 ", sum))
	return b
}

// setZstdWindow makes the first frame of b (one zstd writes from a pipe,
// so with a Window_Descriptor) claim a window of 2^(10+exp) bytes.
func setZstdWindow(b []byte, exp byte) []byte {
	if b[4]&0x20 != 0 {
		panic("single-segment frame: no window descriptor")
	}
	b[5] = exp << 3
	return b
}

// setZstdContentSize makes the first frame of b (single-segment, with a
// 4-byte Frame_Content_Size, as zstd writes for a file of 64 KiB to 4 GiB)
// claim 4 GiB, which is its window too.
func setZstdContentSize(b []byte) []byte {
	fhd := b[4]
	if fhd&0x20 == 0 || fhd>>6 != 2 || fhd&3 != 0 {
		panic(fmt.Sprintf("frame header descriptor %#x: not single-segment with a 4-byte size", fhd))
	}
	be.LittleEndian.PutUint32(b[5:9], 0xffffffff)
	return b
}

// setXzDict makes the first block of an xz stream (one LZMA2 filter, as xz
// writes by default) ask for the dictionary of property dict (39: 3 GiB),
// and fixes the block header's CRC32.
func setXzDict(b []byte, dict byte) []byte {
	const streamHeader = 12
	size := (int(b[streamHeader]) + 1) * 4
	h := b[streamHeader : streamHeader+size]
	flags, i := h[1], 2
	for _, present := range []bool{flags&0x40 != 0, flags&0x80 != 0} { // compressed, uncompressed sizes
		for present && h[i]&0x80 != 0 {
			i++
		}
		if present {
			i++
		}
	}
	if h[i] != 0x21 || h[i+1] != 1 {
		panic("not an LZMA2 filter")
	}
	h[i+2] = dict
	be.LittleEndian.PutUint32(h[size-4:], crc32.ChecksumIEEE(h[:size-4]))
	return b
}

// hostile is one input and what the tool must make of it.
type hostile struct {
	name string
	// make writes the input into dir and returns the manifest to run and
	// the file the message must name.
	make  func(t *testing.T, dir string) (manifest, culprit string)
	cmd   string                    // list or build
	env   func(*testing.T) []string // extra environment
	code  int                       // 1, or 0 for valid inputs that test memory only
	want  string                    // in stderr, besides the culprit
	bound int64                     // peak RSS; memoryBound when 0
	check func(t *testing.T, dir string)
}

func tarCase(name string, prepare func(t *testing.T, dir string) string) func(*testing.T, string) (string, string) {
	return func(t *testing.T, dir string) (string, string) {
		file := prepare(t, dir)
		return tarballManifest(t, dir, file), file
	}
}

// smallTMPDIR gives a run a 16 MiB TMPDIR.
func smallTMPDIR(t *testing.T) []string { return []string{"TMPDIR=" + testtool.Tmpfs(t, "16m")} }

var hostileInputs = []hostile{
	{name: "tar member larger than its data", cmd: "list", code: 1, want: "unexpected EOF",
		make: tarCase("cut.tar", func(t *testing.T, dir string) string {
			f := gnuTarOf(t, dir, "cut.tar")
			cut(t, f, 0.6)
			return f
		})},
	{name: "truncated gzip", cmd: "list", code: 1, want: "gzip: unexpected EOF",
		make: tarCase("", func(t *testing.T, dir string) string {
			f := gnuTarOf(t, dir, "cut.tar.gz", "-z")
			cut(t, f, 0.5)
			return f
		})},
	{name: "truncated xz", cmd: "list", code: 1, want: "xz: data is truncated or corrupt",
		make: tarCase("", func(t *testing.T, dir string) string {
			f := gnuTarOf(t, dir, "cut.tar.xz", "-J")
			cut(t, f, 0.5)
			return f
		})},
	{name: "truncated zstd", cmd: "list", code: 1, want: "zstd: unexpected EOF",
		make: tarCase("", func(t *testing.T, dir string) string {
			f := gnuTarOf(t, dir, "cut.tar.zst", "--zstd")
			cut(t, f, 0.5)
			return f
		})},
	{name: "zstd window of 2 TiB", cmd: "build", code: 1, want: "larger than the 128 MiB allowed",
		make: tarCase("", func(t *testing.T, dir string) string {
			f := gnuTarOf(t, dir, "window.tar.zst", "--zstd")
			edit(t, f, func(b []byte) []byte { return setZstdWindow(b, 31) })
			return f
		})},
	{name: "zstd frame claiming 4 GiB", cmd: "build", code: 1, want: "larger than the 128 MiB allowed",
		make: tarCase("", func(t *testing.T, dir string) string {
			f := gnuTarOf(t, dir, "fcs.tar")
			run(t, nil, "zstd", "-q", f, "-o", f+".zst")
			edit(t, f+".zst", setZstdContentSize)
			return f + ".zst"
		})},
	{name: "xz dictionary of 3 GiB", cmd: "build", code: 1, want: "larger than the 128 MiB allowed",
		make: tarCase("", func(t *testing.T, dir string) string {
			f := gnuTarOf(t, dir, "dict.tar.xz", "-J")
			edit(t, f, func(b []byte) []byte { return setXzDict(b, 39) })
			return f
		})},
	{name: "tar header claiming 2^62 bytes", cmd: "build", code: 1, want: "unexpected EOF",
		make: tarCase("", func(t *testing.T, dir string) string {
			gnuTarOf(t, dir, "unused.tar")
			f := filepath.Join(dir, "huge.tar")
			run(t, nil, "tar", "-C", filepath.Join(dir, "src-unused.tar"), "-cf", f, "noise", "etc/motd")
			edit(t, f, func(b []byte) []byte { return setTarSize(b, 1<<62) })
			return f
		})},
	{name: "member name climbing out with ../", cmd: "build", code: 1, want: `member name "../../x" leaves the archive root`,
		make: tarCase("", func(t *testing.T, dir string) string {
			writeFile(t, filepath.Join(dir, "x"), "x\n")
			f := filepath.Join(dir, "climb.tar")
			run(t, nil, "tar", "-C", dir, "-cf", f, "--transform", "s,^x,../../x,", "x")
			return f
		})},
	{name: "member through an absolute symlink", cmd: "build", code: 0,
		make: tarCase("", func(t *testing.T, dir string) string {
			// link -> DIR/victim, then link/pwned: the file must land
			// inside the appliance, where the link points there.
			must(t, os.MkdirAll(filepath.Join(dir, "victim"), 0o755))
			must(t, os.MkdirAll(filepath.Join(dir, "a/link"), 0o755))
			must(t, os.MkdirAll(filepath.Join(dir, "b"), 0o755))
			writeFile(t, filepath.Join(dir, "a/link/pwned"), "pwned\n")
			must(t, os.Symlink(filepath.Join(dir, "victim"), filepath.Join(dir, "b/link")))
			f := filepath.Join(dir, "through.tar")
			run(t, nil, "tar", "-C", filepath.Join(dir, "b"), "-cf", f, "link")
			run(t, nil, "tar", "-C", filepath.Join(dir, "a"), "-rf", f, "link/pwned")
			return f
		}),
		check: func(t *testing.T, dir string) {
			if entries, _ := os.ReadDir(filepath.Join(dir, "victim")); len(entries) != 0 {
				t.Errorf("the build wrote %v outside its output, through the symlink", entries)
			}
			if _, err := os.Stat(filepath.Join(dir, "out", dir, "victim/pwned")); err != nil {
				t.Errorf("the member is not where the link points inside the appliance: %v", err)
			}
		}},
	{name: "100,000 empty members", cmd: "list", code: 0,
		make: tarCase("", func(t *testing.T, dir string) string {
			f := filepath.Join(dir, "many.tar.zst")
			manyMembers(t, f, 100_000)
			return f
		})},
	{name: "2,000,000 empty members", cmd: "list", code: 1, want: "takes more than 256 MiB of memory", bound: 512 << 20,
		make: tarCase("", func(t *testing.T, dir string) string {
			f := filepath.Join(dir, "millions.tar.zst")
			manyMembers(t, f, 2_000_000)
			return f
		})},
	{name: "gzip bomb", cmd: "list", code: 0,
		make: tarCase("", func(t *testing.T, dir string) string {
			f := filepath.Join(dir, "bomb.tar.gz")
			zeroTarball(t, f, 256<<20, "gzip", "-c")
			return f
		})},
	{name: "gzip bomb into a 16 MiB TMPDIR", cmd: "build", code: 1, env: smallTMPDIR,
		want: "no space left on device: a member of 256 MiB",
		make: tarCase("", func(t *testing.T, dir string) string {
			f := filepath.Join(dir, "bomb.tar.gz")
			zeroTarball(t, f, 256<<20, "gzip", "-c")
			return f
		})},
	{name: ".deb whose ar member claims 10 GB", cmd: "list", code: 1, want: `9999999999 bytes, but the file ends`,
		make: func(t *testing.T, dir string) (string, string) {
			deb := makeDeb(t, dir)
			edit(t, deb, func(b []byte) []byte {
				h := bytes.Index(b, []byte("data.tar"))
				copy(b[h+48:h+58], "9999999999")
				return b
			})
			return debDirManifest(t, dir), deb
		}},
	{name: ".deb with a truncated data.tar", cmd: "list", code: 1, want: "data.tar.xz: xz: data is truncated or corrupt",
		make: func(t *testing.T, dir string) (string, string) {
			deb := makeDeb(t, dir)
			parts := filepath.Join(dir, "parts")
			must(t, os.MkdirAll(parts, 0o755))
			cmd := exec.Command("ar", "x", deb)
			cmd.Dir = parts
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("ar x: %v %s", err, out)
			}
			cut(t, filepath.Join(parts, "data.tar.xz"), 0.5)
			must(t, os.Remove(deb))
			cmd = exec.Command("ar", "rc", deb, "debian-binary", "control.tar.xz", "data.tar.xz")
			cmd.Dir = parts
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("ar rc: %v %s", err, out)
			}
			return debDirManifest(t, dir), deb
		}},
	{name: ".rpm header claiming 2^31 entries", cmd: "list", code: 1, want: "header too large (2147483648 entries",
		make: func(t *testing.T, dir string) (string, string) {
			rpm := copyTestRpm(t, dir)
			edit(t, rpm, func(b []byte) []byte {
				be.BigEndian.PutUint32(b[mainHeader(b)+8:], 1<<31)
				return b
			})
			return rpmDirManifest(t, dir), rpm
		}},
	{name: ".rpm file size claiming 2 GiB", cmd: "build", code: 1, want: "the plan says 2147483647",
		make: func(t *testing.T, dir string) (string, string) {
			rpm := copyTestRpm(t, dir)
			edit(t, rpm, func(b []byte) []byte {
				setRpmInt32s(b, 1028, 0x7fffffff) // FILESIZES
				return b
			})
			return rpmDirManifest(t, dir), rpm
		}},
	{name: ".rpm with a truncated payload", cmd: "build", code: 1, want: "payload: ./etc/group: xz: data is truncated or corrupt",
		make: func(t *testing.T, dir string) (string, string) {
			rpm := copyTestRpm(t, dir)
			edit(t, rpm, func(b []byte) []byte {
				h := mainHeader(b)
				payload := h + 16 + int(be.BigEndian.Uint32(b[h+8:]))*16 + int(be.BigEndian.Uint32(b[h+12:]))
				return b[:payload+(len(b)-payload)/2]
			})
			return rpmDirManifest(t, dir), rpm
		}},
}

// TestHostileInputs runs each hostile input through the binary.
func TestHostileInputs(t *testing.T) {
	bin := binary(t)
	for _, c := range hostileInputs {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			manifest, culprit := c.make(t, dir)
			var env []string
			if c.env != nil {
				env = c.env(t)
			}
			m := runMeasured(t, env, bin, c.cmd, manifest)
			bound := c.bound
			if bound == 0 {
				bound = memoryBound
			}
			checkSane(t, c.name, m, bound)
			if m.code != c.code {
				t.Errorf("exit %d, want %d; stderr:\n%.2000s", m.code, c.code, m.stderr)
			}
			if c.code != 0 && (!strings.Contains(m.stderr, culprit) || !strings.Contains(m.stderr, c.want)) {
				t.Errorf("stderr does not name %s and say %q:\n%.2000s", culprit, c.want, m.stderr)
			}
			if c.check != nil {
				c.check(t, dir)
			}
			t.Logf("exit %d, peak RSS %d MiB: %s", m.code, m.rss>>20, strings.TrimSpace(m.stderr))
		})
	}
}

// makeDeb builds a small package with dpkg-deb into dir/debs.
func makeDeb(t *testing.T, dir string) string {
	t.Helper()
	testtool.Need(t, "dpkg-deb", "ar")
	root := filepath.Join(dir, "pkg")
	must(t, os.MkdirAll(root+"/DEBIAN", 0o755))
	must(t, os.MkdirAll(root+"/usr/share/smc", 0o755))
	writeFile(t, root+"/DEBIAN/control", "Package: smc-evil\nVersion: 1.0\nArchitecture: all\nMaintainer: t <t@example.org>\nDescription: test\n")
	noise := make([]byte, 200<<10)
	for i := range noise {
		noise[i] = byte(i*7919>>3) ^ byte(i>>11)
	}
	must(t, os.WriteFile(root+"/usr/share/smc/noise", noise, 0o644))
	must(t, os.MkdirAll(filepath.Join(dir, "debs"), 0o755))
	deb := filepath.Join(dir, "debs", "smc-evil_1.0_all.deb")
	run(t, nil, "dpkg-deb", "--root-owner-group", "-Zxz", "--build", root, deb)
	return deb
}

func debDirManifest(t *testing.T, dir string) string {
	m := filepath.Join(dir, "app.toml")
	writeFile(t, m, fmt.Sprintf("packages = [\"smc-evil\"]\nformat = \"chroot\"\noutput = %q\n[source]\ntype = \"deb-dir\"\npath = %q\n",
		filepath.Join(dir, "out"), filepath.Join(dir, "debs")))
	return m
}

// copyTestRpm copies smc-setup, made by resolver/rpm/testdata/mkrpms.sh,
// into dir/rpms.
func copyTestRpm(t *testing.T, dir string) string {
	t.Helper()
	testtool.Need(t, "rpmbuild")
	made := filepath.Join(dir, "made")
	run(t, nil, "sh", "../resolver/rpm/testdata/mkrpms.sh", made)
	b, err := os.ReadFile(filepath.Join(made, "smc-setup-1.0-1.noarch.rpm"))
	must(t, err)
	must(t, os.MkdirAll(filepath.Join(dir, "rpms"), 0o755))
	rpm := filepath.Join(dir, "rpms", "smc-setup-1.0-1.noarch.rpm")
	must(t, os.WriteFile(rpm, b, 0o644))
	return rpm
}

func rpmDirManifest(t *testing.T, dir string) string {
	m := filepath.Join(dir, "app.toml")
	writeFile(t, m, fmt.Sprintf("packages = [\"smc-setup\"]\nformat = \"chroot\"\noutput = %q\n[source]\ntype = \"rpm-dir\"\npath = %q\narch = \"x86_64\"\n",
		filepath.Join(dir, "out"), filepath.Join(dir, "rpms")))
	return m
}

// mainHeader returns the offset of an rpm's main header: after the
// 96-byte lead and the signature header, padded to 8 bytes.
func mainHeader(b []byte) int {
	const lead = 96
	n, size := be.BigEndian.Uint32(b[lead+8:]), be.BigEndian.Uint32(b[lead+12:])
	end := lead + 16 + int(n)*16 + int(size)
	return end + (8-end%8)%8
}

// setRpmInt32s sets every value of the main header's INT32 tag to v.
func setRpmInt32s(b []byte, tag uint32, v uint32) {
	h := mainHeader(b)
	n := int(be.BigEndian.Uint32(b[h+8:]))
	store := h + 16 + n*16
	for i := range n {
		e := b[h+16+i*16:]
		if be.BigEndian.Uint32(e) == tag {
			off, count := int(be.BigEndian.Uint32(e[8:])), int(be.BigEndian.Uint32(e[12:]))
			for j := range count {
				be.BigEndian.PutUint32(b[store+off+4*j:], v)
			}
			return
		}
	}
	panic(fmt.Sprintf("no tag %d", tag))
}
