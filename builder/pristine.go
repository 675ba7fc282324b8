package builder

import (
	"fmt"
	"slices"
	"strings"

	"github.com/supermin-compile/supermin-compile/plan"
	"github.com/supermin-compile/supermin-compile/planner"
	"github.com/supermin-compile/supermin-compile/resolver"
	"github.com/supermin-compile/supermin-compile/resolver/deb"
)

// pristine returns the configuration files of cs as their packages ship
// them, not as the host has them: supermin --prepare without
// --use-installed downloads the packages that have configuration files
// (apt-get download) and takes those files from them, so that the
// host's edits stay out of the appliance. The .debs come from the host's
// apt repositories (conf, when not "", read after the host's apt
// configuration), verified, through the download cache. A path the .deb
// does not ship as a regular file (or a hard link to one) is left out,
// as supermin leaves out what the unpacked .deb lacks. The files read
// from the .debs until done is called.
func pristine(root, native string, cs []configs, conf string, logf func(string, ...any)) (files []plan.Entry, warnings []string, done func(), err error) {
	if len(cs) == 0 {
		return nil, nil, func() {}, nil
	}
	u, notes, err := planner.OpenHostApt(root, conf, architectures(native, cs))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("prepare: %w", err)
	}
	u.KeepContents() // listing a .deb keeps what the tarball reads back
	done = func() { u.Close() }
	files, warnings, err = debConfigs(u.Universe, cs, notes, logf)
	if err != nil {
		done()
		return nil, nil, nil, err
	}
	return files, warnings, done, nil
}

// debConfigs downloads the .debs of cs from u and returns their files at
// the paths of cs.
func debConfigs(u *deb.Universe, cs []configs, notes []string, logf func(string, ...any)) ([]plan.Entry, []string, error) {
	for _, n := range notes {
		logf("prepare: %s", n)
	}
	d, err := resolver.NewDebian(u.NativeArch())
	if err != nil {
		return nil, nil, err
	}
	debs, warnings, err := matchIn(u, d, cs, "the host's apt repositories")
	if err != nil {
		return nil, nil, err
	}
	logf("prepare: downloading %d packages (those with configuration files)", len(debs))
	if absent := u.AbsentArchives(debs); len(absent) > 0 {
		return nil, nil, fmt.Errorf("prepare: cannot download:\n  %s", strings.Join(absent, "\n  "))
	}
	var files []plan.Entry
	for i, c := range cs {
		got, err := archiveFiles(u, debs[i], c.files)
		if err != nil {
			return nil, nil, err
		}
		files = append(files, got...)
	}
	return files, warnings, nil
}

// architectures lists native, then the other architectures of cs, for
// the indexes to fetch ("all" packages are in every architecture's).
func architectures(native string, cs []configs) []string {
	archs := []string{native}
	for _, c := range cs {
		if a := c.pkg.Arch; a != "all" && !slices.Contains(archs, a) {
			archs = append(archs, a)
		}
	}
	return archs
}

// matchIn finds the repository package of each installed one in cs, in
// u (where, for messages), versions ordered by d: the same name,
// architecture and version. When the repositories no longer have that
// version, it takes the newest newer one, which is what supermin's
// `apt-get download NAME` or `dnf download NAME.ARCH` fetches, and says
// so; a package with neither is an error naming it, as those fail.
func matchIn(u resolver.Universe, d resolver.Dialect, cs []configs, where string) ([]*resolver.Package, []string, error) {
	byID := map[string][]*resolver.Package{}
	for _, p := range u.Packages() {
		byID[p.ID()] = append(byID[p.ID()], p)
	}
	debs := make([]*resolver.Package, len(cs))
	var warnings, missing []string
	for i, c := range cs {
		p := c.pkg
		var newest *resolver.Package
		for _, cand := range byID[p.ID()] {
			cmp := d.Compare(cand.Version, p.Version)
			if cmp == 0 {
				newest = cand
				break
			}
			if cmp > 0 && (newest == nil || d.Compare(cand.Version, newest.Version) > 0) {
				newest = cand
			}
		}
		switch {
		case newest == nil:
			missing = append(missing, fmt.Sprintf("%s %s (%s)", p.Name, p.Version, p.Arch))
		case newest.Version != p.Version:
			warnings = append(warnings, fmt.Sprintf("%s %s (%s) is installed but the repositories have %s: its configuration files come from %s",
				p.Name, p.Version, p.Arch, newest.Version, newest.Version))
		}
		debs[i] = newest
	}
	if len(missing) > 0 {
		return nil, nil, fmt.Errorf("prepare: no version of these packages, as installed or newer, in %s, so their pristine configuration files cannot be had (update the host, or use --use-installed to take the host's files):\n  %s",
			where, strings.Join(missing, "\n  "))
	}
	return debs, warnings, nil
}

// archiveFiles returns the members of p's archive at the paths of host
// (the host's configuration files of the installed package), as regular
// files: owner and group are set by the tarball.
func archiveFiles(u resolver.ArchiveUniverse, p *resolver.Package, host []plan.Entry) ([]plan.Entry, error) {
	return packageFiles(u, p, host, false)
}

// packageFiles returns the members of p's archive at the paths of host,
// regular files (a hard link read as its target) and, if symlinks, the
// symbolic links.
func packageFiles(u resolver.ArchiveUniverse, p *resolver.Package, host []plan.Entry, symlinks bool) ([]plan.Entry, error) {
	entries, err := u.Entries(p)
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, e := range host {
		want[e.Path] = true
	}
	regular := map[string]plan.Entry{}
	var files []plan.Entry
	for _, e := range entries {
		if target, ok := regular[e.Link]; ok && e.Type == plan.Hardlink {
			target.Path = e.Path
			e = target
		}
		if e.Type == plan.Symlink && symlinks && want[e.Path] {
			files = append(files, e)
		}
		if e.Type != plan.Regular {
			continue
		}
		regular[e.Path] = e
		if want[e.Path] {
			files = append(files, e)
		}
	}
	return files, nil
}
