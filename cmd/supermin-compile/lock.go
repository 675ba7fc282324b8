package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/supermin-compile/supermin-compile/lock"
	"github.com/supermin-compile/supermin-compile/manifest"
	"github.com/supermin-compile/supermin-compile/planner"
)

// errDrift is returned when the lock file does not match the manifest.
var errDrift = errors.New("drift")

// lockCmd writes APPLIANCE.lock, or with --check reports drift (exit 1).
func lockCmd(args []string) int {
	fs := flag.NewFlagSet("lock", flag.ContinueOnError)
	check := fs.Bool("check", false, "only report drift; exit 1 when the lock is out of date")
	asJSON := fs.Bool("json", false, "with --check, print the drift as JSON")
	m, res, code := planned(fs, args)
	if res == nil {
		return code
	}
	if *asJSON && !*check {
		return usageError("lock: --json needs --check")
	}
	if *check {
		if err := checkLockAs(m, res, *asJSON); err != nil {
			return fail(err)
		}
		return 0
	}
	cur, err := lock.FromBuild(m, res, version)
	if err != nil {
		return fail(err)
	}
	if err := writeAtomic(lock.PathFor(m.Path), cur.Write); err != nil {
		return fail(err)
	}
	fmt.Fprintf(os.Stderr, "supermin-compile: wrote %s: %d packages, %d host files\n",
		lock.PathFor(m.Path), len(cur.Packages), len(cur.Hostfiles))
	return 0
}

// checkLock compares what the manifest resolves to with its lock file and
// prints the difference.
func checkLock(m *manifest.Manifest, res *planner.Result) error {
	return checkLockAs(m, res, false)
}

// checkLockAs is checkLock; asJSON prints the difference on stdout as a
// LockCheckJSON, even when there is none.
func checkLockAs(m *manifest.Manifest, res *planner.Result, asJSON bool) error {
	file := lock.PathFor(m.Path)
	old, err := lock.Read(file)
	if err != nil {
		return fmt.Errorf("reading the lock file: %w (run 'supermin-compile lock %s')", err, m.Path)
	}
	cur, err := lock.FromBuild(m, res, version)
	if err != nil {
		return err
	}
	drift := lock.Drift(old, cur)
	if asJSON {
		if err := writeJSON(LockCheckJSON{Lock: file, Drift: append([]lock.Change{}, drift...)}); err != nil {
			return err
		}
	}
	if len(drift) == 0 {
		return nil
	}
	if !asJSON {
		fmt.Fprintf(os.Stderr, "supermin-compile: %s does not match what %s resolves to now:\n", filepath.Base(file), filepath.Base(m.Path))
		for _, c := range drift {
			fmt.Fprintln(os.Stderr, c)
		}
	}
	return fmt.Errorf("%w: %d differences; run 'supermin-compile lock %s' to accept them", errDrift, len(drift), m.Path)
}

// writeAtomic replaces file with what write writes, through a temporary
// sibling, so that a failure leaves the old file whole.
func writeAtomic(file string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(file), "."+filepath.Base(file)+".tmp-")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), file)
}
