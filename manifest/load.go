package manifest

import (
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"

	"github.com/BurntSushi/toml"

	"github.com/supermin-compile/supermin-compile/internal/smallfile"
)

// MaxSize bounds a manifest: it is read whole.
const MaxSize = 16 << 20

// Load reads and validates the manifest at path.
func Load(path string) (*Manifest, error) {
	text, err := smallfile.Read(path, MaxSize)
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	return Parse(abs, text)
}

// Parse validates text as the manifest at path (absolute); relative paths
// in it resolve against path's directory. All problems are reported at once.
func Parse(path string, text []byte) (*Manifest, error) {
	name := filepath.Base(path)
	var raw map[string]any
	if _, err := toml.Decode(string(text), &raw); err != nil {
		return nil, Errors{syntaxError(name, locate(string(text)), err)}
	}
	d := &decoder{file: name, loc: locate(string(text))}
	m := &Manifest{Path: path, Dir: filepath.Dir(path)}
	d.manifest(m, raw)
	if len(d.errs) > 0 {
		sort.SliceStable(d.errs, func(i, j int) bool { return d.errs[i].Line < d.errs[j].Line })
		return nil, d.errs
	}
	return m, nil
}

var libErr = regexp.MustCompile(`^toml: line (\d+)(?: \(last key "(.*)"\))?: (.*)$`)

// syntaxError turns the TOML library's error into our file:line: form,
// naming the key when the error is in a value written on the key's line
// (an integer out of range, say).
func syntaxError(file string, loc locator, err error) *Error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		return &Error{File: file, Line: pe.Position.Line, Key: loc.keyAt(pe.Position.Line, pe.LastKey), Msg: pe.Message}
	}
	if m := libErr.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return &Error{File: file, Line: n, Key: m[2], Msg: m[3]}
	}
	return &Error{File: file, Msg: err.Error()}
}

// resolve makes p absolute against the manifest's directory.
func (m *Manifest) resolve(p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(m.Dir, p)
}

func (m *Manifest) defaultOutput() string {
	base := filepath.Base(m.Path)
	return filepath.Join(m.Dir, base[:len(base)-len(filepath.Ext(base))]+".d")
}

func quote(v any) string { return fmt.Sprintf("%q", fmt.Sprint(v)) }

// Override replaces the format, size and compression with command-line
// values (empty ones are kept), checked by the same rules as the manifest.
func (m *Manifest) Override(format, size, compression string) error {
	d := &decoder{file: "command line", loc: locator{}}
	if format != "" {
		m.Format = d.format("--format", format)
	}
	if size != "" {
		m.Size = d.size("--size", size)
	}
	if compression != "" {
		m.Compression = d.compression("--compression", compression)
	}
	if len(d.errs) > 0 {
		return d.errs
	}
	return nil
}
