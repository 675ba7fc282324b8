package emit

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/supermin-compile/supermin-compile/globber"
	"github.com/supermin-compile/supermin-compile/manifest"
	"github.com/supermin-compile/supermin-compile/plan"
	"github.com/supermin-compile/supermin-compile/resolver"
)

// Missing counts paths that a package lists but the host does not have
// (dpkg path-exclude, or files removed by hand); they are skipped, as
// supermin skips them.
type Missing struct {
	Count int
	First []string // up to 10, for messages
}

func (m *Missing) add(p string) {
	m.Count++
	if len(m.First) < 10 {
		m.First = append(m.First, p)
	}
}

// Excluder says which paths to leave out.
type Excluder interface{ Excluded(path string) bool }

// PackageLayer describes the files of the resolved packages from the host,
// minus excluded paths, and minus configuration files (regular files under
// /etc/) when dropConfig is set, as supermin takes those from its base
// tarball.
func PackageLayer(u resolver.Universe, pkgs []*resolver.Package, ex Excluder, dropConfig bool, missing *Missing) (Layer, error) {
	if au, ok := u.(resolver.ArchiveUniverse); ok {
		return archiveLayer(au, pkgs, ex)
	}
	var l Layer
	for _, p := range pkgs {
		files, err := u.Files(p)
		if err != nil {
			return nil, fmt.Errorf("file list of %s: %w", p.Name, err)
		}
		for _, f := range files {
			if ex.Excluded(f.Path) {
				continue
			}
			e, err := HostEntry("/", f.HostPath, p.Name)
			if err != nil {
				missing.add(f.HostPath)
				continue
			}
			if dropConfig && e.Type == plan.Regular && strings.HasPrefix(f.Path, "/etc/") {
				continue
			}
			e.Path = f.Path
			l = append(l, e)
		}
	}
	return l, nil
}

// archiveLayer describes the files of packages that come from archives,
// minus excluded paths.
// Listing an archive means decompressing it, so packages are listed in
// parallel; the layer keeps package order.
func archiveLayer(u resolver.ArchiveUniverse, pkgs []*resolver.Package, ex Excluder) (Layer, error) {
	lists := make([][]plan.Entry, len(pkgs))
	errs := make([]error, len(pkgs))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(pkgs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < len(pkgs); i = int(next.Add(1) - 1) {
				lists[i], errs[i] = u.Entries(pkgs[i])
			}
		}()
	}
	wg.Wait()
	var l Layer
	for i, p := range pkgs {
		if errs[i] != nil {
			return nil, fmt.Errorf("files of %s: %w", p.Name, errs[i])
		}
		for _, e := range lists[i] {
			if !ex.Excluded(e.Path) {
				e.Origin = p.Name
				l = append(l, e)
			}
		}
	}
	return l, nil
}

// HostLayer describes globbed host files (already expanded), minus
// excluded paths.
func HostLayer(root string, matches []globber.Match, ex Excluder) (Layer, error) {
	var l Layer
	for _, m := range matches {
		if ex.Excluded(m.Path) {
			continue
		}
		e, err := HostEntry(root, m.Path, "host")
		if errors.Is(err, fs.ErrNotExist) {
			continue // vanished since the glob
		}
		if err != nil {
			return nil, err
		}
		l = append(l, e)
	}
	return l, nil
}

// InlineLayer describes the manifest's [[file]] entries.
func InlineLayer(files []manifest.File, mtime time.Time) (Layer, error) {
	var l Layer
	for _, f := range files {
		e := plan.Entry{Path: f.Path, Mode: f.Mode, UID: f.UID, GID: f.GID, MTime: mtime, Origin: "inline"}
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
