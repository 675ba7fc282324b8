package globber

import (
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

func TestFnmatch(t *testing.T) {
	for _, tc := range []struct {
		pattern, name string
		want          bool
	}{
		{"/usr/share/doc/*", "/usr/share/doc/bash/copyright", true}, // "*" crosses "/"
		{"/usr/share/doc/*", "/usr/share/doc", false},
		{"/var/log/*.log*", "/var/log/apt/term.log", true},
		{"/var/log/?tmp", "/var/log/wtmp", true},
		{"/var/log/?tmp", "/var/log//tmp", true}, // "?" matches "/" too
		{"/etc/*", "/etc/.hidden", true},         // no FNM_PERIOD
		{"/a/[bc]x", "/a/cx", true},
		{"/a/[!bc]x", "/a/cx", false},
		{"/a/[a-c]x", "/a/bx", true},
		{"/a/[]]x", "/a/]x", true},
		{"/a/[x", "/a/[x", true}, // unclosed class: literal
		{`/a/\*`, `/a/\b`, true}, // FNM_NOESCAPE: backslash is literal
		{"*", "", true},
		{"/a*b*c", "/aXbYbZc", true},
		{"/a*b*c", "/aXbYbZ", false},
	} {
		if got := Fnmatch(tc.pattern, tc.name); got != tc.want {
			t.Errorf("Fnmatch(%q, %q) = %v, want %v", tc.pattern, tc.name, got, tc.want)
		}
	}
}

// FuzzFnmatch compares Fnmatch with a plain recursive reference for "*"
// and "?" (classes are covered by the table above).
func FuzzFnmatch(f *testing.F) {
	f.Add("/a/*b?[c-e]", "/a/xx/b/d")
	f.Add("*[!a]*", "xay")
	f.Fuzz(func(t *testing.T, pattern, name string) {
		if strings.Contains(pattern, "[") {
			return // classes are covered by the table; the reference has none
		}
		if got, want := Fnmatch(pattern, name), refMatch(pattern, name); got != want {
			t.Fatalf("Fnmatch(%q, %q) = %v, reference %v", pattern, name, got, want)
		}
	})
}

func refMatch(p, n string) bool {
	if p == "" {
		return n == ""
	}
	switch p[0] {
	case '*':
		for i := 0; i <= len(n); i++ {
			if refMatch(p[1:], n[i:]) {
				return true
			}
		}
		return false
	case '?':
		return n != "" && refMatch(p[1:], n[1:])
	}
	return n != "" && p[0] == n[0] && refMatch(p[1:], n[1:])
}

// TestFromGlob3 checks the rewrite against bash's own globbing (glob(3)
// rules: no braces inside a pattern variable, "**" without globstar is "*").
func TestFromGlob3(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/lib/lsb/*", "/lib/lsb/*"},
		{"/usr/**/x", "/usr/*/x"},
		{"/a/{b,c}", `/a/\{b\,c\}`},
		{`/a/b\c`, `/a/b\\c`},
		{`/a/[\x]`, `/a/[\\x]`},
		{"/a/[x", `/a/\[x`},
	} {
		if got := FromGlob3(tc.in); got != tc.want {
			t.Errorf("FromGlob3(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if _, err := Compile(FromGlob3(tc.in)); err != nil {
			t.Errorf("FromGlob3(%q) does not compile: %v", tc.in, err)
		}
	}
	// Against bash on the host: the supermin.d hostfiles of libguestfs.
	testtool.Need(t, "bash")
	for _, pat := range []string{"/etc/ld.so.cache", "/lib/lsb/*", "/usr/share/augeas/lenses/*.aug", "/etc/*.conf", "/usr/lib/x86_64-linux-gnu/libc.so*"} {
		out := testtool.Output(t, nil, "bash", "-c", `shopt -s nullglob; for f in `+pat+`; do echo "$f"; done`)
		ms, err := Expand(nil, []*Pattern{MustCompile(FromGlob3(pat))})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range ms {
			got = append(got, m.Path)
		}
		if g, w := strings.Join(got, "\n"), strings.TrimSpace(string(out)); g != w {
			t.Errorf("%s: ours\n%s\nbash\n%s", pat, g, w)
		}
	}
}
