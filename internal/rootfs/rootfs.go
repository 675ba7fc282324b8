// Package rootfs looks up paths in a directory tree that is another
// system's root, as a process chrooted into it would: a symlink's absolute
// target is relative to the tree's root, and ".." stops at it. No lookup
// leaves the tree, whatever its links say, and the build host's own
// layout (its /var/run -> /run, say) plays no part.
package rootfs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"
)

// maxHops is how many symlinks one lookup follows before it gives up, as
// the kernel's ELOOP does (40 is Linux's limit).
const maxHops = 40

// Tree is the root of another system. It caches the directories it has
// resolved; it is not safe for concurrent use.
type Tree struct {
	root string
	dirs map[string]string // directory path in the tree -> its resolved path
}

// New returns the tree rooted at host directory root.
func New(root string) *Tree {
	return &Tree{root: strings.TrimSuffix(root, "/"), dirs: map[string]string{}}
}

// Lpath is the host path of p, an absolute path in the tree, with every
// directory on the way resolved inside the tree and the last component not
// followed: what lstat(2) of p would see inside the tree.
func (t *Tree) Lpath(p string) (string, error) {
	p = path.Clean("/" + p)
	if p == "/" {
		return t.host("/"), nil
	}
	dir, err := t.resolveDir(path.Dir(p))
	if err != nil {
		return "", err
	}
	return t.host(path.Join(dir, path.Base(p))), nil
}

// Path is the host path of p with its last component followed too: what
// stat(2) of p would see inside the tree.
func (t *Tree) Path(p string) (string, error) {
	resolved, err := t.resolve(path.Clean("/"+p), true)
	if err != nil {
		return "", err
	}
	return t.host(resolved), nil
}

func (t *Tree) host(p string) string { return t.root + p }

func (t *Tree) resolveDir(dir string) (string, error) {
	if r, ok := t.dirs[dir]; ok {
		return r, nil
	}
	r, err := t.resolve(dir, true)
	if err == nil {
		t.dirs[dir] = r
	}
	return r, err
}

// resolve walks p (absolute) one component at a time from the tree's
// root, following symlinks (the last one only when followLast), and returns
// the path inside the tree it names. A component that does not exist ends
// the walk: the rest is taken as written, and the caller's lstat says
// ENOENT.
func (t *Tree) resolve(p string, followLast bool) (string, error) {
	resolved, rest, hops := "/", p, 0
	for rest != "" {
		var name string
		name, rest, _ = strings.Cut(strings.TrimLeft(rest, "/"), "/")
		switch name {
		case "", ".":
			continue
		case "..":
			resolved = path.Dir(resolved) // resolved holds no symlink: lexical is right
			continue
		}
		next := path.Join(resolved, name)
		if rest == "" && !followLast {
			return next, nil
		}
		fi, err := os.Lstat(t.host(next))
		if errors.Is(err, fs.ErrNotExist) {
			return path.Join(next, rest), nil
		}
		if err != nil {
			return "", err
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			resolved = next
			continue
		}
		if hops++; hops > maxHops {
			return "", fmt.Errorf("%s: too many levels of symbolic links inside %s", p, t.root)
		}
		target, err := os.Readlink(t.host(next))
		if err != nil {
			return "", err
		}
		if strings.HasPrefix(target, "/") {
			resolved = "/"
		}
		rest = target + "/" + rest
	}
	return resolved, nil
}
