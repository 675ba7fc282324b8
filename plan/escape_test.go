package plan

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// awkwardNames are names a host can hold: the separators of a list line,
// bytes that are not UTF-8, and ordinary names that must print unchanged.
var awkwardNames = []string{
	"a\nb", "t\tx", `back\slash`, `\x41`, "\xff", "\xfe", "with space", "x -> y", " ->", " -> -> ",
	"l -> \xfe", "tgt\n\xff -> z", "\r\x01\x7f\x1b[31m", "\xc3", "\xed\xa0\x80", "café", "日本語", "\U0010ffff",
	"/usr/lib/x86_64-linux-gnu/libc.so.6",
}

// ordinary reports whether s is valid UTF-8 without control characters or
// backslashes: such a name must print as it is.
func ordinary(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\\' })
}

// checkField checks what a script reading `list` relies on.
func checkField(t *testing.T, name, field string) {
	t.Helper()
	if !utf8.ValidString(field) || strings.ContainsFunc(field, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		t.Errorf("%q escapes to %q: not UTF-8 text without control characters", name, field)
	}
	if got, err := Unescape(field); err != nil || got != name {
		t.Errorf("%q escapes to %q, which unescapes to %q (%v)", name, field, got, err)
	}
}

func TestEscapeDecodesWithPrintf(t *testing.T) {
	testtool.Need(t, "printf")
	names := append([]string{}, awkwardNames...)
	for c := 1; c < 256; c++ { // every byte a file name can hold
		names = append(names, "<"+string([]byte{byte(c)})+">")
	}
	var fields []string
	for _, n := range names {
		fields = append(fields, Escape(n), EscapePath(n))
	}
	out := testtool.Output(t, nil, "printf", append([]string{`%b\0`}, fields...)...)
	decoded := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	if len(decoded) != len(fields) {
		t.Fatalf("printf decoded %d fields, want %d", len(decoded), len(fields))
	}
	for i, f := range fields {
		if n := names[i/2]; decoded[i] != n {
			t.Errorf("printf '%%b' %q gives %q, want %q", f, decoded[i], n)
		}
	}
}

func FuzzEscape(f *testing.F) {
	for _, n := range awkwardNames {
		f.Add(n)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkField(t, s, Escape(s))
		checkField(t, s, EscapePath(s))
		if p := EscapePath(s); strings.Contains(p, " ->") {
			t.Errorf("%q: path field %q holds a link arrow", s, p)
		}
		if ordinary(s) && !strings.Contains(s, " ->") && EscapePath(s) != s {
			t.Errorf("ordinary name %q printed as %q", s, EscapePath(s))
		}
		if ordinary(s) && Escape(s) != s {
			t.Errorf("ordinary name %q printed as %q", s, Escape(s))
		}
	})
}

func FuzzUnescape(f *testing.F) {
	f.Add(`a\\b\n\t\x3e\xff`)
	f.Add(`\x4`)
	f.Add(`\q`)
	f.Fuzz(func(t *testing.T, field string) {
		if name, err := Unescape(field); err == nil {
			checkField(t, name, Escape(name)) // any name Unescape gives can be listed
		}
	})
}

// FuzzListEntryJSON: list --json gives back each name's exact bytes, and
// prints UTF-8 names as it always did.
func FuzzListEntryJSON(f *testing.F) {
	f.Add("/d/\xff", "tgt\n\xfe", "host")
	f.Add("/etc/ld.so.cache", "", "libc6")
	f.Add("/x -> y", "a\\b", "base \xc3.tar")
	f.Fuzz(func(t *testing.T, path, link, origin string) {
		e := ListEntry{Path: path, Type: "symlink", Mode: "0777", Link: link, Origin: origin}
		data, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		var back ListEntry
		if err := json.Unmarshal(data, &back); err != nil || back != e {
			t.Fatalf("%s read back as %+v (%v)", data, back, err)
		}
		plain, _ := json.Marshal(listEntry(e))
		utf := utf8.ValidString(path) && utf8.ValidString(link) && utf8.ValidString(origin)
		if utf != bytes.Equal(data, plain) {
			t.Errorf("UTF-8 names %v, yet the JSON %s differs from plain %s", utf, data, plain)
		}
	})
}
