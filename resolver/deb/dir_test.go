package deb

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
	"github.com/supermin-compile/supermin-compile/plan"
	"github.com/supermin-compile/supermin-compile/resolver"
)

func TestOpenDirFixtures(t *testing.T) {
	dir := mkdebs(t)
	// A nested copy under another name: OpenDir recurses, and the same
	// package twice counts once.
	sub := filepath.Join(dir, "sub", "dir")
	os.MkdirAll(sub, 0o755)
	data, _ := os.ReadFile(filepath.Join(dir, "smc-gz_1.0_all.deb"))
	os.WriteFile(filepath.Join(sub, "copy.deb"), data, 0o644)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not a package"), 0o644)

	u := openDir(t, dir)
	arch, _ := hostArch()
	var got []string
	for _, p := range u.Packages() {
		got = append(got, p.Name+" "+p.Version+" "+p.Arch)
	}
	want := []string{"smc-bz2 1.0 all", "smc-gz 1.0 all", "smc-none 1.0 all",
		"smc-test 1.0-1 " + arch, "smc-test 2.0-1 " + arch}
	if !slices.Equal(got, want) {
		t.Errorf("packages:\n got  %q\n want %q", got, want)
	}
	p := find(t, u, "smc-test", "2.0-1")
	// In path order, the names are smc-bz2, its Conflicts smc-virtual,
	// smc-gz, then its Depends smc-test: apt would give it ID 4.
	wantPkg := resolver.Package{Name: "smc-test", Version: "2.0-1", Arch: arch, MultiArch: "foreign",
		Depends: "libc6 (>= 2.17), base-files", Provides: "smc-virtual (= 2.0-1)", FirstNamed: 4}
	if *p != wantPkg {
		t.Errorf("smc-test:\n got  %+v\n want %+v", *p, wantPkg)
	}
	if got := u.EssentialNames(); !slices.Equal(got, []string{"smc-bz2"}) {
		t.Errorf("EssentialNames = %q", got)
	}
	if m := u.AbsentArchives(u.Packages()); len(m) != 0 {
		t.Errorf("AbsentArchives = %q", m)
	}
}

// TestResolveHighestVersion: two versions of smc-test in one directory;
// the resolver takes the highest, also for a versioned dependency.
func TestResolveHighestVersion(t *testing.T) {
	u := openDir(t, mkdebs(t))
	for _, req := range [][]string{{"smc-test"}, {"smc-gz"}, {"smc-virtual"}} {
		res, err := resolver.Resolve(u, resolver.Request{Packages: req})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range res.Packages {
			if p.Name == "smc-test" && p.Version != "2.0-1" {
				t.Errorf("%v: chose smc-test %s", req, p.Version)
			}
		}
		if !slices.Contains(names(res.Packages), "smc-test") {
			t.Errorf("%v: no smc-test in %q", req, names(res.Packages))
		}
	}
}

func TestFilesConffiles(t *testing.T) {
	u := openDir(t, mkdebs(t))
	files, err := u.Files(find(t, u, "smc-test", "1.0-1"))
	if err != nil {
		t.Fatal(err)
	}
	var conf []string
	for _, f := range files {
		if f.Conffile {
			conf = append(conf, f.Path)
		}
		if f.HostPath != "" || f.Path == "/" || !strings.HasPrefix(f.Path, "/") {
			t.Errorf("file %+v", f)
		}
	}
	if !slices.Equal(conf, []string{"/etc/smc-test/smc.conf"}) {
		t.Errorf("conffiles %q", conf)
	}
}

// TestFixtureEntries checks every fixture .deb, made by dpkg-deb, ar and
// tar, against dpkg-deb's listing and extraction.
func TestFixtureEntries(t *testing.T) {
	dir := mkdebs(t)
	debs, _ := filepath.Glob(filepath.Join(dir, "*.deb"))
	checkDebs(t, debs)
	if os.Getuid() == 0 {
		// Root built the special files and the foreign owner: make sure
		// they are really there, not just equal on both sides.
		u := openDir(t, dir)
		entries, err := u.Entries(find(t, u, "smc-test", "2.0-1"))
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"/dev/smc-null": "chardev", "/dev/smc-loop": "blockdev", "/dev/smc-fifo": "fifo",
			"/usr/share/smc-test/hard2": "hardlink", "/usr/bin/smc-link": "symlink", "/tmp": "dir"}
		for _, e := range entries {
			if typ, ok := want[e.Path]; ok && e.Type.String() == typ {
				delete(want, e.Path)
			}
			if e.Path == "/usr/share/smc-test/owned" && (e.UID != 1234 || e.GID != 4321) {
				t.Errorf("owned: %d:%d", e.UID, e.GID)
			}
		}
		if len(want) > 0 {
			t.Errorf("special files not found: %v", want)
		}
	}
}

// TestRealEntries checks the downloaded Debian packages the same way.
func TestRealEntries(t *testing.T) {
	checkDebs(t, fetchDebs(t, realPackages...))
}

func checkDebs(t *testing.T, debs []string) {
	testtool.Need(t, "dpkg-deb", "tar")
	for _, deb := range debs {
		t.Run(filepath.Base(deb), func(t *testing.T) {
			u := openDir(t, filepath.Dir(deb))
			p := pkgOfFile(t, u, deb)
			entries, err := u.Entries(p)
			if err != nil {
				t.Fatal(err)
			}
			if diff := testtool.LineDiff(dpkgListing(t, deb), ourListing(entries)); diff != "" {
				t.Errorf("listing differs from dpkg-deb -c (- dpkg, + ours):\n%s", diff)
			}
			// Listing kept every file: reading them decompresses nothing.
			before := u.cache.Starts()
			checkContents(t, deb, entries)
			if n := u.cache.Starts() - before; n != 0 {
				t.Errorf("reading the files started %d decompressions, want 0", n)
			}
		})
	}
}

func pkgOfFile(t *testing.T, u *Universe, deb string) *resolver.Package {
	for _, p := range u.Packages() {
		if d, _ := u.deb(p); d.path == deb {
			return p
		}
	}
	t.Fatalf("%s: not opened", deb)
	return nil
}

// TestReadOrders reads members out of order and from two goroutines at
// once, as formats do, and checks every byte against a sequential read.
func TestReadOrders(t *testing.T) {
	dir := mkdebs(t)
	u := openDir(t, dir)
	var all []plan.Entry
	for _, p := range u.Packages() {
		entries, err := u.Entries(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.Src != nil {
				all = append(all, e)
			}
		}
	}
	want := map[string]string{}
	for _, e := range all {
		want[e.Src.String()] = sourceSHA256(t, e)
	}
	reversed := slices.Clone(all)
	slices.Reverse(reversed)
	for _, e := range reversed {
		if got := sourceSHA256(t, e); got != want[e.Src.String()] {
			t.Errorf("reverse order: %s differs", e.Src)
		}
	}
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(all); i += 2 {
				if got, err := hashSource(all[i]); err != nil || got != want[all[i].Src.String()] {
					t.Errorf("two readers: %s differs (%v)", all[i].Src, err)
				}
			}
		}()
	}
	wg.Wait()
	// A reader closed half-way does not disturb the next read, and two
	// members of one archive can be open at once.
	var large []plan.Entry
	for _, x := range all {
		if x.Size > 1<<10 {
			large = append(large, x)
		}
	}
	r, _ := large[0].Src.Open()
	r.Read(make([]byte, 1))
	if got := sourceSHA256(t, large[len(large)-1]); got != want[large[len(large)-1].Src.String()] {
		t.Errorf("while another member is open: %s differs", large[len(large)-1].Src)
	}
	r.Close()
	if got := sourceSHA256(t, large[0]); got != want[large[0].Src.String()] {
		t.Errorf("after a partial read: %s differs", large[0].Src)
	}
	if n := u.cache.Starts(); n != 0 {
		t.Errorf("%d decompressions after listing, want 0", n)
	}
}
