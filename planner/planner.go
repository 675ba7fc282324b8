package planner

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/supermin-compile/supermin-compile/boot/kernel"
	"github.com/supermin-compile/supermin-compile/globber"
	"github.com/supermin-compile/supermin-compile/internal/members"
	"github.com/supermin-compile/supermin-compile/manifest"
	"github.com/supermin-compile/supermin-compile/plan"
	"github.com/supermin-compile/supermin-compile/resolver"
	"github.com/supermin-compile/supermin-compile/resolver/deb"
	"github.com/supermin-compile/supermin-compile/resolver/dpkg"
	"github.com/supermin-compile/supermin-compile/resolver/pacman"
	"github.com/supermin-compile/supermin-compile/resolver/rpm"
)

// Result is everything the front end reports about one planned manifest.
type Result struct {
	Plan     *plan.Plan
	Universe resolver.Universe // where the packages came from
	Resolved *resolver.Result
	Kernel   *kernel.Kernel // the kernel that boots it (ext2 with a kernel only)
	Clock    Clock          // the build's time facts
	Warnings []string       // what the user should know about the Plan
	sums     sumCache

	AbsentFiles AbsentFiles // package files absent from the host

	// Unreadable lists, sorted, the host paths left out because this
	// process may not read them (`unreadable = "skip"`, supermin.d).
	Unreadable Unreadable
	tarballs   *members.Cache // reads the base tarballs' members
}

// Close releases what a build kept of the package archives and base
// tarballs; their members cannot be read afterwards.
func (r *Result) Close() {
	if c, ok := r.Universe.(io.Closer); ok {
		c.Close()
	}
	r.tarballs.Close()
}

// OpenSource opens the manifest's package source.
func OpenSource(s manifest.Source) (resolver.Universe, error) {
	typ := s.Type
	if typ == "" {
		typ = Detect(s.Root)
	}
	switch typ {
	case "dpkg":
		return dpkg.Open(s.Root)
	case "deb-dir", "apt-index":
		var u *deb.Universe
		var err error
		if typ == "deb-dir" {
			u, err = deb.OpenDir(s.Path, s.Arch)
		} else {
			u, err = deb.OpenIndex(s.Indexes, s.Path, s.Arch)
		}
		if err != nil {
			return nil, err // not a nil *deb.Universe in a non-nil interface
		}
		return u, nil
	case "rpm-dir":
		u, err := rpm.OpenDir(s.Path, s.Arch)
		if err != nil {
			return nil, err
		}
		return u, nil
	case "rpmdb":
		root, db := s.Root, s.Path
		if st, err := os.Stat(db); err == nil && st.IsDir() {
			root, db = db, "" // path names the root
		}
		u, err := rpm.OpenDB(root, db, s.Arch)
		if err != nil {
			return nil, err
		}
		return u, nil
	case "pacman":
		u, err := pacman.OpenDB(s.Root, s.Arch)
		if err != nil {
			return nil, err
		}
		return u, nil
	case "pkg-dir":
		u, err := pacman.OpenDir(s.Path, s.Arch)
		if err != nil {
			return nil, err
		}
		return u, nil
	case "apt", "rpm-md":
		u, _, err := openRepository(s)
		return u, err
	case "":
		return nil, fmt.Errorf("no package database found under %s (looked for var/lib/dpkg/status, an rpm database and var/lib/pacman/local)", s.Root)
	}
	return nil, fmt.Errorf("source type %q is not supported yet", typ)
}

// openRepository opens a source fetched from repositories, with the notes
// reading their configuration gave (what was skipped, and why).
func openRepository(s manifest.Source) (resolver.Universe, []string, error) {
	cl, err := client(s)
	if err != nil {
		return nil, nil, err
	}
	if s.Type == "rpm-md" {
		return openRpmMD(s, cl)
	}
	return openApt(s, cl)
}

// Detect is the source type of the package database installed under root:
// "dpkg", "rpmdb" or "pacman", checked in that order; "" when there is none.
// A directory alone does not count: Debian's rpm package leaves an empty
// /var/lib/rpm.
func Detect(root string) string {
	if _, err := os.Stat(root + "/var/lib/dpkg/status"); err == nil {
		return "dpkg"
	}
	if rpm.HasDB(root) {
		return "rpmdb"
	}
	if pacman.HasDB(root) {
		return "pacman"
	}
	return ""
}

// Resolve computes the manifest's package closure.
func Resolve(m *manifest.Manifest) (resolver.Universe, *resolver.Result, error) {
	var u resolver.Universe
	var notes []string
	var err error
	if m.Source.Type == "apt" || m.Source.Type == "rpm-md" {
		u, notes, err = openRepository(m.Source)
	} else {
		u, err = OpenSource(m.Source)
	}
	if err != nil {
		return nil, nil, err
	}
	req := resolver.Request{Packages: m.Packages, Optional: m.OptionalPackages, Exclude: m.ExcludePackages}
	if e, ok := u.(resolver.EssentialLister); ok && m.Source.Essential {
		// Optional, so that excluding an essential package is a note, not an error.
		req.Optional = append(slices.Clone(req.Optional), e.EssentialNames()...)
	}
	r, err := resolver.Resolve(u, req)
	if c, ok := u.(resolver.ConflictChecker); ok && err == nil {
		err = c.CheckConflicts(r)
	}
	if r != nil {
		r.Notes = append(notes, r.Notes...)
	}
	return u, r, err
}

// Plan resolves, globs and merges the manifest into a Plan, keeping none
// of the archives' contents: for list, lock, sbom and the like.
func Plan(m *manifest.Manifest) (*Result, error) { return planWith(m, nil, false, Resolve) }

// PlanForBuild is Plan for a build of the Plan, with the kernel the
// builder found (nil: find it): archives keep what listing decompresses,
// for the format to read back, until the Result is closed.
func PlanForBuild(m *manifest.Manifest, k *kernel.Kernel) (*Result, error) {
	return planWith(m, k, true, Resolve)
}

// planWith plans the closure that resolve finds for m.
func planWith(m *manifest.Manifest, k *kernel.Kernel, build bool, resolve func(*manifest.Manifest) (resolver.Universe, *resolver.Result, error)) (_ *Result, err error) {
	u, resolved, err := resolve(m)
	if err != nil {
		return nil, err
	}
	if c, ok := u.(io.Closer); ok {
		defer func() {
			if err != nil {
				c.Close() // what listing kept, when the caller will never see u
			}
		}()
	}
	if kc, ok := u.(resolver.ContentKeeper); ok && build {
		kc.KeepContents()
	}
	if ac, ok := u.(resolver.ArchiveChecker); ok {
		if absent := ac.AbsentArchives(resolved.Packages); len(absent) > 0 {
			what := "are missing"
			if m.Source.Type == "apt" {
				what = "could not be fetched"
			}
			return nil, fmt.Errorf("%d package archives %s:\n  %s", len(absent), what, strings.Join(absent, "\n  "))
		}
	}
	pkgEx, hostEx, err := excluders(m)
	if err != nil {
		return nil, err
	}
	res := &Result{Resolved: resolved, Universe: u, Clock: ClockFor(m), tarballs: members.NewCache()}
	if build {
		res.tarballs.KeepContents()
	}
	pkgs, err := PackageLayer(u, resolved.Packages, pkgEx, m.Supermin, &res.AbsentFiles, &res.Unreadable)
	if err != nil {
		return nil, err
	}
	host, reached, err := hostLayer(m.Hostfiles, hostEx, m.Output, &res.Unreadable)
	if err != nil {
		return nil, err
	}
	if reached {
		res.Warnings = append(res.Warnings, fmt.Sprintf("hostfiles: left out the output %s and its staging directories, which the patterns reach: a build never takes its own output as input", m.Output))
	}
	if res.Unreadable.sort(); len(res.Unreadable) > 0 && !m.SkipUnreadable {
		return nil, res.Unreadable.errorFor(m.Path)
	}
	layers := []Layer{pkgs, mergedUsrLayer(u, resolved.Packages, pkgs, res.Clock.Epoch), host}
	if Bootable(m) {
		if res.Kernel = k; k == nil {
			if res.Kernel, err = FindKernel(m); err != nil {
				return nil, err
			}
		}
		if m.Kernel.RootModules {
			mods, err := ModulesLayer(res.Kernel)
			if err != nil {
				return nil, err
			}
			layers = append(layers, mods)
		}
	}
	for _, b := range m.Base {
		l, err := TarballLayer(b, res.tarballs)
		if err != nil {
			return nil, err
		}
		layers = append(layers, l)
	}
	inline, err := InlineLayer(m.Files, res.Clock.Epoch)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", m.Path, err)
	}
	merger := &Merger{Root: layoutRoot(u), Epoch: res.Clock.Epoch}
	res.Plan = merger.Merge(append(layers, inline)...)
	if res.Clock.Reproducible {
		clamp(res.Plan, res.Clock.Epoch)
	}
	return res, nil
}

// layoutRoot is the tree whose directories and directory symlinks the
// appliance takes: an installed database's root, none for archives (what
// they ship is the layout; nothing comes from the build host), else the
// build host's.
func layoutRoot(u resolver.Universe) string {
	if _, ok := u.(resolver.ArchiveUniverse); ok {
		return ""
	}
	if r, ok := u.(resolver.RootedUniverse); ok {
		return r.Root()
	}
	return "/"
}

func compile(globs []string) ([]*globber.Pattern, error) {
	pats := make([]*globber.Pattern, len(globs))
	for i, g := range globs {
		var err error
		if pats[i], err = globber.Compile(g); err != nil {
			return nil, err
		}
	}
	return pats, nil
}

// excluders returns what excludes package files and hostfiles: the
// manifest's globs for both, or, for supermin.d inputs, fnmatch(3) patterns
// for package files only (supermin's rules).
func excluders(m *manifest.Manifest) (pkgs, host Excluder, err error) {
	if m.Supermin {
		return fnmatchExcluder(m.Excludefiles), fnmatchExcluder(nil), nil
	}
	pats, err := compile(m.Excludefiles)
	if err != nil {
		return nil, nil, err
	}
	ex := globber.NewExcluder(pats)
	return ex, ex, nil
}

type fnmatchExcluder []string

func (f fnmatchExcluder) Excluded(p string) bool {
	for _, pat := range f {
		if globber.Fnmatch(pat, p) {
			return true
		}
	}
	return false
}

// hostLayer expands the hostfiles globs, leaving out the output (reached
// says whether a pattern reached it); a directory the walk may not list
// (and the user did not exclude) is listed in unreadable.
func hostLayer(globs []string, ex Excluder, output string, unreadable *Unreadable) (l Layer, reached bool, err error) {
	pats, err := compile(globs)
	if err != nil {
		return nil, false, err
	}
	guard := newOutputGuard(globber.OSFS("/"), output)
	matches, denied, err := globber.ExpandReadable(guard, pats)
	if err != nil {
		return nil, false, err
	}
	for _, d := range denied {
		if !ex.Excluded(d.Path) {
			*unreadable = append(*unreadable, d)
		}
	}
	matches = guard.filter(matches)
	l, err = HostLayer("/", matches, ex, unreadable)
	return l, guard.hit.Load(), err
}

// clamp caps every mtime of the Plan at epoch, so that files that changed
// after it (a regenerated /etc/ld.so.cache) do not change the output.
func clamp(p *plan.Plan, epoch time.Time) {
	for i := range p.Entries {
		if p.Entries[i].MTime.After(epoch) {
			p.Entries[i].MTime = epoch
		}
	}
}
