package resolver

import (
	"fmt"
	"strings"

	"pault.ag/go/debian/dependency"
	"pault.ag/go/debian/version"
)

// parseRelations splits text on commas itself so that every relation keeps
// its source text; messages then quote the control file, not a re-rendering.
// Relations whose alternatives are all ruled out by arch or profile
// restrictions are dropped.
func parseRelations(text string, native *dependency.Arch) ([]Relation, error) {
	var out []Relation
	for _, chunk := range strings.Split(text, ",") {
		chunk = strings.Join(strings.Fields(chunk), " ")
		if chunk == "" {
			continue
		}
		r, err := parseRelation(chunk, native)
		if err != nil {
			return nil, fmt.Errorf("relation %q: %w", chunk, err)
		}
		if len(r.Alts) > 0 {
			out = append(out, r)
		}
	}
	return out, nil
}

func parseRelation(chunk string, native *dependency.Arch) (Relation, error) {
	dep, err := safeParse(chunk)
	if err != nil {
		return Relation{}, err
	}
	if len(dep.Relations) != 1 || len(dep.Relations[0].Possibilities) == 0 {
		return Relation{}, fmt.Errorf("malformed relation")
	}
	r := Relation{Text: chunk}
	for _, p := range dep.Relations[0].Possibilities {
		if !applies(p, native) {
			continue
		}
		a, err := toAlt(p)
		if err != nil {
			return Relation{}, err
		}
		r.Alts = append(r.Alts, a)
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

func toAlt(p dependency.Possibility) (Alt, error) {
	if p.Substvar {
		return Alt{}, fmt.Errorf("unsubstituted variable ${%s}", p.Name)
	}
	if p.Name == "" {
		return Alt{}, fmt.Errorf("empty package name")
	}
	a := Alt{Name: p.Name}
	if p.Arch != nil {
		if p.Arch.CPU == "" {
			return Alt{}, fmt.Errorf("empty architecture qualifier on %s", p.Name)
		}
		a.Arch = archName(p.Arch)
	}
	if p.Version != nil {
		if _, err := version.Parse(p.Version.Number); err != nil {
			return Alt{}, fmt.Errorf("version %q: %w", p.Version.Number, err)
		}
		a.Op, a.Version = p.Version.Operator, p.Version.Number
	}
	return a, nil
}

// archName renders a qualifier. The library panics on names it parsed but
// cannot render; those match no architecture, so any rendering that is
// not a real name will do.
func archName(a *dependency.Arch) (s string) {
	defer func() {
		if recover() != nil {
			s = strings.Join([]string{"?", a.ABI, a.Libc, a.OS, a.CPU}, "-")
		}
	}()
	return a.String()
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
