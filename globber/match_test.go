package globber

import "testing"

func TestMatch(t *testing.T) {
	tests := []struct {
		pattern, path string
		want          bool
	}{
		// literals and normalisation
		{"/etc/passwd", "/etc/passwd", true},
		{"/etc/passwd", "/etc/passwd2", false},
		{"/etc/passwd", "/etc", false},
		{"/etc//passwd/", "/etc/passwd", true},
		{"/", "/", true},
		{"/", "/etc", false},
		// *
		{"/etc/*.conf", "/etc/a.conf", true},
		{"/etc/*.conf", "/etc/.conf", false},
		{"/etc/*.conf", "/etc/x/a.conf", false},
		{"/etc/*", "/etc", false},
		{"/usr/lib/lib*.so*", "/usr/lib/libc.so.6", true},
		{"/usr/lib/lib*.so*", "/usr/lib/libc.a", false},
		{"/a/*b*c*", "/a/xbybzc", true},
		{"/a/*", "/a/héllo", true},
		// ?
		{"/a/?", "/a/x", true},
		{"/a/?", "/a/é", true},
		{"/a/??", "/a/é", false},
		{"/a?b", "/a/b", false},
		{"/a/?x", "/a/.x", false},
		// classes
		{"/a/[abc]", "/a/b", true},
		{"/a/[a-c]x", "/a/cx", true},
		{"/a/[a-c]x", "/a/dx", false},
		{"/a/[!a-c]", "/a/d", true},
		{"/a/[!a-c]", "/a/a", false},
		{"/a/[^a-c]", "/a/z", true},
		{"/a/[]x]", "/a/]", true},
		{"/a/[!]x]", "/a/]", false},
		{"/a/[!]x]", "/a/y", true},
		{"/a/[a-]", "/a/-", true},
		{"/a/[\\]]", "/a/]", true},
		{"/a/[\\-a]", "/a/-", true},
		{"/a[/]b", "/a/b", false},
		{"/a/[.]x", "/a/.x", false},
		{"/a/[α-ω]", "/a/λ", true},
		// escapes
		{"/a/\\*", "/a/*", true},
		{"/a/\\*", "/a/x", false},
		{"/a/\\[x]", "/a/[x]", true},
		{"/a/\\{b,c}", "/a/{b,c}", true},
		{"/a/\\.x*", "/a/.xy", true},
		{"/a\\/b", "/a/b", true},
		// dotfiles
		{"/a/.*", "/a/.git", true},
		{"/a/.*", "/a/git", false},
		{"/a/*", "/a/.git", false},
		{"/a/.git/*", "/a/.git/config", true},
		// **
		{"/usr/**/*.so", "/usr/a.so", true},
		{"/usr/**/*.so", "/usr/lib/a.so", true},
		{"/usr/**/*.so", "/usr/lib/x/y/a.so", true},
		{"/usr/**/*.so", "/usr/.hid/a.so", false},
		{"/usr/**/*.so", "/opt/a.so", false},
		{"/etc/**", "/etc", false},
		{"/etc/**", "/etc/a", true},
		{"/etc/**", "/etc/a/b/c", true},
		{"/etc/**", "/etc/.git", false},
		{"/etc/**", "/etc/a/.git/config", false},
		{"/etc/**/.*", "/etc/.git", true},
		{"/etc/**/.*", "/etc/a/.git", true},
		{"/**", "/x", true},
		{"/**", "/", false},
		{"/a/**/**/b", "/a/b", true},
		{"/a/**/b/**", "/a/x/b/y", true},
		{"/a/**/b/**", "/a/x/b", false},
		{"/a/x**y", "/a/xzzy", true},
		{"/a/x**y", "/a/xz/y", false},
		// braces
		{"/usr/{lib,share/doc}/x*", "/usr/lib/xa", true},
		{"/usr/{lib,share/doc}/x*", "/usr/share/doc/xa", true},
		{"/usr/{lib,share/doc}/x*", "/usr/share/xa", false},
		{"/a/{b,c{d,e}}", "/a/ce", true},
		{"/a/{b,c{d,e}}", "/a/c", false},
		{"/a/{b,}c", "/a/c", true},
		{"/a/{b,}c", "/a/bc", true},
		{"/a/{x}", "/a/x", true},
		{"/a/{,.}*", "/a/.x", true},
		{"/a/b}", "/a/b}", true},
		{"/a/b,c", "/a/b,c", true},
		{"/a/{[,]x,y}", "/a/,x", true},
	}
	for _, tt := range tests {
		p, err := Compile(tt.pattern)
		if err != nil {
			t.Errorf("Compile(%q): %v", tt.pattern, err)
			continue
		}
		if got := p.Match(tt.path); got != tt.want {
			t.Errorf("Compile(%q).Match(%q) = %v, want %v", tt.pattern, tt.path, got, tt.want)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct{ pattern, want string }{
		{"", `glob "": empty pattern`},
		{"etc/*", `glob "etc/*": pattern must be absolute`},
		{"/a/[bc", `glob "/a/[bc": unclosed "[" at offset 3`},
		{"/a/[]", `glob "/a/[]": unclosed "[" at offset 3`},
		{"/a/[!]", `glob "/a/[!]": unclosed "[" at offset 3`},
		{"/a/[b\\", `glob "/a/[b\\": unclosed "[" at offset 3`},
		{"/a/{b,c", `glob "/a/{b,c": unclosed "{" at offset 3`},
		{"/a/{b,{c,d}", `glob "/a/{b,{c,d}": unclosed "{" at offset 3`},
		{"/a/{b,{c", `glob "/a/{b,{c": unclosed "{" at offset 6`},
		{"/a/b\\", `glob "/a/b\\": trailing "\" at offset 4`},
		{"/a/[z-a]", `glob "/a/[z-a]": invalid range "z-a" at offset 4`},
		{"/a/../b", `glob "/a/../b": ".." segment at offset 3`},
		{"/a/./b", `glob "/a/./b": "." segment at offset 3`},
		{"/a/{b,.}/c", `glob "/a/{b,.}/c": "." segment at offset 6`},
		{"/{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}",
			`glob "/{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}": braces expand to more than 1024 alternatives at offset 51`},
	}
	for _, tt := range tests {
		_, err := Compile(tt.pattern)
		if err == nil {
			t.Errorf("Compile(%q) succeeded, want %s", tt.pattern, tt.want)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("Compile(%q) error\n got %s\nwant %s", tt.pattern, err, tt.want)
		}
	}
}

func TestString(t *testing.T) {
	const src = "/usr/{lib,share}/**/x[a-c]?"
	if got := MustCompile(src).String(); got != src {
		t.Errorf("String() = %q, want %q", got, src)
	}
}

func TestExcluded(t *testing.T) {
	ex := NewExcluder([]*Pattern{
		MustCompile("/usr/share/doc/*"),
		MustCompile("/usr/share/man/**"),
		MustCompile("/etc/*.bak"),
		MustCompile("/var/cache"),
	})
	tests := []struct {
		path string
		want bool
	}{
		{"/usr/share/doc", false},
		{"/usr/share/doc/bash", true},
		{"/usr/share/doc/bash/copyright", true},
		{"/usr/share/doc/.x/y", false},
		{"/usr/share/man", false},
		{"/usr/share/man/man1/ls.1.gz", true},
		{"/etc/a.bak", true},
		{"/etc/a.bak/inner", true},
		{"/etc/x/a.bak", false},
		{"/var/cache", true},
		{"/var/cache/apt/archives", true},
		{"/var/cached", false},
		{"/", false},
	}
	for _, tt := range tests {
		if got := ex.Excluded(tt.path); got != tt.want {
			t.Errorf("Excluded(%q) = %v, want %v", tt.path, got, tt.want)
		}
	}
	if NewExcluder(nil).Excluded("/a") {
		t.Error("empty Excluder excluded /a")
	}
	if !NewExcluder([]*Pattern{MustCompile("/")}).Excluded("/a/b") {
		t.Error(`Excluder("/") did not exclude /a/b`)
	}
}
