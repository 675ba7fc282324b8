package globber

import "strings"

// FromGlob3 rewrites a glob(3) pattern, as supermin expands hostfiles
// (GLOB_NOESCAPE, no GLOB_BRACE), into this package's syntax: backslashes
// and braces are literal there, and "**" is just "*".
func FromGlob3(pattern string) string {
	var b strings.Builder
	for i := 0; i < len(pattern); i++ {
		switch c := pattern[i]; c {
		case '\\', '{', '}', ',':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '*':
			b.WriteByte('*')
			for i+1 < len(pattern) && pattern[i+1] == '*' {
				i++
			}
		case '[':
			// Inside a class a backslash is literal too: copy it escaped.
			j := classEnd(pattern, i)
			if j < 0 {
				b.WriteString(`\[`)
				continue
			}
			b.WriteString(strings.ReplaceAll(pattern[i:j+1], `\`, `\\`))
			i = j
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// classEnd returns the index of the "]" closing the class at i, or -1.
func classEnd(p string, i int) int {
	j := i + 1
	if j < len(p) && (p[j] == '!' || p[j] == '^') {
		j++
	}
	if j < len(p) && p[j] == ']' {
		j++
	}
	for ; j < len(p); j++ {
		if p[j] == ']' {
			return j
		}
	}
	return -1
}

// Fnmatch reports whether name matches pattern as fnmatch(3) does with
// FNM_NOESCAPE and without FNM_PATHNAME and FNM_PERIOD, the way supermin
// applies excludefiles: "*" and "?" match any byte, "/" and a leading "."
// included; "[...]" is a byte class with ranges and "!" or "^" negation;
// a "[" without its "]" is literal.
func Fnmatch(pattern, name string) bool {
	p, n := 0, 0
	starP, starN := -1, 0
	for n < len(name) {
		if p < len(pattern) {
			switch c := pattern[p]; c {
			case '*':
				starP, starN = p, n
				p++
				continue
			case '?':
				p, n = p+1, n+1
				continue
			case '[':
				if end := classEnd(pattern, p); end > 0 {
					if byteInClass(pattern[p+1:end], name[n]) {
						p, n = end+1, n+1
						continue
					}
				} else if name[n] == '[' {
					p, n = p+1, n+1
					continue
				}
			default:
				if c == name[n] {
					p, n = p+1, n+1
					continue
				}
			}
		}
		if starP < 0 {
			return false
		}
		starN++
		p, n = starP+1, starN
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// byteInClass matches b against the inside of a bracket expression.
func byteInClass(class string, b byte) bool {
	neg := len(class) > 0 && (class[0] == '!' || class[0] == '^')
	if neg {
		class = class[1:]
	}
	in := false
	for i := 0; i < len(class); i++ {
		lo, hi := class[i], class[i]
		if i+2 < len(class) && class[i+1] == '-' {
			hi = class[i+2]
			i += 2
		}
		if lo <= b && b <= hi {
			in = true
		}
	}
	return in != neg
}
