package rpmmd

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// realRepoFiles extracts the /etc/yum.repos.d of a fixture package (CentOS
// 6 and 7, EPEL 7) with rpm2cpio and cpio, and returns the directory.
func realRepoFiles(t *testing.T, pkg string) string {
	t.Helper()
	testtool.Need(t, "rpm2cpio", "cpio")
	dir := t.TempDir()
	sh := exec.Command("sh", "-c", `rpm2cpio "$1" | cpio -idm --quiet --no-absolute-filenames -D "$2" '*.repo'`, "sh", testtool.Fixture(t, "rpm/packages/"+pkg), dir)
	if out, err := sh.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", pkg, err, out)
	}
	return filepath.Join(dir, "etc/yum.repos.d")
}

var fixturePackages = []string{"el/centos-release-7-2.1511.el7.centos.2.10.x86_64.rpm", "el/centos-release-6-0.el6.centos.5.x86_64.rpm", "el/epel-release-7-5.noarch.rpm"}

// dnfRepos lists the repositories dnf's own parser (libdnf, through
// Debian's python3-dnf) reads from dir, one line each as repoLine writes.
func dnfRepos(t *testing.T, dir string, vars Vars) []string {
	t.Helper()
	py := "/usr/bin/python3" // Debian's, which has the dnf module
	testtool.Need(t, py, "dnf")
	script := `
import dnf, sys
b = dnf.Base()
b.conf.reposdir = [sys.argv[1]]
for kv in sys.argv[2:]:
    k, v = kv.split("=", 1)
    b.conf.substitutions[k] = v
b.read_all_repos()
for r in b.repos.values():
    print("|".join([r.id, r.name, " ".join(r.baseurl), str(r.enabled), str(r.gpgcheck), str(r.repo_gpgcheck), " ".join(r.gpgkey), str(r.priority), str(r.cost)]))
`
	args := []string{"-c", script, dir}
	for k, v := range vars {
		args = append(args, k+"="+v)
	}
	return strings.Split(strings.TrimSpace(string(testtool.Output(t, nil, py, args...))), "\n")
}

func repoLine(r Repo) string {
	b := func(v bool) string { return map[bool]string{true: "True", false: "False"}[v] }
	return strings.Join([]string{r.ID, r.Name, strings.Join(r.BaseURLs, " "), b(r.Enabled), b(r.GPGCheck), b(r.RepoGPGCheck),
		strings.Join(r.GPGKeys, " "), fmt.Sprint(r.Priority), fmt.Sprint(r.Cost)}, "|")
}

// TestRealRepoFiles: the .repo files CentOS 6 and 7 and EPEL 7 shipped
// read as dnf reads them, once their commented-out baseurl lines are
// restored; as shipped, their enabled repositories have only a
// mirrorlist or metalink, which is refused naming the line.
func TestRealRepoFiles(t *testing.T) {
	vars := Vars{"releasever": "7", "basearch": "x86_64"}
	for _, pkg := range fixturePackages {
		dir := realRepoFiles(t, pkg)
		_, err := ReadDir(dir, vars)
		if err == nil || !strings.Contains(err.Error(), "is not supported: give baseurl") {
			t.Errorf("%s as shipped: %v, want mirrorlist or metalink refused", pkg, err)
		}
		files, _ := filepath.Glob(filepath.Join(dir, "*.repo"))
		for _, f := range files {
			b, _ := os.ReadFile(f)
			os.WriteFile(f, []byte(strings.ReplaceAll(string(b), "\n#baseurl", "\nbaseurl")), 0o644)
		}
		repos, err := ReadDir(dir, vars)
		if err != nil {
			t.Fatalf("%s: %v", pkg, err)
		}
		var got []string
		for _, r := range repos {
			got = append(got, repoLine(r))
		}
		slices.Sort(got)
		want := dnfRepos(t, dir, vars)
		slices.Sort(want)
		if diff := testtool.LineDiff(want, got); diff != "" {
			t.Errorf("%s: differs from dnf (- dnf, + ours):\n%s", pkg, diff)
		}
		if len(repos) < 2 {
			t.Errorf("%s: %d repositories", pkg, len(repos))
		}
	}
}

// TestRepoFileSyntax: continuation lines, several baseurls (white space
// or commas), ${var}, the spellings of booleans, priority and cost read
// as dnf reads them.
func TestRepoFileSyntax(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.repo"), []byte(`# comment
; another
[fix-${releasever}]
name = Fixture $releasever/$basearch
baseurl = http://127.0.0.1/one/$basearch/
  http://127.0.0.1/two/${basearch}/,http://127.0.0.1/three/
enabled=yes
gpgcheck = on
repo_gpgcheck=True
gpgkey=file:///etc/pki/a file:///etc/pki/b
priority=10
cost = 500

[off]
enabled=0
mirrorlist=http://127.0.0.1/mirrors
type=rpm-md
`), 0o644)
	vars := Vars{"releasever": "9", "basearch": "x86_64"}
	repos, err := ReadDir(dir, vars)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range repos {
		got = append(got, repoLine(r))
	}
	slices.Sort(got)
	want := dnfRepos(t, dir, vars)
	slices.Sort(want)
	if diff := testtool.LineDiff(want, got); diff != "" {
		t.Errorf("differs from dnf (- dnf, + ours):\n%s", diff)
	}
	keys, err := repos[0].KeyPaths()
	if err != nil || strings.Join(keys, " ") != "/etc/pki/a /etc/pki/b" {
		t.Errorf("KeyPaths: %v %v", keys, err)
	}
}

// TestRepoFileErrors: what cannot be used is refused, naming the file and
// the line.
func TestRepoFileErrors(t *testing.T) {
	vars := Vars{"releasever": "9", "basearch": "x86_64"}
	for _, c := range []struct{ text, want string }{
		{"baseurl=http://x/\n", "a.repo:1: \"baseurl=http://x/\" before any [section]"},
		{"[a]\nbaseurl=http://x/$stream/\n", "a.repo:2: repository a: baseurl: $stream is not set"},
		{"[a]\nbaseurl=http://x/${releasever:-9}/\n", "a.repo:2: repository a: baseurl: \"http://x/${releasever:-9}/\": only $name and ${name} are supported"},
		{"[a]\nbaseurl=http://x/\nenabled=maybe\n", "a.repo:3: repository a: enabled: \"maybe\" is not a boolean"},
		{"[a]\nbaseurl=http://x/\npriority=high\n", "a.repo:3: repository a: priority \"high\" is not a number"},
		{"[a]\nmetalink=https://mirrors/x\n", "a.repo:2: repository a: metalink is not supported: give baseurl"},
		{"[a]\nname=A\n", "a.repo:1: repository a: no baseurl"},
		{"[a]\nbaseurl=http://x/\ntype=yast2\n", "a.repo:3: repository a: type \"yast2\" is not supported"},
		{"[a b]\n", "a.repo:1: bad repository id [a b]"},
		{"[a\n", "a.repo:1: bad section header"},
		{"[a]\nbaseurl=http://x/\n[a]\nbaseurl=http://y/\n", "a.repo:3: repository \"a\" is defined twice"},
		{"[a]\njust words\n", "a.repo:2: \"just words\" is not key=value"},
		{"  indented=1\n", "a.repo:1: continuation line without a key before it"},
	} {
		_, err := Parse(strings.NewReader(c.text), "a.repo", vars)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.text, err, c.want)
		}
	}
	r := Repo{ID: "a", File: "a.repo", Line: 1, GPGKeys: []string{"https://example.invalid/key"}}
	if _, err := r.KeyPaths(); err == nil || !strings.Contains(err.Error(), "a.repo:1: repository a: gpgkey \"https://example.invalid/key\": only file:///path keys") {
		t.Errorf("KeyPaths of an https key: %v", err)
	}
}

// FuzzRepoFile: any bytes give repositories or an error naming the file,
// never a panic.
func FuzzRepoFile(f *testing.F) {
	f.Add([]byte("[a]\nbaseurl=http://x/$basearch/\n  http://y/\ngpgcheck=1\n"))
	f.Add([]byte("[b]\nenabled=0\nmirrorlist=${releasever}\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		repos, err := Parse(strings.NewReader(string(b)), "f.repo", Vars{"releasever": "9", "basearch": "x86_64"})
		if err != nil && !strings.HasPrefix(err.Error(), "f.repo") {
			t.Fatalf("error without the file name: %v", err)
		}
		for _, r := range repos {
			if r.Enabled && len(r.BaseURLs) == 0 {
				t.Fatalf("enabled repository %s without a baseurl", r.ID)
			}
		}
	})
}
