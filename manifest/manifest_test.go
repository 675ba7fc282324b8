package manifest

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

func TestValid(t *testing.T) {
	text := `
version = 1
packages = ["bash", "coreutils:amd64", "libc6=2.36-9"]
optional_packages = ["busybox"]
exclude_packages = ["perl-base"]
hostfiles = ["/etc/ld.so.cache", "/usr/lib/**/*.so{,.*}"]
excludefiles = ["/usr/share/doc"]
base = ["base.tar.gz", "/abs/extra.tar.zst"]
format = "cpio"
reproducible = true
unreadable = "skip"
output = "out"
size = "512M"

[source]
type = "dpkg"
root = "sysroot"

[kernel]
path = "/boot/vmlinuz"
copy = false
modules = ["virtio*"]

[[file]]
path = "/init"
mode = 0o755
content = "#!/bin/sh\n"

[[file]]
path = "/etc/motd"
mode = "4750"
uid = 1000
gid = 4294967295
source = "motd.txt"

[[file]]
path = "/bin/sh"
symlink = "bash"

[[file]]
path = "/data"
directory = true
`
	m, err := Parse("/srv/app/appliance.toml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	want := &Manifest{
		Path: "/srv/app/appliance.toml", Dir: "/srv/app",
		Packages:         []string{"bash", "coreutils:amd64", "libc6=2.36-9"},
		OptionalPackages: []string{"busybox"},
		ExcludePackages:  []string{"perl-base"},
		Hostfiles:        []string{"/etc/ld.so.cache", "/usr/lib/**/*.so{,.*}"},
		Excludefiles:     []string{"/usr/share/doc"},
		Base:             []string{"/srv/app/base.tar.gz", "/abs/extra.tar.zst"},
		Files: []File{
			{Path: "/init", Mode: 0o755, Content: []byte("#!/bin/sh\n")},
			{Path: "/etc/motd", Mode: 0o750 | fs.ModeSetuid, UID: 1000, GID: 4294967295, Source: "/srv/app/motd.txt"},
			{Path: "/bin/sh", Mode: 0o777, Symlink: "bash"},
			{Path: "/data", Mode: 0o755, Dir: true},
		},
		Format: Cpio, Output: "/srv/app/out", Size: 512 << 20, Reproducible: true, SkipUnreadable: true,
		Source: Source{Type: "dpkg", Root: "/srv/app/sysroot"},
		Kernel: Kernel{Path: "/boot/vmlinuz", Copy: false, RootModules: true, Modules: []string{"virtio*"}},
	}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("got  %+v\nwant %+v", m, want)
	}
}

func TestDefaults(t *testing.T) {
	m, err := Parse("/x/minimal.toml", []byte(`packages = ["bash"]`))
	if err != nil {
		t.Fatal(err)
	}
	if m.Format != Ext2 || m.Size != 4<<30 || m.Output != "/x/minimal.d" || m.Source.Root != "/" ||
		m.SkipUnreadable || !m.Kernel.Copy || !reflect.DeepEqual(m.Kernel.Modules, DefaultModules) {
		t.Errorf("defaults: %+v", m)
	}
	m, err = Parse("/x/a.toml", []byte("kernel = false\n"))
	if err != nil || !m.Kernel.Disabled {
		t.Errorf("kernel = false: %v %+v", err, m)
	}
}

func TestInvalid(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"packages = [\"bash\"\n", "a.toml:1: packages: expected a comma (',') or array terminator (']'), but got end of file"},
		{"pakages = [\"bash\"]", `a.toml:1: pakages: unknown key`},
		{"packages = \"bash\"", `a.toml:1: packages: must be an array of strings, not a string "bash"`},
		{"packages = [\"bash\", 3]", `a.toml:1: packages[1]: must be a string, not an integer`},
		{"packages = [\"ba sh\"]", `a.toml:1: packages[0]: "ba sh" is not a package name`},
		{"packages = [\"\"]", `a.toml:1: packages[0]: must not be empty`},
		{"version = 2", `a.toml:1: version: unsupported version 2 (this tool reads version 1)`},
		{"format = \"ext3\"", `a.toml:1: format: "ext3" is not a format (ext2, cpio or chroot)`},
		{"size = \"4X\"", `a.toml:1: size: "4X" is not a size (bytes, or a number with K, M, G or T)`},
		{"compression = \"bz2\"", `a.toml:1: compression: "bz2" is not a compression (none, gzip, xz, zstd)`},
		{"unreadable = \"warn\"", `a.toml:1: unreadable: "warn" is not a choice (error or skip)`},
		{"unreadable = false", `a.toml:1: unreadable: must be a string, not a boolean`},
		{"size = 4096", `a.toml:1: size: 4096 bytes is too small (at least 1M)`},
		{"hostfiles = [\"/usr/[lib\"]", `a.toml:1: hostfiles[0]: glob "/usr/[lib": unclosed "[" at offset 5`},
		{"hostfiles = [\"etc/passwd\"]", `a.toml:1: hostfiles[0]: glob "etc/passwd": pattern must be absolute`},
		{"excludefiles = [\"/usr/{a,b\"]", `a.toml:1: excludefiles[0]: glob "/usr/{a,b": unclosed "{" at offset 5`},
		{"base = [\"base.zip\"]", `a.toml:1: base[0]: "base.zip" is not a .tar, .tar.gz, .tgz, .tar.xz or .tar.zst file`},
		{"[source]\ntype = \"yum\"", `a.toml:2: source.type: "yum" is not a source type (dpkg, rpmdb, pacman, deb-dir, rpm-dir, pkg-dir, apt-index, apt, rpm-md)`},
		{"[source]\nroots = \"/\"", `a.toml:2: source.roots: unknown key`},
		{"source = \"dpkg\"", `a.toml:1: source: must be a table, not a string "dpkg"`},
		{"kernel = \"vmlinuz\"", `a.toml:1: kernel: must be false or a table, not a string "vmlinuz"`},
		{"[kernel]\ncopy = \"yes\"", `a.toml:2: kernel.copy: must be true or false, not a string "yes"`},
		{"[kernel]\nmodules = [\"virtio/x\"]", `a.toml:2: kernel.modules[0]: "virtio/x" is not a module name glob`},
		{"[[file]]\npath = \"/a\"\ncontent = \"\"\n[[file]]\npath = \"/b\"\nmode = \"0x9\"\ncontent = \"\"",
			`a.toml:6: file[1].mode: "0x9" is not an octal mode`},
		{"[[file]]\npath = \"/a\"\nmode = 0o17777\ncontent = \"\"", `a.toml:3: file[0].mode: 0o17777 is out of range (0 to 0o7777)`},
		{"[[file]]\npath = \"/a\"\ncontent = \"\"\n[[file]]\npath = \"/a/\"\ncontent = \"x\"",
			`a.toml:5: file[1].path: "/a" is already given by file[0]`},
		{"[[file]]\npath = \"a\"\ncontent = \"\"", `a.toml:2: file[0].path: "a" must be an absolute path below /`},
		{"[[file]]\npath = \"/a\"\ncontent = \"\"\nsource = \"x\"", `a.toml:1: file[0]: needs exactly one of content, source, symlink or directory = true`},
		{"[[file]]\ncontent = \"\"", `a.toml:1: file[0]: missing path`},
		{"[[file]]\npath = \"/a\"\ncontent = \"\"\nuid = -1", `a.toml:4: file[0].uid: -1 is not a valid uid/gid (0 to 4294967295)`},
		{"[[file]]\npath = \"/a\"\ncontent = \"\"\ncolour = 1", `a.toml:4: file[0].colour: unknown key`},
		{"file = 3", `a.toml:1: file: must be an array of tables ([[file]]), not an integer`},
		// An element's index is its place in the manifest, bad elements included.
		{"packages = [\"\", \"-rf\"]", "a.toml:1: packages[0]: must not be empty\na.toml:1: packages[1]: \"-rf\" is not a package name"},
		{"hostfiles = [\"/a\", \"\", \"b\"]", "a.toml:1: hostfiles[1]: must not be empty\na.toml:1: hostfiles[2]: glob \"b\": pattern must be absolute"},
		{"base = [3, \"b.zip\"]", "a.toml:1: base[0]: must be a string, not an integer\na.toml:1: base[1]: \"b.zip\" is not a .tar, .tar.gz, .tgz, .tar.xz or .tar.zst file"},
		{"[kernel]\nmodules = [\"\", \"a/b\"]", "a.toml:2: kernel.modules[0]: must not be empty\na.toml:2: kernel.modules[1]: \"a/b\" is not a module name glob"},
		// Numbers too large for their field are errors, never wrapped around.
		{"size = \"99999999T\"", `a.toml:1: size: "99999999T" is too large (at most 8388607T)`},
		{"size = \"8388608T\"", `a.toml:1: size: "8388608T" is too large (at most 8388607T)`},
		{"size = \"99999999999999999999\"", `a.toml:1: size: "99999999999999999999" is too large (at most 8388607T)`},
		{"size = 99999999999999999999", `a.toml:1: size: 99999999999999999999 is out of range for int64`},
		{"version = 99999999999999999999", `a.toml:1: version: 99999999999999999999 is out of range for int64`},
		{"[[file]]\npath = \"/a\"\ncontent = \"\"\n[[file]]\npath = \"/b\"\ncontent = \"\"\ngid = 99999999999999999999",
			`a.toml:7: file[1].gid: 99999999999999999999 is out of range for int64`},
		{"[[file]]\npath = \"/a\"\ncontent = \"\"\nuid = 4294967296", `a.toml:4: file[0].uid: 4294967296 is not a valid uid/gid (0 to 4294967295)`},
		{"[[file]]\npath = \"/a\"\ncontent = \"\"\nmode = \"77777777777777777777777\"",
			`a.toml:4: file[0].mode: "77777777777777777777777" is out of range (0 to 0o7777)`},
		{"[[file]]\npath = \"/a\"\ncontent = \"\"\nmode = \"10000\"", `a.toml:4: file[0].mode: "10000" is out of range (0 to 0o7777)`},
		{"[[file]]\npath = \"/a\"\ncontent = \"\"\nmode = 0o7777777777777777777777",
			`a.toml:4: file[0].mode: 0o7777777777777777777777 is out of range for int64`},
	} {
		_, err := Parse("/d/a.toml", []byte(tc.text))
		if err == nil || err.Error() != tc.want {
			t.Errorf("%q:\n got %v\nwant %s", tc.text, err, tc.want)
		}
	}
}

// TestLargestSize: the largest size that fits is accepted as written.
func TestLargestSize(t *testing.T) {
	m, err := Parse("/d/a.toml", []byte(`size = "8388607T"`))
	if err != nil {
		t.Fatal(err)
	}
	if m.Size != 8388607<<40 {
		t.Errorf("size 8388607T is %d bytes", m.Size)
	}
}

func TestAllErrorsReported(t *testing.T) {
	_, err := Parse("/d/a.toml", []byte("format = \"x\"\nsize = \"y\"\n"))
	es, ok := err.(Errors)
	if !ok || len(es) != 2 || es[0].Line != 1 || es[1].Line != 2 {
		t.Fatalf("want two errors in line order, got %v", err)
	}
}

func TestLoadExamples(t *testing.T) {
	files, _ := filepath.Glob("../examples/*.toml")
	if len(files) == 0 {
		t.Fatal("no examples")
	}
	for _, f := range files {
		if _, err := Load(f); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.toml"))
	if !os.IsNotExist(err) {
		t.Errorf("want not-exist error, got %v", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("packages = [\"bash\"]\n[[file]]\npath = \"/a\"\ncontent = \"x\"\n"))
	f.Add([]byte("[source]\ntype = \"dpkg\"\n[kernel]\ncopy = true\n"))
	f.Add([]byte("kernel = false\nsize = \"1G\"\nhostfiles = [\"/a/**/{b,c}\"]"))
	f.Fuzz(func(t *testing.T, text []byte) {
		m, err := Parse("/d/a.toml", text)
		if (m == nil) == (err == nil) {
			t.Fatalf("want exactly one of manifest and error: %v %v", m, err)
		}
	})
}

// TestSuperminDBomb: a supermin.d input is held in memory, so one that
// unpacks past MaxSize (a small .gz of millions of lines) is an error
// naming it.
func TestSuperminDBomb(t *testing.T) {
	testtool.Need(t, "gzip")
	dir := t.TempDir()
	cmd := exec.Command("gzip", "-c")
	cmd.Stdin = strings.NewReader(strings.Repeat("/usr/bin/tool\n", MaxSize/14+1))
	gz, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir+"/hostfiles", gz, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = FromSuperminD([]string{dir})
	if err == nil || !strings.Contains(err.Error(), dir+"/hostfiles: larger than 16 MiB unpacked") {
		t.Errorf("a hostfiles bomb: %v", err)
	}
}
