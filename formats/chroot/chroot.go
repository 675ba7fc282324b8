// Package chroot writes a Plan as a directory tree. Every file system
// call goes through an os.Root or through a directory descriptor opened
// by one, with a single-component name, so that no entry — however it
// was crafted, even one placed under a symlink planted earlier in the
// plan — can create or change anything outside the output directory.
package chroot

import (
	"fmt"
	"os"
	"path"
	"strings"

	"github.com/supermin-compile/supermin-compile/plan"
)

// Limits are what Linux file systems hold: names of up to 255 bytes
// (NAME_MAX) and symlink targets shorter than PATH_MAX. Paths are not
// limited: every call names one component under an open directory.
// Write does not need plan.Validate to be safe, only to succeed: an
// invalid plan fails part way, having written nothing outside dir.
var Limits = plan.Limits{Format: "chroot", Name: 255, Target: 4095}

// Options says which privileged operations to attempt.
type Options struct {
	Owners   bool // chown every entry to the plan's UID and GID
	Devices  bool // mknod character and block devices
	Progress plan.Progress
}

// DefaultOptions attempts the privileged operations when running as root.
func DefaultOptions() Options {
	root := os.Geteuid() == 0
	return Options{Owners: root, Devices: root}
}

// Report lists what was left out, mostly for want of privileges.
type Report struct {
	SkippedOwners  bool     // some entries kept the writer's uid/gid
	SkippedDevices []string // device nodes not created
	SkippedSockets []string // sockets are never created: nothing could listen on them
	SkippedXattrs  []string // "path: name" for attributes the system refused
}

// Write creates the entries of p inside dir, which must exist (the
// caller makes a temporary directory and renames it into place). On
// error, dir holds a partial tree that the caller should remove.
func Write(dir string, p *plan.Plan, opts Options) (*Report, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("chroot: %w", err)
	}
	defer root.Close()
	w := &writer{root: root, opts: opts, rep: &Report{}}
	defer w.dropParent()
	for i := range p.Entries {
		e := &p.Entries[i]
		if err := w.entry(e); err != nil {
			return w.rep, fmt.Errorf("chroot: writing %s: %w", e.Path, err)
		}
		if e.Type == plan.Regular && e.Size > 0 {
			opts.Progress.Report(e.Size)
		}
	}
	// Directories last and deepest first, as GNU tar does: read-only
	// ones stay writable while being filled, and creating children does
	// not disturb the mtimes already set.
	for i := len(p.Entries) - 1; i >= 0; i-- {
		if e := &p.Entries[i]; e.Type == plan.Dir {
			if err := w.finishDir(e); err != nil {
				return w.rep, fmt.Errorf("chroot: writing %s: %w", e.Path, err)
			}
		}
	}
	return w.rep, nil
}

// checkPath insists on the absolute clean paths the Plan promises, so
// that the last component is a plain name (never "..") and the parent
// is found by os.Root, which refuses to leave dir.
func checkPath(p string) error {
	if !strings.HasPrefix(p, "/") || path.Clean(p) != p || strings.IndexByte(p, 0) >= 0 {
		return fmt.Errorf("%q is not an absolute clean path", p)
	}
	return nil
}

// rel turns a plan path into a name relative to the root.
func rel(p string) string {
	if p == "/" {
		return "."
	}
	return p[1:]
}
