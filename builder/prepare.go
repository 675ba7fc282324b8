package builder

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/supermin-compile/supermin-compile/manifest"
	"github.com/supermin-compile/supermin-compile/plan"
	"github.com/supermin-compile/supermin-compile/planner"
	"github.com/supermin-compile/supermin-compile/resolver"
	"github.com/supermin-compile/supermin-compile/resolver/pacman"
	"github.com/supermin-compile/supermin-compile/resolver/rpm"
)

// PrepareFrom says where Prepare takes the configuration files from.
type PrepareFrom struct {
	// Installed takes the host's own files, edits included (supermin's
	// --use-installed). Otherwise they come from the packages' .debs,
	// downloaded from the host's apt repositories, as supermin does.
	Installed bool
	// PackagerConfig is an apt.conf file read after the host's
	// (supermin's --packager-config; apt-get -c).
	PackagerConfig string
}

// Prepare writes a supermin.d for names to output, as supermin --prepare
// does: packages lists the installed ones, sorted, and base.tar.gz holds
// the configuration files of their whole closure (see configEntry), from
// the host or pristine from the packages (from), owned
// 0:0, in path order, deterministic. Names that are not installed are
// skipped. Like a build, it holds o.Exclusive and replaces only an output
// it may (o.Force, or a directory of nothing but what supermin --prepare
// writes). It returns warnings for the user.
func Prepare(root string, names []string, output string, from PrepareFrom, o Options) ([]string, error) {
	own := &Ownership{Force: o.Force, Supermin: []string{"packages", "base.tar.gz"}, Inputs: o.Inputs}
	release, err := claim(output, &o, own)
	if err != nil {
		return nil, err
	}
	defer release()
	var warnings []string
	err = writeStaged(output, func(dir string) (err error) {
		warnings, err = prepare(root, names, dir, from, o.logf)
		return err
	})
	return warnings, err
}

func prepare(root string, names []string, dir string, from PrepareFrom, logf func(string, ...any)) ([]string, error) {
	if len(names) == 0 {
		return nil, errors.New("prepare: no input packages specified")
	}
	u, err := planner.OpenSource(manifest.Source{Root: root}) // dpkg, rpm or pacman, as installed
	if err != nil {
		return nil, err
	}
	installed := map[string]bool{}
	for _, p := range u.Packages() {
		installed[p.Name] = true
	}
	var found []string
	for _, n := range names {
		if installed[n] && !slices.Contains(found, n) {
			found = append(found, n)
		}
	}
	if len(found) == 0 {
		return nil, errors.New("prepare: none of the packages listed on the command line seem to be installed")
	}
	slices.Sort(found)
	r, err := resolver.Resolve(u, resolver.Request{Packages: found})
	if err != nil {
		return nil, err
	}
	logf("prepare: %d packages after resolving dependencies", len(r.Packages))
	if err := os.WriteFile(filepath.Join(dir, "packages"), []byte(strings.Join(found, "\n")+"\n"), 0o644); err != nil {
		return nil, err
	}
	configs, err := configFiles(u, r.Packages)
	if err != nil {
		return nil, err
	}
	var files []plan.Entry
	var warnings []string
	if from.Installed {
		for _, c := range configs {
			files = append(files, c.files...)
		}
	} else {
		var done func()
		switch u.(type) {
		case *rpm.DB:
			files, warnings, done, err = pristineRpm(root, configs, logf)
			if from.PackagerConfig != "" {
				warnings = append(warnings, "--packager-config "+from.PackagerConfig+" is not read on an rpm host (dnf's configuration is not read)")
			}
		case *pacman.DB:
			files, warnings, done, err = pacmanPristine(root, configs, logf)
		default:
			files, warnings, done, err = pristine(root, u.NativeArch(), configs, from.PackagerConfig, logf)
		}
		if err != nil {
			return nil, err
		}
		defer done()
	}
	plan.Sort(files)
	files = slices.CompactFunc(files, func(a, b plan.Entry) bool { return a.Path == b.Path })
	logf("prepare: %d config files", len(files))
	if len(files) == 0 {
		return warnings, nil
	}
	return warnings, writeBase(filepath.Join(dir, "base.tar.gz"), files)
}

// configs are one package's configuration files, as supermin counts
// them (configEntry).
type configs struct {
	pkg   *resolver.Package
	files []plan.Entry // the host's
}

// configFiles lists the configuration files of each of pkgs that has
// some.
func configFiles(u resolver.Universe, pkgs []*resolver.Package) ([]configs, error) {
	_, onRpm := u.(*rpm.DB)
	var l []configs
	for _, p := range pkgs {
		files, err := u.Files(p)
		if err != nil {
			return nil, err
		}
		c := configs{pkg: p}
		for _, f := range files {
			if e, ok := configEntry(onRpm, f, p); ok {
				c.files = append(c.files, e)
			}
		}
		if len(c.files) > 0 {
			l = append(l, c)
		}
	}
	return l, nil
}

// configEntry returns the host's f when it goes into base.tar.gz: a
// configuration file (planner.SuperminConfig) that the host can open, as
// supermin checks; so on an rpm host a %config symbolic link that
// resolves is kept, as a link, as tar keeps it.
func configEntry(onRpm bool, f resolver.File, p *resolver.Package) (plan.Entry, bool) {
	e, err := planner.HostEntry("/", f.HostPath, plan.FromPackage(p.Name))
	if err != nil || !planner.SuperminConfig(onRpm, f, e.Type) {
		return plan.Entry{}, false
	}
	e.Path = f.Path
	if e.Type == plan.Regular {
		return e, true
	}
	_, err = os.Stat(f.HostPath)
	return e, e.Type == plan.Symlink && err == nil
}

// writeBase writes the tarball: names "./etc/...", owner root, mtimes from
// the host clamped to SOURCE_DATE_EPOCH when set, a gzip header without
// name or time, so that the same host gives the same bytes.
func writeBase(file string, entries []plan.Entry) error {
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	zw, _ := gzip.NewWriterLevel(f, gzip.BestCompression)
	tw := tar.NewWriter(zw)
	epoch, clamp := planner.SourceDateEpoch()
	for _, e := range entries {
		mtime := e.MTime
		if clamp && mtime.After(epoch) {
			mtime = epoch
		}
		h := &tar.Header{Typeflag: tar.TypeReg, Name: "." + e.Path, Mode: int64(e.Perm()), Size: e.Size,
			ModTime: mtime.Truncate(1e9), Uname: "root", Gname: "root", Format: tar.FormatGNU}
		if e.Type == plan.Symlink {
			h.Typeflag, h.Linkname, h.Size = tar.TypeSymlink, e.Link, 0
		}
		if err := tw.WriteHeader(h); err != nil {
			f.Close()
			return fmt.Errorf("%s: %w", file, err)
		}
		if e.Type != plan.Regular {
			continue
		}
		if err := plan.CopyData(tw, &e); err != nil {
			f.Close()
			return fmt.Errorf("%s: %w", file, err)
		}
	}
	for _, c := range []io.Closer{tw, zw, f} {
		if err := c.Close(); err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
	}
	return nil
}
