package resolver

import (
	"fmt"
	"strings"

	"pault.ag/go/debian/dependency"
	"pault.ag/go/debian/version"
)

// spec is a package named in a Request: "name", "name:arch", and either
// with "=version" to pin that exact version.
type spec struct {
	raw string
	alt alt
}

func parseSpec(s string) (spec, error) {
	raw := strings.TrimSpace(s)
	nameArch, pin, pinned := strings.Cut(raw, "=")
	sp, err := parseNameArch(raw, nameArch)
	if err != nil || !pinned {
		return sp, err
	}
	v, err := version.Parse(pin)
	if err != nil || pin == "" {
		return spec{}, fmt.Errorf("invalid version in %q", s)
	}
	sp.alt.op, sp.alt.ver = "=", v
	return sp, nil
}

func parseNameArch(raw, nameArch string) (spec, error) {
	s := raw
	name, qual, qualified := strings.Cut(nameArch, ":")
	if name == "" || strings.ContainsAny(name, " \t,|()[]<>") {
		return spec{}, fmt.Errorf("invalid package name %q", s)
	}
	sp := spec{raw: raw, alt: alt{name: name}}
	if !qualified {
		return sp, nil
	}
	if qual == "" || strings.ContainsAny(qual, " \t:") {
		return spec{}, fmt.Errorf("invalid architecture qualifier in %q", s)
	}
	a, err := dependency.ParseArch(qual)
	if err != nil {
		return spec{}, fmt.Errorf("architecture qualifier in %q: %w", s, err)
	}
	sp.alt.arch = a
	return sp, nil
}

func parseSpecs(names []string) ([]spec, error) {
	out := make([]spec, 0, len(names))
	for _, n := range names {
		sp, err := parseSpec(n)
		if err != nil {
			return nil, err
		}
		out = append(out, sp)
	}
	return out, nil
}
