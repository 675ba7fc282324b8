package deb

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
)

// paragraph holds the kept fields of one deb822 stanza (a control file or
// one package of a Packages index). Values are byte slices reused from
// paragraph to paragraph: a caller copies what it keeps, so skipping the
// bulk of an index (descriptions, tags, checksums) allocates nothing.
type paragraph struct {
	names []string // the kept field names, canonical spelling
	keys  [][]byte // names as bytes, for comparing without conversions
	vals  [][]byte // per name; continuation lines joined with "\n"
	seen  []bool
	line  int // line number of the paragraph's first field
	last  int // field continuation lines extend; -1 for a skipped one
	empty bool
}

func newParagraph(names ...string) *paragraph {
	p := &paragraph{names: names, vals: make([][]byte, len(names)), seen: make([]bool, len(names)), last: -1, empty: true}
	for _, n := range names {
		p.keys = append(p.keys, []byte(n))
	}
	return p
}

// get returns a field's value: nil when absent, non-nil when present,
// even empty.
func (p *paragraph) get(i int) []byte {
	switch {
	case !p.seen[i]:
		return nil
	case p.vals[i] == nil:
		return []byte{}
	}
	return p.vals[i]
}

func (p *paragraph) reset() {
	for i := range p.vals {
		p.vals[i], p.seen[i] = p.vals[i][:0], false
	}
	p.last, p.empty = -1, true
}

// slot returns the index of a kept field, or -1. Field names are
// case-insensitive in deb822; a linear scan beats a map for a dozen names
// because the length check rejects most fields at once.
func (p *paragraph) slot(name []byte) int {
	for i, k := range p.keys {
		if len(k) == len(name) && bytes.EqualFold(k, name) {
			return i
		}
	}
	return -1
}

// paragraphs streams r and calls fn after each paragraph that has at least
// one field. fn must not keep p's byte slices. Errors carry line numbers.
func paragraphs(r io.Reader, p *paragraph, fn func(p *paragraph) error) error {
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

func (p *paragraph) addLine(line []byte, n int, flush func() error) error {
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

// appendLine adds a continuation line; a field whose first line is empty
// (Conffiles, Description's body) does not start with a newline.
func (p *paragraph) appendLine(line []byte) {
	v := p.vals[p.last]
	if len(v) > 0 {
		v = append(v, '\n')
	}
	p.vals[p.last] = append(v, bytes.TrimSpace(line)...)
}

func (p *paragraph) setField(line []byte, n int) error {
	colon := bytes.IndexByte(line, ':')
	if colon <= 0 {
		return fmt.Errorf("line %d: malformed field %q", n, truncate(line))
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

func truncate(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "..."
	}
	return string(b)
}
