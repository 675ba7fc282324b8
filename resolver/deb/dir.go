package deb

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/supermin-compile/supermin-compile/internal/parallel"
)

// OpenDir reads the control data of every .deb under dir, recursively
// (source type "deb-dir"). arch is the native architecture; "" means the
// host's. Only the small control member of each archive is read; a file
// that is not a valid .deb is an error naming it. Several versions of a
// package may be present: the resolver picks the highest.
func OpenDir(dir, arch string) (*Universe, error) {
	paths, err := findDebs(dir)
	if err != nil {
		return nil, err
	}
	return OpenArchives(paths, arch)
}

// OpenArchives is OpenDir for the .debs named: those a build --locked
// fetched by the SHA256 its lock file gives, whatever their names.
func OpenArchives(paths []string, arch string) (*Universe, error) {
	native, err := nativeOr(arch)
	if err != nil {
		return nil, err
	}
	u := newUniverse(native)
	items, named, err := openDebs(paths)
	if err != nil {
		return nil, err
	}
	for i, it := range items {
		it.deb.arch.cache = u.cache
		it.deb.path = paths[i]
		u.add(it, named[i])
	}
	u.finish()
	return u, nil
}

// openDebs reads the control data of the .debs from one goroutine per CPU
// (each is a small decompression, but a pool has hundreds), returning them
// in path order with the names their relations mention (builder.named),
// or the error of the first one, in path order, that fails.
func openDebs(paths []string) ([]*item, [][]byte, error) {
	items := make([]*item, len(paths))
	named := make([][]byte, len(paths))
	err := parallel.ForWorkers(len(paths), 0, func() func(int) error {
		b := newBuilder()
		return func(i int) error {
			df, it, err := openDeb(paths[i], b)
			if err != nil {
				return err
			}
			it.deb.arch = &archive{deb: df}
			items[i], named[i] = it, bytes.Clone(b.named)
			return nil
		}
	})
	if err != nil {
		return nil, nil, err
	}
	return items, named, nil
}

// findDebs lists the .deb files under dir in lexical order, following
// symlinks to files (a pool of links is common) but not to directories.
func findDebs(dir string) ([]string, error) {
	if dir == "" {
		return nil, fmt.Errorf("deb-dir source: no path")
	}
	var paths []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(d.Name(), ".deb") {
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			if fi, err := os.Stat(p); err != nil || !fi.Mode().IsRegular() {
				return nil // a dangling link is not a package
			}
		} else if !d.Type().IsRegular() {
			return nil
		}
		paths = append(paths, p)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("deb-dir source: %w", err)
	}
	slices.Sort(paths)
	return paths, nil
}
