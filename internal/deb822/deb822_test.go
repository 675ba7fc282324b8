package deb822

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// collect renders each paragraph's kept fields as "Name=value" strings.
func collect(text string, fields ...string) ([][]string, error) {
	var out [][]string
	p := NewParagraph(fields...)
	err := Parse(strings.NewReader(text), p, func(p *Paragraph) error {
		var kv []string
		for i, n := range p.names {
			if v := p.Get(i); v != nil {
				kv = append(kv, fmt.Sprintf("%s=%s", n, v))
			}
		}
		out = append(out, append(kv, fmt.Sprint("line=", p.Line())))
		return nil
	})
	return out, err
}

func TestParse(t *testing.T) {
	text := "Package: a\ndescription: x\n long\n .\nDEPENDS: b,\n c (>= 1)\n\n \t\n\n" +
		"package:b\nEmpty:\nConffiles:\n /etc/x 123\n /etc/y 456\n\n" +
		"Other: only skipped fields\r\n"
	got, err := collect(text, "Package", "Depends", "Conffiles", "Empty")
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"Package=a", "Depends=b,\nc (>= 1)", "line=1"},
		{"Package=b", "Conffiles=/etc/x 123\n/etc/y 456", "Empty=", "line=10"},
		{"line=16"},
	}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestParseErrors(t *testing.T) {
	for text, msg := range map[string]string{
		"Package: a\nno colon\n": `line 2: malformed field "no colon"`,
		" x\n":                   "line 1: continuation line outside a field",
		"A: 1\n\n x\n":           "line 3: continuation line outside a field",
		":x\n":                   "line 1: malformed field",
		"A: 1\nB: 2\na: 3\n":     "line 3: duplicate field A",
		"A: 1\n" + strings.Repeat("x", 20<<20) + "\n": "line 2: bufio.Scanner: token too long",
	} {
		if _, err := collect(text, "A", "B"); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%.20q: error %v, want %q", text, err, msg)
		}
	}
	long := strings.Repeat("y", 100)
	if _, err := collect(long+"\n", "A"); err == nil || !strings.Contains(err.Error(), `"`+long[:40]+`"`) {
		t.Errorf("long malformed line: error %v, want it quoted and cut at 40 bytes", err)
	}
	stop := errors.New("stop")
	calls := 0
	err := Parse(strings.NewReader("A: 1\n\nA: 2\n"), NewParagraph("A"), func(*Paragraph) error { calls++; return stop })
	if err != stop || calls != 1 {
		t.Errorf("Parse = %v after %d calls, want fn's error after 1", err, calls)
	}
}

// FuzzParse: any bytes parse or fail with an error, never panic; values
// hold trimmed, non-empty lines joined with "\n", and paragraphs start on
// increasing lines within the input.
func FuzzParse(f *testing.F) {
	f.Add([]byte("Package: a\ndescription: x\n long\n .\nDEPENDS: b,\n c (>= 1)\n\n \t\n\npackage:b\nEmpty:\n"))
	f.Add([]byte("Conffiles:\n /etc/x 123\n /etc/y 456\n\n\n \t\nPackage:\xc2\x85\n \xc2\xa0\n"))
	f.Add([]byte(" leading continuation\n:\nA: 1\na: 2\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := bytes.Count(data, []byte("\n")) + 1
		prev := 0
		_ = Parse(bytes.NewReader(data), NewParagraph("Package", "Depends", "Conffiles", "Empty"), func(p *Paragraph) error {
			if p.Line() <= prev || p.Line() > lines {
				t.Fatalf("paragraph at line %d after line %d, of %d", p.Line(), prev, lines)
			}
			prev = p.Line()
			for i := range p.names {
				v := p.Get(i)
				if len(v) == 0 {
					continue
				}
				for _, l := range bytes.Split(v, []byte("\n")) {
					if len(l) == 0 || !bytes.Equal(l, bytes.TrimSpace(l)) {
						t.Fatalf("field %s = %q: an empty or untrimmed line", p.names[i], v)
					}
				}
			}
			return nil
		})
	})
}
