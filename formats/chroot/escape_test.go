package chroot

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/supermin-compile/supermin-compile/plan"
)

// sentinel makes SENTINEL/a/b/out with a file SENTINEL/secret, so that
// "../../.." from inside out reaches SENTINEL. It returns the output
// directory and a snapshot function of everything outside it.
func sentinel(t testing.TB) (out string, snap func() string) {
	s := t.TempDir()
	out = filepath.Join(s, "a", "b", "out")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(s, "secret"), []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	return out, func() string { return listing(t, s, out) }
}

// listing describes every file under dir except skip: name, mode,
// size, link count and mtime, enough to see any change.
func listing(t testing.TB, dir, skip string) string {
	var b strings.Builder
	filepath.WalkDir(dir, func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		if name == skip {
			return filepath.SkipDir
		}
		fi, err := d.Info()
		if err != nil {
			t.Fatal(err)
		}
		st := fi.Sys().(*syscall.Stat_t)
		fmt.Fprintf(&b, "%s %v %d %d:%d %d %d\n", name, fi.Mode(), fi.Size(), st.Uid, st.Gid, st.Nlink, fi.ModTime().UnixNano())
		return nil
	})
	return b.String()
}

func ent(p string, t plan.Type, link string) plan.Entry {
	e := plan.Entry{Path: p, Type: t, Link: link, Mode: 0o755, MTime: time.Unix(1e9, 0)}
	if t == plan.Regular {
		e.Mode, e.Size, e.Src = 0o755|fs.ModeSetuid, 5, plan.Bytes("owned")
	}
	if t == plan.Symlink {
		e.Mode = 0o777
	}
	return e
}

func rootPlan(es ...plan.Entry) *plan.Plan {
	return &plan.Plan{Entries: append([]plan.Entry{ent("/", plan.Dir, "")}, es...)}
}

// TestEscapes: entries placed under symlinks that leave the tree fail,
// and nothing outside the output directory changes.
func TestEscapes(t *testing.T) {
	cases := map[string]*plan.Plan{
		"absolute symlink parent": rootPlan(ent("/evil", plan.Symlink, "/"), ent("/evil/escaped", plan.Regular, "")),
		"relative symlink parent": rootPlan(ent("/evil", plan.Symlink, "../../.."), ent("/evil/escaped", plan.Regular, "")),
		"dir under symlink":       rootPlan(ent("/evil", plan.Symlink, "../../.."), ent("/evil/d", plan.Dir, "")),
		"fifo under symlink":      rootPlan(ent("/evil", plan.Symlink, "../../.."), ent("/evil/p", plan.FIFO, "")),
		"symlink under symlink":   rootPlan(ent("/evil", plan.Symlink, "../../.."), ent("/evil/l", plan.Symlink, "x")),
		"link under symlink":      rootPlan(ent("/f", plan.Regular, ""), ent("/evil", plan.Symlink, "../../.."), ent("/evil/h", plan.Hardlink, "/f")),
		"link target outside":     rootPlan(ent("/evil", plan.Symlink, "../../.."), ent("/h", plan.Hardlink, "/evil/secret")),
		"link target absolute":    rootPlan(ent("/evil", plan.Symlink, "/"), ent("/h", plan.Hardlink, "/evil/etc/passwd")),
		"deep relative":           rootPlan(ent("/d", plan.Dir, ""), ent("/d/evil", plan.Symlink, "../../../.."), ent("/d/evil/escaped", plan.Regular, "")),
	}
	for name, p := range cases {
		t.Run(name, func(t *testing.T) {
			out, snap := sentinel(t)
			before := snap()
			_, err := Write(out, p, DefaultOptions())
			if err == nil {
				t.Errorf("no error")
			} else {
				t.Log(err)
			}
			if after := snap(); after != before {
				t.Errorf("outside changed:\n%s\nbefore:\n%s", after, before)
			}
			if _, err := os.Lstat("/escaped"); err == nil {
				t.Errorf("/escaped exists")
			}
		})
	}
}

// TestReplaceSymlink: a later entry at a symlink's path replaces the
// symlink rather than writing through it.
func TestReplaceSymlink(t *testing.T) {
	cases := map[string]*plan.Plan{
		"by dir": rootPlan(ent("/evil", plan.Symlink, "../../.."), ent("/evil", plan.Dir, ""),
			ent("/evil/inside", plan.Regular, "")),
		"by file":    rootPlan(ent("/evil", plan.Symlink, "../../../secret"), ent("/evil", plan.Regular, "")),
		"by fifo":    rootPlan(ent("/evil", plan.Symlink, "../../../secret"), ent("/evil", plan.FIFO, "")),
		"by symlink": rootPlan(ent("/evil", plan.Symlink, "../../../secret"), ent("/evil", plan.Symlink, "ok")),
		"link to symlink": rootPlan(ent("/evil", plan.Symlink, "../../../secret"), ent("/h", plan.Hardlink, "/evil"),
			ent("/h2", plan.Hardlink, "/h")),
	}
	for name, p := range cases {
		t.Run(name, func(t *testing.T) {
			out, snap := sentinel(t)
			before := snap()
			if _, err := Write(out, p, DefaultOptions()); err != nil {
				t.Fatal(err)
			}
			if after := snap(); after != before {
				t.Errorf("outside changed:\n%s\nbefore:\n%s", after, before)
			}
			last := p.Entries[len(p.Entries)-1]
			fi, err := os.Lstat(filepath.Join(out, last.Path))
			if err != nil {
				t.Fatal(err)
			}
			if want := map[plan.Type]fs.FileMode{plan.Regular: 0, plan.FIFO: fs.ModeNamedPipe,
				plan.Symlink: fs.ModeSymlink, plan.Hardlink: fs.ModeSymlink}[last.Type]; fi.Mode().Type() != want {
				t.Errorf("%s is %v", last.Path, fi.Mode())
			}
		})
	}
}

// TestInRootSymlinks: merged-/usr style links inside the tree are
// followed, for files, directories and hard link targets.
func TestInRootSymlinks(t *testing.T) {
	d := ent("/lib/d", plan.Dir, "")
	d.Mode = 0o500
	// Not in path order: /usr/lib must exist before /lib/* can go through it.
	p := rootPlan(ent("/usr", plan.Dir, ""), ent("/usr/lib", plan.Dir, ""), ent("/lib", plan.Symlink, "usr/lib"),
		d, ent("/lib/x", plan.Regular, ""), ent("/usr/lib/y", plan.Hardlink, "/lib/x"))
	out, _ := sentinel(t)
	if _, err := Write(out, p, DefaultOptions()); err != nil {
		t.Fatal(err)
	}
	for name, mode := range map[string]fs.FileMode{"usr/lib/x": 0o755 | fs.ModeSetuid, "usr/lib/y": 0o755 | fs.ModeSetuid, "usr/lib/d": 0o500 | fs.ModeDir} {
		if fi, err := os.Lstat(filepath.Join(out, name)); err != nil || fi.Mode() != mode {
			t.Errorf("%s: %v %v", name, fi, err)
		}
	}
}
