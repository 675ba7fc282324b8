package smallfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRead(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a.toml")
	if err := os.WriteFile(file, []byte("12345"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := Read(file, 5); err != nil || string(b) != "12345" {
		t.Errorf("a file at the limit: %q, %v", b, err)
	}
	if _, err := Read(file, 4); err == nil || !strings.Contains(err.Error(), file+": larger than") {
		t.Errorf("a file past the limit: %v", err)
	}
	// A device that never ends: the limit, not the memory, stops it.
	if _, err := Read("/dev/zero", 1<<20); err == nil || !strings.Contains(err.Error(), "/dev/zero: larger than the 1 MiB allowed") {
		t.Errorf("/dev/zero: %v", err)
	}
	if _, err := Read(file+".missing", 5); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a missing file: %v", err)
	}
}
