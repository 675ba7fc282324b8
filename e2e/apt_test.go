package e2e

import (
	"crypto/sha256"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// Builds with `[source] type = "apt"` from this host's apt sources: real
// downloads, kept small (a dozen packages, a few MB besides the indexes)
// and into a cache under the test's temporary directory. No repository is
// named here: the host's apt configuration says where packages come from.

// hostSources returns the host's apt sources files, as apt-config names
// them: what mmdebstrap is given, and what `type = "apt"` reads itself.
func hostSources(t testing.TB) []string {
	out := run(t, nil, "apt-config", "shell", "list", "Dir::Etc::SourceList/f", "parts", "Dir::Etc::SourceParts/d")
	var list, parts string
	for _, line := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(line, "list="); ok {
			list = strings.Trim(v, "'")
		} else if v, ok := strings.CutPrefix(line, "parts="); ok {
			parts = strings.Trim(v, "'")
		}
	}
	var files []string
	if _, err := os.Stat(list); err == nil {
		files = append(files, list)
	}
	for _, pattern := range []string{"*.list", "*.sources"} {
		more, _ := filepath.Glob(filepath.Join(parts, pattern))
		files = append(files, more...)
	}
	if len(files) == 0 {
		testtool.Unavailable(t, "this host has no apt sources")
	}
	return files
}

// mmdebstrap runs mmdebstrap --variant=extract on the host's sources into
// dir, extracting the packages of include ("name=version"), or none.
func mmdebstrap(t testing.TB, dir string, include []string, extra ...string) {
	args := mmdebstrapArgs(t, dir, include, extra...)
	if out, err := exec.Command("mmdebstrap", args...).CombinedOutput(); err != nil {
		testtool.Unavailable(t, fmt.Sprintf("mmdebstrap (network?): %v\n%s", err, out))
	}
}

// closure is what a manifest resolves to, as name=version for apt.
func closure(t testing.TB, manifest string, args ...string) []string {
	var include []string
	for _, line := range resolved(t, manifest, args...) {
		f := strings.Fields(line) // name version arch
		include = append(include, f[0]+"="+f[1])
	}
	return include
}

func mmdebstrapArgs(t testing.TB, dir string, include []string, extra ...string) []string {
	args := []string{"--variant=extract", "--mode=root", "--format=directory", "--quiet"}
	if len(include) > 0 {
		args = append(args, "--include="+strings.Join(include, ","))
	}
	return append(append(append(args, extra...), "", dir), hostSources(t)...)
}

// inode is what the comparison sees of a path.
type inode struct {
	kind, mode, owner, target, content string
}

// inodes describes every path under root by lstat.
func inodes(t *testing.T, root string) map[string]inode {
	nodes := map[string]inode{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		st := fi.Sys().(*syscall.Stat_t)
		n := inode{mode: lsMode(fi.Mode()), owner: fmt.Sprintf("%d:%d", st.Uid, st.Gid)}
		switch m := fi.Mode(); {
		case m.IsRegular():
			n.kind, n.content = "file", fileSHA256(t, p)
		case m&fs.ModeSymlink != 0:
			n.kind = "symlink"
			n.target, _ = os.Readlink(p)
		case m&fs.ModeDevice != 0:
			n.kind, n.content = "device", fmt.Sprintf("rdev %#x", st.Rdev)
		default:
			n.kind = lsMode(m)[:1]
		}
		nodes["/"+strings.TrimPrefix(strings.TrimPrefix(p, root), "/")] = n
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return nodes
}

func fileSHA256(t *testing.T, file string) string {
	f, err := os.Open(file)
	must(t, err)
	defer f.Close()
	h := sha256.New()
	_, err = io.Copy(h, f)
	must(t, err)
	return fmt.Sprintf("sha256 %x", h.Sum(nil))
}

// TestAptMatchesMmdebstrap builds hello and toilet (which a stock host
// does not have installed: nothing comes from the host) with type = "apt"
// from the host's apt sources, and extracts the same closure with
// `mmdebstrap --variant=extract` from the same sources. The trees hold the
// same paths, with the same types, modes, owners, link targets and
// contents, except the appliance's fingerprint and what mmdebstrap makes
// for itself: what it makes with no package at all (its apt and dpkg
// state, /dev, /etc/hostname, ...) and apt's download directory. Neither
// runs maintainer scripts (README: what they would add).
func TestAptMatchesMmdebstrap(t *testing.T) {
	ours := matchesMmdebstrap(t, []string{"hello", "toilet"})
	if b, err := exec.Command("chroot", ours, "/usr/bin/hello").CombinedOutput(); err != nil || string(b) != "Hello, world!\n" {
		t.Errorf("hello in the appliance: %v %q", err, b)
	}
}

// matchesMmdebstrap builds pkgs with type = "apt" and compares the tree
// with mmdebstrap's extraction of the same closure (given extra options
// too), as TestAptMatchesMmdebstrap says; it returns the appliance.
func matchesMmdebstrap(t *testing.T, pkgs []string, extra ...string) string {
	testtool.Need(t, "mmdebstrap", "apt-config", "chroot")
	testtool.Root(t) // mmdebstrap --mode=root; owners
	for _, p := range pkgs {
		if out, _ := exec.Command("dpkg-query", "-W", "-f", "${db:Status-Abbrev}", p).Output(); strings.HasPrefix(string(out), "ii") {
			t.Logf("%s is installed on this host; the build does not use it", p)
		}
	}
	dir := t.TempDir()
	m := filepath.Join(dir, "app.toml")
	writeFile(t, m, fmt.Sprintf("packages = %s\nformat = \"chroot\"\nkernel = false\n[source]\ntype = \"apt\"\ncache_dir = \"cache\"\n", tomlList(pkgs)))
	include := closure(t, m)
	theirs, bare, ours := filepath.Join(dir, "mmdebstrap"), filepath.Join(dir, "bare"), filepath.Join(dir, "ours")
	mmdebstrap(t, theirs, include, extra...)
	mmdebstrap(t, bare, nil, append([]string{"--skip=update"}, extra...)...)
	run(t, nil, binary(t), "build", m, "-o", ours)

	own := inodes(t, bare)
	excused := func(p string) bool {
		return own[p].kind != "" || p == "/var/cache/apt/archives" || strings.HasPrefix(p, "/var/cache/apt/archives/")
	}
	want, got := inodes(t, theirs), inodes(t, ours)
	var diff []string
	for p, w := range want {
		g, ok := got[p]
		switch {
		case !ok && !excused(p):
			diff = append(diff, fmt.Sprintf("missing %s %+v", p, w))
		case ok && g != w:
			diff = append(diff, fmt.Sprintf("differs %s: ours %+v, mmdebstrap's %+v", p, g, w))
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok && p != "/.supermin-compile.fingerprint" {
			diff = append(diff, "extra "+p)
		}
	}
	sort.Strings(diff)
	if len(diff) > 0 {
		t.Errorf("the appliance differs from mmdebstrap's extraction of %d packages (%d):\n%s", len(include), len(diff), strings.Join(head(diff, 40), "\n"))
	}
	t.Logf("%d paths of %d packages compared", len(got), len(include))
	return ours
}
