package rpm

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
	"github.com/supermin-compile/supermin-compile/resolver"
)

// createrepo runs createrepo_c over the packages under pkgDir and returns
// the directory that holds its repodata/.
func createrepo(t testing.TB, pkgDir string, args ...string) string {
	t.Helper()
	testtool.Need(t, "createrepo_c")
	out := t.TempDir()
	testtool.Output(t, nil, "createrepo_c", slices.Concat([]string{"--no-database", "--outputdir", out}, args, []string{pkgDir})...)
	return out
}

// readRepomd parses dir/repodata/repomd.xml.
func readRepomd(t testing.TB, dir string) *Repomd {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "repodata", "repomd.xml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := ParseRepomd(f, f.Name())
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// localRepo is what a fetcher hands over for the repository whose
// metadata is under metaDir: primary.xml and filelists.xml verified
// against repomd.xml, and a Fetch that gets packages from fetch.
func localRepo(t testing.TB, name, metaDir string, fetch func(PackageFile) (string, error)) Repo {
	t.Helper()
	m := readRepomd(t, metaDir)
	verified := func(typ string) (string, error) {
		rec, ok := m.Record(typ)
		if !ok {
			return "", fmt.Errorf("%s: no %s in repomd.xml", metaDir, typ)
		}
		p := filepath.Join(metaDir, rec.Href)
		return p, rec.Verify(p)
	}
	primary, err := verified("primary")
	if err != nil {
		t.Fatal(err)
	}
	r := Repo{Name: name, Primary: primary, Fetch: fetch, Filelists: func() (string, error) { return verified("filelists") }}
	if _, ok := m.Record("modules"); ok {
		if r.Modules, err = verified("modules"); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// fromDir fetches packages from a local directory, as file:// would.
func fromDir(dir string) func(PackageFile) (string, error) {
	return func(f PackageFile) (string, error) { return filepath.Join(dir, f.Href), nil }
}

// TestReposTestPackages: createrepo_c's repository of the rpmbuild-made
// packages resolves as the directory does (the same dialect), a file
// require that only filelists.xml meets included, and filelists.xml is
// read only then.
func TestReposTestPackages(t *testing.T) {
	pkgs := mkrpms(t)
	repo := localRepo(t, "smc", createrepo(t, pkgs), fromDir(pkgs))
	var filelists atomic.Int32
	load := repo.Filelists
	repo.Filelists = func() (string, error) { filelists.Add(1); return load() }
	u, err := OpenRepos([]Repo{repo}, "x86_64")
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	if filelists.Load() != 1 {
		t.Errorf("filelists.xml read %d times, want once (smc-filereq requires /usr/lib/smc/empty)", filelists.Load())
	}
	d, err := OpenDir(pkgs, "x86_64")
	if err != nil {
		t.Fatal(err)
	}
	for _, req := range [][]string{{"smc-app"}, {"smc-filereq"}, {"smc-tilde"}, {"smc-with=1.0"}, {"smc-unsat"}} {
		want, err := resolver.Resolve(d, resolver.Request{Packages: req})
		if err != nil {
			t.Fatal(err)
		}
		got, err := resolver.Resolve(u, resolver.Request{Packages: req})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(names(got), names(want)) || !slices.Equal(got.Warnings, want.Warnings) {
			t.Errorf("%v: repository gives %v %q, directory %v %q", req, names(got), got.Warnings, names(want), want.Warnings)
		}
	}
	r, err := resolver.Resolve(u, resolver.Request{Packages: []string{"smc-filereq"}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(names(r), "smc-base-1.0-1") {
		t.Errorf("smc-filereq's file require did not pull smc-base: %v %v", names(r), r.Warnings)
	}
}

// TestReposNoFilelistsWhenPrimarySuffices: when primary.xml's files meet
// every file require, filelists.xml is never asked for.
func TestReposNoFilelistsWhenPrimarySuffices(t *testing.T) {
	pkgs := mkrpms(t)
	os.Remove(filepath.Join(pkgs, "smc-filereq-1.0-1.noarch.rpm"))
	repo := localRepo(t, "smc", createrepo(t, pkgs), fromDir(pkgs))
	repo.Filelists = func() (string, error) {
		t.Error("filelists.xml was read, but primary.xml meets every file require")
		return "", io.EOF
	}
	u, err := OpenRepos([]Repo{repo}, "x86_64")
	if err != nil {
		t.Fatal(err)
	}
	u.Close()
}

// TestReposFileListsMatchRpm: every package of createrepo_c's repository
// of the fixtures and the test packages, fetched over HTTP from
// 127.0.0.1, lists the files `rpm -qplv` lists. (createrepo_c leaves out
// xtables-addons-kmp-default, whose metadata holds control characters
// XML cannot carry.)
func TestReposFileListsMatchRpm(t *testing.T) {
	testtool.Need(t, "rpm")
	for _, dir := range []string{mkrpms(t), testtool.Fixture(t, "rpm/packages")} {
		srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
		defer srv.Close()
		u, err := OpenRepos([]Repo{localRepo(t, "fix", createrepo(t, dir), httpFetch(t, srv.URL))}, "x86_64")
		if err != nil {
			t.Fatal(err)
		}
		defer u.Close()
		checked := 0
		for _, p := range u.Packages() {
			_, loc := u.Location(p)
			t.Run(filepath.Base(loc.Href), func(t *testing.T) {
				files, err := u.Files(p)
				if err != nil {
					t.Fatal(err)
				}
				a, _ := u.archive(p)
				want := rpmQplv(t, filepath.Join(dir, loc.Href))
				var got []string
				for _, f := range a.pkg.files {
					got = append(got, lsFields(f))
				}
				if diff := testtool.LineDiff(want, got); diff != "" {
					t.Errorf("file list differs from rpm -qplv (- rpm, + ours):\n%s", diff)
				}
				if len(files) != len(got)-ghosts(a.pkg.files) {
					t.Errorf("Files lists %d paths, the header %d that are not %%ghost", len(files), len(got)-ghosts(a.pkg.files))
				}
			})
			checked++
		}
		if checked < 10 {
			t.Errorf("%s: only %d packages in createrepo_c's repository", dir, checked)
		}
	}
}

func ghosts(files []file) int {
	n := 0
	for _, f := range files {
		if f.flags&fileGhost != 0 {
			n++
		}
	}
	return n
}

// httpFetch downloads a package from base into a new file, as the fetcher
// does; it does not check it, so that Repos must.
func httpFetch(t testing.TB, base string) func(PackageFile) (string, error) {
	dir := t.TempDir()
	return func(f PackageFile) (string, error) {
		resp, err := http.Get(base + "/" + f.Href)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		sub, err := os.MkdirTemp(dir, "")
		if err != nil {
			return "", err
		}
		out, err := os.Create(filepath.Join(sub, path.Base(f.Href)))
		if err != nil {
			return "", err
		}
		defer out.Close()
		_, err = io.Copy(out, resp.Body)
		return out.Name(), err
	}
}

// TestReposEntriesMatchDir: a package's entries, through the repository,
// are those of the same .rpm in a directory (which TestPayloadBytesMatchCpio
// checks against cpio), bytes included; owners come from smc-setup's
// /etc/passwd, fetched for the purpose.
func TestReposEntriesMatchDir(t *testing.T) {
	pkgs := mkrpms(t)
	u, err := OpenRepos([]Repo{localRepo(t, "smc", createrepo(t, pkgs), fromDir(pkgs))}, "x86_64")
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	d, err := OpenDir(pkgs, "x86_64")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for _, p := range u.Packages() {
		_, loc := u.Location(p)
		var q *resolver.Package
		for _, dp := range d.Packages() {
			if filepath.Base(d.Path(dp)) == loc.Href {
				q = dp
			}
		}
		got, err := u.Entries(p)
		if err != nil {
			t.Fatal(err)
		}
		want, err := d.Entries(q)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("%s: %d entries, the directory gives %d", loc.Href, len(got), len(want))
		}
		for i := range got {
			g, w := got[i], want[i]
			if string(readSource(t, g)) != string(readSource(t, w)) {
				t.Errorf("%s: %s: other bytes than the directory's", loc.Href, g.Path)
			}
			g.Src, w.Src = nil, nil
			if !reflect.DeepEqual(g, w) {
				t.Errorf("%s: entry %+v, the directory gives %+v", loc.Href, g, w)
			}
		}
	}
}

// TestReposRefuseTamperedPackage: an .rpm with one byte changed, or cut
// short, is refused before it is read, naming the href and both
// checksums (or sizes); AbsentArchives names every such package at once.
func TestReposRefuseTamperedPackage(t *testing.T) {
	pkgs := mkrpms(t)
	meta := createrepo(t, pkgs)
	flip := filepath.Join(pkgs, "smc-base-1.0-1.x86_64.rpm")
	b, err := os.ReadFile(flip)
	if err != nil {
		t.Fatal(err)
	}
	wantSum := sha256Hex(b)
	b[len(b)-100] ^= 1
	os.WriteFile(flip, b, 0o644)
	gotSum := sha256Hex(b)
	cut := filepath.Join(pkgs, "smc-setup-1.0-1.noarch.rpm")
	c, _ := os.ReadFile(cut)
	os.WriteFile(cut, c[:len(c)-1], 0o644)

	srv := httptest.NewServer(http.FileServer(http.Dir(pkgs)))
	defer srv.Close()
	u, err := OpenRepos([]Repo{localRepo(t, "smc", meta, httpFetch(t, srv.URL))}, "x86_64")
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	var base *resolver.Package
	for _, p := range u.Packages() {
		if p.Name == "smc-base" {
			base = p
		}
	}
	_, err = u.Entries(base)
	for _, want := range []string{"repository smc", "smc-base-1.0-1.x86_64.rpm", "sha256 is " + gotSum, "want " + wantSum} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("tampered smc-base: error %v, want it to say %q", err, want)
		}
	}
	absent := u.AbsentArchives(u.Packages())
	if len(absent) != 2 || !strings.Contains(absent[0]+absent[1], "smc-setup-1.0-1.noarch.rpm") ||
		!strings.Contains(absent[0]+absent[1], fmt.Sprintf("%d bytes, want %d", len(c)-1, len(c))) {
		t.Errorf("AbsentArchives: %q, want smc-base and smc-setup (cut short)", absent)
	}
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
