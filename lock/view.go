package lock

import (
	"fmt"
	"sort"

	"github.com/supermin-compile/supermin-compile/plan"
)

// View is what `diff` compares: the packages (name:arch -> version) and
// the paths (path -> "type mode uid:gid size[ -> link]") of an appliance.
// Paths and links are escaped as `list` prints them: the changes print
// one a line, and escaping loses nothing, so equal names stay equal.
// A nil map means the input does not say (a lock file records packages
// but not every path; a list --json records paths but not packages).
type View struct {
	Packages map[string]string
	Paths    map[string]string
}

// PlanView describes a planned appliance.
func PlanView(p *plan.Plan, pkgs map[string]string) *View {
	v := &View{Packages: pkgs, Paths: map[string]string{}}
	for i := range p.Entries {
		e := &p.Entries[i]
		v.Paths[plan.EscapePath(e.Path)] = describe(e.Type.String(), fmt.Sprintf("%04o", e.Perm()), e.UID, e.GID, e.Size, e.Link)
	}
	return v
}

// ListView describes the output of `list --json`.
func ListView(entries []plan.ListEntry) *View {
	v := &View{Paths: map[string]string{}}
	for _, e := range entries {
		v.Paths[plan.EscapePath(e.Path)] = describe(e.Type, e.Mode, e.UID, e.GID, e.Size, e.Link)
	}
	return v
}

// LockView describes a lock file: its packages.
func LockView(l *Lock) *View {
	v := &View{Packages: map[string]string{}}
	for _, p := range l.Packages {
		v.Packages[p.Name+":"+p.Arch] = p.Version
	}
	return v
}

func describe(typ, mode string, uid, gid uint32, size int64, link string) string {
	s := fmt.Sprintf("%s %s %d:%d %d", typ, mode, uid, gid, size)
	if link != "" {
		s += " -> " + plan.Escape(link)
	}
	return s
}

// Changes is the difference between two views.
type Changes struct {
	Packages Delta `json:"packages"`
	Paths    Delta `json:"paths"`
}

// Delta lists added, removed and changed keys, each sorted.
type Delta struct {
	Added   []string `json:"added"`
	Removed []string `json:"removed"`
	Changed []string `json:"changed"` // "key: old -> new"
}

// Empty reports whether nothing changed.
func (c *Changes) Empty() bool {
	return len(c.Packages.Added)+len(c.Packages.Removed)+len(c.Packages.Changed)+
		len(c.Paths.Added)+len(c.Paths.Removed)+len(c.Paths.Changed) == 0
}

// Compare compares what both views know: packages when both list them,
// paths when both list them.
func Compare(a, b *View) *Changes {
	c := &Changes{Packages: delta(nil, nil, nil), Paths: delta(nil, nil, nil)}
	if a.Packages != nil && b.Packages != nil {
		c.Packages = delta(a.Packages, b.Packages, func(k, v string) string { return k + " " + v })
	}
	if a.Paths != nil && b.Paths != nil {
		c.Paths = delta(a.Paths, b.Paths, func(k, _ string) string { return k })
	}
	return c
}

func delta(a, b map[string]string, show func(k, v string) string) Delta {
	d := Delta{Added: []string{}, Removed: []string{}, Changed: []string{}}
	for _, k := range sortedKeys(a, b) {
		va, inA := a[k]
		vb, inB := b[k]
		switch {
		case !inB:
			d.Removed = append(d.Removed, show(k, va))
		case !inA:
			d.Added = append(d.Added, show(k, vb))
		case va != vb:
			d.Changed = append(d.Changed, fmt.Sprintf("%s: %s -> %s", k, va, vb))
		}
	}
	return d
}

// Lines prints the changes as "+ ", "- " and "~ " lines, packages first.
func (c *Changes) Lines() []string {
	var out []string
	for _, d := range []Delta{c.Packages, c.Paths} {
		lines := make([]string, 0, len(d.Added)+len(d.Removed)+len(d.Changed))
		for _, s := range d.Removed {
			lines = append(lines, "- "+s)
		}
		for _, s := range d.Added {
			lines = append(lines, "+ "+s)
		}
		for _, s := range d.Changed {
			lines = append(lines, "~ "+s)
		}
		sort.SliceStable(lines, func(i, j int) bool { return lines[i][2:] < lines[j][2:] })
		out = append(out, lines...)
	}
	return out
}
