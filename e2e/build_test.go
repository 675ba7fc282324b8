package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

var built struct {
	once sync.Once
	bin  string
	err  error
}

// binary builds supermin-compile once for the whole package.
func binary(t testing.TB) string {
	built.once.Do(func() {
		dir, err := os.MkdirTemp("", "smc-e2e-")
		if err != nil {
			built.err = err
			return
		}
		built.bin = filepath.Join(dir, "supermin-compile")
		if out, err := exec.Command("go", "build", "-o", built.bin, "../cmd/supermin-compile").CombinedOutput(); err != nil {
			built.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.bin
}

func run(t testing.TB, env []string, argv ...string) string {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v: %v\n%s%s", argv, err, out.String(), errb.String())
	}
	return out.String()
}

// listed returns the paths `list --json` prints for a manifest.
func listed(t *testing.T, manifest string) []string {
	var entries []struct{ Path string }
	if err := json.Unmarshal([]byte(run(t, nil, binary(t), "list", "--json", manifest)), &entries); err != nil {
		t.Fatal(err)
	}
	paths := make([]string, len(entries))
	for i, e := range entries {
		paths[i] = e.Path
	}
	return paths
}

func walked(t *testing.T, root string) []string {
	var paths []string
	for p := range treePaths(t, root) {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	return paths
}

func sameSet(t *testing.T, what string, got, want []string) {
	t.Helper()
	g := map[string]bool{}
	for _, p := range got {
		g[p] = true
	}
	var diff []string
	for _, p := range want {
		if !g[p] {
			diff = append(diff, "missing "+p)
		}
		delete(g, p)
	}
	for p := range g {
		diff = append(diff, "extra "+p)
	}
	sort.Strings(diff)
	if len(diff) > 0 {
		t.Errorf("%s differs from list (%d):\n%s", what, len(diff), strings.Join(head(diff, 40), "\n"))
	}
}

// TestExt2ImagesPassE2fsck builds the examples as ext2 images, checks them
// with e2fsck -fn and compares debugfs's view of the tree with `list`.
func TestExt2ImagesPassE2fsck(t *testing.T) {
	testtool.Need(t, "e2fsck", "debugfs")
	testtool.Root(t) // rdump recreates owners and device nodes
	for _, name := range []string{"minimal", "guestfs"} {
		t.Run(name, func(t *testing.T) {
			manifest := "../examples/" + name + ".toml"
			if name == "guestfs" {
				needGuestfsD(t)
			}
			out := filepath.Join(t.TempDir(), "out")
			run(t, nil, binary(t), "build", manifest, "--format", "ext2", "-o", out)
			img := filepath.Join(out, "root")
			if b, err := exec.Command("e2fsck", "-fn", img).CombinedOutput(); err != nil {
				t.Fatalf("e2fsck -fn: %v\n%s", err, b)
			}
			dump := filepath.Join(t.TempDir(), "dump")
			os.Mkdir(dump, 0o755)
			run(t, nil, "debugfs", "-R", "rdump / "+dump, img)
			got := walked(t, dump)
			var filtered []string
			for _, p := range got {
				if p != "/lost+found" {
					filtered = append(filtered, p)
				}
			}
			sameSet(t, "ext2 image of "+name, filtered, listed(t, manifest))
		})
	}
}

func TestCpioAndChrootMatchList(t *testing.T) {
	testtool.Need(t, "cpio")
	manifest := "../examples/minimal.toml"
	want := listed(t, manifest)
	out := filepath.Join(t.TempDir(), "cpio")
	run(t, nil, binary(t), "build", manifest, "--format", "cpio", "--compression", "gzip", "-o", out)
	archive, err := os.ReadFile(filepath.Join(out, "initramfs.cpio.gz"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", "-c", "gzip -dc | cpio -it --quiet")
	cmd.Stdin = bytes.NewReader(archive)
	listing, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range strings.Fields(string(listing)) {
		got = append(got, filepath.Clean("/"+n))
	}
	sameSet(t, "cpio archive", got, want)

	chroot := filepath.Join(t.TempDir(), "chroot")
	run(t, nil, binary(t), "build", manifest, "--format", "chroot", "-o", chroot)
	// The fingerprint is the output's marker, not part of the appliance.
	sameSet(t, "chroot", walked(t, chroot), append(want, "/.supermin-compile.fingerprint"))
}

func sha(t *testing.T, file string) string {
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	io.Copy(h, f)
	return fmt.Sprintf("%x", h.Sum(nil))
}

// TestReproducible: with SOURCE_DATE_EPOCH set, two builds give the same
// bytes (ext2 image and compressed cpio archive).
func TestReproducible(t *testing.T) {
	env := []string{"SOURCE_DATE_EPOCH=1700000000"}
	manifest := "../examples/minimal.toml"
	for _, c := range []struct{ format, file string }{{"ext2", "root"}, {"cpio", "initramfs.cpio.zst"}} {
		var sums []string
		for i := range 2 {
			out := filepath.Join(t.TempDir(), fmt.Sprint("out", i))
			run(t, env, binary(t), "build", manifest, "--format", c.format, "--compression", "zstd", "--size", "64M", "-o", out)
			sums = append(sums, sha(t, filepath.Join(out, c.file)))
		}
		if sums[0] != sums[1] {
			t.Errorf("%s: two builds differ: %s %s", c.format, sums[0], sums[1])
		}
	}
}

// TestOutputIsReplacedAtomically: a build that fails leaves the previous
// output untouched and no staging directory behind.
func TestOutputIsReplacedAtomically(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	run(t, nil, binary(t), "build", "../examples/minimal.toml", "--format", "ext2", "--size", "64M", "-o", out)
	before := sha(t, filepath.Join(out, "root"))
	// Too small: fails before writing, naming the size it needs.
	cmd := exec.Command(binary(t), "build", "../examples/minimal.toml", "--format", "ext2", "--size", "1M", "-o", out)
	b, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(b), "too small") {
		t.Fatalf("want a too-small error, got %v: %s", err, b)
	}
	if sha(t, filepath.Join(out, "root")) != before {
		t.Error("the failed build changed the previous output")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("staging left behind: %v", entries)
	}
}

// TestIfNewerManifest: a second --if-newer build of an unchanged manifest
// leaves the output alone; editing the manifest rebuilds it. A chroot keeps
// its fingerprint in the tree, so that the two are swapped together.
func TestIfNewerManifest(t *testing.T) {
	dir := t.TempDir()
	manifest := filepath.Join(dir, "a.toml")
	write := func(text string) {
		if err := os.WriteFile(manifest, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("format = \"chroot\"\n[[file]]\npath = \"/etc/motd\"\ncontent = \"one\\n\"\n")
	out := filepath.Join(dir, "out")
	build := func() string {
		cmd := exec.Command(binary(t), "build", manifest, "--if-newer", "-o", out)
		b, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("build: %v\n%s", err, b)
		}
		return string(b)
	}
	build()
	if msg := build(); !strings.Contains(msg, "is up to date") {
		t.Errorf("second build was not skipped: %s", msg)
	}
	if _, err := os.Stat(filepath.Join(out, ".supermin-compile.fingerprint")); err != nil {
		t.Errorf("the fingerprint is not inside the chroot: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("want only the manifest and the output in %s, got %v", dir, entries)
	}
	write("format = \"chroot\"\n[[file]]\npath = \"/etc/motd\"\ncontent = \"two\\n\"\n")
	if msg := build(); strings.Contains(msg, "is up to date") {
		t.Errorf("edited manifest was not rebuilt: %s", msg)
	}
	if b, _ := os.ReadFile(filepath.Join(out, "etc/motd")); string(b) != "two\n" {
		t.Errorf("motd: %q", b)
	}
}
