package ext2

import (
	"fmt"
	"os/exec"
	"slices"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/plantest"
	"github.com/supermin-compile/supermin-compile/internal/testtool"
	"github.com/supermin-compile/supermin-compile/plan"
)

// TestKernelMount reads a random image back through the Linux ext2/ext4
// driver, the consumer that matters most. It also catches what e2fsck does
// not check, such as xattr entry order (the kernel's lookup relies on it).
// It needs root and loop devices; without them it skips (fails in CI).
func TestKernelMount(t *testing.T) {
	testtool.Root(t)
	p, ex := newGen(t, 1, 4096).randomPlan(true)
	mnt := mount(t, p)
	plantest.CheckTree(t, mnt, p, plantest.Tree{Owners: true, AllXattrs: true, DirLinks: true,
		Extra: []string{"/lost+found"}, Regions: ex.regions})
}

// TestTarOracle: the kernel reads, from the image of a random plan
// whose hard links sort before and after the name the tar gives the
// data to, the tree GNU tar extracts from the tar of the plan.
func TestTarOracle(t *testing.T) {
	for seed := range uint64(3) {
		// Whole seconds: the image keeps no nanoseconds.
		raw := plantest.Random(t, seed+300, 200, plantest.Caps{Xattrs: true, Epoch32: true})
		oracle := t.TempDir()
		sockets := plantest.ExtractTar(t, raw, oracle)
		plantest.CheckTree(t, oracle, raw, plantest.Tree{Skipped: sockets, Owners: true, AllXattrs: true})

		p := &plan.Plan{Entries: slices.Clone(raw.Entries)}
		plan.NormalizeLinks(p)
		mnt := mount(t, p)
		plantest.CheckTree(t, mnt, raw, plantest.Tree{Owners: true, AllXattrs: true, DirLinks: true, Extra: []string{"/lost+found"}})
	}
}

// mount writes p to an image of the size it needs, checks it with
// e2fsck and mounts it read-only; it skips without loop devices.
func mount(t *testing.T, p *plan.Plan) string {
	t.Helper()
	testtool.Need(t, "e2fsck")
	opts := testOptions(4096)
	opts.Size = Needed(p, opts)
	img := writeImage(t, p, opts)
	fsck(t, img)
	mnt := t.TempDir()
	if out, err := exec.Command("mount", "-o", "loop,ro", img, mnt).CombinedOutput(); err != nil {
		testtool.Unavailable(t, fmt.Sprintf("cannot loop-mount here: %v: %s", err, out))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", mnt).CombinedOutput(); err != nil {
			t.Errorf("umount: %v: %s", err, out)
		}
	})
	return mnt
}
