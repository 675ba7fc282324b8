package builder

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/supermin-compile/supermin-compile/boot/kernel"
	"github.com/supermin-compile/supermin-compile/manifest"
	"github.com/supermin-compile/supermin-compile/plan"
	"github.com/supermin-compile/supermin-compile/planner"
)

// Options steer a build beyond what the manifest says.
type Options struct {
	Force       bool     // replace an output the build does not own (--force)
	Supermin    []string // drop-in: the names supermin writes; a directory of only these may be replaced
	Exclusive   string   // hold a POSIX lock on this file for the whole build (--lock)
	Version     string   // the tool's version (part of the fingerprint)
	Options     []string // options that shape the output (part of the fingerprint)
	Inputs      []string // what the manifest was read from (part of the fingerprint)
	PackageList bool     // add /packagelist, as supermin --include-packagelist
	Log         func(format string, args ...any)
	// Progress, when set, is given the number and total size of the
	// Plan's non-empty regular files before writing starts, and returns
	// what the format reports each file to.
	Progress func(files int, bytes int64) plan.Progress
}

func (o *Options) logf(format string, args ...any) {
	if o.Log != nil {
		o.Log(format, args...)
	}
}

// Summary describes a finished (or skipped) build.
type Summary struct {
	Result   *planner.Result // what was planned; nil when the build was skipped
	Output   string          // the output directory
	Skipped  bool            // --if-newer found the output current
	Files    int             // entries written
	Bytes    int64           // bytes of file data
	Duration time.Duration   //
	Notes    []string        // what the format could not do (e.g. devices without root)
}

// A Run is one build of a manifest's output. Begin takes the --lock file,
// fingerprints the inputs and checks that the output may be replaced;
// the caller then plans the manifest (planner.PlanForBuild with Kernel)
// and Writes the Plan, or skips the build when Current, and Ends the run.
// Whatever must follow the output (an SBOM) goes after Write or Current:
// a failed build then leaves nothing that describes it.
type Run struct {
	Kernel *kernel.Kernel // the kernel that boots the output; nil when it does not boot

	m       *manifest.Manifest
	o       Options
	sum     string // the inputs' fingerprint
	release func() // of the --lock file
	start   time.Time
}

// Begin starts a build of m: nothing is written yet.
func Begin(m *manifest.Manifest, o Options) (_ *Run, err error) {
	r := &Run{m: m, o: o, start: time.Now()}
	if planner.Bootable(m) {
		if r.Kernel, err = planner.FindKernel(m); err != nil {
			return nil, err
		}
	}
	if r.release, err = claim(m.Output, &r.o, ownership(m, &r.o, r.Kernel)); err != nil {
		return nil, err
	}
	if r.sum, err = fingerprint(m, &r.o, r.Kernel); err != nil {
		r.End()
		return nil, err
	}
	return r, nil
}

// claim takes o.Exclusive, then checks that output may be replaced.
func claim(output string, o *Options, own *Ownership) (release func(), err error) {
	release = func() {}
	if o.Exclusive != "" {
		o.logf("acquiring lock on %s", o.Exclusive)
		if release, err = Exclusive(o.Exclusive); err != nil {
			return nil, err
		}
	}
	if err := own.Check(output); err != nil {
		release()
		return nil, err
	}
	return release, nil
}

// End releases the --lock file.
func (r *Run) End() {
	if r.release != nil {
		r.release()
		r.release = nil
	}
}

// Current reports whether the output is complete and was built from the
// same inputs: --if-newer then skips the build.
func (r *Run) Current() bool { return Current(r.m.Output, r.sum, outputs(r.m)) }

// Skipped is the Summary of a build that Current made unnecessary.
func (r *Run) Skipped() *Summary {
	r.o.logf("if-newer: output does not need rebuilding")
	return &Summary{Output: r.m.Output, Skipped: true, Duration: time.Since(r.start)}
}

// Write writes the planned appliance in the manifest's format to its
// output, atomically: the previous output stays until the new one is
// complete, and is then swapped out with its fingerprint.
func (r *Run) Write(res *planner.Result) (*Summary, error) {
	if r.o.PackageList {
		addPackageList(res)
	}
	if err := checkPlan(r.m, res.Plan); err != nil {
		return nil, err
	}
	s := &Summary{Result: res, Output: r.m.Output}
	files := 0
	for _, e := range res.Plan.Entries {
		s.Files++
		s.Bytes += e.Size
		if e.Type == plan.Regular && e.Size > 0 {
			files++
		}
	}
	var progress plan.Progress
	if r.o.Progress != nil {
		progress = r.o.Progress(files, s.Bytes)
	}
	err := writeStaged(r.m.Output, func(dir string) error {
		if err := writeFormat(r.m, res, dir, s, progress); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, FingerprintFile), []byte(r.sum+"\n"), 0o644)
	})
	if err != nil {
		return nil, err
	}
	s.Duration = time.Since(r.start)
	return s, nil
}

// Build runs a whole build: Begin, plan, Write, End; with ifNewer, a
// current output is left alone.
func Build(m *manifest.Manifest, o Options, ifNewer bool) (*Summary, error) {
	r, err := Begin(m, o)
	if err != nil {
		return nil, err
	}
	defer r.End()
	if ifNewer && r.Current() {
		return r.Skipped(), nil
	}
	res, err := planner.PlanForBuild(m, r.Kernel)
	if err != nil {
		return nil, err
	}
	defer res.Close() // the spooled package and tarball contents
	return r.Write(res)
}

// writeStaged has write fill a staging directory for output, then swaps
// it in: output and fingerprint are one unit, so concurrent builds cannot
// leave one's fingerprint on the other's output.
func writeStaged(output string, write func(dir string) error) error {
	st, err := Stage(output)
	if err != nil {
		return fmt.Errorf("preparing %s: %w", output, err)
	}
	if err := write(st.Dir); err != nil {
		st.Abort()
		return &stagedError{err, st.Dir, output}
	}
	if err := st.Commit(); err != nil {
		return fmt.Errorf("replacing %s: %w", output, err)
	}
	return nil
}

// ownership is what the build may replace: the inputs it reads, and what
// the command line allowed.
func ownership(m *manifest.Manifest, o *Options, k *kernel.Kernel) *Ownership {
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
