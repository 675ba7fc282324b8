package rpm

import "strings"

// Vercmp is rpmvercmp: compares two version (or release) strings; -1, 0, 1.
// Both are split into runs of ASCII digits or letters; anything else
// separates runs and only '~' and '^' carry meaning of their own.
func Vercmp(a, b string) int {
	if a == b {
		return 0
	}
	for {
		a, b = trimSep(a), trimSep(b)
		ta, tb := lead(a, '~'), lead(b, '~')
		ca, cb := lead(a, '^'), lead(b, '^')
		switch {
		case ta != tb: // '~' sorts before anything, even the end
			return b2i(tb) - b2i(ta)
		case ta || ca && cb:
			a, b = a[1:], b[1:]
			continue
		case ca != cb && a != "" && b != "": // '^' sorts before a run...
			return b2i(cb) - b2i(ca)
		case a == "" || b == "": // ...but after the end, like any leftover
			return b2i(a != "") - b2i(b != "")
		}
		num := isDigit(a[0])
		ra, rb := run(a, num), run(b, num)
		if rb == "" { // runs of different kinds: digits win
			return 2*b2i(num) - 1
		}
		if c := cmpRun(ra, rb, num); c != 0 {
			return c
		}
		a, b = a[len(ra):], b[len(rb):]
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func isDigit(c byte) bool        { return '0' <= c && c <= '9' }
func isAlpha(c byte) bool        { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func lead(s string, c byte) bool { return s != "" && s[0] == c }

// trimSep drops the leading bytes that only separate runs.
func trimSep(s string) string {
	i := 0
	for i < len(s) && !isDigit(s[i]) && !isAlpha(s[i]) && s[i] != '~' && s[i] != '^' {
		i++
	}
	return s[i:]
}

// run returns the leading run of digits (num) or letters of s.
func run(s string, num bool) string {
	i := 0
	for i < len(s) && (num && isDigit(s[i]) || !num && isAlpha(s[i])) {
		i++
	}
	return s[:i]
}

// cmpRun compares two runs: numbers by value (any length), letters as bytes.
func cmpRun(a, b string, num bool) int {
	if num {
		a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
		if len(a) != len(b) {
			return sign(len(a) - len(b))
		}
	}
	return strings.Compare(a, b)
}

func sign(n int) int { return min(max(n, -1), 1) }

// EVR is an epoch:version-release. Epoch "" means none (compares as 0).
type EVR struct{ Epoch, Version, Release string }

// ParseEVR splits "[E:]V[-R]" the way rpm does: an epoch only when the
// part before the first ':' is all digits, the release after the last '-'.
func ParseEVR(s string) EVR {
	var e EVR
	if i := strings.IndexByte(s, ':'); i >= 0 && run(s, true) == s[:i] {
		e.Epoch, s = s[:i], s[i+1:]
	}
	e.Version = s
	if i := strings.LastIndexByte(s, '-'); i >= 0 {
		e.Version, e.Release = s[:i], s[i+1:]
	}
	return e
}

// String is "E:V-R", omitting empty parts.
func (e EVR) String() string {
	s := e.Version
	if e.Epoch != "" {
		s = e.Epoch + ":" + s
	}
	if e.Release != "" {
		s += "-" + e.Release
	}
	return s
}

// Compare orders two EVRs totally: epoch numerically, then Vercmp of
// version, then of release (a missing release sorts first).
func Compare(a, b EVR) int {
	if c := cmpRun(a.Epoch, b.Epoch, true); c != 0 {
		return c
	}
	if c := Vercmp(a.Version, b.Version); c != 0 {
		return c
	}
	return Vercmp(a.Release, b.Release)
}

// Satisfies reports whether a package or provide "= have" meets the
// requirement "op want"; op "" is always met.
func Satisfies(op string, want, have EVR) bool {
	return op == "" || Overlap("=", have, op, want)
}

// Overlap reports whether the ranges "op1 v1" and "op2 v2" meet, as rpm
// decides whether a provide satisfies a requirement: a missing epoch is
// 0; when one side has no release, releases are not compared, and a
// release-less side that includes "=" matches outright ("= 1.0" meets
// "< 1.0-2").
func Overlap(op1 string, v1 EVR, op2 string, v2 EVR) bool {
	c := cmpRun(v1.Epoch, v2.Epoch, true)
	if c == 0 {
		c = Vercmp(v1.Version, v2.Version)
	}
	if c == 0 {
		switch {
		case v1.Release != "" && v2.Release != "":
			c = Vercmp(v1.Release, v2.Release)
		case v1.Release != "" && strings.Contains(op2, "="), v2.Release != "" && strings.Contains(op1, "="):
			return true
		}
	}
	has := func(op string, b byte) bool { return strings.IndexByte(op, b) >= 0 }
	switch {
	case c < 0:
		return has(op1, '>') || has(op2, '<')
	case c > 0:
		return has(op1, '<') || has(op2, '>')
	}
	return has(op1, '=') && has(op2, '=') || has(op1, '<') && has(op2, '<') || has(op1, '>') && has(op2, '>')
}
