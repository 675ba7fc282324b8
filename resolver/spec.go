package resolver

import (
	"fmt"
	"strings"
)

// spec is a package named in a Request: "name", "name:arch", and either
// with "=version" to pin that exact version.
type spec struct {
	raw string
	alt Alt
}

func parseSpec(s string, d Dialect) (spec, error) {
	raw := strings.TrimSpace(s)
	nameArch, pin, pinned := strings.Cut(raw, "=")
	sp, err := parseNameArch(raw, nameArch)
	if err != nil || !pinned {
		return sp, err
	}
	if pin == "" || d.CheckVersion(pin) != nil {
		return spec{}, fmt.Errorf("invalid version in %q", s)
	}
	sp.alt.Op, sp.alt.Version = "=", pin
	return sp, nil
}

func parseNameArch(raw, nameArch string) (spec, error) {
	s := raw
	name, qual, qualified := strings.Cut(nameArch, ":")
	if name == "" || strings.ContainsAny(name, " \t,|()[]<>") {
		return spec{}, fmt.Errorf("invalid package name %q", s)
	}
	sp := spec{raw: raw, alt: Alt{Name: name}}
	if !qualified {
		return sp, nil
	}
	if qual == "" || strings.ContainsAny(qual, " \t:") {
		return spec{}, fmt.Errorf("invalid architecture qualifier in %q", s)
	}
	sp.alt.Arch = qual
	return sp, nil
}

func parseSpecs(names []string, d Dialect) ([]spec, error) {
	out := make([]spec, 0, len(names))
	for _, n := range names {
		sp, err := parseSpec(n, d)
		if err != nil {
			return nil, err
		}
		out = append(out, sp)
	}
	return out, nil
}
