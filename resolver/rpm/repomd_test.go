package rpm

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
	"github.com/supermin-compile/supermin-compile/resolver"
)

// TestRepomdFixtures: the real repomd.xml files parse; every metadata file
// present verifies against its record, but AppStream's filelists.xml,
// whose contents osbuild replaced (editing checksum, not open-checksum):
// the error names it and gives the digest `gzip -dc | sha256sum` computes.
func TestRepomdFixtures(t *testing.T) {
	for _, c := range []struct {
		dir string
		bad string // the type whose file does not verify
	}{{baseOS, ""}, {appStream, "filelists"}} {
		dir := testtool.Fixture(t, c.dir)
		m := readRepomd(t, dir)
		want := strings.TrimSpace(string(testtool.Output(t, nil, "grep", "-c", "<data ", filepath.Join(dir, "repodata/repomd.xml"))))
		if fmt.Sprint(len(m.Records)) != want {
			t.Errorf("%s: %d records, grep -c '<data ' counts %s", c.dir, len(m.Records), want)
		}
		verified := 0
		for _, r := range m.Records {
			p := filepath.Join(dir, r.Href)
			if _, err := os.Stat(p); err != nil {
				continue // osbuild committed only some of the files
			}
			err := r.Verify(p)
			if r.Type != c.bad {
				if err != nil {
					t.Errorf("%s: %v", c.dir, err)
				}
				verified++
				continue
			}
			sum := strings.Fields(string(testtool.Output(t, nil, "sh", "-c", `gzip -dc "$1" | sha256sum`, "sh", p)))[0]
			if err == nil || !strings.Contains(err.Error(), r.Href+" (decompressed): sha256 is "+sum+", want "+r.OpenChecksum.Value) {
				t.Errorf("%s: %s: %v, want the decompressed digest %s", c.dir, r.Type, err, sum)
			}
		}
		if verified < 2 {
			t.Errorf("%s: only %d files verified", c.dir, verified)
		}
	}
}

// TestChecksumTypes: createrepo_c's repositories with every checksum type
// it writes verify, metadata and packages; lock digests stay sha256.
func TestChecksumTypes(t *testing.T) {
	pkgs := mkrpms(t)
	for _, typ := range []string{"md5", "sha1", "sha224", "sha256", "sha384", "sha512"} {
		meta := createrepo(t, pkgs, "--checksum="+typ)
		for _, r := range readRepomd(t, meta).Records {
			if r.Checksum.Type != typ {
				t.Errorf("%s: %s checksum is %s", typ, r.Type, r.Checksum.Type)
			}
			if err := r.Verify(filepath.Join(meta, r.Href)); err != nil {
				t.Errorf("%s: %v", typ, err)
			}
		}
		u, err := OpenRepos([]Repo{localRepo(t, "smc", meta, fromDir(pkgs))}, "x86_64")
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range u.Packages() {
			_, loc := u.Location(p)
			if loc.Checksum.Type != typ {
				t.Errorf("%s: %s's checksum is %s", typ, p.Name, loc.Checksum.Type)
			}
			got, err := u.Digest(p)
			if want, _ := fileDigest(filepath.Join(pkgs, loc.Href)); err != nil || got != want {
				t.Errorf("%s: %s: digest %s %v, want %s", typ, p.Name, got, err, want)
			}
		}
		if _, err := resolver.Resolve(u, resolver.Request{Packages: []string{"smc-app"}}); err != nil {
			t.Error(err)
		}
		u.Close()
	}
}

// TestRepomdRefuses: records that would lead the fetcher out of the
// repository, or that lack what verification needs, are refused with the
// file's name.
func TestRepomdRefuses(t *testing.T) {
	for _, c := range []struct{ data, want string }{
		{`<data type="primary"><location href="../../etc/passwd"/><checksum type="sha256">00</checksum></data>`, "leaves the repository"},
		{`<data type="primary"><location href="/etc/passwd"/><checksum type="sha256">00</checksum></data>`, "not a relative path"},
		{`<data type="primary"><location href="http://evil/x"/><checksum type="sha256">00</checksum></data>`, "not a relative path"},
		{`<data type="primary"><location href="repodata/p.xml"/></data>`, "no checksum"},
		{`<data type="primary"><location href="repodata/p.xml"/><checksum type="sha256">00</checksum><size>x</size></data>`, `size "x"`},
	} {
		_, err := ParseRepomd(strings.NewReader(`<repomd xmlns="http://linux.duke.edu/metadata/repo">`+c.data+`</repomd>`), "repomd.xml")
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "repomd.xml: ") {
			t.Errorf("%s: %v, want %q", c.data, err, c.want)
		}
	}
	r := Record{Href: "x", Checksum: Checksum{Type: "crc32", Value: "00000000"}}
	if err := r.Verify("repomd_test.go"); err == nil || !strings.Contains(err.Error(), `checksum type "crc32" is not supported`) {
		t.Errorf("crc32: %v", err)
	}
}
