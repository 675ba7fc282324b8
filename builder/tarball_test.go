package builder

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/formats/ext2"
	"github.com/supermin-compile/supermin-compile/internal/testtool"
	"github.com/supermin-compile/supermin-compile/manifest"
)

// TestTarballTooLargeForExt2: an ext2 build of a tarball whose member does
// not fit `size` fails before any byte of it is spooled or copied. The
// member is a terabyte (sparse, so the tarball is 10 KiB and its listing
// instant) and TMPDIR does not exist: spooling would fail otherwise.
func TestTarballTooLargeForExt2(t *testing.T) {
	dir := t.TempDir()
	must(t, os.MkdirAll(dir+"/src", 0o755))
	must(t, os.WriteFile(dir+"/src/huge", nil, 0o644))
	must(t, os.Truncate(dir+"/src/huge", 1<<40))
	testtool.Need(t, "tar")
	if out, err := exec.Command("tar", "-C", dir+"/src", "--sparse", "--format=posix", "-cf", dir+"/sparse.tar", "huge").CombinedOutput(); err != nil {
		t.Fatalf("tar: %v %s", err, out)
	}
	file := filepath.Join(dir, "a.toml")
	must(t, os.WriteFile(file, []byte("base = [\"sparse.tar\"]\nformat = \"ext2\"\nkernel = false\nsize = \"64M\"\n"), 0o644))
	m, err := manifest.Load(file)
	must(t, err)
	m.Source.Type = "dpkg"
	t.Setenv("TMPDIR", filepath.Join(dir, "missing"))
	_, err = Build(m, Options{}, false)
	if !errors.Is(err, ext2.ErrTooSmall) || !strings.Contains(err.Error(), "a.toml: size: ") {
		t.Fatalf("a 1 TiB member in 64 MiB: %v, want the size error", err)
	}
	if _, err := os.Stat(m.Output); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("output %s: %v, want none", m.Output, err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
