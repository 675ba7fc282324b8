package deb

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// collect renders each paragraph's kept fields as "Name=value" strings.
func collect(t *testing.T, text string, fields ...string) ([][]string, error) {
	var out [][]string
	p := newParagraph(fields...)
	err := paragraphs(strings.NewReader(text), p, func(p *paragraph) error {
		var kv []string
		for i, n := range p.names {
			if v := p.get(i); v != nil {
				kv = append(kv, fmt.Sprintf("%s=%s", n, v))
			}
		}
		out = append(out, append(kv, fmt.Sprint("line=", p.line)))
		return nil
	})
	return out, err
}

func TestParagraphs(t *testing.T) {
	text := "Package: a\ndescription: x\n long\n .\nDEPENDS: b,\n c (>= 1)\n\n \t\n\n" +
		"package:b\nEmpty:\nConffiles:\n /etc/x 123\n /etc/y 456\n"
	got, err := collect(t, text, "Package", "Depends", "Conffiles", "Empty")
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"Package=a", "Depends=b,\nc (>= 1)", "line=1"},
		{"Package=b", "Conffiles=/etc/x 123\n/etc/y 456", "Empty=", "line=10"},
	}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	for text, msg := range map[string]string{
		"Package: a\nno colon\n": "line 2: malformed field",
		" x\n":                   "line 1: continuation line outside a field",
		":x\n":                   "line 1: malformed field",
		"A: 1\nB: 2\na: 3\n":     "line 3: duplicate field A",
	} {
		if _, err := collect(t, text, "A", "B"); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%q: error %v, want %q", text, err, msg)
		}
	}
}

// TestFolding: multi-line relation fields of control files reach the
// resolver on one line, Pre-Depends first.
func TestFolding(t *testing.T) {
	p := newFieldParagraph()
	var it item
	err := paragraphs(strings.NewReader("Package: x\nVersion: 1\nArchitecture: all\nDepends: a,\n b\nPre-Depends: c\nProvides: d,\n e\nMulti-Arch: Foreign\nEssential: Yes\n"),
		p, func(p *paragraph) error { return newBuilder().build(p, &it) })
	if err != nil {
		t.Fatal(err)
	}
	if it.pkg.Depends != "c, a, b" || it.pkg.Provides != "d, e" || it.pkg.MultiArch != "foreign" || !it.pkg.Essential {
		t.Errorf("%+v", it.pkg)
	}
}
