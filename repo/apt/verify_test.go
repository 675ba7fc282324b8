package apt

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/supermin-compile/supermin-compile/internal/deb822"
	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// parseLine parses one sources.list line with ParseList.
func parseLine(t testing.TB, line string) Source {
	t.Helper()
	sources, err := ParseList(strings.NewReader(line), "test.list")
	if err != nil || len(sources) != 1 {
		t.Fatalf("ParseList(%q) = %v, %v", line, sources, err)
	}
	return sources[0]
}

// verifier returns a Verifier for the source of a sources.list line.
func verifier(t testing.TB, line string) *Verifier {
	t.Helper()
	s := parseLine(t, line)
	kr, err := s.Keyring("/")
	if err != nil {
		t.Fatal(err)
	}
	return &Verifier{Source: s, Keyring: kr}
}

// verifyBoth reads dir's Release as apt would: InRelease when there is
// one, else Release with Release.gpg when there is one, else unsigned.
func verifyBoth(v *Verifier, dir string) (*Release, error) {
	in := filepath.Join(dir, "InRelease")
	if _, err := os.Stat(in); err == nil {
		return v.InRelease(in)
	}
	sig := filepath.Join(dir, "Release.gpg")
	if _, err := os.Stat(sig); err != nil {
		sig = ""
	}
	return v.Release(filepath.Join(dir, "Release"), sig)
}

// TestGoodRepository: a repository apt-ftparchive laid out and gpg signed
// is accepted both ways (InRelease; Release + Release.gpg), as apt-get
// update accepts it, and what it lists checks out against the real files.
func TestGoodRepository(t *testing.T) {
	k := gpgKeys(t)
	r := mkrepo(t)
	k.detach(t, r.dist, k.good)
	line := fmt.Sprintf("deb [signed-by=%s] file:%s smc main", k.export(t, "good.gpg", k.good), r.root)
	v := verifier(t, line)
	detached, err := verifyBoth(v, r.dist)
	if err != nil {
		t.Fatalf("Release + Release.gpg: %v", err)
	}
	k.clearsign(t, r.dist, nil, k.good)
	if ok, out := aptUpdateLine(t, line); !ok {
		t.Fatalf("the oracle refuses the good repository:\n%s", out)
	}
	clear, err := verifyBoth(v, r.dist)
	if err != nil {
		t.Fatalf("InRelease: %v", err)
	}
	for _, rel := range []*Release{detached, clear} {
		if len(rel.SignedBy) != 1 || rel.SignedBy[0] != k.good {
			t.Errorf("%s: signed by %v, want %s", rel.File, rel.SignedBy, k.good)
		}
		if rel.Suite != "smc" || rel.Codename != "smc-code" || !rel.AcquireByHash || len(rel.Warnings) > 0 {
			t.Errorf("%s: Suite %q Codename %q Acquire-By-Hash %v Warnings %q", rel.File, rel.Suite, rel.Codename, rel.AcquireByHash, rel.Warnings)
		}
		checkListedFiles(t, r.dist, rel)
		checkIndexes(t, r, rel)
	}
}

// checkListedFiles compares every SHA256 entry with sha256sum's view of
// the real file.
func checkListedFiles(t *testing.T, dir string, rel *Release) {
	t.Helper()
	if len(rel.Files) == 0 {
		t.Fatalf("%s: no files", rel.File)
	}
	for name, fh := range rel.Files {
		file := filepath.Join(dir, name)
		sum := strings.Fields(string(testtool.Output(t, nil, "sha256sum", file)))[0]
		fi, err := os.Stat(file)
		if err != nil {
			t.Fatal(err)
		}
		if sum != fh.SHA256 || fi.Size() != fh.Size {
			t.Errorf("%s: Release says %s %d, sha256sum %s, size %d", name, fh.SHA256, fh.Size, sum, fi.Size())
		}
	}
}

// checkIndexes checks the index the fetcher would choose, by name and by
// hash, and every .deb it lists.
func checkIndexes(t *testing.T, r testRepo, rel *Release) {
	t.Helper()
	arch := hostArch(t)
	ixs, skipped := rel.Indexes([]string{arch})
	if len(skipped) > 0 || len(ixs) != 1 {
		t.Fatalf("Indexes = %+v, skipped %q", ixs, skipped)
	}
	ix := ixs[0]
	if want := "dists/smc/main/binary-" + arch + "/Packages.xz"; ix.Path != want {
		t.Errorf("index %s, want %s: xz is preferred", ix.Path, want)
	}
	for _, p := range []string{ix.Path, ix.ByHashPath} {
		if err := rel.CheckIndex(ix, filepath.Join(r.root, p)); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
	gz := filepath.Join(r.root, strings.TrimSuffix(ix.Path, ".xz")+".gz")
	if err := rel.CheckIndexContent(ix, gz); err != nil {
		t.Errorf("content of the .gz: %v", err)
	}
	n := 0
	for _, e := range packagesEntries(t, filepath.Join(r.root, strings.TrimSuffix(ix.Path, ".xz"))) {
		n++
		if err := rel.Source.CheckDeb(filepath.Join(r.root, e.filename), e.size, e.sha256); err != nil {
			t.Error(err)
		}
	}
	if debs, _ := filepath.Glob(filepath.Join(r.root, "pool/main/*.deb")); n != len(debs) {
		t.Errorf("the index lists %d packages, the pool holds %d", n, len(debs))
	}
}

type packagesEntry struct {
	filename, sha256 string
	size             int64
}

// packagesEntries reads the Filename, Size and SHA256 of a Packages file.
func packagesEntries(t testing.TB, file string) []packagesEntry {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var out []packagesEntry
	err = deb822.Parse(bytes.NewReader(data), deb822.NewParagraph("Filename", "Size", "SHA256"), func(p *deb822.Paragraph) error {
		size, err := strconv.ParseInt(string(p.Get(1)), 10, 64)
		out = append(out, packagesEntry{string(p.Get(0)), string(p.Get(2)), size})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// tamper is one way a repository can be wrong, and what the refusal says.
type tamper struct {
	name    string
	make    func(t *testing.T, k testKeys, r testRepo) (line string) // signs; returns the sources.list line
	file    string                                                   // in dists/smc, the file the error names
	says    []string
	aptToo  bool // apt-get update refuses it too (the oracle)
	options []string
}

var tampers = []tamper{{
	name: "modified InRelease",
	make: func(t *testing.T, k testKeys, r testRepo) string {
		in := k.clearsign(t, r.dist, nil, k.good)
		edit(t, in, "Suite: smc\n", "Suite: smd\n")
		return goodLine(t, k, r)
	},
	file: "InRelease", says: []string{"bad signature", k4("good"), "does not match the signed text"}, aptToo: true,
}, {
	name: "text after the signature",
	make: func(t *testing.T, k testKeys, r testRepo) string {
		in := k.clearsign(t, r.dist, nil, k.good)
		appendTo(t, in, "Valid-Until: Fri, 01 Jan 2100 00:00:00 UTC\n")
		return goodLine(t, k, r)
	},
	file: "InRelease", says: []string{"unsigned text after the signature"}, aptToo: true,
}, {
	name: "text before the signed message",
	make: func(t *testing.T, k testKeys, r testRepo) string {
		in := k.clearsign(t, r.dist, nil, k.good)
		data, _ := os.ReadFile(in)
		os.WriteFile(in, append([]byte("Origin: evil\n\n"), data...), 0o644)
		return goodLine(t, k, r)
	},
	file: "InRelease", says: []string{"unsigned text before the signed message"}, aptToo: true,
}, {
	name:    "expired Valid-Until",
	options: []string{"-o", "APT::FTPArchive::Release::ValidTime=-86400"},
	make: func(t *testing.T, k testKeys, r testRepo) string {
		k.clearsign(t, r.dist, nil, k.good)
		return goodLine(t, k, r)
	},
	file: "InRelease", says: []string{"expired: Valid-Until", "is past"}, aptToo: true,
}, {
	name:    "Date in the future",
	options: []string{"-o", "APT::FTPArchive::Release::Date=" + time.Now().Add(48*time.Hour).UTC().Format("Mon, 02 Jan 2006 15:04:05 UTC")},
	make: func(t *testing.T, k testKeys, r testRepo) string {
		k.clearsign(t, r.dist, nil, k.good)
		return goodLine(t, k, r)
	},
	file: "InRelease", says: []string{"not valid yet", "in the future"}, aptToo: true,
}, {
	name: "unsigned InRelease",
	make: func(t *testing.T, k testKeys, r testRepo) string {
		copyFile(t, filepath.Join(r.dist, "Release"), filepath.Join(r.dist, "InRelease"))
		return goodLine(t, k, r)
	},
	file: "InRelease", says: []string{"not signed"}, aptToo: true,
}, {
	name: "unsigned repository",
	make: func(t *testing.T, k testKeys, r testRepo) string { return goodLine(t, k, r) },
	file: "Release", says: []string{"not signed", "trusted=yes"}, aptToo: true,
}, {
	name: "signed by a key that is not trusted",
	make: func(t *testing.T, k testKeys, r testRepo) string {
		k.clearsign(t, r.dist, nil, k.other)
		return goodLine(t, k, r)
	},
	file: "InRelease", says: []string{"no good signature", k4("other") + " is not in the keyring"}, aptToo: true,
}, {
	name: "SHA1 digest",
	make: func(t *testing.T, k testKeys, r testRepo) string {
		k.clearsign(t, r.dist, []string{"--digest-algo", "SHA1"}, k.good)
		return goodLine(t, k, r)
	},
	file: "InRelease", says: []string{"no good signature", "untrusted digest algorithm SHA1"}, aptToo: true,
}, {
	name: "expired key",
	make: func(t *testing.T, k testKeys, r testRepo) string {
		k.clearsign(t, r.dist, []string{"--faked-system-time", "20200601T000000"}, k.expired)
		return fmt.Sprintf("deb [signed-by=%s] file:%s smc main", k.export(t, "expired.gpg", k.expired), r.root)
	},
	file: "InRelease", says: []string{"no good signature", "expired on {expiredOn}"}, aptToo: true,
}, {
	// apt 3's APT::Key::Assert-Pubkey-Algo refuses RSA under 2048 bits;
	// this host's apt 2.6 predates it, so it is no oracle here.
	name: "RSA 1024 key",
	make: func(t *testing.T, k testKeys, r testRepo) string {
		k.clearsign(t, r.dist, nil, k.weak)
		return fmt.Sprintf("deb [signed-by=%s] file:%s smc main", k.export(t, "weak.gpg", k.weak), r.root)
	},
	file: "InRelease", says: []string{"no good signature", "untrusted public key algorithm rsa1024"},
}, {
	name: "signer not among Signed-By's fingerprints",
	make: func(t *testing.T, k testKeys, r testRepo) string {
		k.clearsign(t, r.dist, nil, k.good)
		return fmt.Sprintf("deb [signed-by=%s,%s] file:%s smc main", k.export(t, "both.asc", k.good, k.other), k.other, r.root)
	},
	file: "InRelease", says: []string{"no good signature", k4("good") + " is not in the keyring"}, aptToo: true,
}, {
	name: "Release.gpg of another Release",
	make: func(t *testing.T, k testKeys, r testRepo) string {
		k.detach(t, r.dist, k.good)
		edit(t, filepath.Join(r.dist, "Release"), "Suite: smc\n", "Suite: smd\n")
		return goodLine(t, k, r)
	},
	file: "Release.gpg", says: []string{"bad signature", "does not match the signed text"}, aptToo: true,
}, {
	name: "trusted=no",
	make: func(t *testing.T, k testKeys, r testRepo) string {
		k.clearsign(t, r.dist, nil, k.good)
		return fmt.Sprintf("deb [trusted=no signed-by=%s] file:%s smc main", k.export(t, "good.gpg", k.good), r.root)
	},
	file: "InRelease", says: []string{"trusted=no"},
}}

// k4 stands for a test key's fingerprint in a tamper's expected text;
// TestTampering replaces it.
func k4(name string) string { return "{" + name + "}" }

// TestTampering: every way a repository can be wrong is refused with an
// *Error naming the repository, the file and what did not match; where
// the host's apt is an oracle, apt-get update refuses it too.
func TestTampering(t *testing.T) {
	k := gpgKeys(t)
	names := map[string]string{k4("good"): k.good, k4("other"): k.other, k4("expiredOn"): k.expiredOn}
	for _, tc := range tampers {
		t.Run(tc.name, func(t *testing.T) {
			r := mkrepo(t, tc.options...)
			line := tc.make(t, k, r)
			v := verifier(t, line)
			rel, err := verifyBoth(v, r.dist)
			if err == nil {
				t.Fatalf("accepted: %+v", rel)
			}
			says := make([]string, len(tc.says))
			for i, s := range tc.says {
				says[i] = s
				for k, fpr := range names {
					says[i] = strings.ReplaceAll(says[i], k, fpr)
				}
			}
			t.Log(err)
			wantError(t, err, v.Source, filepath.Join(r.dist, tc.file), says...)
			if tc.aptToo {
				if ok, out := aptUpdateLine(t, line); ok {
					t.Errorf("we refuse (%v), the oracle apt-get update accepts:\n%s", err, out)
				}
			}
		})
	}
}

// TestTrustedYes: trusted=yes accepts an unsigned repository, as apt
// does, with a warning, and still checks the hashes.
func TestTrustedYes(t *testing.T) {
	r := mkrepo(t)
	line := fmt.Sprintf("deb [trusted=yes] file:%s smc main", r.root)
	if ok, out := aptUpdateLine(t, line); !ok {
		t.Fatalf("the oracle refuses:\n%s", out)
	}
	rel, err := verifyBoth(verifier(t, line), r.dist)
	if err != nil {
		t.Fatal(err)
	}
	if len(rel.Warnings) != 1 || !strings.Contains(rel.Warnings[0], "not signed") {
		t.Errorf("warnings %q, want one saying it is not signed", rel.Warnings)
	}
	ix, err := rel.Index("main", hostArch(t))
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(r.root, ix.Path)
	appendTo(t, file, "x")
	wantError(t, rel.CheckIndex(ix, file), rel.Source, file, fmt.Sprintf("is %d bytes, the Release", ix.Size+1), fmt.Sprintf("says %d", ix.Size))
}

// TestIndexTampering: an index and a .deb that are not what the signed
// Release and the index say are refused, naming the file and both hashes.
func TestIndexTampering(t *testing.T) {
	k := gpgKeys(t)
	r := mkrepo(t)
	k.clearsign(t, r.dist, nil, k.good)
	// by-hash=no, so that apt fetches the files tampered with, not the
	// by-hash copies.
	line := strings.Replace(goodLine(t, k, r), "[", "[by-hash=no ", 1)
	v := verifier(t, line)
	rel, err := v.InRelease(filepath.Join(r.dist, "InRelease"))
	if err != nil {
		t.Fatal(err)
	}
	ix, err := rel.Index("main", hostArch(t))
	if err != nil {
		t.Fatal(err)
	}
	if ix.ByHashPath != "" {
		t.Errorf("by-hash=no, yet by-hash path %s", ix.ByHashPath)
	}
	// A Packages with one more package, compressed again: the same names,
	// other bytes, in every form (apt falls back from one to another).
	plain := filepath.Join(r.root, strings.TrimSuffix(ix.Path, ".xz"))
	appendTo(t, plain, "\nPackage: evil\nVersion: 1\nArchitecture: all\nFilename: pool/main/evil.deb\nSize: 1\nSHA256: "+strings.Repeat("0", 64)+"\n")
	testtool.Output(t, nil, "xz", "-kf", plain)
	testtool.Output(t, nil, "gzip", "-kfn", plain)
	xz := filepath.Join(r.root, ix.Path)
	sum := strings.Fields(string(testtool.Output(t, nil, "sha256sum", xz)))[0]
	if ok, out := aptUpdateLine(t, line); ok {
		t.Errorf("the oracle apt-get update accepts the tampered index:\n%s", out)
	}
	err = rel.CheckIndex(ix, xz)
	wantError(t, err, v.Source, xz, ix.Path, "the Release ("+filepath.Join(r.dist, "InRelease")+")")
	if fi, _ := os.Stat(xz); fi.Size() == ix.Size {
		wantError(t, err, v.Source, xz, "SHA256 "+sum, "says "+ix.SHA256)
	}
	wantError(t, rel.CheckIndexContent(ix, xz), v.Source, xz, "decompressed is")
}

// TestDebTampering: a .deb that is not what its index entry says is
// refused, naming the file and what differs.
func TestDebTampering(t *testing.T) {
	r := mkrepo(t)
	s := r.source()
	entries := packagesEntries(t, filepath.Join(r.dist, "main/binary-"+hostArch(t)+"/Packages"))
	e, other := entries[0], entries[1]
	// The same size, one byte changed.
	bad := filepath.Join(t.TempDir(), "tampered.deb")
	copyFile(t, filepath.Join(r.root, e.filename), bad)
	f, err := os.OpenFile(bad, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	b := []byte{0}
	f.ReadAt(b, e.size/2)
	f.WriteAt([]byte{b[0] ^ 0xff}, e.size/2)
	f.Close()
	sum := strings.Fields(string(testtool.Output(t, nil, "sha256sum", bad)))[0]
	wantError(t, s.CheckDeb(bad, e.size, e.sha256), s, bad, "SHA256 "+sum, "the index says "+e.sha256)
	// Another package in its place.
	swapped := filepath.Join(r.root, other.filename)
	wantError(t, s.CheckDeb(swapped, e.size, e.sha256), s, swapped, fmt.Sprintf("%d bytes, the index says %d", other.size, e.size))
	// An entry without a SHA256 verifies nothing.
	good := filepath.Join(r.root, e.filename)
	wantError(t, s.CheckDeb(good, e.size, ""), s, good, "no SHA256")
	if err := s.CheckDeb(good, e.size, e.sha256); err != nil {
		t.Error(err)
	}
}

func goodLine(t testing.TB, k testKeys, r testRepo) string {
	return fmt.Sprintf("deb [signed-by=%s] file:%s smc main", k.export(t, "good.gpg", k.good), r.root)
}

func edit(t testing.TB, file, old, new string) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil || !bytes.Contains(data, []byte(old)) {
		t.Fatalf("%s: no %q to edit (%v)", file, old, err)
	}
	if err := os.WriteFile(file, bytes.Replace(data, []byte(old), []byte(new), 1), 0o644); err != nil {
		t.Fatal(err)
	}
}

func appendTo(t testing.TB, file, text string) {
	t.Helper()
	f, err := os.OpenFile(file, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}

func copyFile(t testing.TB, from, to string) {
	t.Helper()
	if out, err := exec.Command("cp", from, to).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v %s", err, out)
	}
}

// TestFlatRepository: a flat repository ("URI path/", no components) is
// verified and indexed where apt looks, and apt-get update agrees.
func TestFlatRepository(t *testing.T) {
	k := gpgKeys(t)
	r := mkrepo(t)
	flat := filepath.Join(r.root, "flat")
	k.clearsign(t, flat, nil, k.good)
	line := fmt.Sprintf("deb [signed-by=%s] file:%s flat/", k.export(t, "good.gpg", k.good), r.root)
	ok, out := aptUpdateLine(t, line)
	if !ok {
		t.Fatalf("the oracle refuses:\n%s", out)
	}
	v := verifier(t, line)
	rel, err := v.InRelease(filepath.Join(r.root, v.Source.InReleasePath()))
	if err != nil {
		t.Fatal(err)
	}
	if warned := strings.Contains(out, "Conflicting distribution"); warned != (len(rel.Warnings) > 0) {
		t.Errorf("apt warns %v (%q), we warn %q", warned, out, rel.Warnings)
	}
	ixs, skipped := rel.Indexes([]string{hostArch(t)})
	if len(skipped) > 0 || len(ixs) != 1 || ixs[0].Path != "flat/Packages.xz" || ixs[0].ByHashPath != "" {
		t.Fatalf("Indexes = %+v, skipped %q; want flat/Packages.xz, no by-hash", ixs, skipped)
	}
	if err := rel.CheckIndex(ixs[0], filepath.Join(r.root, ixs[0].Path)); err != nil {
		t.Error(err)
	}
}

// TestSeveralSignatures: an InRelease signed by a trusted key and by one
// that is not in the keyring is accepted, as apt accepts Debian's
// (signed by several archive keys); with only the stranger trusted, the
// same file is refused.
func TestSeveralSignatures(t *testing.T) {
	k := gpgKeys(t)
	r := mkrepo(t)
	k.clearsign(t, r.dist, nil, k.good, k.other)
	line := goodLine(t, k, r)
	if ok, out := aptUpdateLine(t, line); !ok {
		t.Fatalf("the oracle refuses:\n%s", out)
	}
	rel, err := verifier(t, line).InRelease(filepath.Join(r.dist, "InRelease"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rel.SignedBy) != 1 || rel.SignedBy[0] != k.good {
		t.Errorf("signed by %v, want %s", rel.SignedBy, k.good)
	}
}

// TestInlineSignedBy: a deb822 source whose Signed-By is the key itself,
// folded as sources.list(5) says, verifies; apt-get update agrees.
func TestInlineSignedBy(t *testing.T) {
	k := gpgKeys(t)
	r := mkrepo(t)
	k.clearsign(t, r.dist, nil, k.good)
	armoured, err := os.ReadFile(k.export(t, "good.asc", k.good))
	if err != nil {
		t.Fatal(err)
	}
	var folded strings.Builder
	for _, l := range strings.Split(strings.TrimSpace(string(armoured)), "\n") {
		if l == "" {
			l = "."
		}
		folded.WriteString(" " + l + "\n")
	}
	root := aptConfig(t, map[string]string{"sources.list.d/inline.sources": fmt.Sprintf(
		"Types: deb\nURIs: file:%s\nSuites: smc\nComponents: main\nSigned-By:\n%s", r.root, folded.String())})
	if ok, out := aptUpdate(t, root); !ok {
		t.Fatalf("the oracle refuses:\n%s", out)
	}
	verifyHost(t, root)
}

// TestDefaultKeyrings: without Signed-By, apt's trusted.gpg.d decides:
// an armoured and a binary keyring there are both read.
func TestDefaultKeyrings(t *testing.T) {
	k := gpgKeys(t)
	r := mkrepo(t)
	k.clearsign(t, r.dist, nil, k.good)
	root := aptConfig(t, map[string]string{"sources.list": fmt.Sprintf("deb file:%s smc main\n", r.root)})
	copyFile(t, k.export(t, "other.gpg", k.other), filepath.Join(root, "etc/apt/trusted.gpg.d/other.gpg"))
	copyFile(t, k.export(t, "good.asc", k.good), filepath.Join(root, "etc/apt/trusted.gpg.d/good.asc"))
	if ok, out := aptUpdate(t, root); !ok {
		t.Fatalf("the oracle refuses:\n%s", out)
	}
	verifyHost(t, root)
}

// verifyHost verifies the one source of root's configuration from the
// repository's own files (not apt's lists).
func verifyHost(t *testing.T, root string) *Release {
	t.Helper()
	h, err := ReadHost(root)
	if err != nil || len(h.Sources) != 1 {
		t.Fatalf("ReadHost: %+v, %v", h, err)
	}
	s := h.Sources[0]
	kr, err := s.Keyring(root)
	if err != nil {
		t.Fatal(err)
	}
	rel, err := (&Verifier{Source: s, Keyring: kr}).InRelease(strings.TrimPrefix(s.URL(s.InReleasePath()), "file:"))
	if err != nil {
		t.Fatal(err)
	}
	return rel
}

// TestConflictingDistribution: a Release whose Suite and Codename are not
// the suite asked for is used with a warning, as apt warns; the codename
// is as good as the suite.
func TestConflictingDistribution(t *testing.T) {
	k := gpgKeys(t)
	r := mkrepo(t)
	in := k.clearsign(t, r.dist, nil, k.good)
	for suite, warn := range map[string]bool{"smc": false, "smc-code": false, "smc/updates": false, "stable": true} {
		v := verifier(t, goodLine(t, k, r))
		v.Source.Suite = suite
		rel, err := v.InRelease(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := len(rel.Warnings) == 1 && strings.Contains(rel.Warnings[0], "conflicting distribution: expected "+suite); got != warn {
			t.Errorf("suite %s: warnings %q, want a conflicting distribution: %v", suite, rel.Warnings, warn)
		}
	}
}
