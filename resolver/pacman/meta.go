package pacman

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/supermin-compile/supermin-compile/resolver"
)

// dep is one entry of a depends, provides or conflicts list: "name",
// or "name" then an operator and a version ("libfoo.so=2-64", "sh>=5").
type dep struct{ name, op, version string }

// parseDep splits a dependency as alpm_dep_from_string does: the first
// operator found, trying ">=", "<=", "=", "<", ">" in turn; an
// optional dependency's ": description" is dropped.
func parseDep(s string) dep {
	if i := strings.Index(s, ": "); i >= 0 {
		s = s[:i]
	}
	for _, op := range []string{">=", "<=", "=", "<", ">"} {
		if i := strings.Index(s, op); i >= 0 {
			return dep{name: s[:i], op: op, version: s[i+len(op):]}
		}
	}
	return dep{name: s}
}

func (d dep) String() string { return d.name + d.op + d.version }

func (d dep) alt() resolver.Alt { return resolver.Alt{Name: d.name, Op: d.op, Version: d.version} }

// meta is what the resolver needs of one package, from a local
// database's desc or a package's .PKGINFO.
type meta struct {
	pkg       resolver.Package
	depends   []dep
	provides  []dep
	conflicts []dep
	replaces  []string // reported, never followed
	license   string
	backup    []string // configuration files, without the leading "/"
}

// set takes one value of a key of the desc format; keys the resolver
// does not need are ignored.
func (m *meta) set(key, v string) {
	switch key {
	case "NAME":
		m.pkg.Name = v
	case "VERSION":
		m.pkg.Version = v
	case "ARCH":
		m.pkg.Arch = v
	case "DEPENDS":
		m.depends = append(m.depends, parseDep(v))
	case "PROVIDES":
		m.provides = append(m.provides, parseDep(v))
	case "CONFLICTS":
		m.conflicts = append(m.conflicts, parseDep(v))
	case "REPLACES":
		m.replaces = append(m.replaces, v)
	case "LICENSE":
		if m.license != "" {
			v = m.license + " AND " + v
		}
		m.license = v
	case "BACKUP": // the files entry adds each file's MD5 after a tab
		m.backup = append(m.backup, strings.SplitN(v, "\t", 2)[0])
	}
}

// pkginfoKeys maps .PKGINFO's keys to the desc file's.
var pkginfoKeys = map[string]string{"pkgname": "NAME", "pkgver": "VERSION", "arch": "ARCH",
	"depend": "DEPENDS", "provides": "PROVIDES", "conflict": "CONFLICTS", "replaces": "REPLACES",
	"license": "LICENSE", "backup": "BACKUP"}

// maxMetaLine bounds one line of metadata: real ones are short, and the
// input may be hostile.
const maxMetaLine = 64 << 10

// readDesc reads a local database's desc file.
func readDesc(r io.Reader) (*meta, error) {
	m := &meta{}
	if err := readSections(r, m.set); err != nil {
		return nil, err
	}
	return m, m.check()
}

// readSections reads the local database's format: "%KEY%" lines, each
// followed by its values, one a line, up to an empty line.
func readSections(r io.Reader, set func(key, value string)) error {
	var key string
	return eachLine(r, func(n int, line string) error {
		switch {
		case line == "":
			key = ""
		case key == "" && len(line) > 2 && line[0] == '%' && line[len(line)-1] == '%':
			key = line[1 : len(line)-1]
		case key == "":
			return fmt.Errorf("line %d: a value outside any %%KEY%% section", n)
		default:
			set(key, line)
		}
		return nil
	})
}

// readPkginfo reads a package's .PKGINFO: "key = value" lines.
func readPkginfo(r io.Reader) (*meta, error) {
	m := &meta{}
	err := eachLine(r, func(n int, line string) error {
		if line == "" || line[0] == '#' {
			return nil
		}
		k, v, ok := strings.Cut(line, " = ")
		if !ok {
			return fmt.Errorf("line %d: not \"key = value\": %q", n, line)
		}
		if key, ok := pkginfoKeys[k]; ok {
			m.set(key, v)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return m, m.check()
}

func eachLine(r io.Reader, f func(n int, line string) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), maxMetaLine)
	for n := 1; sc.Scan(); n++ {
		if err := f(n, sc.Text()); err != nil {
			return err
		}
	}
	return sc.Err()
}

// check requires what every package has, and fills the resolver's raw
// relation text.
func (m *meta) check() error {
	for _, f := range []struct{ name, v string }{{"name", m.pkg.Name}, {"version", m.pkg.Version}, {"arch", m.pkg.Arch}} {
		if f.v == "" {
			return fmt.Errorf("no %s", f.name)
		}
	}
	m.pkg.Depends = joinDeps(m.depends)
	m.pkg.Provides = joinDeps(m.provides)
	return nil
}

func joinDeps(ds []dep) string {
	s := make([]string, len(ds))
	for i, d := range ds {
		s[i] = d.String()
	}
	return strings.Join(s, ", ")
}
