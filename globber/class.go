package globber

import "unicode/utf8"

// class is a compiled [...] bracket expression.
type class struct {
	neg    bool
	ranges []runeRange
}

type runeRange struct{ lo, hi rune }

// has reports whether r is in the class. "/" is never a member: names
// never contain it, and a class must not bridge two segments.
func (c *class) has(r rune) bool {
	if r == '/' {
		return false
	}
	in := false
	for _, rg := range c.ranges {
		if rg.lo <= r && r <= rg.hi {
			in = true
			break
		}
	}
	return in != c.neg
}

// parseClass reads a bracket expression starting at the "[" at p.pos.
// "!" or "^" first negates; "]" first (after any negation) is literal;
// "-" between two characters is a range, elsewhere it is literal.
func (p *parser) parseClass() (*class, error) {
	open := p.pos
	i := open + 1
	c := &class{}
	if i < len(p.pat) && (p.pat[i] == '!' || p.pat[i] == '^') {
		c.neg = true
		i++
	}
	for first := true; ; first = false {
		if i >= len(p.pat) {
			return nil, syntaxErr(p.pat, open, `unclosed "["`)
		}
		if p.pat[i] == ']' && !first {
			p.pos = i + 1
			return c, nil
		}
		rg, next, ok := p.classRange(i)
		if !ok {
			return nil, syntaxErr(p.pat, open, `unclosed "["`)
		}
		if rg.hi < rg.lo {
			return nil, syntaxErr(p.pat, i, "invalid range %q", p.pat[i:next])
		}
		c.ranges = append(c.ranges, rg)
		i = next
	}
}

// classRange reads one class member (a character or a range) at i and
// returns it with the offset just past it; ok is false at a premature end.
func (p *parser) classRange(i int) (runeRange, int, bool) {
	lo, i, ok := p.classChar(i)
	if !ok {
		return runeRange{}, 0, false
	}
	if i+1 < len(p.pat) && p.pat[i] == '-' && p.pat[i+1] != ']' {
		hi, j, ok := p.classChar(i + 1)
		if !ok {
			return runeRange{}, 0, false
		}
		return runeRange{lo, hi}, j, true
	}
	return runeRange{lo, lo}, i, true
}

// classChar decodes one possibly escaped character at i. Invalid UTF-8
// decodes to utf8.RuneError, the same value a name's bad byte decodes to.
func (p *parser) classChar(i int) (rune, int, bool) {
	if p.pat[i] == '\\' {
		i++
		if i >= len(p.pat) {
			return 0, 0, false
		}
	}
	r, w := utf8.DecodeRuneInString(p.pat[i:])
	return r, i + w, true
}
