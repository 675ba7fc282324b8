package planner

import (
	"fmt"
	"os"
	"path"
	"sort"
	"syscall"
	"time"

	"github.com/supermin-compile/supermin-compile/internal/rootfs"
	"github.com/supermin-compile/supermin-compile/plan"
)

// Layer is one group of entries; later layers override earlier ones for the
// same path (packages, then hostfiles, then base tarballs, then inline files).
type Layer []plan.Entry

// Merger assembles layers into a Plan. Parent directories that no layer
// gives are taken from the tree at Root when they exist there (so a
// merged-/usr symlink like /lib -> usr/lib comes along), else synthesised.
// Root is the layout of the system the appliance is made from: the build
// host ("/"), an installed database's root (its links resolved inside it,
// never through the build host's), or "" when the layers alone say it.
type Merger struct {
	Root  string    // tree for missing parents ("/" the host; "" = synthesise them all)
	Epoch time.Time // mtime of synthesised directories

	implied map[string]bool // paths added as parents, not given by a layer
	tree    *rootfs.Tree    // Root, when it is not the host's
}

// Merge builds the Plan from layers.
func (m *Merger) Merge(layers ...Layer) *plan.Plan {
	byPath := map[string]plan.Entry{}
	m.implied = map[string]bool{}
	if m.Root != "" && path.Clean(m.Root) != "/" {
		m.tree = rootfs.New(m.Root)
	}
	for _, l := range layers {
		for _, e := range l {
			byPath[e.Path] = e
		}
	}
	if _, ok := byPath["/"]; !ok {
		byPath["/"] = m.parent("/")
		m.implied["/"] = true
	}
	for changed := true; changed; {
		changed = m.addParents(byPath)
		changed = m.addLinkTargets(byPath) || changed
		changed = m.relocate(byPath) || changed
	}
	followMoves(byPath)
	p := &plan.Plan{Entries: make([]plan.Entry, 0, len(byPath))}
	for _, e := range byPath {
		p.Entries = append(p.Entries, e)
	}
	plan.Sort(p.Entries)
	linkHardlinks(p.Entries)
	plan.NormalizeLinks(p) // whatever the order of its names in the layer
	return p
}

// followMoves points each hard link at the real path of its file, which
// relocate may have moved from under a symlink to a directory, as
// link(2) would resolve the name.
func followMoves(byPath map[string]plan.Entry) {
	for p, e := range byPath {
		if e.Type != plan.Hardlink || !path.IsAbs(e.Link) {
			continue
		}
		if dir, ok := resolveDir(byPath, path.Dir(e.Link)); ok && dir != path.Dir(e.Link) {
			e.Link = path.Join(dir, path.Base(e.Link))
			byPath[p] = e
		}
	}
}

// addParents adds every missing ancestor directory; it reports whether it
// added any.
func (m *Merger) addParents(byPath map[string]plan.Entry) bool {
	var missing []string
	for p := range byPath {
		for d := path.Dir(p); ; d = path.Dir(d) {
			if _, ok := byPath[d]; ok {
				break
			}
			missing = append(missing, d)
			byPath[d] = plan.Entry{} // placeholder, filled below
			if d == "/" {
				break
			}
		}
	}
	for _, d := range missing {
		byPath[d] = m.parent(d)
		m.implied[d] = true
	}
	return len(missing) > 0
}

// addLinkTargets adds the target of every symlink that points at a
// directory on the host (such as /var/lock -> /run/lock) when the Plan lacks
// it, so that the link does not dangle in the appliance, as supermin does.
// It reports whether it added any.
func (m *Merger) addLinkTargets(byPath map[string]plan.Entry) bool {
	var targets []string
	for p, e := range byPath {
		if e.Type != plan.Symlink {
			continue
		}
		t := e.Link
		if !path.IsAbs(t) {
			t = path.Join(path.Dir(p), t)
		}
		t = path.Clean(t)
		if _, ok := byPath[t]; ok {
			continue
		}
		if m.Root == "" {
			continue
		}
		if fi, err := m.stat(t); err == nil && fi.IsDir() {
			targets = append(targets, t)
		}
	}
	for _, t := range targets {
		if _, ok := byPath[t]; !ok {
			byPath[t] = m.parent(t)
			m.implied[t] = true
		}
	}
	return len(targets) > 0
}

// parent describes directory d from the host, or synthesises it.
func (m *Merger) parent(d string) plan.Entry {
	if m.Root == "" {
		return plan.Entry{Path: d, Type: plan.Dir, Mode: 0o755, MTime: m.Epoch, Origin: plan.FromParent}
	}
	if hp, err := m.lpath(d); err == nil {
		if e, err := hostEntry(hp, d, plan.FromHost); err == nil && (e.Type == plan.Dir || e.Type == plan.Symlink) {
			return e
		}
	}
	return plan.Entry{Path: d, Type: plan.Dir, Mode: 0o755, MTime: m.Epoch, Origin: plan.FromParent}
}

// lpath is where p of the Root tree is on the build host, its last
// component not followed.
func (m *Merger) lpath(p string) (string, error) {
	if m.tree == nil {
		return path.Join(m.Root, p), nil
	}
	return m.tree.Lpath(p)
}

// stat is stat(2) of p in the Root tree.
func (m *Merger) stat(p string) (os.FileInfo, error) {
	if m.tree == nil {
		return os.Stat(path.Join(m.Root, p))
	}
	hp, err := m.tree.Path(p)
	if err != nil {
		return nil, err
	}
	return os.Lstat(hp)
}

// relocate moves entries whose path crosses a symlink to a directory (such
// as /lib -> usr/lib) under the real directory, as the kernel would resolve
// them; an entry a layer gave at the real path wins over the moved one. It reports whether it moved
// any. A symlink's target directory missing from the Plan is added, as
// supermin does.
func (m *Merger) relocate(byPath map[string]plan.Entry) bool {
	paths := make([]string, 0, len(byPath))
	for p := range byPath {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	moved := false
	for _, p := range paths {
		dir, ok := resolveDir(byPath, path.Dir(p))
		if !ok || dir == path.Dir(p) {
			continue
		}
		if _, ok := byPath[dir]; !ok {
			byPath[dir] = m.parent(dir)
			m.implied[dir] = true
		}
		e := byPath[p]
		delete(byPath, p)
		e.Path = path.Join(dir, path.Base(p))
		if _, exists := byPath[e.Path]; !exists || m.implied[e.Path] {
			byPath[e.Path] = e
			delete(m.implied, e.Path)
		}
		moved = true
	}
	return moved
}

// resolveDir follows symlinks in the Plan along dir's components. It fails
// on a symlink loop, or when dir resolves to something that is not a
// directory; a resolved path absent from the Plan counts as a directory.
func resolveDir(byPath map[string]plan.Entry, dir string) (string, bool) {
	resolved := "/"
	rest := dir
	for hops := 0; rest != "/" && rest != ""; {
		var name string
		name, rest = splitFirst(rest)
		next := path.Join(resolved, name)
		e, ok := byPath[next]
		if !ok || e.Type != plan.Symlink {
			resolved = next
			continue
		}
		if hops++; hops > 40 {
			return "", false
		}
		target := e.Link
		if !path.IsAbs(target) {
			target = path.Join(resolved, target)
		}
		rest = path.Join(path.Clean(target), rest)
		resolved = "/"
	}
	if e, ok := byPath[resolved]; ok && e.Type != plan.Dir {
		return "", false
	}
	return resolved, true
}

// splitFirst splits "/a/b/c" into "a" and "/b/c".
func splitFirst(p string) (string, string) {
	p = p[1:]
	for i := 0; i < len(p); i++ {
		if p[i] == '/' {
			return p[:i], p[i:]
		}
	}
	return p, "/"
}

// linkHardlinks turns host files that share an inode into one Regular entry
// (the first path) and Hardlink entries pointing at it.
func linkHardlinks(entries []plan.Entry) {
	first := map[inode]string{}
	for i := range entries {
		e := &entries[i]
		id, ok := e.Src.(hostInode)
		if !ok || e.Type != plan.Regular || id.nlink < 2 {
			continue
		}
		if target, seen := first[id.inode]; seen {
			e.Type, e.Link, e.Size, e.Src = plan.Hardlink, target, 0, nil
			continue
		}
		first[id.inode] = e.Path
	}
}

type inode struct{ dev, ino uint64 }

// hostInode is a HostFile that remembers its inode for hard-link detection.
type hostInode struct {
	plan.HostFile
	inode
	nlink uint64
}

var _ plan.HostBacked = hostInode{}

// HostEntry describes the host file root+p by lstat, as entry p.
func HostEntry(root, p string, origin plan.Origin) (plan.Entry, error) {
	return hostEntry(path.Join(root, p), p, origin)
}

// hostEntry describes host file hp by lstat, as entry p.
func hostEntry(hp, p string, origin plan.Origin) (plan.Entry, error) {
	fi, err := os.Lstat(hp)
	if err != nil {
		return plan.Entry{}, err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return plan.Entry{}, fmt.Errorf("lstat %s: no stat_t", hp)
	}
	e := plan.Entry{
		Path: p, Type: plan.TypeOf(fi.Mode()), Mode: fi.Mode() & (os.ModePerm | os.ModeSetuid | os.ModeSetgid | os.ModeSticky),
		UID: st.Uid, GID: st.Gid, MTime: fi.ModTime(), Origin: origin,
	}
	switch e.Type {
	case plan.Regular:
		if e.Xattrs, err = hostXattrs(hp); err != nil {
			return plan.Entry{}, fmt.Errorf("extended attributes of %s: %w", hp, err)
		}
		e.Size = fi.Size()
		e.Src = hostInode{plan.HostFile(hp), inode{uint64(st.Dev), st.Ino}, uint64(st.Nlink)}
	case plan.Symlink:
		if e.Link, err = os.Readlink(hp); err != nil {
			return plan.Entry{}, err
		}
	case plan.CharDev, plan.BlockDev:
		e.Rdev = uint64(st.Rdev)
	}
	return e, nil
}
