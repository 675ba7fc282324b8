package e2e

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// --prepare without --use-installed: the configuration files of
// base.tar.gz come from the packages, downloaded from the host's apt
// repositories, judged by the real supermin (which runs apt-get download)
// and by dpkg-deb on the .debs we downloaded. Downloads go to a cache in
// the test's directory: the Packages indexes of the host's sources and
// the few .debs that have configuration files.

// editedBashrc is what the host's /etc/bash.bashrc says in the tests: an
// edit the appliance must not get.
const editedBashrc = "# edited on this host: not for appliances\n"

// onEditedHost runs argv in a mount namespace where /etc/bash.bashrc is
// the edited one: the host's file stays as it is.
func onEditedHost(t *testing.T, env []string, argv ...string) result {
	t.Helper()
	edited := filepath.Join(t.TempDir(), "bash.bashrc")
	must(t, os.WriteFile(edited, []byte(editedBashrc), 0o644))
	script := `mount --bind "$0" /etc/bash.bashrc && exec "$@"`
	return runCode(t, env, append([]string{"unshare", "--mount", "sh", "-c", script, edited}, argv...)...)
}

// TestPreparePristine: our base.tar.gz has the members of the real
// supermin's, with the same contents, modes and mtimes, read back by GNU
// tar; every file is the one of its package's .deb (dpkg-deb); the host's
// edit of /etc/bash.bashrc is not in it, though --use-installed takes it.
func TestPreparePristine(t *testing.T) {
	testtool.Root(t)
	testtool.Need(t, "supermin", "unshare", "mount", "tar", "dpkg-deb", "dpkg-query", "apt-cache")
	tmp := t.TempDir()
	env := []string{"XDG_CACHE_HOME=" + filepath.Join(tmp, "cache"), "APT_CONFIG=", "SOURCE_DATE_EPOCH="}
	ours, theirs, installed := filepath.Join(tmp, "ours"), filepath.Join(tmp, "supermin"), filepath.Join(tmp, "installed")
	args := []string{"--prepare", "bash", "coreutils", "-o"}

	if r := onEditedHost(t, env, append([]string{"supermin"}, append(args, theirs)...)...); r.code != 0 {
		testtool.Unavailable(t, "supermin --prepare (apt-get download) failed (network? apt-get update?): "+r.stderr)
	}
	r := onEditedHost(t, env, ourSupermin(t, append(args, ours)...)...)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	t.Logf("our warnings:\n%s", r.stderr)
	if r := onEditedHost(t, env, ourSupermin(t, append([]string{"--use-installed"}, append(args, installed)...)...)...); r.code != 0 {
		t.Fatalf("--use-installed: exit %d: %s", r.code, r.stderr)
	}

	got, want := untar(t, filepath.Join(ours, "base.tar.gz")), untar(t, filepath.Join(theirs, "base.tar.gz"))
	for _, d := range diffMembers(t, memberNames(got), memberNames(want)) {
		t.Errorf("base.tar.gz: %s", d)
	}
	debs := cachedDebs(t, filepath.Join(tmp, "cache"))
	for name, g := range got {
		w, ok := want[name]
		if !ok || g == w {
			continue
		}
		// supermin's apt-get download takes the version the host's apt
		// lists name; we read the repositories as they are now.
		pkg := owner(t, strings.TrimPrefix(name, "."))
		if ourVersion, candidate := debVersion(t, debs[pkg]), aptCandidate(t, pkg); ourVersion != candidate {
			t.Logf("%s: from %s %s; the host's apt lists, older, make supermin take %s", name, pkg, ourVersion, candidate)
			continue
		}
		t.Errorf("%s: ours %s, supermin's %s", name, g, w)
	}

	bashrc := "./etc/bash.bashrc"
	if got[bashrc].sha == "" {
		t.Fatalf("no %s in our base.tar.gz", bashrc)
	}
	if got[bashrc].sha == sumOf([]byte(editedBashrc)) {
		t.Errorf("%s: the host's edit leaked into base.tar.gz", bashrc)
	}
	if inst := untar(t, filepath.Join(installed, "base.tar.gz")); inst[bashrc].sha != sumOf([]byte(editedBashrc)) {
		t.Errorf("--use-installed: %s is not the host's (edited) file: the test did not edit it", bashrc)
	}

	for name, g := range got {
		path := strings.TrimPrefix(name, ".")
		pkg := owner(t, path)
		deb, ok := debs[pkg]
		if !ok {
			t.Errorf("%s: no .deb of %s in the download cache", name, pkg)
			continue
		}
		if inDeb := sumOf(testtool.Output(t, nil, "sh", "-c", `dpkg-deb --fsys-tarfile "$0" | tar -xO "$1"`, deb, name)); g.sha != inDeb {
			t.Errorf("%s: not the file of %s's .deb", name, pkg)
		}
		if host, err := os.ReadFile(path); err == nil && sumOf(host) != g.sha {
			t.Logf("%s: differs on the host, the pristine file was taken", path)
		}
	}
}

// TestPreparePackagerConfig: --packager-config names an apt.conf whose
// Dir::Etc::SourceList and SourceParts say where the sources are, and
// Dir::Etc::TrustedParts where the keys are.
func TestPreparePackagerConfig(t *testing.T) {
	testtool.Need(t, "dpkg-deb", "tar")
	tmp := t.TempDir()
	env := []string{"XDG_CACHE_HOME=" + filepath.Join(tmp, "cache"), "APT_CONFIG="}
	keyDir, noKeys, noParts := filepath.Join(tmp, "keys.d"), filepath.Join(tmp, "nokeys.d"), filepath.Join(tmp, "parts.d")
	for _, d := range []string{keyDir, noKeys, noParts} {
		must(t, os.Mkdir(d, 0o755))
	}
	keyring, err := os.ReadFile("/usr/share/keyrings/debian-archive-keyring.gpg")
	if err != nil {
		testtool.Unavailable(t, "no Debian archive keyring: "+err.Error())
	}
	must(t, os.WriteFile(filepath.Join(keyDir, "debian.gpg"), keyring, 0o644))
	mirror := filepath.Join(tmp, "no-mirror")
	// conf writes a sources list and an apt.conf that points at it,
	// with the default keyrings in keysDir.
	conf := func(name, sources, keysDir string) string {
		list := filepath.Join(tmp, name+".list")
		must(t, os.WriteFile(list, []byte(sources+"\n"), 0o644))
		file := filepath.Join(tmp, name+".conf")
		text := fmt.Sprintf("// for supermin --packager-config\nDir::Etc {\n  SourceList %q;\n  SourceParts %q;\n  Trusted \"/nonexistent\";\n  TrustedParts %q;\n};\n",
			list, noParts, keysDir)
		must(t, os.WriteFile(file, []byte(text), 0o644))
		return file
	}
	prepare := func(conf, out string, extraEnv ...string) result {
		return runCode(t, append(env, extraEnv...), ourSupermin(t, "--prepare", "libattr1", "--packager-config", conf, "-o", out)...)
	}

	t.Run("sources", func(t *testing.T) {
		r := prepare(conf("local", "deb [trusted=yes] file://"+mirror+" bookworm main", keyDir), filepath.Join(tmp, "local"))
		if r.code != 1 || !strings.Contains(r.stderr, mirror) {
			t.Errorf("a packager config naming a mirror that is not there: exit %d, %q; want exit 1 naming %s", r.code, r.stderr, mirror)
		}
	})
	debian := "deb http://deb.debian.org/debian bookworm main"
	if resp, err := http.Head("http://deb.debian.org/debian/dists/bookworm/InRelease"); err != nil {
		testtool.Unavailable(t, "deb.debian.org is not reachable: "+err.Error())
	} else {
		resp.Body.Close()
	}
	t.Run("keys", func(t *testing.T) {
		r := prepare(conf("nokeys", debian, noKeys), filepath.Join(tmp, "nokeys"))
		if r.code != 1 || !strings.Contains(r.stderr, "deb.debian.org") || !strings.Contains(r.stderr, "not in the keyring") {
			t.Errorf("no trusted keys where the packager config says: exit %d, %q; want a refusal naming the repository and the keys", r.code, r.stderr)
		}
	})
	t.Run("downloads", func(t *testing.T) {
		out := filepath.Join(tmp, "out")
		r := prepare(conf("debian", debian, keyDir), out)
		if r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		got := untar(t, filepath.Join(out, "base.tar.gz"))
		debs := cachedDebs(t, filepath.Join(tmp, "cache"))
		for name, g := range got {
			pkg := owner(t, strings.TrimPrefix(name, "."))
			inDeb := sumOf(testtool.Output(t, nil, "sh", "-c", `dpkg-deb --fsys-tarfile "$0" | tar -xO "$1"`, debs[pkg], name))
			if debs[pkg] == "" || g.sha != inDeb {
				t.Errorf("%s: not the file of %s's .deb", name, pkg)
			}
		}
		if len(got) == 0 {
			t.Error("base.tar.gz: no configuration files of libattr1 (/etc/xattr.conf)")
		}

		const epoch = 1000000000 // 2001, before any file of the package
		clamped := filepath.Join(tmp, "clamped")
		if r := prepare(conf("debian", debian, keyDir), clamped, fmt.Sprint("SOURCE_DATE_EPOCH=", epoch)); r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		for name, m := range untar(t, filepath.Join(clamped, "base.tar.gz")) {
			if m.mtime != epoch || m.sha != got[name].sha {
				t.Errorf("SOURCE_DATE_EPOCH=%d: %s has mtime %d (contents %s), want the clamp and the same contents", epoch, name, m.mtime, m.sha[:12])
			}
		}
	})
}

// member is what GNU tar extracts of a base.tar.gz member.
type member struct {
	sha   string
	mode  fs.FileMode
	mtime int64
}

func (m member) String() string { return fmt.Sprintf("%s %v %d", m.sha[:12], m.mode, m.mtime) }

// untar extracts a tarball with GNU tar and describes its files by name
// ("./etc/...").
func untar(t *testing.T, tarball string) map[string]member {
	t.Helper()
	dir := t.TempDir()
	testtool.Output(t, nil, "tar", "-xzf", tarball, "-C", dir)
	files := map[string]member{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		files["./"+rel] = member{sumOf(data), fi.Mode(), fi.ModTime().Unix()}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func memberNames(m map[string]member) []string {
	var l []string
	for k := range m {
		l = append(l, k)
	}
	slices.Sort(l)
	return l
}

// cachedDebs finds the .debs in a download cache, by package name.
func cachedDebs(t *testing.T, cache string) map[string]string {
	t.Helper()
	debs := map[string]string{}
	filepath.WalkDir(cache, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if out, err := exec.Command("dpkg-deb", "--field", p, "Package").Output(); err == nil {
				debs[strings.TrimSpace(string(out))] = p
			}
		}
		return nil
	})
	return debs
}

// debVersion is the version of a .deb.
func debVersion(t *testing.T, deb string) string {
	t.Helper()
	return strings.TrimSpace(string(testtool.Output(t, nil, "dpkg-deb", "--field", deb, "Version")))
}

// aptCandidate is the version apt-get download PKG fetches.
func aptCandidate(t *testing.T, pkg string) string {
	t.Helper()
	for _, line := range strings.Split(string(testtool.Output(t, nil, "apt-cache", "policy", pkg)), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "Candidate: "); ok {
			return v
		}
	}
	return ""
}

// owner is the installed package that ships path.
func owner(t *testing.T, path string) string {
	t.Helper()
	out := testtool.Output(t, nil, "dpkg-query", "-S", path)
	name, _, _ := strings.Cut(string(bytes.TrimSpace(out)), ":")
	return name
}

func sumOf(data []byte) string { return fmt.Sprintf("%x", sha256.Sum256(data)) }
