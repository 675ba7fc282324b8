package planner

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/supermin-compile/supermin-compile/globber"
	"github.com/supermin-compile/supermin-compile/internal/parallel"
	"github.com/supermin-compile/supermin-compile/internal/rootfs"
	"github.com/supermin-compile/supermin-compile/manifest"
	"github.com/supermin-compile/supermin-compile/plan"
	"github.com/supermin-compile/supermin-compile/resolver"
	"github.com/supermin-compile/supermin-compile/resolver/rpm"
)

// AbsentFiles counts paths that a package lists but the host does not
// have (dpkg path-exclude, or files removed by hand); they are skipped, as
// supermin skips them.
type AbsentFiles struct {
	Count int
	First []string // up to 10, for messages
}

func (m *AbsentFiles) add(p string) {
	m.Count++
	if len(m.First) < 10 {
		m.First = append(m.First, p)
	}
}

// Unreadable lists the host paths a build may not read: regular files it
// cannot open, directories it cannot list, paths below a directory it
// cannot search. Planning finds them all, before anything is written, so
// that one error can name them all, or, with `unreadable = "skip"`, so
// that they are left out, as supermin leaves them out.
type Unreadable []*fs.PathError

// addDenied records err and reports true when it is a permission error.
func (u *Unreadable) addDenied(err error) bool {
	var pe *fs.PathError
	if !errors.Is(err, fs.ErrPermission) || !errors.As(err, &pe) {
		return false
	}
	*u = append(*u, pe)
	return true
}

// sort orders the paths and keeps each once (a package file can be a
// hostfile too).
func (u *Unreadable) sort() {
	slices.SortFunc(*u, func(a, b *fs.PathError) int { return strings.Compare(a.Path, b.Path) })
	*u = slices.CompactFunc(*u, func(a, b *fs.PathError) bool { return a.Path == b.Path })
}

// errorFor is the one error that names every path, a directory with a
// trailing "/", and says how to build without them.
func (u Unreadable) errorFor(manifestPath string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "cannot read %d host paths; to build without them, set unreadable = \"skip\" in %s", len(u), manifestPath)
	for _, e := range u {
		p := e.Path
		if e.Op == "list" {
			p += "/"
		}
		fmt.Fprintf(&b, "\n  %s: %v", p, e.Err)
	}
	return errors.New(b.String())
}

// openable opens a regular host file and closes it. An open is the one
// check that answers as the format's copy will: ACLs, capabilities, LSMs
// and a setuid caller's effective ids included, which access(2) does not
// all see. O_NONBLOCK keeps a file swapped for a FIFO since the lstat from
// hanging the build, O_NOFOLLOW one swapped for a symlink from being read.
func openable(p string) *fs.PathError {
	fd, err := unix.Open(p, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return &fs.PathError{Op: "open", Path: p, Err: err}
	}
	unix.Close(fd)
	return nil
}

// Excluder says which paths to leave out.
type Excluder interface{ Excluded(path string) bool }

// PackageLayer describes the files of the resolved packages from the host,
// minus excluded paths, and minus configuration files (SuperminConfig)
// when dropConfig is set, as supermin takes those from its base
// tarball. Files the host lacks are counted in absent; files it may not
// read are left out and listed in unreadable.
func PackageLayer(u resolver.Universe, pkgs []*resolver.Package, ex Excluder, dropConfig bool, absent *AbsentFiles, unreadable *Unreadable) (Layer, error) {
	if au, ok := u.(resolver.ArchiveUniverse); ok {
		return archiveLayer(au, pkgs, ex)
	}
	_, onRpm := u.(*rpm.DB)
	var l Layer
	tree := installedTree(u)
	for _, p := range pkgs {
		files, err := u.Files(p)
		if err != nil {
			return nil, fmt.Errorf("file list of %s: %w", p.Name, err)
		}
		for _, f := range files {
			if ex.Excluded(f.Path) {
				continue
			}
			e, hp, err := installedEntry(tree, f, plan.FromPackage(p.Name))
			if unreadable.addDenied(err) {
				continue
			}
			if err != nil {
				absent.add(f.HostPath)
				continue
			}
			if dropConfig && SuperminConfig(onRpm, f, e.Type) {
				continue
			}
			if !readable(e, hp, unreadable) {
				continue
			}
			e.Path = f.Path
			l = append(l, e)
		}
	}
	return l, nil
}

// installedTree is the root an installed database's files are looked up
// in, as a chroot would see them; nil for the build host's own root, where
// the kernel's lookup of HostPath is the same thing.
func installedTree(u resolver.Universe) *rootfs.Tree {
	if r, ok := u.(resolver.RootedUniverse); ok && path.Clean(r.Root()) != "/" {
		return rootfs.New(r.Root())
	}
	return nil
}

// installedEntry describes installed file f by lstat, and says where it
// found it: at its HostPath, or at its Path inside tree, so that a link in
// the root (its /var/run -> /run, even written /run) never leads out of it.
func installedEntry(tree *rootfs.Tree, f resolver.File, origin plan.Origin) (plan.Entry, string, error) {
	hp := f.HostPath
	if tree != nil {
		var err error
		if hp, err = tree.Lpath(f.Path); err != nil {
			return plan.Entry{}, "", err
		}
	}
	e, err := hostEntry(path.Join("/", hp), f.Path, origin)
	return e, hp, err
}

// SuperminConfig says whether supermin's driver counts f, of type t on
// the host, as a configuration file, which its --prepare puts in
// base.tar.gz and its --build takes from there: on an rpm host, a file
// the header flags %config (RPMFILE_CONFIG), wherever it is; on a dpkg
// host, a regular file under /etc/ (dpkg's conffiles are not consulted).
func SuperminConfig(onRpm bool, f resolver.File, t plan.Type) bool {
	if onRpm {
		return f.Conffile
	}
	return t == plan.Regular && strings.HasPrefix(f.Path, "/etc/")
}

// archiveLayer describes the files of packages that come from archives,
// minus excluded paths.
// Listing an archive means decompressing it, so packages are listed in
// parallel; the layer keeps package order.
func archiveLayer(u resolver.ArchiveUniverse, pkgs []*resolver.Package, ex Excluder) (Layer, error) {
	lists := make([][]plan.Entry, len(pkgs))
	err := parallel.For(len(pkgs), 0, func(i int) error {
		var err error
		if lists[i], err = u.Entries(pkgs[i]); err != nil {
			return fmt.Errorf("files of %s: %w", pkgs[i].Name, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var l Layer
	for i, p := range pkgs {
		for _, e := range lists[i] {
			if !ex.Excluded(e.Path) {
				e.Origin = plan.FromPackage(p.Name)
				l = append(l, e)
			}
		}
	}
	return l, nil
}

// HostLayer describes globbed host files (already expanded), minus
// excluded paths; files it may not read are left out and listed in
// unreadable.
func HostLayer(root string, matches []globber.Match, ex Excluder, unreadable *Unreadable) (Layer, error) {
	var l Layer
	for _, m := range matches {
		if ex.Excluded(m.Path) {
			continue
		}
		e, err := HostEntry(root, m.Path, plan.FromHost)
		if errors.Is(err, fs.ErrNotExist) {
			continue // vanished since the glob
		}
		if unreadable.addDenied(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if readable(e, path.Join(root, m.Path), unreadable) {
			l = append(l, e)
		}
	}
	return l, nil
}

// readable reports whether the format will be able to read entry e's
// data from host file hp, else lists it in unreadable.
func readable(e plan.Entry, hp string, unreadable *Unreadable) bool {
	if e.Type != plan.Regular {
		return true
	}
	if err := openable(hp); err != nil {
		*unreadable = append(*unreadable, err)
		return false
	}
	return true
}

// InlineLayer describes the manifest's [[file]] entries.
func InlineLayer(files []manifest.File, mtime time.Time) (Layer, error) {
	var l Layer
	for _, f := range files {
		e := plan.Entry{Path: f.Path, Mode: f.Mode, UID: f.UID, GID: f.GID, MTime: mtime, Origin: plan.FromInline}
		switch {
		case f.Dir:
			e.Type = plan.Dir
		case f.Symlink != "":
			e.Type, e.Link = plan.Symlink, f.Symlink
		case f.Source != "":
			fi, err := os.Stat(f.Source)
			if err != nil {
				return nil, fmt.Errorf("file %s: %w", f.Path, err)
			}
			if !fi.Mode().IsRegular() {
				return nil, fmt.Errorf("file %s: source %s is not a regular file", f.Path, f.Source)
			}
			e.Type, e.Size, e.Src = plan.Regular, fi.Size(), plan.HostFile(f.Source)
		default:
			e.Type, e.Size, e.Src = plan.Regular, int64(len(f.Content)), plan.Bytes(f.Content)
		}
		l = append(l, e)
	}
	return l, nil
}
