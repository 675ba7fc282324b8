package rpm

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/supermin-compile/supermin-compile/internal/members"
	"github.com/supermin-compile/supermin-compile/plan"
	"github.com/supermin-compile/supermin-compile/resolver"
)

// archive is one .rpm file whose payload the member cache streams.
type archive struct {
	path   string
	offset int64 // of the payload
	pkg    *meta
	cache  *members.Cache

	once  sync.Once
	err   error
	index map[string]int // path -> payload member index, members with data
}

func (a *archive) Stream() (members.Stream, error) {
	s, err := openPayload(a.path, a.offset)
	if err != nil {
		return nil, a.Errorf("%w", err)
	}
	return s, nil
}

func (a *archive) Errorf(format string, args ...any) error {
	return fmt.Errorf("%s: %w", a.path, fmt.Errorf(format, args...))
}

// list reads the payload once to learn which member holds each file's
// bytes: the header's order differs from the payload's (hard links come
// last, %ghost files are absent). The contents are kept on the way.
func (a *archive) list() error {
	a.once.Do(func() { a.err = a.scan() })
	return a.err
}

func (a *archive) scan() error {
	s, err := openPayload(a.path, a.offset)
	if err != nil {
		return a.Errorf("%w", err)
	}
	defer s.Close()
	a.index = map[string]int{}
	for i := 0; ; i++ {
		name, size, err := s.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return a.Errorf("payload: %w", err)
		}
		if size == 0 {
			continue
		}
		p, err := plan.MemberPath(name)
		if err != nil {
			return a.Errorf("payload: %w", err)
		}
		a.index[p] = i
		if len(a.index) > len(a.pkg.files) { // damaged, or a bomb of tiny members
			return a.Errorf("payload: more files than the %d the header lists", len(a.pkg.files))
		}
		if err := a.cache.Keep(a, i, size, s); err != nil {
			return a.Errorf("payload: %s: %w", name, err)
		}
	}
	return nil
}

// archives is what Dir and Repos share: a set of packages, each with an
// .rpm file that archive gives (at hand, or fetched and verified on first
// use), whose payloads the member cache streams.
type archives struct {
	*set
	archive    func(*resolver.Package) (*archive, error)
	cache      *members.Cache
	ownersOnce sync.Once
	ids        *owners
	idsErr     error
}

func newArchives(s *set, archive func(*resolver.Package) (*archive, error)) *archives {
	return &archives{set: s, archive: archive, cache: members.NewCache()}
}

// KeepContents makes listing a package keep its file contents for the
// formats to read, so that no payload is decompressed twice.
func (d *archives) KeepContents() { d.cache.KeepContents() }

// Close releases the kept contents.
func (d *archives) Close() error {
	d.cache.Close()
	return nil
}

// Entries describes p's files with its header's metadata; regular files
// read their bytes from the spool when listing kept them (KeepContents),
// else out of the payload. Of a hard-link group the first
// file in header order is the Regular entry, the others link to it.
func (d *archives) Entries(p *resolver.Package) ([]plan.Entry, error) {
	a, err := d.archive(p)
	if err != nil {
		return nil, err
	}
	if err := a.list(); err != nil {
		return nil, err
	}
	ids, err := d.owners()
	if err != nil {
		return nil, err
	}
	groups := linkGroups(a.pkg.files)
	var out []plan.Entry
	var budget members.Budget
	for i, f := range a.pkg.files {
		if f.flags&fileGhost != 0 {
			continue
		}
		e, err := a.entry(f, ids)
		if err != nil {
			return nil, a.Errorf("%s: %w", f.path, err)
		}
		if g := groups[i]; g != nil && g[0] != i {
			e = plan.Entry{Path: f.path, Type: plan.Hardlink, Link: a.pkg.files[g[0]].path, Mode: e.Mode, UID: e.UID, GID: e.GID, MTime: e.MTime}
		} else if e.Type == plan.Regular && e.Size > 0 {
			if e.Src, err = a.source(f, g); err != nil {
				return nil, err
			}
		}
		if err := budget.Spend(&e); err != nil {
			return nil, a.Errorf("%w", err)
		}
		out = append(out, e)
	}
	return out, nil
}

func (a *archive) entry(f file, ids *owners) (plan.Entry, error) {
	typ, perm, err := plan.FromUnixMode(uint32(f.mode))
	if err != nil {
		return plan.Entry{}, err
	}
	e := plan.Entry{Path: f.path, Type: typ, Mode: perm, UID: ids.user(f.user), GID: ids.group(f.group), MTime: time.Unix(f.mtime, 0)}
	switch typ {
	case plan.Regular:
		e.Size = f.size
	case plan.Symlink:
		e.Link = f.link
	case plan.CharDev, plan.BlockDev:
		e.Rdev = uint64(f.rdev) // rpm stores the kernel's old 16-bit encoding, which Mkdev reads the same
	}
	return e, nil
}

// source finds the payload member holding f's bytes: its own, or for a
// hard-link group, whichever link carries the data (the last one).
func (a *archive) source(f file, group []int) (plan.Source, error) {
	names := []string{f.path}
	for _, i := range group {
		names = append(names, a.pkg.files[i].path)
	}
	for _, n := range names {
		if i, ok := a.index[n]; ok {
			return &members.Source{Cache: a.cache, Archive: a, Index: i, Name: "." + n, Label: a.path}, nil
		}
	}
	return nil, a.Errorf("%s: no data in the payload", f.path)
}

// linkGroups maps each file of a hard-link group (regular files sharing
// a device and inode number) to the group's indexes, in header order.
func linkGroups(files []file) map[int][]int {
	type key struct{ dev, inode int64 }
	byInode := map[key][]int{}
	for i, f := range files {
		if f.mode&plan.S_IFMT == plan.S_IFREG && f.inode != 0 && f.flags&fileGhost == 0 {
			k := key{f.dev, f.inode}
			byInode[k] = append(byInode[k], i)
		}
	}
	out := map[int][]int{}
	for _, g := range byInode {
		if len(g) > 1 {
			for _, i := range g {
				out[i] = g
			}
		}
	}
	return out
}
