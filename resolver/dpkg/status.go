package dpkg

import (
	"bytes"
	"io"

	"github.com/supermin-compile/supermin-compile/internal/deb822"
	"github.com/supermin-compile/supermin-compile/internal/debpkg"
	"github.com/supermin-compile/supermin-compile/resolver"
)

// The status fields beyond a package's (debpkg's).
const (
	fStatus = debpkg.NFields + iota
	fConffiles
)

// status is the parsed status file: installed packages only.
type status struct {
	pkgs      []*resolver.Package
	conffiles map[*resolver.Package][]string
	dpkgArch  string // Architecture of the installed dpkg package
	b         *debpkg.Builder
	order     *resolver.NameOrder
}

// parseStatus reads a status file; errors carry line numbers.
func parseStatus(r io.Reader) (*status, error) {
	st := &status{conffiles: map[*resolver.Package][]string{}, b: debpkg.NewBuilder(), order: resolver.NewNameOrder("")}
	err := deb822.Parse(r, debpkg.NewParagraph("Status", "Conffiles"), func(p *deb822.Paragraph) error {
		if len(p.Get(debpkg.Package)) == 0 {
			return nil
		}
		st.name(p)
		if installed(p.Get(fStatus)) {
			st.add(p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return st, nil
}

// installed accepts any want state ("install", "hold", even "deinstall"):
// what matters is that the files are on disk, i.e. "ok installed".
func installed(s []byte) bool {
	n := 0
	for w := range bytes.FieldsSeq(s) {
		switch {
		case n == 1 && string(w) != "ok", n == 2 && string(w) != "installed", n == 3:
			return false
		}
		n++
	}
	return n == 3
}

func (st *status) add(p *deb822.Paragraph) {
	// Not debpkg.Check: dpkg keeps installed packages that Check refuses
	// (one without an Architecture, from an old status file), and so do we.
	pkg := &resolver.Package{}
	st.b.Build(p, pkg)
	st.pkgs = append(st.pkgs, pkg)
	if c := parseConffiles(p.Get(fConffiles)); len(c) > 0 {
		st.conffiles[pkg] = c
	}
	if pkg.Name == "dpkg" {
		st.dpkgArch = pkg.Arch
	}
}

// name numbers the packages a paragraph names, as apt's cache does when it
// reads the status file: every paragraph counts, installed or not.
func (st *status) name(p *deb822.Paragraph) {
	st.order.Paragraph(string(p.Get(debpkg.Package)), string(p.Get(debpkg.Architecture)), st.b.Named(p))
}

// number sets the packages' FirstNamed once the native architecture is
// known, and frees the numbering.
func (st *status) number(native string) {
	for _, p := range st.pkgs {
		p.FirstNamed = st.order.Of(p.Name, native)
	}
	st.order = nil
}

var conffileFlags = [][]byte{[]byte(" remove-on-upgrade"), []byte(" obsolete")}

// parseConffiles extracts paths from "path md5 [obsolete] [remove-on-upgrade]"
// lines. The path is everything before the hash, so spaces in it survive.
func parseConffiles(field []byte) []string {
	var paths []string
	for line := range bytes.SplitSeq(field, []byte("\n")) {
		line = bytes.TrimSpace(line)
		for _, flag := range conffileFlags {
			line = bytes.TrimSuffix(line, flag)
		}
		if i := bytes.LastIndexByte(line, ' '); i > 0 {
			line = bytes.TrimSpace(line[:i])
		}
		if len(line) > 0 && line[0] == '/' {
			paths = append(paths, string(line))
		}
	}
	return paths
}
