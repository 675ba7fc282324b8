// Package debpkg makes a resolver.Package of a Debian control paragraph:
// a .deb's control file, an entry of an apt Packages index or of dpkg's
// status file. They share the fields a package is made of, so they share
// how those are read and checked.
package debpkg

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/supermin-compile/supermin-compile/internal/deb822"
	"github.com/supermin-compile/supermin-compile/resolver"
)

// The fields of a package, as indexes of NewParagraph's paragraph; a
// source's own fields follow, from NFields on.
const (
	Package = iota
	Version
	Architecture
	Essential
	PreDepends
	Depends
	Provides
	MultiArch
	Priority
	Protected
	Important
	Conflicts
	Breaks
	Recommends
	Suggests
	Replaces
	Enhances
	NFields
)

var fieldNames = [NFields]string{
	Package: "Package", Version: "Version", Architecture: "Architecture", Essential: "Essential",
	PreDepends: "Pre-Depends", Depends: "Depends", Provides: "Provides", MultiArch: "Multi-Arch",
	Priority: "Priority", Protected: "Protected", Important: "Important", Conflicts: "Conflicts",
	Breaks: "Breaks", Recommends: "Recommends", Suggests: "Suggests", Replaces: "Replaces", Enhances: "Enhances",
}

// namingFields are the fields whose package names resolver.NameOrder
// counts, in its order (resolver.AptRelationFields).
var namingFields = [...]int{PreDepends, Depends, Conflicts, Breaks, Recommends, Suggests, Replaces, Enhances, Provides}

// NewParagraph keeps the fields of a package, then the source's own
// fields: own[i] is field NFields+i. Everything else (descriptions are
// most of an index) is skipped without allocating.
func NewParagraph(own ...string) *deb822.Paragraph {
	return deb822.NewParagraph(slices.Concat(fieldNames[:], own)...)
}

// Builder makes packages from paragraphs, reusing its buffers; each
// goroutine needs its own.
type Builder struct {
	in    interner
	t     texts
	named []byte
}

func NewBuilder() *Builder { return &Builder{in: interner{}} }

// Build fills pkg from p, relation fields folded onto one line with
// Pre-Depends before Depends, Multi-Arch in lower case (dpkg reads it in
// any case). It returns the values of the fields also (say Filename),
// folded likewise and valid until the next Build: their text and pkg's
// share one allocation, since an index has tens of thousands of packages.
// A package from a .deb or an index must then pass Check.
func (b *Builder) Build(p *deb822.Paragraph, pkg *resolver.Package, also ...int) []string {
	t, in := &b.t, b.in
	t.reset()
	t.add(p.Get(Package))
	t.add(p.Get(Version))
	t.addRelations(p.Get(PreDepends), p.Get(Depends))
	t.add(p.Get(Provides))
	for _, f := range also {
		t.add(p.Get(f))
	}
	s := t.done()
	*pkg = resolver.Package{
		Name: s[0], Version: s[1], Depends: s[2], Provides: s[3],
		Arch:      in.get(p.Get(Architecture)),
		MultiArch: strings.ToLower(in.get(p.Get(MultiArch))),
		Essential: isYes(p.Get(Essential)),
		Priority:  in.get(p.Get(Priority)),
		Protected: isYes(p.Get(Protected)) || isYes(p.Get(Important)),
	}
	return s[4:]
}

// Named returns p's fields whose package names resolver.NameOrder counts,
// joined by commas, for NameOrder.Paragraph; valid until the next Named.
func (b *Builder) Named(p *deb822.Paragraph) []byte {
	b.named = b.named[:0]
	for _, f := range namingFields {
		b.named = append(append(b.named, p.Get(f)...), ',')
	}
	return b.named
}

// Check makes sure of what every later step relies on: a name, a version
// and an architecture.
func Check(p *resolver.Package) error {
	switch {
	case p.Name == "":
		return fmt.Errorf("paragraph without a Package field")
	case strings.ContainsAny(p.Name, " \t\n,|()[]<>:"):
		return fmt.Errorf("invalid package name %q", p.Name)
	case p.Version == "":
		return fmt.Errorf("package %s has no Version", p.Name)
	case p.Arch == "" || strings.ContainsAny(p.Arch, " \t\n"):
		return fmt.Errorf("package %s %s has an invalid Architecture %q", p.Name, p.Version, p.Arch)
	}
	return nil
}

func isYes(v []byte) bool { return bytes.EqualFold(v, []byte("yes")) }

// interner shares the few distinct values of some fields (architectures,
// Multi-Arch, Priority) between the packages of an index.
type interner map[string]string

func (in interner) get(b []byte) string {
	if s, ok := in[string(b)]; ok {
		return s
	}
	s := string(b)
	in[s] = s
	return s
}

// texts concatenates field values, multi-line ones folded onto one line
// (relation fields of control files often span lines), into one string.
type texts struct {
	buf  []byte
	ends []int
	out  []string
}

func (t *texts) reset() { t.buf, t.ends = t.buf[:0], t.ends[:0] }

func (t *texts) add(b []byte) {
	t.fold(len(t.buf), append(t.buf, b...))
}

// addRelations puts Pre-Depends before Depends, as resolver.Package wants.
func (t *texts) addRelations(pre, dep []byte) {
	start := len(t.buf)
	t.buf = append(t.buf, pre...)
	if len(pre) > 0 && len(dep) > 0 {
		t.buf = append(t.buf, ", "...)
	}
	t.fold(start, append(t.buf, dep...))
}

func (t *texts) fold(start int, buf []byte) {
	for rest := buf[start:]; ; {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			break
		}
		rest[i], rest = ' ', rest[i+1:]
	}
	t.buf, t.ends = buf, append(t.ends, len(buf))
}

func (t *texts) done() []string {
	s := string(t.buf)
	t.out = t.out[:0]
	start := 0
	for _, end := range t.ends {
		t.out, start = append(t.out, s[start:end]), end
	}
	return t.out
}
