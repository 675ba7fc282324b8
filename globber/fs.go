package globber

import (
	"io/fs"
	"os"
	"path/filepath"
)

// FS is what the walker reads. Paths are absolute and "/" separated.
type FS interface {
	ReadDir(dir string) ([]fs.DirEntry, error)
	Lstat(path string) (fs.FileInfo, error)
}

// ReadLinkFS is an FS that can read symlink targets. The walker then
// resolves symlinks itself, inside the FS, so that absolute targets stay
// under the FS root. Without it, symlinked directories are left to the FS
// to resolve when paths through them are accessed.
type ReadLinkFS interface {
	FS
	ReadLink(path string) (string, error)
}

// OSFS returns the host file system rooted at root ("/" for the host
// itself). It implements ReadLinkFS.
func OSFS(root string) FS { return osFS{root: root} }

type osFS struct{ root string }

func (o osFS) host(p string) string { return filepath.Join(o.root, filepath.FromSlash(p)) }

// ReadDir lists dir unsorted; sorting would be wasted work here.
func (o osFS) ReadDir(dir string) ([]fs.DirEntry, error) {
	f, err := os.Open(o.host(dir))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.ReadDir(-1)
}

func (o osFS) Lstat(p string) (fs.FileInfo, error) { return os.Lstat(o.host(p)) }

func (o osFS) ReadLink(p string) (string, error) { return os.Readlink(o.host(p)) }
