package apt

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// The fixtures are made by real tools when the tests run: keys by gpg in a
// throwaway GNUPGHOME, .debs by resolver/deb/testdata/mkdebs.sh
// (dpkg-deb), repositories by testdata/mkrepo.sh (apt-ftparchive), and
// signatures by gpg --clearsign and gpg -abs.

// testKeys are the keys the tests sign with, made once per run.
type testKeys struct {
	home string // GNUPGHOME holding all of them
	// good signs the test repositories (rsa2048, as archives use RSA);
	// other is a second valid key nobody trusts (ed25519); expired
	// expired in 2021; weak is rsa1024, which apt refuses.
	good, other, expired, weak string // fingerprints
	expiredOn                  string // when expired expired, as gpg says (RFC 3339)
}

var keys struct {
	sync.Once
	k   testKeys
	err string
}

// gpgKeys returns the test keys, generating them on first use.
func gpgKeys(t testing.TB) testKeys {
	t.Helper()
	testtool.Need(t, "gpg", "gpg-agent", "gpgconf")
	keys.Do(func() { keys.k, keys.err = makeKeys() })
	if keys.err != "" {
		t.Fatal(keys.err)
	}
	return keys.k
}

func makeKeys() (testKeys, string) {
	// A short path: gpg-agent's socket path has a length limit.
	home, err := os.MkdirTemp("", "smc-gpg")
	if err != nil {
		return testKeys{}, err.Error()
	}
	k := testKeys{home: home}
	for _, key := range []struct {
		fpr                 *string
		uid, algo, from, to string
	}{
		{&k.good, "smc good <good@example.org>", "rsa2048", "", "1y"},
		{&k.other, "smc other <other@example.org>", "ed25519", "", "1y"},
		{&k.expired, "smc expired <expired@example.org>", "ed25519", "20200101T000000", "1y"},
		{&k.weak, "smc weak <weak@example.org>", "rsa1024", "", "1y"},
	} {
		args := []string{"--quick-gen-key", key.uid, key.algo, "sign", key.to}
		if key.from != "" {
			args = append([]string{"--faked-system-time", key.from}, args...)
		}
		if out, err := gpgCmd(home, args...).CombinedOutput(); err != nil {
			return k, "gpg " + strings.Join(args, " ") + ": " + err.Error() + "\n" + string(out)
		}
		out, err := gpgCmd(home, "--with-colons", "--list-keys", key.uid).Output()
		if err != nil {
			return k, "gpg --list-keys: " + err.Error()
		}
		for _, line := range strings.Split(string(out), "\n") {
			f := strings.Split(line, ":")
			if f[0] == "fpr" && *key.fpr == "" {
				*key.fpr = f[9]
			}
			if f[0] == "pub" && key.fpr == &k.expired {
				secs, _ := strconv.ParseInt(f[6], 10, 64)
				k.expiredOn = time.Unix(secs, 0).UTC().Format(time.RFC3339)
			}
		}
	}
	return k, ""
}

// gpgCmd is gpg in the test home, never asking anything.
func gpgCmd(home string, args ...string) *exec.Cmd {
	cmd := exec.Command("gpg", append([]string{"--homedir", home, "--batch", "--yes",
		"--pinentry-mode", "loopback", "--passphrase", ""}, args...)...)
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	return cmd
}

// gpg runs gpg in the keys' home and fails the test on error.
func (k testKeys) gpg(t testing.TB, args ...string) []byte {
	t.Helper()
	out, err := gpgCmd(k.home, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("gpg %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// export writes the public keys fprs to a new keyring file: binary, or
// armoured when the name ends in .asc.
func (k testKeys) export(t testing.TB, name string, fprs ...string) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), name)
	args := []string{"--output", file, "--export"}
	if strings.HasSuffix(name, ".asc") {
		args = append([]string{"--armor"}, args...)
	}
	k.gpg(t, append(args, fprs...)...)
	return file
}

// clearsign writes dir/InRelease from dir/Release, signed by signers.
func (k testKeys) clearsign(t testing.TB, dir string, extra []string, signers ...string) string {
	t.Helper()
	out := filepath.Join(dir, "InRelease")
	args := append([]string{}, extra...)
	for _, s := range signers {
		args = append(args, "--local-user", s)
	}
	k.gpg(t, append(args, "--output", out, "--clearsign", filepath.Join(dir, "Release"))...)
	return out
}

// detach writes dir/Release.gpg, an armoured detached signature of
// dir/Release.
func (k testKeys) detach(t testing.TB, dir string, signers ...string) string {
	t.Helper()
	out := filepath.Join(dir, "Release.gpg")
	var args []string
	for _, s := range signers {
		args = append(args, "--local-user", s)
	}
	k.gpg(t, append(args, "--output", out, "-abs", filepath.Join(dir, "Release"))...)
	return out
}

var debs struct {
	sync.Once
	dir, err string
}

// testDebs builds the resolver/deb test packages once per run.
func testDebs(t testing.TB) string {
	t.Helper()
	testtool.Need(t, "dpkg-deb", "ar", "tar", "bzip2", "gzip", "xz")
	debs.Do(func() {
		dir, err := os.MkdirTemp("", "smc-debs")
		if err != nil {
			debs.err = err.Error()
			return
		}
		script := filepath.Join(testtool.ModuleRoot(t), "resolver/deb/testdata/mkdebs.sh")
		if out, err := exec.Command("sh", script, dir).CombinedOutput(); err != nil {
			debs.err = "mkdebs.sh: " + err.Error() + "\n" + string(out)
		}
		debs.dir = dir
	})
	if debs.err != "" {
		t.Fatal(debs.err)
	}
	return debs.dir
}

// testRepo is a repository made by testdata/mkrepo.sh.
type testRepo struct {
	root string // the archive's root: the URI is file:ROOT
	dist string // root/dists/smc
}

// mkrepo lays out a new unsigned repository; options go to apt-ftparchive
// release.
func mkrepo(t testing.TB, options ...string) testRepo {
	t.Helper()
	testtool.Need(t, "apt-ftparchive", "dpkg")
	root := filepath.Join(t.TempDir(), "repo")
	testtool.Output(t, nil, "sh", append([]string{"testdata/mkrepo.sh", root, testDebs(t)}, options...)...)
	return testRepo{root: root, dist: filepath.Join(root, "dists/smc")}
}

// source is the deb line for the repository's dists/smc main.
func (r testRepo) source() Source {
	s := newSource("test")
	s.URI, s.Suite, s.Components = "file:"+r.root, "smc", []string{"main"}
	return s
}

// hostArch is dpkg's architecture: the one mkrepo.sh indexes.
func hostArch(t testing.TB) string {
	t.Helper()
	return strings.TrimSpace(string(testtool.Output(t, nil, "dpkg", "--print-architecture")))
}

// wantError fails unless err is an *Error for repo and file whose text
// holds each of parts.
func wantError(t testing.TB, err error, repo Source, file string, parts ...string) {
	t.Helper()
	e, ok := err.(*Error)
	if !ok {
		t.Fatalf("want an *apt.Error naming %s, got %T %v", file, err, err)
	}
	if e.Repo != repo.String() || e.File != file {
		t.Errorf("error names %q, %q; want %q, %q", e.Repo, e.File, repo.String(), file)
	}
	for _, p := range parts {
		if !strings.Contains(e.Error(), p) {
			t.Errorf("error %q does not say %q", e.Error(), p)
		}
	}
}

// TestMain removes the keys' home (stopping its gpg-agent) and the .debs.
func TestMain(m *testing.M) {
	code := m.Run()
	if keys.k.home != "" {
		_ = exec.Command("gpgconf", "--homedir", keys.k.home, "--kill", "gpg-agent").Run()
		os.RemoveAll(keys.k.home)
	}
	if debs.dir != "" {
		os.RemoveAll(debs.dir)
	}
	os.Exit(code)
}

// aptConfig writes an apt configuration under a new root directory:
// files by path relative to root/etc/apt ("sources.list",
// "sources.list.d/x.sources"). ReadHost and the oracles read the same.
func aptConfig(t testing.TB, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for _, d := range []string{"etc/apt/sources.list.d", "etc/apt/trusted.gpg.d", "var/lib/apt/lists/partial", "var/cache/apt/archives/partial"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(root, "etc/apt", name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// aptOptions make apt-get read root's configuration (see aptConfig)
// instead of the host's.
func aptOptions(root string) []string {
	return []string{
		"-o", "Dir::Etc::SourceList=" + filepath.Join(root, "etc/apt/sources.list"),
		"-o", "Dir::Etc::SourceParts=" + filepath.Join(root, "etc/apt/sources.list.d"),
		"-o", "Dir::State::Lists=" + filepath.Join(root, "var/lib/apt/lists"),
		"-o", "Dir::Cache=" + filepath.Join(root, "var/cache/apt"),
		"-o", "Dir::Cache::pkgcache=", "-o", "Dir::Cache::srcpkgcache=",
		"-o", "Dir::State::status=/dev/null",
		"-o", "Dir::Etc::trusted=" + filepath.Join(root, "etc/apt/trusted.gpg"),
		"-o", "Dir::Etc::trustedparts=" + filepath.Join(root, "etc/apt/trusted.gpg.d"),
		"-o", "APT::Sandbox::User=root", "-o", "Debug::NoLocking=1",
	}
}

// aptUpdate runs the real apt-get update on root's configuration: the
// oracle for what apt accepts. It returns whether apt succeeded, and what
// it said.
func aptUpdate(t testing.TB, root string) (bool, string) {
	t.Helper()
	testtool.Need(t, "apt-get")
	testtool.Root(t)
	args := append([]string{"update", "-q"}, aptOptions(root)...)
	cmd := exec.Command("apt-get", append(args,
		"-o", "Acquire::Languages=none", "-o", "APT::Architectures::="+hostArch(t),
		// apt's defaults, whatever apt.conf.d says (a host that uses
		// snapshots may turn them off).
		"-o", "Acquire::Check-Valid-Until=true", "-o", "Acquire::Check-Date=true")...)
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	out, err := cmd.CombinedOutput()
	if _, exited := err.(*exec.ExitError); err != nil && !exited {
		t.Fatalf("apt-get update: %v", err)
	}
	return err == nil && !strings.Contains(string(out), "\nE: ") && !strings.HasPrefix(string(out), "E: "), string(out)
}

// aptUpdateLine runs aptUpdate on a sources.list of one line.
func aptUpdateLine(t testing.TB, line string) (bool, string) {
	t.Helper()
	return aptUpdate(t, aptConfig(t, map[string]string{"sources.list": line + "\n"}))
}
