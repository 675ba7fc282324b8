package deb

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// scanPackages writes a Packages index of the .debs in dir the way
// dpkg-scanpackages does, from dpkg-deb's and sha256sum's output: the
// control fields, then Filename (prefix + the file's name), Size and SHA256.
func scanPackages(t *testing.T, dir, prefix string) string {
	testtool.Need(t, "dpkg-deb", "sha256sum")
	debs, _ := filepath.Glob(filepath.Join(dir, "*.deb"))
	var b strings.Builder
	for _, deb := range debs {
		b.Write(testtool.Output(t, nil, "dpkg-deb", "-f", deb))
		fi, err := os.Stat(deb)
		if err != nil {
			t.Fatal(err)
		}
		sum := strings.Fields(string(testtool.Output(t, nil, "sha256sum", deb)))[0]
		fmt.Fprintf(&b, "Filename: %s%s\nSize: %d\nSHA256: %s\n\n", prefix, filepath.Base(deb), fi.Size(), sum)
	}
	return b.String()
}

func writeFile(t *testing.T, name, data string) string {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}

func openIndex(t *testing.T, indexes []string, pool string) *Universe {
	t.Helper()
	u, err := OpenIndex(indexes, pool, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { u.Close() })
	return u
}

// TestIndexCompressions: the same index, plain and compressed by the real
// tools, reads to the same packages as OpenDir reads from the archives.
func TestIndexCompressions(t *testing.T) {
	debs := mkdebs(t)
	want := openDir(t, debs).Packages()
	plain := writeFile(t, filepath.Join(t.TempDir(), "Packages"), scanPackages(t, debs, ""))
	files := []string{plain}
	for _, c := range [][]string{{"gzip", "-k"}, {"xz", "-k"}, {"bzip2", "-k"}, {"zstd", "-q"}, {"lz4", "-q", "-m"}} {
		testtool.Need(t, c[0])
		testtool.Output(t, nil, c[0], append(c[1:], plain)...)
	}
	for _, ext := range []string{".gz", ".xz", ".bz2", ".zst", ".lz4"} {
		// Named without the suffix: recognised by content, not name.
		os.Rename(plain+ext, plain+ext+".data")
		files = append(files, plain+ext+".data")
	}
	for _, f := range files {
		u := openIndex(t, []string{f}, debs)
		if len(u.Packages()) != len(want) {
			t.Fatalf("%s: %d packages, want %d", f, len(u.Packages()), len(want))
		}
		for i, p := range u.Packages() {
			if *p != *want[i] {
				t.Errorf("%s: package %d:\n got  %+v\n want %+v", filepath.Base(f), i, *p, *want[i])
			}
		}
	}
}

// TestPoolLayouts: a mirror (pool/...), the pool directory itself, and a
// flat directory as apt-get download fills it.
func TestPoolLayouts(t *testing.T) {
	debs := mkdebs(t)
	index := writeFile(t, filepath.Join(t.TempDir(), "Packages"), scanPackages(t, debs, "pool/main/s/smc/"))
	mirror := t.TempDir()
	for _, f := range must(filepath.Glob(filepath.Join(debs, "*.deb"))) {
		data, _ := os.ReadFile(f)
		writeFile(t, filepath.Join(mirror, "pool/main/s/smc", filepath.Base(f)), string(data))
	}
	for name, pool := range map[string]string{"mirror": mirror, "pool": filepath.Join(mirror, "pool"), "flat": debs} {
		u := openIndex(t, []string{index}, pool)
		if m := u.AbsentArchives(u.Packages()); len(m) > 0 {
			t.Errorf("%s: absent archives %q", name, m)
		}
		for _, p := range u.Packages() {
			entries, err := u.Entries(p)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if len(entries) < 4 {
				t.Errorf("%s: %s has %d entries", name, p.Name, len(entries))
			}
		}
		if d, err := u.Digest(u.Packages()[0]); err != nil || !strings.HasPrefix(d, "sha256:") || len(d) != 71 {
			t.Errorf("Digest = %q, %v", d, err)
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestPoolMismatch: a pool whose .debs are not what the index describes.
func TestPoolMismatch(t *testing.T) {
	debs := mkdebs(t)
	scan := scanPackages(t, debs, "")
	index := writeFile(t, filepath.Join(t.TempDir(), "Packages"), scan)
	pool := t.TempDir()
	gz, _ := os.ReadFile(filepath.Join(debs, "smc-gz_1.0_all.deb"))
	writeFile(t, filepath.Join(pool, "smc-none_1.0_all.deb"), string(gz)) // the wrong package
	u := openIndex(t, []string{index}, pool)
	absent := u.AbsentArchives(u.Packages())
	if len(absent) != 4 || absent[0] != "smc-bz2 1.0 (all): smc-bz2_1.0_all.deb in "+pool {
		t.Errorf("AbsentArchives = %q", absent)
	}
	_, err := u.Entries(find(t, u, "smc-none", ""))
	if err == nil || !strings.Contains(err.Error(), "smc-none_1.0_all.deb: ") || !strings.Contains(err.Error(), "the index says") {
		t.Errorf("wrong .deb: error %v", err)
	}
	_, err = u.Entries(find(t, u, "smc-bz2", ""))
	if err == nil || !strings.Contains(err.Error(), "no .deb for smc-bz2 1.0") {
		t.Errorf("missing .deb: error %v", err)
	}
	// Without Size and SHA256, the control data still catches it.
	var stripped []string
	for _, l := range strings.Split(scan, "\n") {
		if !strings.HasPrefix(l, "Size:") && !strings.HasPrefix(l, "SHA256:") {
			stripped = append(stripped, l)
		}
	}
	u = openIndex(t, []string{writeFile(t, filepath.Join(t.TempDir(), "Packages"), strings.Join(stripped, "\n"))}, pool)
	_, err = u.Entries(find(t, u, "smc-none", ""))
	if err == nil || !strings.Contains(err.Error(), "is smc-gz 1.0 (all), the index says smc-none 1.0 (all)") {
		t.Errorf("wrong .deb without checksums: error %v", err)
	}
}

func TestIndexErrors(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]string{
		"Package: a\nVersion: 1\nArchitecture: all\n\nPackage b\n":                     "Packages: line 5: malformed field",
		"Package: a\nVersion: 1\nArchitecture: all\n\nVersion: 1\nArchitecture: all\n": "Packages: line 5: paragraph without a Package field",
		"Package: a\nVersion: 1\nArchitecture: all\nFilename: ../../etc/passwd\n":      "line 1: Filename \"../../etc/passwd\" leaves the pool",
		"Package: a\nVersion: 1\nArchitecture: all\nSize: lots\n":                      "line 1: package a: invalid Size",
		"Package: a\nVersion: 1\nArchitecture: all\nPackage: b\n":                      "line 4: duplicate field Package",
		" continued\n":                                      "line 1: continuation line outside a field",
		"Package: a\nArchitecture: all\n":                   "package a has no Version",
		"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03garbage\n": "gzip",
	}
	for data, want := range cases {
		f := writeFile(t, filepath.Join(dir, "Packages"), data)
		_, err := OpenIndex([]string{f}, dir, "")
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), f) {
			t.Errorf("%q: error %v, want it to name the file and say %q", data, err, want)
		}
	}
	if _, err := OpenIndex(nil, dir, ""); err == nil {
		t.Error("no indexes: no error")
	}
	if _, err := OpenIndex([]string{filepath.Join(dir, "nope")}, dir, ""); err == nil {
		t.Error("absent index: no error")
	}
}

// TestEssentialNamesMatchApt: the Essential: yes packages of the host's
// indexes, as apt-cache dumpavail prints them.
func TestEssentialNamesMatchApt(t *testing.T) {
	testtool.Need(t, "apt-cache")
	u := openIndex(t, hostIndexes(t), t.TempDir())
	var want []string
	for _, para := range strings.Split(string(testtool.Output(t, nil, "apt-cache", "dumpavail")), "\n\n") {
		var name, arch string
		essential := false
		for _, l := range strings.Split(para, "\n") {
			k, v, _ := strings.Cut(l, ": ")
			switch k {
			case "Package":
				name = v
			case "Architecture":
				arch = v
			case "Essential":
				essential = v == "yes"
			}
		}
		if essential && (arch == u.NativeArch() || arch == "all") {
			want = append(want, name)
		}
	}
	slices.Sort(want)
	want = slices.Compact(want)
	if got := u.EssentialNames(); !slices.Equal(got, want) {
		t.Errorf("EssentialNames:\n got  %q\n want %q", got, want)
	}
}
