package apt

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// Keyring is the set of keys a repository may be signed by.
type Keyring struct {
	Files    []string // where the keys come from, for messages
	entities openpgp.EntityList
	// allow, when not empty, selects keys by fingerprint (Signed-By);
	// a trailing "!" selects that key but not its subkeys.
	allow []string
}

// Keyring loads the keys s trusts: its Signed-By keyrings, or its inline
// key, or else apt's default keyrings (/etc/apt/trusted.gpg and
// /etc/apt/trusted.gpg.d/*.gpg, *.asc) under root; Signed-By fingerprints
// then select among them. root "" means "/".
func (s Source) Keyring(root string) (*Keyring, error) {
	return s.KeyringWith(root, DefaultPaths(root))
}

// KeyringWith is Keyring with the default keyrings where p says (the
// configuration's Dir::Etc::Trusted and TrustedParts).
func (s Source) KeyringWith(root string, p Paths) (*Keyring, error) {
	if root == "" {
		root = "/"
	}
	if s.SignedBy.Inline != "" {
		kr := &Keyring{Files: []string{s.Origin + " (inline Signed-By key)"}}
		if err := kr.add(strings.NewReader(s.SignedBy.Inline), kr.Files[0]); err != nil {
			return nil, err
		}
		return kr, nil
	}
	files := make([]string, 0, len(s.SignedBy.Keyrings))
	for _, f := range s.SignedBy.Keyrings {
		files = append(files, filepath.Join(root, f))
	}
	if len(files) == 0 {
		var err error
		if files, err = defaultKeyrings(p); err != nil {
			return nil, err
		}
	}
	kr, err := LoadKeyring(files...)
	if err != nil {
		return nil, fmt.Errorf("%s (%s): %w", s, s.Origin, err)
	}
	kr.allow = s.SignedBy.Fingerprints
	return kr, nil
}

// defaultKeyrings lists apt's trusted keyrings: the legacy one when it is
// there, and those of the trusted parts directory.
func defaultKeyrings(p Paths) ([]string, error) {
	var files []string
	if _, err := os.Stat(p.Trusted); p.Trusted != "" && err == nil {
		files = append(files, p.Trusted)
	}
	dir := p.TrustedParts
	entries, err := os.ReadDir(dir)
	if err != nil && !absent(err) {
		return nil, err
	}
	for _, e := range entries {
		if n := e.Name(); !strings.HasPrefix(n, ".") && (strings.HasSuffix(n, ".gpg") || strings.HasSuffix(n, ".asc")) {
			files = append(files, filepath.Join(dir, n))
		}
	}
	return files, nil
}

// LoadKeyring reads keyring files: binary OpenPGP keyrings (.gpg) or
// ASCII-armoured ones (.asc), recognised by content. A file apt could not
// use (a GnuPG keybox, an empty file) is an error naming it.
func LoadKeyring(files ...string) (*Keyring, error) {
	kr := &Keyring{Files: files}
	for _, f := range files {
		if err := kr.addFile(f); err != nil {
			return nil, err
		}
	}
	return kr, nil
}

func (kr *Keyring) addFile(file string) error {
	f, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("keyring: %w", err)
	}
	defer f.Close()
	return kr.add(f, file)
}

// add reads one keyring, armoured or binary.
func (kr *Keyring) add(r io.Reader, name string) error {
	br := bufio.NewReader(r)
	head, _ := br.Peek(64)
	var list openpgp.EntityList
	var err error
	switch {
	case len(head) == 0:
		return fmt.Errorf("keyring %s is empty", name)
	case bytes.Contains(head, []byte("-----BEGIN PGP")):
		list, err = openpgp.ReadArmoredKeyRing(br)
	case len(head) >= 12 && string(head[8:12]) == "KBXf":
		return fmt.Errorf("keyring %s is a GnuPG keybox, which apt cannot read either; export it with gpg --export", name)
	default:
		list, err = openpgp.ReadKeyRing(br)
	}
	if err != nil {
		return fmt.Errorf("keyring %s: %w", name, err)
	}
	kr.entities = append(kr.entities, list...)
	return nil
}

// Len is the number of keys (primary keys with their subkeys).
func (kr *Keyring) Len() int { return len(kr.entities) }

// signingKeys returns the keys with id that may sign: signing-capable by
// their flags and selected by Signed-By's fingerprints, if any.
func (kr *Keyring) signingKeys(id uint64) []openpgp.Key {
	keys := kr.entities.KeysByIdUsage(id, packet.KeyFlagSign)
	if len(kr.allow) == 0 {
		return keys
	}
	return slices.DeleteFunc(keys, func(k openpgp.Key) bool { return !kr.allowed(k) })
}

// selection describes Signed-By's fingerprints for messages, or "".
func (kr *Keyring) selection() string {
	if len(kr.allow) == 0 {
		return ""
	}
	return " as Signed-By selects it: only " + strings.Join(kr.allow, ", ")
}

// allowed applies apt's Signed-By fingerprint rule: a primary key's
// fingerprint selects its subkeys too, unless written with a "!".
func (kr *Keyring) allowed(k openpgp.Key) bool {
	own := fingerprint(k.PublicKey)
	primary := fingerprint(k.Entity.PrimaryKey)
	for _, a := range kr.allow {
		exact := strings.TrimSuffix(a, "!")
		if exact == own || (a == primary && own != primary) {
			return true
		}
	}
	return false
}

func fingerprint(pk *packet.PublicKey) string { return fmt.Sprintf("%X", pk.Fingerprint) }

// issuerRing is a Keyring seen by go-crypto as holding only the keys of one
// issuer, so that verifying finds that issuer's signature among several.
type issuerRing struct {
	kr *Keyring
	id uint64
}

func (r issuerRing) KeysById(id uint64) []openpgp.Key {
	if id != r.id {
		return nil
	}
	return r.kr.signingKeys(id)
}

func (r issuerRing) KeysByIdUsage(id uint64, usage byte) []openpgp.Key {
	if usage&^packet.KeyFlagSign != 0 {
		return nil
	}
	return r.KeysById(id)
}

func (r issuerRing) DecryptionKeys() []openpgp.Key { return nil }
