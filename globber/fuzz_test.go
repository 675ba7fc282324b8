package globber

import (
	"path"
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzCompile(f *testing.F) {
	for _, s := range []string{"/", "/a/*.c", "/usr/**/x", "/{a,b/{c,d}}/e", "/[!]a-]x", "/a\\*", "/a/[z-a]", "/{", "/["} {
		f.Add(s)
	}
	paths := []string{"/", "/a", "/a/b", "/a/b/c.d", "/.x/y", "/usr/lib/x", "/a/{b,c}/[x]"}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Compile(s)
		if err != nil {
			if _, ok := err.(*SyntaxError); !ok {
				t.Fatalf("Compile(%q) error %T, want *SyntaxError", s, err)
			}
			return
		}
		if p.String() != s {
			t.Fatalf("String() = %q, want %q", p.String(), s)
		}
		ex := NewExcluder([]*Pattern{p})
		check := func(q string) {
			if p.Match(q) && !ex.Excluded(q) {
				t.Fatalf("%q matches %q but does not exclude it", s, q)
			}
		}
		for _, q := range paths {
			check(q)
		}
		check(s)
	})
}

// FuzzMatch compares Match with path.Match where their semantics agree.
func FuzzMatch(f *testing.F) {
	for _, s := range [][2]string{{"a/*.c", "a/b.c"}, {"[a-c]?", "bx"}, {"[^a]*", "b"}, {"*a*b", "xaxb"}, {"a**b", "axb"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pat, name string) {
		if !comparable(pat, name) {
			return
		}
		p, err := Compile("/" + pat)
		want, werr := path.Match("/"+pat, "/"+name)
		if err != nil || werr != nil {
			return
		}
		if got := p.Match("/" + name); got != want {
			t.Fatalf("Compile(%q).Match(%q) = %v, path.Match says %v", "/"+pat, "/"+name, got, want)
		}
	})
}

// comparable excludes what path.Match treats differently: braces,
// escapes, "**" segments, "[!" negation (path.Match only knows "[^"),
// dotfiles, empty segments, classes against multi-segment names (its
// classes match "/"), and multi-byte names under "*" (its stars step by
// byte, ours by character).
func comparable(pat, name string) bool {
	if !utf8.ValidString(pat) || !utf8.ValidString(name) ||
		strings.ContainsAny(pat, `{}\`) || strings.Contains(pat, "[!") {
		return false
	}
	if strings.Contains(name, "/") && strings.Contains(pat, "[") {
		return false
	}
	if strings.Contains(pat, "*") && !isASCII(name) {
		return false
	}
	for _, s := range strings.Split(pat, "/") {
		if s == "" || s == "**" || s[0] == '.' {
			return false
		}
	}
	for _, s := range strings.Split(name, "/") {
		if s == "" || s[0] == '.' {
			return false
		}
	}
	return true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
