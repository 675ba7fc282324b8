package deb

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// arDeb assembles NAME_1_all.deb in out with ar, tar and gzip, in a work
// directory: debian-binary holding format, a control.tar.gz for package
// name, then the members that the shell snippet data writes and lists in
// the file "members".
func arDeb(t *testing.T, out, format, name, data string) string {
	testtool.Need(t, "ar", "tar", "gzip")
	deb := filepath.Join(out, name+"_1_all.deb")
	testtool.Output(t, nil, "sh", "-c", `set -e; cd "$1"; printf "$2" >debian-binary; mkdir ctl
		printf 'Package: %s\nVersion: 1\nArchitecture: all\n' "$3" >ctl/control
		tar -C ctl -czf control.tar.gz ./control
		: >members; eval "$4"
		ar rc "$5" debian-binary control.tar.gz $(cat members)`, "sh", t.TempDir(), format, name, data, deb)
	return deb
}

func TestDotDotMemberRefused(t *testing.T) {
	dir := t.TempDir()
	// tar -P keeps the "../" that tar would otherwise strip.
	deb := arDeb(t, dir, "2.0\n", "evil", `mkdir sub; echo x >evil; tar -P -C sub -cf data.tar ../evil; echo data.tar >members`)
	u := openDir(t, dir)
	_, err := u.Entries(find(t, u, "evil", ""))
	for _, want := range []string{deb + ": data.tar: ../evil: ", "leaves the archive root"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v, want it to mention %q", err, want)
		}
	}
}

func TestBrokenDebs(t *testing.T) {
	fixtures := mkdebs(t)
	arch, _ := hostArch()
	good, _ := os.ReadFile(filepath.Join(fixtures, "smc-test_1.0-1_"+arch+".deb"))
	cases := []struct {
		name string
		data func(t *testing.T) []byte
		want string // in the OpenDir error
	}{
		{"text", func(*testing.T) []byte { return []byte("hello\n") }, "not an ar archive"},
		{"truncated", func(*testing.T) []byte { return good[:len(good)/2] }, `ar member "data.tar.xz"`},
		{"format3", func(t *testing.T) []byte { return must(os.ReadFile(arDeb(t, t.TempDir(), "3.0\n", "x", ""))) }, `unsupported format "3.0"`},
		{"nodata", func(t *testing.T) []byte { return must(os.ReadFile(arDeb(t, t.TempDir(), "2.0\n", "x", ""))) }, "no data.tar member"},
		{"extra", func(t *testing.T) []byte {
			return must(os.ReadFile(arDeb(t, t.TempDir(), "2.0\n", "x", "echo > data.tar; echo > bogus; echo data.tar bogus > members")))
		}, `unexpected ar member "bogus"`},
		{"garbage-control", func(*testing.T) []byte {
			b := append([]byte(nil), good...)
			i := strings.Index(string(b), "control.tar.xz")
			copy(b[i+60+8:], "garbage garbage garbage")
			return b
		}, "control.tar.xz: xz:"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			f := writeFile(t, filepath.Join(dir, "x.deb"), string(c.data(t)))
			_, err := OpenDir(dir, "")
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), f+": ") {
				t.Errorf("error %v, want %s: ...%s...", err, f, c.want)
			}
		})
	}
}

// TestCorruptData: the control member is intact, so the .deb opens; the
// damage shows when data.tar is read, in an error naming file and member.
func TestCorruptData(t *testing.T) {
	fixtures := mkdebs(t)
	arch, _ := hostArch()
	good, _ := os.ReadFile(filepath.Join(fixtures, "smc-test_1.0-1_"+arch+".deb"))
	b := append([]byte(nil), good...)
	i := strings.Index(string(b), "data.tar.xz")
	for j := i + 60 + 200; j < len(b)-100; j += 97 {
		b[j] ^= 0x55
	}
	dir := t.TempDir()
	f := writeFile(t, filepath.Join(dir, "x.deb"), string(b))
	u := openDir(t, dir)
	_, err := u.Entries(u.Packages()[0])
	if err == nil || !strings.HasPrefix(err.Error(), f+": data.tar.xz: ") {
		t.Errorf("error %v", err)
	}
}
