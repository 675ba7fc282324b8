package apt

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/supermin-compile/supermin-compile/internal/decompress"
	"github.com/supermin-compile/supermin-compile/resolver/deb"
)

// indexSuffixes is the order in which Packages files are preferred: the
// smallest to fetch first, among those internal/decompress reads.
var indexSuffixes = []string{".xz", ".gz", ".bz2", ".zst", ".lz4", ""}

// Index is one Packages file to fetch: where, and what it must hash to.
type Index struct {
	Component, Arch string // "" and "" for a flat repository
	Name            string // as the Release lists it: "main/binary-amd64/Packages.xz"
	Path            string // relative to the repository's URI: "dists/bookworm/main/..."
	// ByHashPath is the same file by its hash ("dists/bookworm/main/
	// binary-amd64/by-hash/SHA256/HASH"), which a mirror never changes
	// under a reader; "" when the Release does not offer it (or by-hash=no).
	ByHashPath string
	FileHash   // of the file as fetched
	// Content is the SHA256 and size of the uncompressed Packages, when
	// the Release lists it (it usually does); see CheckIndexContent.
	Content *FileHash
}

// Indexes returns the Packages files of every component of the source for
// the architectures it uses (Source.Arches of defaults), plus binary-all
// where apt fetches it: when the Release lists architecture "all" and does
// not say its arch-all packages are in every architecture's index. A flat
// repository has one index. Like apt, it skips what the Release does not
// offer (a component or architecture it lacks), saying so in skipped.
func (r *Release) Indexes(defaults []string) (indexes []Index, skipped []string) {
	if r.Source.Flat() {
		return r.collect(nil, nil, "", "")
	}
	arches := r.Source.Arches(defaults)
	if slices.Contains(r.Architectures, "all") && !slices.Contains(r.NoSupportForArchitectureAll, "Packages") && !slices.Contains(arches, "all") {
		arches = append(arches, "all")
	}
	for _, comp := range r.Source.Components {
		if !r.hasComponent(comp) {
			skipped = append(skipped, fmt.Sprintf("%s: skipping component %s: the Release lists only %s", r.Source, comp, orNone(r.Components)))
			continue
		}
		for _, arch := range arches {
			indexes, skipped = r.collect(indexes, skipped, comp, arch)
		}
	}
	return indexes, skipped
}

// collect appends the index for comp and arch, or says why there is none.
func (r *Release) collect(indexes []Index, skipped []string, comp, arch string) ([]Index, []string) {
	ix, err := r.Index(comp, arch)
	switch {
	case err == nil:
		indexes = append(indexes, ix)
	case len(r.Architectures) > 0 && !slices.Contains(r.Architectures, arch):
		skipped = append(skipped, fmt.Sprintf("%s: skipping %s: the repository does not support architecture %s", r.Source, comp, arch))
	case len(r.Architectures) > 0 || arch == "all":
		// A supported architecture without packages, as apt: nothing to say.
	default:
		skipped = append(skipped, err.Error())
	}
	return indexes, skipped
}

// hasComponent is apt's HasSupportForComponent: a Release that lists
// "updates/main" supports "main" too.
func (r *Release) hasComponent(comp string) bool {
	if len(r.Components) == 0 {
		return true
	}
	for _, c := range r.Components {
		if c == comp || c[strings.LastIndexByte(c, '/')+1:] == comp {
			return true
		}
	}
	return false
}

// Index returns the Packages file for one component and architecture (both
// "" for a flat repository): the first of Packages.xz, .gz, .bz2, .zst,
// .lz4 and Packages that the Release lists.
func (r *Release) Index(component, arch string) (Index, error) {
	base := "Packages"
	if !r.Source.Flat() {
		base = path.Join(component, "binary-"+arch, "Packages")
	}
	for _, suffix := range indexSuffixes {
		name := base + suffix
		fh, ok := r.Files[name]
		if !ok {
			continue
		}
		ix := Index{Component: component, Arch: arch, Name: name, Path: r.Source.Dir() + name, FileHash: fh}
		if r.useByHash() {
			ix.ByHashPath = ix.Path[:strings.LastIndexByte(ix.Path, '/')+1] + "by-hash/SHA256/" + fh.SHA256
		}
		if plain, ok := r.Files[base]; ok {
			ix.Content = &plain
		}
		return ix, nil
	}
	return Index{}, &Error{Repo: r.Source.String(), File: r.File,
		Reason: fmt.Sprintf("lists no %s (component %q, architecture %q): the Release offers %s", base, component, arch, r.offer())}
}

// useByHash applies the source's by-hash option to the Release's offer.
func (r *Release) useByHash() bool {
	switch r.Source.ByHash {
	case "force":
		return true
	case "", "yes", "true", "on", "1", "with", "enable":
		return r.AcquireByHash
	}
	return false
}

// offer summarises the components and architectures a Release has.
func (r *Release) offer() string {
	return fmt.Sprintf("components %s, architectures %s", orNone(r.Components), orNone(r.Architectures))
}

func orNone(words []string) string {
	if len(words) == 0 {
		return "(none listed)"
	}
	return strings.Join(words, " ")
}

// plainName is the Release's name of ix uncompressed.
func (ix Index) plainName() string {
	return strings.TrimSuffix(ix.Name, path.Ext(ix.Name))
}

// CheckIndex checks a fetched index file (the bytes of ix.Path or
// ix.ByHashPath) against the Release's SHA256 and size.
func (r *Release) CheckIndex(ix Index, file string) error {
	return r.checkHash(file, ix.Path, ix.FileHash, false)
}

// CheckIndexContent checks an index file whatever its compression against
// the Release's SHA256 and size of the uncompressed Packages: apt keeps
// its lists recompressed (/var/lib/apt/lists/*_Packages.lz4), so only
// their content can be checked.
func (r *Release) CheckIndexContent(ix Index, file string) error {
	if ix.Content == nil {
		return &Error{Repo: r.Source.String(), File: file,
			Reason: fmt.Sprintf("the Release (%s) lists no uncompressed %s to check its content against", r.File, ix.plainName())}
	}
	return r.checkHash(file, r.Source.Dir()+ix.plainName(), *ix.Content, true)
}

// checkHash streams file (decompressed if asked) and compares it with
// want, the Release's entry for name.
func (r *Release) checkHash(file, name string, want FileHash, decompressed bool) error {
	sum, size, err := hashFile(file, decompressed)
	fail := func(format string, args ...any) error {
		return &Error{Repo: r.Source.String(), File: file, Reason: fmt.Sprintf(format, args...)}
	}
	what := "is"
	if decompressed {
		what = "decompressed is"
	}
	switch {
	case err != nil:
		return fail("%v", err)
	case size != want.Size:
		return fail("%s %d bytes, the Release (%s) says %d for %s", what, size, r.File, want.Size, name)
	case sum != want.SHA256:
		return fail("SHA256 %s, the Release (%s) says %s for %s", sum, r.File, want.SHA256, name)
	}
	return nil
}

// hashFile returns the SHA256 and size of file's bytes, or of its
// decompressed content.
func hashFile(file string, decompressed bool) (string, int64, error) {
	f, err := os.Open(file)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	var r io.Reader = f
	if decompressed {
		z, err := decompress.New(f)
		if err != nil {
			return "", 0, err
		}
		defer z.Close()
		r = z
	}
	h := sha256.New()
	n, err := io.Copy(h, r)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// CheckDeb checks a fetched .deb against its Packages entry's Size and
// SHA256, as resolver/deb checks every archive it reads from an index. An
// entry without a SHA256 is refused: nothing unverified is used.
func (s Source) CheckDeb(file string, size int64, sha256 string) error {
	if !isSHA256(strings.ToLower(sha256)) {
		return &Error{Repo: s.String(), File: file, Reason: fmt.Sprintf("its index entry has no SHA256 (%q) to check it against", sha256)}
	}
	if err := deb.VerifyArchive(file, size, sha256); err != nil {
		return &Error{Repo: s.String(), File: file, Reason: strings.TrimPrefix(err.Error(), file+": ")}
	}
	return nil
}
