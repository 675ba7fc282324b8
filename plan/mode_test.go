package plan

import (
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// TestUnixModes: for a file of every type, with special bits, the mode
// the kernel reports splits into what Go's os.Lstat reports, and back.
func TestUnixModes(t *testing.T) {
	src := treeOfEveryType(t)
	sock, err := net.Listen("unix", filepath.Join(src, "d", "sock"))
	if err != nil {
		t.Fatal(err)
	}
	defer sock.Close()
	for _, name := range []string{"d", "d/f", "d/s", "d/p", "d/c", "d/b", "d/sock"} {
		p := filepath.Join(src, name)
		var st unix.Stat_t
		if err := unix.Lstat(p, &st); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Lstat(p)
		if err != nil {
			t.Fatal(err)
		}
		wantType := TypeOf(fi.Mode())
		wantPerm := fi.Mode() & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)
		typ, perm, err := FromUnixMode(st.Mode)
		if err != nil || typ != wantType || perm != wantPerm {
			t.Errorf("%s: FromUnixMode(%#o) = %v %v %v, want %v %v", name, st.Mode, typ, perm, err, wantType, wantPerm)
		}
		if got := UnixType(wantType) | UnixPerm(wantPerm); got != st.Mode {
			t.Errorf("%s: UnixType|UnixPerm = %#o, want the kernel's %#o", name, got, st.Mode)
		}
	}
	if _, _, err := FromUnixMode(0o7777); err == nil {
		t.Error("FromUnixMode accepts a mode without a file type")
	}
}
