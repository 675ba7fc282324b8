package globber

import (
	"io/fs"
	"strings"
)

// maxSymlinks bounds symlink resolution, as the kernel's ELOOP does.
const maxSymlinks = 40

// realDir resolves the symlink at real (whose parent is already a real
// path) inside the FS, component by component, so that absolute targets
// and ".." stay under the FS root. It reports false if the chain dangles,
// loops or ends in something other than a directory.
func (w *walker) realDir(logical, real string) (string, bool, error) {
	dir, rest := parentPath(real), real[strings.LastIndexByte(real, '/')+1:]
	isDir, hops := false, 0
	for rest != "" {
		var name string
		name, rest = cutName(rest)
		switch name {
		case "", ".":
			isDir = true
			continue
		case "..":
			dir, isDir = parentPath(dir), true
			continue
		}
		p := joinPath(dir, name)
		fi, err := w.fsys.Lstat(p)
		if err != nil {
			return "", false, w.linkErr(logical, err)
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			if isDir = fi.IsDir(); !isDir && rest != "" {
				return "", false, nil
			}
			dir = p
			continue
		}
		if hops++; hops > maxSymlinks {
			return "", false, nil
		}
		target, err := w.links.ReadLink(p)
		if err != nil || target == "" {
			return "", false, w.linkErr(logical, err)
		}
		if target[0] == '/' {
			dir = "/"
		}
		rest = joinRest(target, rest)
	}
	return dir, isDir, nil
}

// joinRest puts a link target in front of the components still to resolve.
func joinRest(target, rest string) string {
	if rest == "" {
		return target
	}
	return target + "/" + rest
}

// linkErr drops errors that just mean the link dangles.
func (w *walker) linkErr(logical string, err error) error {
	if err == nil || w.skip("resolve", logical, err) {
		return nil
	}
	return describe("resolving symlink", logical, err)
}
