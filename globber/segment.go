package globber

import (
	"strings"
	"unicode/utf8"
)

// segKind tells how a pattern segment matches one path segment.
type segKind uint8

const (
	segLit  segKind = iota // exact name
	segWild                // * ? [...] within one name
	segStar                // ** : zero or more whole names
)

// seg is one compiled "/"-separated pattern segment.
type seg struct {
	kind segKind
	key  string    // the literal name, or the source text of a wildcard
	wild *wildcard // segWild only
	off  int       // offset of the segment in the pattern, for errors
}

// wildcard matches a single name. Consecutive literal bytes are merged
// into one chunk and runs of "*" into one star, which keeps matching fast.
type wildcard struct {
	toks  []wtok
	dotOK bool // the segment starts with a literal ".", so dotfiles may match
}

type wtok struct {
	kind tokKind // tLit (chunk), tAny, tStar or tClass
	lit  string
	cls  *class
}

// buildSeg classifies the tokens of one segment.
func buildSeg(pattern string, toks []token) (seg, error) {
	s := seg{off: toks[0].off}
	var src, lit strings.Builder
	allLit := true
	for _, t := range toks {
		src.WriteString(t.src)
		lit.WriteByte(t.ch)
		allLit = allLit && t.kind == tLit
	}
	switch {
	case allLit:
		s.kind, s.key = segLit, lit.String()
		if s.key == "." || s.key == ".." {
			return seg{}, syntaxErr(pattern, s.off, "%q segment", s.key)
		}
	case len(toks) == 2 && toks[0].kind == tStar && toks[1].kind == tStar:
		s.kind, s.key = segStar, "**"
	default:
		s.kind, s.key, s.wild = segWild, src.String(), newWildcard(toks)
	}
	return s, nil
}

// newWildcard compiles the tokens of a wildcard segment.
func newWildcard(toks []token) *wildcard {
	w := &wildcard{dotOK: toks[0].kind == tLit && toks[0].ch == '.'}
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch t.kind {
		case tLit:
			j := i
			for j < len(toks) && toks[j].kind == tLit {
				j++
			}
			w.toks = append(w.toks, wtok{kind: tLit, lit: litString(toks[i:j])})
			i = j - 1
		case tStar:
			if n := len(w.toks); n == 0 || w.toks[n-1].kind != tStar {
				w.toks = append(w.toks, wtok{kind: tStar})
			}
		default:
			w.toks = append(w.toks, wtok{kind: t.kind, cls: t.cls})
		}
	}
	return w
}

func litString(toks []token) string {
	b := make([]byte, len(toks))
	for i, t := range toks {
		b[i] = t.ch
	}
	return string(b)
}

// match reports whether name (non-empty, no "/") matches.
func (w *wildcard) match(name string) bool {
	if name[0] == '.' && !w.dotOK {
		return false
	}
	return matchToks(w.toks, name)
}

// matchToks is the classic glob matcher with one backtracking point: on a
// mismatch, the most recent star swallows one more character and matching
// resumes after it. Earlier stars never need revisiting, so this is
// O(len(toks)*len(name)) at worst. Stars step by character, not byte.
func matchToks(toks []wtok, name string) bool {
	ti, ni := 0, 0
	starTi, starNi := -1, 0
	for {
		if ti < len(toks) {
			if t := &toks[ti]; t.kind == tStar {
				starTi, starNi = ti, ni
				ti++
				continue
			} else if n, ok := t.step(name[ni:]); ok {
				ti, ni = ti+1, ni+n
				continue
			}
		} else if ni == len(name) {
			return true
		}
		if starTi < 0 || starNi >= len(name) {
			return false
		}
		_, w := utf8.DecodeRuneInString(name[starNi:])
		starNi += w
		ti, ni = starTi+1, starNi
	}
}

// step matches a non-star token at the start of s and returns its width.
func (t *wtok) step(s string) (int, bool) {
	if t.kind == tLit {
		return len(t.lit), strings.HasPrefix(s, t.lit)
	}
	if s == "" {
		return 0, false
	}
	r, w := utf8.DecodeRuneInString(s)
	return w, t.kind == tAny || t.cls.has(r)
}
