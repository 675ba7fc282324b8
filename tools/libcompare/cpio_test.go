package libcompare

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	cavalier "github.com/cavaliergopher/cpio"
	"golang.org/x/sys/unix"

	"github.com/supermin-compile/supermin-compile/formats/cpio"
	"github.com/supermin-compile/supermin-compile/internal/testtool"
	"github.com/supermin-compile/supermin-compile/plan"
)

// TestCavalierCpio: what cavaliergopher/cpio writes, read back by GNU cpio.
// A device node comes out as 0,0 (its Header has no device number and
// the writer writes none), where ours keeps /dev/console's 5,1. And once
// any archive in the process has written a checksum, every later header
// of every Writer is marked "070702" (with checksum) but carries 0, which
// GNU cpio reports as a checksum error: the writer sets byte 5 of the
// package's shared magic slice. Both run in this one test, in this order,
// since the second changes the library for the rest of the process.
func TestCavalierCpio(t *testing.T) {
	testtool.Need(t, "cpio")
	dir := t.TempDir()
	console := unix.Mkdev(5, 1)

	var ours bytes.Buffer
	p := &plan.Plan{Entries: []plan.Entry{
		{Path: "/", Type: plan.Dir, Mode: 0o755},
		{Path: "/dev", Type: plan.Dir, Mode: 0o755},
		{Path: "/dev/console", Type: plan.CharDev, Mode: 0o600, Rdev: console},
	}}
	if err := cpio.Write(&ours, p, cpio.None); err != nil {
		t.Fatal(err)
	}
	theirs := cavalierArchive(t, []cavalier.Header{
		{Name: "dev", Mode: cavalier.TypeDir | 0o755},
		{Name: "dev/console", Mode: cavalier.TypeChar | 0o600, DeviceID: int(console)},
	}, nil)
	if got := deviceOf(t, ours.Bytes()); got != "5,1" {
		t.Errorf("ours: /dev/console is %s, want 5,1", got)
	}
	if got := deviceOf(t, theirs); got != "0,0" {
		t.Errorf("cavaliergopher/cpio: /dev/console is %s; it was 0,0 when we measured", got)
	}

	data := []byte("hello\n")
	cavalierArchive(t, []cavalier.Header{{Name: "summed", Mode: 0o644, Size: int64(len(data)), Checksum: checksum(data)}}, data)
	later := cavalierArchive(t, []cavalier.Header{{Name: "plain", Mode: 0o644, Size: int64(len(data))}}, data)
	cmd := exec.Command("cpio", "-i", "--only-verify-crc", "--quiet")
	cmd.Dir, cmd.Stdin = dir, bytes.NewReader(later)
	out, _ := cmd.CombinedOutput()
	if !bytes.HasPrefix(later, []byte("070702")) || !strings.Contains(string(out), "checksum error") {
		t.Errorf("a later archive without checksums: magic %q, GNU cpio says %q; the shared-magic bug is fixed?", later[:6], out)
	}
}

// cavalierArchive writes hs with cavaliergopher/cpio; a regular file's
// bytes are data.
func cavalierArchive(t *testing.T, hs []cavalier.Header, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w := cavalier.NewWriter(&b)
	for i := range hs {
		hs[i].ModTime = time.Unix(0, 0)
		if err := w.WriteHeader(&hs[i]); err != nil {
			t.Fatal(err)
		}
		if hs[i].Size > 0 {
			if _, err := w.Write(data); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func checksum(b []byte) uint32 {
	h := cavalier.NewHash()
	h.Write(b)
	return h.Sum32()
}

var deviceColumn = regexp.MustCompile(`^c\S+\s+\d+\s+\S+\s+\S+\s+(\d+),\s+(\d+) `)

// deviceOf lists archive with GNU cpio and returns the device numbers of
// its character device as "major,minor".
func deviceOf(t *testing.T, archive []byte) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "a.cpio")
	if err := os.WriteFile(file, archive, 0o644); err != nil {
		t.Fatal(err)
	}
	out := testtool.Output(t, nil, "sh", "-c", `cpio --quiet -itv < "$1"`, "sh", file)
	for _, line := range lines(out) {
		if m := deviceColumn.FindStringSubmatch(line); m != nil {
			return m[1] + "," + m[2]
		}
	}
	t.Fatalf("no device in the listing:\n%s", out)
	return ""
}
