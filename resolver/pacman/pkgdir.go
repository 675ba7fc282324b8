package pacman

import (
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"

	"github.com/supermin-compile/supermin-compile/internal/filesum"
	"github.com/supermin-compile/supermin-compile/internal/members"
	"github.com/supermin-compile/supermin-compile/internal/parallel"
	"github.com/supermin-compile/supermin-compile/plan"
	"github.com/supermin-compile/supermin-compile/resolver"
)

// Dir is a directory of package files: .PKGINFO is read when it is
// opened, the payload when a package's files are listed or read.
type Dir struct {
	*set
	cache    *members.Cache
	archives map[*resolver.Package]*archive
}

var (
	_ resolver.ArchiveUniverse = (*Dir)(nil)
	_ resolver.DialectUniverse = (*Dir)(nil)
	_ resolver.Digester        = (*Dir)(nil)
	_ resolver.ConflictChecker = (*Dir)(nil)
	_ resolver.Licenser        = (*Dir)(nil)
	_ resolver.ContentKeeper   = (*Dir)(nil)
)

// isPackageFile reports whether name is a package pacman would install
// from a repository: .pkg.tar compressed with zstd or xz (older ones).
func isPackageFile(name string) bool {
	return strings.HasSuffix(name, ".pkg.tar.zst") || strings.HasSuffix(name, ".pkg.tar.xz")
}

// OpenDir reads the .PKGINFO of every package file under dir
// (recursively) for arch ("" for the host's).
func OpenDir(dir, arch string) (*Dir, error) {
	if dir == "" {
		return nil, fmt.Errorf("pkg-dir source: no path")
	}
	var paths []string
	err := filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err == nil && e.Type().IsRegular() && isPackageFile(e.Name()) {
			paths = append(paths, path)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("pkg-dir source: %w", err)
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("%s: no .pkg.tar.zst or .pkg.tar.xz files", dir)
	}
	return OpenFiles(paths, arch)
}

// OpenFiles is OpenDir for the given package files.
func OpenFiles(paths []string, arch string) (*Dir, error) {
	d := &Dir{set: newSet(arch), cache: members.NewCache(), archives: map[*resolver.Package]*archive{}}
	archives := make([]*archive, len(paths))
	// Each .PKGINFO is a small decompression, but a directory may hold
	// hundreds: one goroutine per CPU.
	err := parallel.For(len(paths), 0, func(i int) (err error) {
		archives[i] = &archive{path: paths[i], cache: d.cache}
		archives[i].pkg, err = archives[i].readMeta()
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, a := range archives {
		d.archives[d.add(a.pkg)] = a
	}
	d.sort()
	return d, nil
}

// KeepContents makes listing a package keep its file contents for the
// formats to read, so that no payload is decompressed twice.
func (d *Dir) KeepContents() { d.cache.KeepContents() }

// Close releases the kept contents.
func (d *Dir) Close() error {
	d.cache.Close()
	return nil
}

// Path returns the package file p was read from.
func (d *Dir) Path(p *resolver.Package) string { return d.archives[p].path }

// Entries describes p's files with the archive's metadata; regular files
// read their bytes from the spool when listing kept them (KeepContents),
// else out of the archive.
func (d *Dir) Entries(p *resolver.Package) ([]plan.Entry, error) {
	entries, err := d.archives[p].list()
	return slices.Clone(entries), err
}

// Files lists the paths p ships, in archive order; those its .PKGINFO
// backs up are its configuration files.
func (d *Dir) Files(p *resolver.Package) ([]resolver.File, error) {
	a := d.archives[p]
	entries, err := a.list()
	if err != nil {
		return nil, err
	}
	files := make([]resolver.File, len(entries))
	for i, e := range entries {
		files[i] = resolver.File{Path: e.Path, Conffile: slices.Contains(a.pkg.backup, e.Path[1:])}
	}
	return files, nil
}

// Digest is "sha256:" and the SHA-256 of p's package file.
func (d *Dir) Digest(p *resolver.Package) (string, error) {
	sum, _, err := filesum.SHA256(d.archives[p].path)
	if err != nil {
		return "", err
	}
	return "sha256:" + sum, nil
}

// isMetadata reports whether a member is pacman's own (.PKGINFO,
// .BUILDINFO, .MTREE, .INSTALL, .CHANGELOG) rather than a file to
// install: a top-level name starting with ".".
func isMetadata(name string) bool {
	name = strings.TrimPrefix(name, "./")
	return strings.HasPrefix(name, ".") && !strings.Contains(strings.TrimSuffix(name, "/"), "/")
}

// maxPkginfo bounds .PKGINFO: real ones are a few KiB, and the input may
// be hostile.
const maxPkginfo = 4 << 20

// readMeta reads .PKGINFO from the metadata members at the start of the
// archive, where makepkg and repo-add put them.
func (a *archive) readMeta() (*meta, error) {
	s, err := a.stream()
	if err != nil {
		return nil, err
	}
	defer s.Close()
	for {
		h, err := s.Tar.Next()
		if err == io.EOF || err == nil && !isMetadata(h.Name) {
			return nil, a.Errorf("no .PKGINFO before the first file")
		}
		if err != nil {
			return nil, a.Errorf("%w", err)
		}
		if strings.TrimPrefix(h.Name, "./") != ".PKGINFO" {
			continue
		}
		if h.Size > maxPkginfo {
			return nil, a.Errorf(".PKGINFO: %d bytes, more than the %d allowed", h.Size, maxPkginfo)
		}
		m, err := readPkginfo(s.Tar)
		if err != nil {
			return nil, a.Errorf(".PKGINFO: %w", err)
		}
		return m, nil
	}
}
