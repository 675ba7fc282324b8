package planner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/supermin-compile/supermin-compile/boot/kernel"
	"github.com/supermin-compile/supermin-compile/fetch"
	"github.com/supermin-compile/supermin-compile/manifest"
	"github.com/supermin-compile/supermin-compile/resolver"
	"github.com/supermin-compile/supermin-compile/resolver/deb"
	"github.com/supermin-compile/supermin-compile/resolver/rpm"
)

// Pin is a package that a lock file pins to its archive in a repository.
type Pin struct {
	Name, Version, Arch string
	File                resolver.RepositoryFile
}

// FromRepository reports whether s is fetched from repositories, whose
// lock files pin archives (see PlanLocked).
func FromRepository(s manifest.Source) bool { return s.Type == "apt" || s.Type == "rpm-md" }

// PlanLocked is PlanForBuild (Plan when build is false) for build
// --locked of a repository source. The closure is the pinned packages,
// not a new resolution: a repository moves on, and the locked versions
// must still build. Each archive is the file of the pinned SHA256, from
// the download cache, else from its pinned URL, checked. The caller
// still compares the result with the lock (manifest, host files, kernel).
func PlanLocked(m *manifest.Manifest, k *kernel.Kernel, pins []Pin, build bool) (*Result, error) {
	return planWith(m, k, build, func(m *manifest.Manifest) (resolver.Universe, *resolver.Result, error) {
		return openLocked(m, pins)
	})
}

// openLocked fetches the pinned archives and opens them as the closure.
func openLocked(m *manifest.Manifest, pins []Pin) (resolver.Universe, *resolver.Result, error) {
	cl, err := client(m.Source)
	if err != nil {
		return nil, nil, err
	}
	files := make([]fetch.File, len(pins))
	for i, p := range pins {
		files[i] = fetch.File{URL: p.File.URL(), SHA256: p.File.SHA256, Size: p.File.Size, Label: p.Name + " " + p.Version}
	}
	paths, err := cl.GetAll(context.Background(), files)
	if err != nil {
		return nil, nil, unfetchedError(m, cl.Cache, pins, err)
	}
	u, err := openArchives(m.Source, paths)
	if err != nil {
		return nil, nil, err
	}
	r, err := pinnedClosure(u, pins, paths)
	if err != nil {
		if c, ok := u.(io.Closer); ok {
			c.Close()
		}
		return nil, nil, err
	}
	return u, r, nil
}

// openArchives opens local archives as the source's type reads them.
func openArchives(s manifest.Source, paths []string) (resolver.Universe, error) {
	switch s.Type {
	case "apt":
		u, err := deb.OpenArchives(paths, s.Arch)
		if err != nil {
			return nil, err // not a nil *deb.Universe in a non-nil interface
		}
		return u, nil
	case "rpm-md":
		u, err := rpm.OpenFiles(paths, s.Arch)
		if err != nil {
			return nil, err
		}
		return u, nil
	}
	return nil, fmt.Errorf("source type %q has no locked archives", s.Type)
}

// pinnedClosure is the result of a resolution that chose the pinned
// packages. Each archive must hold the package its pin names: a lock
// file edited by hand could pair a SHA256 with another package.
func pinnedClosure(u resolver.Universe, pins []Pin, paths []string) (*resolver.Result, error) {
	byID := map[[3]string]*resolver.Package{}
	for _, p := range u.Packages() {
		byID[[3]string{p.Name, p.Version, p.Arch}] = p
	}
	r := &resolver.Result{Reasons: map[string]string{}}
	for i, pin := range pins {
		p := byID[[3]string{pin.Name, pin.Version, pin.Arch}]
		if p == nil {
			return nil, fmt.Errorf("%s: the archive of sha256 %s is not %s %s (%s), which the lock file pins to it",
				paths[i], pin.File.SHA256, pin.Name, pin.Version, pin.Arch)
		}
		r.Packages = append(r.Packages, p)
		r.Reasons[p.Name] = "" // a lock records no reasons
	}
	sort.Slice(r.Packages, func(i, j int) bool {
		a, b := r.Packages[i], r.Packages[j]
		return a.Name < b.Name || a.Name == b.Name && a.Arch < b.Arch
	})
	return r, nil
}

// unfetchedError names the pinned packages that are neither in the cache
// nor fetched, with err, which says why for each URL; when the repository
// no longer serves them, it says what keeps old versions available.
func unfetchedError(m *manifest.Manifest, c *fetch.Cache, pins []Pin, err error) error {
	var missing []string
	for _, p := range pins {
		if _, ok := c.Path(p.File.SHA256); !ok {
			missing = append(missing, fmt.Sprintf("%s %s (%s) sha256 %s", p.Name, p.Version, p.Arch, p.File.SHA256))
		}
	}
	hint := ""
	if errors.Is(err, fetch.ErrNotFound) || errors.As(err, new(*fetch.MismatchError)) {
		hint = fmt.Sprintf("\nthe repository no longer serves what the lock pins: a snapshot of the repository "+
			"(a URL that serves old versions) as the manifest's repository keeps serving them; "+
			"or run 'supermin-compile lock %s' to lock what it serves now", m.Path)
	}
	what := fmt.Sprintf("%d locked packages are not in the download cache %s, and fetching them failed", len(missing), c.Dir())
	if len(missing) == 1 {
		what = fmt.Sprintf("a locked package is not in the download cache %s, and fetching it failed", c.Dir())
	}
	return fmt.Errorf("%s:\n  %s\n%w%s", what, strings.Join(missing, "\n  "), err, hint)
}
