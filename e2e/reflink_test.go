package e2e

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// TestReflinkOnBtrfs: on a filesystem that shares blocks (btrfs, as
// Fedora's /var/tmp), the ext2 writer's copy_file_range clones file data
// into the image instead of copying it, because file data is block
// aligned in both. The image's host files then take no new space, and
// the image is still correct.
func TestReflinkOnBtrfs(t *testing.T) {
	testtool.Need(t, "mkfs.btrfs", "btrfs", "e2fsck", "debugfs")
	testtool.Root(t)
	img := filepath.Join(t.TempDir(), "btrfs.img")
	if err := os.WriteFile(img, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(img, 512<<20); err != nil {
		t.Fatal(err)
	}
	run(t, nil, "mkfs.btrfs", "-q", "-f", img)
	mnt := t.TempDir()
	if out, err := exec.Command("mount", "-o", "loop", img, mnt).CombinedOutput(); err != nil {
		testtool.Unavailable(t, fmt.Sprintf("cannot loop-mount btrfs here: %v: %s", err, out))
	}
	t.Cleanup(func() { exec.Command("umount", mnt).Run() })

	src := filepath.Join(mnt, "src")
	os.Mkdir(src, 0o755)
	big := make([]byte, 8<<20+123) // not a whole number of blocks: the tail is copied
	rand.Read(big)
	writeFile(t, filepath.Join(src, "big"), string(big))
	m := filepath.Join(mnt, "app.toml")
	writeFile(t, m, fmt.Sprintf("packages = []\nhostfiles = [%q]\nformat = \"ext2\"\nkernel = false\nsize = \"64M\"\n", src+"/*"))
	out := filepath.Join(mnt, "out")
	run(t, nil, binary(t), "build", m, "-o", out)

	root := filepath.Join(out, "root")
	if b, err := exec.Command("e2fsck", "-fn", root).CombinedOutput(); err != nil {
		t.Fatalf("e2fsck -fn: %v\n%s", err, b)
	}
	got := run(t, nil, "debugfs", "-R", "cat "+filepath.Join(src, "big"), root)
	if !bytes.Equal([]byte(got), big) {
		t.Fatalf("the file read back from the image differs (%d bytes, want %d)", len(got), len(big))
	}
	// btrfs filesystem du: Total, Exclusive, Set shared, Filename.
	f := strings.Fields(strings.Split(strings.TrimSpace(run(t, nil, "btrfs", "filesystem", "du", "-s", "--raw", root)), "\n")[1])
	shared, _ := strconv.ParseInt(f[2], 10, 64)
	t.Logf("btrfs filesystem du of the image: total %s, exclusive %s, shared %s", f[0], f[1], f[2])
	if shared < 8<<20 {
		t.Errorf("image shares %d bytes with its sources, want at least 8 MiB:\n%v", shared, f)
	}
}
