package filesum

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

func TestSHA256MatchesSha256sum(t *testing.T) {
	testtool.Need(t, "sha256sum")
	file := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(file, []byte(strings.Repeat("appliance\n", 10000)), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("sha256sum", file).Output()
	if err != nil {
		t.Fatal(err)
	}
	sum, size, err := SHA256(file)
	if err != nil || sum != strings.Fields(string(out))[0] || size != 100000 {
		t.Errorf("SHA256 = %s, %d, %v; sha256sum says %s of 100000 bytes", sum, size, err, out)
	}
	if _, _, err := SHA256(filepath.Join(t.TempDir(), "absent")); !os.IsNotExist(err) {
		t.Errorf("an absent file: %v", err)
	}
}
