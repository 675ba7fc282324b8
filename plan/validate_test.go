package plan

import (
	"errors"
	"strings"
	"testing"
)

func rooted(es ...Entry) *Plan {
	return &Plan{Entries: append([]Entry{{Path: "/", Type: Dir, Mode: 0o755}}, es...)}
}

func file(p string) Entry { return Entry{Path: p, Type: Regular, Size: 2, Src: Bytes("hi")} }
func dir(p string) Entry  { return Entry{Path: p, Type: Dir, Mode: 0o755} }
func link(p, to string) Entry {
	return Entry{Path: p, Type: Hardlink, Link: to}
}
func symlink(p, to string) Entry { return Entry{Path: p, Type: Symlink, Link: to} }

var ext2ish = Limits{Format: "ext2", Name: 255, Target: 4095}

// TestValidateMessages: each rule, broken alone, gives one message that
// names the entry and what is wrong with it.
func TestValidateMessages(t *testing.T) {
	long := strings.Repeat("n", 256)
	from := func(e Entry, tarball string) Entry { e.Origin = FromTarball(tarball); return e }
	for _, c := range []struct {
		name string
		p    *Plan
		l    Limits
		want string
	}{
		{"empty", &Plan{}, Limits{}, "/: the plan must start with the root directory"},
		{"root a symlink", &Plan{Entries: []Entry{symlink("/", "x")}}, Limits{},
			"/: the plan must start with the root directory"},
		{"relative", rooted(file("a")), Limits{}, `"a": not a clean absolute path`},
		{"unclean", rooted(dir("/a"), file("/a/../b")), Limits{}, `"/a/../b": not a clean absolute path`},
		{"trailing slash", rooted(dir("/a/")), Limits{}, `"/a/": not a clean absolute path`},
		{"NUL", rooted(file("/a\x00b")), Limits{}, `"/a\x00b": a path cannot hold a NUL byte`},
		{"twice", rooted(file("/a"), dir("/a")), Limits{}, "/a: appears twice in the plan"},
		{"out of order", rooted(file("/b"), file("/a")), Limits{}, "/a: out of order, after /b"},
		{"parent missing", rooted(file("/a/b")), Limits{}, "/a/b: parent /a is not in the plan"},
		{"parent a file", rooted(file("/f"), file("/f/x")), Limits{},
			"/f/x: parent /f is a regular file, not a directory"},
		{"parent a symlink, with origins", rooted(from(symlink("/lib", "usr/lib"), "base.tar"), from(file("/lib/x"), "x.tar")), Limits{},
			"/lib/x (from x.tar): parent /lib (from base.tar) is a symlink, not a directory"},
		{"parent a hard link", rooted(file("/a"), link("/h", "/a"), file("/h/x")), Limits{},
			"/h/x: parent /h is a hard link, not a directory"},
		{"name too long", rooted(file("/" + long)), ext2ish,
			"/" + long[:49] + "..." + long[len(long)-40:] + ": name is 256 bytes, longer than ext2 allows (255)"},
		{"path too long", rooted(dir("/abc"), file("/abc/def")), Limits{Format: "cpio", Path: 7},
			"/abc/def: path is 8 bytes, longer than cpio allows (7)"},
		{"negative size", rooted(Entry{Path: "/f", Type: Regular, Size: -1}), Limits{}, "/f: negative size -1"},
		{"no source", rooted(Entry{Path: "/f", Type: Regular, Size: 3}), Limits{}, "/f: 3 bytes but no source for them"},
		{"empty symlink", rooted(symlink("/s", "")), Limits{}, "/s: symlink with an empty target"},
		{"NUL in symlink", rooted(symlink("/s", "a\x00")), Limits{}, "/s: symlink target holds a NUL byte"},
		{"long symlink", rooted(symlink("/s", strings.Repeat("t", 4096))), ext2ish,
			"/s: symlink target is 4096 bytes, longer than ext2 allows (4095)"},
		{"link without target", rooted(link("/h", "")), Limits{}, "/h: hard link with an empty target"},
		{"link to nothing", rooted(link("/h", "/nope")), Limits{}, "/h: hard link to /nope, which is not in the plan"},
		{"link to itself", rooted(link("/h", "/h")), Limits{}, "/h: hard link to itself"},
		{"link to a directory", rooted(dir("/d"), link("/h", "/d")), Limits{},
			"/h: hard link to /d, which is a directory, not a regular file"},
		{"link to a link", rooted(file("/a"), link("/b", "/a"), link("/c", "/b")), Limits{},
			"/c: hard link to /b, which is a hard link, not a regular file"},
		{"link before its file", rooted(link("/a", "/b"), from(file("/b"), "x.tar")), Limits{},
			"/a: hard link to /b (from x.tar), which comes after it: the first name of a file must hold its data"},
		{"unknown type", rooted(Entry{Path: "/x", Type: 99}), Limits{}, "/x: unknown entry type type(99)"},
	} {
		err := Validate(c.p, c.l)
		if err == nil || err.Error() != "invalid plan: "+c.want {
			t.Errorf("%s: got %v\nwant invalid plan: %s", c.name, err, c.want)
		}
		var pe *Error
		if !errors.As(err, &pe) || len(pe.Problems) != 1 {
			t.Errorf("%s: want one problem, got %#v", c.name, err)
		}
	}
}

// TestValidateAll: every problem is listed, up to a bound.
func TestValidateAll(t *testing.T) {
	p := rooted(file("/a/b"), link("/h", "/nope"))
	want := "invalid plan, 2 problems:\n  /a/b: parent /a is not in the plan\n  /h: hard link to /nope, which is not in the plan"
	if err := Validate(p, Limits{}); err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
	p = &Plan{Entries: []Entry{dir("/a"), dir("/")}}
	want = "invalid plan, 2 problems:\n  /: the plan must start with the root directory\n  /: out of order, after /a"
	if err := Validate(p, Limits{}); err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
	p = rooted()
	for i := range 50 {
		p.Entries = append(p.Entries, file("/d/"+string(rune('A'+i))))
	}
	err := Validate(p, Limits{})
	if err == nil || !strings.HasPrefix(err.Error(), "invalid plan, 50 problems:\n  /d/A: parent /d is not in the plan\n") ||
		!strings.HasSuffix(err.Error(), "\n  and 30 more") {
		t.Errorf("got %v", err)
	}
}

// TestValidateAccepts: a Plan that keeps every rule, at the limits.
func TestValidateAccepts(t *testing.T) {
	name := "a" + strings.Repeat("n", 254)
	p := rooted(dir("/d"), file("/d/"+name), link("/d/h", "/d/"+name), symlink("/d/s", strings.Repeat("t", 4095)),
		Entry{Path: "/d/z", Type: Regular}, Entry{Path: "/dev", Type: Dir}, Entry{Path: "/dev/null", Type: CharDev})
	Sort(p.Entries)
	if err := Validate(p, ext2ish); err != nil {
		t.Error(err)
	}
	if err := Validate(rooted(dir("/abc"), file("/abc/de")), Limits{Path: 7}); err != nil {
		t.Error(err)
	}
}
