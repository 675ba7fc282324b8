package resolver

import (
	"fmt"

	"pault.ag/go/debian/dependency"
	"pault.ag/go/debian/version"
)

// debian is dpkg's dialect, for a native architecture.
type debian struct {
	native     string
	nativeArch *dependency.Arch
}

// NewDebian returns dpkg's rules for the native architecture.
func NewDebian(native string) (Dialect, error) {
	if native == "" {
		return nil, fmt.Errorf("universe has no native architecture")
	}
	a, err := dependency.ParseArch(native)
	if err != nil {
		return nil, fmt.Errorf("native architecture %q: %w", native, err)
	}
	return &debian{native: native, nativeArch: a}, nil
}

func (d *debian) CheckVersion(v string) error {
	_, err := version.Parse(v)
	return err
}

// Compare treats an unparsable version as the lowest; CheckVersion keeps
// those out of the candidates.
func (d *debian) Compare(a, b string) int {
	va, _ := version.Parse(a)
	vb, _ := version.Parse(b)
	return version.Compare(va, vb)
}

// Satisfies is false for a version that does not parse.
func (d *debian) Satisfies(op, want, have string) bool {
	if op == "" {
		return true
	}
	hv, err1 := version.Parse(have)
	wv, err2 := version.Parse(want)
	if err1 != nil || err2 != nil {
		return false
	}
	c := version.Compare(hv, wv)
	switch op {
	case "<<":
		return c < 0
	case "<=":
		return c <= 0
	case "=":
		return c == 0
	case ">=":
		return c >= 0
	case ">>":
		return c > 0
	}
	return false
}

// ProvideSatisfies applies dpkg's rule: an unversioned provide satisfies
// only an unversioned dependency.
func (d *debian) ProvideSatisfies(a Alt, op, version string) bool {
	if a.Op == "" {
		return true
	}
	return op == "=" && d.Satisfies(a.Op, a.Version, version)
}

// Installable: dpkg treats "all" as native; foreign architectures are
// not candidates.
func (d *debian) Installable(arch string) bool {
	return arch == d.native || arch == "all"
}

// QualifierOK: every candidate is native or "all", so a qualifier matches
// every candidate or none. Spellings such as "linux-amd64" name the
// native architecture too.
func (d *debian) QualifierOK(q string) bool {
	switch q {
	case "", "any", "all", "native", d.native:
		return true
	}
	a, err := dependency.ParseArch(q)
	return err == nil && *a == *d.nativeArch
}

func (d *debian) Relations(p *Package) ([]Relation, error) {
	rels, err := parseRelations(p.Depends, d.nativeArch)
	if err != nil {
		return nil, fmt.Errorf("dependencies of %s %s: %w", p.ID(), p.Version, err)
	}
	return rels, nil
}

func (d *debian) Provides(p *Package) ([]Alt, error) {
	rels, err := parseRelations(p.Provides, d.nativeArch)
	if err != nil {
		return nil, fmt.Errorf("provides of %s: %w", p.ID(), err)
	}
	out := make([]Alt, 0, len(rels))
	for _, r := range rels {
		if len(r.Alts) != 1 {
			return nil, fmt.Errorf("provides of %s: alternatives in %q", p.ID(), r.Text)
		}
		if a := r.Alts[0]; a.Op != "" && a.Op != "=" {
			return nil, fmt.Errorf("provides of %s: %q: only \"=\" is allowed", p.ID(), r.Text)
		}
		out = append(out, r.Alts[0])
	}
	return out, nil
}
