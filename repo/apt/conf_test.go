package apt

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// apt.conf files judged by apt-config, the host's apt reading the same
// file as $APT_CONFIG (which apt reads first, so that the file can point
// Dir::Etc::Parts and Dir::Etc::Main away from the host's own).
var confCases = map[string]string{
	"blocks and lists": `Test { A "1"; b::c "x y"; List { "p"; "q"; }; };
Test::List:: "r";
test::a "2";  // a comment
Test { Deep { Deeper { V "d"; }; }; Empty ""; };`,
	"comments and quotes": `# a comment
/* a block
comment */ Test::D "v" "w";
Test::E foo%20bar; Test::F "has // no comment"; Test::G "x#y"; // Test::H "no";
Test::I "a /* b */ c"; /* x */ Test::J "j";
Test::"Quoted::Name" "q";
Test::K
  "on two lines";
Test::L [brackets stay];`,
	"clear and include": `Test { A "1"; B { C "2"; }; };
#clear Test::B;
Test::B::D "3";
#include "INCLUDED";
#include "PARTS/";
#x-apt-configure-index "/nonexistent";`,
	"dir": `Dir "/srv/x";
Dir::Etc { SourceList "my.list"; TrustedParts "/abs/tp"; };
Dir::Etc::SourceParts "./rel.d";
Dir::Etc::Trusted "/dev/null/x";`,
	"dir under a relative parent": `Dir::Etc "conf";
Dir::Etc::SourceList "../up.list";`,
	"extra junk":                `Test::A "x" junk;`,
	"junk at the end":           `Test::A "x"`,
	"block without a name":      `{ Test::A "x"; };`,
	"directive in a block":      `Test { #clear Foo; };`,
	"clear without an argument": `#clear;`,
	"unsupported directive":     `#includes "x";`,
}

// TestConfigAgainstAptConfig: for each file, apt-config and ReadConfig
// accept or refuse it alike, give the same values under Test, and
// resolve Dir::Etc's paths to the same files.
func TestConfigAgainstAptConfig(t *testing.T) {
	testtool.Need(t, "apt-config")
	for name, text := range confCases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			parts := filepath.Join(dir, "parts")
			writeFiles(t, dir, map[string]string{
				"included":        `Test::Included "yes"; Test::A "from include";`,
				"parts/10-a.conf": `Test::Part "a";`,
				"parts/20-b":      `Test::Part "b";`,
				"parts/30-c.bak":  `Test::Part "not read";`,
				"parts/.hidden":   `Test::Part "not read";`,
			})
			preamble := "Dir::Etc::Parts \"" + filepath.Join(dir, "noparts") + "\";\nDir::Etc::Main \"/nonexistent\";\n"
			text = strings.ReplaceAll(strings.ReplaceAll(text, "INCLUDED", filepath.Join(dir, "included")), "PARTS", parts)
			file := filepath.Join(dir, "apt.conf")
			if err := os.WriteFile(file, []byte(preamble+text+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			must(t, os.Mkdir(filepath.Join(dir, "noparts"), 0o755))
			env := []string{"APT_CONFIG=" + file}
			apt := exec.Command("apt-config", "dump", "--no-empty", "--format", "%f=%v%n", "Test")
			apt.Env = append(os.Environ(), env...)
			var stderr strings.Builder
			apt.Stderr = &stderr
			want, aptErr := apt.Output()

			c, err := ReadConfig("/", file)
			if (aptErr != nil) != (err != nil) {
				t.Fatalf("apt-config: %v %s; ReadConfig: %v", aptErr, stderr.String(), err)
			}
			if err != nil {
				t.Logf("both refuse it: apt-config: %s; ReadConfig: %v", strings.TrimSpace(stderr.String()), err)
				if !strings.Contains(err.Error(), file+":") {
					t.Errorf("the error does not name the file and line: %v", err)
				}
				return
			}
			if got := c.dump("Test"); got != string(want) {
				t.Errorf("values under Test:\napt-config:\n%s\nReadConfig:\n%s", want, got)
			}
			shell := testtool.Output(t, env, "apt-config", "shell", "L", "Dir::Etc::sourcelist/f",
				"P", "Dir::Etc::sourceparts/d", "T", "Dir::Etc::trusted/f", "TP", "Dir::Etc::trustedparts/d")
			p := c.Paths()
			for _, v := range []struct{ name, ours string }{{"L", p.SourceList}, {"P", p.SourceParts},
				{"T", p.Trusted}, {"TP", p.TrustedParts}} {
				if theirs := shellValue(string(shell), v.name); filepath.Clean(theirs) != v.ours {
					t.Errorf("%s: apt-config resolves %q, ReadConfig %q", v.name, theirs, v.ours)
				}
			}
		})
	}
}

// TestConfigReadsTheHostsFiles: the host's own apt.conf.d and apt.conf
// read without error, to what apt-config says they set: its dump of the
// host's configuration less its dump of none (apt's defaults, and the
// two names that reading none sets).
func TestConfigReadsTheHostsFiles(t *testing.T) {
	testtool.Need(t, "apt-config")
	dir := t.TempDir()
	none := filepath.Join(dir, "none.conf")
	must(t, os.WriteFile(none, []byte(`Dir::Etc::Parts "`+dir+`"; Dir::Etc::Main "/nonexistent";`), 0o644))
	dump := func(env string) []string {
		out := testtool.Output(t, []string{"APT_CONFIG=" + env}, "apt-config", "dump", "--no-empty", "--format", "%f=%v%n")
		return strings.Split(strings.TrimSpace(string(out)), "\n")
	}
	defaults := map[string]bool{}
	for _, l := range dump(none) {
		defaults[l] = true
	}
	var want []string
	for _, l := range dump("") {
		if !defaults[l] && !strings.HasPrefix(l, "Dir::Etc::main=") && !strings.HasPrefix(l, "Dir::Etc::parts=") {
			want = append(want, l)
		}
	}
	c, err := ReadConfig("/", "")
	if err != nil {
		t.Fatal(err)
	}
	ours := map[string]bool{}
	for _, l := range strings.Split(newConfig("/").dumpAll(), "\n") {
		ours[l] = true
	}
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(c.dumpAll()), "\n") {
		// apt-config replaces Acquire::Languages by the list it derives
		// from it and the locale: its dump cannot show what a file set.
		if !ours[l] && !strings.HasPrefix(l, "Acquire::Languages=") {
			got = append(got, l)
		}
	}
	slices.Sort(want)
	slices.Sort(got)
	if d := testtool.LineDiff(want, got); d != "" {
		t.Errorf("what the host's files set: apt-config (-), ReadConfig (+):\n%s", d)
	}
	t.Logf("%d values set by the host's files", len(got))
}

// TestConfigPaths: a -c file read last overrides the host's, and paths
// resolve through Dir, Dir::Etc and RootDir.
func TestConfigPaths(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"root/etc/apt/apt.conf.d/50x": `Dir::Etc::SourceParts "parts.d";`,
		"extra.conf":                  `Dir::Etc { SourceList "/abs/list"; Trusted ""; };`,
	})
	c, err := ReadConfig(filepath.Join(dir, "root"), "", filepath.Join(dir, "extra.conf"))
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(dir, "root")
	want := Paths{SourceList: root + "/abs/list", SourceParts: root + "/etc/apt/parts.d",
		TrustedParts: root + "/etc/apt/trusted.gpg.d"}
	if got := c.Paths(); got != want {
		t.Errorf("Paths:\n got %+v\nwant %+v", got, want)
	}
	if _, err := ReadConfig("/", "", filepath.Join(dir, "absent.conf")); err == nil || !strings.Contains(err.Error(), "absent.conf") {
		t.Errorf("a -c file that is not there: %v", err)
	}
	if got := DefaultPaths(""); got.SourceList != "/etc/apt/sources.list" || got.TrustedParts != "/etc/apt/trusted.gpg.d" {
		t.Errorf("DefaultPaths: %+v", got)
	}
}

// dump lists the values under top as apt-config dump --no-empty
// --format '%f=%v%n' TOP does: depth first, in the order items were
// first set.
func (c *Config) dump(top string) string {
	var b strings.Builder
	var walk func(it *confItem, name string)
	walk = func(it *confItem, name string) {
		if it.value != "" {
			b.WriteString(name + "=" + it.value + "\n")
		}
		for _, ch := range it.children {
			walk(ch, name+"::"+ch.tag)
		}
	}
	if it := c.lookup(top, false); it != nil {
		walk(it, it.tag)
	}
	return b.String()
}

// dumpAll is dump of every top-level name.
func (c *Config) dumpAll() string {
	var b strings.Builder
	for _, top := range c.root.children {
		b.WriteString(c.dump(top.tag))
	}
	return b.String()
}

// shellValue reads NAME='value' from apt-config shell's output.
func shellValue(out, name string) string {
	for _, line := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(line, name+"="); ok {
			return strings.Trim(v, "'")
		}
	}
	return ""
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		p := filepath.Join(dir, name)
		must(t, os.MkdirAll(filepath.Dir(p), 0o755))
		must(t, os.WriteFile(p, []byte(text+"\n"), 0o644))
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
