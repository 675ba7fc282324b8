package apt

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// fuzzAlloc bounds what one input may allocate: the parsers hold a few
// copies of an input, never more.
const fuzzAlloc = 64 << 20

// checkSources asserts what every parsed source must be.
func checkSources(t *testing.T, sources []Source, name string, data []byte) {
	for _, s := range sources {
		if err := s.check(); err != nil || !strings.HasPrefix(s.Origin, name+":") {
			t.Fatalf("source %+v from %q: %v", s, data, err)
		}
		if strings.HasSuffix(s.URI, "/") || strings.ContainsAny(s.Suite+strings.Join(s.Components, ""), " \t\n") {
			t.Fatalf("source %+v from %q: URI with a trailing / or a field with white space", s, data)
		}
	}
}

// FuzzParseList: any bytes parse or fail with an error, never panic, and
// every source parsed is one apt would accept.
func FuzzParseList(f *testing.F) {
	f.Add([]byte(testConfig["sources.list"]))
	f.Add([]byte("deb [ arch=amd64 # x ] http://h/ s main\ndeb [a=b]http://h/ ./\n"))
	f.Add([]byte("deb [signed-by=/k,0123456789ABCDEF0123456789ABCDEF01234567!] file:/r s c"))
	f.Fuzz(func(t *testing.T, data []byte) {
		defer testtool.AllocsUnder(t, fuzzAlloc)()
		sources, err := ParseList(bytes.NewReader(data), "f.list")
		if err == nil {
			checkSources(t, sources, "f.list", data)
		}
	})
}

// FuzzParseSources: likewise for deb822 .sources files.
func FuzzParseSources(f *testing.F) {
	f.Add([]byte(testConfig["sources.list.d/x.sources"]))
	f.Add([]byte("Types: deb\nURIs: a:b\nSuites: s/\nEnabled: yes\nTrusted: no\nBy-Hash: force\n\n\n#x\nTypes: deb-src\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		defer testtool.AllocsUnder(t, fuzzAlloc)()
		sources, err := ParseSources(bytes.NewReader(data), "f.sources")
		if err == nil {
			checkSources(t, sources, "f.sources", data)
		}
	})
}

var releaseSeed = `Origin: Debian
Suite: oldstable
Codename: bookworm
Date: Sat, 11 Jul 2026 10:16:37 UTC
Valid-Until: Sat, 18 Jul 2026 10:16:37 +0000
Acquire-By-Hash: yes
No-Support-for-Architecture-all: Packages
Architectures: all amd64
Components: main contrib
MD5Sum:
 0ed6d4c8891eb86358b94bb35d9e4da4  1484322 contrib/Contents-all
SHA256:
 a9f82656420a291c0353c8bc3dde7dc0589e0a27546efde736b7fe887ba32300  2539062 main/binary-amd64/Packages
 0320b58c17c58ffa9ffc0583b924bb5be7c086da8c630428d5587d563a66972f   380972 main/binary-amd64/Packages.xz
`

// FuzzParseRelease: any bytes parse or fail with an error; what parses
// has well-formed hashes and sizes, and its indexes are found or refused
// with an *Error.
func FuzzParseRelease(f *testing.F) {
	f.Add([]byte(releaseSeed))
	f.Add([]byte("SHA256:\n"))
	f.Add([]byte("Date: Sun, 6 Nov 1994 08:49:37 GMT\nSHA256:\n " + strings.Repeat("0", 64) + " 0 Packages\n\nSHA256: x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		defer testtool.AllocsUnder(t, fuzzAlloc)()
		r, err := ParseRelease(data, "Release")
		if err != nil {
			return
		}
		for name, fh := range r.Files {
			if !isSHA256(fh.SHA256) || fh.Size < 0 || name == "" {
				t.Fatalf("entry %q %+v from %q", name, fh, data)
			}
		}
		r.Source = Source{URI: "http://h", Suite: "s", Components: []string{"main"}}
		ixs, _ := r.Indexes([]string{"amd64"})
		for _, ix := range ixs {
			if r.Files[ix.Name] != ix.FileHash || !strings.HasPrefix(ix.Path, "dists/s/main/binary-") {
				t.Fatalf("index %+v from %q", ix, data)
			}
		}
	})
}

// FuzzInRelease: any bytes as an InRelease are refused with an *Error or,
// if accepted, were one clearsigned message and nothing else. The keyring
// is the inline key of testConfig, so signature packets are parsed and
// matched, never a panic.
func FuzzInRelease(f *testing.F) {
	if data, err := os.ReadFile("/var/lib/apt/lists/deb.debian.org_debian_dists_bookworm-updates_InRelease"); err == nil {
		f.Add(data)
	}
	f.Add([]byte(beginSigned + "\nHash: SHA256\n\n" + releaseSeed + "- -dashed\n" + beginSignature + "\n\nwsEcBAEBCAAQBQJg\n=abcd\n" + endSignature + "\n"))
	f.Add([]byte(beginSigned + "\n\nSHA256:\n" + beginSignature + "\n" + endSignature + "\n\n"))
	dir := f.TempDir()
	kr := &Keyring{Files: []string{"inline"}}
	if err := kr.add(strings.NewReader(inlineKey(strings.SplitN(testConfig["sources.list.d/x.sources"], "Signed-By:", 2)[1])), "inline"); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		defer testtool.AllocsUnder(t, fuzzAlloc+8*uint64(len(data)))()
		file := filepath.Join(dir, "InRelease")
		if err := os.WriteFile(file, data, 0o644); err != nil {
			t.Fatal(err)
		}
		v := &Verifier{Source: Source{URI: "http://h", Suite: "s", Components: []string{"main"}, CheckDate: true, CheckValidUntil: true}, Keyring: kr}
		r, err := v.InRelease(file)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("%T %v", err, err)
			}
			return
		}
		if !bytes.HasPrefix(data, []byte(beginSigned)) || !bytes.HasSuffix(bytes.TrimRight(data, "\r\n"), []byte(endSignature)) || len(r.SignedBy) == 0 {
			t.Fatalf("accepted %q", data)
		}
	})
}
