package rpm

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// fixtureKeys extracts the OpenPGP keys that the fixtures' centos-release
// 6 and 7 and epel-release 7 ship (/etc/pki/rpm-gpg) with rpm2cpio and
// cpio, and returns their paths.
func fixtureKeys(t *testing.T) []string {
	t.Helper()
	testtool.Need(t, "rpm2cpio", "cpio")
	dir := t.TempDir()
	for _, p := range []string{"el/centos-release-7-2.1511.el7.centos.2.10.x86_64.rpm", "el/centos-release-6-0.el6.centos.5.x86_64.rpm", "el/epel-release-7-5.noarch.rpm"} {
		sh := exec.Command("sh", "-c", `rpm2cpio "$1" | cpio -idm --quiet --no-absolute-filenames -D "$2" '*RPM-GPG-KEY*'`, "sh", testtool.Fixture(t, "rpm/packages/"+p), dir)
		if out, err := sh.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", p, err, out)
		}
	}
	keys, _ := filepath.Glob(filepath.Join(dir, "etc/pki/rpm-gpg/*"))
	if len(keys) < 3 {
		t.Fatalf("only %d keys extracted", len(keys))
	}
	return keys
}

// rpmkeysVerdicts imports keys into a new rpm database and returns
// whether `rpmkeys --checksig` finds each file's signatures OK; an
// unsigned package is not ("digests OK" only), as dnf's gpgcheck refuses it.
func rpmkeysVerdicts(t *testing.T, keys, files []string) map[string]bool {
	t.Helper()
	testtool.Need(t, "rpmkeys")
	db := t.TempDir()
	testtool.Output(t, nil, "rpmkeys", append([]string{"--dbpath", db, "--import"}, keys...)...)
	out := map[string]bool{}
	for _, f := range files {
		b, _ := exec.Command("rpmkeys", "--dbpath", db, "--checksig", f).CombinedOutput() // exits 1 when not OK
		if !strings.HasPrefix(string(b), f+": ") {
			t.Fatalf("rpmkeys --checksig %s: %s", f, b)
		}
		out[f] = strings.HasSuffix(strings.TrimSpace(string(b)), "signatures OK")
	}
	return out
}

// TestSignaturesMatchRpmkeys: with the CentOS 6, CentOS 7 and EPEL 7 keys,
// every fixture package passes CheckPackage exactly when rpmkeys
// --checksig finds its signatures OK (RSA/SHA256, version 3 and 4
// signature packets, header-only and header+payload); the others are
// refused with the reason.
func TestSignaturesMatchRpmkeys(t *testing.T) {
	keys := fixtureKeys(t)
	k, err := ReadKeyring(keys...)
	if err != nil {
		t.Fatal(err)
	}
	files := rpmFiles(t, testtool.Fixture(t, "rpm/packages"))
	ok := 0
	for file, want := range rpmkeysVerdicts(t, keys, files) {
		err := k.CheckPackage(file)
		if got := err == nil; got != want {
			t.Errorf("%s: rpmkeys says signatures OK: %v; CheckPackage: %v", filepath.Base(file), want, err)
		}
		if err != nil && !strings.Contains(err.Error(), file) {
			t.Errorf("%s: the error does not name the file: %v", filepath.Base(file), err)
		}
		if want {
			ok++
		}
	}
	if ok < 5 {
		t.Errorf("only %d packages verified: the test checks little", ok)
	}
}

// throwawayKeys makes OpenPGP signing keys in a new GNUPGHOME with gpg,
// one per algorithm ("rsa3072", "ed25519"), each with the user id
// "smc ALGO", and returns the home and each public key's file.
func throwawayKeys(t *testing.T, algos ...string) (string, map[string]string) {
	t.Helper()
	testtool.Need(t, "gpg", "gpgconf")
	home := t.TempDir()
	env := []string{"GNUPGHOME=" + home}
	t.Cleanup(func() { exec.Command("gpgconf", "--homedir", home, "--kill", "gpg-agent").Run() })
	keys := map[string]string{}
	for _, a := range algos {
		uid := "smc " + a
		testtool.Output(t, env, "gpg", "--batch", "--pinentry-mode", "loopback", "--passphrase", "", "--quick-gen-key", uid, a, "sign", "never")
		keys[a] = filepath.Join(home, a+".asc")
		if err := os.WriteFile(keys[a], testtool.Output(t, env, "gpg", "--armor", "--export", uid), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return home, keys
}

// rpmsign signs file with the key "smc ALGO" of home, as a distribution
// does (rpm 4.18: a header-only signature; the header holds the payload's
// digest).
func rpmsign(t *testing.T, home, algo, file string) {
	t.Helper()
	testtool.Need(t, "rpmsign")
	testtool.Output(t, []string{"GNUPGHOME=" + home}, "rpmsign", "--addsign", "--define", "_gpg_name smc "+algo, "--define", "__gpg "+gpgPath(t), file)
}

func gpgPath(t *testing.T) string {
	p, err := exec.LookPath("gpg")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestSignedPackages: packages rpmsign signed with throwaway RSA and
// Ed25519 keys (version 4 signatures, payload digests) pass with their
// keys and are refused without them, or with one byte of their header or
// payload changed; rpmkeys --checksig agrees each time.
func TestSignedPackages(t *testing.T) {
	home, keys := throwawayKeys(t, "rsa3072", "ed25519")
	built := mkrpms(t)
	dir := t.TempDir()
	signed := map[string]string{}
	for _, algo := range []string{"rsa3072", "ed25519"} {
		signed[algo] = filepath.Join(dir, algo+".rpm")
		copyFile(t, filepath.Join(built, "smc-base-1.0-1.x86_64.rpm"), signed[algo])
		rpmsign(t, home, algo, signed[algo])
	}
	headerFlip := filepath.Join(dir, "header-flipped.rpm")
	copyFile(t, signed["rsa3072"], headerFlip)
	flip(t, headerFlip, func(b []byte) int { return bytes.Index(b, []byte("supermin-compile test package")) })
	payloadFlip := filepath.Join(dir, "payload-flipped.rpm")
	copyFile(t, signed["ed25519"], payloadFlip)
	flip(t, payloadFlip, func(b []byte) int { return len(b) - 100 })
	unsigned := filepath.Join(built, "smc-base-1.0-1.x86_64.rpm")

	all := []string{keys["rsa3072"], keys["ed25519"]}
	for _, c := range []struct {
		file string
		keys []string
		want string // in the error; "" when it passes
	}{
		{signed["rsa3072"], all, ""},
		{signed["ed25519"], all, ""},
		{signed["ed25519"], []string{keys["rsa3072"]}, "which is not among the repository's keys"},
		{headerFlip, all, "header signature: key "},
		{payloadFlip, all, "payload: sha256 is "},
		{unsigned, all, "not signed"},
	} {
		k, err := ReadKeyring(c.keys...)
		if err != nil {
			t.Fatal(err)
		}
		err = k.CheckPackage(c.file)
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%s: %v, want %q", filepath.Base(c.file), err, c.want)
		}
		if rpmOK := rpmkeysVerdicts(t, c.keys, []string{c.file})[c.file]; rpmOK != (err == nil) {
			t.Errorf("%s: rpmkeys says signatures OK: %v; CheckPackage: %v", filepath.Base(c.file), rpmOK, err)
		}
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err == nil {
		err = os.WriteFile(to, b, 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// flip changes one bit of file at the offset at returns.
func flip(t *testing.T, file string, at func([]byte) int) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	i := at(b)
	if i < 0 {
		t.Fatalf("%s: nothing to flip", file)
	}
	b[i] ^= 1
	if err := os.WriteFile(file, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestReposGPGCheck: with gpgcheck, a repository's packages are read only
// when signed by its keys; repomd.xml's detached signature (repo_gpgcheck)
// verifies, and fails once repomd.xml changes.
func TestReposGPGCheck(t *testing.T) {
	home, keys := throwawayKeys(t, "rsa3072")
	pkgs := mkrpms(t)
	unsignedPkgs := t.TempDir()
	copyFile(t, filepath.Join(pkgs, "smc-alt-a-1.0-1.noarch.rpm"), filepath.Join(unsignedPkgs, "smc-alt-a-1.0-1.noarch.rpm"))
	files, _ := filepath.Glob(filepath.Join(pkgs, "*.rpm"))
	for _, f := range files {
		rpmsign(t, home, "rsa3072", f)
	}
	k, err := ReadKeyring(keys["rsa3072"])
	if err != nil {
		t.Fatal(err)
	}
	meta := createrepo(t, pkgs)
	repomd := filepath.Join(meta, "repodata", "repomd.xml")
	testtool.Output(t, []string{"GNUPGHOME=" + home}, "gpg", "--batch", "--armor", "--detach-sign", "-u", "smc rsa3072", repomd)
	if err := k.CheckDetached(repomd, repomd+".asc"); err != nil {
		t.Errorf("repomd.xml.asc: %v", err)
	}
	copyFile(t, repomd, repomd+".orig")
	flip(t, repomd, func(b []byte) int { return bytes.Index(b, []byte("<revision>")) + 10 })
	if err := k.CheckDetached(repomd, repomd+".asc"); err == nil || !strings.Contains(err.Error(), "bad signature") {
		t.Errorf("changed repomd.xml: %v, want a bad signature", err)
	}
	copyFile(t, repomd+".orig", repomd)

	for _, c := range []struct {
		pkgs, want string
	}{{pkgs, ""}, {unsignedPkgs, "smc-alt-a-1.0-1.noarch.rpm: " + unsignedPkgs}} {
		repo := localRepo(t, "smc", createrepo(t, c.pkgs), fromDir(c.pkgs))
		repo.GPGCheck, repo.Keys = true, k
		u, err := OpenRepos([]Repo{repo}, "x86_64")
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range u.Packages() {
			_, err := u.Entries(p)
			if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasSuffix(err.Error(), ": not signed")) {
				t.Errorf("%s: %v, want %q", p.Name, err, c.want)
			}
		}
		u.Close()
	}
}
