package apt

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// A configuration with what sources.list(5) allows: options, comments,
// tabs, deb-src, flat repositories, credentials and odd characters in a
// URI, several URIs and suites per stanza, Enabled: no, an inline key.
var testConfig = map[string]string{
	"sources.list": `# the main archive
deb [ arch=amd64,i386 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg ] http://example.org/debian bookworm main contrib # main, contrib
deb-src http://src.example.org/debian bookworm main
deb	http://example.org/flat ./
deb [arch+=arm64 arch-=amd64] https://user:secret@example.org/~me/repo/ sid main
deb [trusted=yes] file:/srv/repo sid main

deb http://example.org/sub flat/sub/
`,
	"sources.list.d/x.sources": `Types: deb deb-src
URIs: http://a.example.org/debian http://b.example.org/debian/
Suites: bookworm bookworm-updates
# a comment inside a stanza
Components: main non-free
Architectures: arm64

Types: deb
URIs: http://c.example.org/
Suites: stable
Components: main
Enabled: no

Types: deb
URIs: http://d.example.org/x
Suites: flat/
Architectures-Add: i386
Signed-By:
 -----BEGIN PGP PUBLIC KEY BLOCK-----
 .
 mDMEYCQjIxYJKwYBBAHaRw8BAQdAD/P5Nvvnvk66SxBBHDbhRml9ORg1WV5CvzKY
 CuMfoIS0BmFiY2RlZoiQBBMWCgA4FiEErCIG1VhKWMWo2yfAREZd5NfO31cFAmAk
 IyMCGyMFCwkIBwMFFQoJCAsFFgIDAQACHgECF4AACgkQREZd5NfO31fbOwD6ArzS
 dM0Dkd5h2Ujy1b6KcAaVW9FOa5UNfJ9FFBtjLQEBAJ7UyWD3dZzhvlaAwunsk7DG
 3bHcln8DMpIJVXht78sL
 =IE0r
 -----END PGP PUBLIC KEY BLOCK-----
`,
	"sources.list.d/y.list":        "deb-src http://src.example.org/debian sid main\n",
	"sources.list.d/bad name.list": "deb http://never.example.org/ x main\n",
	"sources.list.d/z.disabled":    "deb http://never.example.org/ y main\n",
}

// TestSourcesLikeApt: ReadHost sees the repositories, components,
// architectures, URLs and list file names apt-get indextargets sees in
// the same configuration.
func TestSourcesLikeApt(t *testing.T) {
	root := aptConfig(t, testConfig)
	h, err := ReadHost(root)
	if err != nil {
		t.Fatal(err)
	}
	arches := []string{"amd64"}
	want := aptTargets(t, root, false, arches)
	if len(want) == 0 {
		t.Fatal("apt-get indextargets lists nothing")
	}
	t.Logf("%d targets, e.g. %s", len(want), want[len(want)-1])
	if d := testtool.LineDiff(want, ourTargets(h, arches)); d != "" {
		t.Errorf("apt-get indextargets (-) and ReadHost (+) differ:\n%s", d)
	}
	if len(h.Notes) != 1 || !strings.Contains(h.Notes[0], "bad name.list") {
		t.Errorf("notes %q, want one about the invalid file name", h.Notes)
	}
	flat := h.Sources[len(h.Sources)-1]
	if kr, err := flat.Keyring(root); err != nil || kr.Len() != 1 {
		t.Errorf("inline Signed-By key: %v, %v", kr, err)
	}
}

// aptTargets lists the Packages index targets apt-get indextargets gives
// for root's configuration ("/": the host's, with the Release files apt
// has; else every configured target, for arches), one line each as
// ourTargets writes them. The implicit binary-all targets that apt lists
// before it has seen a Release are left out.
func aptTargets(t testing.TB, root string, host bool, arches []string) []string {
	t.Helper()
	testtool.Need(t, "apt-get")
	args := []string{"indextargets", "--format", "$(REPO_URI) $(RELEASE) $(COMPONENT) $(ARCHITECTURE) $(SOURCESENTRY) $(FILENAME) $(URI)"}
	if !host {
		args = append(args, aptOptions(root)...)
		args = append(args, "-o", "APT::Get::IndexTargets::ReleaseInfo=false", "-o", "APT::Architecture="+arches[0])
		for _, a := range arches {
			args = append(args, "-o", "APT::Architectures::="+a)
		}
	}
	out := testtool.Output(t, []string{"LC_ALL=C"}, "apt-get", append(args, "Created-By: Packages")...)
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if f := strings.Fields(l); len(f) > 3 && (host || f[3] != "all") {
			lines = append(lines, l)
		}
	}
	slices.Sort(lines)
	return lines
}

// ourTargets writes h's Packages targets as aptTargets does, composing
// the URLs from Source's path methods.
func ourTargets(h *Host, arches []string) []string {
	var lines []string
	for _, s := range h.Sources {
		comps, archs := s.Components, s.Arches(arches)
		if s.Flat() {
			comps, archs = []string{"$(COMPONENT)"}, []string{"$(ARCHITECTURE)"}
		}
		for _, c := range comps {
			for _, a := range archs {
				rel := s.Dir() + c + "/binary-" + a + "/Packages"
				if s.Flat() {
					rel = s.Dir() + "Packages"
				}
				lines = append(lines, fmt.Sprintf("%s/ %s %s %s %s %s %s", s.URI, s.Suite, c, a, s.Origin, ListFile(h.Root, s, rel), s.URL(rel)))
			}
		}
	}
	slices.Sort(lines)
	return lines
}

// TestParseErrors: what apt refuses as malformed is an error naming the
// file and line (or stanza).
func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ file, text, says string }{
		{"a.list", "deb http://x/ bookworm\n", "a.list:1: suite \"bookworm\" needs at least one component"},
		{"a.list", "\ndeb http://x/ flat/ main\n", "a.list:2: suite \"flat/\" is an exact path"},
		{"a.list", "deb [arch=amd64 http://x/ s main\n", "a.list:1: options: [ without ]"},
		{"a.list", "deb [arch] http://x/ s main\n", "not key=value"},
		{"a.list", "rpm http://x/ s main\n", "type \"rpm\" is not known"},
		{"a.list", "deb http://x/\n", "want URI and suite"},
		{"a.list", "deb [signed-by=key.gpg] http://x/ s main\n", "neither an absolute keyring path nor a 40-digit fingerprint"},
		{"a.list", "deb [trusted=maybe] http://x/ s main\n", "option trusted: \"maybe\" is neither yes nor no"},
		{"a.list", "deb nouri s main\n", "URI \"nouri\" is not a URI"},
		{"b.sources", "Types: deb\nURIs: http://x/\nSuites: s\n", "b.sources: stanza 1 (line 1): suite \"s\" needs at least one component"},
		{"b.sources", "Types: deb\n\nTypes: deb\nURIs: http://x/\n", "b.sources: stanza 1 (line 1): URIs and Suites are needed"},
		{"b.sources", "URIs: http://x/\nSuites: s\nComponents: main\n", "no Types"},
		{"b.sources", " continued\n", "b.sources:1: continuation line outside a field"},
		{"b.sources", "Types: deb\nTypes: deb\n", "b.sources:2: field types given twice"},
		{"b.sources", "Types: deb\nEnabled: perhaps\n", "Enabled: \"perhaps\" is neither yes nor no"},
	} {
		parse := ParseList
		if strings.HasSuffix(tc.file, ".sources") {
			parse = ParseSources
		}
		_, err := parse(strings.NewReader(tc.text), tc.file)
		if err == nil || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s %q: error %v, want %q", tc.file, tc.text, err, tc.says)
		}
	}
}

// TestHostSources: the host's real configuration parses, and ReadHost
// sees what apt-get indextargets sees (with the Release files apt
// fetched): every index, its URL and the list file apt keeps it in.
func TestHostSources(t *testing.T) {
	h := hostWithLists(t)
	if len(h.Sources) == 0 {
		t.Fatal("no sources on this host")
	}
	want := aptTargets(t, "/", true, nil)
	var got []string
	for _, s := range h.Sources {
		rel := releaseFromLists(t, h, s)
		ixs, _ := rel.Indexes(hostArches(t))
		for _, ix := range ixs {
			file := ListIndex("/", s, ix)
			if file == "" {
				t.Errorf("%s: no list file for %s", s, ix.Name)
				continue
			}
			c, a := ix.Component, ix.Arch
			if s.Flat() {
				c, a = "$(COMPONENT)", "$(ARCHITECTURE)"
			}
			got = append(got, fmt.Sprintf("%s/ %s %s %s %s %s %s", s.URI, s.Suite, c, a, s.Origin, file, s.URL(s.Dir()+ix.plainName())))
		}
	}
	slices.Sort(got)
	if d := testtool.LineDiff(want, got); d != "" {
		t.Errorf("apt-get indextargets (-) and ReadHost with the Releases (+) differ:\n%s", d)
	}
}

// hostArches is what apt fetches indexes for on this host: dpkg's native
// architecture and its foreign ones.
func hostArches(t testing.TB) []string {
	out := testtool.Output(t, nil, "dpkg", "--print-foreign-architectures")
	return append([]string{hostArch(t)}, strings.Fields(string(out))...)
}

// hostWithLists reads the host's configuration, running apt-get update
// first when apt has no lists yet.
func hostWithLists(t testing.TB) *Host {
	t.Helper()
	testtool.Need(t, "apt-get", "dpkg")
	h, err := ReadHost("/")
	if err != nil {
		t.Fatal(err)
	}
	if lists, _ := filepath.Glob("/var/lib/apt/lists/*Release"); len(lists) == 0 {
		aptGetUpdate(t)
	}
	return h
}

// aptGetUpdate refreshes the host's lists.
func aptGetUpdate(t testing.TB) {
	t.Helper()
	testtool.Root(t)
	if out, err := exec.Command("apt-get", "update", "-q").CombinedOutput(); err != nil {
		testtool.Unavailable(t, "apt-get update: "+err.Error()+"\n"+string(out))
	}
}

// releaseFromLists verifies apt's copy of s's InRelease (or Release and
// Release.gpg) against the keys s trusts, at the current time. A Release
// apt fetched long ago may have expired: then the lists are refreshed
// once, as apt-get update would.
func releaseFromLists(t testing.TB, h *Host, s Source) *Release {
	t.Helper()
	kr, err := s.Keyring(h.Root)
	if err != nil {
		t.Fatal(err)
	}
	v := &Verifier{Source: s, Keyring: kr}
	read := func() (*Release, error) {
		in := ListFile(h.Root, s, s.InReleasePath())
		if _, err := os.Stat(in); err == nil {
			return v.InRelease(in)
		}
		return v.Release(ListFile(h.Root, s, s.ReleasePath()), ListFile(h.Root, s, s.SignaturePath()))
	}
	rel, err := read()
	if err != nil && strings.Contains(err.Error(), "expired: Valid-Until") {
		aptGetUpdate(t)
		rel, err = read()
	}
	if err != nil {
		t.Fatalf("apt's own list of %s does not verify: %v", s, err)
	}
	return rel
}

// TestHostReleases: the InRelease files apt fetched on this host verify
// against the host's keyrings, and so do the indexes apt keeps.
func TestHostReleases(t *testing.T) {
	h := hostWithLists(t)
	for _, s := range h.Sources {
		rel := releaseFromLists(t, h, s)
		if len(rel.SignedBy) == 0 || len(rel.Warnings) > 0 {
			t.Errorf("%s: signed by %v, warnings %q", s, rel.SignedBy, rel.Warnings)
		}
		t.Logf("%s: %s, signed by %s, %d files", s, rel.File, strings.Join(rel.SignedBy, " "), len(rel.Files))
		ixs, skipped := rel.Indexes(hostArches(t))
		if len(ixs) == 0 {
			t.Errorf("%s: no index (%q)", s, skipped)
		}
		for _, ix := range ixs {
			if err := rel.CheckIndexContent(ix, ListIndex(h.Root, s, ix)); err != nil {
				t.Error(err)
			}
		}
	}
}
