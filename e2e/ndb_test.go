package e2e

import (
	"bytes"
	bin "encoding/binary"
	"fmt"
	"hash/adler32"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// TestRpmdbNDBChroot: real openSUSE packages installed by rpm into a root
// whose database is ndb (Packages.db, as SLES 15 and Leap keep it) build,
// through `[source] type = "rpmdb"`, a chroot holding exactly the files
// `rpm -qla --noghost` lists, and their directories. Debian's rpm is built
// without ndb: it installs into sqlite, and its own export of the headers
// is laid out as ndb by writeNDB; the reader itself is checked against a
// real SLE 15 database in internal/ndb and resolver/rpm. An ext2 image of
// the same manifest holds the same files.
func TestRpmdbNDBChroot(t *testing.T) {
	testtool.Need(t, "rpm", "rpmdb")
	testtool.Root(t) // owners
	dir := filepath.Join(testtool.Fixture(t, rpmFixtures), "opensuse")
	var rpms []string
	for _, f := range []string{"hello-2.12.1-1.7", "tmpwatch-2.11-6.6", "mc-4.8.21-2.1", "sendmail-8.16.1-7.1"} {
		rpms = append(rpms, filepath.Join(dir, f+".x86_64.rpm"))
	}
	rpms = append(rpms, filepath.Join(dir, "python310-jupyter-server-fileid-0.9.0-7.2.noarch.rpm"))
	root := t.TempDir()
	db := []string{"--root", root, "--dbpath", "/var/lib/rpm"}
	run(t, nil, append(append([]string{"rpm"}, db...), append([]string{"-i", "--nodeps", "--noscripts", "--nosignature"}, rpms...)...)...)
	want := strings.Fields(run(t, nil, append(append([]string{"rpm"}, db...), "-qla", "--noghost")...))
	nevras := strings.Split(strings.TrimSpace(run(t, nil, append(append([]string{"rpm"}, db...),
		"-qa", "--qf", "%{NAME} %|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE} %{ARCH}\\n")...)), "\n")
	var names []string
	for _, n := range nevras {
		names = append(names, strings.Fields(n)[0])
	}
	var export bytes.Buffer
	cmd := exec.Command("rpmdb", append(db, "--exportdb")...)
	cmd.Stdout = &export
	if err := cmd.Run(); err != nil {
		t.Fatalf("rpmdb --exportdb: %v", err)
	}
	if err := os.RemoveAll(filepath.Join(root, "var/lib/rpm")); err != nil {
		t.Fatal(err)
	}
	writeNDB(t, filepath.Join(root, "usr/lib/sysimage/rpm/Packages.db"), splitHeaders(t, export.Bytes()))

	m := filepath.Join(t.TempDir(), "app.toml")
	writeFile(t, m, fmt.Sprintf("packages = %s\nformat = \"chroot\"\nkernel = false\n\n[source]\ntype = \"rpmdb\"\nroot = %q\narch = \"x86_64\"\n",
		tomlList(names), root))
	slices.Sort(nevras)
	if got := resolved(t, m); !slices.Equal(slices.Sorted(slices.Values(got)), nevras) {
		t.Errorf("resolved\n%s\nrpm -qa:\n%s", strings.Join(got, "\n"), strings.Join(nevras, "\n"))
	}
	out := filepath.Join(t.TempDir(), "out")
	run(t, nil, binary(t), "build", m, "-o", out)
	sameSet(t, "the chroot", walked(t, out), append(withParents(want), "/.supermin-compile.fingerprint"))
	ext2Holds(t, m, withParents(want))
	t.Logf("%d packages, %d paths", len(names), len(want))
}

// ext2Holds builds manifest m (a chroot) as an ext2 image too, checks it
// with e2fsck and checks that it holds exactly the paths want.
func ext2Holds(t *testing.T, m string, want []string) {
	t.Helper()
	testtool.Need(t, "e2fsck", "debugfs")
	out := filepath.Join(t.TempDir(), "ext2")
	run(t, nil, binary(t), "build", m, "--format", "ext2", "-o", out)
	img := filepath.Join(out, "root")
	if b, err := exec.Command("e2fsck", "-fn", img).CombinedOutput(); err != nil {
		t.Fatalf("e2fsck -fn: %v\n%s", err, b)
	}
	got := slices.DeleteFunc(walked(t, rdump(t, img)), func(p string) bool { return p == "/lost+found" })
	sameSet(t, "the ext2 image", got, want)
}

// splitHeaders splits `rpmdb --exportdb` output into header blobs: each
// follows the 8-byte header magic and is its index count and data
// length, 16 bytes per index entry, then the data.
func splitHeaders(t *testing.T, b []byte) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		if len(b) < 16 || !bytes.Equal(b[:4], []byte{0x8e, 0xad, 0xe8, 0x01}) {
			t.Fatalf("rpmdb --exportdb: no header magic at %q", b[:min(len(b), 16)])
		}
		il, dl := bin.BigEndian.Uint32(b[8:]), bin.BigEndian.Uint32(b[12:])
		n := 8 + 8 + 16*int(il) + int(dl)
		out = append(out, b[8:n])
		b = b[n:]
	}
	return out
}

// writeNDB writes headers into a new ndb database, laid out as rpm's ndb
// backend writes one (internal/ndb describes the format): one slot page,
// then each header in a blob.
func writeNDB(t *testing.T, file string, headers [][]byte) {
	const page, block = 4096, 16
	if len(headers) > page/block-2 {
		t.Fatalf("%d headers do not fit in one slot page", len(headers))
	}
	put := bin.LittleEndian.PutUint32
	db := make([]byte, page)
	copy(db, "RpmP")
	put(db[8:], 1)                       // generation
	put(db[12:], 1)                      // slot pages
	put(db[16:], uint32(len(headers)+1)) // next package index
	for s := 2; s < page/block; s++ {
		copy(db[s*block:], "Slot")
	}
	for i, h := range headers {
		pkg := uint32(i + 1)
		blob := make([]byte, (16+len(h)+12+block-1)/block*block)
		copy(blob, "BlbS")
		put(blob[4:], pkg)
		put(blob[12:], uint32(len(h)))
		copy(blob[16:], h)
		tail := blob[len(blob)-12:]
		put(tail, adler32.Checksum(blob[:len(blob)-12]))
		put(tail[4:], uint32(len(h)))
		copy(tail[8:], "BlbE")
		slot := db[(2+i)*block:]
		put(slot[4:], pkg)
		put(slot[8:], uint32(len(db)/block))
		put(slot[12:], uint32(len(blob)/block))
		db = append(db, blob...)
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, db, 0o644); err != nil {
		t.Fatal(err)
	}
}
