package rpm

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
	"github.com/supermin-compile/supermin-compile/plan"
	"github.com/supermin-compile/supermin-compile/resolver"
)

// allPackages opens the test packages and the shared fixtures' binary
// packages, each in its own Dir (they hold several versions of a name).
func allPackages(t *testing.T) map[string]*Dir {
	t.Helper()
	dirs := map[string]*Dir{}
	for _, dir := range []string{mkrpms(t), testtool.Fixture(t, "rpm/packages")} {
		for _, f := range rpmFiles(t, dir) {
			d, err := OpenDir(f, "x86_64")
			if err != nil {
				t.Fatal(err)
			}
			d.KeepContents()
			t.Cleanup(func() { d.Close() })
			dirs[f] = d
		}
	}
	return dirs
}

// lsLine is one line of `rpm -qplv`: mode, owner, group, size or device
// numbers, date, path and symlink target.
var lsLine = regexp.MustCompile(`^(\S{10})\s+\d+\s+(\S+)\s+(\S+)\s+(\d+|\d+,\s+\d+)\s+\w{3}\s+\d+\s+[\d:]+ (.*?)(?: -> (.*))?$`)

// TestFileListsMatchRpm: for every package, the header's file list as we
// read it equals `rpm -qplv`: names, modes, owners, sizes, device
// numbers and link targets.
func TestFileListsMatchRpm(t *testing.T) {
	testtool.Need(t, "rpm")
	for file, d := range allPackages(t) {
		t.Run(filepath.Base(file), func(t *testing.T) {
			var got []string
			for _, f := range d.meta[d.pkgs[0]].files {
				got = append(got, lsFields(f))
			}
			if diff := testtool.LineDiff(rpmQplv(t, file), got); diff != "" {
				t.Errorf("file list differs from rpm -qplv (- rpm, + ours):\n%s", diff)
			}
		})
	}
}

// rpmQplv is `rpm -qplv` of an .rpm file, each line as lsFields renders
// a file.
func rpmQplv(t *testing.T, file string) []string {
	t.Helper()
	return lsLines(t, testtool.Output(t, nil, "rpm", "-qplv", "--nosignature", file))
}

// lsLines parses the lines of `rpm -qlv` as lsFields renders a file.
func lsLines(t *testing.T, out []byte) []string {
	t.Helper()
	var lines []string
	for _, line := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
		if line == "(contains no files)" {
			continue
		}
		g := lsLine.FindStringSubmatch(line)
		if g == nil {
			t.Fatalf("cannot parse rpm -qplv line %q", line)
		}
		size := strings.Join(strings.Fields(g[4]), " ")
		lines = append(lines, strings.Join([]string{g[1], g[2], g[3], size, g[5], g[6]}, "|"))
	}
	return lines
}

// lsFields renders a file as the fields compared with rpm -qplv.
func lsFields(f file) string {
	size := fmt.Sprint(f.size)
	if f.mode&0o170000 == 0o040000 {
		size = "0" // rpm prints 0 for directories; old rpmbuilds stored 4096
	}
	if t := f.mode & 0o170000; t == 0o020000 || t == 0o060000 {
		size = fmt.Sprintf("%d, %d", f.rdev>>8&0xff, f.rdev&0xff)
	}
	link := ""
	if f.mode&0o170000 == 0o120000 {
		link = f.link
	}
	return strings.Join([]string{lsMode(f.mode), f.user, f.group, size, f.path, link}, "|")
}

func lsMode(m int64) string {
	b := []byte("?rwxrwxrwx")
	b[0] = map[int64]byte{0o040000: 'd', 0o100000: '-', 0o120000: 'l', 0o020000: 'c', 0o060000: 'b', 0o010000: 'p', 0o140000: 's'}[m&0o170000]
	for i := range 9 {
		if m&(1<<(8-i)) == 0 {
			b[i+1] = '-'
		}
	}
	special := func(bit int64, pos int, set, unset byte) {
		if m&bit != 0 {
			b[pos] = map[bool]byte{true: set, false: unset}[b[pos] != '-']
		}
	}
	special(0o4000, 3, 's', 'S')
	special(0o2000, 6, 's', 'S')
	special(0o1000, 9, 't', 'T')
	return string(b)
}

// TestPayloadBytesMatchCpio: every regular file's bytes, streamed out of
// the payload, equal what `rpm2cpio | cpio -idm` extracts, and hard links
// name a file with the same bytes. %ghost files are not listed.
func TestPayloadBytesMatchCpio(t *testing.T) {
	testtool.Need(t, "rpm2cpio", "cpio")
	for file, d := range allPackages(t) {
		t.Run(filepath.Base(file), func(t *testing.T) {
			dir := t.TempDir()
			sh := exec.Command("sh", "-c", `rpm2cpio "$1" | cpio -idm --quiet --no-absolute-filenames -D "$2"`, "sh", file, dir)
			out, err := sh.CombinedOutput()
			if err != nil && !(os.Getuid() != 0 && bytes.Contains(out, []byte("mknod"))) {
				t.Fatalf("rpm2cpio | cpio: %v\n%s", err, out)
			}
			p := d.pkgs[0]
			entries, err := d.Entries(p)
			if err != nil {
				t.Fatal(err)
			}
			checkEntries(t, d, p, entries, dir)
		})
	}
}

func checkEntries(t *testing.T, d *Dir, p *resolver.Package, entries []plan.Entry, dir string) {
	t.Helper()
	byPath := map[string]plan.Entry{}
	for _, e := range entries {
		byPath[e.Path] = e
	}
	for _, f := range d.meta[p].files {
		if _, listed := byPath[f.path]; listed == (f.flags&fileGhost != 0) {
			t.Errorf("%s: ghost %v but listed %v", f.path, f.flags&fileGhost != 0, listed)
		}
	}
	for _, e := range entries {
		switch e.Type {
		case plan.Regular:
			want, err := os.ReadFile(filepath.Join(dir, e.Path))
			if err != nil {
				t.Error(err)
				continue
			}
			if got := readSource(t, e); !bytes.Equal(got, want) {
				t.Errorf("%s: %d bytes from the payload, cpio extracted %d (or different bytes)", e.Path, len(got), len(want))
			}
		case plan.Hardlink:
			if target, ok := byPath[e.Link]; !ok || target.Type != plan.Regular {
				t.Errorf("hard link %s -> %s: target is not a regular file of the package", e.Path, e.Link)
			}
			a, errA := os.Stat(filepath.Join(dir, e.Path))
			b, errB := os.Stat(filepath.Join(dir, e.Link))
			if errA != nil || errB != nil || !os.SameFile(a, b) {
				t.Errorf("hard link %s -> %s: cpio did not extract them as one file", e.Path, e.Link)
			}
		}
	}
}

func readSource(t *testing.T, e plan.Entry) []byte {
	t.Helper()
	if e.Src == nil {
		return []byte{}
	}
	r, err := e.Src.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("%s: %v", e.Path, err)
	}
	return b
}

// TestOwners: owner names map to ids through the /etc/passwd and
// /etc/group of the package that ships them (smc-setup here).
func TestOwners(t *testing.T) {
	d, err := OpenDir(mkrpms(t), "x86_64")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for _, p := range d.Packages() {
		if p.Name != "smc-base" {
			continue
		}
		entries, err := d.Entries(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			want := [2]uint32{0, 0}
			if e.Path == "/usr/lib/smc/owned" {
				want = [2]uint32{2, 4}
			}
			if got := [2]uint32{e.UID, e.GID}; got != want {
				t.Errorf("%s: owner %v, want %v", e.Path, got, want)
			}
		}
	}
}
