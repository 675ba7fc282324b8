package resolver

import (
	"fmt"
	"strings"

	"pault.ag/go/debian/dependency"
	"pault.ag/go/debian/version"
)

// alt is one alternative of a relation, reduced to what matching needs.
type alt struct {
	name string
	arch *dependency.Arch // nil when unqualified
	op   string           // "" when unversioned
	ver  version.Version
}

// relation is one comma-separated element of a Depends field.
type relation struct {
	text string // normalised source text, for messages
	alts []alt
}

// parseRelations splits text on commas itself so that every relation keeps
// its source text; messages then quote the control file, not a re-rendering.
// Relations whose alternatives are all ruled out by arch or profile
// restrictions are dropped.
func parseRelations(text string, native *dependency.Arch) ([]relation, error) {
	var out []relation
	for _, chunk := range strings.Split(text, ",") {
		chunk = strings.Join(strings.Fields(chunk), " ")
		if chunk == "" {
			continue
		}
		r, err := parseRelation(chunk, native)
		if err != nil {
			return nil, fmt.Errorf("relation %q: %w", chunk, err)
		}
		if len(r.alts) > 0 {
			out = append(out, r)
		}
	}
	return out, nil
}

func parseRelation(chunk string, native *dependency.Arch) (relation, error) {
	dep, err := safeParse(chunk)
	if err != nil {
		return relation{}, err
	}
	if len(dep.Relations) != 1 || len(dep.Relations[0].Possibilities) == 0 {
		return relation{}, fmt.Errorf("malformed relation")
	}
	r := relation{text: chunk}
	for _, p := range dep.Relations[0].Possibilities {
		if !applies(p, native) {
			continue
		}
		a, err := toAlt(p)
		if err != nil {
			return relation{}, err
		}
		r.alts = append(r.alts, a)
	}
	return r, nil
}

// safeParse turns parser panics into errors: the library panics on some
// malformed architecture names, and control data is untrusted input.
func safeParse(s string) (dep *dependency.Dependency, err error) {
	defer func() {
		if v := recover(); v != nil {
			dep, err = nil, fmt.Errorf("parser panic: %v", v)
		}
	}()
	return dependency.Parse(s)
}

func toAlt(p dependency.Possibility) (alt, error) {
	if p.Substvar {
		return alt{}, fmt.Errorf("unsubstituted variable ${%s}", p.Name)
	}
	if p.Name == "" {
		return alt{}, fmt.Errorf("empty package name")
	}
	a := alt{name: p.Name, arch: p.Arch}
	if p.Arch != nil && p.Arch.CPU == "" {
		return alt{}, fmt.Errorf("empty architecture qualifier on %s", p.Name)
	}
	if p.Version != nil {
		v, err := version.Parse(p.Version.Number)
		if err != nil {
			return alt{}, fmt.Errorf("version %q: %w", p.Version.Number, err)
		}
		a.op, a.ver = p.Version.Operator, v
	}
	return a, nil
}

// applies evaluates "[arch ...]" against the native architecture and
// "<profile ...>" with no build profile active. Binary packages never carry
// them, but evaluating is cheaper than explaining why they were ignored.
func applies(p dependency.Possibility, native *dependency.Arch) bool {
	if p.Architectures != nil && !p.Architectures.Matches(native) {
		return false
	}
	if len(p.StageSets) == 0 {
		return true
	}
	for _, set := range p.StageSets {
		if noProfileActive(set) {
			return true
		}
	}
	return false
}

// noProfileActive reports whether a "<a !b>" conjunction holds when no
// profile is enabled: only negated terms are then true.
func noProfileActive(set dependency.StageSet) bool {
	for _, s := range set.Stages {
		if !s.Not {
			return false
		}
	}
	return true
}
