package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/supermin-compile/supermin-compile/builder"
	"github.com/supermin-compile/supermin-compile/lock"
	"github.com/supermin-compile/supermin-compile/manifest"
	"github.com/supermin-compile/supermin-compile/planner"
)

func build(args []string) int {
	fs := flag.NewFlagSet("build", flag.ContinueOnError)
	output := fs.String("o", "", "output `DIR` (default: the manifest's output)")
	format := fs.String("format", "", "ext2, cpio or chroot (default: the manifest's)")
	size := fs.String("size", "", "ext2 image size, e.g. 4G (default: the manifest's)")
	compression := fs.String("compression", "", "cpio compression: none, gzip, xz or zstd")
	ifNewer := fs.Bool("if-newer", false, "skip the build when the output is current")
	lockFile := fs.String("lock", "", "hold a POSIX lock on `FILE` while building")
	locked := fs.Bool("locked", false, "refuse to build what differs from APPLIANCE.lock")
	sbomFile := fs.String("sbom", "", "also write the SPDX 2.3 SBOM to `FILE`")
	force := fs.Bool("force", false, "replace the output even if it is not one that supermin-compile wrote")
	m, code := parse(fs, args)
	if m == nil {
		return code
	}
	if err := override(m, *output, *format, *size, *compression); err != nil {
		return fail(err)
	}
	pins, pinned, err := lockedPins(m, *locked)
	if err != nil {
		return fail(err)
	}
	start, finish := progressBar()
	var inputs []string
	if pinned { // the output is current only while the lock is
		inputs = append(inputs, lock.PathFor(m.Path))
	}
	run, err := builder.Begin(m, builder.Options{Force: *force, Exclusive: *lockFile, Version: version, Progress: start, Inputs: inputs})
	if err != nil {
		return fail(err)
	}
	defer run.End()
	skip := *ifNewer && run.Current()
	var res *planner.Result
	switch {
	case pinned:
		res, err = planner.PlanLocked(m, run.Kernel, pins, !skip)
	case !skip:
		res, err = planner.PlanForBuild(m, run.Kernel)
	case *locked || *sbomFile != "":
		res, err = planner.Plan(m) // what the current output holds
	}
	if err != nil {
		return fail(err)
	}
	if res != nil {
		defer res.Close() // the spooled package and tarball contents
	}
	if *locked {
		if err := checkLock(m, res); err != nil {
			return fail(err)
		}
	}
	s := run.Skipped()
	if !skip {
		s, err = run.Write(res)
		finish()
		if err != nil {
			return fail(err)
		}
	}
	// Side outputs follow the output: a failed build leaves no SBOM of
	// an appliance that never existed.
	if *sbomFile != "" {
		if err := writeSBOM(m, res, *sbomFile); err != nil {
			return fail(err)
		}
	}
	if skip {
		fmt.Fprintf(os.Stderr, "supermin-compile: %s is up to date\n", s.Output)
		return 0
	}
	warn(res)
	for _, n := range s.Notes {
		fmt.Fprintln(os.Stderr, "supermin-compile:", n)
	}
	fmt.Fprintf(os.Stderr, "supermin-compile: %s: %d files, %.1f MiB, %.2f s\n",
		s.Output, s.Files, float64(s.Bytes)/(1<<20), s.Duration.Seconds())
	return 0
}

// lockedPins returns, for build --locked of a repository source, the
// archives its lock file pins: they are built, whatever the repository
// serves now. pinned is false otherwise, and for a lock that records no
// archives, which is checked against a new resolution as before.
func lockedPins(m *manifest.Manifest, locked bool) (pins []planner.Pin, pinned bool, err error) {
	if !locked || !planner.FromRepository(m.Source) {
		return nil, false, nil
	}
	l, err := lock.Read(lock.PathFor(m.Path))
	if err != nil {
		return nil, false, fmt.Errorf("reading the lock file: %w (run 'supermin-compile lock %s')", err, m.Path)
	}
	pins, pinned = l.Pins()
	if !pinned {
		fmt.Fprintf(os.Stderr, "supermin-compile: %s pins no repository files (run 'supermin-compile lock %s' to record them): resolving again\n",
			filepath.Base(lock.PathFor(m.Path)), m.Path)
	}
	return pins, pinned, nil
}

// override applies command-line options over the manifest's, validated
// by the manifest's own rules.
func override(m *manifest.Manifest, output, format, size, compression string) error {
	if output != "" {
		abs, err := filepath.Abs(output)
		if err != nil {
			return err
		}
		m.Output = abs
	}
	return m.Override(format, size, compression)
}
