package planner

import (
	"io/fs"
	"path/filepath"
	"strings"
	"sync/atomic"

	"github.com/supermin-compile/supermin-compile/globber"
	"github.com/supermin-compile/supermin-compile/internal/outdir"
)

// outputGuard hides a build's own output from the host-file walk: the
// output directory (with its marker) and its staging siblings are never
// inputs, or each build would copy the previous one into the next.
type outputGuard struct {
	globber.ReadLinkFS
	out, parent, base string
	hit               atomic.Bool // a pattern reached the output
}

func newOutputGuard(fsys globber.FS, output string) *outputGuard {
	if output == "" {
		return &outputGuard{ReadLinkFS: fsys.(globber.ReadLinkFS)}
	}
	out := outdir.Canonical(output)
	return &outputGuard{ReadLinkFS: fsys.(globber.ReadLinkFS), out: out, parent: filepath.Dir(out), base: filepath.Base(out)}
}

// guarded reports whether p is the output, a staging sibling of it, or
// inside one of them.
func (g *outputGuard) guarded(p string) bool {
	if g.out == "" {
		return false
	}
	if outdir.Within(p, g.out) {
		return true
	}
	rel, ok := strings.CutPrefix(p, strings.TrimSuffix(g.parent, "/")+"/")
	name, _, _ := strings.Cut(rel, "/")
	_, staging := outdir.Staging(name, g.base)
	return ok && staging
}

// ReadDir lists nothing inside a guarded directory: a pattern wanted
// its contents.
func (g *outputGuard) ReadDir(dir string) ([]fs.DirEntry, error) {
	if g.guarded(dir) {
		g.hit.Store(true)
		return nil, nil
	}
	return g.ReadLinkFS.ReadDir(dir)
}

// Lstat finds nothing below a guarded directory, for literal patterns.
func (g *outputGuard) Lstat(p string) (fs.FileInfo, error) {
	if g.guarded(p) && p != g.out && !g.isStagingDir(p) {
		g.hit.Store(true)
		return nil, fs.ErrNotExist
	}
	return g.ReadLinkFS.Lstat(p)
}

func (g *outputGuard) isStagingDir(p string) bool {
	_, staging := outdir.Staging(filepath.Base(p), g.base)
	return filepath.Dir(p) == g.parent && staging
}

// filter drops matches of the guarded directories themselves.
func (g *outputGuard) filter(ms []globber.Match) []globber.Match {
	kept := ms[:0]
	for _, m := range ms {
		if g.guarded(m.Path) {
			g.hit.Store(true)
			continue
		}
		kept = append(kept, m)
	}
	return kept
}
