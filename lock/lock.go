// Package lock records what an appliance was built from (appliance.lock)
// and tells what changed since: the manifest's digest, every package of
// the closure, every host file, every base tarball, every inline file, the
// kernel with its modules, and the initrd's /init. The file is TOML,
// sorted and stable, made to be committed and diffed. For `diff`, a View
// gives a lock file, a planned appliance or a list --json output one
// shape, and Compare tells two of them apart.
package lock

import (
	"crypto/sha256"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"

	"github.com/supermin-compile/supermin-compile/boot/initrd"
	"github.com/supermin-compile/supermin-compile/internal/smallfile"
	"github.com/supermin-compile/supermin-compile/manifest"
	"github.com/supermin-compile/supermin-compile/plan"
	"github.com/supermin-compile/supermin-compile/planner"
	"github.com/supermin-compile/supermin-compile/resolver"
	"github.com/supermin-compile/supermin-compile/resolver/pacman"
	"github.com/supermin-compile/supermin-compile/resolver/rpm"
)

// Lock is the content of a lock file.
type Lock struct {
	Manifest  string     `toml:"manifest"` // sha256 of the manifest file
	Kernel    *Kernel    `toml:"kernel,omitempty"`
	Init      *Init      `toml:"init,omitempty"`
	Packages  []Package  `toml:"package"`
	Hostfiles []HostFile `toml:"hostfile"`
	Base      []Base     `toml:"base"`
	Inline    []Inline   `toml:"inline"`
}

// Package is one package of the closure.
type Package struct {
	Name    string `toml:"name"`
	Version string `toml:"version"`
	Arch    string `toml:"arch"`
	Source  string `toml:"source"`
	Digest  string `toml:"digest"`

	// A package of a repository source also records its archive, whose
	// SHA-256 Digest is, so that build --locked fetches it again: the URL
	// Filename is relative to, its size, and "sha256:…" of the signed
	// InRelease, Release or repomd.xml that listed it.
	Repository string `toml:"repository,omitempty"`
	Filename   string `toml:"filename,omitempty"`
	Size       int64  `toml:"size,omitempty"`
	Release    string `toml:"release,omitempty"`
}

// HostFile is one file taken from the build host.
type HostFile struct {
	Path   string `toml:"path"`
	SHA256 string `toml:"sha256,omitempty"` // regular files
	Link   string `toml:"link,omitempty"`   // symlinks
	Mode   string `toml:"mode"`
	Owner  string `toml:"owner"`

	// A TOML string holds only UTF-8: a name that is not UTF-8 is also
	// written in base64, as list --json does, and read back from it.
	PathB64 string `toml:"path_b64,omitempty"`
	LinkB64 string `toml:"link_b64,omitempty"`
}

// Base is one base tarball.
type Base struct {
	Path   string `toml:"path"`
	SHA256 string `toml:"sha256"`
}

// Inline is a regular file of the manifest's [[file]] tables: its
// content, or the file its source names.
type Inline struct {
	Path   string `toml:"path"`
	SHA256 string `toml:"sha256"`
}

// Kernel is the kernel that boots the appliance.
type Kernel struct {
	Path    string `toml:"path"`
	Version string `toml:"version"`
	SHA256  string `toml:"sha256"`
	Modules string `toml:"modules"` // see modulesDigest
}

// Init is the initrd's /init, which is built into the tool.
type Init struct {
	Version string `toml:"version"` // the tool's; only informative
	SHA256  string `toml:"sha256"`
}

// PathFor names the lock file of a manifest: appliance.toml -> appliance.lock.
func PathFor(manifestPath string) string {
	return strings.TrimSuffix(manifestPath, filepath.Ext(manifestPath)) + ".lock"
}

// FromBuild records a planned manifest; toolVersion is this tool's.
func FromBuild(m *manifest.Manifest, res *planner.Result, toolVersion string) (*Lock, error) {
	l := &Lock{}
	var err error
	if l.Manifest, err = fileSHA256(m.Path); err != nil {
		return nil, err
	}
	if l.Packages, err = packages(m, res); err != nil {
		return nil, err
	}
	if l.Hostfiles, err = hostfiles(res); err != nil {
		return nil, err
	}
	if l.Inline, err = inline(res); err != nil {
		return nil, err
	}
	for _, b := range m.Base {
		sum, err := fileSHA256(b)
		if err != nil {
			return nil, err
		}
		l.Base = append(l.Base, Base{Path: relative(m.Dir, b), SHA256: sum})
	}
	if k := res.Kernel; k != nil {
		sum, err := fileSHA256(k.Path)
		if err != nil {
			return nil, err
		}
		l.Kernel = &Kernel{Path: k.Path, Version: k.Version, SHA256: sum}
		if l.Kernel.Modules, err = modulesDigest(m, res); err != nil {
			return nil, err
		}
		init, err := initrd.InitDigest()
		if err != nil {
			return nil, err
		}
		l.Init = &Init{Version: toolVersion, SHA256: init}
	}
	return l, nil
}

// modulesDigest pins what the kernel brings besides its image, in one
// digest: the modules directory in the root image (each path with its
// type, mode, owner and content) and the initrd's modules and their load
// order. It changes when a module is added (dkms), rebuilt or removed,
// or when depmod rewrites its indexes.
func modulesDigest(m *manifest.Manifest, res *planner.Result) (string, error) {
	h := sha256.New()
	p := res.Plan
	for i := range p.Entries {
		e := &p.Entries[i]
		if e.Origin.Kind != plan.Kernel {
			continue
		}
		content := e.Link
		if e.Type == plan.Regular {
			sums, err := res.Sums(e)
			if err != nil {
				return "", fmt.Errorf("kernel module %s: %w", e.Path, err)
			}
			content = sums.SHA256
		}
		fmt.Fprintf(h, "%q %s %04o %d:%d %s\n", e.Path, e.Type, e.Perm(), e.UID, e.GID, content)
	}
	boot, err := planner.InitrdPlan(m, res.Kernel, res.Clock)
	if err != nil {
		return "", err
	}
	for i := range boot.Entries {
		e := &boot.Entries[i]
		if e.Type != plan.Regular || e.Path == "/init" { // /init has its own table
			continue
		}
		sum, err := sourceSHA256(e.Src)
		if err != nil {
			return "", fmt.Errorf("initrd %s: %w", e.Path, err)
		}
		fmt.Fprintf(h, "initrd:%q %s\n", e.Path, sum)
	}
	return fmt.Sprintf("sha256:%x", h.Sum(nil)), nil
}

// inline records the regular files of the manifest's [[file]] tables: the
// manifest's digest pins a content, not the file a source names.
func inline(res *planner.Result) ([]Inline, error) {
	var in []Inline
	p := res.Plan
	for i := range p.Entries {
		e := &p.Entries[i]
		if e.Origin.Kind != plan.Inline || e.Type != plan.Regular {
			continue
		}
		sums, err := res.Sums(e)
		if err != nil {
			return nil, fmt.Errorf("file %s: %w", e.Path, err)
		}
		in = append(in, Inline{Path: e.Path, SHA256: sums.SHA256})
	}
	return in, nil
}

func packages(m *manifest.Manifest, res *planner.Result) ([]Package, error) {
	source := m.Source.Type
	if source == "" {
		source = detected(res.Universe)
	}
	d, _ := res.Universe.(resolver.Digester)
	loc, _ := res.Universe.(resolver.Locator)
	var ps []Package
	for _, p := range res.Resolved.Packages {
		pkg := Package{Name: p.Name, Version: p.Version, Arch: p.Arch, Source: source}
		if d != nil {
			var err error
			if pkg.Digest, err = d.Digest(p); err != nil {
				return nil, err
			}
		}
		if loc != nil {
			f, err := loc.Locate(p)
			if err != nil {
				return nil, err
			}
			pkg.Repository, pkg.Filename, pkg.Size, pkg.Release = f.Repository, f.Filename, f.Size, f.Release
		}
		ps = append(ps, pkg)
	}
	return ps, nil
}

// detected names the source type the planner found on the host: a
// database chosen by what is on disk.
func detected(u resolver.Universe) string {
	switch u.(type) {
	case *rpm.DB:
		return "rpmdb"
	case *pacman.DB:
		return "pacman"
	}
	return "dpkg"
}

// Pins lists the packages as planner.PlanLocked takes them; ok is false
// when the lock records no archive for some package (a lock written
// before repository sources recorded them, or of another source).
func (l *Lock) Pins() (pins []planner.Pin, ok bool) {
	for _, p := range l.Packages {
		sum, isSHA256 := strings.CutPrefix(p.Digest, "sha256:")
		if p.Repository == "" || p.Filename == "" || p.Size <= 0 || !isSHA256 {
			return nil, false
		}
		pins = append(pins, planner.Pin{Name: p.Name, Version: p.Version, Arch: p.Arch,
			File: resolver.RepositoryFile{Repository: p.Repository, Filename: p.Filename, SHA256: sum, Size: p.Size, Release: p.Release}})
	}
	return pins, true
}

// hostfiles records the regular files and symlinks that the Plan takes from
// the host (hostfiles globs), with their content digest.
func hostfiles(res *planner.Result) ([]HostFile, error) {
	p := res.Plan
	var hs []HostFile
	for i := range p.Entries {
		e := &p.Entries[i]
		if e.Origin.Kind != plan.Host || (e.Type != plan.Regular && e.Type != plan.Symlink) {
			continue
		}
		h := HostFile{Path: e.Path, Link: e.Link, Mode: fmt.Sprintf("%04o", e.Perm()), Owner: fmt.Sprintf("%d:%d", e.UID, e.GID)}
		if e.Type == plan.Regular {
			sums, err := res.Sums(e)
			if err != nil {
				return nil, fmt.Errorf("hostfile %s: %w", e.Path, err)
			}
			h.SHA256 = sums.SHA256
		}
		hs = append(hs, h)
	}
	return hs, nil
}

func fileSHA256(file string) (string, error) { return sourceSHA256(plan.HostFile(file)) }

func sourceSHA256(src plan.Source) (string, error) {
	r, err := src.Open()
	if err != nil {
		return "", err
	}
	defer r.Close()
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return "", fmt.Errorf("%s: %w", src, err)
	}
	return fmt.Sprintf("%x", h.Sum(nil)), nil
}

// relative writes a path under the manifest's directory relative to it,
// so that the lock does not depend on where the repository is checked out.
func relative(dir, p string) string {
	if rel, err := filepath.Rel(dir, p); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return p
}

// sortAll puts every list in its canonical order.
func (l *Lock) sortAll() {
	sort.Slice(l.Packages, func(i, j int) bool {
		a, b := l.Packages[i], l.Packages[j]
		return a.Name < b.Name || a.Name == b.Name && a.Arch < b.Arch
	})
	sort.Slice(l.Hostfiles, func(i, j int) bool { return l.Hostfiles[i].Path < l.Hostfiles[j].Path })
	sort.Slice(l.Inline, func(i, j int) bool { return l.Inline[i].Path < l.Inline[j].Path })
}

// MaxSize bounds a lock file: it is read whole.
const MaxSize = 64 << 20

// Read loads a lock file.
func Read(file string) (*Lock, error) {
	data, err := smallfile.Read(file, MaxSize)
	if err != nil {
		return nil, err
	}
	return Parse(file, data)
}
