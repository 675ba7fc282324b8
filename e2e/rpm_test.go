package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/spdxlib"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// Appliances from .rpm files (source type rpm-dir), built on this Debian
// host: the real distribution packages of the shared fixtures, and the
// rpmbuild-made test packages. The oracle is rpm itself.

const rpmFixtures = "rpm/packages"

// rpmManifest writes a manifest for an rpm-dir source.
func rpmManifest(t testing.TB, dir, format string, pkgs []string) string {
	m := filepath.Join(t.TempDir(), "app.toml")
	writeFile(t, m, fmt.Sprintf("packages = %s\nformat = %q\nkernel = false\nsize = \"256M\"\n\n[source]\ntype = \"rpm-dir\"\npath = %q\narch = \"x86_64\"\n",
		tomlList(pkgs), format, dir))
	return m
}

// rpmsOf maps the "name version arch" lines of `resolve` to .rpm files.
func rpmsOf(t testing.TB, dir string, resolved []string) []string {
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*.rpm"))
	more, _ := filepath.Glob(filepath.Join(dir, "*.rpm"))
	byNEVRA := map[string]string{}
	for _, f := range append(files, more...) {
		out, err := exec.Command("rpm", "-qp", "--nosignature", "--qf", "%{NAME} %|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE} %{ARCH}", f).Output()
		if err != nil {
			t.Fatalf("rpm -qp %s: %v", f, err)
		}
		byNEVRA[string(out)] = f
	}
	var out []string
	for _, line := range resolved {
		f, ok := byNEVRA[line]
		if !ok {
			t.Fatalf("resolve printed %q, which no .rpm in %s is", line, dir)
		}
		out = append(out, f)
	}
	return out
}

var qplvLine = regexp.MustCompile(`^(\S{10})\s+\d+\s+\S+\s+\S+\s+(\d+|\d+,\s+\d+)\s+\w{3}\s+\d+\s+[\d:]+ (.*?)(?: -> (.*))?$`)

// checkRpmTree checks that root holds every file `rpm -qplv --noghost`
// lists for each package, with rpm's type, permissions, size and link
// target.
func checkRpmTree(t *testing.T, root string, rpms []string) {
	t.Helper()
	checked := 0
	for _, f := range rpms {
		out := run(t, nil, "rpm", "-qplv", "--noghost", "--nosignature", f)
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			if line == "(contains no files)" {
				continue
			}
			m := qplvLine.FindStringSubmatch(line)
			if m == nil {
				t.Fatalf("%s: rpm -qplv line %q", f, line)
			}
			st, err := os.Lstat(filepath.Join(root, m[3]))
			if err != nil {
				t.Errorf("%s: %s: %v", filepath.Base(f), m[3], err)
				continue
			}
			checked++
			if got := lsMode(st.Mode()); got != m[1] {
				t.Errorf("%s: %s: mode %s, rpm says %s", filepath.Base(f), m[3], got, m[1])
			}
			if m[1][0] == '-' && fmt.Sprint(st.Size()) != m[2] {
				t.Errorf("%s: %s: size %d, rpm says %s", filepath.Base(f), m[3], st.Size(), m[2])
			}
			if m[1][0] == 'l' {
				if target, _ := os.Readlink(filepath.Join(root, m[3])); target != m[4] {
					t.Errorf("%s: %s: link to %q, rpm says %q", filepath.Base(f), m[3], target, m[4])
				}
			}
		}
	}
	t.Logf("%d files of %d packages checked", checked, len(rpms))
}

// TestRpmDirChroot builds a chroot from real Fedora, CentOS and openSUSE
// packages on this Debian host: every file rpm lists is there, as rpm
// describes it.
func TestRpmDirChroot(t *testing.T) {
	testtool.Need(t, "rpm")
	testtool.Root(t) // owners and device nodes
	pkgs := []string{"hello", "mc", "sendmail", "ruby-libs", "xmlstarlet", "tmpwatch", "crypto-policies",
		"nodejs010-nodejs-oauth-sign", "python310-jupyter-server-fileid", "epel-release", "rpm-sign", "monkeysphere"}
	dir := testtool.Fixture(t, rpmFixtures)
	m := rpmManifest(t, dir, "chroot", pkgs)
	rpms := rpmsOf(t, dir, resolved(t, m))
	out := filepath.Join(t.TempDir(), "out")
	run(t, nil, binary(t), "build", m, "-o", out)
	checkRpmTree(t, out, rpms)
}

// TestRpmDirTestPackages builds the rpmbuild-made packages (device node,
// hard links, setuid file, %config, %ghost) into a chroot that matches
// rpm, and into an ext2 image that e2fsck passes.
func TestRpmDirTestPackages(t *testing.T) {
	testtool.Need(t, "rpm", "rpmbuild", "e2fsck")
	testtool.Root(t)
	dir := t.TempDir()
	run(t, nil, "sh", "../resolver/rpm/testdata/mkrpms.sh", dir)
	m := rpmManifest(t, dir, "chroot", []string{"smc-app"})
	rpms := rpmsOf(t, dir, resolved(t, m))
	tree := filepath.Join(t.TempDir(), "out")
	run(t, nil, binary(t), "build", m, "-o", tree)
	checkRpmTree(t, tree, rpms)
	var a, b syscall.Stat_t
	if syscall.Lstat(filepath.Join(tree, "usr/lib/smc/a"), &a) != nil || syscall.Lstat(filepath.Join(tree, "usr/lib/smc/b"), &b) != nil || a.Ino != b.Ino {
		t.Errorf("/usr/lib/smc/a and b are not one hard-linked file")
	}
	if _, err := os.Lstat(filepath.Join(tree, "var/log/smc.log")); err == nil {
		t.Errorf("the %%ghost /var/log/smc.log was materialised")
	}
	img := filepath.Join(t.TempDir(), "out")
	run(t, nil, binary(t), "build", m, "--format", "ext2", "-o", img)
	if b, err := exec.Command("e2fsck", "-fn", filepath.Join(img, "root")).CombinedOutput(); err != nil {
		t.Fatalf("e2fsck -fn: %v\n%s", err, b)
	}
}

// TestSBOMRpm: the SBOM of an rpm-dir appliance passes the SPDX
// validator, carries rpm purls (epoch as a qualifier) and each package's
// License tag as a comment.
func TestSBOMRpm(t *testing.T) {
	dir := testtool.Fixture(t, rpmFixtures)
	m := rpmManifest(t, dir, "chroot", []string{"hello", "epel-release"})
	out, code := runIn(t, ".", nil, "sbom", m)
	if code != 0 {
		t.Fatalf("sbom: exit %d\n%s", code, out)
	}
	doc, err := spdxjson.Read(strings.NewReader(out))
	if err != nil {
		t.Fatalf("the SPDX parser rejects our document: %v", err)
	}
	if err := spdxlib.ValidateDocument(doc); err != nil {
		t.Errorf("spdxlib.ValidateDocument: %v", err)
	}
	want := map[string]string{
		"pkg:rpm/fedora/hello@2.12.1-2.fc39?arch=x86_64":                        "License tag of the package: GPL-3.0-or-later AND GFDL-1.3-or-later",
		"pkg:rpm/fedora/centos-release@5-0.0.el5.centos.2?arch=x86_64&epoch=10": "License tag of the package: GPL",
	}
	for _, p := range doc.Packages {
		for _, r := range p.PackageExternalReferences {
			if w, ok := want[r.Locator]; ok {
				if p.PackageLicenseComments != w {
					t.Errorf("%s: licence comment %q, want %q", r.Locator, p.PackageLicenseComments, w)
				}
				delete(want, r.Locator)
			}
		}
	}
	for purl := range want {
		t.Errorf("SBOM lacks %s", purl)
	}
}
