package builder

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/supermin-compile/supermin-compile/formats/chroot"
	"github.com/supermin-compile/supermin-compile/formats/cpio"
	"github.com/supermin-compile/supermin-compile/formats/ext2"
	"github.com/supermin-compile/supermin-compile/manifest"
	"github.com/supermin-compile/supermin-compile/plan"
	"github.com/supermin-compile/supermin-compile/planner"
)

// addPackageList adds /packagelist: name_version_arch of every package,
// sorted, as supermin --include-packagelist writes it.
func addPackageList(res *planner.Result) {
	var b strings.Builder
	for _, p := range res.Resolved.Packages {
		fmt.Fprintf(&b, "%s_%s_%s\n", p.Name, p.Version, p.Arch)
	}
	res.Plan.Entries = append(res.Plan.Entries, plan.Entry{Path: "/packagelist", Type: plan.Regular, Mode: 0o644,
		Size: int64(b.Len()), Src: plan.Bytes(b.String()), MTime: res.Clock.Epoch, Origin: plan.FromPackageList})
	plan.Sort(res.Plan.Entries)
}

// writeFormat writes the Plan in the manifest's format into dir.
func writeFormat(m *manifest.Manifest, res *planner.Result, dir string, s *Summary, progress plan.Progress) error {
	p := res.Plan
	switch m.Format {
	case manifest.Ext2:
		if err := writeExt2(m, p, res.Clock, filepath.Join(dir, "root"), progress); err != nil || res.Kernel == nil {
			return err
		}
		return writeBoot(m, res.Kernel, res.Clock, dir)
	case manifest.Cpio:
		return writeCpio(m, p, dir, progress)
	case manifest.Chroot:
		opts := chroot.DefaultOptions()
		opts.Progress = progress
		report, err := chroot.Write(dir, p, opts)
		if err != nil {
			return err
		}
		if report.SkippedOwners {
			s.Notes = append(s.Notes, "not root: file owners were not set")
		}
		if n := len(report.SkippedDevices); n > 0 {
			s.Notes = append(s.Notes, fmt.Sprintf("not root: %d device nodes were skipped: %v", n, report.SkippedDevices))
		}
		return nil
	}
	return fmt.Errorf("unknown format %q", m.Format)
}

func writeExt2(m *manifest.Manifest, p *plan.Plan, clock planner.Clock, file string, progress plan.Progress) error {
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	opts := ext2.Options{Size: m.Size, Progress: progress}
	if clock.Reproducible {
		opts.Time, opts.UUID = clock.Epoch, clock.UUID
	}
	if err := ext2.Write(f, p, opts); err != nil {
		f.Close()
		if errors.Is(err, ext2.ErrTooSmall) {
			return fmt.Errorf("%s: size: %w", m.Path, err)
		}
		return fmt.Errorf("writing %s: %w", file, err)
	}
	return f.Close()
}

func writeCpio(m *manifest.Manifest, p *plan.Plan, dir string, progress plan.Progress) error {
	c, err := cpio.ParseCompression(m.Compression)
	if err != nil {
		return err
	}
	file := filepath.Join(dir, "initramfs.cpio"+c.Ext())
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if err := cpio.WriteProgress(f, p, c, progress); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", file, err)
	}
	return f.Close()
}
