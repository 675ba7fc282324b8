// Package resolver computes the dependency closure of a set of packages
// over a Universe: the installed dpkg database, .deb directories and apt
// indexes (resolver/dpkg, resolver/deb), or rpm files and databases
// (resolver/rpm). The walk only sees Package metadata, so every backend
// gets the same, deterministic answer. What differs between packaging
// systems (version order, dependency syntax, the provides rule, which
// architectures are candidates) is a Dialect: Debian's (debian.go) by
// default, rpm's when the Universe is a DialectUniverse.
//
// Rules, in the order Resolve applies them (as stated for Debian; rpm's
// dialect differs where resolver/rpm says so):
//
//   - Candidates are the packages whose Arch is the universe's native
//     architecture or "all"; foreign-architecture packages are ignored.
//     At most one package per name is selected (dpkg cannot install two).
//   - Among candidates sharing a name the highest version that satisfies
//     the relation wins, then the earlier one in Universe.Packages order.
//   - Requested packages (Packages, then Optional, in request order) are
//     selected first, then a breadth-first walk follows Depends (with
//     Pre-Depends first) in relation order. Recommends and Suggests are
//     not followed. A request may carry an arch qualifier ("name:arch",
//     as in relations) and pin a version ("name=version").
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
//   - Conditional relations (rpm's "(a if b)", "(a unless b)") wait until
//     the queue is empty. Then every "if" whose condition a selected
//     package satisfies is applied and the walk continues; only when no
//     "if" fires are the "unless" relations whose condition no selected
//     package satisfies applied. This repeats until nothing changes.
package resolver
