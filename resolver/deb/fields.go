package deb

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/supermin-compile/supermin-compile/internal/deb822"
	"github.com/supermin-compile/supermin-compile/resolver"
)

// The fields kept from control files and index paragraphs; the index ones
// (Filename, Size, SHA256) are simply absent from a control file.
const (
	fPackage = iota
	fVersion
	fArch
	fEssential
	fPreDepends
	fDepends
	fProvides
	fMultiArch
	fConflicts
	fBreaks
	fFilename
	fSize
	fSHA256
	fPriority
	fProtected
	fImportant
	fRecommends
	fSuggests
	fReplaces
	fEnhances
	nFields
)

var fieldNames = [nFields]string{
	fPackage: "Package", fVersion: "Version", fArch: "Architecture", fEssential: "Essential",
	fPreDepends: "Pre-Depends", fDepends: "Depends", fProvides: "Provides", fMultiArch: "Multi-Arch",
	fConflicts: "Conflicts", fBreaks: "Breaks", fFilename: "Filename", fSize: "Size", fSHA256: "SHA256",
	fPriority: "Priority", fProtected: "Protected", fImportant: "Important", fRecommends: "Recommends",
	fSuggests: "Suggests", fReplaces: "Replaces", fEnhances: "Enhances",
}

// namingFields are the fields whose package names resolver.NameOrder
// counts, in its order (resolver.AptRelationFields).
var namingFields = [...]int{fPreDepends, fDepends, fConflicts, fBreaks, fRecommends, fSuggests, fReplaces, fEnhances, fProvides}

func newFieldParagraph() *deb822.Paragraph { return deb822.NewParagraph(fieldNames[:]...) }

// meta is what this package needs about a package beyond resolver.Package.
type meta struct {
	conflicts, breaks string
	filename          string // index: path below the mirror root
	size              int64  // index: size of the .deb, -1 when not given
	sha256            string // index: lower-case hex
}

// interner shares the few distinct values of some fields (architectures,
// Multi-Arch) between the tens of thousands of packages of an index.
type interner map[string]string

func (in interner) get(b []byte) string {
	if s, ok := in[string(b)]; ok {
		return s
	}
	s := string(b)
	in[s] = s
	return s
}

// builder makes packages from paragraphs, reusing its buffers.
type builder struct {
	in interner
	t  texts
	// named is the last paragraph's namingFields, joined by commas, for
	// resolver.NameOrder; valid until the next build.
	named []byte
}

func newBuilder() *builder { return &builder{in: interner{}} }

// build fills it from a paragraph, checking what every later step relies
// on: a name, a version and an architecture. The text fields share one
// allocation: an index has tens of thousands of packages.
func (b *builder) build(p *deb822.Paragraph, it *item) error {
	t, in := &b.t, b.in
	t.reset()
	t.add(p.Get(fPackage))
	t.add(p.Get(fVersion))
	t.addRelations(p.Get(fPreDepends), p.Get(fDepends))
	for _, f := range [...]int{fProvides, fConflicts, fBreaks, fFilename, fSHA256} {
		t.add(p.Get(f))
	}
	s := t.done()
	it.pkg = resolver.Package{
		Name: s[0], Version: s[1], Depends: s[2], Provides: s[3],
		Arch:      in.get(p.Get(fArch)),
		MultiArch: strings.ToLower(in.get(p.Get(fMultiArch))),
		Essential: isYes(p.Get(fEssential)),
		Priority:  in.get(p.Get(fPriority)),
		Protected: isYes(p.Get(fProtected)) || isYes(p.Get(fImportant)),
	}
	b.named = b.named[:0]
	for _, f := range namingFields {
		b.named = append(append(b.named, p.Get(f)...), ',')
	}
	it.deb.meta = meta{conflicts: s[4], breaks: s[5], filename: s[6], sha256: s[7], size: -1}
	if err := checkPackage(&it.pkg); err != nil {
		return err
	}
	if size := p.Get(fSize); size != nil {
		n, err := strconv.ParseInt(string(size), 10, 64)
		if err != nil || n < 0 {
			return fmt.Errorf("package %s: invalid Size %.40q", it.pkg.Name, size)
		}
		it.deb.meta.size = n
	}
	return nil
}

func isYes(v []byte) bool { return bytes.EqualFold(v, []byte("yes")) }

// texts concatenates field values, multi-line ones folded onto one line
// (relation fields of control files often span lines), into one string.
type texts struct {
	buf  []byte
	ends []int
	out  [8]string
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
	for i := start; i < len(buf); i++ {
		if buf[i] == '\n' {
			buf[i] = ' '
		}
	}
	t.buf, t.ends = buf, append(t.ends, len(buf))
}

func (t *texts) done() []string {
	s := string(t.buf)
	start := 0
	for i, end := range t.ends {
		t.out[i], start = s[start:end], end
	}
	return t.out[:len(t.ends)]
}

func checkPackage(p *resolver.Package) error {
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
