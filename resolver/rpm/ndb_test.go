package rpm

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/supermin-compile/supermin-compile/internal/ndb"
	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

const sleDB = "rpm/rpmdb/sle15-bci/Packages.db"

// TestNDBPackages: the SLE 15 BCI database (ndb) lists the packages that
// `rpm -qa` printed on that system (packages.csv), with their epoch,
// version, release and arch; and every other column rpm printed (source
// rpm, size, license, vendor, summary, SIGMD5) is what the header we
// read carries.
func TestNDBPackages(t *testing.T) {
	file := testtool.Fixture(t, sleDB)
	d, err := OpenDB("/nonexistent", file, "x86_64")
	if err != nil {
		t.Fatal(err)
	}
	csv := readCSV(t, filepath.Join(filepath.Dir(file), "packages.csv"))
	var want, got []string
	for _, f := range csv {
		evr := EVR{Epoch: f[0], Version: f[2], Release: f[3]}
		want = append(want, f[1]+"-"+evr.String()+"."+f[4])
	}
	for _, p := range d.Packages() {
		got = append(got, p.Name+"-"+p.Version+"."+p.Arch)
	}
	slices.Sort(want)
	slices.Sort(got)
	if diff := testtool.LineDiff(want, got); diff != "" {
		t.Errorf("packages differ from packages.csv (- csv, + ours):\n%s", diff)
	}

	want, got = nil, nil
	for _, f := range csv {
		want = append(want, strings.Join(f, "¶"))
	}
	for _, h := range ndbHeaderList(t, file) {
		got = append(got, csvRow(t, h))
	}
	slices.Sort(want)
	slices.Sort(got)
	if diff := testtool.LineDiff(want, got); diff != "" {
		t.Errorf("headers differ from packages.csv (- csv, + ours):\n%s", diff)
	}
}

// readCSV splits packages.csv, written by rpm -qa --qf with ¶ between
// fields.
func readCSV(t *testing.T, file string) [][]string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var rows [][]string
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		rows = append(rows, strings.Split(line, "¶"))
	}
	return rows
}

// csvRow renders a header as packages.csv has it: epoch, name, version,
// release, arch, source rpm, size, license, vendor, summary, SIGMD5.
func csvRow(t *testing.T, h *header) string {
	t.Helper()
	var fields []string
	for _, tag := range []uint32{tagEpoch, tagName, tagVersion, tagRelease, tagArch, 1044, 1009, tagLicense, 1011, 1004, 261} {
		var s string
		var err error
		switch tag {
		case tagEpoch, 1009:
			var v []int64
			if v, err = h.ints(tag); len(v) > 0 {
				s = fmt.Sprint(v[0])
			}
		case 261:
			var b []byte
			b, err = h.bin(tag)
			s = hex.EncodeToString(b)
		default:
			s, err = h.str(tag)
		}
		if err != nil {
			t.Fatal(err)
		}
		fields = append(fields, s)
	}
	return strings.Join(fields, "¶")
}

// ndbHeaderList reads every header of an ndb database.
func ndbHeaderList(t *testing.T, file string) []*header {
	t.Helper()
	var hs []*header
	for _, blob := range ndbBlobs(t, file) {
		h, err := parseBlob(blob)
		if err != nil {
			t.Fatal(err)
		}
		hs = append(hs, h)
	}
	return hs
}

func ndbBlobs(t testing.TB, file string) [][]byte {
	t.Helper()
	db, err := ndb.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var blobs [][]byte
	err = db.Headers(func(_ uint32, blob []byte) error {
		blobs = append(blobs, blob)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return blobs
}

// TestNDBFileLists: Debian's rpm is built without ndb, so the headers are
// handed to it through `rpmdb --importdb`, which checks them and writes a
// sqlite database of its own; `rpm -qa` and `rpm -qlv` of that database
// are the oracles for each package's NEVRA and file list (names, modes,
// owners, sizes, links), against the same database read as ndb.
func TestNDBFileLists(t *testing.T) {
	testtool.Need(t, "rpm", "rpmdb")
	file := testtool.Fixture(t, sleDB)
	d, err := OpenDB("/nonexistent", file, "x86_64")
	if err != nil {
		t.Fatal(err)
	}
	dbpath := importHeaders(t, ndbBlobs(t, file))
	out := testtool.Output(t, nil, "rpm", "--dbpath", dbpath, "-qa", "--qf", "%{NEVRA}\\n")
	want := strings.Fields(string(out))
	var got []string
	for _, p := range d.Packages() {
		got = append(got, p.Name+"-"+p.Version+"."+p.Arch)
	}
	slices.Sort(want)
	slices.Sort(got)
	if diff := testtool.LineDiff(want, got); diff != "" {
		t.Errorf("packages differ from rpm -qa (- rpm, + ours):\n%s", diff)
	}
	files := 0
	for _, p := range d.Packages() {
		nevra := p.Name + "-" + p.Version + "." + p.Arch
		var got []string
		for _, f := range d.meta[p].files {
			got = append(got, lsFields(f))
		}
		files += len(got)
		out := testtool.Output(t, nil, "rpm", "--dbpath", dbpath, "-qlv", nevra)
		if diff := testtool.LineDiff(lsLines(t, out), got); diff != "" {
			t.Errorf("%s: file list differs from rpm -qlv (- rpm, + ours):\n%s", nevra, diff)
		}
	}
	t.Logf("%d packages, %d files", len(d.Packages()), files)
}

// importHeaders has rpm write blobs into a new sqlite database, as
// `rpmdb --exportdb` output: each header after its magic.
func importHeaders(t testing.TB, blobs [][]byte) string {
	t.Helper()
	dbpath := t.TempDir()
	var in bytes.Buffer
	for _, b := range blobs {
		in.Write([]byte{0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0})
		in.Write(b)
	}
	cmd := exec.Command("rpmdb", "--dbpath", dbpath, "--importdb")
	cmd.Stdin = &in
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("rpmdb --importdb: %v\n%s", err, out)
	}
	return dbpath
}

// TestNDBFound: Packages.db is found under both places rpm keeps it,
// without naming it.
func TestNDBFound(t *testing.T) {
	file := testtool.Fixture(t, sleDB)
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	named, err := OpenDB("/nonexistent", file, "x86_64")
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{"usr/lib/sysimage/rpm", "var/lib/rpm"} {
		root := t.TempDir()
		if err := os.MkdirAll(filepath.Join(root, dir), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, dir, "Packages.db"), b, 0o644); err != nil {
			t.Fatal(err)
		}
		if !HasDB(root) {
			t.Errorf("%s: no database found", dir)
		}
		d, err := OpenDB(root, "", "x86_64")
		if err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		if n, want := len(d.Packages()), len(named.Packages()); n != want {
			t.Errorf("%s: %d packages, want %d", dir, n, want)
		}
	}
}

// TestNDBDamaged: a damaged ndb database is an error naming the file and
// the slot, through OpenDB too.
func TestNDBDamaged(t *testing.T) {
	b, err := os.ReadFile(testtool.Fixture(t, sleDB))
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "Packages.db")
	if err := os.WriteFile(file, b[:len(b)-16], 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = OpenDB("", file, "x86_64")
	if err == nil || !strings.HasPrefix(err.Error(), file+": slot ") || !strings.Contains(err.Error(), "runs past the end") {
		t.Errorf("truncated database: %v", err)
	}
}

// BenchmarkOpenNDB opens the SLE 15 database (ndb) and lists its
// packages, and prints how long `rpm -qa` takes on the same headers: in
// sqlite, since Debian's rpm cannot read ndb. Wall and CPU time (user and
// system) both: on a loaded machine the CPU time is the steadier measure.
func BenchmarkOpenNDB(b *testing.B) {
	testtool.Need(b, "rpm", "rpmdb")
	file := testtool.Fixture(b, sleDB)
	n := 0
	cpu0 := cpuTime()
	for b.Loop() {
		d, err := OpenDB("/", file, "x86_64")
		if err != nil {
			b.Fatal(err)
		}
		n = len(d.Packages())
	}
	ours, oursCPU := b.Elapsed()/time.Duration(b.N), (cpuTime()-cpu0)/time.Duration(b.N)
	dbpath := importHeaders(b, ndbBlobs(b, file))
	var walls, cpus []time.Duration
	for range 5 {
		cmd := exec.Command("rpm", "-qa", "--dbpath", dbpath)
		start := time.Now()
		if err := cmd.Run(); err != nil {
			b.Fatalf("rpm -qa: %v", err)
		}
		walls = append(walls, time.Since(start))
		cpus = append(cpus, cmd.ProcessState.UserTime()+cmd.ProcessState.SystemTime())
	}
	slices.Sort(walls)
	slices.Sort(cpus)
	fmt.Printf("BenchmarkOpenNDB: open and list %d packages: %s wall, %s CPU; rpm -qa of the same headers in sqlite (median of 5): %s wall, %s CPU\n",
		n, ours.Round(time.Microsecond), oursCPU.Round(time.Microsecond), walls[2].Round(time.Microsecond), cpus[2].Round(time.Microsecond))
}

// cpuTime is the user and system time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
