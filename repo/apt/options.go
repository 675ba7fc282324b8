package apt

import (
	"fmt"
	"strings"
)

// deb822Options maps the deb822 field names of the options this package
// honours to their one-line names; the others (Languages, Targets, PDiffs,
// ...) only matter to apt's own downloads and are ignored, as apt ignores
// options it does not know.
var deb822Options = map[string]string{
	"architectures":        "arch",
	"architectures-add":    "arch+",
	"architectures-remove": "arch-",
	"signed-by":            "signed-by",
	"trusted":              "trusted",
	"check-valid-until":    "check-valid-until",
	"check-date":           "check-date",
	"by-hash":              "by-hash",
}

// setOption applies one option, by its one-line name, to s. Multi-valued
// options are split at commas and white space (deb822 uses the latter).
func setOption(s *Source, key, value string) error {
	values := strings.FieldsFunc(value, func(r rune) bool { return r == ',' || isSpace(r) })
	var err error
	switch key {
	case "arch":
		s.Architectures = values
	case "arch+":
		s.ArchAdd = values
	case "arch-":
		s.ArchRemove = values
	case "signed-by":
		s.SignedBy, err = parseSignedBy(value)
	case "trusted":
		var yes bool
		if yes, err = parseBool(value); yes {
			s.Trusted = TrustYes
		} else {
			s.Trusted = TrustNo
		}
	case "check-valid-until":
		s.CheckValidUntil, err = parseBool(value)
	case "check-date":
		s.CheckDate, err = parseBool(value)
	case "by-hash":
		if s.ByHash = strings.ToLower(strings.TrimSpace(value)); s.ByHash != "force" {
			_, err = parseBool(value)
		}
	}
	if err != nil {
		return fmt.Errorf("option %s: %w", key, err)
	}
	return nil
}

func isSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' }

// parseBool reads the words apt's StringToBool knows.
func parseBool(v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "yes", "true", "with", "on", "enable", "1":
		return true, nil
	case "no", "false", "without", "off", "disable", "0":
		return false, nil
	}
	return false, fmt.Errorf("%q is neither yes nor no", v)
}

// parseSignedBy reads a signed-by value: an inline armoured key, or a list
// of absolute keyring paths and fingerprints.
func parseSignedBy(v string) (SignedBy, error) {
	if strings.Contains(v, "-----BEGIN PGP PUBLIC KEY BLOCK-----") {
		return SignedBy{Inline: inlineKey(v)}, nil
	}
	var sb SignedBy
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || isSpace(r) }) {
		if strings.HasPrefix(f, "/") {
			sb.Keyrings = append(sb.Keyrings, f)
			continue
		}
		fpr, err := parseFingerprint(f)
		if err != nil {
			return sb, err
		}
		sb.Fingerprints = append(sb.Fingerprints, fpr)
	}
	if len(sb.Keyrings)+len(sb.Fingerprints) == 0 {
		return sb, fmt.Errorf("signed-by %q names no keyring and no fingerprint", v)
	}
	return sb, nil
}

// parseFingerprint accepts what apt accepts: a full v4 fingerprint, with
// "!" to mean that key only, not its subkeys.
func parseFingerprint(f string) (string, error) {
	f = strings.ToUpper(f)
	hex := strings.TrimSuffix(f, "!")
	if len(hex) != 40 || strings.IndexFunc(hex, func(r rune) bool { return !strings.ContainsRune("0123456789ABCDEF", r) }) >= 0 {
		return "", fmt.Errorf("signed-by %q is neither an absolute keyring path nor a 40-digit fingerprint", f)
	}
	return f, nil
}

// inlineKey undoes deb822's folding of an embedded key: each line
// stripped, and "." standing for an empty line.
func inlineKey(v string) string {
	lines := strings.Split(strings.TrimSpace(v), "\n")
	for i, l := range lines {
		if l = strings.TrimSpace(l); l == "." {
			l = ""
		}
		lines[i] = l
	}
	return strings.Join(lines, "\n") + "\n"
}
