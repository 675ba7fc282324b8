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

	"github.com/supermin-compile/supermin-compile/plan"
	"github.com/supermin-compile/supermin-compile/planner"
	"github.com/supermin-compile/supermin-compile/resolver"
	"github.com/supermin-compile/supermin-compile/resolver/dpkg"
)

// Prepare writes a supermin.d for names to output, as supermin --prepare
// --use-installed does: packages lists the installed ones, sorted, and
// base.tar.gz holds the configuration files (regular files under /etc/)
// of their whole closure, taken from the host, owned 0:0, in path order,
// deterministic. Names that are not installed are skipped. Like a build,
// it holds o.Exclusive and replaces only an output it may (o.Force, or a
// directory of nothing but what supermin --prepare writes).
func Prepare(root string, names []string, output string, o Options) error {
	own := &Ownership{Force: o.Force, Supermin: []string{"packages", "base.tar.gz"}, Inputs: o.Inputs}
	release, err := claim(output, &o, own)
	if err != nil {
		return err
	}
	defer release()
	return writeStaged(output, func(dir string) error { return prepare(root, names, dir, o.logf) })
}

func prepare(root string, names []string, dir string, logf func(string, ...any)) error {
	if len(names) == 0 {
		return errors.New("prepare: no input packages specified")
	}
	u, err := dpkg.Open(root)
	if err != nil {
		return err
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
		return errors.New("prepare: none of the packages listed on the command line seem to be installed")
	}
	slices.Sort(found)
	r, err := resolver.Resolve(u, resolver.Request{Packages: found})
	if err != nil {
		return err
	}
	logf("prepare: %d packages after resolving dependencies", len(r.Packages))
	if err := os.WriteFile(filepath.Join(dir, "packages"), []byte(strings.Join(found, "\n")+"\n"), 0o644); err != nil {
		return err
	}
	configs, err := configFiles(u, r.Packages)
	if err != nil {
		return err
	}
	logf("prepare: %d config files", len(configs))
	if len(configs) == 0 {
		return nil
	}
	return writeBase(filepath.Join(dir, "base.tar.gz"), configs)
}

// configFiles lists the regular files under /etc/ of pkgs, as the host has
// them, in path order.
func configFiles(u resolver.Universe, pkgs []*resolver.Package) ([]plan.Entry, error) {
	var l []plan.Entry
	for _, p := range pkgs {
		files, err := u.Files(p)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			if !strings.HasPrefix(f.Path, "/etc/") {
				continue
			}
			e, err := planner.HostEntry("/", f.HostPath, plan.FromPackage(p.Name))
			if err == nil && e.Type == plan.Regular {
				e.Path = f.Path
				l = append(l, e)
			}
		}
	}
	plan.Sort(l)
	return slices.CompactFunc(l, func(a, b plan.Entry) bool { return a.Path == b.Path }), nil
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
		if err := tw.WriteHeader(h); err != nil {
			f.Close()
			return fmt.Errorf("%s: %w", file, err)
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
