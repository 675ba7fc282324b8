package lock

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
)

const header = "# appliance lock file, written by supermin-compile lock: do not edit.\n" +
	"# It records what the manifest resolved to; build --locked refuses to\n" +
	"# build anything else.\nversion = 1\n"

// Write writes the lock as TOML: one table per entry, sorted, every
// string quoted, so that a change shows up as a small diff.
func (l *Lock) Write(w io.Writer) error {
	l.sortAll()
	bw := bufio.NewWriter(w)
	fmt.Fprint(bw, header)
	fmt.Fprintf(bw, "manifest = %s\n", quote(l.Manifest))
	if k := l.Kernel; k != nil {
		fmt.Fprintf(bw, "\n[kernel]\npath = %s\nversion = %s\nsha256 = %s\nmodules = %s\n",
			quote(k.Path), quote(k.Version), quote(k.SHA256), quote(k.Modules))
	}
	if i := l.Init; i != nil {
		fmt.Fprintf(bw, "\n[init]\nversion = %s\nsha256 = %s\n", quote(i.Version), quote(i.SHA256))
	}
	for _, b := range l.Base {
		fmt.Fprintf(bw, "\n[[base]]\npath = %s\nsha256 = %s\n", quote(b.Path), quote(b.SHA256))
	}
	for _, f := range l.Inline {
		fmt.Fprintf(bw, "\n[[inline]]\npath = %s\nsha256 = %s\n", quote(f.Path), quote(f.SHA256))
	}
	for _, p := range l.Packages {
		fmt.Fprintf(bw, "\n[[package]]\nname = %s\nversion = %s\narch = %s\nsource = %s\ndigest = %s\n",
			quote(p.Name), quote(p.Version), quote(p.Arch), quote(p.Source), quote(p.Digest))
		if p.Repository != "" {
			fmt.Fprintf(bw, "repository = %s\nfilename = %s\nsize = %d\nrelease = %s\n",
				quote(p.Repository), quote(p.Filename), p.Size, quote(p.Release))
		}
	}
	for _, h := range l.Hostfiles {
		fmt.Fprintf(bw, "\n[[hostfile]]\npath = %s\n", quote(h.Path))
		if h.SHA256 != "" {
			fmt.Fprintf(bw, "sha256 = %s\n", quote(h.SHA256))
		}
		if h.Link != "" {
			fmt.Fprintf(bw, "link = %s\n", quote(h.Link))
		}
		fmt.Fprintf(bw, "mode = %s\nowner = %s\n", quote(h.Mode), quote(h.Owner))
		if !utf8.ValidString(h.Path) {
			fmt.Fprintf(bw, "path_b64 = %s\n", quote(base64.StdEncoding.EncodeToString([]byte(h.Path))))
		}
		if !utf8.ValidString(h.Link) {
			fmt.Fprintf(bw, "link_b64 = %s\n", quote(base64.StdEncoding.EncodeToString([]byte(h.Link))))
		}
	}
	return bw.Flush()
}

// Parse reads a lock file's text; file names it in errors.
func Parse(file string, data []byte) (*Lock, error) {
	var doc struct {
		Version int `toml:"version"`
		Lock
	}
	md, err := toml.Decode(string(data), &doc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		return nil, fmt.Errorf("%s: unknown key %s", file, und[0])
	}
	if doc.Version != 1 {
		return nil, fmt.Errorf("%s: lock file version %d is not supported (want 1)", file, doc.Version)
	}
	l := doc.Lock
	for i := range l.Hostfiles {
		if err := l.Hostfiles[i].decodeNames(); err != nil {
			return nil, fmt.Errorf("%s: hostfile %s: %w", file, l.Hostfiles[i].Path, err)
		}
	}
	l.sortAll()
	return &l, nil
}

// quote writes s as a TOML basic string: backslash, quote and control
// characters escaped as TOML knows them (Go's %q would write \x escapes,
// which TOML lacks).
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, "\\u%04X", r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// decodeNames takes the exact bytes of names that are not UTF-8 from
// their base64 form.
func (h *HostFile) decodeNames() error {
	for _, f := range []struct{ b64, name *string }{{&h.PathB64, &h.Path}, {&h.LinkB64, &h.Link}} {
		if *f.b64 == "" {
			continue
		}
		b, err := base64.StdEncoding.DecodeString(*f.b64)
		if err != nil {
			return err
		}
		*f.name, *f.b64 = string(b), ""
	}
	return nil
}
