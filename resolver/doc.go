// Package resolver computes the dependency closure of a set of Debian-style
// packages over a Universe (the installed dpkg database today; .deb
// directories, apt indexes or rpm headers later). The algorithm only sees
// Package metadata, so every backend gets the same, deterministic answer.
//
// Rules, in the order Resolve applies them:
//
//   - Candidates are the packages whose Arch is the universe's native
//     architecture or "all"; foreign-architecture packages are ignored.
//     At most one package per name is selected (dpkg cannot install two).
//   - Among candidates sharing a name the highest version wins, then the
//     earlier one in Universe.Packages order.
//   - Requested packages (Packages, then Optional, in request order) are
//     selected first, then a breadth-first walk follows Depends (with
//     Pre-Depends first) in relation order. Recommends and Suggests are
//     not followed.
//   - A relation "a | b" is satisfied by an already selected package if
//     any alternative matches one (this is why order matters and why the
//     walk is breadth-first and ordered). Otherwise the first alternative,
//     in written order, that some non-excluded candidate satisfies wins.
//   - Within one alternative a real package of that name is preferred over
//     providers; among providers the one whose name sorts first wins.
//   - Versioned constraints use Debian version ordering. A versioned
//     Provides ("foo (= 1.2)") can satisfy a versioned dependency; an
//     unversioned Provides never does (dpkg's rule).
//   - Arch qualifiers: none, ":any", ":native", ":all" and the native
//     architecture name match every candidate (arch "all" counts as
//     native, as in dpkg); any other architecture matches nothing.
//     ":any" does not check Multi-Arch: allowed.
//   - Architecture restriction lists "[...]" are evaluated against the
//     native architecture and build profiles "<...>" with no profile
//     active; alternatives they rule out are dropped.
//   - Excluded packages are never selected; a relation only they could
//     satisfy produces a warning, as does a relation nobody can satisfy.
//     Cycles are harmless: each package is visited once.
package resolver
