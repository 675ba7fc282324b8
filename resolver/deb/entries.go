package deb

import (
	"archive/tar"
	"fmt"
	"path"
	"slices"

	"github.com/supermin-compile/supermin-compile/internal/members"
	"github.com/supermin-compile/supermin-compile/plan"
	"github.com/supermin-compile/supermin-compile/resolver"
)

// Entries describes the data.tar members of p's archive with the
// archive's metadata; each regular file's Src reads its bytes from the
// spool when listing kept them (KeepContents), else out of the archive.
func (u *Universe) Entries(p *resolver.Package) ([]plan.Entry, error) {
	a, _, err := u.open(p)
	if err != nil {
		return nil, err
	}
	entries, err := a.list()
	if err != nil {
		return nil, err
	}
	return slices.Clone(entries), nil
}

// Files lists the paths p ships, in archive order, without the root.
func (u *Universe) Files(p *resolver.Package) ([]resolver.File, error) {
	a, d, err := u.open(p)
	if err != nil {
		return nil, err
	}
	entries, err := a.list()
	if err != nil {
		return nil, err
	}
	conf := map[string]bool{}
	for _, c := range d.conffiles {
		conf[path.Clean(c)] = true
	}
	files := make([]resolver.File, 0, len(entries))
	for _, e := range entries {
		if e.Path != "/" {
			files = append(files, resolver.File{Path: e.Path, Conffile: conf[e.Path]})
		}
	}
	return files, nil
}

// lister turns tar headers into entries, in archive order.
type lister struct {
	a       *archive
	index   int             // of the next header, as the member stream counts them
	regular map[string]bool // regular files so far: hard-link targets
	entries []plan.Entry
	budget  members.Budget
}

func newLister(a *archive) *lister { return &lister{a: a, regular: map[string]bool{}} }

func (l *lister) add(h *tar.Header) error {
	index := l.index
	l.index++
	if h.Typeflag == tar.TypeXGlobalHeader {
		return nil // PAX defaults, not a file
	}
	e, err := l.entry(h, index)
	if err == nil {
		err = l.budget.Spend(&e)
	}
	if err != nil {
		return err
	}
	if e.Type == plan.Regular {
		l.regular[e.Path] = true
	}
	l.entries = append(l.entries, e)
	return nil
}

func (l *lister) entry(h *tar.Header, index int) (plan.Entry, error) {
	e, err := plan.FromTar(h)
	if err != nil {
		return e, err
	}
	switch {
	case e.Type == plan.Regular && e.Size > 0:
		e.Src = &members.Source{Cache: l.a.cache, Archive: l.a, Index: index, Name: h.Name, Label: l.a.deb.path}
	case e.Type == plan.Hardlink && !l.regular[e.Link]:
		return e, fmt.Errorf("hard link to %q, which is not an earlier regular file", h.Linkname)
	}
	return e, nil
}
