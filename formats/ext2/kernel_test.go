package ext2

import (
	"fmt"
	"os/exec"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/plantest"
	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// TestKernelMount reads a random image back through the Linux ext2/ext4
// driver, the consumer that matters most. It also catches what e2fsck does
// not check, such as xattr entry order (the kernel's lookup relies on it).
// It needs root and loop devices; without them it skips (fails in CI).
func TestKernelMount(t *testing.T) {
	testtool.Root(t)
	p, ex := newGen(t, 1, 4096).randomPlan(true)
	opts := testOptions(4096)
	opts.Size = Needed(p, opts)
	img := writeImage(t, p, opts)
	mnt := t.TempDir()
	if out, err := exec.Command("mount", "-o", "loop,ro", img, mnt).CombinedOutput(); err != nil {
		testtool.Missing(t, fmt.Sprintf("cannot loop-mount here: %v: %s", err, out))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", mnt).CombinedOutput(); err != nil {
			t.Errorf("umount: %v: %s", err, out)
		}
	})
	plantest.CheckTree(t, mnt, p, plantest.Tree{Owners: true, AllXattrs: true, DirLinks: true,
		Extra: []string{"/lost+found"}, Regions: ex.regions})
}
