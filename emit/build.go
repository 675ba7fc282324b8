package emit

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/supermin-compile/supermin-compile/formats/chroot"
	"github.com/supermin-compile/supermin-compile/formats/cpio"
	"github.com/supermin-compile/supermin-compile/formats/ext2"
	"github.com/supermin-compile/supermin-compile/manifest"
	"github.com/supermin-compile/supermin-compile/plan"
)

// Summary describes a finished build.
type Summary struct {
	*Result
	Output   string        // the output directory
	Files    int           // entries written
	Bytes    int64         // bytes of file data
	Duration time.Duration //
	Notes    []string      // what the format could not do (e.g. devices without root)
}

// Build plans the manifest and writes it in its format to m.Output,
// atomically: the previous output stays until the new one is complete.
func Build(m *manifest.Manifest) (*Summary, error) {
	start := time.Now()
	res, err := Plan(m)
	if err != nil {
		return nil, err
	}
	s := &Summary{Result: res, Output: m.Output}
	st, err := Stage(m.Output)
	if err != nil {
		return nil, fmt.Errorf("preparing %s: %w", m.Output, err)
	}
	if err := writeFormat(m, res.Plan, st.Dir, s); err != nil {
		st.Abort()
		return nil, err
	}
	if err := st.Commit(); err != nil {
		st.Abort()
		return nil, fmt.Errorf("replacing %s: %w", m.Output, err)
	}
	for _, e := range res.Plan.Entries {
		s.Files++
		s.Bytes += e.Size
	}
	s.Duration = time.Since(start)
	return s, nil
}

func writeFormat(m *manifest.Manifest, p *plan.Plan, dir string, s *Summary) error {
	switch m.Format {
	case manifest.Ext2:
		if err := writeExt2(m, p, filepath.Join(dir, "root")); err != nil || s.Kernel == nil {
			return err
		}
		return writeBoot(m, s.Kernel, dir)
	case manifest.Cpio:
		return writeCpio(m, p, dir)
	case manifest.Chroot:
		report, err := chroot.Write(dir, p, chroot.DefaultOptions())
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

func writeExt2(m *manifest.Manifest, p *plan.Plan, file string) error {
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	opts := ext2.Options{Size: m.Size}
	if epoch, ok := sourceDateEpoch(); ok {
		opts.Time, opts.UUID = epoch, manifestUUID(m)
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

func writeCpio(m *manifest.Manifest, p *plan.Plan, dir string) error {
	c, err := cpio.ParseCompression(m.Compression)
	if err != nil {
		return err
	}
	file := filepath.Join(dir, "initramfs.cpio"+c.Ext())
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if err := cpio.Write(f, p, c); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", file, err)
	}
	return f.Close()
}

// manifestUUID derives a filesystem UUID from the manifest's bytes, so that
// reproducible builds (SOURCE_DATE_EPOCH set) get the same image.
func manifestUUID(m *manifest.Manifest) [16]byte {
	text, _ := os.ReadFile(m.Path)
	sum := sha256.Sum256(text)
	var u [16]byte
	copy(u[:], sum[:16])
	u[6] = u[6]&0x0f | 0x40 // version 4 layout, as random UUIDs
	u[8] = u[8]&0x3f | 0x80
	return u
}
