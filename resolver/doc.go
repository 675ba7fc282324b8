// Package resolver computes the dependency closure of a set of packages
// over a Universe: the installed dpkg database, .deb directories and apt
// indexes (resolver/dpkg, resolver/deb), or rpm files and databases
// (resolver/rpm). The walk only sees Package metadata, so every backend
// gets the same, deterministic answer. What differs between packaging
// systems (version order, dependency syntax, the provides rule, which
// architectures are candidates) is a Dialect: Debian's (debian.go) by
// default, rpm's when the Universe is a DialectUniverse.
//
// Rules, in the order Resolve applies them (as stated for Debian, where
// they are apt-get install's on an empty system without recommends, from
// pkgDepCache::MarkInstall in apt 2.6; rpm's dialect differs where
// resolver/rpm says so):
//
//   - Candidates are the packages whose Arch is the universe's native
//     architecture or "all"; foreign-architecture packages are ignored.
//     At most one package per name is selected (dpkg cannot install two).
//   - A name's candidate is its highest version (the earlier one in
//     Universe.Packages order on a tie), or the version a request pins
//     ("name=version"). Relations see only candidates: an older version
//     never satisfies one, as in apt (rpm: any version may).
//   - Requested packages (Packages, then Optional, in request order) are
//     all selected first (rpm too: the walk is the same). A request may
//     carry an arch qualifier ("name:arch", as in relations). Then, for
//     each in request order, the walk follows Depends (Pre-Depends first)
//     in relation order, depth first: a package chosen for a relation has
//     all of its own relations satisfied before the next relation of its
//     parent. Recommends and Suggests are not followed.
//   - A relation "a | b" is satisfied by a package already selected when
//     the walk reaches it if any alternative matches one; which packages
//     are selected by then is why the order of the walk matters.
//     Otherwise the solutions are tried in order: alternative by
//     alternative in written order, and within one the package of that
//     name before the packages that Provide it.
//   - Providers of one name are tried in apt's order (CompareProviders in
//     apt-pkg/depcache.cc): Essential first, then Protected ("Protected:
//     yes" or "Important: yes"; apt counts the package apt as both), then
//     by Priority (a package without the field, then required, important,
//     standard, optional, extra or an unknown word), then the one apt's
//     cache created last. apt creates a package when the source first
//     names it: reading paragraphs in file order, each names its own
//     package, then those of its Pre-Depends, Depends, Conflicts, Breaks,
//     Recommends, Suggests, Replaces, Enhances and Provides (NameOrder;
//     Package.FirstNamed). The installed dpkg database, .deb directories
//     (in path order) and apt indexes (in the order given, which should
//     be apt's: `apt-get indextargets`) are numbered alike. rpm:
//     providers are tried in name order.
//   - The first solution that is not excluded and can be installed wins:
//     apt skips a package one of whose relations neither a selected
//     package nor any candidate could satisfy (excluded ones count as
//     candidates here). When no solution can be installed the first one
//     not excluded is taken, and its unsatisfiable relation warned about
//     (apt would give up). rpm: the first solution not excluded wins.
//     apt's later recovery, unmarking a package whose dependencies fail
//     deeper down or that conflicts with a later choice, is not
//     reproduced; conflicts are checked on the result (resolver/deb's
//     CheckConflicts).
//   - A requested name that only virtual packages provide takes the
//     provider a dependency on it would.
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
//     the walk of every requested package is done. Then every "if" whose condition a selected
//     package satisfies is applied and the walk continues; only when no
//     "if" fires are the "unless" relations whose condition no selected
//     package satisfies applied. This repeats until nothing changes.
package resolver
