package apt

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp/armor"
)

// maxReleaseSize bounds the Release files read into memory; the largest
// archives' are well under 1 MiB.
const maxReleaseSize = 32 << 20

// maxFutureDate is how far in the future a Release's Date may be: apt's
// Acquire::Max-FutureTime default.
const maxFutureDate = 10 * time.Second

// Error is a verification failure: the repository, the file and what did
// not match.
type Error struct {
	Repo   string // "URI SUITE"
	File   string
	Reason string
}

func (e *Error) Error() string {
	return fmt.Sprintf("apt repository %s: %s: %s", e.Repo, e.File, e.Reason)
}

// Verifier checks what a repository serves against the keys it trusts.
type Verifier struct {
	Source  Source
	Keyring *Keyring         // from Source.Keyring; may be nil only when Source.Trusted is TrustYes
	Now     func() time.Time // nil: time.Now; for Valid-Until, Date and key expiry
}

func (v *Verifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

func (v *Verifier) fail(file, format string, args ...any) *Error {
	return &Error{Repo: v.Source.String(), File: file, Reason: fmt.Sprintf(format, args...)}
}

// InRelease verifies a clearsigned InRelease file and returns the Release
// it signs. Only the signed text is parsed; a file with anything outside
// the signed block is refused.
func (v *Verifier) InRelease(file string) (*Release, error) {
	data, err := readRelease(file)
	if err != nil {
		return nil, v.fail(file, "%v", err)
	}
	cs, err := splitClearsigned(data)
	if errors.Is(err, errUnsigned) && v.Source.Trusted == TrustYes {
		return v.release(file, data, nil, []string{"InRelease is not signed (trusted=yes)"})
	}
	if err != nil {
		return nil, v.fail(file, "%v", err)
	}
	signers, warnings, err := v.signatures(cs.canonical, cs.signature)
	if err != nil {
		return nil, v.fail(file, "%v", err)
	}
	return v.release(file, cs.text, signers, warnings)
}

// Release verifies a Release file against its detached signature
// (Release.gpg, armoured or binary). signature "" means the repository
// offers none, which only trusted=yes accepts.
func (v *Verifier) Release(file, signature string) (*Release, error) {
	data, err := readRelease(file)
	if err != nil {
		return nil, v.fail(file, "%v", err)
	}
	if signature == "" {
		if v.Source.Trusted != TrustYes {
			return nil, v.fail(file, "the repository is not signed (no InRelease, no Release.gpg); only trusted=yes accepts that")
		}
		return v.release(file, data, nil, []string{"Release is not signed (trusted=yes)"})
	}
	sig, err := readSignature(signature)
	if err != nil {
		return nil, v.fail(signature, "%v", err)
	}
	signers, warnings, err := v.signatures(data, sig)
	if err != nil {
		return nil, v.fail(signature, "%v, over %s", err, file)
	}
	return v.release(file, data, signers, warnings)
}

// signatures applies the trust rules to a signed file. A trusted=yes
// source goes on without a good signature, with a warning.
func (v *Verifier) signatures(signed, sig []byte) (signers, warnings []string, err error) {
	switch {
	case v.Source.Trusted == TrustNo:
		return nil, nil, errors.New("the source says trusted=no")
	case v.Keyring != nil:
		signers, err = checkSignatures(v.Keyring, signed, sig, v.now())
	default:
		err = errors.New("no keyring to check the signature with")
	}
	if err != nil && v.Source.Trusted == TrustYes {
		return nil, []string{"signature not verified (trusted=yes): " + err.Error()}, nil
	}
	return signers, nil, err
}

// release parses verified text and applies the checks apt makes of a
// Release's contents.
func (v *Verifier) release(file string, text []byte, signers, warnings []string) (*Release, error) {
	if v.Source.Trusted == TrustNo {
		return nil, v.fail(file, "the source says trusted=no")
	}
	r, err := ParseRelease(text, file)
	if err != nil {
		return nil, v.fail(file, "%v", strings.TrimPrefix(err.Error(), file+": "))
	}
	r.Source, r.SignedBy = v.Source, signers
	r.Warnings = append(warnings, r.Warnings...)
	if err := v.checkDates(r); err != nil {
		return nil, v.fail(file, "%v", err)
	}
	if !r.isDist(v.Source.Suite) {
		// apt warns ("Conflicting distribution") and goes on.
		r.Warnings = append(r.Warnings, fmt.Sprintf("conflicting distribution: expected %s but got %s (Suite %s)", v.Source.Suite, r.Codename, r.Suite))
	}
	return r, nil
}

// isDist is apt's metaIndex::CheckDist: whether a sources.list suite names
// this Release, by its Codename or Suite, ignoring a last "/part" (as in
// "bookworm/updates") and a flat repository's path.
func (r *Release) isDist(dist string) bool {
	if dist == "" || dist == r.Codename || dist == r.Suite {
		return true
	}
	if dist == "../project/experimental" {
		dist = "experimental"
	}
	if i := strings.LastIndexByte(dist, '/'); i >= 0 {
		dist = dist[:i]
	}
	return dist == "" || dist == "." || dist == r.Codename || dist == r.Suite
}

// checkDates refuses an expired Release, and one dated in the future, as
// apt does unless check-valid-until or check-date say no.
func (v *Verifier) checkDates(r *Release) error {
	if !v.Source.CheckDate {
		return nil
	}
	now := v.now()
	if !r.Date.IsZero() && r.Date.Sub(now) > maxFutureDate {
		return fmt.Errorf("not valid yet: its Date is %s, in the future (now %s)", stamp(r.Date), stamp(now))
	}
	if v.Source.CheckValidUntil && !r.ValidUntil.IsZero() && now.After(r.ValidUntil) {
		return fmt.Errorf("expired: Valid-Until %s is past (now %s); a mirror that stopped updating, or a replayed old Release", stamp(r.ValidUntil), stamp(now))
	}
	return nil
}

func stamp(t time.Time) string { return t.UTC().Format("Mon, 02 Jan 2006 15:04:05 UTC") }

// readRelease reads a Release or InRelease file, bounded.
func readRelease(file string) ([]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxReleaseSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxReleaseSize {
		return nil, fmt.Errorf("over %d MiB: not a Release file", maxReleaseSize>>20)
	}
	return data, nil
}

// readSignature reads a detached signature, armoured or binary.
func readSignature(file string) ([]byte, error) {
	data, err := readRelease(file)
	if err != nil {
		return nil, err
	}
	if !bytes.HasPrefix(bytes.TrimSpace(data), []byte(beginSignature)) {
		return data, nil
	}
	block, err := armor.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("armoured signature: %w", err)
	}
	if block.Type != "PGP SIGNATURE" {
		return nil, fmt.Errorf("armoured block is a %s, not a signature", block.Type)
	}
	return io.ReadAll(block.Body)
}
