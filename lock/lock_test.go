package lock

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
	"github.com/supermin-compile/supermin-compile/manifest"
	"github.com/supermin-compile/supermin-compile/planner"
	"github.com/supermin-compile/supermin-compile/resolver"
)

func sample() *Lock {
	return &Lock{
		Manifest: strings.Repeat("a", 64),
		Kernel: &Kernel{Path: "/boot/vmlinuz-6.1.0-9-amd64", Version: "6.1.0-9-amd64", SHA256: strings.Repeat("b", 64),
			Modules: "sha256:" + strings.Repeat("4", 64)},
		Init: &Init{Version: "v1", SHA256: strings.Repeat("5", 64)},
		Packages: []Package{
			{Name: "libfoo", Version: "1.2-2", Arch: "amd64", Source: "dpkg", Digest: "md5sums:sha256:" + strings.Repeat("c", 64)},
			{Name: "bash", Version: "5.2", Arch: "amd64", Source: "dpkg", Digest: "d"},
		},
		Hostfiles: []HostFile{{Path: "/etc/ld.so.cache", SHA256: strings.Repeat("e", 64), Mode: "0644", Owner: "0:0"},
			{Path: "/etc/odd \"name\"\t", Link: "target", Mode: "0777", Owner: "0:0"}},
		Base:   []Base{{Path: "base.tar.gz", SHA256: strings.Repeat("f", 64)}},
		Inline: []Inline{{Path: "/etc/motd", SHA256: strings.Repeat("6", 64)}, {Path: "/etc/issue", SHA256: strings.Repeat("7", 64)}},
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

// TestDiffKernelInitInline: a rebuilt module, another init and a changed
// inline file are drift; a new tool version with the same init is not.
func TestDiffKernelInitInline(t *testing.T) {
	old, cur := sample(), sample()
	cur.Kernel.Modules = "sha256:" + strings.Repeat("8", 64)
	cur.Init = &Init{Version: "v2", SHA256: old.Init.SHA256}
	if d := Diff(old, cur); len(d) != 1 || d[0] != "~ kernel 6.1.0-9-amd64 modules sha256:444444444444 -> sha256:888888888888" {
		t.Errorf("modules changed, init version changed: got %q", d)
	}
	cur = sample()
	cur.Init = &Init{Version: "v2", SHA256: strings.Repeat("9", 64)}
	cur.Inline[0].SHA256 = strings.Repeat("0", 64)
	cur.Inline = append(cur.Inline, Inline{Path: "/etc/new", SHA256: "1"})
	want := []string{
		"~ init sha256 555555555555 -> 999999999999 (version v1 -> v2)",
		"~ inline /etc/motd sha256 666666666666 -> 000000000000",
		"+ inline /etc/new",
	}
	if got := Diff(old, cur); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestOldLockFile: a lock file written before [init], [[inline]] and the
// kernel's modules were recorded still reads, and what it lacks is drift.
func TestOldLockFile(t *testing.T) {
	text := "version = 1\nmanifest = \"" + strings.Repeat("a", 64) + "\"\n" +
		"[kernel]\npath = \"/boot/vmlinuz-6.1.0-9-amd64\"\nversion = \"6.1.0-9-amd64\"\nsha256 = \"" + strings.Repeat("b", 64) + "\"\n"
	old, err := Parse("old.lock", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	cur := sample()
	cur.Packages, cur.Hostfiles, cur.Base, cur.Inline = nil, nil, nil, cur.Inline[:1]
	want := []string{
		`~ kernel 6.1.0-9-amd64 modules "" -> sha256:444444444444`,
		"+ init v1",
		"+ inline /etc/motd",
	}
	if got := Diff(old, cur); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestPathFor(t *testing.T) {
	if got := PathFor("/x/appliance.toml"); got != "/x/appliance.lock" {
		t.Error(got)
	}
}

// TestTarballNamedHost: supermin 5 inputs are recognised by content, so a
// base tarball may be called "host". The lock pins its files through the
// tarball's digest, not as host files; the real host file is pinned with
// sha256sum's digest.
func TestTarballNamedHost(t *testing.T) {
	testtool.Need(t, "tar", "sha256sum")
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "tree", "etc"), 0o755)
	if err := os.WriteFile(filepath.Join(dir, "tree", "etc", "from-tarball"), []byte("a base tarball's file\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	inputs := filepath.Join(dir, "supermin.d")
	os.Mkdir(inputs, 0o755)
	testtool.Output(t, nil, "tar", "-cf", filepath.Join(inputs, "host"), "-C", filepath.Join(dir, "tree"), "./etc")
	const hostFile = "/etc/debian_version"
	if err := os.WriteFile(filepath.Join(inputs, "hostfiles"), []byte(hostFile+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := manifest.FromSuperminD([]string{inputs})
	if err != nil {
		t.Fatal(err)
	}
	m.Format = manifest.Chroot // supermin --format chroot: no kernel
	res, err := planner.Plan(m)
	if err != nil {
		t.Fatal(err)
	}
	hs, err := hostfiles(res)
	if err != nil {
		t.Fatal(err)
	}
	sum, _, _ := strings.Cut(string(testtool.Output(t, nil, "sha256sum", hostFile)), " ")
	if len(hs) != 1 || hs[0].Path != hostFile || hs[0].SHA256 != sum {
		t.Errorf("host files %+v, want only %s with sha256 %s", hs, hostFile, sum)
	}
}

// TestRepositoryPackage: a package of a repository source keeps its
// archive's URL, size and Release through Write and Parse, and is pinned
// for build --locked; a lock whose packages lack them pins nothing. A new
// Release or mirror of the same bytes is no drift.
func TestRepositoryPackage(t *testing.T) {
	hello := Package{Name: "hello", Version: "2.10-3", Arch: "amd64", Source: "apt", Digest: "sha256:" + strings.Repeat("2", 64),
		Repository: "http://deb.example.org/debian", Filename: "pool/main/h/hello/hello_2.10-3_amd64.deb", Size: 53080,
		Release: "sha256:" + strings.Repeat("7", 64)}
	l := &Lock{Manifest: strings.Repeat("a", 64), Packages: []Package{hello}}
	var text bytes.Buffer
	if err := l.Write(&text); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{`repository = "http://deb.example.org/debian"`, `filename = "pool/main/h/hello/hello_2.10-3_amd64.deb"`,
		"size = 53080\n", `release = "sha256:777777777777`} {
		if !strings.Contains(text.String(), line) {
			t.Errorf("lock lacks %q:\n%s", line, text.String())
		}
	}
	back, err := Parse("x.lock", text.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Packages, l.Packages) {
		t.Errorf("read back %+v, wrote %+v", back.Packages, l.Packages)
	}
	pins, ok := back.Pins()
	want := planner.Pin{Name: "hello", Version: "2.10-3", Arch: "amd64", File: resolver.RepositoryFile{
		Repository: hello.Repository, Filename: hello.Filename, SHA256: strings.Repeat("2", 64), Size: 53080, Release: hello.Release}}
	if !ok || len(pins) != 1 || pins[0] != want {
		t.Errorf("Pins() = %+v, %v; want %+v", pins, ok, want)
	}
	if want.File.URL() != "http://deb.example.org/debian/pool/main/h/hello/hello_2.10-3_amd64.deb" {
		t.Errorf("URL %s", want.File.URL())
	}

	moved := *back
	moved.Packages = []Package{hello}
	moved.Packages[0].Repository, moved.Packages[0].Release = "http://mirror.example.org/debian", "sha256:"+strings.Repeat("8", 64)
	if d := Diff(l, &moved); len(d) != 0 {
		t.Errorf("the same archive from another mirror and Release is drift: %v", d)
	}

	old := sample() // dpkg packages: nothing to fetch
	if pins, ok := old.Pins(); ok {
		t.Errorf("a lock of installed packages pins %v", pins)
	}
}

// TestDriftAsData: each change carries whole values (Diff shortens them),
// and a path that is not UTF-8 keeps its exact bytes in NameB64 while its
// line escapes it as list does.
func TestDriftAsData(t *testing.T) {
	old, cur := sample(), sample()
	cur.Hostfiles[0].SHA256 = strings.Repeat("9", 64)
	cur.Hostfiles = append(cur.Hostfiles, HostFile{Path: "/etc/latin1-\xe9", Mode: "0644", Owner: "0:0"})
	drift := Drift(old, cur)
	lines := Diff(old, cur)
	if len(drift) != 2 || len(lines) != 2 {
		t.Fatalf("got %+v, lines %q", drift, lines)
	}
	if c := drift[1]; c.Op != Changed || c.Kind != "hostfile" || c.Name != "/etc/ld.so.cache" || c.Field != "sha256" ||
		c.Old != strings.Repeat("e", 64) || c.New != strings.Repeat("9", 64) || c.NameB64 != nil {
		t.Errorf("changed host file: %#v", c)
	}
	if c := drift[0]; c.Op != Added || string(c.NameB64) != "/etc/latin1-\xe9" || lines[0] != `+ /etc/latin1-\xe9` {
		t.Errorf("non-UTF-8 path: %#v, line %q", c, lines[0])
	}
}
