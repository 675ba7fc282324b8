package deb

import (
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/deb822"
)

// TestFolding: multi-line relation fields of control files reach the
// resolver on one line, Pre-Depends first.
func TestFolding(t *testing.T) {
	p := newFieldParagraph()
	var it item
	err := deb822.Parse(strings.NewReader("Package: x\nVersion: 1\nArchitecture: all\nDepends: a,\n b\nPre-Depends: c\nProvides: d,\n e\nMulti-Arch: Foreign\nEssential: Yes\n"),
		p, func(p *deb822.Paragraph) error { return newBuilder().build(p, &it) })
	if err != nil {
		t.Fatal(err)
	}
	if it.pkg.Depends != "c, a, b" || it.pkg.Provides != "d, e" || it.pkg.MultiArch != "foreign" || !it.pkg.Essential {
		t.Errorf("%+v", it.pkg)
	}
}
