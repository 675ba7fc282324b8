package e2e

import (
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/BurntSushi/toml"
	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/spdxlib"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// Appliances from Arch packages on this Debian host: makepkg builds the
// test packages of resolver/pacman/testdata, pacman installs them into a
// root, and pacman -Qlq on that root is the oracle for every file list.

var archRoot struct {
	once            sync.Once
	dir, pkgs, root string
	err             error
}

// pacmanInstalled are the test packages installed into the Arch root.
var pacmanInstalled = []string{"smc-base", "smc-app", "smc-tool-a", "smc-tool-b"}

// archFixtures builds the test packages and installs them into a root,
// once per run; every test gets its own copy of the root.
func archFixtures(t *testing.T) (pkgs, root string) {
	t.Helper()
	testtool.Need(t, "makepkg", "pacman", "bsdtar", "fakeroot")
	testtool.Root(t) // owners, and the root's copy keeps them
	a := &archRoot
	a.once.Do(func() {
		if a.dir, a.err = os.MkdirTemp("", "smc-arch-"); a.err != nil {
			return
		}
		a.pkgs, a.root = filepath.Join(a.dir, "pkgs"), filepath.Join(a.dir, "root")
		if out, err := exec.Command("sh", "../resolver/pacman/testdata/mkpkgs.sh", a.pkgs).CombinedOutput(); err != nil {
			a.err = fmt.Errorf("mkpkgs.sh: %v\n%s", err, out)
			return
		}
		os.MkdirAll(filepath.Join(a.root, "var/lib/pacman"), 0o755)
		var files []string
		for _, n := range pacmanInstalled {
			m, _ := filepath.Glob(filepath.Join(a.pkgs, n+"-[0-9]*.pkg.tar.*"))
			files = append(files, m...)
		}
		argv := append(append(pacmanOn(a.root), "-U", "--noscriptlet", "--noconfirm"), files...)
		if out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput(); err != nil {
			a.err = fmt.Errorf("pacman -U: %v\n%s", err, out)
		}
	})
	if a.err != nil {
		t.Fatal(a.err)
	}
	root = filepath.Join(t.TempDir(), "root")
	run(t, nil, "cp", "-a", a.root, root)
	return a.pkgs, root
}

// pacmanOn is the pacman command line for root's database.
func pacmanOn(root string) []string {
	return []string{"pacman", "--root", root, "--dbpath", filepath.Join(root, "var/lib/pacman"), "--logfile", filepath.Join(root, "pacman.log")}
}

// pacmanFiles lists what pacman -Qlq says the named packages installed
// under root, as appliance paths, directories included.
func pacmanFiles(t *testing.T, root string, names []string) []string {
	out := run(t, nil, append(append(pacmanOn(root), "-Qlq"), names...)...)
	var paths []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		p := strings.TrimSuffix(strings.TrimPrefix(l, root), "/")
		if !slices.Contains(paths, p) {
			paths = append(paths, p)
		}
	}
	return append(paths, "/")
}

// resolvedNames is the names `resolve` prints for a manifest.
func resolvedNames(t *testing.T, m string) []string {
	var names []string
	for _, l := range resolved(t, m) {
		names = append(names, strings.Fields(l)[0])
	}
	return names
}

// appliancePaths walks a chroot appliance, leaving out the build's own
// fingerprint.
func appliancePaths(t *testing.T, dir string) []string {
	var out []string
	for _, p := range walked(t, dir) {
		if p != "/.supermin-compile.fingerprint" {
			out = append(out, p)
		}
	}
	return out
}

// TestPacmanSources builds smc-app into a chroot from the installed root
// (type pacman) and from the package files (type pkg-dir): each has
// exactly the files pacman -Qlq lists for the closure, and the pkg-dir one
// has them as pacman installed them (type, mode, size, link target). Ext2
// images of both pass e2fsck and hold the same files.
func TestPacmanSources(t *testing.T) {
	pkgs, root := archFixtures(t)
	for _, src := range []string{fmt.Sprintf("type = \"pacman\"\nroot = %q", root), fmt.Sprintf("type = \"pkg-dir\"\npath = %q", pkgs)} {
		m := filepath.Join(t.TempDir(), "app.toml")
		writeFile(t, m, "packages = [\"smc-app\"]\nformat = \"chroot\"\nkernel = false\nsize = \"64M\"\n\n[source]\n"+src+"\narch = \"x86_64\"\n")
		names := resolvedNames(t, m)
		if want := []string{"smc-app", "smc-base", "smc-tool-a"}; !slices.Equal(names, want) {
			t.Errorf("%s: closure %q, want %q", src, names, want)
		}
		out := filepath.Join(t.TempDir(), "out")
		run(t, nil, binary(t), "build", m, "-o", out)
		if d := testtool.LineDiff(sorted(pacmanFiles(t, root, names)), appliancePaths(t, out)); d != "" {
			t.Errorf("%s: the chroot differs from pacman -Qlq:\n%s", src, d)
		}
		ext2Holds(t, m, pacmanFiles(t, root, names))
		if !strings.Contains(src, "pkg-dir") {
			continue
		}
		for _, p := range pacmanFiles(t, root, names) {
			ours, err1 := os.Lstat(filepath.Join(out, p))
			theirs, err2 := os.Lstat(filepath.Join(root, p))
			if err1 != nil || err2 != nil || ours.Mode() != theirs.Mode() || (ours.Mode().IsRegular() && ours.Size() != theirs.Size()) {
				t.Errorf("%s: %v %v, pacman installed %v %v", p, ours, err1, theirs, err2)
			}
		}
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// inArch runs our static binary as supermin inside the Arch root (a
// chroot: the drop-in reads the host's database at /).
func inArch(t *testing.T, root string, args ...string) result {
	t.Helper()
	bin := filepath.Join(root, "supermin")
	if _, err := os.Stat(bin); err != nil {
		cmd := exec.Command("go", "build", "-o", bin, "../cmd/supermin-compile")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0") // static: the root has no libc
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build: %v\n%s", err, out)
		}
		os.MkdirAll(filepath.Join(root, "tmp"), 0o1777)
	}
	return runCode(t, []string{"TMPDIR=/tmp"}, append([]string{"chroot", root, "/supermin"}, args...)...)
}

// TestPacmanDropin runs the drop-in on an Arch root: --prepare finds the
// packages in pacman's database and takes the pristine configuration
// files from pacman's cache (not the host's edit); --build makes a chroot
// with the files pacman -Qlq lists for the closure; --if-newer sees
// pacman remove a package.
func TestPacmanDropin(t *testing.T) {
	testtool.Need(t, "chroot")
	pkgs, root := archFixtures(t)
	cache := filepath.Join(root, "var/cache/pacman/pkg")
	os.MkdirAll(cache, 0o755)
	run(t, nil, "sh", "-c", `cp "$0"/*.pkg.tar.* "$1"`, pkgs, cache)
	conf := filepath.Join(root, "etc/smc-base.conf")
	pristine, _ := os.ReadFile(conf)
	writeFile(t, conf, "edited on the host\n")

	if r := inArch(t, root, "--prepare", "smc-app", "-o", "/sd"); r.code != 0 {
		t.Fatalf("--prepare: %d\n%s", r.code, r.stderr)
	}
	if b, _ := os.ReadFile(filepath.Join(root, "sd/packages")); string(b) != "smc-app\n" {
		t.Errorf("packages: %q", b)
	}
	members := tarMembers(t, filepath.Join(root, "sd/base.tar.gz"))
	if len(members) != 1 || members[0].name != "./etc/smc-base.conf" {
		t.Errorf("base.tar.gz: %v, want ./etc/smc-base.conf only", members)
	}
	got := run(t, nil, "tar", "-xzOf", filepath.Join(root, "sd/base.tar.gz"), "./etc/smc-base.conf")
	if got != string(pristine) {
		t.Errorf("base.tar.gz has %q, smc-base ships %q", got, pristine)
	}

	build := func() result {
		return inArch(t, root, "-v", "--build", "--if-newer", "-f", "chroot", "/sd", "-o", "/app")
	}
	if r := build(); r.code != 0 {
		t.Fatalf("--build: %d\n%s", r.code, r.stderr)
	}
	want := sorted(pacmanFiles(t, root, []string{"smc-app", "smc-base", "smc-tool-a"}))
	if d := testtool.LineDiff(want, appliancePaths(t, filepath.Join(root, "app"))); d != "" {
		t.Errorf("the chroot differs from pacman -Qlq:\n%s", d)
	}
	if b, _ := os.ReadFile(filepath.Join(root, "app/etc/smc-base.conf")); string(b) != string(pristine) {
		t.Errorf("the appliance's /etc/smc-base.conf is %q, want the pristine %q", b, pristine)
	}
	if r := build(); !strings.Contains(r.stdout, notNeeded) {
		t.Errorf("a second --if-newer build rebuilt:\n%s", r.stdout)
	}
	run(t, nil, append(pacmanOn(root), "-R", "--noconfirm", "--noscriptlet", "smc-tool-b")...)
	if r := build(); r.code != 0 || strings.Contains(r.stdout, notNeeded) {
		t.Errorf("--if-newer did not rebuild after pacman -R: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestPacmanSBOMAndLock: from either source, the SBOM passes the SPDX
// validator and names each package of the closure by its purl
// pkg:alpm/arch/NAME@VERSION?arch=ARCH, with the version, architecture
// and licences pacman -Qi gives; the lock pins each package file by its
// SHA-256, each installed package by its mtree (also when the database is
// detected), and lock --check passes.
func TestPacmanSBOMAndLock(t *testing.T) {
	pkgs, root := archFixtures(t)
	want := map[string]string{} // purl -> licence comment
	info := run(t, nil, append(pacmanOn(root), "-Qi", "smc-app", "smc-base", "smc-tool-a")...)
	for _, block := range strings.Split(strings.TrimSpace(info), "\n\n") {
		f := map[string]string{}
		for _, l := range strings.Split(block, "\n") {
			k, v, _ := strings.Cut(l, " : ")
			f[strings.TrimSpace(k)] = v
		}
		purl := "pkg:alpm/arch/" + f["Name"] + "@" + f["Version"] + "?arch=" + f["Architecture"]
		want[purl] = "License tag of the package: " + strings.Join(strings.Fields(f["Licenses"]), " AND ")
	}
	sources := map[string]string{ // manifest lines -> the lock's source
		fmt.Sprintf("type = \"pacman\"\nroot = %q", root):  "pacman",
		fmt.Sprintf("root = %q", root):                     "pacman", // detected
		fmt.Sprintf("type = \"pkg-dir\"\npath = %q", pkgs): "pkg-dir",
	}
	for src, source := range sources {
		dir := t.TempDir()
		m := filepath.Join(dir, "app.toml")
		writeFile(t, m, "packages = [\"smc-app\"]\nformat = \"chroot\"\nkernel = false\n\n[source]\n"+src+"\narch = \"x86_64\"\n")
		out, code := runIn(t, dir, nil, "sbom", m)
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
		found := map[string]string{}
		for _, p := range doc.Packages {
			for _, r := range p.PackageExternalReferences {
				if strings.HasPrefix(r.Locator, "pkg:alpm/") {
					found[r.Locator] = p.PackageLicenseComments
				}
			}
		}
		if !maps.Equal(found, want) {
			t.Errorf("%s: SBOM packages %q, pacman -Qi says %q", src, found, want)
		}

		if out, code := runIn(t, dir, nil, "lock", m); code != 0 {
			t.Fatalf("lock: exit %d\n%s", code, out)
		}
		var l struct {
			Package []struct{ Name, Source, Digest string }
		}
		if _, err := toml.DecodeFile(filepath.Join(dir, "app.lock"), &l); err != nil {
			t.Fatal(err)
		}
		for _, p := range l.Package {
			if p.Source != source {
				t.Errorf("%s: %s is locked from source %q, want %q", src, p.Name, p.Source, source)
			}
			var file, prefix string
			if strings.Contains(src, "pkg-dir") {
				m, _ := filepath.Glob(filepath.Join(pkgs, p.Name+"-[0-9]*"))
				file, prefix = m[0], "sha256:"
			} else {
				m, _ := filepath.Glob(filepath.Join(root, "var/lib/pacman/local", p.Name+"-[0-9]*", "mtree"))
				file, prefix = m[0], "mtree:sha256:"
			}
			if data, _ := os.ReadFile(file); p.Digest != prefix+sumOf(data) {
				t.Errorf("%s: %s is locked as %s, %s has %s", src, p.Name, p.Digest, file, sumOf(data))
			}
		}
		if out, code := runIn(t, dir, nil, "lock", "--check", m); code != 0 {
			t.Errorf("lock --check: exit %d\n%s", code, out)
		}
	}
}
