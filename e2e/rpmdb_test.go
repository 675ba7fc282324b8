package e2e

import (
	"bytes"
	byteorder "encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// TestRpmdbBDBChroot builds a chroot from an installed root whose rpm
// database is Berkeley DB, as on RHEL 8: Debian's rpm installs real
// packages into the root (it writes sqlite only), Berkeley DB's db5.3_load
// makes var/lib/rpm/Packages from the headers rpm stored (taken out by
// sqlite3), and the sqlite database is removed. The chroot's files are
// those of `rpm -qla`, rpm reading the Berkeley DB database, and so are
// an ext2 image's.
func TestRpmdbBDBChroot(t *testing.T) {
	testtool.Need(t, "rpm", "sqlite3", "db5.3_load")
	testtool.Root(t) // owners
	fixtures := testtool.Fixture(t, rpmFixtures)
	rpms := []string{"fedora/hello-2.12.1-2.fc39.x86_64.rpm", "fedora/xmlstarlet-1.6.1-14.fc32.x86_64.rpm",
		"el/epel-release-7-5.noarch.rpm", "el/crypto-policies-20210617-1.gitc776d3e.el8.noarch.rpm",
		"opensuse/tmpwatch-2.11-6.6.x86_64.rpm", "fedora/ruby-libs-2.7.0-1.fc32.x86_64.rpm"}
	root := t.TempDir()
	args := []string{"rpm", "-i", "--nodeps", "--noscripts", "--notriggers", "--ignorearch", "--nosignature", "--root", root, "--dbpath", "/var/lib/rpm"}
	for _, r := range rpms {
		args = append(args, filepath.Join(fixtures, r))
	}
	run(t, nil, args...)
	dbdir := filepath.Join(root, "var/lib/rpm")
	sqliteToBDB(t, dbdir)
	rpmQ := func(args ...string) []string {
		out := run(t, nil, append([]string{"rpm", "--root", root, "--dbpath", "/var/lib/rpm", "--define", "_db_backend bdb_ro"}, args...)...)
		return strings.Split(strings.TrimSpace(out), "\n")
	}
	names := rpmQ("-qa", "--qf", "%{NAME}\n")
	if len(names) != len(rpms) {
		t.Fatalf("rpm lists %d packages in the Berkeley DB database, %d were installed", len(names), len(rpms))
	}
	m := filepath.Join(t.TempDir(), "app.toml")
	writeFile(t, m, fmt.Sprintf("packages = %s\nformat = \"chroot\"\nkernel = false\n\n[source]\ntype = \"rpmdb\"\nroot = %q\narch = \"x86_64\"\n",
		tomlList(names), root))
	out := filepath.Join(t.TempDir(), "out")
	run(t, nil, binary(t), "build", m, "-o", out)
	// The tree has rpm's files, the directories above them and the
	// build's fingerprint.
	want := map[string]bool{"/": true, "/.supermin-compile.fingerprint": true}
	for _, p := range rpmQ("-qla", "--noghost") {
		for ; !want[p]; p = path.Dir(p) {
			want[p] = true
		}
	}
	var wantList []string
	for p := range want {
		wantList = append(wantList, p)
	}
	sameSet(t, "the chroot of the Berkeley DB root", walked(t, out), wantList)
	ext2Holds(t, m, slices.DeleteFunc(wantList, func(p string) bool { return p == "/.supermin-compile.fingerprint" }))
	t.Logf("%d packages, %d paths", len(names), len(wantList))
	// --if-newer: the fingerprint covers the Berkeley DB database.
	upToDate := func() bool {
		b, err := exec.Command(binary(t), "build", "--if-newer", m, "-o", out).CombinedOutput()
		if err != nil {
			t.Fatalf("build --if-newer: %v\n%s", err, b)
		}
		return strings.Contains(string(b), "is up to date")
	}
	if !upToDate() {
		t.Errorf("build --if-newer rebuilt an unchanged root")
	}
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(filepath.Join(dbdir, "Packages"), later, later); err != nil {
		t.Fatal(err)
	}
	if upToDate() {
		t.Errorf("build --if-newer skipped the build after var/lib/rpm/Packages changed")
	}
}

// sqliteToBDB replaces rpm's sqlite database in dir with a Berkeley DB
// Packages of the same headers under the same numbers, keyed as rpm on a
// little-endian machine keys them, with key 0 holding the next number.
func sqliteToBDB(t *testing.T, dir string) {
	t.Helper()
	rows := run(t, nil, "sqlite3", filepath.Join(dir, "rpmdb.sqlite"), "select hnum, hex(blob) from Packages order by hnum")
	var in bytes.Buffer
	in.WriteString("VERSION=3\nformat=bytevalue\ntype=hash\nHEADER=END\n")
	next := uint32(1)
	for _, row := range strings.Split(strings.TrimSpace(rows), "\n") {
		num, blob, _ := strings.Cut(row, "|")
		n, err := strconv.ParseUint(num, 10, 32)
		if err != nil {
			t.Fatalf("sqlite3 row %q: %v", row, err)
		}
		fmt.Fprintf(&in, " %s\n %s\n", hex.EncodeToString(byteorder.LittleEndian.AppendUint32(nil, uint32(n))), strings.ToLower(blob))
		next = max(next, uint32(n)+1)
	}
	fmt.Fprintf(&in, " 00000000\n %s\nDATA=END\n", hex.EncodeToString(byteorder.LittleEndian.AppendUint32(nil, next)))
	for _, f := range []string{"rpmdb.sqlite", "rpmdb.sqlite-shm", "rpmdb.sqlite-wal"} {
		os.Remove(filepath.Join(dir, f))
	}
	cmd := exec.Command("db5.3_load", "-t", "hash", filepath.Join(dir, "Packages"))
	cmd.Stdin = &in
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("db5.3_load: %v\n%s", err, b)
	}
}
