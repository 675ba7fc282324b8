package apt

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
)

// Source is one repository apt fetches from: a deb line of a .list file, or
// one URI and suite of a deb822 stanza, with one or more components.
type Source struct {
	URI        string   // base of the archive, without a trailing "/"
	Suite      string   // "bookworm", or an exact path ending in "/" (flat)
	Components []string // none for a flat repository

	// Architectures replaces the default list (arch=, Architectures);
	// ArchAdd and ArchRemove modify it (arch+=, arch-=, Architectures-Add,
	// Architectures-Remove). See Arches.
	Architectures, ArchAdd, ArchRemove []string

	SignedBy SignedBy
	Trusted  Trust

	// CheckValidUntil and CheckDate are apt's check-valid-until and
	// check-date (both default yes); "no" is for historic archives such as
	// snapshots. Without CheckDate neither Date nor Valid-Until is checked.
	CheckValidUntil, CheckDate bool

	// ByHash is apt's by-hash option: "" or "yes" uses by-hash paths when
	// the Release offers them, "no" never, "force" always.
	ByHash string

	Origin string // where it is defined ("/etc/apt/sources.list:3"), for messages
}

// SignedBy is what a source's signed-by option names: keyring files and
// fingerprints that select keys from them (or from the default keyrings),
// or one inline ASCII-armoured key block.
type SignedBy struct {
	Keyrings     []string // absolute paths
	Fingerprints []string // 40 upper-case hex digits; a trailing "!" excludes subkeys
	Inline       string   // an armoured public key block
}

// Trust is apt's tri-state trusted option.
type Trust int

const (
	TrustDefault Trust = iota // verify the signature
	TrustYes                  // trusted=yes: accept even without a valid signature
	TrustNo                   // trusted=no: refuse even with a valid signature
)

// newSource returns a source with apt's defaults.
func newSource(origin string) Source {
	return Source{CheckValidUntil: true, CheckDate: true, Origin: origin}
}

// Flat says whether s is a flat repository: an exact path, no components.
func (s Source) Flat() bool { return strings.HasSuffix(s.Suite, "/") }

// String names the repository in messages: "URI SUITE".
func (s Source) String() string { return s.URI + " " + s.Suite }

// Dir is the directory of the Release files and indexes, relative to
// URI and ending in "/": "dists/SUITE/", or for a flat repository the
// suite as written ("./" stays "./", as apt keeps it).
func (s Source) Dir() string {
	if s.Flat() {
		return s.Suite
	}
	return "dists/" + s.Suite + "/"
}

// InReleasePath, ReleasePath and SignaturePath are the Release files'
// paths relative to URI.
func (s Source) InReleasePath() string { return s.Dir() + "InRelease" }
func (s Source) ReleasePath() string   { return s.Dir() + "Release" }
func (s Source) SignaturePath() string { return s.Dir() + "Release.gpg" }

// URL joins a path relative to the repository (as the methods above and
// Index return) to its URI.
func (s Source) URL(rel string) string { return s.URI + "/" + rel }

// Arches returns the architectures whose indexes s uses: its own list, or
// defaults (the host's, APT::Architectures), with ArchAdd and ArchRemove
// applied.
func (s Source) Arches(defaults []string) []string {
	arches := slices.Clone(defaults)
	if s.Architectures != nil {
		arches = slices.Clone(s.Architectures)
	}
	for _, a := range s.ArchAdd {
		if !slices.Contains(arches, a) {
			arches = append(arches, a)
		}
	}
	return slices.DeleteFunc(arches, func(a string) bool { return slices.Contains(s.ArchRemove, a) })
}

// check refuses a source apt would call malformed.
func (s Source) check() error {
	switch {
	case s.URI == "" || !strings.Contains(s.URI, ":"):
		return fmt.Errorf("URI %q is not a URI", s.URI)
	case s.Suite == "":
		return errors.New("no suite")
	case s.Flat() && len(s.Components) > 0:
		return fmt.Errorf("suite %q is an exact path (ends in /), so it takes no components", s.Suite)
	case !s.Flat() && len(s.Components) == 0:
		return fmt.Errorf("suite %q needs at least one component", s.Suite)
	}
	return nil
}

// Repository is a repository a manifest lists itself, so that a checked-in
// manifest does not depend on the runner's apt configuration.
type Repository struct {
	URL           string   // "http://deb.debian.org/debian"
	Suite         string   // "bookworm", or "path/" for a flat repository
	Components    []string // "main", ...; none for a flat repository
	Keyring       string   // keyring file (binary .gpg or armoured .asc); absolute
	Architectures []string // none: the build's architecture
	// Trusted skips signature verification, like apt's trusted=yes: for a
	// local repository only; hashes are still checked.
	Trusted bool
}

// Source turns r into a Source, refusing what apt would refuse and a
// repository that has neither a keyring nor Trusted.
func (r Repository) Source() (Source, error) {
	s := newSource("manifest")
	s.URI, s.Suite = strings.TrimRight(r.URL, "/"), r.Suite
	s.Components = slices.Clone(r.Components)
	s.Architectures = slices.Clone(r.Architectures)
	if r.Trusted {
		s.Trusted = TrustYes
	}
	switch {
	case r.Keyring != "" && !filepath.IsAbs(r.Keyring):
		return s, fmt.Errorf("repository %s: keyring %q is not an absolute path", r.URL, r.Keyring)
	case r.Keyring != "":
		s.SignedBy.Keyrings = []string{r.Keyring}
	case !r.Trusted:
		return s, fmt.Errorf("repository %s: no keyring to verify it with (or trusted = true for a local repository)", r.URL)
	}
	if err := s.check(); err != nil {
		return s, fmt.Errorf("repository %s: %w", r.URL, err)
	}
	return s, nil
}
