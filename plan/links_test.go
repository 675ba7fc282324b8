package plan

import (
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"time"
)

// describe prints what NormalizeLinks may change, one entry a line.
func describe(p *Plan) string {
	var b strings.Builder
	for _, e := range p.Entries {
		fmt.Fprintf(&b, "%s %v", e.Path, e.Type)
		if e.Link != "" {
			fmt.Fprintf(&b, "->%s", e.Link)
		}
		fmt.Fprintf(&b, " %04o %d:%d %d size=%d", e.Perm(), e.UID, e.GID, e.MTime.Unix(), e.Size)
		if e.Src != nil {
			fmt.Fprintf(&b, " src=%q", string(e.Src.(Bytes)))
		}
		for _, x := range e.Xattrs {
			fmt.Fprintf(&b, " %s=%s", x.Name, x.Value)
		}
		fmt.Fprintf(&b, " (%s)\n", e.Origin)
	}
	return b.String()
}

// data is a file as a tar gives it: owner, mode, mtime and an attribute.
func data(p, content string) Entry {
	return Entry{Path: p, Type: Regular, Mode: 0o750 | fs.ModeSetuid, UID: 7, GID: 8, MTime: time.Unix(1e9, 0),
		Size: int64(len(content)), Src: Bytes(content), Xattrs: []Xattr{{Name: "user.k", Value: []byte("v")}}, Origin: FromTarball("x.tar")}
}

// tarLink is a hard link as FromTar describes it: its own header's mode.
func tarLink(p, to string) Entry {
	return Entry{Path: p, Type: Hardlink, Link: to, Mode: 0o644, MTime: time.Unix(5, 0), Origin: FromTarball("x.tar")}
}

func TestNormalizeLinks(t *testing.T) {
	for _, c := range []struct {
		name string
		in   *Plan
		want string
	}{{
		"link sorts before its file",
		rooted(dir("/d"), tarLink("/d/hard0", "/d/target"), data("/d/target", "hello")),
		"/ dir 0755 0:0 -62135596800 size=0 ()\n/d dir 0755 0:0 -62135596800 size=0 ()\n" +
			"/d/hard0 file 4750 7:8 1000000000 size=5 src=\"hello\" user.k=v (x.tar)\n" +
			"/d/target hardlink->/d/hard0 4750 7:8 1000000000 size=0 (x.tar)\n",
	}, {
		"file between its links, origins kept",
		rooted(tarLink("/a", "/m"), data("/m", "hi"), Entry{Path: "/z", Type: Hardlink, Link: "/m", Origin: FromTarball("y.tar")}),
		"/ dir 0755 0:0 -62135596800 size=0 ()\n" +
			"/a file 4750 7:8 1000000000 size=2 src=\"hi\" user.k=v (x.tar)\n" +
			"/m hardlink->/a 4750 7:8 1000000000 size=0 (x.tar)\n" +
			"/z hardlink->/a 4750 7:8 1000000000 size=0 (y.tar)\n",
	}, {
		"chain through a link to a later file",
		rooted(tarLink("/a", "/b"), tarLink("/b", "/z"), data("/z", "hi")),
		"/ dir 0755 0:0 -62135596800 size=0 ()\n" +
			"/a file 4750 7:8 1000000000 size=2 src=\"hi\" user.k=v (x.tar)\n" +
			"/b hardlink->/a 4750 7:8 1000000000 size=0 (x.tar)\n" +
			"/z hardlink->/a 4750 7:8 1000000000 size=0 (x.tar)\n",
	}, {
		"already first: chains flattened",
		rooted(data("/a", "hi"), tarLink("/b", "/a"), tarLink("/c", "/b")),
		"/ dir 0755 0:0 -62135596800 size=0 ()\n" +
			"/a file 4750 7:8 1000000000 size=2 src=\"hi\" user.k=v (x.tar)\n" +
			"/b hardlink->/a 4750 7:8 1000000000 size=0 (x.tar)\n" +
			"/c hardlink->/a 4750 7:8 1000000000 size=0 (x.tar)\n",
	}, {
		"two groups",
		rooted(tarLink("/a", "/c"), tarLink("/b", "/d"), data("/c", "c"), data("/d", "d")),
		"/ dir 0755 0:0 -62135596800 size=0 ()\n" +
			"/a file 4750 7:8 1000000000 size=1 src=\"c\" user.k=v (x.tar)\n" +
			"/b file 4750 7:8 1000000000 size=1 src=\"d\" user.k=v (x.tar)\n" +
			"/c hardlink->/a 4750 7:8 1000000000 size=0 (x.tar)\n" +
			"/d hardlink->/b 4750 7:8 1000000000 size=0 (x.tar)\n",
	}, {
		"broken links left for Validate",
		rooted(tarLink("/a", "/nope"), tarLink("/b", "/d"), tarLink("/c", "/c"), dir("/d"), tarLink("/e", "/f"), tarLink("/f", "/e")),
		"/ dir 0755 0:0 -62135596800 size=0 ()\n" +
			"/a hardlink->/nope 0644 0:0 5 size=0 (x.tar)\n" +
			"/b hardlink->/d 0644 0:0 5 size=0 (x.tar)\n" +
			"/c hardlink->/c 0644 0:0 5 size=0 (x.tar)\n" +
			"/d dir 0755 0:0 -62135596800 size=0 ()\n" +
			"/e hardlink->/f 0644 0:0 5 size=0 (x.tar)\n" +
			"/f hardlink->/e 0644 0:0 5 size=0 (x.tar)\n",
	}} {
		NormalizeLinks(c.in)
		if got := describe(c.in); got != c.want {
			t.Errorf("%s: got\n%swant\n%s", c.name, got, c.want)
		}
		NormalizeLinks(c.in)
		if got := describe(c.in); got != c.want {
			t.Errorf("%s: a second run changed it:\n%s", c.name, got)
		}
	}
}

// FuzzNormalizeValidate feeds any Plan — unsorted, duplicated, with
// links to anything, chains and loops — to NormalizeLinks and Validate:
// neither panics, every name keeps the content it had, a second
// normalisation changes nothing, and a Plan that Validate accepts keeps
// the rules the formats rely on.
func FuzzNormalizeValidate(f *testing.F) {
	f.Add([]byte("\x00\x00\x02\x01\x01\x03\x03\x02\x01"))
	f.Add([]byte("\x00\x00\x03\x02\x03\x03\x01\x03\x02\x03\x01\x00"))
	f.Add([]byte("\x80\x00\x01\x05\x03\x05\x03\x06\x00"))
	f.Add([]byte("\x00\x00\x26\x01\x01\x06")) // a link before its file: valid once normalised
	f.Fuzz(func(t *testing.T, b []byte) {
		p := fuzzPlan(b)
		before := contents(p)
		NormalizeLinks(p)
		if after := contents(p); !slices.Equal(before, after) {
			t.Fatalf("contents changed:\n%q\n%q\n%s", before, after, describe(p))
		}
		once := describe(p)
		NormalizeLinks(p)
		if describe(p) != once {
			t.Fatalf("not idempotent:\n%s\n%s", once, describe(p))
		}
		if err := Validate(p, Limits{Name: 3, Path: 8, Target: 2}); err == nil {
			checkRules(t, p)
		}
	})
}

// fuzzPlan decodes pairs of bytes: a kind and a path from a small set,
// so that parents, duplicates and links meet. The first byte's high
// bit keeps the decoded order instead of sorting.
func fuzzPlan(b []byte) *Plan {
	paths := []string{"/", "/a", "/b", "/a/x", "/a/y", "/b/z", "/c", "/a/x/q", "/abcd", "x", "/a/../b"}
	p := &Plan{}
	for i := 0; i+1 < len(b); i += 2 {
		e := Entry{Path: paths[int(b[i+1])%len(paths)]}
		switch k := b[i] & 0x7f; k % 6 {
		case 0:
			e.Type = Dir
		case 1:
			e.Type, e.Size, e.Src = Regular, 1, Bytes(fmt.Sprint(i))
		case 2, 3:
			e.Type, e.Link = Hardlink, paths[int(k/6)%len(paths)]
		case 4:
			e.Type, e.Link = Symlink, strings.Repeat("t", int(k/6)%4)
		case 5:
			e.Type, e.Mode = Type(k/6), fs.FileMode(k)
		}
		p.Entries = append(p.Entries, e)
	}
	if len(b) == 0 || b[0]&0x80 == 0 {
		slices.SortStableFunc(p.Entries, func(x, y Entry) int { return strings.Compare(x.Path, y.Path) })
	}
	return p
}

// contents says, for each entry, the bytes of the file it names, found
// naively; "" for what names no file.
func contents(p *Plan) []string {
	first := map[string]int{}
	for i, e := range p.Entries {
		if _, ok := first[e.Path]; !ok {
			first[e.Path] = i
		}
	}
	out := make([]string, len(p.Entries))
	for i := range p.Entries {
		e := &p.Entries[i]
		for range len(p.Entries) {
			j, ok := first[e.Link]
			if e.Type != Hardlink || !ok {
				break
			}
			e = &p.Entries[j]
		}
		if e.Type == Regular && e.Src != nil {
			out[i] = string(e.Src.(Bytes))
		}
	}
	return out
}

// checkRules checks, without Validate's code, what a valid Plan promises.
func checkRules(t *testing.T, p *Plan) {
	at := map[string]int{}
	for i, e := range p.Entries {
		if i == 0 && (e.Path != "/" || e.Type != Dir) {
			t.Fatalf("accepted without the root first:\n%s", describe(p))
		}
		if i > 0 && p.Entries[i-1].Path >= e.Path {
			t.Fatalf("accepted unsorted or twice %s:\n%s", e.Path, describe(p))
		}
		if j, ok := at[parentOf(e.Path)]; i > 0 && (!ok || p.Entries[j].Type != Dir) {
			t.Fatalf("accepted %s without its parent directory:\n%s", e.Path, describe(p))
		}
		if j, ok := at[e.Link]; e.Type == Hardlink && (!ok || p.Entries[j].Type != Regular) {
			t.Fatalf("accepted %s linking to no earlier file:\n%s", e.Path, describe(p))
		}
		at[e.Path] = i
	}
}

func parentOf(p string) string {
	i := strings.LastIndexByte(p, '/')
	if i <= 0 {
		return "/"
	}
	return p[:i]
}
