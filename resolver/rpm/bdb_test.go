package rpm

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// Berkeley DB databases: the real RHEL 8 one, and ones made by Berkeley
// DB's own db5.3_load from the headers of the real rpm files in the
// shared fixtures. Debian's rpm reads them (its bdb_ro backend) and is
// the oracle for every package's NEVRA and file list.

const rhel8DB = "rpm/rpmdb/rhel8-libuuid/Packages"

// bdbDatabase writes rpm's Packages database to file with db5.3_load: the
// main headers of the rpm files, numbered from 1 and keyed in the byte
// order db_lorder gives, as rpm on such a machine writes them, and key 0
// holding the next number; opts are db5.3_load's -c options.
func bdbDatabase(t testing.TB, file string, rpms []string, opts ...string) {
	t.Helper()
	testtool.Need(t, "db5.3_load")
	var order binary.AppendByteOrder = binary.LittleEndian
	if slices.Contains(opts, "db_lorder=4321") {
		order = binary.BigEndian
	}
	var in bytes.Buffer
	in.WriteString("VERSION=3\nformat=bytevalue\ntype=hash\nHEADER=END\n")
	fmt.Fprintf(&in, " %x\n %x\n", order.AppendUint32(nil, 0), order.AppendUint32(nil, uint32(len(rpms)+1)))
	for i, f := range rpms {
		fmt.Fprintf(&in, " %x\n %x\n", order.AppendUint32(nil, uint32(i+1)), headerBlob(t, f))
	}
	in.WriteString("DATA=END\n")
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	args := []string{"-t", "hash"}
	for _, o := range opts {
		args = append(args, "-c", o)
	}
	cmd := exec.Command("db5.3_load", append(args, file)...)
	cmd.Stdin = &in
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("db5.3_load %v: %v\n%s", opts, err, out)
	}
}

// headerBlob is the main header of an rpm file as the database keeps it:
// without the header's 8-byte magic.
func headerBlob(t testing.TB, file string) []byte {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var raw bytes.Buffer
	if _, err := readHeaders(f, &raw); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return raw.Bytes()[8:]
}

// rpmBDB runs Debian's rpm on the Berkeley DB database in dir, read by
// its read-only backend.
func rpmBDB(t testing.TB, dir string, args ...string) []string {
	t.Helper()
	testtool.Need(t, "rpm")
	out := testtool.Output(t, nil, "rpm", append([]string{"--define", "_db_backend bdb_ro", "--dbpath", dir}, args...)...)
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	slices.Sort(lines)
	return lines
}

// compareWithRpm checks every package's NEVRA and the name, mode, owner,
// group and link target of every file of d against rpm on the database
// in dir.
func compareWithRpm(t *testing.T, d *DB, dir string) {
	t.Helper()
	want := rpmBDB(t, dir, "-qa", "--qf", "%{NAME}-%|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}.%{ARCH}\n")
	wantFiles := rpmBDB(t, dir, "-qa", "--qf",
		"[%{=NAME}-%{=VERSION}-%{=RELEASE}.%{=ARCH} %{FILENAMES} %{FILEMODES:perms} %{FILEUSERNAME} %{FILEGROUPNAME} %{FILELINKTOS}\n]")
	var got, gotFiles []string
	for _, p := range d.Packages() {
		got = append(got, p.Name+"-"+p.Version+"."+p.Arch)
		_, vr, _ := strings.Cut(p.Version, ":")
		if vr == "" {
			vr = p.Version
		}
		for _, f := range d.meta[p].files {
			gotFiles = append(gotFiles, fmt.Sprintf("%s-%s.%s %s %s %s %s %s", p.Name, vr, p.Arch, f.path, lsMode(f.mode), f.user, f.group, f.link))
		}
	}
	slices.Sort(got)
	slices.Sort(gotFiles)
	if len(got) == 0 {
		t.Fatal("no packages")
	}
	if diff := testtool.LineDiff(want, got); diff != "" {
		t.Errorf("packages differ from rpm -qa (- rpm, + ours):\n%s", diff)
	}
	if diff := testtool.LineDiff(wantFiles, gotFiles); diff != "" {
		t.Errorf("files differ from rpm -qa's (- rpm, + ours):\n%s", diff)
	}
	t.Logf("%d packages, %d files", len(got), len(gotFiles))
}

// TestBDBFixture reads the real RHEL 8 database (libuuid only).
func TestBDBFixture(t *testing.T) {
	file := testtool.Fixture(t, rhel8DB)
	d, err := OpenDB("/nonexistent", file, "x86_64")
	if err != nil {
		t.Fatal(err)
	}
	compareWithRpm(t, d, filepath.Dir(file))
}

// TestBDBMadeByDbLoad reads databases of all the fixtures' packages in
// both byte orders, with 4096-byte pages as rpm makes them and 512-byte
// ones, where every header spans many overflow pages. The database is
// found under the root, as var/lib/rpm/Packages.
func TestBDBMadeByDbLoad(t *testing.T) {
	rpms := rpmFiles(t, testtool.Fixture(t, "rpm/packages"))
	for _, opts := range [][]string{
		{"db_lorder=1234"},
		{"db_lorder=4321"},
		{"db_lorder=1234", "db_pagesize=512"},
		{"db_lorder=4321", "db_pagesize=512"},
	} {
		t.Run(strings.Join(opts, ","), func(t *testing.T) {
			root := t.TempDir()
			dir := filepath.Join(root, "var/lib/rpm")
			bdbDatabase(t, filepath.Join(dir, "Packages"), rpms, opts...)
			d, err := OpenDB(root, "", "x86_64")
			if err != nil {
				t.Fatal(err)
			}
			compareWithRpm(t, d, dir)
		})
	}
}

// TestDBDetect: the database is found by what is under the root, newest
// place and format first, and a file is read by its contents, whatever
// its name.
func TestDBDetect(t *testing.T) {
	sqliteDB := testtool.Fixture(t, "rpm/rpmdb/amazonlinux2023/rpmdb.sqlite")
	bdbDB := testtool.Fixture(t, rhel8DB)
	put := func(src, dst string) string {
		b, err := os.ReadFile(src)
		if err == nil {
			err = os.MkdirAll(filepath.Dir(dst), 0o755)
		}
		if err == nil {
			err = os.WriteFile(dst, b, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
		return dst
	}
	both := t.TempDir()
	put(bdbDB, filepath.Join(both, "var/lib/rpm/Packages"))
	put(sqliteDB, filepath.Join(both, "usr/lib/sysimage/rpm/rpmdb.sqlite"))
	bdbOnly := t.TempDir()
	put(bdbDB, filepath.Join(bdbOnly, "var/lib/rpm/Packages"))
	files := t.TempDir()
	for _, c := range []struct {
		name, root, file string
		packages         int
	}{
		{"sqlite before Berkeley DB", both, "", 103},
		{"Berkeley DB", bdbOnly, "", 1},
		{"Berkeley DB file of another name", "", put(bdbDB, filepath.Join(files, "rpmdb.sqlite")), 1},
		{"sqlite file named Packages", "", put(sqliteDB, filepath.Join(files, "Packages")), 103},
	} {
		d, err := OpenDB(c.root, c.file, "x86_64")
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
		} else if n := len(d.Packages()); n != c.packages {
			t.Errorf("%s: %d packages, want %d", c.name, n, c.packages)
		}
	}
	if !HasDB(bdbOnly) {
		t.Errorf("HasDB(%s) is false with var/lib/rpm/Packages", bdbOnly)
	}
	text := filepath.Join(files, "text")
	os.WriteFile(text, []byte("not a database at all\n"), 0o644)
	if _, err := OpenDB("", text, ""); err == nil || !strings.HasPrefix(err.Error(), text+": not an rpm database") {
		t.Errorf("text file: %v", err)
	}
	b, _ := os.ReadFile(bdbDB)
	cut := filepath.Join(files, "cut")
	os.WriteFile(cut, b[:len(b)-5000], 0o644)
	if _, err := OpenDB("", cut, ""); err == nil || !strings.HasPrefix(err.Error(), cut+": page 21: past the end of the file") {
		t.Errorf("truncated Berkeley DB: %v", err)
	}
}

// BenchmarkOpenBDB opens the RHEL 8 database and the largest made ones
// (all the fixtures' packages, with 4096- and 512-byte pages) and lists
// their packages, next to `rpm -qa` on the same database. It prints the
// medians of 5 runs: of reading the records alone (internal/bdb), of
// OpenDB, which also parses every header (dependencies, file lists), and
// of rpm, whose time includes its process's start.
func BenchmarkOpenBDB(b *testing.B) {
	testtool.Need(b, "rpm")
	files := []string{testtool.Fixture(b, rhel8DB)}
	for _, size := range []string{"4096", "512"} {
		made := filepath.Join(b.TempDir(), "Packages")
		bdbDatabase(b, made, rpmFiles(b, testtool.Fixture(b, "rpm/packages")), "db_pagesize="+size)
		files = append(files, made)
	}
	median := func(f func()) time.Duration {
		var times []time.Duration
		for range 5 {
			start := time.Now()
			f()
			times = append(times, time.Since(start))
		}
		slices.Sort(times)
		return times[2].Round(time.Microsecond)
	}
	for b.Loop() {
		for _, file := range files {
			n := 0
			records := median(func() {
				if err := readBDB(file, func(uint32, []byte) error { return nil }); err != nil {
					b.Fatal(err)
				}
			})
			open := median(func() {
				d, err := OpenDB("/", file, "x86_64")
				if err != nil {
					b.Fatal(err)
				}
				n = len(d.Packages())
			})
			// rpm warns that the index databases are missing.
			theirs := median(func() {
				if err := exec.Command("rpm", "--define", "_db_backend bdb_ro", "--dbpath", filepath.Dir(file), "-qa").Run(); err != nil {
					b.Fatal(err)
				}
			})
			fi, _ := os.Stat(file)
			fmt.Printf("BenchmarkOpenBDB: %s (%d KiB, %d packages): records %s, open and list %s; rpm -qa: %s\n",
				file, fi.Size()>>10, n, records, open, theirs)
		}
	}
}
