package globber

// maxAlternatives bounds brace expansion, which is exponential in the
// number of brace groups.
const maxAlternatives = 1024

// Pattern is a compiled absolute glob. It is immutable and safe for
// concurrent use.
type Pattern struct {
	src  string
	alts [][]seg // brace-expanded alternatives, each a list of segments
	root *node   // trie of alts, used by Match
}

// Compile parses an absolute glob pattern (see the package documentation).
// Errors are *SyntaxError values naming the offending byte offset.
func Compile(pattern string) (*Pattern, error) {
	if pattern == "" {
		return nil, syntaxErr(pattern, -1, "empty pattern")
	}
	if pattern[0] != '/' {
		return nil, syntaxErr(pattern, -1, "pattern must be absolute")
	}
	p := &parser{pat: pattern}
	items, err := p.parseSeq(false)
	if err != nil {
		return nil, err
	}
	flat, err := expandBraces(pattern, items)
	if err != nil {
		return nil, err
	}
	pat := &Pattern{src: pattern, root: newNode()}
	for _, toks := range flat {
		segs, err := splitSegments(pattern, toks)
		if err != nil {
			return nil, err
		}
		pat.alts = append(pat.alts, segs)
		pat.root.insert(segs, 0)
	}
	return pat, nil
}

// MustCompile is Compile for patterns known to be valid; it panics otherwise.
func MustCompile(pattern string) *Pattern {
	p, err := Compile(pattern)
	if err != nil {
		panic(err)
	}
	return p
}

// String returns the pattern as given to Compile.
func (p *Pattern) String() string { return p.src }

// Match reports whether the absolute, clean path matches the pattern.
func (p *Pattern) Match(path string) bool {
	return runMatch(p.root, path, false)
}

// expandBraces turns items into the token lists of all alternatives.
func expandBraces(pattern string, items []item) ([][]token, error) {
	out := [][]token{nil}
	for _, it := range items {
		if it.alts == nil {
			for i := range out {
				out[i] = append(out[i], it.tok)
			}
			continue
		}
		var branches [][]token
		for _, a := range it.alts {
			b, err := expandBraces(pattern, a)
			if err != nil {
				return nil, err
			}
			branches = append(branches, b...)
		}
		if len(out)*len(branches) > maxAlternatives {
			return nil, syntaxErr(pattern, it.tok.off, "braces expand to more than %d alternatives", maxAlternatives)
		}
		out = crossProduct(out, branches)
	}
	return out, nil
}

// crossProduct appends every branch to every prefix. Each result gets its
// own backing array so later appends cannot clobber a sibling.
func crossProduct(prefixes, branches [][]token) [][]token {
	out := make([][]token, 0, len(prefixes)*len(branches))
	for _, pre := range prefixes {
		for _, b := range branches {
			t := make([]token, 0, len(pre)+len(b))
			out = append(out, append(append(t, pre...), b...))
		}
	}
	return out
}

// splitSegments cuts an alternative at separators. Empty segments ("//",
// a trailing "/") are dropped, runs of "**" are collapsed, and a trailing
// "**" becomes "*/**" so that it matches descendants only.
func splitSegments(pattern string, toks []token) ([]seg, error) {
	var segs []seg
	start := 0
	for i := 0; i <= len(toks); i++ {
		if i < len(toks) && toks[i].kind != tSep {
			continue
		}
		if i > start {
			s, err := buildSeg(pattern, toks[start:i])
			if err != nil {
				return nil, err
			}
			if !(s.kind == segStar && len(segs) > 0 && segs[len(segs)-1].kind == segStar) {
				segs = append(segs, s)
			}
		}
		start = i + 1
	}
	if n := len(segs); n > 0 && segs[n-1].kind == segStar {
		last := segs[n-1]
		one := seg{kind: segWild, key: "*", wild: &wildcard{toks: []wtok{{kind: tStar}}}, off: last.off}
		segs = append(segs[:n-1], one, last)
	}
	return segs, nil
}
