package plan

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Escape makes a name safe for one field of a `list` line: a backslash
// becomes \\, a tab \t, a newline \n, and any other control byte or byte
// that is not part of valid UTF-8 becomes \xHH. Everything else, including
// spaces and non-ASCII UTF-8, stays as it is, so ordinary names print
// unchanged. printf '%b' (bash, GNU coreutils) turns a field back into the
// name's bytes, as does Unescape.
func Escape(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r < 0x20 || r == 0x7f || r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

func needsEscape(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c == '\\' {
			return true
		}
	}
	return !utf8.ValidString(s)
}

// EscapePath is Escape for the PATH field, which also writes the > of
// " ->" as \x3e: the first " -> " of a line is then always the arrow
// between PATH and a link's TARGET.
func EscapePath(s string) string {
	return strings.ReplaceAll(Escape(s), " ->", ` -\x3e`)
}

// Unescape reverses Escape and EscapePath.
func Unescape(s string) (string, error) {
	if !strings.Contains(s, `\`) {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		if i+1 == len(s) {
			return "", fmt.Errorf("%q ends in a lone backslash", s)
		}
		i++
		switch s[i] {
		case '\\':
			b.WriteByte('\\')
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'x':
			if i+3 > len(s) {
				return "", fmt.Errorf("%q: \\x needs two hex digits", s)
			}
			c, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
			if err != nil {
				return "", fmt.Errorf("%q: \\x needs two hex digits", s)
			}
			b.WriteByte(byte(c))
			i += 2
		default:
			return "", fmt.Errorf("%q: unknown escape \\%c", s, s[i])
		}
	}
	return b.String(), nil
}
