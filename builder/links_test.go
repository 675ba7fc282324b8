package builder

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
	"github.com/supermin-compile/supermin-compile/manifest"
)

// linkTarball makes name.tar in dir with GNU tar from files (path ->
// content; "=path" makes a hard link to path), archiving members in the
// order given: a link's target first, as tar always does.
func linkTarball(t *testing.T, dir, name string, files [][2]string) string {
	t.Helper()
	testtool.Need(t, "tar")
	src := filepath.Join(t.TempDir(), name)
	var members []string
	for _, f := range files {
		p := filepath.Join(src, f[0])
		must(t, os.MkdirAll(filepath.Dir(p), 0o755))
		if target, ok := strings.CutPrefix(f[1], "="); ok {
			must(t, os.Link(filepath.Join(src, target), p))
		} else {
			must(t, os.WriteFile(p, []byte(f[1]), 0o640))
		}
		members = append(members, f[0])
	}
	file := filepath.Join(dir, name+".tar")
	args := append([]string{"-C", src, "--owner=0", "--group=0", "--no-recursion", "-cf", file}, members...)
	if out, err := exec.Command("tar", args...).CombinedOutput(); err != nil {
		t.Fatalf("tar: %v\n%s", err, out)
	}
	return file
}

// buildWith builds a manifest of base tarballs in format and returns the
// output directory and Build's error.
func buildWith(t *testing.T, format string, base ...string) (string, error) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	text := fmt.Sprintf("kernel = false\nsize = \"16M\"\nformat = %q\noutput = %q\nbase = [%q", format, out, base[0])
	for _, b := range base[1:] {
		text += fmt.Sprintf(", %q", b)
	}
	file := filepath.Join(dir, "a.toml")
	must(t, os.WriteFile(file, []byte(text+"]\n"), 0o644))
	m, err := manifest.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	m.Source.Type = "dpkg"
	_, err = Build(m, Options{}, false)
	return out, err
}

// TestBuildLinksFromTarball: a tar whose file comes before the links
// to it, which sort before and after it, gives every format the names
// GNU tar extracts: one inode, its data, its mode.
func TestBuildLinksFromTarball(t *testing.T) {
	dir := t.TempDir()
	tar := linkTarball(t, dir, "links", [][2]string{{"d/target", "hello\n"}, {"d/hard0", "=d/target"}, {"d/zz", "=d/target"},
		{"e/solo", "x"}, {"e/0", "=d/target"}})
	oracle := t.TempDir()
	if out, err := exec.Command("tar", "-C", oracle, "-xf", tar).CombinedOutput(); err != nil {
		t.Fatalf("tar -x: %v\n%s", err, out)
	}
	want := linkSets(t, oracle)
	for _, format := range []string{"chroot", "cpio", "ext2"} {
		t.Run(format, func(t *testing.T) {
			out, err := buildWith(t, format, tar)
			if err != nil {
				t.Fatal(err)
			}
			if got := linkSets(t, unpack(t, format, out)); got != want {
				t.Errorf("got\n%swant (GNU tar)\n%s", got, want)
			}
		})
	}
}

// unpack returns a directory holding the tree of the output in out.
func unpack(t *testing.T, format, out string) string {
	switch format {
	case "cpio":
		testtool.Need(t, "cpio")
		dir := t.TempDir()
		cmd := exec.Command("cpio", "-idm", "--quiet", "-F", filepath.Join(out, "initramfs.cpio"))
		cmd.Dir = dir
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("cpio -i: %v\n%s", err, b)
		}
		return dir
	case "ext2":
		testtool.Root(t)
		dir := t.TempDir()
		if b, err := exec.Command("mount", "-o", "loop,ro", filepath.Join(out, "root"), dir).CombinedOutput(); err != nil {
			testtool.Unavailable(t, fmt.Sprintf("cannot loop-mount here: %v: %s", err, b))
		}
		t.Cleanup(func() { exec.Command("umount", dir).Run() })
		return dir
	}
	return out
}

// linkSets describes the regular files under root: path, mode, content
// and the first path (in sorted order) of the same inode; our fingerprint
// is not the appliance's.
func linkSets(t *testing.T, root string) string {
	var names []string
	first := map[uint64]string{}
	filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() && fi.Name() != FingerprintFile {
			names = append(names, p)
		}
		return err
	})
	sort.Strings(names)
	var b strings.Builder
	for _, p := range names {
		fi, err := os.Lstat(p)
		must(t, err)
		data, err := os.ReadFile(p)
		must(t, err)
		ino := fi.Sys().(*syscall.Stat_t).Ino
		if _, ok := first[ino]; !ok {
			first[ino] = strings.TrimPrefix(p, root)
		}
		fmt.Fprintf(&b, "%s %v %q inode of %s\n", strings.TrimPrefix(p, root), fi.Mode(), data, first[ino])
	}
	return b.String()
}

// TestBuildRefusesEntryUnderFile: every format refuses, with the same
// message and before writing anything, a tarball that puts a file
// under another tarball's file.
func TestBuildRefusesEntryUnderFile(t *testing.T) {
	dir := t.TempDir()
	f := linkTarball(t, dir, "f", [][2]string{{"f", "a file"}})
	fx := linkTarball(t, dir, "fx", [][2]string{{"f/x", "under it"}})
	want := "invalid plan: /f/x (from fx.tar): parent /f (from f.tar) is a regular file, not a directory"
	for _, format := range []string{"chroot", "cpio", "ext2"} {
		out, err := buildWith(t, format, f, fx)
		if err == nil || err.Error() != want {
			t.Errorf("%s: got %v, want %s", format, err, want)
		}
		if _, err := os.Lstat(out); err == nil {
			t.Errorf("%s: %s was written", format, out)
		}
	}
}
