package rpm

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	pgperrors "github.com/ProtonMail/go-crypto/openpgp/errors"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// An rpm's signatures are OpenPGP signature packets in its signature
// header: over the main header alone (RSAHEADER, DSAHEADER, and rpm 6's
// OPENPGP), or, in packages signed before rpm 4.14, also over the header
// and the payload together (PGP, GPG). The header in turn binds the
// payload with PAYLOADDIGEST (rpm ≥ 4.14).

// Signature header tags and main header tags (rpmtag.h).
const (
	sigTagDSA            = 267
	sigTagRSA            = 268
	sigTagOpenPGP        = 278
	sigTagPGP            = 1002
	sigTagGPG            = 1005
	tagPayloadDigest     = 5092
	tagPayloadDigestAlgo = 5093
)

// Keyring holds the OpenPGP public keys a repository's packages (gpgkey)
// or its repomd.xml (repo_gpgcheck) must be signed with.
//
// What is accepted is what dnf accepts under RHEL 9's and Fedora's
// default crypto policy, stricter than rpm 4.18 alone: RSA of 2048 bits
// or more, EdDSA and ECDSA keys; SHA-2 (or SHA-3) hashes. DSA keys and
// MD5 or SHA-1 signatures are refused. Key expiry and revocation are
// checked as the key states them.
type Keyring struct {
	keys openpgp.EntityList
}

// ReadKeyring reads public key files (armored, several blocks in one file
// allowed, or binary); errors name the file.
func ReadKeyring(paths ...string) (*Keyring, error) {
	k := &Keyring{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		keys, err := readKeys(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if len(keys) == 0 {
			return nil, fmt.Errorf("%s: no OpenPGP public key", p)
		}
		k.keys = append(k.keys, keys...)
	}
	return k, nil
}

const armorBegin = "-----BEGIN PGP PUBLIC KEY BLOCK-----"

func readKeys(b []byte) (openpgp.EntityList, error) {
	if !bytes.Contains(b, []byte(armorBegin)) {
		return openpgp.ReadKeyRing(bytes.NewReader(b))
	}
	var all openpgp.EntityList
	for _, block := range strings.Split(string(b), armorBegin)[1:] {
		keys, err := openpgp.ReadArmoredKeyRing(strings.NewReader(armorBegin + block))
		if err != nil {
			return nil, err
		}
		all = append(all, keys...)
	}
	return all, nil
}

// CheckDetached verifies a detached signature (repomd.xml.asc, armored or
// binary) of the file path.
func (k *Keyring) CheckDetached(path, sigPath string) error {
	sig, err := os.ReadFile(sigPath)
	if err != nil {
		return err
	}
	if bytes.Contains(sig, []byte("-----BEGIN PGP SIGNATURE-----")) {
		block, err := armorDecode(sig)
		if err != nil {
			return fmt.Errorf("%s: %w", sigPath, err)
		}
		sig = block
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := k.verify(f, sig); err != nil {
		return fmt.Errorf("%s: signature %s: %w", path, sigPath, err)
	}
	return nil
}

// CheckPackage verifies the signatures of the .rpm file at path: its
// header must be signed by a key of k, and the payload bound to it, by
// the header's payload digest or by a header+payload signature.
func (k *Keyring) CheckPackage(path string) error {
	if k == nil || len(k.keys) == 0 {
		return errors.New("gpgcheck is on but the repository has no keys (gpgkey)")
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var raw bytes.Buffer
	h, err := readHeaders(f, &raw)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := k.checkPackage(f, h, raw.Bytes()); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func (k *Keyring) checkPackage(f *os.File, h *headers, raw []byte) error {
	headerSigs, err := signatures(h.sig, sigTagRSA, sigTagDSA, sigTagOpenPGP)
	if err != nil {
		return err
	}
	bothSigs, err := signatures(h.sig, sigTagPGP, sigTagGPG)
	if err != nil {
		return err
	}
	payload := func() io.Reader { return io.NewSectionReader(f, h.payload, 1<<62) }
	if len(headerSigs) > 0 {
		err := k.verifyAny(headerSigs, func() io.Reader { return bytes.NewReader(raw) })
		if err != nil {
			return fmt.Errorf("header signature: %w", err)
		}
		digest, err := payloadDigest(h.main)
		if err != nil || digest.Value != "" {
			if err == nil {
				err = digest.check(payload(), "payload")
			}
			return err
		}
	}
	if len(bothSigs) == 0 {
		if len(headerSigs) == 0 {
			return errors.New("not signed")
		}
		return errors.New("the signed header has no payload digest, and no signature covers the payload")
	}
	err = k.verifyAny(bothSigs, func() io.Reader { return io.MultiReader(bytes.NewReader(raw), payload()) })
	if err != nil {
		return fmt.Errorf("header+payload signature: %w", err)
	}
	return nil
}

// signatures returns the signature packets of the given tags: binary, or
// base64 strings (rpm 6's OPENPGP).
func signatures(sig *header, tags ...uint32) ([][]byte, error) {
	var out [][]byte
	for _, tag := range tags {
		if e, ok := sig.index[tag]; ok && e.typ != typeBin {
			strs, err := sig.strings(tag)
			if err != nil {
				return nil, err
			}
			for _, s := range strs {
				b, err := base64.StdEncoding.DecodeString(s)
				if err != nil {
					return nil, fmt.Errorf("signature tag %d: %w", tag, err)
				}
				out = append(out, b)
			}
			continue
		}
		b, err := sig.bin(tag)
		if err != nil {
			return nil, err
		}
		if b != nil {
			out = append(out, b)
		}
	}
	return out, nil
}

// payloadDigest is the main header's digest of the compressed payload;
// zero when the header has none.
func payloadDigest(h *header) (Checksum, error) {
	values, err := h.strings(tagPayloadDigest)
	if err != nil || len(values) == 0 {
		return Checksum{}, err
	}
	algo, err := h.ints(tagPayloadDigestAlgo)
	if err != nil {
		return Checksum{}, err
	}
	names := map[int64]string{8: "sha256", 9: "sha384", 10: "sha512", 11: "sha224"}
	if len(algo) != 1 || names[algo[0]] == "" {
		return Checksum{}, fmt.Errorf("payload digest algorithm %v is not supported", algo)
	}
	return Checksum{Type: names[algo[0]], Value: values[0]}, nil
}

// verifyAny succeeds when one of sigs verifies over what data returns.
func (k *Keyring) verifyAny(sigs [][]byte, data func() io.Reader) error {
	var errs []error
	for _, sig := range sigs {
		err := k.verify(data(), sig)
		if err == nil {
			return nil
		}
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// verify checks one signature packet over data.
func (k *Keyring) verify(data io.Reader, sig []byte) error {
	body, err := signaturePacket(sig)
	if err != nil {
		return err
	}
	if body[0] == 3 {
		return k.verifyV3(data, body) // v4 and later are go-crypto's
	}
	p, err := packet.Read(bytes.NewReader(sig))
	if err != nil {
		return err
	}
	s, ok := p.(*packet.Signature)
	if !ok || s.IssuerKeyId == nil {
		return errors.New("not a signature packet with an issuer")
	}
	if err := k.acceptable(*s.IssuerKeyId, s.PubKeyAlgo, s.Hash); err != nil {
		return err
	}
	_, err = openpgp.CheckDetachedSignature(k.keys, data, bytes.NewReader(sig), nil)
	return explainPGP(err, *s.IssuerKeyId)
}

// acceptable applies the policy (see Keyring) before any hashing.
func (k *Keyring) acceptable(keyID uint64, algo packet.PublicKeyAlgorithm, hash crypto.Hash) error {
	switch hash {
	case crypto.SHA224, crypto.SHA256, crypto.SHA384, crypto.SHA512, crypto.SHA3_256, crypto.SHA3_512:
	default:
		return fmt.Errorf("signed by key %016x with hash %v, which is refused (SHA-2 or SHA-3 only)", keyID, hash)
	}
	if algo == packet.PubKeyAlgoDSA || algo == packet.PubKeyAlgoElGamal {
		return fmt.Errorf("signed by DSA key %016x, which is refused", keyID)
	}
	keys := k.keys.KeysByIdUsage(keyID, packet.KeyFlagSign)
	if len(keys) == 0 {
		return fmt.Errorf("signed with key %016x, which is not among the repository's keys (gpgkey)", keyID)
	}
	for _, key := range keys {
		if bits, err := key.PublicKey.BitLength(); err == nil && algo == packet.PubKeyAlgoRSA && bits < 2048 {
			return fmt.Errorf("signed by %d-bit RSA key %016x, which is refused (2048 bits or more)", bits, keyID)
		}
	}
	return nil
}

func explainPGP(err error, keyID uint64) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, pgperrors.ErrUnknownIssuer):
		return fmt.Errorf("signed with key %016x, which is not among the repository's keys (gpgkey)", keyID)
	case errors.Is(err, pgperrors.ErrKeyExpired), errors.Is(err, pgperrors.ErrKeyRevoked), errors.Is(err, pgperrors.ErrSignatureExpired):
		return fmt.Errorf("key %016x: %w", keyID, err)
	}
	return fmt.Errorf("key %016x: bad signature (%w)", keyID, err)
}

// signaturePacket returns the body of the one OpenPGP signature packet
// (tag 2) that sig holds, in the old or the new packet format.
func signaturePacket(sig []byte) ([]byte, error) {
	if len(sig) < 2 || sig[0]&0x80 == 0 {
		return nil, errors.New("not an OpenPGP packet")
	}
	var tag byte
	var n, hdr int
	if sig[0]&0x40 == 0 { // old format
		tag = sig[0] >> 2 & 0xf
		switch sig[0] & 3 {
		case 0:
			n, hdr = int(sig[1]), 2
		case 1:
			if len(sig) >= 3 {
				n, hdr = int(binary.BigEndian.Uint16(sig[1:])), 3
			}
		case 2:
			if len(sig) >= 5 {
				n, hdr = int(binary.BigEndian.Uint32(sig[1:])), 5
			}
		case 3:
			n, hdr = len(sig)-1, 1
		}
	} else {
		tag = sig[0] & 0x3f
		switch o := int(sig[1]); {
		case o < 192:
			n, hdr = o, 2
		case o < 224 && len(sig) >= 3:
			n, hdr = (o-192)<<8+int(sig[2])+192, 3
		case o == 255 && len(sig) >= 6:
			n, hdr = int(binary.BigEndian.Uint32(sig[2:])), 6
		}
	}
	if tag != 2 {
		return nil, fmt.Errorf("OpenPGP packet of tag %d, not a signature", tag)
	}
	if hdr == 0 || n < 1 || n > len(sig)-hdr {
		return nil, errors.New("truncated OpenPGP signature packet")
	}
	return sig[hdr : hdr+n], nil
}

// verifyV3 checks a version 3 signature, which go-crypto no longer reads
// and which rpm signed with until about 2015 (RFC 4880, 5.2.2): the hash
// covers the data, then the signature type and creation time.
func (k *Keyring) verifyV3(data io.Reader, body []byte) error {
	if len(body) < 19 || body[1] != 5 {
		return errors.New("malformed version 3 signature")
	}
	keyID := binary.BigEndian.Uint64(body[7:15])
	algo, hash := packet.PublicKeyAlgorithm(body[15]), pgpHash(body[16])
	if err := k.acceptable(keyID, algo, hash); err != nil {
		return err
	}
	if algo != packet.PubKeyAlgoRSA && algo != packet.PubKeyAlgoRSASignOnly {
		return fmt.Errorf("key %016x: version 3 signature of algorithm %d is not supported", keyID, algo)
	}
	mpi := body[19:]
	if len(mpi) < 2 || len(mpi)-2 < (int(binary.BigEndian.Uint16(mpi))+7)/8 {
		return errors.New("malformed version 3 signature")
	}
	s := mpi[2 : 2+(int(binary.BigEndian.Uint16(mpi))+7)/8]
	h := hash.New()
	if _, err := io.Copy(h, data); err != nil {
		return err
	}
	h.Write(body[2:7])
	digest := h.Sum(nil)
	if !bytes.Equal(digest[:2], body[17:19]) {
		return fmt.Errorf("key %016x: bad signature (hash prefix %s, want %s)", keyID, hex.EncodeToString(digest[:2]), hex.EncodeToString(body[17:19]))
	}
	for _, key := range k.keys.KeysByIdUsage(keyID, packet.KeyFlagSign) {
		pub, ok := key.PublicKey.PublicKey.(*rsa.PublicKey)
		if !ok {
			continue
		}
		padded := make([]byte, (pub.N.BitLen()+7)/8)
		sb := new(big.Int).SetBytes(s).Bytes()
		if len(sb) > len(padded) {
			continue
		}
		copy(padded[len(padded)-len(sb):], sb)
		if rsa.VerifyPKCS1v15(pub, hash, digest, padded) == nil {
			return nil
		}
	}
	return fmt.Errorf("key %016x: bad signature", keyID)
}

// pgpHash maps OpenPGP's hash algorithm ids (RFC 4880, 9.4).
func pgpHash(id byte) crypto.Hash {
	return map[byte]crypto.Hash{1: crypto.MD5, 2: crypto.SHA1, 3: crypto.RIPEMD160, 8: crypto.SHA256,
		9: crypto.SHA384, 10: crypto.SHA512, 11: crypto.SHA224}[id]
}

// armorDecode returns the body of the first armored block of b.
func armorDecode(b []byte) ([]byte, error) {
	block, err := armor.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(io.LimitReader(block.Body, 1<<20))
}
