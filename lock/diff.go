package lock

import (
	"fmt"
	"sort"

	"github.com/supermin-compile/supermin-compile/plan"
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
	change := func(what, field, a, b string) {
		if a != b {
			out = append(out, fmt.Sprintf("~ %s %s %s -> %s", what, field, short(a), short(b)))
		}
	}
	change("manifest", "sha256", old.Manifest, cur.Manifest)
	out = append(out, diffKernel(old.Kernel, cur.Kernel)...)
	out = append(out, diffInit(old.Init, cur.Init)...)
	out = append(out, diffKeyed(baseMap(old.Base), baseMap(cur.Base), "base ")...)
	out = append(out, diffKeyed(inlineMap(old.Inline), inlineMap(cur.Inline), "inline ")...)
	out = append(out, diffPackages(old.Packages, cur.Packages)...)
	out = append(out, diffKeyed(hostMap(old.Hostfiles), hostMap(cur.Hostfiles), "")...)
	return out
}

func diffKernel(a, b *Kernel) []string {
	switch {
	case a == nil && b == nil:
		return nil
	case a == nil:
		return []string{"+ kernel " + b.Version}
	case b == nil:
		return []string{"- kernel " + a.Version}
	case a.Version != b.Version:
		return []string{"- kernel " + a.Version, "+ kernel " + b.Version}
	}
	var out []string
	for _, f := range [][3]string{{"sha256", a.SHA256, b.SHA256}, {"modules", a.Modules, b.Modules}} {
		if f[1] != f[2] {
			out = append(out, fmt.Sprintf("~ kernel %s %s %s -> %s", b.Version, f[0], short(f[1]), short(f[2])))
		}
	}
	return out
}

// diffInit compares the init's bytes only: a new version of the tool with
// the same init is no drift.
func diffInit(a, b *Init) []string {
	switch {
	case a == nil && b == nil:
		return nil
	case a == nil:
		return []string{"+ init " + b.Version}
	case b == nil:
		return []string{"- init " + a.Version}
	case a.SHA256 != b.SHA256:
		return []string{fmt.Sprintf("~ init sha256 %s -> %s (version %s -> %s)", short(a.SHA256), short(b.SHA256), a.Version, b.Version)}
	}
	return nil
}

func diffPackages(old, cur []Package) []string {
	key := func(p Package) string { return p.Name + ":" + p.Arch }
	om, cm := map[string]Package{}, map[string]Package{}
	for _, p := range old {
		om[key(p)] = p
	}
	for _, p := range cur {
		cm[key(p)] = p
	}
	var out []string
	for _, k := range sortedKeys(om, cm) {
		a, inOld := om[k]
		b, inCur := cm[k]
		switch {
		case inOld && (!inCur || a.Version != b.Version):
			out = append(out, "- "+a.Name+" "+a.Version)
			if inCur {
				out = append(out, "+ "+b.Name+" "+b.Version)
			}
		case !inOld:
			out = append(out, "+ "+b.Name+" "+b.Version)
		case a.Digest != b.Digest:
			out = append(out, fmt.Sprintf("~ %s %s digest %s -> %s", b.Name, b.Version, short(a.Digest), short(b.Digest)))
		}
	}
	return out
}

// fields is a keyed record compared field by field, in field order. Paths
// are escaped as `list` prints them, so that each change is one line.
type fields [][2]string

func baseMap(bs []Base) map[string]fields {
	m := map[string]fields{}
	for _, b := range bs {
		m[plan.EscapePath(b.Path)] = fields{{"sha256", b.SHA256}}
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
		m[plan.EscapePath(h.Path)] = fields{{"sha256", h.SHA256}, {"link", plan.Escape(h.Link)}, {"mode", h.Mode}, {"owner", h.Owner}}
	}
	return m
}

func diffKeyed(old, cur map[string]fields, prefix string) []string {
	var out []string
	for _, k := range sortedKeys(old, cur) {
		a, inOld := old[k]
		b, inCur := cur[k]
		switch {
		case !inCur:
			out = append(out, "- "+prefix+k)
		case !inOld:
			out = append(out, "+ "+prefix+k)
		default:
			for i := range a {
				if a[i][1] != b[i][1] {
					out = append(out, fmt.Sprintf("~ %s%s %s %s -> %s", prefix, k, a[i][0], short(a[i][1]), short(b[i][1])))
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
