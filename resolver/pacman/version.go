package pacman

import "strings"

// Compare orders two package versions as pacman does (alpm_pkg_vercmp):
// "epoch:pkgver-pkgrel", epochs compared first (a missing one is 0),
// then pkgver, then pkgrel only when both versions have one, each part
// by segments as rpmvercmp did before it learnt "~" and "^".
func Compare(a, b string) int {
	if a == b {
		return 0
	}
	ea, va, ra := splitEVR(a)
	eb, vb, rb := splitEVR(b)
	if c := compareSegments(ea, eb); c != 0 {
		return c
	}
	if c := compareSegments(va, vb); c != 0 || ra == nil || rb == nil {
		return c
	}
	return compareSegments(*ra, *rb)
}

// splitEVR splits "epoch:version-release": the epoch is the leading
// digits when a ":" follows them, the release whatever follows the last
// "-" after them (nil when there is none).
func splitEVR(s string) (epoch, version string, release *string) {
	digits := len(s) - len(strings.TrimLeft(s, "0123456789"))
	epoch, version = "0", s
	if digits < len(s) && s[digits] == ':' {
		if digits > 0 {
			epoch = s[:digits]
		}
		version = s[digits+1:]
	}
	if i := strings.LastIndexByte(s[digits:], '-'); i >= 0 {
		i += digits
		r := s[i+1:]
		release = &r
		version = version[:len(version)-len(s)+i]
	}
	return epoch, version, release
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isAlnum(c byte) bool { return isDigit(c) || isAlpha(c) }

// compareSegments compares two version parts segment by segment: runs of
// digits numerically, runs of letters in byte order, a number newer than
// letters; the separators between segments count only by their length.
func compareSegments(a, b string) int {
	if a == b {
		return 0
	}
	for a != "" && b != "" {
		sepA, sepB := skip(a, isAlnum, false), skip(b, isAlnum, false)
		a, b = a[sepA:], b[sepB:]
		if a == "" || b == "" {
			break
		}
		if sepA != sepB {
			return cmpInt(sepA, sepB)
		}
		class := isAlpha
		if isDigit(a[0]) {
			class = isDigit
		}
		na, nb := skip(a, class, true), skip(b, class, true)
		if nb == 0 { // a number against letters, or letters against a number
			if isDigit(a[0]) {
				return 1
			}
			return -1
		}
		segA, segB := a[:na], b[:nb]
		a, b = a[na:], b[nb:]
		if isDigit(segA[0]) {
			segA, segB = strings.TrimLeft(segA, "0"), strings.TrimLeft(segB, "0")
			if len(segA) != len(segB) {
				return cmpInt(len(segA), len(segB))
			}
		}
		if c := strings.Compare(segA, segB); c != 0 {
			return c
		}
	}
	switch {
	case a == "" && b == "":
		return 0
	case a == "" && (b == "" || !isAlpha(b[0])), a != "" && isAlpha(a[0]):
		return -1 // letters left over never beat the end of a version
	}
	return 1
}

// skip returns the length of the prefix of s whose bytes are (want) or
// are not (!want) of class.
func skip(s string, class func(byte) bool, want bool) int {
	i := 0
	for i < len(s) && class(s[i]) == want {
		i++
	}
	return i
}

func cmpInt(a, b int) int {
	if a < b {
		return -1
	}
	return 1
}
