package resolver

// Package is one candidate package of a Universe.
type Package struct {
	Name, Version, Arch string
	MultiArch           string // "same", "foreign", "allowed" or ""
	Essential           bool
	Depends             string // Pre-Depends then Depends, raw relation text
	Provides            string // raw Provides text

	// What apt weighs when several packages provide a name (see the
	// Debian dialect's CompareProviders); rpm has none of them.
	Priority  string // Debian's Priority field: "required", ..., "optional"
	Protected bool   // "Protected: yes", or its older spelling "Important: yes"
	// FirstNamed is apt's package ID: the position at which the source
	// first names the package (its own paragraph, a relation or a
	// Provides, in file order; see NameOrder). 0 when unknown.
	FirstNamed int
}

// ID is "name:arch", the unique key dpkg uses for an installed package.
func (p *Package) ID() string { return p.Name + ":" + p.Arch }

// File is one path a package ships.
type File struct {
	Path     string // path inside the appliance, diversions applied
	HostPath string // where the bytes are now (root-prefixed for a non-"/" root)
	Conffile bool   // listed in the package's conffiles
}

// Universe is a package source. What a source may offer besides is named
// in capabilities.go.
type Universe interface {
	Packages() []*Package // every package, foreign archs included; deterministic order
	NativeArch() string
	Files(p *Package) ([]File, error)
}

// Request names what the closure must contain.
type Request struct {
	Packages []string // must exist; "name" or "name:arch"
	Optional []string // included when present, skipped with a note otherwise
	Exclude  []string // never selected, not even as a dependency
}

// Result is a resolved closure.
type Result struct {
	Packages []*Package        // sorted by name then arch
	Reasons  map[string]string // name -> name whose dependency pulled it in ("" if requested)
	Warnings []string
	Notes    []string
}

// Chain returns [name, parent, grandparent, ..., requested package], or nil
// when name is not in the result.
func (r *Result) Chain(name string) []string {
	if _, ok := r.Reasons[name]; !ok {
		return nil
	}
	var chain []string
	seen := map[string]bool{}
	// seen guards against a hand-edited Reasons map containing a loop.
	for name != "" && !seen[name] {
		seen[name] = true
		chain = append(chain, name)
		name = r.Reasons[name]
	}
	return chain
}
