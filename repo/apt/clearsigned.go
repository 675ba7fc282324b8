package apt

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/ProtonMail/go-crypto/openpgp/clearsign"
)

const (
	beginSigned    = "-----BEGIN PGP SIGNED MESSAGE-----"
	beginSignature = "-----BEGIN PGP SIGNATURE-----"
	endSignature   = "-----END PGP SIGNATURE-----"
)

// errUnsigned says a file holds no clearsigned message at all.
var errUnsigned = errors.New("it is not signed: no " + beginSigned + " line")

// clearsigned is an InRelease split into what was signed and the
// signature.
type clearsigned struct {
	text      []byte // the signed text, dash-escapes removed: what is parsed
	canonical []byte // the same with CRLF line ends: what the signature covers
	signature []byte // the binary signature packets
}

// splitClearsigned checks that data is exactly one clearsigned message, as
// apt's SplitClearSignedFile does, and splits it. Text before the message
// or after the signature, and lines starting with a dash where only the
// armour markers may, are refused: such text is what an attacker adds so
// that one parser reads what another did not verify. Because every dashed
// line must be exactly a marker or dash-escaped, this check and the
// decoder agree on where the signed text ends.
func splitClearsigned(data []byte) (*clearsigned, error) {
	if err := checkClearsignedLayout(data); err != nil {
		return nil, err
	}
	block, rest := clearsign.Decode(data)
	if block == nil {
		return nil, errors.New("malformed clearsigned message (armour headers or signature block)")
	}
	if len(rest) != 0 {
		return nil, errors.New("unsigned text after the signature")
	}
	sig, err := io.ReadAll(block.ArmoredSignature.Body)
	if err != nil {
		return nil, fmt.Errorf("signature block: %w", err)
	}
	if block.ArmoredSignature.Type != "PGP SIGNATURE" {
		return nil, fmt.Errorf("the signature block is a %s", block.ArmoredSignature.Type)
	}
	return &clearsigned{text: block.Plaintext, canonical: block.Bytes, signature: sig}, nil
}

// Layout states, in file order.
const (
	inArmourHeaders = iota
	inText
	inSignature
	afterSignature
)

// checkClearsignedLayout walks the lines of a clearsigned message.
func checkClearsignedLayout(data []byte) error {
	lines := bytes.SplitAfter(data, []byte("\n"))
	if len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	if len(lines) == 0 || marker(lines[0]) != beginSigned {
		if bytes.Contains(data, []byte(beginSigned)) {
			return errors.New("unsigned text before the signed message")
		}
		return errUnsigned
	}
	state := inArmourHeaders
	for i, raw := range lines[1:] {
		n := i + 2
		line := bytes.TrimRight(raw, "\r\n")
		dashed := bytes.HasPrefix(line, []byte("-"))
		switch state {
		case inArmourHeaders:
			if len(bytes.TrimRight(line, " \t")) == 0 {
				state = inText
			} else if dashed {
				return fmt.Errorf("line %d: unexpected line starting with a dash in the armour headers", n)
			}
		case inText:
			if m := marker(raw); m == beginSignature {
				state = inSignature
			} else if dashed && !bytes.HasPrefix(line, []byte("- ")) {
				return fmt.Errorf("line %d: unexpected line starting with a dash in the signed text", n)
			}
		case inSignature:
			if m := marker(raw); m == endSignature {
				state = afterSignature
			} else if dashed {
				return fmt.Errorf("line %d: unexpected line starting with a dash in the signature", n)
			}
		case afterSignature:
			return fmt.Errorf("line %d: unsigned text after the signature", n)
		}
	}
	if state != afterSignature {
		return errors.New("incomplete clearsigned message: the signature is missing or not closed")
	}
	return nil
}

// marker returns the line without its line end when that is exactly one
// of the armour markers, else "".
func marker(raw []byte) string {
	line := string(bytes.TrimSuffix(bytes.TrimSuffix(raw, []byte("\n")), []byte("\r")))
	switch line {
	case beginSigned, beginSignature, endSignature:
		return line
	}
	return ""
}
