package rpm

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/decompress"
	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// TestPrimaryMatchesHeaders: createrepo_c's primary.xml (in each of its
// compressions) of the fixtures and the test packages gives each package
// the name, version, arch, licence and dependency lists of its header;
// requires may lack what createrepo_c leaves out (rpmlib() features,
// what the package provides itself, older libc.so.6 versions), never
// hold more. primary.xml's files are the header's, those under /etc or
// a bin directory at least.
func TestPrimaryMatchesHeaders(t *testing.T) {
	for _, dir := range []string{mkrpms(t), testtool.Fixture(t, "rpm/packages")} {
		for _, compress := range []string{"gz", "xz", "bz2"} {
			meta := createrepo(t, dir, "--general-compress-type="+compress)
			rec, _ := readRepomd(t, meta).Record("primary")
			n := 0
			readPrimaryFile(t, filepath.Join(meta, rec.Href), func(p *primaryPackage) {
				n++
				h, _, err := readFileMeta(filepath.Join(dir, p.file.Href))
				if err != nil {
					t.Fatal(err)
				}
				comparePrimary(t, p, h)
			})
			if n < 13 {
				t.Errorf("%s, %s: only %d packages", dir, compress, n)
			}
		}
	}
}

func readPrimaryFile(t *testing.T, path string, each func(*primaryPackage)) {
	t.Helper()
	z, err := decompress.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	err = readPrimary(z, path, func(p *primaryPackage) error { each(p); return nil })
	if err != nil {
		t.Fatal(err)
	}
}

func comparePrimary(t *testing.T, p *primaryPackage, h *meta) {
	t.Helper()
	name := p.file.Href
	arch := h.pkg.Arch
	if strings.HasSuffix(name, ".src.rpm") {
		arch = "src" // a source package's header names the arch it was built on
	}
	if p.pkg.Name != h.pkg.Name || Compare(ParseEVR(p.pkg.Version), ParseEVR(h.pkg.Version)) != 0 || p.pkg.Arch != arch {
		t.Errorf("%s: primary.xml says %s %s %s, the header %s %s %s", name, p.pkg.Name, p.pkg.Version, p.pkg.Arch, h.pkg.Name, h.pkg.Version, h.pkg.Arch)
	}
	if p.license != h.license {
		t.Errorf("%s: licence %q, the header's %q", name, p.license, h.license)
	}
	for _, l := range []struct {
		what    string
		primary []capability
		header  []capability
	}{{"provides", p.provides, h.provides}, {"conflicts", p.conflicts, h.conflicts}, {"obsoletes", p.obsoletes, h.obsoletes},
		{"recommends", p.recommends, h.recommends}, {"suggests", p.suggests, h.suggests}} {
		if diff := testtool.LineDiff(capStrings(l.header), capStrings(l.primary)); diff != "" {
			t.Errorf("%s: %s differ (- header, + primary.xml):\n%s", name, l.what, diff)
		}
	}
	header := capStrings(h.requires)
	for _, r := range capStrings(p.requires) {
		if !slices.Contains(header, r) {
			t.Errorf("%s: primary.xml requires %q, the header does not", name, r)
		}
	}
	var paths []string
	for _, f := range h.files {
		paths = append(paths, f.path)
	}
	for _, f := range p.files {
		if !slices.Contains(paths, f.path) {
			t.Errorf("%s: primary.xml lists %s, the header does not", name, f.path)
		}
	}
	for _, f := range h.files {
		if filepath.Dir(f.path) == "/usr/bin" && f.mode&0o170000 != 0o040000 && !slices.ContainsFunc(p.files, func(pf file) bool { return pf.path == f.path }) {
			t.Errorf("%s: primary.xml does not list %s", name, f.path)
		}
	}
}

func capStrings(cs []capability) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.String())
	}
	return out
}

// TestPrimaryZstd: a primary.xml compressed with zstd (Fedora's since
// 2023; Debian's createrepo_c cannot write it) reads as its gzip original.
func TestPrimaryZstd(t *testing.T) {
	testtool.Need(t, "zstd")
	dir := testtool.Fixture(t, baseOS)
	rec, _ := readRepomd(t, dir).Record("primary")
	gz := filepath.Join(dir, rec.Href)
	zst := filepath.Join(t.TempDir(), "primary.xml.zst")
	testtool.Output(t, nil, "sh", "-c", `gzip -dc "$1" | zstd -q -19 -o "$2"`, "sh", gz, zst)
	var a, b []string
	readPrimaryFile(t, gz, func(p *primaryPackage) { a = append(a, p.pkg.Name+" "+p.pkg.Version+" "+p.file.Checksum.Value) })
	readPrimaryFile(t, zst, func(p *primaryPackage) { b = append(b, p.pkg.Name+" "+p.pkg.Version+" "+p.file.Checksum.Value) })
	if len(a) != 1125 || !slices.Equal(a, b) {
		t.Errorf("gzip: %d packages, zstd: %d (or different ones); repomd.xml says 1125", len(a), len(b))
	}
}
