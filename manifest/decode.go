package manifest

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/supermin-compile/supermin-compile/globber"
	"github.com/supermin-compile/supermin-compile/plan"
)

// decoder walks the generic TOML tree, checking every key and type, and
// records errors with their key path and line.
type decoder struct {
	file string
	loc  locator
	errs Errors
}

func (d *decoder) fail(key, format string, args ...any) {
	d.errs = append(d.errs, &Error{File: d.file, Line: d.loc.line(key), Key: key, Msg: fmt.Sprintf(format, args...)})
}

// fields calls the handler of each key of table, and reports unknown keys.
func (d *decoder) fields(prefix string, table map[string]any, handlers map[string]func(key string, v any)) {
	keys := make([]string, 0, len(table))
	for k := range table {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		key := join(prefix, k)
		if h, ok := handlers[k]; ok {
			h(key, table[k])
		} else if key == "force" {
			d.fail(key, "not accepted in a manifest: replacing an output the build does not own is decided on the command line (--force)")
		} else {
			d.fail(key, "unknown key")
		}
	}
}

func (d *decoder) manifest(m *Manifest, raw map[string]any) {
	m.Format, m.Size = Ext2, DefaultSize
	m.Source.Root = "/"
	m.Kernel = Kernel{Copy: true, RootModules: true, Modules: DefaultModules}
	m.Output = m.defaultOutput()
	d.fields("", raw, map[string]func(string, any){
		"version": func(k string, v any) {
			if n, ok := d.int(k, v); ok && n != 1 {
				d.fail(k, "unsupported version %d (this tool reads version 1)", n)
			}
		},
		"packages":          func(k string, v any) { m.Packages = d.packageNames(k, v) },
		"optional_packages": func(k string, v any) { m.OptionalPackages = d.packageNames(k, v) },
		"exclude_packages":  func(k string, v any) { m.ExcludePackages = d.packageNames(k, v) },
		"hostfiles":         func(k string, v any) { m.Hostfiles = d.globs(k, v) },
		"excludefiles":      func(k string, v any) { m.Excludefiles = d.globs(k, v) },
		"base": func(k string, v any) {
			for _, p := range d.strings(k, v, d.tarball) {
				m.Base = append(m.Base, m.resolve(p))
			}
		},
		"file":   func(k string, v any) { m.Files = d.files(m, k, v) },
		"format": func(k string, v any) { m.Format = d.format(k, v) },
		"output": func(k string, v any) {
			if s, ok := d.nonEmpty(k, v); ok {
				m.Output = m.resolve(s)
			}
		},
		"size":         func(k string, v any) { m.Size = d.size(k, v) },
		"reproducible": func(k string, v any) { m.Reproducible, _ = d.bool(k, v) },
		"compression":  func(k string, v any) { m.Compression = d.compression(k, v) },
		"unreadable":   func(k string, v any) { m.SkipUnreadable = d.unreadable(k, v) },
		"source":       func(k string, v any) { d.source(m, k, v) },
		"kernel":       func(k string, v any) { d.kernel(m, k, v) },
	})
}

var tarballExt = regexp.MustCompile(`\.(tar|tar\.gz|tgz|tar\.xz|tar\.zst)$`)

func (d *decoder) tarball(key, p string) {
	if !tarballExt.MatchString(p) {
		d.fail(key, "%q is not a .tar, .tar.gz, .tgz, .tar.xz or .tar.zst file", p)
	}
}

func (d *decoder) format(key string, v any) Format {
	s, ok := d.string(key, v)
	switch f := Format(s); {
	case !ok:
	case f == Ext2 || f == Cpio || f == Chroot:
		return f
	default:
		d.fail(key, "%q is not a format (ext2, cpio or chroot)", s)
	}
	return Ext2
}

func (d *decoder) compression(key string, v any) string {
	s, ok := d.string(key, v)
	if ok && !slices.Contains(Compressions, s) {
		d.fail(key, "%q is not a compression (%s)", s, strings.Join(Compressions, ", "))
	}
	if !ok || s == "none" {
		return ""
	}
	return s
}

func (d *decoder) unreadable(key string, v any) bool {
	s, ok := d.string(key, v)
	if ok && !slices.Contains(UnreadableValues, s) {
		d.fail(key, "%q is not a choice (%s)", s, strings.Join(UnreadableValues, " or "))
	}
	return s == "skip"
}

func (d *decoder) source(m *Manifest, key string, v any) {
	t, ok := d.table(key, v)
	if !ok {
		return
	}
	s := &m.Source
	d.fields(key, t, map[string]func(string, any){
		"type": func(k string, v any) {
			if x, ok := d.string(k, v); ok && !slices.Contains(SourceTypes, x) {
				d.fail(k, "%q is not a source type (%s)", x, strings.Join(SourceTypes, ", "))
			} else {
				s.Type = x
			}
		},
		"root": func(k string, v any) {
			if x, ok := d.nonEmpty(k, v); ok {
				s.Root = m.resolve(x)
			}
		},
		"path": func(k string, v any) {
			if x, ok := d.nonEmpty(k, v); ok {
				s.Path = m.resolve(x)
			}
		},
		"indexes": func(k string, v any) {
			for _, x := range d.strings(k, v, nil) {
				s.Indexes = append(s.Indexes, m.resolve(x))
			}
		},
		"arch":      func(k string, v any) { s.Arch, _ = d.string(k, v) },
		"essential": func(k string, v any) { s.Essential, _ = d.bool(k, v) },
		"cache_dir": func(k string, v any) {
			if x, ok := d.nonEmpty(k, v); ok {
				s.CacheDir = m.resolve(x)
			}
		},
		"repository": func(k string, v any) { s.Repositories = d.repositories(m, k, v) },
	})
}

func (d *decoder) repositories(m *Manifest, key string, v any) []Repository {
	list, ok := v.([]map[string]any)
	if !ok {
		d.fail(key, "must be an array of tables ([[source.repository]]), not %s", typeName(v))
		return nil
	}
	repos := make([]Repository, len(list))
	for i, t := range list {
		k, r := fmt.Sprintf("%s[%d]", key, i), &repos[i]
		d.fields(k, t, map[string]func(string, any){
			"url":           func(k string, v any) { r.URL, _ = d.nonEmpty(k, v) },
			"suite":         func(k string, v any) { r.Suite, _ = d.nonEmpty(k, v) },
			"components":    func(k string, v any) { r.Components = d.strings(k, v, nil) },
			"architectures": func(k string, v any) { r.Architectures = d.strings(k, v, nil) },
			"keyring": func(k string, v any) {
				if x, ok := d.nonEmpty(k, v); ok {
					r.Keyring = m.resolve(x)
				}
			},
			"gpgcheck":      func(k string, v any) { r.GPGCheck, _ = d.bool(k, v) },
			"repo_gpgcheck": func(k string, v any) { r.RepoGPGCheck, _ = d.bool(k, v) },
			"trusted":       func(k string, v any) { r.Trusted, _ = d.bool(k, v) },
		})
		if _, ok := t["url"]; !ok {
			d.fail(k, "missing url")
		}
	}
	return repos
}

func (d *decoder) kernel(m *Manifest, key string, v any) {
	if b, ok := v.(bool); ok {
		m.Kernel.Disabled = !b
		return
	}
	t, ok := v.(map[string]any)
	if !ok {
		d.fail(key, "must be false or a table, not %s", typeName(v))
		return
	}
	k := &m.Kernel
	d.fields(key, t, map[string]func(string, any){
		"path": func(key string, v any) {
			if x, ok := d.nonEmpty(key, v); ok {
				k.Path = m.resolve(x)
			}
		},
		"version": func(key string, v any) { k.Version, _ = d.nonEmpty(key, v) },
		"modules_dir": func(key string, v any) {
			if x, ok := d.nonEmpty(key, v); ok {
				k.ModulesDir = m.resolve(x)
			}
		},
		"copy":         func(key string, v any) { k.Copy, _ = d.bool(key, v) },
		"root_modules": func(key string, v any) { k.RootModules, _ = d.bool(key, v) },
		"modules": func(key string, v any) {
			k.Modules = d.strings(key, v, func(key, g string) {
				if _, err := path.Match(g, ""); err != nil || strings.Contains(g, "/") {
					d.fail(key, "%q is not a module name glob", g)
				}
			})
		},
	})
}

func (d *decoder) files(m *Manifest, key string, v any) []File {
	list, ok := v.([]map[string]any)
	if !ok {
		d.fail(key, "must be an array of tables ([[file]]), not %s", typeName(v))
		return nil
	}
	var files []File
	seen := map[string]int{}
	for i, t := range list {
		k := fmt.Sprintf("%s[%d]", key, i)
		f := d.inlineFile(m, k, t)
		if j, dup := seen[f.Path]; dup && f.Path != "" {
			d.fail(k+".path", "%q is already given by file[%d]", f.Path, j)
		}
		seen[f.Path] = i
		files = append(files, f)
	}
	return files
}

func (d *decoder) inlineFile(m *Manifest, key string, t map[string]any) File {
	f := File{Mode: 0o644}
	kinds := 0
	d.fields(key, t, map[string]func(string, any){
		"path": func(k string, v any) {
			if s, ok := d.string(k, v); ok {
				if !path.IsAbs(s) || path.Clean(s) == "/" {
					d.fail(k, "%q must be an absolute path below /", s)
				}
				f.Path = path.Clean(s)
			}
		},
		"mode": func(k string, v any) { f.Mode = d.mode(k, v) },
		"uid":  func(k string, v any) { f.UID = d.id(k, v) },
		"gid":  func(k string, v any) { f.GID = d.id(k, v) },
		"content": func(k string, v any) {
			s, _ := d.string(k, v)
			f.Content, kinds = []byte(s), kinds+1
		},
		"source": func(k string, v any) {
			if s, ok := d.nonEmpty(k, v); ok {
				f.Source = m.resolve(s)
			}
			kinds++
		},
		"symlink": func(k string, v any) {
			f.Symlink, _ = d.nonEmpty(k, v)
			kinds++
		},
		"directory": func(k string, v any) {
			f.Dir, _ = d.bool(k, v)
			if f.Dir {
				kinds++
			}
		},
	})
	if _, ok := t["path"]; !ok {
		d.fail(key, "missing path")
	}
	if kinds != 1 {
		d.fail(key, "needs exactly one of content, source, symlink or directory = true")
	}
	switch {
	case f.Symlink != "":
		f.Mode = 0o777 // a symlink's mode means nothing; ls shows 0777
	case f.Dir && t["mode"] == nil:
		f.Mode = 0o755
	}
	return f
}

// mode accepts an integer (0o644 in TOML) or an octal string ("0644").
func (d *decoder) mode(key string, v any) fs.FileMode {
	var n int64
	switch x := v.(type) {
	case int64:
		n = x
	case string:
		u, err := strconv.ParseUint(x, 8, 64)
		switch {
		case errors.Is(err, strconv.ErrRange) || err == nil && u > 0o7777:
			d.fail(key, "%q is out of range (0 to 0o7777)", x)
			return 0
		case err != nil:
			d.fail(key, "%q is not an octal mode", x)
			return 0
		}
		n = int64(u)
	default:
		d.fail(key, "must be an octal mode (0o644 or \"0644\"), not %s", typeName(v))
		return 0
	}
	if n < 0 || n > 0o7777 {
		d.fail(key, "%O is out of range (0 to 0o7777)", n)
		return 0
	}
	return plan.PermOf(uint32(n))
}

func (d *decoder) id(key string, v any) uint32 {
	n, ok := d.int(key, v)
	if ok && (n < 0 || n > math.MaxUint32) {
		d.fail(key, "%d is not a valid uid/gid (0 to 4294967295)", n)
		return 0
	}
	return uint32(n)
}

var sizeRe = regexp.MustCompile(`^([0-9]+)\s*([KMGT]?)(i?B)?$`)

// size accepts bytes as an integer or a string like "4G", "512M", "1GiB".
func (d *decoder) size(key string, v any) int64 {
	var n int64
	switch x := v.(type) {
	case int64:
		n = x
	case string:
		m := sizeRe.FindStringSubmatch(strings.TrimSpace(x))
		if m == nil {
			d.fail(key, "%q is not a size (bytes, or a number with K, M, G or T)", x)
			return DefaultSize
		}
		shift := 0
		if m[2] != "" {
			shift = 10 * (1 + strings.Index("KMGT", m[2]))
		}
		var err error
		if n, err = strconv.ParseInt(m[1], 10, 64); err != nil || n > math.MaxInt64>>shift {
			d.fail(key, "%q is too large (at most 8388607T)", x)
			return DefaultSize
		}
		n <<= shift
	default:
		d.fail(key, "must be a size, not %s", typeName(v))
		return DefaultSize
	}
	if n < 1<<20 {
		d.fail(key, "%d bytes is too small (at least 1M)", n)
		return DefaultSize
	}
	return n
}

var packageName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9+._~-]*(:[a-z0-9-]+)?(=[^\s=]+)?$`)

func (d *decoder) packageNames(key string, v any) []string {
	return d.strings(key, v, func(key, n string) {
		if !packageName.MatchString(n) {
			d.fail(key, "%q is not a package name", n)
		}
	})
}

func (d *decoder) globs(key string, v any) []string {
	return d.strings(key, v, func(key, p string) {
		if _, err := globber.Compile(p); err != nil {
			d.fail(key, "%v", err)
		}
	})
}

func (d *decoder) table(key string, v any) (map[string]any, bool) {
	t, ok := v.(map[string]any)
	if !ok {
		d.fail(key, "must be a table, not %s", typeName(v))
	}
	return t, ok
}

// strings decodes an array of non-empty strings. check, unless nil, vets
// each one under its own key ("packages[3]"), so that errors name the
// element's index in the manifest even after a bad element.
func (d *decoder) strings(key string, v any, check func(key, s string)) []string {
	list, ok := v.([]any)
	if !ok {
		d.fail(key, "must be an array of strings, not %s", typeName(v))
		return nil
	}
	out := make([]string, 0, len(list))
	for i, x := range list {
		k := fmt.Sprintf("%s[%d]", key, i)
		if s, ok := d.nonEmpty(k, x); ok {
			if check != nil {
				check(k, s)
			}
			out = append(out, s)
		}
	}
	return out
}

func (d *decoder) string(key string, v any) (string, bool) {
	s, ok := v.(string)
	if !ok {
		d.fail(key, "must be a string, not %s", typeName(v))
	}
	return s, ok
}

func (d *decoder) nonEmpty(key string, v any) (string, bool) {
	s, ok := d.string(key, v)
	if ok && s == "" {
		d.fail(key, "must not be empty")
		return "", false
	}
	return s, ok
}

func (d *decoder) int(key string, v any) (int64, bool) {
	n, ok := v.(int64)
	if !ok {
		d.fail(key, "must be an integer, not %s", typeName(v))
	}
	return n, ok
}

func (d *decoder) bool(key string, v any) (bool, bool) {
	b, ok := v.(bool)
	if !ok {
		d.fail(key, "must be true or false, not %s", typeName(v))
	}
	return b, ok
}

// typeName names a decoded TOML value's type the way the TOML spec does.
func typeName(v any) string {
	switch x := v.(type) {
	case string:
		return "a string " + quote(x)
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case bool:
		return "a boolean"
	case []any, []map[string]any:
		return "an array"
	case map[string]any:
		return "a table"
	}
	return "a date/time"
}
