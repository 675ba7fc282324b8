// Package deb822 streams Debian control-format paragraphs ("stanzas"): the
// dpkg status file, control files and apt Packages indexes. A caller names
// the fields it keeps; the others, most of an index, are skipped without
// allocating.
package deb822

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
)

// Paragraph holds the kept fields of one paragraph. Values are byte slices
// reused from paragraph to paragraph: a caller copies what it keeps.
// Continuation lines are trimmed and joined with "\n"; a field whose first
// line is empty (Conffiles, Description's body) does not start with one.
type Paragraph struct {
	names []string // the kept field names, canonical spelling
	keys  [][]byte // names as bytes, for comparing without conversions
	vals  [][]byte // per name
	seen  []bool
	line  int // line number of the paragraph's first field
	last  int // field continuation lines extend; -1 for a skipped one
	empty bool
}

// NewParagraph keeps the named fields; Get(i) returns names[i]'s value.
func NewParagraph(names ...string) *Paragraph {
	p := &Paragraph{names: names, vals: make([][]byte, len(names)), seen: make([]bool, len(names)), last: -1, empty: true}
	for _, n := range names {
		p.keys = append(p.keys, []byte(n))
	}
	return p
}

// Get returns the value of the i-th kept field: nil when absent, non-nil
// when present, even empty. It is valid until fn returns.
func (p *Paragraph) Get(i int) []byte {
	switch {
	case !p.seen[i]:
		return nil
	case p.vals[i] == nil:
		return []byte{}
	}
	return p.vals[i]
}

// Line is the line number of the paragraph's first field, from 1.
func (p *Paragraph) Line() int { return p.line }

// Parse streams r and calls fn after each paragraph that has at least one
// field, kept or not. fn must not keep p's byte slices; an error from fn
// stops the parse and is returned as is. Parse errors carry line numbers:
// a line without a colon, a continuation line before any field, a kept
// field given twice.
func Parse(r io.Reader, p *Paragraph, fn func(*Paragraph) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	p.reset()
	n := 0
	flush := func() error {
		if p.empty {
			return nil
		}
		err := fn(p)
		p.reset()
		return err
	}
	for sc.Scan() {
		n++
		if err := p.addLine(sc.Bytes(), n, flush); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("line %d: %w", n+1, err)
	}
	return flush()
}

func (p *Paragraph) reset() {
	for i := range p.vals {
		p.vals[i], p.seen[i] = p.vals[i][:0], false
	}
	p.last, p.empty = -1, true
}

func (p *Paragraph) addLine(line []byte, n int, flush func() error) error {
	switch {
	case len(bytes.TrimSpace(line)) == 0:
		return flush()
	case line[0] == ' ' || line[0] == '\t':
		if p.empty {
			return fmt.Errorf("line %d: continuation line outside a field", n)
		}
		if p.last >= 0 {
			p.appendLine(line)
		}
		return nil
	}
	return p.setField(line, n)
}

func (p *Paragraph) appendLine(line []byte) {
	v := p.vals[p.last]
	if len(v) > 0 {
		v = append(v, '\n')
	}
	p.vals[p.last] = append(v, bytes.TrimSpace(line)...)
}

func (p *Paragraph) setField(line []byte, n int) error {
	colon := bytes.IndexByte(line, ':')
	if colon <= 0 {
		return fmt.Errorf("line %d: malformed field %.40q", n, line)
	}
	if p.empty {
		p.line, p.empty = n, false
	}
	p.last = p.slot(line[:colon])
	if p.last < 0 {
		return nil
	}
	if p.seen[p.last] {
		return fmt.Errorf("line %d: duplicate field %s", n, p.names[p.last])
	}
	p.seen[p.last] = true
	p.vals[p.last] = append(p.vals[p.last][:0], bytes.TrimSpace(line[colon+1:])...)
	return nil
}

// slot returns the index of a kept field, or -1. Field names are
// case-insensitive; a linear scan beats a map for a dozen names because
// the length check rejects most fields at once.
func (p *Paragraph) slot(name []byte) int {
	for i, k := range p.keys {
		if len(k) == len(name) && bytes.EqualFold(k, name) {
			return i
		}
	}
	return -1
}
