package builder

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/supermin-compile/supermin-compile/manifest"
)

// TestFingerprintSeesRpmWAL: a change rpm left in rpmdb.sqlite's
// write-ahead log makes the output stale for --if-newer, though the
// database file itself did not change; a root without a log keeps the
// fingerprint it had.
func TestFingerprintSeesRpmWAL(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "usr/lib/sysimage/rpm")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "rpmdb.sqlite"), []byte("db"), 0o644); err != nil {
		t.Fatal(err)
	}
	m := &manifest.Manifest{Format: "chroot", Source: manifest.Source{Type: "rpmdb", Root: root}}
	sum := func() string {
		s, err := fingerprint(m, &Options{Version: "test"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	before := sum()
	wal := filepath.Join(dir, "rpmdb.sqlite-wal")
	if err := os.WriteFile(wal, []byte("a change"), 0o644); err != nil {
		t.Fatal(err)
	}
	withWAL := sum()
	if withWAL == before {
		t.Error("a new write-ahead log did not change the fingerprint")
	}
	if err := os.WriteFile(wal, []byte("another change"), 0o644); err != nil {
		t.Fatal(err)
	}
	if sum() == withWAL {
		t.Error("a changed write-ahead log did not change the fingerprint")
	}
	if err := os.Remove(wal); err != nil {
		t.Fatal(err)
	}
	if sum() != before {
		t.Error("without a write-ahead log the fingerprint is not what it was")
	}
}
