package resolver

import (
	"io"

	"github.com/supermin-compile/supermin-compile/plan"
)

// The optional capabilities of a package source. Every Universe lists
// packages and their files; what else a source can do is one interface
// each, here, so that a caller asserts to a name and not to a method
// signature it spells out itself (a renamed method would then silently
// turn a check off). Each backend asserts at compile time every capability
// it implements (var _ resolver.X = (*Universe)(nil), next to its type),
// and TestCapabilities pins the set each backend has.
//
// A source that holds resources (open archives, a spool) also implements
// io.Closer; whoever opened it closes it when done with its Result.

// ArchiveUniverse is a Universe whose packages bring their own files (.deb
// or .rpm archives) instead of files installed on the host: Entries
// describes a package's files with the archive's metadata, and their
// sources read the bytes out of the archive. The planner then takes
// nothing from the build host for packages; without it, files come from
// the host paths that Files names.
type ArchiveUniverse interface {
	Universe
	Entries(p *Package) ([]plan.Entry, error)
}

// RootedUniverse is an installed package database: its packages' files
// are installed in the tree at Root, each at its File.Path inside it. The
// appliance takes that tree's layout: the parent directories no package
// lists and the symlinked directories that relocate paths (/var/run ->
// /run, /lib -> usr/lib), each link resolved inside Root, as a chroot
// would. Without it (and without ArchiveUniverse), the layout is the
// build host's.
type RootedUniverse interface {
	Universe
	Root() string
}

// DialectUniverse is a Universe whose packages are not Debian's: the walk
// uses its Dialect instead of Debian's rules.
type DialectUniverse interface {
	Universe
	Dialect() Dialect
}

// Digester is a Universe that can identify a package's exact contents,
// for lock files: a SHA-256 of the archive, or of the installed database
// record. Without it, a lock records only names and versions.
type Digester interface {
	Digest(p *Package) (string, error)
}

// EssentialLister is a source whose packages can be marked essential
// (Debian's "Essential: yes"). EssentialNames lists, sorted and without
// repeats, the names of the essential packages the resolver could select:
// what `[source] essential = true` adds to a request, as optional
// packages. Without it, that setting adds nothing.
type EssentialLister interface {
	EssentialNames() []string
}

// ConflictChecker is a source whose packages can declare that they cannot
// be installed together (Conflicts, Breaks). The resolver follows
// dependencies only, so the planner calls CheckConflicts on every
// resolved closure: it returns an error naming every conflicting pair, or
// nil. Without it, a closure is never refused for a conflict: an
// installed database is taken to be consistent already.
type ConflictChecker interface {
	CheckConflicts(r *Result) error
}

// ArchiveChecker is a source whose packages' archives may be absent even
// though their metadata is known (an apt index with its pool). Before
// listing anything, the planner asks AbsentArchives about the closure: it
// returns one line per package whose archive cannot be found, naming the
// file expected, so that one error names every absent archive. Without
// it, an absent archive fails when it is first read.
type ArchiveChecker interface {
	AbsentArchives(pkgs []*Package) []string
}

// Licenser is a source that records each package's licence (rpm headers
// do). License returns it as the package states it, "" when it states
// none; the SBOM quotes it. Without it, the SBOM states no licence.
type Licenser interface {
	License(p *Package) string
}

// ContentKeeper is a source that decompresses archives to list them.
// After KeepContents, listing a package also keeps its members' bytes for
// the formats to read back, so that a build decompresses each archive
// once; Close releases them. The planner calls KeepContents for a build
// only (list, lock and sbom need no contents). Without it, file sources
// read from where they are.
type ContentKeeper interface {
	KeepContents()
	io.Closer
}

// Locator is a source fetched from repositories. Locate tells where a
// package's archive came from, for lock files: build --locked then
// fetches those very bytes again, from the cache first, even after the
// repository has moved on. Without it, a lock records no repository
// files, and build --locked resolves again and compares.
type Locator interface {
	Locate(p *Package) (RepositoryFile, error)
}

// RepositoryFile is a package's archive in its repository.
type RepositoryFile struct {
	Repository string // the URL that Filename is relative to
	Filename   string // as the index names it: pool/main/h/hello/hello_2.10-3_amd64.deb
	SHA256     string // of the archive, lower-case hex
	Size       int64
	// Release is "sha256:…" of the signed file that vouched for the
	// index listing the archive (InRelease, Release, repomd.xml).
	Release string
}

// URL is where the archive is fetched from.
func (f RepositoryFile) URL() string { return f.Repository + "/" + f.Filename }
