package builder

import (
	"github.com/supermin-compile/supermin-compile/formats/chroot"
	"github.com/supermin-compile/supermin-compile/formats/cpio"
	"github.com/supermin-compile/supermin-compile/formats/ext2"
	"github.com/supermin-compile/supermin-compile/manifest"
	"github.com/supermin-compile/supermin-compile/plan"
)

// checkPlan validates the Plan once, against the limits of m's format,
// before anything is staged or written: every format then gets a Plan
// it can hold, and the user one set of messages whatever the format.
func checkPlan(m *manifest.Manifest, p *plan.Plan) error {
	limits := map[manifest.Format]plan.Limits{manifest.Ext2: ext2.Limits, manifest.Cpio: cpio.Limits, manifest.Chroot: chroot.Limits}
	return plan.Validate(p, limits[m.Format])
}
