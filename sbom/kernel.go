package sbom

import (
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"

	"github.com/supermin-compile/supermin-compile/boot/initrd"
	"github.com/supermin-compile/supermin-compile/manifest"
	"github.com/supermin-compile/supermin-compile/plan"
	"github.com/supermin-compile/supermin-compile/planner"
	"github.com/supermin-compile/supermin-compile/resolver"
	"github.com/supermin-compile/supermin-compile/resolver/dpkg"
	"github.com/supermin-compile/supermin-compile/resolver/pacman"
	"github.com/supermin-compile/supermin-compile/resolver/rpm"
)

// addKernel describes what the kernel brings: its image, its modules
// directory in the root image, and the initrd (our /init, the modules it
// loads and their order). A file that a package of the build host
// installed is contained by that package, with its version and purl:
// vulnerability scanners match packages. Other files (depmod's indexes)
// are contained by the appliance itself.
func (b *builder) addKernel() error {
	k := b.res.Kernel
	if k == nil {
		return nil
	}
	boot, err := planner.InitrdPlan(b.m, k, b.res.Clock)
	if err != nil {
		return err
	}
	image, err := filepath.EvalSymlinks(k.Path)
	if err != nil {
		return err
	}
	mods, hostFiles := kernelFiles(b.res.Plan, boot)
	owners, err := b.hostOwners(append(hostFiles, image))
	if err != nil {
		return err
	}
	s, err := sourceSums(plan.HostFile(image))
	if err != nil {
		return err
	}
	b.d.addFile(b.owner(owners[image]), "."+image, s, "the kernel "+k.Version+" that boots the appliance (DIR/kernel)")
	for _, e := range mods {
		s, err := b.res.Sums(e)
		if err != nil {
			return fmt.Errorf("%s: %w", e.Path, err)
		}
		h, _ := plan.HostPath(e.Src)
		b.d.addFile(b.owner(owners[h]), "."+e.Path, s, "origin: kernel "+k.Version)
	}
	return b.addInitrd(boot, owners)
}

// kernelFiles returns the regular files of the modules directory in the
// root image, and the host files that they and the initrd's modules are.
func kernelFiles(root, boot *plan.Plan) (mods []*plan.Entry, hostFiles []string) {
	for i := range root.Entries {
		e := &root.Entries[i]
		if e.Origin.Kind == plan.Kernel && e.Type == plan.Regular {
			mods = append(mods, e)
			h, _ := plan.HostPath(e.Src)
			hostFiles = append(hostFiles, h)
		}
	}
	for i := range boot.Entries {
		if f, ok := initrd.ModuleFile(boot.Entries[i].Src); ok {
			hostFiles = append(hostFiles, f)
		}
	}
	return mods, hostFiles
}

// addInitrd describes the initrd's files, named "initrd:/PATH".
func (b *builder) addInitrd(p *plan.Plan, owners map[string]*resolver.Package) error {
	for i := range p.Entries {
		e := &p.Entries[i]
		if e.Type != plan.Regular {
			continue
		}
		s, err := sourceSums(e.Src)
		if err != nil {
			return fmt.Errorf("initrd %s: %w", e.Path, err)
		}
		in, comment := b.root, "in the initrd: the modules /init loads, in order"
		if f, ok := initrd.ModuleFile(e.Src); ok {
			in, comment = b.owner(owners[f]), "in the initrd, from "+f
		} else if e.Path == "/init" {
			in, comment = b.initPackage(), "in the initrd: supermin-compile's /init"
		} else if h, ok := plan.HostPath(e.Src); ok {
			in, comment = b.initPackage(), "in the initrd: the loader or a library of /init, from "+h
		}
		b.d.addFile(in, "initrd:"+e.Path, s, comment)
	}
	return nil
}

// initPackage is the element of our /init: it is built into the tool, so
// it has the tool's version.
func (b *builder) initPackage() string {
	const id = "SPDXRef-Package-supermin-compile-init"
	if b.d.find(id) == nil {
		b.d.add(b.root, "CONTAINS", Package{SPDXID: id, Name: "supermin-compile-init", VersionInfo: b.version,
			ExternalRefs: []ExternalRef{{"PACKAGE-MANAGER", "purl", "pkg:generic/supermin-compile-init@" + url.PathEscape(b.version)}},
			Purpose:      "APPLICATION", Comment: "the initrd's /init (cmd/supermin-init), built into supermin-compile"})
	}
	return id
}

// owner is the element that contains a file the host package p installed:
// p's own element, added on first use, or the appliance when p is nil.
func (b *builder) owner(p *resolver.Package) string {
	if p == nil {
		return b.root
	}
	if id, ok := b.host[p]; ok {
		return id
	}
	id := spdxID("SPDXRef-Package-" + p.Name + "-" + p.Arch)
	if q := b.d.find(id); q != nil && q.VersionInfo != p.Version {
		id += "-host" // the closure has another version of it
	}
	if b.d.find(id) == nil {
		b.d.add(b.root, "CONTAINS", Package{SPDXID: id, Name: p.Name, VersionInfo: p.Version,
			ExternalRefs: []ExternalRef{{"PACKAGE-MANAGER", "purl", purl(b.hostType, p.Name, p.Version, p.Arch)}},
			Comment:      "installed on the build host, where the appliance's kernel comes from"})
	}
	b.host[p] = id
	return id
}

// hostOwners finds the package of the build host's database that
// installed each of files. Paths are compared with their directories'
// symlinks resolved: dpkg may list /lib/modules where the host has
// /usr/lib/modules. None is found on a host without a package database.
func (b *builder) hostOwners(files []string) (map[string]*resolver.Package, error) {
	b.host = map[*resolver.Package]string{}
	owners := map[string]*resolver.Package{}
	u, err := hostDatabase(b.res.Universe)
	if u == nil {
		return owners, err
	}
	b.hostType = purlType(u)
	var canon canonical
	want, names := map[string][]string{}, map[string]bool{}
	for _, f := range files {
		c := canon.path(f)
		want[c] = append(want[c], f)
		names[path.Base(c)] = true
	}
	for _, p := range u.Packages() {
		listed, err := u.Files(p)
		if err != nil {
			return nil, err
		}
		for _, l := range listed {
			if !names[path.Base(l.HostPath)] { // cheap test first
				continue
			}
			for _, f := range want[canon.path(l.HostPath)] {
				if owners[f] == nil {
					owners[f] = p
				}
			}
		}
	}
	return owners, nil
}

// hostDatabase opens the package database of the build host, whose kernel
// boots the appliance: the manifest's source when it is that database.
func hostDatabase(u resolver.Universe) (resolver.Universe, error) {
	if db, ok := u.(*dpkg.Database); ok && db.Root() == "/" {
		return db, nil
	}
	typ := "rpmdb"
	if _, err := os.Stat("/var/lib/dpkg/status"); err == nil {
		typ = "dpkg"
	} else if pacman.HasDB("/") && !rpm.HasDB("/") {
		typ = "pacman"
	} else if !rpm.HasDB("/") {
		return nil, nil
	}
	return planner.OpenSource(manifest.Source{Type: typ, Root: "/"})
}

// canonical resolves the symlinks of a path's directory, remembering
// each directory.
type canonical map[string]string

func (c *canonical) path(p string) string {
	if *c == nil {
		*c = map[string]string{}
	}
	dir, name := path.Split(p)
	real, ok := (*c)[dir]
	if !ok {
		var err error
		if real, err = filepath.EvalSymlinks(dir); err != nil {
			real = dir
		}
		(*c)[dir] = real
	}
	return path.Join(real, name)
}

// sourceSums reads a file's bytes for its checksums.
func sourceSums(src plan.Source) (planner.Sums, error) {
	r, err := src.Open()
	if err != nil {
		return planner.Sums{}, err
	}
	defer r.Close()
	return hashReader(r)
}
