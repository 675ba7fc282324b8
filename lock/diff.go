package lock

import (
	"fmt"
	"sort"
	"unicode/utf8"

	"github.com/supermin-compile/supermin-compile/plan"
)

// Change is one difference between two lock files: one line of Diff,
// and one object of `lock --check --json`.
type Change struct {
	Op   string `json:"op"`   // "added", "removed" or "changed"
	Kind string `json:"kind"` // "manifest", "kernel", "init", "base", "inline", "package" or "hostfile"
	// Name is the kernel's or the init's version, the package's name or
	// the path; "" for the manifest.
	Name string `json:"name"`
	// NameB64 is the path's exact bytes, base64, when it is not UTF-8
	// (Name then has U+FFFD for each bad byte), as in `list --json`.
	NameB64 []byte `json:"name_b64,omitempty"`
	Version string `json:"version,omitempty"` // a package's version
	// Field is what changed in a "changed" Change ("sha256", "digest",
	// "modules", "link", "mode", "owner"); Old and New are its values, whole.
	Field string `json:"field,omitempty"`
	Old   string `json:"old,omitempty"`
	New   string `json:"new,omitempty"`
	// OldVersion is the init's version before a changed init.
	OldVersion string `json:"old_version,omitempty"`
}

// The values of Change.Op.
const (
	Added   = "added"
	Removed = "removed"
	Changed = "changed"
)

// Diff lists what changed from old to cur, one line each, in a fixed
// order (manifest, kernel, init, base tarballs, inline files, packages,
// host files):
//
//   - libfoo 1.2-3             a package or path that appeared
//   - libfoo 1.2-2             one that went away (a new version is both)
//     ~ /etc/ld.so.cache sha256 1f2e3d4c5b6a -> 0a9b8c7d6e5f
func Diff(old, cur *Lock) []string {
	var out []string
	for _, c := range Drift(old, cur) {
		out = append(out, c.String())
	}
	return out
}

// Drift lists what changed from old to cur, in Diff's order.
func Drift(old, cur *Lock) []Change {
	var out []Change
	if old.Manifest != cur.Manifest {
		out = append(out, Change{Op: Changed, Kind: "manifest", Field: "sha256", Old: old.Manifest, New: cur.Manifest})
	}
	out = append(out, diffKernel(old.Kernel, cur.Kernel)...)
	out = append(out, diffInit(old.Init, cur.Init)...)
	out = append(out, diffKeyed(baseMap(old.Base), baseMap(cur.Base), "base")...)
	out = append(out, diffKeyed(inlineMap(old.Inline), inlineMap(cur.Inline), "inline")...)
	out = append(out, diffPackages(old.Packages, cur.Packages)...)
	out = append(out, diffKeyed(hostMap(old.Hostfiles), hostMap(cur.Hostfiles), "hostfile")...)
	return out
}

// String is the change as `lock --check` prints it: digests shortened,
// paths escaped as `list` prints them, so that each change is one line.
func (c Change) String() string {
	what := c.Name
	switch c.Kind {
	case "manifest":
		what = "manifest"
	case "kernel", "init":
		what = c.Kind + " " + c.Name
	case "base", "inline":
		what = c.Kind + " " + plan.EscapePath(c.Name)
	case "package":
		what = c.Name + " " + c.Version
	case "hostfile":
		what = plan.EscapePath(c.Name)
	}
	switch {
	case c.Op == Added:
		return "+ " + what
	case c.Op == Removed:
		return "- " + what
	case c.Kind == "init":
		return fmt.Sprintf("~ init %s %s -> %s (version %s -> %s)", c.Field, short(c.Old), short(c.New), c.OldVersion, c.Name)
	}
	old, cur := c.Old, c.New
	if c.Field == "link" {
		old, cur = plan.Escape(old), plan.Escape(cur)
	}
	return fmt.Sprintf("~ %s %s %s -> %s", what, c.Field, short(old), short(cur))
}

func diffKernel(a, b *Kernel) []Change {
	switch {
	case a == nil && b == nil:
		return nil
	case a == nil:
		return []Change{{Op: Added, Kind: "kernel", Name: b.Version}}
	case b == nil:
		return []Change{{Op: Removed, Kind: "kernel", Name: a.Version}}
	case a.Version != b.Version:
		return []Change{{Op: Removed, Kind: "kernel", Name: a.Version}, {Op: Added, Kind: "kernel", Name: b.Version}}
	}
	var out []Change
	for _, f := range [][3]string{{"sha256", a.SHA256, b.SHA256}, {"modules", a.Modules, b.Modules}} {
		if f[1] != f[2] {
			out = append(out, Change{Op: Changed, Kind: "kernel", Name: b.Version, Field: f[0], Old: f[1], New: f[2]})
		}
	}
	return out
}

// diffInit compares the init's bytes only: a new version of the tool with
// the same init is no drift.
func diffInit(a, b *Init) []Change {
	switch {
	case a == nil && b == nil:
		return nil
	case a == nil:
		return []Change{{Op: Added, Kind: "init", Name: b.Version}}
	case b == nil:
		return []Change{{Op: Removed, Kind: "init", Name: a.Version}}
	case a.SHA256 != b.SHA256:
		return []Change{{Op: Changed, Kind: "init", Name: b.Version, Field: "sha256", Old: a.SHA256, New: b.SHA256, OldVersion: a.Version}}
	}
	return nil
}

func diffPackages(old, cur []Package) []Change {
	key := func(p Package) string { return p.Name + ":" + p.Arch }
	om, cm := map[string]Package{}, map[string]Package{}
	for _, p := range old {
		om[key(p)] = p
	}
	for _, p := range cur {
		cm[key(p)] = p
	}
	var out []Change
	for _, k := range sortedKeys(om, cm) {
		a, inOld := om[k]
		b, inCur := cm[k]
		switch {
		case inOld && (!inCur || a.Version != b.Version):
			out = append(out, Change{Op: Removed, Kind: "package", Name: a.Name, Version: a.Version})
			if inCur {
				out = append(out, Change{Op: Added, Kind: "package", Name: b.Name, Version: b.Version})
			}
		case !inOld:
			out = append(out, Change{Op: Added, Kind: "package", Name: b.Name, Version: b.Version})
		case a.Digest != b.Digest:
			out = append(out, Change{Op: Changed, Kind: "package", Name: b.Name, Version: b.Version, Field: "digest", Old: a.Digest, New: b.Digest})
		}
	}
	return out
}

// fields is a keyed record compared field by field, in field order.
type fields [][2]string

func baseMap(bs []Base) map[string]fields {
	m := map[string]fields{}
	for _, b := range bs {
		m[b.Path] = fields{{"sha256", b.SHA256}}
	}
	return m
}

func inlineMap(fs []Inline) map[string]fields {
	m := map[string]fields{}
	for _, f := range fs {
		m[f.Path] = fields{{"sha256", f.SHA256}}
	}
	return m
}

func hostMap(hs []HostFile) map[string]fields {
	m := map[string]fields{}
	for _, h := range hs {
		m[h.Path] = fields{{"sha256", h.SHA256}, {"link", h.Link}, {"mode", h.Mode}, {"owner", h.Owner}}
	}
	return m
}

func diffKeyed(old, cur map[string]fields, kind string) []Change {
	var out []Change
	for _, k := range sortedKeys(old, cur) {
		a, inOld := old[k]
		b, inCur := cur[k]
		switch {
		case !inCur:
			out = append(out, Change{Op: Removed, Kind: kind, Name: k, NameB64: nonUTF8(k)})
		case !inOld:
			out = append(out, Change{Op: Added, Kind: kind, Name: k, NameB64: nonUTF8(k)})
		default:
			for i := range a {
				if a[i][1] != b[i][1] {
					out = append(out, Change{Op: Changed, Kind: kind, Name: k, NameB64: nonUTF8(k),
						Field: a[i][0], Old: a[i][1], New: b[i][1]})
				}
			}
		}
	}
	return out
}

func sortedKeys[V any](a, b map[string]V) []string {
	var keys []string
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// nonUTF8 returns the bytes of s when JSON cannot carry it as a string.
func nonUTF8(s string) []byte {
	if utf8.ValidString(s) {
		return nil
	}
	return []byte(s)
}

// short abbreviates digests for diff lines; other values stay whole.
func short(s string) string {
	if len(s) == 64 {
		return s[:12]
	}
	if i := len(s) - 64; i > 0 && s[i-1] == ':' {
		return s[:i] + s[i:i+12]
	}
	if s == "" {
		return `""`
	}
	return s
}
