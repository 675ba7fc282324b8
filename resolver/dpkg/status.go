package dpkg

import (
	"bytes"
	"io"

	"github.com/supermin-compile/supermin-compile/internal/deb822"
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
	fPriority
	fProtected
	fImportant
	fConflicts
	fBreaks
	fRecommends
	fSuggests
	fReplaces
	fEnhances
	nFields
)

var fieldNames = [nFields]string{
	fPackage: "Package", fStatus: "Status", fVersion: "Version", fArch: "Architecture",
	fEssential: "Essential", fPreDepends: "Pre-Depends", fDepends: "Depends",
	fProvides: "Provides", fMultiArch: "Multi-Arch", fConffiles: "Conffiles",
	fPriority: "Priority", fProtected: "Protected", fImportant: "Important", fConflicts: "Conflicts",
	fBreaks: "Breaks", fRecommends: "Recommends", fSuggests: "Suggests", fReplaces: "Replaces", fEnhances: "Enhances",
}

// namingFields are the fields whose package names resolver.NameOrder
// counts, in its order (resolver.AptRelationFields).
var namingFields = [...]int{fPreDepends, fDepends, fConflicts, fBreaks, fRecommends, fSuggests, fReplaces, fEnhances, fProvides}

// status is the parsed status file: installed packages only.
type status struct {
	pkgs      []*resolver.Package
	conffiles map[*resolver.Package][]string
	dpkgArch  string // Architecture of the installed dpkg package
	buf       []byte // scratch for relations
	order     *resolver.NameOrder
	named     [nFields][]byte // scratch for order
}

// parseStatus reads a status file; errors carry line numbers.
func parseStatus(r io.Reader) (*status, error) {
	st := &status{conffiles: map[*resolver.Package][]string{}, order: resolver.NewNameOrder("")}
	err := deb822.Parse(r, deb822.NewParagraph(fieldNames[:]...), func(p *deb822.Paragraph) error {
		if len(p.Get(fPackage)) == 0 {
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
	pkg := &resolver.Package{
		Name:      string(p.Get(fPackage)),
		Version:   string(p.Get(fVersion)),
		Arch:      string(p.Get(fArch)),
		MultiArch: string(p.Get(fMultiArch)),
		Essential: isYes(p.Get(fEssential)),
		Depends:   st.relations(p.Get(fPreDepends), p.Get(fDepends)),
		Provides:  st.relations(p.Get(fProvides), nil),
		Priority:  string(p.Get(fPriority)),
		Protected: isYes(p.Get(fProtected)) || isYes(p.Get(fImportant)),
	}
	st.pkgs = append(st.pkgs, pkg)
	if c := parseConffiles(p.Get(fConffiles)); len(c) > 0 {
		st.conffiles[pkg] = c
	}
	if pkg.Name == "dpkg" {
		st.dpkgArch = pkg.Arch
	}
}

func isYes(v []byte) bool { return bytes.EqualFold(v, []byte("yes")) }

// name numbers the packages a paragraph names, as apt's cache does when it
// reads the status file: every paragraph counts, installed or not.
func (st *status) name(p *deb822.Paragraph) {
	named := st.named[:0]
	for _, f := range namingFields {
		named = append(named, p.Get(f))
	}
	st.order.Paragraph(string(p.Get(fPackage)), string(p.Get(fArch)), named...)
}

// number sets the packages' FirstNamed once the native architecture is
// known, and frees the numbering.
func (st *status) number(native string) {
	for _, p := range st.pkgs {
		p.FirstNamed = st.order.Of(p.Name, native)
	}
	st.order = nil
}

// relations joins two relation fields with ", " (Pre-Depends then Depends,
// as resolver.Package wants) and folds them onto one line, as the deb
// sources do.
func (st *status) relations(a, b []byte) string {
	buf := append(st.buf[:0], a...)
	if len(a) > 0 && len(b) > 0 {
		buf = append(buf, ", "...)
	}
	buf = append(buf, b...)
	for i, c := range buf {
		if c == '\n' {
			buf[i] = ' '
		}
	}
	st.buf = buf
	return string(buf)
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
