package resolver

// Dialect is what differs between packaging systems: version order,
// dependency syntax, and the rules for provides and architectures. The
// walk (resolve.go) is the same for every dialect, so every backend gets
// the same deterministic algorithm.
type Dialect interface {
	// CheckVersion rejects a version the dialect cannot order.
	CheckVersion(v string) error
	// Compare orders two versions of one package name.
	Compare(a, b string) int
	// Satisfies reports whether version have meets "op want".
	Satisfies(op, want, have string) bool
	// ProvideSatisfies reports whether a provide with version constraint
	// "op version" ("" when unversioned) satisfies dependency a.
	ProvideSatisfies(a Alt, op, version string) bool
	// Installable reports whether packages of arch are candidates at all.
	Installable(arch string) bool
	// QualifierOK reports whether an architecture qualifier ("" for none)
	// matches the candidates.
	QualifierOK(qual string) bool
	// Relations returns p's dependencies, in the order to satisfy them.
	Relations(p *Package) ([]Relation, error)
	// Provides returns the capabilities p provides besides its own name.
	Provides(p *Package) ([]Alt, error)
	// AptChoice reports whether the walk chooses as apt does: only the
	// best version of a name is a candidate, and a package one of whose
	// relations no candidate could satisfy is passed over. Otherwise any
	// version that satisfies a relation can be chosen, the first one in
	// order whatever its own relations.
	AptChoice() bool
	// CompareProviders orders two providers of one name, the one to try
	// first negative.
	CompareProviders(a, b *Package) int
}

func dialectOf(u Universe) (Dialect, error) {
	if du, ok := u.(DialectUniverse); ok {
		return du.Dialect(), nil
	}
	return NewDebian(u.NativeArch())
}

// Alt is one alternative of a dependency: a capability name, maybe
// qualified by an architecture and constrained by a version.
type Alt struct {
	Name    string
	Arch    string // Debian's ":arch" qualifier; "" when none
	Op      string // the dialect's operator; "" when unversioned
	Version string
	With    []Alt // rpm's "(a with b)": the same package must satisfy these too
}

// Relation is one dependency, satisfied by any of its alternatives.
type Relation struct {
	Text string // as the package wrote it, for messages
	Alts []Alt
	// If makes the relation conditional (rpm's "(a if b)"): it applies
	// once a package satisfying one of If is selected or, with Unless
	// ("(a unless b)"), if none is by the end of the walk.
	If     []Alt
	Unless bool
	// Unsupported says why the dialect cannot express the relation (an
	// rpm rich dependency of an unsupported shape): the walk warns and
	// skips it rather than fail the whole closure.
	Unsupported string
}
