package pacman

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
	"github.com/supermin-compile/supermin-compile/resolver"
)

const testDesc = "%NAME%\nsmc-app\n\n%VERSION%\n1:2.0-3\n\n%URL%\n\n\n%ARCH%\nx86_64\n\n%DEPENDS%\nsmc-base>=1.0\nsmc-tool\n\n%PROVIDES%\nsmc=2\n"

// FuzzMetadata: any desc or .PKGINFO parses or fails, never panics, and a
// package kept has a name, a version, an architecture and relations the
// resolver can walk.
func FuzzMetadata(f *testing.F) {
	f.Add([]byte(testDesc), false)
	f.Add([]byte("pkgname = a\npkgver = 1-1\narch = any\ndepend = b>=\nprovides = =\nconflict = <\n"), true)
	f.Add([]byte("%NAME%\n%VERSION%\n"), false)
	f.Fuzz(func(t *testing.T, data []byte, pkginfo bool) {
		read := readDesc
		if pkginfo {
			read = readPkginfo
		}
		m, err := read(bytes.NewReader(data))
		if err != nil {
			return
		}
		if m.pkg.Name == "" || m.pkg.Version == "" || m.pkg.Arch == "" {
			t.Fatalf("package %+v kept from %q", m.pkg, data)
		}
		s := newSet("x86_64")
		s.add(m)
		d := s.Dialect()
		rels, _ := d.Relations(&m.pkg)
		for _, r := range rels {
			for _, a := range r.Alts {
				d.Satisfies(a.Op, a.Version, m.pkg.Version)
			}
		}
		s.CheckConflicts(&resolver.Result{Packages: []*resolver.Package{&m.pkg}})
	})
}

// FuzzCompare: Compare is an order, whatever the bytes: antisymmetric,
// and 0 for a version and itself.
func FuzzCompare(f *testing.F) {
	f.Add("1:2.0-3", "2.0")
	f.Add("1.0a", "1.0.0")
	f.Add("", "-")
	f.Fuzz(func(t *testing.T, a, b string) {
		if Compare(a, a) != 0 || Compare(a, b) != -Compare(b, a) {
			t.Fatalf("Compare(%q, %q) = %d, reversed %d", a, b, Compare(a, b), Compare(b, a))
		}
	})
}

// FuzzPackageFile: a package file of any bytes opens and lists or fails
// with an error naming it, never panics, within bounded memory.
func FuzzPackageFile(f *testing.F) {
	pkgs, _, _ := fixtures(f)
	for _, n := range []string{"smc-base", "smc-vreq"} {
		m, _ := filepath.Glob(filepath.Join(pkgs, n+"-[0-9]*"))
		data, err := os.ReadFile(m[0])
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		file := filepath.Join(dir, "fuzz-1-1-any.pkg.tar.zst")
		if err := os.WriteFile(file, data, 0o644); err != nil {
			t.Fatal(err)
		}
		check := testtool.AllocsUnder(t, 512<<20)
		d, err := OpenFiles([]string{file}, "x86_64")
		if err == nil {
			_, err = d.Entries(d.Packages()[0])
			d.Close()
		}
		if err != nil && !strings.Contains(err.Error(), file) {
			t.Fatalf("error does not name the file: %v", err)
		}
		check()
	})
}
