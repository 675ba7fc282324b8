package emit

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/supermin-compile/supermin-compile/boot/kernel"
	"github.com/supermin-compile/supermin-compile/formats/chroot"
	"github.com/supermin-compile/supermin-compile/formats/cpio"
	"github.com/supermin-compile/supermin-compile/formats/ext2"
	"github.com/supermin-compile/supermin-compile/internal/smallfile"
	"github.com/supermin-compile/supermin-compile/manifest"
	"github.com/supermin-compile/supermin-compile/plan"
	"github.com/supermin-compile/supermin-compile/resolver/rpm"
)

// BuildOptions steer a build beyond what the manifest says.
type BuildOptions struct {
	IfNewer     bool     // skip the build when the output is current
	Force       bool     // replace an output the build does not own (--force)
	Supermin    []string // drop-in: the names supermin writes; a directory of only these may be replaced
	Lock        string   // hold a POSIX lock on this file for the whole build
	Version     string   // the tool's version (part of the fingerprint)
	Options     []string // options that shape the output (part of the fingerprint)
	Inputs      []string // what the manifest was read from (part of the fingerprint)
	PackageList bool     // add /packagelist, as supermin --include-packagelist
	Log         func(format string, args ...any)
	// Progress, when set, is given the number and total size of the
	// Plan's non-empty regular files before writing starts, and returns
	// what the format reports each file to.
	Progress func(files int, bytes int64) plan.Progress
	// Check, when set, vets the planned appliance before anything is
	// written (build --locked); its error stops the build.
	Check func(*Result) error
}

func (o *BuildOptions) logf(format string, args ...any) {
	if o.Log != nil {
		o.Log(format, args...)
	}
}

// Summary describes a finished (or skipped) build.
type Summary struct {
	*Result
	Output   string        // the output directory
	Skipped  bool          // --if-newer found the output current
	Files    int           // entries written
	Bytes    int64         // bytes of file data
	Duration time.Duration //
	Notes    []string      // what the format could not do (e.g. devices without root)
}

// Build plans the manifest and writes it in its format to m.Output,
// atomically: the previous output stays until the new one is complete.
func Build(m *manifest.Manifest, o BuildOptions) (*Summary, error) {
	start := time.Now()
	if o.Lock != "" {
		o.logf("acquiring lock on %s", o.Lock)
		release, err := Lock(o.Lock)
		if err != nil {
			return nil, err
		}
		defer release()
	}
	sum, k, err := fingerprint(m, &o)
	if err != nil {
		return nil, err
	}
	if err := ownership(m, &o, k).Check(m.Output); err != nil {
		return nil, err
	}
	if o.IfNewer && Current(m.Output, sum, outputs(m)) {
		o.logf("if-newer: output does not need rebuilding")
		return &Summary{Output: m.Output, Skipped: true, Duration: time.Since(start)}, nil
	}
	res, err := planWith(m, k, true)
	if err != nil {
		return nil, err
	}
	defer res.Close() // the spooled package and tarball contents
	if o.PackageList {
		addPackageList(res, Epoch(m))
	}
	if err := checkPlan(m, res.Plan); err != nil {
		return nil, err
	}
	if o.Check != nil {
		if err := o.Check(res); err != nil {
			return nil, err
		}
	}
	s := &Summary{Result: res, Output: m.Output}
	files := 0
	for _, e := range res.Plan.Entries {
		s.Files++
		s.Bytes += e.Size
		if e.Type == plan.Regular && e.Size > 0 {
			files++
		}
	}
	var progress plan.Progress
	if o.Progress != nil {
		progress = o.Progress(files, s.Bytes)
	}
	if err := commit(m, res.Plan, s, sum, progress); err != nil {
		return nil, err
	}
	s.Duration = time.Since(start)
	return s, nil
}

// commit writes the output into a staging directory and swaps it in,
// with its fingerprint inside: output and fingerprint are one unit, so
// concurrent builds cannot leave one's fingerprint on the other's output.
func commit(m *manifest.Manifest, p *plan.Plan, s *Summary, sum string, progress plan.Progress) error {
	st, err := Stage(m.Output)
	if err != nil {
		return fmt.Errorf("preparing %s: %w", m.Output, err)
	}
	err = writeFormat(m, p, st.Dir, s, progress)
	if err == nil {
		err = os.WriteFile(filepath.Join(st.Dir, FingerprintFile), []byte(sum+"\n"), 0o644)
	}
	if err != nil {
		st.Abort()
		return &stagedError{err, st.Dir, m.Output}
	}
	if err := st.Commit(); err != nil {
		return fmt.Errorf("replacing %s: %w", m.Output, err)
	}
	return nil
}

// ownership is what the build may replace: the inputs it reads, and what
// the command line allowed.
func ownership(m *manifest.Manifest, o *BuildOptions, k *kernel.Kernel) *Ownership {
	in := append([]string{m.Path, m.Source.Path}, o.Inputs...)
	in = append(append(in, m.Base...), m.Source.Indexes...)
	for _, f := range m.Files {
		in = append(in, f.Source)
	}
	if k != nil {
		in = append(in, k.Path, k.ModulesDir)
	}
	return &Ownership{Force: o.Force, Supermin: o.Supermin, Inputs: in, Manifest: m.Path}
}

// stagedError names the output in place of its staging directory, which
// is gone by the time the user reads the message.
type stagedError struct {
	err           error
	staged, final string
}

func (e *stagedError) Error() string { return strings.ReplaceAll(e.err.Error(), e.staged, e.final) }
func (e *stagedError) Unwrap() error { return e.err }

// fingerprint hashes the build's inputs: the manifest or supermin.d, the
// files it names, the package database, the kernel and its modules. It
// returns the kernel it found too, for the Plan.
func fingerprint(m *manifest.Manifest, o *BuildOptions) (string, *kernel.Kernel, error) {
	f := NewFingerprint(o.Version, append(o.Options, fmt.Sprint(m.Format, m.Size, m.Compression, m.Kernel, o.PackageList))...)
	inputs := append([]string{}, o.Inputs...)
	if m.Path != "" {
		inputs = append(inputs, m.Path)
	}
	inputs = append(inputs, m.Base...)
	for _, file := range m.Files {
		if file.Source != "" {
			inputs = append(inputs, file.Source)
		}
	}
	for _, in := range inputs {
		if err := f.AddInput(in); err != nil {
			return "", nil, fmt.Errorf("fingerprint: %w", err)
		}
	}
	root := m.Source.Root
	f.AddStat(filepath.Join(root, "var/lib/dpkg/status"), filepath.Join(root, "var/lib/dpkg/diversions"))
	for _, db := range rpm.DBPaths {
		f.AddStat(filepath.Join(root, db))
	}
	f.AddStat(m.Source.Indexes...)
	switch {
	case m.Source.Type == "rpmdb": // path is a database file or a root: no tree to walk
		f.AddStat(m.Source.Path)
		for _, db := range rpm.DBPaths {
			f.AddStat(filepath.Join(m.Source.Path, db))
		}
	case m.Source.Path != "":
		if err := f.AddTree(m.Source.Path); err != nil {
			return "", nil, fmt.Errorf("fingerprint: %w", err)
		}
	}
	var k *kernel.Kernel
	if bootable(m) {
		var err error
		if k, err = findKernel(m); err != nil {
			return "", nil, err
		}
		f.AddStat(k.Path, filepath.Join(k.ModulesDir, "modules.dep"))
	}
	return f.Sum(), k, nil
}

// outputs lists the files a complete output directory holds.
func outputs(m *manifest.Manifest) []string {
	switch {
	case bootable(m):
		return []string{"kernel", "initrd", "root"}
	case m.Format == manifest.Ext2:
		return []string{"root"}
	case m.Format == manifest.Cpio:
		c, _ := cpio.ParseCompression(m.Compression)
		return []string{"initramfs.cpio" + c.Ext()}
	}
	return nil
}

// addPackageList adds /packagelist: name_version_arch of every package,
// sorted, as supermin --include-packagelist writes it.
func addPackageList(res *Result, mtime time.Time) {
	var b strings.Builder
	for _, p := range res.Resolved.Packages {
		fmt.Fprintf(&b, "%s_%s_%s\n", p.Name, p.Version, p.Arch)
	}
	res.Plan.Entries = append(res.Plan.Entries, plan.Entry{Path: "/packagelist", Type: plan.Regular, Mode: 0o644,
		Size: int64(b.Len()), Src: plan.Bytes(b.String()), MTime: mtime, Origin: "packagelist"})
	plan.Sort(res.Plan.Entries)
}

func writeFormat(m *manifest.Manifest, p *plan.Plan, dir string, s *Summary, progress plan.Progress) error {
	switch m.Format {
	case manifest.Ext2:
		if err := writeExt2(m, p, filepath.Join(dir, "root"), progress); err != nil || s.Kernel == nil {
			return err
		}
		return writeBoot(m, s.Kernel, dir)
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

func writeExt2(m *manifest.Manifest, p *plan.Plan, file string, progress plan.Progress) error {
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	opts := ext2.Options{Size: m.Size, Progress: progress}
	if epoch, ok := ReproducibleEpoch(m); ok {
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

// manifestUUID derives a filesystem UUID from the manifest's bytes, so that
// reproducible builds (SOURCE_DATE_EPOCH set) get the same image.
func manifestUUID(m *manifest.Manifest) [16]byte {
	text, _ := smallfile.Read(m.Path, manifest.MaxSize)
	sum := sha256.Sum256(text)
	var u [16]byte
	copy(u[:], sum[:16])
	u[6] = u[6]&0x0f | 0x40 // version 4 layout, as random UUIDs
	u[8] = u[8]&0x3f | 0x80
	return u
}
