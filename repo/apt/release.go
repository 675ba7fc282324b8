package apt

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/supermin-compile/supermin-compile/internal/deb822"
)

// Release is a repository's Release file: what it is, until when, and the
// SHA256 and size of every file it lists.
type Release struct {
	Source Source // the repository it was verified for
	File   string // the file it was read from, for messages

	Origin, Label, Suite, Codename, Version string
	Date, ValidUntil                        time.Time // zero when absent
	AcquireByHash                           bool
	Architectures, Components               []string
	// NoSupportForArchitectureAll lists the index kinds ("Packages") whose
	// arch-all packages are in each architecture's index, not binary-all.
	NoSupportForArchitectureAll []string

	Files map[string]FileHash // the SHA256 section, by name relative to the Release

	// SignedBy holds the fingerprints of the keys that made good
	// signatures; empty for a trusted=yes repository read unsigned.
	SignedBy []string
	// Warnings are what apt warns about and goes on: a suite that is
	// neither the Release's Suite nor its Codename, a signature that
	// failed on a trusted=yes repository.
	Warnings []string
}

// FileHash is the SHA256 and size a Release gives a file.
type FileHash struct {
	SHA256 string // 64 lower-case hex digits
	Size   int64
}

// releaseFields are the fields kept, in this order.
var releaseFields = []string{"Origin", "Label", "Suite", "Codename", "Version", "Date", "Valid-Until",
	"Acquire-By-Hash", "Architectures", "Components", "No-Support-for-Architecture-all", "SHA256"}

// errFirstParagraph stops parsing after the first paragraph: apt reads
// only that one.
var errFirstParagraph = errors.New("first paragraph read")

// ParseRelease parses the text of a Release file, signed or not: callers
// verify first (Verifier), this only reads. name is for messages. A
// Release without a SHA256 section is an error: nothing it lists could be
// checked (apt requires a strong hash too).
func ParseRelease(text []byte, name string) (*Release, error) {
	r := &Release{File: name}
	p := deb822.NewParagraph(releaseFields...)
	seen := false
	err := deb822.Parse(bytes.NewReader(text), p, func(p *deb822.Paragraph) error {
		seen = true
		if err := r.fill(p); err != nil {
			return fmt.Errorf("line %d: %w", p.Line(), err)
		}
		return errFirstParagraph
	})
	switch {
	case err != nil && err != errFirstParagraph:
		return nil, fmt.Errorf("%s: %w", name, err)
	case !seen:
		return nil, fmt.Errorf("%s: no fields: not a Release file", name)
	case r.Files == nil:
		return nil, fmt.Errorf("%s: no SHA256 section: nothing it lists could be verified", name)
	}
	return r, nil
}

func (r *Release) fill(p *deb822.Paragraph) error {
	str := func(i int) string { return string(p.Get(i)) }
	r.Origin, r.Label, r.Suite, r.Codename, r.Version = str(0), str(1), str(2), str(3), str(4)
	// apt warns about a Date it cannot read and goes on without it.
	var err error
	if r.Date, err = parseDate(str(5)); err != nil {
		r.Warnings = append(r.Warnings, fmt.Sprintf("Date: %v; not checked", err))
	}
	if v := p.Get(6); len(v) > 0 {
		if r.ValidUntil, err = parseDate(string(v)); err != nil {
			return fmt.Errorf("Valid-Until: %w", err)
		}
	}
	r.AcquireByHash, _ = parseBool(str(7))
	r.Architectures = strings.Fields(str(8))
	r.Components = strings.Fields(str(9))
	r.NoSupportForArchitectureAll = strings.Fields(str(10))
	if v := p.Get(11); v != nil {
		return r.parseSHA256(v)
	}
	return nil
}

// parseSHA256 reads the SHA256 section's lines: "HASH SIZE NAME".
func (r *Release) parseSHA256(v []byte) error {
	r.Files = map[string]FileHash{}
	for n, line := range strings.Split(string(v), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if len(f) != 3 {
			return fmt.Errorf("SHA256 line %d: want HASH SIZE NAME, got %q", n+1, line)
		}
		sum, name := strings.ToLower(f[0]), f[2]
		size, err := strconv.ParseInt(f[1], 10, 64)
		switch {
		case !isSHA256(sum):
			return fmt.Errorf("SHA256 line %d: %q is not a SHA256", n+1, f[0])
		case err != nil || size < 0:
			return fmt.Errorf("SHA256 line %d: size %q is not a number of bytes", n+1, f[1])
		}
		r.Files[name] = FileHash{SHA256: sum, Size: size}
	}
	return nil
}

func isSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// parseDate reads a Release date as apt does: RFC 1123 in UTC
// ("Sat, 11 Jul 2026 10:16:37 UTC"), the zone written GMT, UTC, Z or as a
// zero offset.
func parseDate(v string) (time.Time, error) {
	f := strings.Fields(v)
	if len(f) != 6 {
		return time.Time{}, fmt.Errorf("%q is not a date like \"Sat, 11 Jul 2026 10:16:37 UTC\"", v)
	}
	switch zone := f[5]; zone {
	case "GMT", "UTC", "Z", "+0000", "-0000", "0":
	default:
		return time.Time{}, fmt.Errorf("%q: the time zone %q is not UTC", v, zone)
	}
	t, err := time.Parse("Mon, 2 Jan 2006 15:04:05", strings.Join(f[:5], " "))
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date like \"Sat, 11 Jul 2026 10:16:37 UTC\"", v)
	}
	return t, nil
}
