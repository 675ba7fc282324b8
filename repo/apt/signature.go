package apt

import (
	"bytes"
	"crypto"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	pgperrors "github.com/ProtonMail/go-crypto/openpgp/errors"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// maxSignatures bounds the signature packets read from one signature.
const maxSignatures = 64

// untrustedDigests are the digests apt's gpgv method calls untrusted: a
// signature made with one counts as no signature.
var untrustedDigests = map[crypto.Hash]string{crypto.MD5: "MD5", crypto.SHA1: "SHA1", crypto.RIPEMD160: "RIPE-MD/160"}

// verdict sorts a file's signatures as apt's gpgv method does.
type verdict struct {
	good      []string // fingerprints of the keys that made good signatures
	bad       []string // signatures that do not match the text: always fatal
	worthless []string // valid but unusable: expired or revoked key, weak algorithm
	unknown   []string // by keys that are not in the keyring
}

// checkSignatures checks every signature in sigs over signed. It succeeds
// when at least one is good and none is bad, as apt requires; signatures
// by keys outside the keyring are then ignored (archives are often signed
// by several keys). The error says what each signature was.
func checkSignatures(kr *Keyring, signed, sigs []byte, now time.Time) ([]string, error) {
	issuers, err := signatureIssuers(sigs)
	if err != nil {
		return nil, err
	}
	var v verdict
	for _, is := range issuers {
		v.judge(kr, is, signed, sigs, now)
	}
	switch {
	case len(v.bad) > 0:
		return nil, errors.New("bad signature: " + strings.Join(v.bad, "; "))
	case len(v.good) > 0:
		return v.good, nil
	}
	reasons := append(v.worthless, v.unknown...)
	return nil, errors.New("no good signature: " + strings.Join(reasons, "; "))
}

// issuer names the key that made a signature.
type issuer struct {
	id  uint64
	fpr string // the issuer fingerprint when the signature gives it
}

func (is issuer) String() string {
	if is.fpr != "" {
		return is.fpr
	}
	return fmt.Sprintf("%016X", is.id)
}

// signatureIssuers lists the keys that made the signature packets in sigs.
func signatureIssuers(sigs []byte) ([]issuer, error) {
	var ids []issuer
	r := packet.NewReader(bytes.NewReader(sigs))
	for {
		p, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("unreadable signature: %w", err)
		}
		sig, ok := p.(*packet.Signature)
		switch {
		case !ok:
			return nil, fmt.Errorf("the signature holds a %T, not only signatures", p)
		case sig.IssuerKeyId == nil:
			return nil, errors.New("a signature does not name its key")
		case len(ids) == maxSignatures:
			return nil, fmt.Errorf("more than %d signatures", maxSignatures)
		}
		is := issuer{id: *sig.IssuerKeyId, fpr: fmt.Sprintf("%X", sig.IssuerFingerprint)}
		if !slices.ContainsFunc(ids, func(o issuer) bool { return o.id == is.id }) {
			ids = append(ids, is)
		}
	}
	if len(ids) == 0 {
		return nil, errors.New("the signature block holds no signature")
	}
	return ids, nil
}

// judge checks the signature by one issuer and files it in v.
func (v *verdict) judge(kr *Keyring, is issuer, signed, sigs []byte, now time.Time) {
	keys := kr.signingKeys(is.id)
	if len(keys) == 0 {
		v.unknown = append(v.unknown, fmt.Sprintf("key %s is not in the keyring (%s)%s", is, strings.Join(kr.Files, ", "), kr.selection()))
		return
	}
	config := &packet.Config{Time: func() time.Time { return now }}
	sig, _, err := openpgp.VerifyDetachedSignature(issuerRing{kr, is.id}, bytes.NewReader(signed), bytes.NewReader(sigs), config)
	key := keys[0]
	who := describeKey(key)
	switch {
	case errors.Is(err, pgperrors.ErrKeyExpired):
		v.worthless = append(v.worthless, fmt.Sprintf("key %s expired%s", who, expiry(key)))
	case errors.Is(err, pgperrors.ErrKeyRevoked):
		v.worthless = append(v.worthless, fmt.Sprintf("key %s is revoked", who))
	case errors.Is(err, pgperrors.ErrSignatureExpired):
		v.worthless = append(v.worthless, fmt.Sprintf("the signature by key %s has expired", who))
	case err != nil:
		v.bad = append(v.bad, fmt.Sprintf("the signature by key %s does not match the signed text (%v)", who, err))
	case untrustedDigests[sig.Hash] != "":
		v.worthless = append(v.worthless, fmt.Sprintf("the signature by key %s uses the untrusted digest algorithm %s", who, untrustedDigests[sig.Hash]))
	case weakKeyAlgorithm(key.PublicKey) != "":
		v.worthless = append(v.worthless, fmt.Sprintf("key %s uses the untrusted public key algorithm %s", who, weakKeyAlgorithm(key.PublicKey)))
	default:
		v.good = append(v.good, fingerprint(key.PublicKey))
	}
}

// describeKey names a key by fingerprint and its primary user ID.
func describeKey(k openpgp.Key) string {
	s := fingerprint(k.PublicKey)
	if id := k.Entity.PrimaryIdentity(); id != nil {
		s += " (" + id.Name + ")"
	}
	return s
}

// expiry says when k expired, or "" when its self-signature does not say.
func expiry(k openpgp.Key) string {
	for _, c := range []struct {
		pk  *packet.PublicKey
		sig *packet.Signature
	}{{k.PublicKey, k.SelfSignature}, {k.Entity.PrimaryKey, primarySelfSignature(k.Entity)}} {
		if c.sig != nil && c.sig.KeyLifetimeSecs != nil && *c.sig.KeyLifetimeSecs != 0 {
			return " on " + c.pk.CreationTime.Add(time.Duration(*c.sig.KeyLifetimeSecs)*time.Second).UTC().Format(time.RFC3339)
		}
	}
	return ""
}

func primarySelfSignature(e *openpgp.Entity) *packet.Signature {
	sig, _ := e.PrimarySelfSignature()
	return sig
}

// weakKeyAlgorithm names pk's algorithm, as gpg does, when apt's
// APT::Key::Assert-Pubkey-Algo (">=rsa2048,ed25519,ed448,nistp256,
// nistp384,nistp521,brainpool*,secp256k1") refuses it; else "".
func weakKeyAlgorithm(pk *packet.PublicKey) string {
	switch pk.PubKeyAlgo {
	case packet.PubKeyAlgoRSA, packet.PubKeyAlgoRSASignOnly:
		if bits, err := pk.BitLength(); err != nil || bits < 2048 {
			return fmt.Sprintf("rsa%d", bits)
		}
		return ""
	case packet.PubKeyAlgoEdDSA, packet.PubKeyAlgoEd25519, packet.PubKeyAlgoEd448, packet.PubKeyAlgoECDSA:
		return ""
	case packet.PubKeyAlgoDSA:
		bits, _ := pk.BitLength()
		return fmt.Sprintf("dsa%d", bits)
	}
	return fmt.Sprintf("algorithm %d", pk.PubKeyAlgo)
}
