package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// Paths that cross a symlinked directory are relocated by the layout of
// the tree the appliance is made from, never by this host's (which has
// /var/run -> /run): an installed database's root, or what archives ship.

// listEntry is one line of `list --json`.
type listEntry struct {
	Path, Type, Mode, Link, Origin string
}

func listJSON(t *testing.T, manifest string) map[string]listEntry {
	t.Helper()
	var entries []listEntry
	if err := json.Unmarshal([]byte(run(t, nil, binary(t), "list", "--json", manifest)), &entries); err != nil {
		t.Fatal(err)
	}
	byPath := map[string]listEntry{}
	for _, e := range entries {
		byPath[e.Path] = e
	}
	return byPath
}

// rpmInstall installs fixture packages into root with Debian's rpm, as an rpm
// host has them (no scripts: the layout is what the payloads make).
func rpmInstall(t *testing.T, root string, pkgs ...string) {
	dir := testtool.Fixture(t, rpmFixtures)
	args := []string{"rpm", "--root", root, "--dbpath", "/var/lib/rpm", "--nodeps", "--noscripts", "--nosignature", "-i"}
	for _, p := range pkgs {
		args = append(args, filepath.Join(dir, p))
	}
	run(t, nil, args...)
}

func rpmdbManifest(t *testing.T, root string, pkgs ...string) string {
	m := filepath.Join(t.TempDir(), "app.toml")
	writeFile(t, m, fmt.Sprintf("packages = %s\nformat = \"chroot\"\nkernel = false\n\n[source]\ntype = \"rpmdb\"\nroot = %q\n", tomlList(pkgs), root))
	return m
}

// TestRpmRootLayout: in an rpm root where /var/run is a real directory,
// ngircd's /var/run/ngircd stays there, in the list and in the chroot, and
// every path `rpm -qla` lists is listed at that path.
func TestRpmRootLayout(t *testing.T) {
	testtool.Need(t, "rpm")
	root := t.TempDir()
	rpmInstall(t, root, "fedora/ngircd-22-2.fc22.x86_64.rpm", "fedora/hello-2.12.1-2.fc39.x86_64.rpm")
	m := rpmdbManifest(t, root, "ngircd", "hello")
	got := listJSON(t, m)
	if e := got["/var/run/ngircd"]; e.Type != "dir" || e.Origin != "ngircd" {
		t.Errorf("/var/run/ngircd is listed as %+v; want ngircd's directory (this host's /var/run -> /run is not the root's)", e)
	}
	if e := got["/var/run"]; e.Type != "dir" {
		t.Errorf("/var/run is listed as %+v; the root has a directory", e)
	}
	if e, ok := got["/run/ngircd"]; ok {
		t.Errorf("/run/ngircd is listed (%+v): relocated by this host's layout", e)
	}
	out := run(t, nil, "rpm", "--root", root, "--dbpath", "/var/lib/rpm", "-qla", "--noghost")
	for _, p := range strings.Fields(out) {
		if _, ok := got[p]; !ok {
			t.Errorf("rpm -qla lists %s, which list does not", p)
		}
	}
	tree := filepath.Join(t.TempDir(), "out")
	run(t, nil, binary(t), "build", m, "-o", tree)
	if fi, err := os.Lstat(filepath.Join(tree, "var/run/ngircd")); err != nil || !fi.IsDir() {
		t.Errorf("the chroot's /var/run/ngircd is not a directory: %v", err)
	}
}

// TestRpmRootLinkedDirectory: in a root whose /var/run is a symlink to its
// /run, ngircd's directory is relocated as the root says, with the root's
// metadata, whether the link is relative or absolute (an absolute target
// is the root's /run, not this host's).
func TestRpmRootLinkedDirectory(t *testing.T) {
	testtool.Need(t, "rpm")
	for _, target := range []string{"../run", "/run"} {
		t.Run(strings.ReplaceAll(target, "/", "_"), func(t *testing.T) {
			root := t.TempDir()
			for _, d := range []string{"var", "run"} {
				if err := os.Mkdir(filepath.Join(root, d), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.Symlink(target, filepath.Join(root, "var/run")); err != nil {
				t.Fatal(err)
			}
			rpmInstall(t, root, "fedora/ngircd-22-2.fc22.x86_64.rpm")
			fi, err := os.Lstat(filepath.Join(root, "run/ngircd"))
			if err != nil {
				t.Fatalf("rpm did not install ngircd's directory through the root's link: %v", err)
			}
			got := listJSON(t, rpmdbManifest(t, root, "ngircd"))
			if e := got["/var/run"]; e.Type != "symlink" || e.Link != target {
				t.Errorf("/var/run is listed as %+v; want the root's link to %s", e, target)
			}
			e := got["/run/ngircd"]
			if want := fmt.Sprintf("%04o", fi.Mode().Perm()); e.Type != "dir" || e.Origin != "ngircd" || e.Mode != want {
				t.Errorf("/run/ngircd is listed as %+v; want ngircd's directory, mode %s as in the root", e, want)
			}
			if e, ok := got["/var/run/ngircd"]; ok {
				t.Errorf("/var/run/ngircd is listed (%+v) under the root's symlink", e)
			}
		})
	}
}

// TestRpmDirLayout: no package ships /var/run as a link, so an appliance
// of .rpm files keeps ngircd's /var/run/ngircd where the payload puts it.
func TestRpmDirLayout(t *testing.T) {
	testtool.Need(t, "rpm")
	dir := testtool.Fixture(t, rpmFixtures)
	got := listJSON(t, rpmManifest(t, dir, "chroot", []string{"ngircd"}))
	if e := got["/var/run/ngircd"]; e.Type != "dir" || e.Origin != "ngircd" {
		t.Errorf("/var/run/ngircd is listed as %+v; want ngircd's directory", e)
	}
	if e := got["/var/run"]; e.Type != "dir" {
		t.Errorf("/var/run is listed as %+v; no package ships a link", e)
	}
}

// mergedUsrHook is mmdebstrap's setup hook that makes the links
// debootstrap makes before it unpacks anything (/bin -> usr/bin, ...).
const mergedUsrHook = "/usr/share/mmdebstrap/hooks/merged-usr/setup00.sh"

// TestAptMergedUsrMatchesMmdebstrap: a bookworm closure that holds
// usr-is-merged (whose preinst refuses an unmerged root) is laid out as
// Debian's installer makes it. The oracle is mmdebstrap's extraction of
// the same closure into the links its merged-usr hook makes; what the hook
// makes that no package fills (/lib32, /libx32) is its own, as with no
// package at all.
func TestAptMergedUsrMatchesMmdebstrap(t *testing.T) {
	if _, err := os.Stat(mergedUsrHook); err != nil {
		testtool.Unavailable(t, "mmdebstrap's merged-usr hook: "+err.Error())
	}
	ours := matchesMmdebstrap(t, []string{"hello", "bash", "usr-is-merged"}, "--setup-hook="+mergedUsrHook)
	for _, d := range []string{"bin", "sbin", "lib", "lib64"} {
		if target, err := os.Readlink(filepath.Join(ours, d)); err != nil || target != "usr/"+d {
			t.Errorf("/%s is not a link to usr/%s: %q, %v", d, d, target, err)
		}
	}
	if b, err := exec.Command("chroot", ours, "/bin/bash", "-c", "hello").CombinedOutput(); err != nil || string(b) != "Hello, world!\n" {
		t.Errorf("hello through /bin/bash in the appliance: %v %q", err, b)
	}
}

// filesystemSpec is a package that ships /var/run as a link to ../run,
// as Fedora's filesystem package does.
const filesystemSpec = `Name: smc-filesystem
Version: 1.0
Release: 1
Summary: /var/run -> ../run, as Fedora's filesystem ships it
License: MIT
BuildArch: noarch

%description
The layout of a test appliance.

%install
mkdir -p %{buildroot}/run %{buildroot}/var
ln -s ../run %{buildroot}/var/run

%files
%dir /run
/var/run
`

// TestRpmDirShippedLink: when a package ships /var/run -> ../run, an
// appliance of .rpm files relocates ngircd's /var/run/ngircd to
// /run/ngircd, as rpm does when it installs both (the oracle: rpm --root
// into an empty root).
func TestRpmDirShippedLink(t *testing.T) {
	testtool.Need(t, "rpm", "rpmbuild")
	dir, top := t.TempDir(), t.TempDir()
	spec := filepath.Join(top, "smc-filesystem.spec")
	writeFile(t, spec, filesystemSpec)
	run(t, []string{"SOURCE_DATE_EPOCH=1700000000"}, "rpmbuild", "-bb", "--quiet", "--define", "_topdir "+top, "--define", "_rpmdir "+dir, "--define", "_build_id_links none", spec)
	ngircd := filepath.Join(testtool.Fixture(t, rpmFixtures), "fedora/ngircd-22-2.fc22.x86_64.rpm")
	if err := os.Symlink(ngircd, filepath.Join(dir, filepath.Base(ngircd))); err != nil {
		t.Fatal(err)
	}
	got := listJSON(t, rpmManifest(t, dir, "chroot", []string{"smc-filesystem", "ngircd"}))
	if e := got["/var/run"]; e.Type != "symlink" || e.Link != "../run" || e.Origin != "smc-filesystem" {
		t.Errorf("/var/run is listed as %+v; want smc-filesystem's link to ../run", e)
	}
	if e := got["/run/ngircd"]; e.Type != "dir" || e.Origin != "ngircd" {
		t.Errorf("/run/ngircd is listed as %+v; want ngircd's directory, through the shipped link", e)
	}
	root := t.TempDir()
	rpms, _ := filepath.Glob(filepath.Join(dir, "*", "smc-filesystem-*.rpm"))
	run(t, nil, append([]string{"rpm", "--root", root, "--dbpath", "/var/lib/rpm", "--nodeps", "--noscripts", "--nosignature", "-i", ngircd}, rpms...)...)
	if fi, err := os.Lstat(filepath.Join(root, "run/ngircd")); err != nil || !fi.IsDir() {
		t.Errorf("rpm itself does not put /run/ngircd there: %v", err)
	}
}
