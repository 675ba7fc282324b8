package builder

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/supermin-compile/supermin-compile/internal/outdir"
)

// Ownership says what a build may replace at its output path. A build
// replaces only an output it owns: nothing, an empty directory, a
// directory that holds our marker (FingerprintFile, written with the
// output and swapped with it), or, for the supermin drop-in, a directory
// holding nothing but what supermin writes in that mode. Force, which
// only the command line sets, overrules that, but never the paths that
// no build may replace (see Forbidden).
type Ownership struct {
	Force    bool     // --force: replace what is not ours
	Supermin []string // drop-in: the names supermin writes in this mode
	Inputs   []string // what the build reads: an output may not contain them
	Manifest string   // the manifest: its directory and ancestors are never replaced
}

// NotOursError says that the output path holds something the build did
// not create.
type NotOursError struct {
	Path string
	What string // "a regular file", "a directory that holds a, b/ and 3 more"
}

func (e *NotOursError) Error() string {
	return fmt.Sprintf("refusing to replace %s: it is %s, not an output of supermin-compile; remove it yourself, choose another output, or pass --force to replace it", e.Path, e.What)
}

// Check refuses an output path the build may not replace, before any
// work starts.
func (o *Ownership) Check(output string) error {
	if err := o.forbidden(output); err != nil {
		return err
	}
	if o.Force {
		return nil
	}
	return o.owned(output)
}

// forbidden refuses what no build may replace, even with --force: "/",
// the user's home, the current directory, the manifest's directory, any
// of their ancestors, and any directory that contains an input.
func (o *Ownership) forbidden(output string) error {
	out := outdir.Canonical(output)
	if out == "/" {
		return fmt.Errorf("the output cannot be /: a build replaces its output directory as a whole, and / is never replaced")
	}
	guard := func(p, what string) error {
		if p == "" || !outdir.Within(outdir.Canonical(p), out) {
			return nil
		}
		rel := "is"
		if outdir.Canonical(p) != out {
			rel = "holds"
		}
		return fmt.Errorf("refusing to replace %s: it %s %s (%s), which no build may replace, even with --force", output, rel, what, p)
	}
	var checks [][2]string
	if o.Manifest != "" {
		checks = append(checks, [2]string{filepath.Dir(o.Manifest), "the manifest's directory"})
	}
	for _, in := range o.Inputs {
		checks = append(checks, [2]string{in, "an input of the build"})
	}
	home, _ := os.UserHomeDir()
	cwd, _ := os.Getwd()
	checks = append(checks, [2]string{home, "your home directory"}, [2]string{cwd, "the current directory"})
	for _, c := range checks {
		if err := guard(c[0], c[1]); err != nil {
			return err
		}
		if real, err := filepath.EvalSymlinks(c[0]); err == nil {
			if err := guard(real, c[1]); err != nil {
				return err
			}
		}
	}
	return nil
}

// owned refuses an existing output that the build did not create.
func (o *Ownership) owned(output string) error {
	for try := 0; ; try++ {
		err := o.ownedOnce(output)
		// A concurrent build of ours swapped the directory out and
		// removed it while it was being read: look again at what is
		// there now.
		if !errors.Is(err, errReplaced) || try == 10 {
			return err
		}
	}
}

var errReplaced = errors.New("replaced while it was being read")

func (o *Ownership) ownedOnce(output string) error {
	fi, err := os.Lstat(output)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return &NotOursError{output, describeMode(fi.Mode())}
	}
	entries, err := os.ReadDir(output)
	if errors.Is(err, fs.ErrNotExist) {
		err = errReplaced
	}
	if err != nil {
		return fmt.Errorf("checking what %s holds: %w", output, err)
	}
	if len(entries) == 0 || hasMarker(output, entries) {
		return nil
	}
	if o.Supermin != nil && onlyNames(entries, o.Supermin) {
		return nil
	}
	return &NotOursError{output, "a directory that holds " + listEntries(entries)}
}

// hasMarker reports whether an output directory was written by us: it
// holds the fingerprint, or, for a chroot built before the fingerprint
// moved inside, has the hidden sibling that earlier versions wrote.
func hasMarker(dir string, entries []fs.DirEntry) bool {
	for _, e := range entries {
		if e.Name() == FingerprintFile && e.Type().IsRegular() {
			return true
		}
	}
	_, err := os.Lstat(oldChrootFingerprint(dir))
	return err == nil
}

// oldChrootFingerprint is where versions before the marker kept a
// chroot's fingerprint: a hidden sibling of the output.
func oldChrootFingerprint(output string) string {
	return filepath.Join(filepath.Dir(output), "."+filepath.Base(output)+FingerprintFile)
}

func onlyNames(entries []fs.DirEntry, names []string) bool {
	for _, e := range entries {
		if !slices.Contains(names, e.Name()) {
			return false
		}
	}
	return true
}

// listEntries names up to four entries ("a", "b/" for a directory) and
// counts the rest.
func listEntries(entries []fs.DirEntry) string {
	var names []string
	for _, e := range entries[:min(len(entries), 4)] {
		n := fmt.Sprintf("%q", e.Name())
		if e.IsDir() {
			n = fmt.Sprintf("%q", e.Name()+"/")
		}
		names = append(names, n)
	}
	if rest := len(entries) - len(names); rest > 0 {
		return strings.Join(names, ", ") + fmt.Sprintf(" and %d more", rest)
	}
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

func describeMode(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m.IsRegular():
		return "a regular file"
	}
	return "a special file (" + m.Type().String() + ")"
}
