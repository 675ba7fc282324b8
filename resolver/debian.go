package resolver

import (
	"cmp"
	"fmt"
	"strings"

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

// AptChoice: Debian packages are chosen by apt's rules.
func (d *debian) AptChoice() bool { return true }

// CompareProviders is apt's order (CompareProviders in apt-pkg/depcache.cc)
// as it applies on an empty system of one architecture: Essential first,
// then Protected, then the higher Priority, then the package apt's cache
// numbered last (the highest FirstNamed). apt's cache makes the package
// apt Essential and Protected whatever its fields say. Name order breaks
// the ties left by sources that do not number their packages.
func (d *debian) CompareProviders(a, b *Package) int {
	return cmp.Or(
		compareTrueFirst(a.Essential || a.Name == "apt", b.Essential || b.Name == "apt"),
		compareTrueFirst(a.Protected || a.Name == "apt", b.Protected || b.Name == "apt"),
		cmp.Compare(priorityRank(a.Priority), priorityRank(b.Priority)),
		cmp.Compare(b.FirstNamed, a.FirstNamed),
		strings.Compare(a.Name, b.Name))
}

func compareTrueFirst(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return -1
	}
	return 1
}

// priorityRank is apt's number for a Priority, the higher priority lower.
// As in apt, a package without the field comes before even "required",
// and an unknown word counts as "extra".
func priorityRank(p string) int {
	if p == "" {
		return 0
	}
	for i, word := range []string{"required", "important", "standard", "optional", "extra"} {
		if strings.EqualFold(p, word) {
			return i + 1
		}
	}
	return 5
}
