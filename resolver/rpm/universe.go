// Package rpm reads rpm packages for the resolver: a directory of .rpm
// files (OpenDir), whose payloads bring the files, or an rpm database
// (OpenDB: sqlite and Berkeley DB), whose files are taken from the host like dpkg's.
// Headers, the cpio payload, version comparison (rpmvercmp) and rich
// dependencies are implemented here in Go; no rpm tool is run. A payload
// is decompressed once, when Entries first describes its package; a build
// keeps its files on the way, in internal/members' spool, for the formats
// to read (KeepContents).
package rpm

import (
	"fmt"
	"runtime"
	"slices"
	"strings"

	"github.com/supermin-compile/supermin-compile/resolver"
)

// set is the package metadata both sources share.
type set struct {
	native string
	pkgs   []*resolver.Package
	meta   map[*resolver.Package]*meta
}

// Arch maps a Go or Debian architecture name to rpm's; "" is the host's.
func Arch(name string) string {
	if name == "" {
		name = runtime.GOARCH
	}
	if a, ok := map[string]string{"amd64": "x86_64", "arm64": "aarch64", "386": "i686", "i386": "i686",
		"armhf": "armv7hl", "ppc64el": "ppc64le"}[name]; ok {
		return a
	}
	return name
}

func newSet(arch string) *set {
	return &set{native: Arch(arch), meta: map[*resolver.Package]*meta{}}
}

// add takes a package's metadata; source packages are not candidates.
func (s *set) add(m *meta) *resolver.Package {
	if m.source {
		return nil
	}
	p := &m.pkg
	s.pkgs = append(s.pkgs, p)
	s.meta[p] = m
	return p
}

// addFileProvides makes every path that some package requires a provide
// of the packages that ship it, as rpm does with file lists.
func (s *set) addFileProvides() {
	wanted := map[string]bool{}
	for _, m := range s.meta {
		for _, c := range m.requires {
			for _, name := range capNames(c.name) {
				if strings.HasPrefix(name, "/") {
					wanted[name] = true
				}
			}
		}
	}
	for _, m := range s.meta {
		for _, f := range m.files {
			if wanted[f.path] {
				m.provides = append(m.provides, capability{name: f.path})
			}
		}
	}
}

// capNames returns the capability names a requirement mentions: itself,
// or the leaves of a rich dependency.
func capNames(req string) []string {
	if !strings.HasPrefix(req, "(") {
		return []string{req}
	}
	d, err := ParseRich(req)
	if err != nil {
		return nil
	}
	var names []string
	var walk func(*Dep)
	walk = func(d *Dep) {
		if d.Op == "" {
			names = append(names, d.Name)
		}
		for _, a := range d.Args {
			walk(a)
		}
	}
	walk(d)
	return names
}

func (s *set) Packages() []*resolver.Package { return s.pkgs }

// License is p's License tag: an SPDX expression in current Fedora and
// openSUSE packages, free text ("GPLv2+") in older ones.
func (s *set) License(p *resolver.Package) string { return s.meta[p].license }

func (s *set) NativeArch() string { return s.native }

func (s *set) Dialect() resolver.Dialect {
	return &dialect{native: s.native, meta: func(p *resolver.Package) *meta { return s.meta[p] }}
}

// files lists p's paths; %ghost files are not materialised, as rpm
// creates them only at run time.
func (s *set) files(p *resolver.Package, hostRoot string) []resolver.File {
	return fileList(s.meta[p].files, hostRoot)
}

func fileList(files []file, hostRoot string) []resolver.File {
	out := make([]resolver.File, 0, len(files))
	for _, f := range files {
		if f.flags&fileGhost != 0 {
			continue
		}
		rf := resolver.File{Path: f.path, Conffile: f.flags&fileConfig != 0}
		if hostRoot != "" {
			rf.HostPath = strings.TrimSuffix(hostRoot, "/") + f.path
		}
		out = append(out, rf)
	}
	return out
}

// CheckConflicts reports Conflicts between selected packages, and
// Obsoletes (which rpm and dnf never install together: an obsoleted
// package is replaced), naming both.
func (s *set) CheckConflicts(r *resolver.Result) error {
	d := s.Dialect()
	var errs []string
	for _, p := range r.Packages {
		for _, c := range s.meta[p].conflicts {
			for _, q := range r.Packages {
				if q != p && s.satisfies(d, c, q) {
					errs = append(errs, fmt.Sprintf("%s conflicts with %s %s (%q)", p.Name, q.Name, q.Version, c.String()))
				}
			}
		}
		for _, c := range s.meta[p].obsoletes {
			for _, q := range r.Packages {
				if q.Name != p.Name && c.name == q.Name && d.Satisfies(c.op, c.version, q.Version) {
					errs = append(errs, fmt.Sprintf("%s obsoletes %s %s (%q)", p.Name, q.Name, q.Version, c.String()))
				}
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("conflicting packages selected:\n  %s", strings.Join(errs, "\n  "))
	}
	return nil
}

func (s *set) satisfies(d resolver.Dialect, c capability, q *resolver.Package) bool {
	if c.name == q.Name && d.Satisfies(c.op, c.version, q.Version) {
		return true
	}
	return slices.ContainsFunc(s.meta[q].provides, func(pr capability) bool {
		return pr.name == c.name && d.ProvideSatisfies(c.alt(), pr.op, pr.version)
	})
}
