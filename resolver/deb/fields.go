package deb

import (
	"fmt"
	"strconv"

	"github.com/supermin-compile/supermin-compile/internal/deb822"
	"github.com/supermin-compile/supermin-compile/internal/debpkg"
)

// The fields of index paragraphs beyond a package's (debpkg's); a control
// file has none of them.
const (
	fFilename = debpkg.NFields + iota
	fSize
	fSHA256
)

func newFieldParagraph() *deb822.Paragraph { return debpkg.NewParagraph("Filename", "Size", "SHA256") }

// meta is what this package needs about a package beyond resolver.Package.
type meta struct {
	conflicts, breaks string
	filename          string // index: path below the mirror root
	size              int64  // index: size of the .deb, -1 when not given
	sha256            string // index: lower-case hex
	index             int    // index: which of the indexes given lists it
}

// builder makes items from paragraphs, reusing its buffers.
type builder struct {
	pkgs *debpkg.Builder
	// named is the last paragraph's names for resolver.NameOrder (see
	// debpkg.Builder.Named); valid until the next build.
	named []byte
}

func newBuilder() *builder { return &builder{pkgs: debpkg.NewBuilder()} }

// build fills it from a paragraph and checks it (debpkg.Check, and Size
// when given).
func (b *builder) build(p *deb822.Paragraph, it *item) error {
	s := b.pkgs.Build(p, &it.pkg, debpkg.Conflicts, debpkg.Breaks, fFilename, fSHA256)
	b.named = b.pkgs.Named(p)
	it.deb.meta = meta{conflicts: s[0], breaks: s[1], filename: s[2], sha256: s[3], size: -1}
	if err := debpkg.Check(&it.pkg); err != nil {
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
