package main

import (
	"encoding/json"
	"os"

	"github.com/supermin-compile/supermin-compile/lock"
	"github.com/supermin-compile/supermin-compile/plan"
)

// The shapes --json prints. README.md documents each with an example;
// main_test decodes them with DisallowUnknownFields, so a field added here
// and not there fails a test. Fields are added, never renamed or removed.

// ResolveJSON is what `resolve --json` prints.
type ResolveJSON struct {
	Packages []ResolvedPackage `json:"packages"` // sorted by name then arch, as the text
}

// ResolvedPackage is one package of the closure.
type ResolvedPackage struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Arch    string `json:"arch"`
	// PulledBy is the package whose dependency brought this one in; ""
	// when the manifest names it.
	PulledBy string `json:"pulled_by"`
}

// WhyJSON is what `why --json` prints.
type WhyJSON struct {
	Target string `json:"target"` // the name or path asked about
	// Origin is where a path comes from; null when Target is a package.
	Origin *WhyOrigin `json:"origin"`
	// Chain is [package, the package that needs it, ..., the package the
	// manifest names]; [] for a path no package ships.
	Chain []string `json:"chain"`
	// Glob is the hostfiles glob that matched a host path; "" otherwise
	// (a parent directory the host gave).
	Glob string `json:"glob"`
}

// WhyOrigin is an Origin: its kind ("package", "tarball", "host",
// "inline", "parent", "kernel", "initrd", "packagelist") and, for a
// package or a tarball, its name.
type WhyOrigin struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
}

// LockCheckJSON is what `lock --check --json` prints.
type LockCheckJSON struct {
	Lock  string        `json:"lock"`  // the lock file compared with
	Drift []lock.Change `json:"drift"` // one per line of the text; [] when current
}

func whyOrigin(o plan.Origin) *WhyOrigin {
	switch o.Kind {
	case plan.Package:
		return &WhyOrigin{Kind: "package", Name: o.Name}
	case plan.Tarball:
		return &WhyOrigin{Kind: "tarball", Name: o.Name}
	}
	return &WhyOrigin{Kind: o.String()}
}

// word is the origin as `list` prints it.
func (o *WhyOrigin) word() string {
	if o.Name != "" {
		return o.Name
	}
	return o.Kind
}

// printJSON writes v on stdout; a failure to write exits 1.
func printJSON(v any) int {
	if err := writeJSON(v); err != nil {
		return fail(err)
	}
	return 0
}

// writeJSON writes v on stdout, indented, with a final newline.
func writeJSON(v any) error {
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
