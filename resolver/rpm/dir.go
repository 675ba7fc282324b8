package rpm

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/supermin-compile/supermin-compile/internal/filesum"
	"github.com/supermin-compile/supermin-compile/resolver"
)

// Dir is a directory of .rpm files: headers are read when it is opened,
// payloads when a package's files are listed or read.
type Dir struct {
	*archives
	files map[*resolver.Package]*archive
}

var (
	_ resolver.ArchiveUniverse = (*Dir)(nil)
	_ resolver.DialectUniverse = (*Dir)(nil)
	_ resolver.Digester        = (*Dir)(nil)
	_ resolver.ConflictChecker = (*Dir)(nil)
	_ resolver.Licenser        = (*Dir)(nil)
	_ resolver.ContentKeeper   = (*Dir)(nil)
)

// OpenDir reads the headers of every .rpm under dir (recursively) for
// arch ("" for the host's). Source packages are skipped.
func OpenDir(dir, arch string) (*Dir, error) {
	var paths []string
	err := filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() && strings.HasSuffix(path, ".rpm") {
			paths = append(paths, path)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("%s: no .rpm files", dir)
	}
	return OpenFiles(paths, arch)
}

// OpenFiles is OpenDir for the given .rpm files: the archives a lock file
// pins, say, wherever the download cache keeps them.
func OpenFiles(paths []string, arch string) (*Dir, error) {
	d := &Dir{files: map[*resolver.Package]*archive{}}
	d.archives = newArchives(newSet(arch), func(p *resolver.Package) (*archive, error) { return d.files[p], nil })
	for _, path := range paths {
		m, offset, err := readFileMeta(path)
		if err != nil {
			return nil, err
		}
		if p := d.add(m); p != nil {
			d.files[p] = &archive{path: path, offset: offset, pkg: m, cache: d.cache}
		}
	}
	d.addFileProvides()
	return d, nil
}

func readFileMeta(path string) (*meta, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	h, offset, err := readFileHeaders(f)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", path, err)
	}
	m, err := readMeta(h)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", path, err)
	}
	return m, offset, nil
}

// Files lists p's paths from its header.
func (d *Dir) Files(p *resolver.Package) ([]resolver.File, error) { return d.set.files(p, ""), nil }

// Path returns the .rpm file p was read from.
func (d *Dir) Path(p *resolver.Package) string { return d.files[p].path }

// Digest is "sha256:" and the SHA-256 of p's .rpm file.
func (d *Dir) Digest(p *resolver.Package) (string, error) { return fileDigest(d.files[p].path) }

// fileDigest is "sha256:" and the SHA-256 of the file at path.
func fileDigest(path string) (string, error) {
	sum, _, err := filesum.SHA256(path)
	if err != nil {
		return "", err
	}
	return "sha256:" + sum, nil
}
