package resolver

import (
	"fmt"
	"strings"

	"pault.ag/go/debian/dependency"
)

// spec is a package named in a Request: "name" or "name:arch".
type spec struct {
	raw string
	alt alt
}

func parseSpec(s string) (spec, error) {
	raw := strings.TrimSpace(s)
	name, qual, qualified := strings.Cut(raw, ":")
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
