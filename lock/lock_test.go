package lock

import (
	"bytes"
	"strings"
	"testing"
)

func sample() *Lock {
	return &Lock{
		Manifest: strings.Repeat("a", 64),
		Kernel:   &Kernel{Path: "/boot/vmlinuz-6.1.0-9-amd64", Version: "6.1.0-9-amd64", SHA256: strings.Repeat("b", 64)},
		Packages: []Package{
			{Name: "libfoo", Version: "1.2-2", Arch: "amd64", Source: "dpkg", Digest: "md5sums:sha256:" + strings.Repeat("c", 64)},
			{Name: "bash", Version: "5.2", Arch: "amd64", Source: "dpkg", Digest: "d"},
		},
		Hostfiles: []HostFile{{Path: "/etc/ld.so.cache", SHA256: strings.Repeat("e", 64), Mode: "0644", Owner: "0:0"},
			{Path: "/etc/odd \"name\"\t", Link: "target", Mode: "0777", Owner: "0:0"}},
		Base: []Base{{Path: "base.tar.gz", SHA256: strings.Repeat("f", 64)}},
	}
}

func TestWriteParseRoundTrip(t *testing.T) {
	var a, b bytes.Buffer
	l := sample()
	if err := l.Write(&a); err != nil {
		t.Fatal(err)
	}
	back, err := Parse("x.lock", a.Bytes())
	if err != nil {
		t.Fatalf("%v\n%s", err, a.String())
	}
	if d := Diff(l, back); len(d) != 0 {
		t.Errorf("round trip changed: %v", d)
	}
	back.Write(&b)
	if a.String() != b.String() {
		t.Errorf("writing twice differs:\n%s\n---\n%s", a.String(), b.String())
	}
	if strings.Index(a.String(), `name = "bash"`) > strings.Index(a.String(), `name = "libfoo"`) {
		t.Error("packages are not sorted")
	}
}

func TestParseErrors(t *testing.T) {
	for text, want := range map[string]string{
		"version = 2\n":                   "x.lock: lock file version 2 is not supported",
		"version = 1\nbogus = 1\n":        "x.lock: unknown key bogus",
		"version = 1\n[[package]\nname=1": "x.lock: toml:",
	} {
		if _, err := Parse("x.lock", []byte(text)); err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%q: got %v, want %q", text, err, want)
		}
	}
}

func TestDiff(t *testing.T) {
	old, cur := sample(), sample()
	cur.Manifest = strings.Repeat("1", 64)
	cur.Packages[0].Version = "1.2-3"
	cur.Packages[1].Digest = "z"
	cur.Packages = append(cur.Packages, Package{Name: "libnew", Version: "1", Arch: "amd64"})
	cur.Hostfiles[0].SHA256 = strings.Repeat("9", 64)
	cur.Hostfiles[0].Mode = "0600"
	cur.Hostfiles = cur.Hostfiles[:1]
	cur.Kernel = &Kernel{Version: "6.1.0-10-amd64"}
	cur.Base = nil
	want := []string{
		"~ manifest sha256 aaaaaaaaaaaa -> 111111111111",
		"- kernel 6.1.0-9-amd64",
		"+ kernel 6.1.0-10-amd64",
		"- base base.tar.gz",
		"~ bash 5.2 digest d -> z",
		"- libfoo 1.2-2",
		"+ libfoo 1.2-3",
		"+ libnew 1",
		"~ /etc/ld.so.cache sha256 eeeeeeeeeeee -> 999999999999",
		"~ /etc/ld.so.cache mode 0644 -> 0600",
		`- /etc/odd "name"\t`, // escaped as list prints it: one change, one line
	}
	got := Diff(old, cur)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestPathFor(t *testing.T) {
	if got := PathFor("/x/appliance.toml"); got != "/x/appliance.lock" {
		t.Error(got)
	}
}
