package apt

import (
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// releaseListing is a Release that lists names, each with the SHA256 of
// its name and a size of its length.
func releaseListing(t *testing.T, head string, names ...string) *Release {
	t.Helper()
	text := head + "SHA256:\n"
	for _, n := range names {
		text += fmt.Sprintf(" %x %d %s\n", sha256.Sum256([]byte(n)), len(n), n)
	}
	r, err := ParseRelease([]byte(text), "Release")
	if err != nil {
		t.Fatal(err)
	}
	r.Source = Source{URI: "http://h/debian", Suite: "s", Components: []string{"main"}}
	return r
}

func indexNames(ixs []Index) []string {
	var names []string
	for _, ix := range ixs {
		names = append(names, ix.Name)
	}
	return names
}

// TestArchitectureAll: binary-all is used as apt uses it, only when the
// Release lists architecture all and does not say that arch-all packages
// are in every architecture's index.
func TestArchitectureAll(t *testing.T) {
	files := []string{"main/binary-amd64/Packages.gz", "main/binary-all/Packages.xz", "main/binary-all/Packages"}
	for head, want := range map[string][]string{
		"Architectures: all amd64\n": {"main/binary-amd64/Packages.gz", "main/binary-all/Packages.xz"},
		"Architectures: all amd64\nNo-Support-for-Architecture-all: Packages\n": {"main/binary-amd64/Packages.gz"},
		"Architectures: amd64\n": {"main/binary-amd64/Packages.gz"},
	} {
		ixs, skipped := releaseListing(t, head, files...).Indexes([]string{"amd64"})
		if got := indexNames(ixs); len(skipped) > 0 || !slices.Equal(got, want) {
			t.Errorf("%q: indexes %q, skipped %q; want %q", head, got, skipped, want)
		}
	}
}

// TestIndexChoice: the most compressed listed form is chosen, with its
// by-hash path when the Release offers it and the source allows it; an
// index the Release does not list is an *Error saying what it offers.
func TestIndexChoice(t *testing.T) {
	files := []string{"main/binary-amd64/Packages", "main/binary-amd64/Packages.gz", "main/binary-amd64/Packages.bz2"}
	r := releaseListing(t, "Acquire-By-Hash: yes\nComponents: main\nArchitectures: amd64\n", files...)
	ix, err := r.Index("main", "amd64")
	if err != nil || ix.Name != "main/binary-amd64/Packages.gz" || ix.Path != "dists/s/main/binary-amd64/Packages.gz" {
		t.Fatalf("Index = %+v, %v", ix, err)
	}
	if want := "dists/s/main/binary-amd64/by-hash/SHA256/" + ix.SHA256; ix.ByHashPath != want {
		t.Errorf("by-hash path %s, want %s", ix.ByHashPath, want)
	}
	if ix.Content == nil || ix.Content.SHA256 != r.Files["main/binary-amd64/Packages"].SHA256 {
		t.Errorf("content hash %+v", ix.Content)
	}
	for option, byHash := range map[string]bool{"no": false, "force": true, "yes": true} {
		r.Source.ByHash = option
		if ix, _ := r.Index("main", "amd64"); (ix.ByHashPath != "") != byHash {
			t.Errorf("by-hash=%s: by-hash path %q", option, ix.ByHashPath)
		}
	}
	_, err = r.Index("contrib", "arm64")
	wantError(t, err, r.Source, "Release", "lists no contrib/binary-arm64/Packages", "components main, architectures amd64")
	// What the Release does not offer is skipped with a word, as apt does.
	r.Source.Components = []string{"main", "contrib"}
	ixs, skipped := r.Indexes([]string{"amd64", "riscv64"})
	if got := indexNames(ixs); !slices.Equal(got, []string{"main/binary-amd64/Packages.gz"}) || len(skipped) != 2 ||
		!strings.Contains(skipped[0], "architecture riscv64") || !strings.Contains(skipped[1], "skipping component contrib") {
		t.Errorf("indexes %q, skipped %q", got, skipped)
	}
}

// TestRepository: a manifest's repository becomes a Source like the
// equivalent deb line, and one that could not be verified is refused.
func TestRepository(t *testing.T) {
	s, err := Repository{URL: "http://h/debian/", Suite: "bookworm", Components: []string{"main"},
		Keyring: "/k.gpg", Architectures: []string{"arm64"}}.Source()
	line := parseLine(t, "deb [arch=arm64 signed-by=/k.gpg] http://h/debian bookworm main")
	line.Origin = "manifest"
	if err != nil || fmt.Sprint(s) != fmt.Sprint(line) || fmt.Sprintf("%+v", s) != fmt.Sprintf("%+v", line) {
		t.Errorf("Source() = %+v, %v; want %+v", s, err, line)
	}
	for _, tc := range []struct {
		r    Repository
		says string
	}{
		{Repository{URL: "http://h/", Suite: "s", Components: []string{"main"}}, "no keyring"},
		{Repository{URL: "http://h/", Suite: "s", Components: []string{"main"}, Keyring: "k.gpg"}, "not an absolute path"},
		{Repository{URL: "http://h/", Suite: "s", Keyring: "/k.gpg"}, "needs at least one component"},
		{Repository{URL: "h", Suite: "s/", Trusted: true}, "is not a URI"},
	} {
		if _, err := tc.r.Source(); err == nil || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%+v: %v, want %q", tc.r, err, tc.says)
		}
	}
}
