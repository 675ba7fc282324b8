package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/spdxlib"

	"github.com/supermin-compile/supermin-compile/boot/kernel"
	"github.com/supermin-compile/supermin-compile/boot/modules"
	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// runIn runs our binary in dir and returns its combined output and exit
// status.
func runIn(t *testing.T, dir string, env []string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return string(out), ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(out), 0
}

func writeFile(t testing.TB, file, text string) {
	t.Helper()
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestLockDrift: lock, then build --locked passes; a changed hostfile or
// an edited manifest makes --locked, list --locked and lock --check fail
// with the expected diff lines, and nothing is built.
func TestLockDrift(t *testing.T) {
	dir := t.TempDir()
	host := filepath.Join(dir, "host.conf")
	writeFile(t, host, "one\n")
	manifest := filepath.Join(dir, "app.toml")
	text := fmt.Sprintf("format = \"chroot\"\npackages = [\"bash\"]\nhostfiles = [%q]\n", host)
	writeFile(t, manifest, text)
	if out, code := runIn(t, dir, nil, "lock", manifest); code != 0 {
		t.Fatalf("lock: %d %s", code, out)
	}
	lockText, err := os.ReadFile(filepath.Join(dir, "app.lock"))
	if err != nil || !bytes.Contains(lockText, []byte("name = \"bash\"")) || !bytes.Contains(lockText, []byte(host)) {
		t.Fatalf("app.lock lacks bash or the hostfile: %v\n%s", err, lockText)
	}
	out := filepath.Join(dir, "out")
	if msg, code := runIn(t, dir, nil, "build", "--locked", manifest, "-o", out); code != 0 {
		t.Fatalf("build --locked on a fresh lock: %d %s", code, msg)
	}

	writeFile(t, host, "two\n")
	want := fmt.Sprintf("~ %s sha256 ", host)
	for _, args := range [][]string{{"build", "--locked", manifest, "-o", out + "2"}, {"list", "--locked", manifest}, {"lock", "--check", manifest}} {
		msg, code := runIn(t, dir, nil, args...)
		if code != 1 || !strings.Contains(msg, want) {
			t.Errorf("%v after a hostfile changed: exit %d, want 1 and %q in:\n%s", args, code, want, msg)
		}
	}
	if _, err := os.Stat(out + "2"); err == nil {
		t.Error("build --locked built despite the drift")
	}

	writeFile(t, host, "one\n")
	writeFile(t, manifest, text+"optional_packages = [\"dash\"]\n")
	msg, code := runIn(t, dir, nil, "lock", "--check", manifest)
	if code != 1 || !strings.Contains(msg, "~ manifest sha256 ") || !strings.Contains(msg, "+ dash ") {
		t.Errorf("after editing the manifest: exit %d, want 1 with a manifest and a + dash line:\n%s", code, msg)
	}
	if before, _ := os.ReadFile(filepath.Join(dir, "app.lock")); !bytes.Equal(before, lockText) {
		t.Error("lock --check rewrote the lock file")
	}
}

// TestDiffExamples: diff of two example manifests names the packages and
// paths that differ, exits 1, and --json says the same.
func TestDiffExamples(t *testing.T) {
	a, b := "../examples/minimal.toml", "../examples/boot-hello.toml"
	msg, code := runIn(t, ".", nil, "diff", a, b)
	if code != 1 {
		t.Fatalf("diff exit %d, want 1:\n%s", code, msg)
	}
	for _, want := range []string{"- coreutils:amd64 ", "+ mount:amd64 ", "- /usr/bin/ls\n", "~ /init: file 0755 0:0 "} {
		if !strings.Contains(msg, want) {
			t.Errorf("diff lacks %q", want)
		}
	}
	js, _ := runIn(t, ".", nil, "diff", "--json", a, b)
	var c struct {
		Packages, Paths struct{ Added, Removed, Changed []string }
	}
	if err := json.Unmarshal([]byte(js), &c); err != nil {
		t.Fatalf("diff --json: %v\n%s", err, js)
	}
	if len(c.Packages.Added) == 0 || len(c.Paths.Removed) == 0 || len(c.Paths.Changed) == 0 {
		t.Errorf("diff --json: %+v", c)
	}
	if msg, code := runIn(t, ".", nil, "diff", a, a); code != 0 || msg != "" {
		t.Errorf("diff of a manifest with itself: exit %d, %q", code, msg)
	}
}

// TestSBOMGuestfs: the SBOM of examples/guestfs.toml passes the SPDX
// library's parser and validator, and lists every package `resolve` prints
// and every host file of `list`.
func TestSBOMGuestfs(t *testing.T) {
	needGuestfsD(t)
	manifest := "../examples/guestfs.toml"
	out, code := runIn(t, ".", nil, "sbom", manifest)
	if code != 0 {
		t.Fatalf("sbom: %d\n%s", code, out)
	}
	doc, err := spdxjson.Read(strings.NewReader(out))
	if err != nil {
		t.Fatalf("the SPDX parser rejects our document: %v", err)
	}
	if err := spdxlib.ValidateDocument(doc); err != nil {
		t.Errorf("spdxlib.ValidateDocument: %v", err)
	}
	purls := map[string]bool{}
	for _, p := range doc.Packages {
		for _, r := range p.PackageExternalReferences {
			purls[r.Locator] = true
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(run(t, nil, binary(t), "resolve", manifest)), "\n") {
		f := strings.Fields(line) // name version arch
		if want := fmt.Sprintf("pkg:deb/debian/%s@%s?arch=%s", f[0], f[1], f[2]); !purls[want] {
			t.Errorf("SBOM lacks %s", want)
		}
	}
	files := map[string]bool{}
	for _, f := range doc.Files {
		files[f.FileName] = true
		if len(f.Checksums) < 2 {
			t.Errorf("%s: checksums %v", f.FileName, f.Checksums)
		}
	}
	var entries []struct{ Path, Type, Origin string }
	json.Unmarshal([]byte(run(t, nil, binary(t), "list", "--json", manifest)), &entries)
	hosts := 0
	for _, e := range entries {
		if e.Origin == "host" && e.Type == "file" {
			hosts++
			if !files["."+e.Path] {
				t.Errorf("SBOM lacks host file %s", e.Path)
			}
		}
	}
	if hosts == 0 {
		t.Error("list shows no host files: the test checks nothing")
	}
}

// TestReproducibleAcrossEnvironments: the same manifest built from two
// working directories, with different TMPDIR and GOMAXPROCS 1 and 8, gives
// byte-identical root, initrd and cpio outputs.
func TestReproducibleAcrossEnvironments(t *testing.T) {
	text, err := os.ReadFile("../examples/minimal.toml")
	if err != nil {
		t.Fatal(err)
	}
	sums := [2]map[string]string{}
	for i, procs := range []string{"1", "8"} {
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "minimal.toml"), string(text))
		tmp := t.TempDir()
		env := []string{"SOURCE_DATE_EPOCH=1700000000", "GOMAXPROCS=" + procs, "TMPDIR=" + tmp}
		for _, format := range []string{"ext2", "cpio"} {
			if msg, code := runIn(t, dir, env, "build", "minimal.toml", "--format", format, "--size", "64M", "--compression", "xz", "-o", format); code != 0 {
				t.Fatalf("build: %d %s", code, msg)
			}
		}
		sums[i] = map[string]string{}
		for _, f := range []string{"ext2/root", "ext2/initrd", "ext2/kernel", "cpio/initramfs.cpio.xz"} {
			sums[i][f] = sha(t, filepath.Join(dir, f))
		}
	}
	for f, s := range sums[0] {
		if sums[1][f] != s {
			t.Errorf("%s differs between the two builds", f)
		}
	}
}

// TestReproducibleKey: `reproducible = true` gives identical outputs
// without SOURCE_DATE_EPOCH, even from manifests written at other times.
func TestReproducibleKey(t *testing.T) {
	var sums []string
	for range 2 {
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "r.toml"), "reproducible = true\nformat = \"cpio\"\npackages = [\"dash\"]\n"+
			"[[file]]\npath = \"/etc/motd\"\ncontent = \"hi\\n\"\n")
		if msg, code := runIn(t, dir, []string{"SOURCE_DATE_EPOCH="}, "build", "r.toml", "-o", "out"); code != 0 {
			t.Fatalf("build: %d %s", code, msg)
		}
		sums = append(sums, sha(t, filepath.Join(dir, "out/initramfs.cpio")))
	}
	if sums[0] != sums[1] {
		t.Error("two reproducible builds differ")
	}
}

// TestLockUpgradeDebDir: a package upgraded in a deb-dir source makes the
// lock check fail with the old version removed and the new one added.
func TestLockUpgradeDebDir(t *testing.T) {
	testtool.Need(t, "dpkg-deb")
	built := t.TempDir()
	run(t, nil, "sh", "../resolver/deb/testdata/mkdebs.sh", built)
	arch := strings.TrimSpace(run(t, nil, "dpkg", "--print-architecture"))
	dir := t.TempDir()
	pool := filepath.Join(dir, "pool")
	os.Mkdir(pool, 0o755)
	link := func(name string) {
		if err := os.Link(filepath.Join(built, name), filepath.Join(pool, name)); err != nil {
			t.Fatal(err)
		}
	}
	link("smc-test_1.0-1_" + arch + ".deb")
	manifest := filepath.Join(dir, "app.toml")
	writeFile(t, manifest, "format = \"chroot\"\npackages = [\"smc-test\"]\n[source]\ntype = \"deb-dir\"\npath = \"pool\"\n")
	if out, code := runIn(t, dir, nil, "lock", manifest); code != 0 {
		t.Fatalf("lock: %d %s", code, out)
	}
	if out, code := runIn(t, dir, nil, "lock", "--check", manifest); code != 0 {
		t.Fatalf("lock --check right after lock: %d %s", code, out)
	}
	link("smc-test_2.0-1_" + arch + ".deb")
	out, code := runIn(t, dir, nil, "build", "--locked", manifest, "-o", filepath.Join(dir, "out"))
	if code != 1 || !strings.Contains(out, "- smc-test 1.0-1\n+ smc-test 2.0-1\n") {
		t.Errorf("after the upgrade: exit %d, want 1 and the version change in:\n%s", code, out)
	}
}

// TestLockDriftBootable: the lock of a bootable appliance pins the
// kernel, its modules, the base tarballs and the inline files' sources:
// changing any one makes lock --check fail and name it.
func TestLockDriftBootable(t *testing.T) {
	testtool.Need(t, "tar")
	host, err := kernel.Find(kernel.Options{})
	if err != nil {
		testtool.Unavailable(t, "no kernel on this host: "+err.Error())
	}
	dir := t.TempDir()
	copyFile := func(from, to string) {
		data, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		os.MkdirAll(filepath.Dir(to), 0o755)
		writeFile(t, to, string(data))
	}
	// A modules directory of one real module without dependencies.
	deps, err := os.ReadFile(filepath.Join(host.ModulesDir, "modules.dep"))
	if err != nil {
		t.Fatal(err)
	}
	var module string
	for _, line := range strings.Split(string(deps), "\n") {
		if rel, ok := strings.CutSuffix(line, ":"); ok {
			module = rel
			break
		}
	}
	copyFile(filepath.Join(host.ModulesDir, module), filepath.Join(dir, "modules", module))
	writeFile(t, filepath.Join(dir, "modules/modules.dep"), module+":\n")
	copyFile(host.Path, filepath.Join(dir, "vmlinuz"))
	writeFile(t, filepath.Join(dir, "c.conf"), "one\n")
	os.MkdirAll(filepath.Join(dir, "tree/etc"), 0o755)
	writeFile(t, filepath.Join(dir, "tree/etc/a"), "one\n")
	run(t, nil, "tar", "-czf", filepath.Join(dir, "base.tar.gz"), "-C", filepath.Join(dir, "tree"), "./etc")
	manifest := filepath.Join(dir, "app.toml")
	writeFile(t, manifest, fmt.Sprintf(`packages = ["dash"]
base = ["base.tar.gz"]
[[file]]
path = "/etc/c"
source = "c.conf"
[kernel]
path = "vmlinuz"
modules_dir = "modules"
modules = [%q]
`, modules.Name(module)))
	if out, code := runIn(t, dir, nil, "lock", manifest); code != 0 {
		t.Fatalf("lock: %d %s", code, out)
	}
	if out, code := runIn(t, dir, nil, "lock", "--check", manifest); code != 0 {
		t.Fatalf("lock --check right after lock: %d %s", code, out)
	}
	text, _ := os.ReadFile(filepath.Join(dir, "app.lock"))
	for _, want := range []string{"\n[init]\n", "\n[[inline]]\npath = \"/etc/c\"\n", "\nmodules = \"sha256:"} {
		if !bytes.Contains(text, []byte(want)) {
			t.Errorf("app.lock lacks %q:\n%s", want, text)
		}
	}

	for _, c := range []struct {
		file, want string
		change     func(file string)
	}{
		{"c.conf", "~ inline /etc/c sha256 ", func(f string) { writeFile(t, f, "two\n") }},
		{"base.tar.gz", "~ base base.tar.gz sha256 ", func(f string) {
			writeFile(t, filepath.Join(dir, "tree/etc/a"), "two\n")
			run(t, nil, "tar", "-czf", f, "-C", filepath.Join(dir, "tree"), "./etc")
		}},
		{"vmlinuz", "~ kernel " + host.Version + " sha256 ", func(f string) {
			fh, err := os.OpenFile(f, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			fh.Write([]byte{0})
			fh.Close()
		}},
		{"modules/" + module, "~ kernel " + host.Version + " modules ", func(f string) {
			copyFile(f, filepath.Join(dir, "modules/updates/dkms.ko")) // a module added beside it
		}},
	} {
		file := filepath.Join(dir, c.file)
		before, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		c.change(file)
		msg, code := runIn(t, dir, nil, "lock", "--check", manifest)
		if code != 1 || !strings.Contains(msg, "\n"+c.want) {
			t.Errorf("after changing %s: exit %d, want 1 and %q in:\n%s", c.file, code, c.want, msg)
		}
		writeFile(t, file, string(before))
		os.RemoveAll(filepath.Join(dir, "modules/updates"))
	}
	if out, code := runIn(t, dir, nil, "lock", "--check", manifest); code != 0 {
		t.Errorf("lock --check after undoing every change: %d %s", code, out)
	}
}
