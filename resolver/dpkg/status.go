package dpkg

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/supermin-compile/supermin-compile/resolver"
)

// The status fields we keep; everything else (descriptions are most of the
// file) is skipped without allocating.
const (
	fPackage = iota
	fStatus
	fVersion
	fArch
	fEssential
	fPreDepends
	fDepends
	fProvides
	fMultiArch
	fConffiles
	nFields
)

var fieldNames = [nFields][]byte{
	fPackage: []byte("Package"), fStatus: []byte("Status"), fVersion: []byte("Version"),
	fArch: []byte("Architecture"), fEssential: []byte("Essential"),
	fPreDepends: []byte("Pre-Depends"), fDepends: []byte("Depends"),
	fProvides: []byte("Provides"), fMultiArch: []byte("Multi-Arch"),
	fConffiles: []byte("Conffiles"),
}

// fieldID returns the index of a kept field, or -1. Field names are
// case-insensitive in deb822.
func fieldID(name []byte) int {
	for i, f := range fieldNames {
		if len(f) == len(name) && bytes.EqualFold(f, name) {
			return i
		}
	}
	return -1
}

// status is the parsed status file: installed packages only.
type status struct {
	pkgs      []*resolver.Package
	conffiles map[*resolver.Package][]string
	dpkgArch  string // Architecture of the installed dpkg package
}

// paragraph accumulates the kept fields of one stanza.
type paragraph struct {
	fields [nFields]string
	last   int // field that continuation lines extend, -1 for a skipped one
}

func parseStatus(r io.Reader) (*status, error) {
	st := &status{conffiles: map[*resolver.Package][]string{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 64<<20)
	para := paragraph{last: -1}
	for n := 1; sc.Scan(); n++ {
		line := sc.Bytes()
		switch {
		case len(bytes.TrimSpace(line)) == 0:
			st.flush(&para)
		case line[0] == ' ' || line[0] == '\t':
			para.extend(line)
		default:
			if err := para.set(line); err != nil {
				return nil, fmt.Errorf("line %d: %w", n, err)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	st.flush(&para)
	return st, nil
}

func (p *paragraph) set(line []byte) error {
	i := bytes.IndexByte(line, ':')
	if i <= 0 {
		return fmt.Errorf("malformed field %q", truncate(line))
	}
	p.last = fieldID(line[:i])
	if p.last >= 0 {
		p.fields[p.last] = string(bytes.TrimSpace(line[i+1:]))
	}
	return nil
}

// extend appends a continuation line. Conffiles keeps one entry per line;
// relation fields are folded onto one line for the relation parser.
func (p *paragraph) extend(line []byte) {
	if p.last < 0 {
		return
	}
	sep := " "
	if p.last == fConffiles {
		sep = "\n"
	}
	p.fields[p.last] += sep + string(bytes.TrimSpace(line))
}

func truncate(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "..."
	}
	return string(b)
}

func (st *status) flush(p *paragraph) {
	f := &p.fields
	if f[fPackage] != "" && installed(f[fStatus]) {
		st.add(f)
	}
	*p = paragraph{last: -1}
}

// installed accepts any want state ("install", "hold", even "deinstall"):
// what matters is that the files are on disk, i.e. "ok installed".
func installed(s string) bool {
	w := strings.Fields(s)
	return len(w) == 3 && w[1] == "ok" && w[2] == "installed"
}

func (st *status) add(f *[nFields]string) {
	p := &resolver.Package{
		Name:      f[fPackage],
		Version:   f[fVersion],
		Arch:      f[fArch],
		MultiArch: f[fMultiArch],
		Essential: strings.EqualFold(f[fEssential], "yes"),
		Depends:   joinRelations(f[fPreDepends], f[fDepends]),
		Provides:  f[fProvides],
	}
	st.pkgs = append(st.pkgs, p)
	if c := parseConffiles(f[fConffiles]); len(c) > 0 {
		st.conffiles[p] = c
	}
	if p.Name == "dpkg" {
		st.dpkgArch = p.Arch
	}
}

func joinRelations(a, b string) string {
	if a == "" || b == "" {
		return a + b
	}
	return a + ", " + b
}

// parseConffiles extracts paths from "path md5 [obsolete] [remove-on-upgrade]"
// lines. The path is everything before the hash, so spaces in it survive.
func parseConffiles(field string) []string {
	var paths []string
	for _, line := range strings.Split(field, "\n") {
		line = strings.TrimSpace(line)
		for _, flag := range []string{" remove-on-upgrade", " obsolete"} {
			line = strings.TrimSuffix(line, flag)
		}
		if i := strings.LastIndexByte(line, ' '); i > 0 {
			line = strings.TrimSpace(line[:i])
		}
		if strings.HasPrefix(line, "/") {
			paths = append(paths, line)
		}
	}
	return paths
}
