package globber

import "unicode/utf8"

// tokKind is the kind of one lexical element of a pattern.
type tokKind uint8

const (
	tLit   tokKind = iota // one literal byte
	tAny                  // ?
	tStar                 // *
	tClass                // [...]
	tSep                  // /
)

// token is one lexical element; off and src keep where it came from so
// errors can point at it and equal segments can share a trie edge.
type token struct {
	kind tokKind
	ch   byte
	cls  *class
	off  int
	src  string
}

// item is a token or, when alts is non-nil, a {…} alternation whose
// branches are item sequences themselves.
type item struct {
	tok  token
	alts [][]item
}

// parser turns a pattern into items; braces become nested alternations.
type parser struct {
	pat string
	pos int
}

// parseSeq reads items up to the end of the pattern or, inside braces, up
// to the "," or "}" that ends the current branch (left unconsumed).
func (p *parser) parseSeq(inBrace bool) ([]item, error) {
	var seq []item
	for p.pos < len(p.pat) {
		c := p.pat[p.pos]
		if inBrace && (c == ',' || c == '}') {
			break
		}
		var err error
		seq, err = p.parseItem(seq, c)
		if err != nil {
			return nil, err
		}
	}
	return seq, nil
}

// parseItem appends the item starting at p.pos (whose first byte is c).
func (p *parser) parseItem(seq []item, c byte) ([]item, error) {
	start := p.pos
	switch c {
	case '\\':
		return p.parseEscape(seq)
	case '[':
		cls, err := p.parseClass()
		if err != nil {
			return nil, err
		}
		return append(seq, item{tok: token{kind: tClass, cls: cls, off: start, src: p.pat[start:p.pos]}}), nil
	case '{':
		alts, err := p.parseBraces()
		if err != nil {
			return nil, err
		}
		return append(seq, item{tok: token{off: start}, alts: alts}), nil
	}
	p.pos++
	t := token{kind: tLit, ch: c, off: start, src: p.pat[start:p.pos]}
	switch c {
	case '*':
		t.kind = tStar
	case '?':
		t.kind = tAny
	case '/':
		t.kind = tSep
	}
	return append(seq, item{tok: t}), nil
}

// parseEscape handles a backslash: the next character is literal. An
// escaped "/" is still a separator, since no name can contain one.
func (p *parser) parseEscape(seq []item) ([]item, error) {
	start := p.pos
	if start+1 >= len(p.pat) {
		return nil, syntaxErr(p.pat, start, `trailing "\"`)
	}
	_, w := utf8.DecodeRuneInString(p.pat[start+1:])
	p.pos = start + 1 + w
	src := p.pat[start:p.pos]
	if p.pat[start+1] == '/' {
		return append(seq, item{tok: token{kind: tSep, ch: '/', off: start, src: src}}), nil
	}
	for i := start + 1; i < p.pos; i++ {
		seq = append(seq, item{tok: token{kind: tLit, ch: p.pat[i], off: start, src: src}})
		src = "" // the source text is carried by the first byte only
	}
	return seq, nil
}

// parseBraces reads a {a,b,...} alternation starting at p.pos.
func (p *parser) parseBraces() ([][]item, error) {
	open := p.pos
	p.pos++
	var alts [][]item
	for {
		branch, err := p.parseSeq(true)
		if err != nil {
			return nil, err
		}
		alts = append(alts, branch)
		if p.pos >= len(p.pat) {
			return nil, syntaxErr(p.pat, open, `unclosed "{"`)
		}
		c := p.pat[p.pos]
		p.pos++
		if c == '}' {
			return alts, nil
		}
	}
}
