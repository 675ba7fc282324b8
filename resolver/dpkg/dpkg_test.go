package dpkg

import (
	"cmp"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
	"github.com/supermin-compile/supermin-compile/resolver"
)

const testStatus = `Package: bash
Essential: yes
Status: install ok installed
Priority: required
Architecture: amd64
Multi-Arch: foreign
Version: 5.2.15-2+b2
Replaces: bash-completion (<< 20060301-0), bash-doc (<= 2.05-1)
Depends: base-files (>= 2.1.12),
 debianutils (>= 5.6-0.1)
Pre-Depends: libc6 (>= 2.36), libtinfo6 (>= 6)
Conffiles:
 /etc/bash.bashrc 89269e1298235f1b12b4c16e4065ad0d
 /etc/skel/.bashrc 0fb4e8a2de2cd6d2d4d3b6d3e2f0ac3a obsolete
 /etc/skel/my file 0fb4e8a2de2cd6d2d4d3b6d3e2f0ac3a obsolete remove-on-upgrade
Description: GNU Bourne Again SHell
 Bash is an sh-compatible command language interpreter.
 .
 Depends: this is description text, not a field

Package: libc6
Status: install ok installed
Architecture: amd64
Multi-arch: same
Version: 2.36-9+deb12u4
Provides: libc-abi (= 2.36-9),
 libc6-any
Description: GNU C Library

Package: libc6
Status: install ok installed
Architecture: i386
Multi-Arch: same
Version: 2.36-9+deb12u4

Package: removed
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0

Package: broken
Status: install ok half-installed
Architecture: amd64
Version: 1.0

Package: held
Status: hold ok installed
Architecture: all
Version: 2:1.0~rc1

package: dpkg
status: install ok installed
architecture: arm64
version: 1.21.22
`

// buildRoot writes a fake dpkg database; files maps paths under root to
// contents.
func buildRoot(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for _, name := range slices.Sorted(maps.Keys(files)) {
		path := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(files[name]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func testRoot(t *testing.T, extra map[string]string) string {
	files := map[string]string{
		"var/lib/dpkg/status": testStatus,
		"var/lib/dpkg/diversions": "/usr/share/man/man1/sh.1.gz\n/usr/share/man/man1/sh.distrib.1.gz\ndash\n" +
			"/bin/bash\n/bin/bash.real\nbash\n" +
			"/etc/bash.bashrc\n/etc/bash.bashrc.orig\n:\n",
		"var/lib/dpkg/info/bash.list":        "/.\n/bin\n/bin/bash\n/etc\n/etc/bash.bashrc\n/usr/share/man/man1/sh.1.gz\n",
		"var/lib/dpkg/info/libc6:amd64.list": "/.\n/lib/x86_64-linux-gnu/libc.so.6\n",
		"var/lib/dpkg/info/libc6:i386.list":  "/.\n/lib/i386-linux-gnu/libc.so.6\n",
		"var/lib/dpkg/info/held.list":        "",
	}
	for k, v := range extra {
		files[k] = v
	}
	return buildRoot(t, files)
}

func find(t *testing.T, db *Database, id string) *resolver.Package {
	t.Helper()
	for _, p := range db.Packages() {
		if p.ID() == id {
			return p
		}
	}
	t.Fatalf("package %s not found", id)
	return nil
}

func TestOpen(t *testing.T) {
	db, err := Open(testRoot(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range db.Packages() {
		got = append(got, p.ID()+"="+p.Version)
	}
	want := []string{"bash:amd64=5.2.15-2+b2", "dpkg:arm64=1.21.22", "held:all=2:1.0~rc1",
		"libc6:amd64=2.36-9+deb12u4", "libc6:i386=2.36-9+deb12u4"}
	if !slices.Equal(got, want) {
		t.Errorf("packages:\n got  %q\n want %q", got, want)
	}
	if db.NativeArch() != "arm64" {
		t.Errorf("native arch %q, want arm64 (from the dpkg package)", db.NativeArch())
	}
	wantBash := resolver.Package{Name: "bash", Version: "5.2.15-2+b2", Arch: "amd64", MultiArch: "foreign",
		Essential: true, Depends: "libc6 (>= 2.36), libtinfo6 (>= 6), base-files (>= 2.1.12), debianutils (>= 5.6-0.1)",
		Priority: "required"}
	if got := *find(t, db, "bash:amd64"); got != wantBash {
		t.Errorf("bash:\n got  %+v\n want %+v", got, wantBash)
	}
	libc := find(t, db, "libc6:amd64")
	if libc.Provides != "libc-abi (= 2.36-9), libc6-any" || libc.MultiArch != "same" {
		t.Errorf("libc6: %+v", *libc)
	}
	wantConf := []string{"/etc/bash.bashrc", "/etc/skel/.bashrc", "/etc/skel/my file"}
	if got := db.conffiles[find(t, db, "bash:amd64")]; !slices.Equal(got, wantConf) {
		t.Errorf("conffiles %q, want %q", got, wantConf)
	}
}

func TestFiles(t *testing.T) {
	root := testRoot(t, nil)
	db, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	host := func(p string) string { return filepath.Join(root, p) }
	got, err := db.Files(find(t, db, "bash:amd64"))
	if err != nil {
		t.Fatal(err)
	}
	want := []resolver.File{
		{Path: "/bin", HostPath: host("/bin")},
		{Path: "/bin/bash", HostPath: host("/bin/bash")}, // bash's own diversion
		{Path: "/etc", HostPath: host("/etc")},
		{Path: "/etc/bash.bashrc.orig", HostPath: host("/etc/bash.bashrc.orig"), Conffile: true}, // local
		{Path: "/usr/share/man/man1/sh.distrib.1.gz", HostPath: host("/usr/share/man/man1/sh.distrib.1.gz")},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Files(bash):\n got  %+v\n want %+v", got, want)
	}
	for id, path := range map[string]string{"libc6:amd64": "/lib/x86_64-linux-gnu/libc.so.6", "libc6:i386": "/lib/i386-linux-gnu/libc.so.6"} {
		got, err := db.Files(find(t, db, id))
		if err != nil || len(got) != 1 || got[0].Path != path {
			t.Errorf("Files(%s) = %+v, %v; want %s", id, got, err, path)
		}
	}
	if got, err := db.Files(find(t, db, "held:all")); err != nil || len(got) != 0 {
		t.Errorf("Files(held) = %+v, %v; want empty", got, err)
	}
	if _, err := db.Files(find(t, db, "dpkg:arm64")); err == nil || !strings.Contains(err.Error(), "file list of dpkg:arm64") {
		t.Errorf("Files(dpkg) error = %v, want a missing list error", err)
	}
}

func TestNativeArch(t *testing.T) {
	noDpkg := testStatus[:strings.Index(testStatus, "package: dpkg")]
	cases := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"arch file", map[string]string{"var/lib/dpkg/arch": "\nppc64el\ni386\n"}, "ppc64el"},
		{"dpkg package", nil, "arm64"},
		{"runtime", map[string]string{"var/lib/dpkg/status": noDpkg}, goToDebian[runtime.GOARCH]},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db, err := Open(testRoot(t, c.files))
			if err != nil {
				t.Fatal(err)
			}
			if db.NativeArch() != c.want {
				t.Errorf("NativeArch = %q, want %q", db.NativeArch(), c.want)
			}
		})
	}
}

func TestResolveFakeRoot(t *testing.T) {
	st := testStatus + "\nPackage: app\nStatus: install ok installed\nArchitecture: arm64\nVersion: 1\n" +
		"Depends: libc6 (>= 2.30),\n libc-abi (= 2.36-9), held\n (>= 2:1.0~beta)\n"
	db, err := Open(testRoot(t, map[string]string{"var/lib/dpkg/status": st}))
	if err != nil {
		t.Fatal(err)
	}
	// Native is arm64: libc6 exists only as amd64 and i386, so it is foreign.
	res, err := resolver.Resolve(db, resolver.Request{Packages: []string{"app"}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range res.Packages {
		got = append(got, p.ID())
	}
	if !slices.Equal(got, []string{"app:arm64", "held:all"}) {
		t.Errorf("packages %q", got)
	}
	want := []string{`unsatisfied dependency "libc6 (>= 2.30)" of app (requested)`,
		`unsatisfied dependency "libc-abi (= 2.36-9)" of app (requested)`}
	if !slices.Equal(res.Warnings, want) {
		t.Errorf("warnings:\n got  %q\n want %q", res.Warnings, want)
	}
}

func TestOpenErrors(t *testing.T) {
	cases := []struct{ file, text, want string }{
		{"status", "Package: a\nno colon here\n", "status: line 2: malformed field"},
		{"status", "Package: a\n\n continued\n", "status: line 3: continuation line outside a field"},
		{"status", "Package: a\nDepends: b\ndepends: c\n", "status: line 3: duplicate field Depends"},
		{"diversions", "/a\n/b\n", "diversions"},
	}
	for _, c := range cases {
		_, err := Open(testRoot(t, map[string]string{"var/lib/dpkg/" + c.file: c.text}))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %q: error = %v, want %q", c.file, c.text, err, c.want)
		}
	}
	if _, err := Open(t.TempDir()); err == nil || !strings.Contains(err.Error(), "status") {
		t.Errorf("empty root: error = %v", err)
	}
}

// TestOddStatusAsDpkgQuery: installed packages no index could hold (no
// Architecture, as in old status files; Multi-Arch in capitals) load, as
// dpkg-query lists them.
func TestOddStatusAsDpkgQuery(t *testing.T) {
	testtool.Need(t, "dpkg-query")
	root := buildRoot(t, map[string]string{
		"var/lib/dpkg/status": "Package: dpkg\nStatus: install ok installed\nVersion: 1.21.22\nArchitecture: amd64\n" +
			"Maintainer: x\nDescription: x\n\n" +
			"Package: old\nStatus: install ok installed\nVersion: 1.0\nMaintainer: x\nDescription: x\n\n" +
			"Package: mixed\nStatus: install ok installed\nVersion: 2.0\nArchitecture: all\nMulti-Arch: Foreign\n" +
			"Maintainer: x\nDescription: x\n",
		"var/lib/dpkg/info/.keep":    "",
		"var/lib/dpkg/updates/.keep": "",
	})
	out := testtool.Output(t, nil, "dpkg-query", "--admindir="+filepath.Join(root, "var/lib/dpkg"), "-W",
		"-f", "${Package}:${Architecture}=${Version} ${Multi-Arch}\n")
	want := strings.Split(strings.TrimSpace(string(out)), "\n")
	db, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range db.Packages() {
		got = append(got, p.Name+":"+p.Arch+"="+p.Version+" "+cmp.Or(p.MultiArch, "no"))
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("packages:\n got  %q\n want %q (dpkg-query)", got, want)
	}
}
