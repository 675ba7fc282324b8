package deb

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
	"github.com/supermin-compile/supermin-compile/resolver"
)

// TestFetchedLocate: each package of two repositories is located in its
// own, with its index's Release, and the file its Filename names there
// has the SHA256 (sha256sum) and size that Locate gives: what a lock file
// records so that build --locked fetches the same bytes.
func TestFetchedLocate(t *testing.T) {
	debs := mkdebs(t)
	var indexes []FetchedIndex
	for i, glob := range []string{"smc-test_*.deb", "smc-[bgn]*.deb"} {
		repo := t.TempDir()
		pool := filepath.Join(repo, "pool/main")
		matches, _ := filepath.Glob(filepath.Join(debs, glob))
		for _, m := range matches {
			data, err := os.ReadFile(m)
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(pool, filepath.Base(m)), string(data))
		}
		index := writeFile(t, filepath.Join(repo, "Packages"), scanPackages(t, pool, "pool/main/"))
		indexes = append(indexes, FetchedIndex{Path: index, Repository: "file://" + repo, Release: fmt.Sprintf("sha256:%064d", i)})
	}
	local := func(i int, filename, _ string, _ int64) (string, error) {
		return filepath.Join(strings.TrimPrefix(indexes[i].Repository, "file://"), filename), nil
	}
	u, err := OpenFetched(indexes, local, "")
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	if len(u.Packages()) != 5 {
		t.Fatalf("%d packages, want the 5 of mkdebs.sh", len(u.Packages()))
	}
	for _, p := range u.Packages() {
		f, err := u.Locate(p)
		if err != nil {
			t.Fatal(err)
		}
		want := indexes[1]
		if p.Name == "smc-test" {
			want = indexes[0]
		}
		if f.Repository != want.Repository || f.Release != want.Release {
			t.Errorf("%s %s: in %s (Release %s), want %s (%s)", p.Name, p.Version, f.Repository, f.Release, want.Repository, want.Release)
		}
		file := strings.TrimPrefix(f.URL(), "file://")
		fi, err := os.Stat(file)
		if err != nil {
			t.Fatalf("%s %s: %v", p.Name, p.Version, err)
		}
		sum := strings.Fields(string(testtool.Output(t, nil, "sha256sum", file)))[0]
		if f.SHA256 != sum || f.Size != fi.Size() {
			t.Errorf("%s: sha256 %s, %d bytes; sha256sum says %s, stat %d", file, f.SHA256, f.Size, sum, fi.Size())
		}
	}
	if _, err := u.Locate(&resolver.Package{Name: "smc-test", Version: "1.0-1"}); err == nil {
		t.Error("Locate of a package that is not from the universe did not fail")
	}
}
