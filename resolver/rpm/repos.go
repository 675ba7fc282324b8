package rpm

import (
	"cmp"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/supermin-compile/supermin-compile/internal/decompress"
	"github.com/supermin-compile/supermin-compile/internal/members"
	"github.com/supermin-compile/supermin-compile/internal/parallel"
	"github.com/supermin-compile/supermin-compile/resolver"
)

// Repo is one rpm-md repository whose metadata files are at hand and
// verified against its repomd.xml (Record.Verify). Nothing here speaks
// HTTP: Fetch and Filelists are the fetcher's.
type Repo struct {
	Name    string // the repository's id, for messages
	Primary string // the local primary.xml (plain, .gz, .xz, .zst, ...)
	// Filelists returns the local filelists.xml, verified. It is called
	// at most once, only when some file require is met by no package's
	// provides nor by the files primary.xml lists (as dnf loads it); nil
	// when the repository has none.
	Filelists func() (string, error)
	// Modules is the local modules.yaml, verified; "" when the
	// repository has none. Module streams hide packages as in dnf: see
	// modules.go.
	Modules string
	// Fetch returns a local copy of a package's .rpm, which it may have
	// downloaded. Repos checks the copy's size and checksum itself before
	// reading it. It is called at most once per package, maybe from
	// several goroutines at once.
	Fetch func(PackageFile) (string, error)
	// GPGCheck requires every package's header to be signed by a key of
	// Keys (dnf's gpgcheck).
	GPGCheck bool
	Keys     *Keyring
	// Priority and Cost are dnf's: of one name, only the packages of the
	// repositories with the lowest priority are candidates; of one
	// name-epoch-version-release-arch in several repositories, the one with
	// the lowest cost (then the first listed) is kept. 0 means dnf's
	// defaults, 99 and 1000.
	Priority, Cost int
}

// Repos is the union of rpm-md repositories: packages come from their
// primary.xml, their files from their .rpm, obtained through Fetch on
// first use and verified. The resolver sees the same dialect as Dir.
type Repos struct {
	*archives
	remote map[*resolver.Package]*remote
}

var (
	_ resolver.ArchiveUniverse = (*Repos)(nil)
	_ resolver.DialectUniverse = (*Repos)(nil)
	_ resolver.Digester        = (*Repos)(nil)
	_ resolver.ConflictChecker = (*Repos)(nil)
	_ resolver.ArchiveChecker  = (*Repos)(nil)
	_ resolver.Licenser        = (*Repos)(nil)
	_ resolver.ContentKeeper   = (*Repos)(nil)
)

// remote is a package of a repository and, once fetched, its archive.
type remote struct {
	repo *Repo
	file PackageFile
	meta *meta // from primary.xml
	once sync.Once
	a    *archive
	err  error
}

// OpenRepos reads the primary.xml of every repository, and the needed part
// of their filelists.xml, for arch ("" for the host's).
func OpenRepos(repos []Repo, arch string) (*Repos, error) {
	repos = slices.Clone(repos) // packages point to their Repo
	u := &Repos{remote: map[*resolver.Package]*remote{}}
	u.archives = newArchives(newSet(arch), u.archive)
	var all []*remote
	var mods []*modules
	for i := range repos {
		r := &repos[i]
		if r.Fetch == nil {
			return nil, fmt.Errorf("repository %s: no way to fetch packages", r.Name)
		}
		err := readFile(r.Primary, func(z io.Reader) error {
			return readPrimary(z, r.Primary, func(p *primaryPackage) error {
				all = append(all, &remote{repo: r, file: p.file, meta: &p.meta})
				return nil
			})
		})
		if err == nil && r.Modules != "" {
			err = readFile(r.Modules, func(z io.Reader) error {
				m, err := readModules(z, r.Modules)
				mods = append(mods, m)
				return err
			})
		}
		if err != nil {
			return nil, fmt.Errorf("repository %s: %w", r.Name, err)
		}
	}
	all = slices.DeleteFunc(all, func(rm *remote) bool {
		return slices.ContainsFunc(mods, func(m *modules) bool { return m.hides(rm.meta) })
	})
	for _, rm := range preferred(all) {
		if p := u.add(rm.meta); p != nil {
			u.remote[p] = rm
		}
	}
	if len(u.pkgs) == 0 {
		return nil, fmt.Errorf("repositories %s: no packages", repoNames(repos))
	}
	if err := u.addFilelists(repos); err != nil {
		return nil, err
	}
	u.addFileProvides()
	u.dropUnusedFiles()
	return u, nil
}

// dropUnusedFiles forgets the files primary.xml listed once they have
// become provides: only /etc/passwd and /etc/group are looked up again
// (owners.go), and a package's own files come from its .rpm.
func (u *Repos) dropUnusedFiles() {
	for _, m := range u.meta {
		m.files = slices.DeleteFunc(m.files, func(f file) bool { return f.path != "/etc/passwd" && f.path != "/etc/group" })
		m.files = slices.Clip(slices.Clone(m.files))
	}
}

func readFile(path string, read func(io.Reader) error) error {
	z, err := decompress.Open(path)
	if err != nil {
		return err
	}
	defer z.Close()
	return read(z)
}

func repoNames(repos []Repo) string {
	var names []string
	for _, r := range repos {
		names = append(names, r.Name)
	}
	return strings.Join(names, ", ")
}

func priority(r *Repo) int { return cmp.Or(r.Priority, 99) }
func cost(r *Repo) int     { return cmp.Or(r.Cost, 1000) }

// preferred applies dnf's repository priority and cost (see Repo) to the
// packages of all repositories, keeping their order otherwise.
func preferred(all []*remote) []*remote {
	best := map[string]int{}
	for _, rm := range all {
		if b, ok := best[rm.meta.pkg.Name]; !ok || priority(rm.repo) < b {
			best[rm.meta.pkg.Name] = priority(rm.repo)
		}
	}
	type nevra struct{ name, evr, arch string }
	kept := map[nevra]int{} // index in out
	var out []*remote
	for _, rm := range all {
		p := rm.meta.pkg
		if priority(rm.repo) != best[p.Name] {
			continue
		}
		k := nevra{p.Name, p.Version, p.Arch}
		if i, dup := kept[k]; dup {
			if cost(rm.repo) < cost(out[i].repo) {
				out[i] = rm
			}
			continue
		}
		kept[k] = len(out)
		out = append(out, rm)
	}
	return out
}

// addFilelists adds, from the repositories' filelists.xml, the files that
// file requires need and that primary.xml does not list. Only those
// paths are kept, and nothing is read when primary.xml meets them all.
func (u *Repos) addFilelists(repos []Repo) error {
	wanted := u.unmetFileRequires()
	if len(wanted) == 0 {
		return nil
	}
	byID := map[string]*meta{}
	for _, rm := range u.remote {
		byID[strings.ToLower(rm.file.Checksum.Value)] = rm.meta
	}
	for i := range repos {
		r := &repos[i]
		if r.Filelists == nil {
			continue
		}
		path, err := r.Filelists()
		if err != nil {
			return fmt.Errorf("repository %s: filelists: %w", r.Name, err)
		}
		err = readFile(path, func(z io.Reader) error {
			return readFilelists(z, path, wanted, func(pkgid string, files []file) error {
				if m := byID[strings.ToLower(pkgid)]; m != nil {
					m.files = append(m.files, files...)
				}
				return nil
			})
		})
		if err != nil {
			return fmt.Errorf("repository %s: %w", r.Name, err)
		}
	}
	return nil
}

// unmetFileRequires lists the paths that packages require and that no
// package provides or lists among its files in primary.xml.
func (u *Repos) unmetFileRequires() map[string]bool {
	wanted := map[string]bool{}
	for _, m := range u.meta {
		for _, c := range m.requires {
			for _, name := range capNames(c.name) {
				if strings.HasPrefix(name, "/") {
					wanted[name] = true
				}
			}
		}
	}
	for _, m := range u.meta {
		for _, f := range m.files {
			delete(wanted, f.path)
		}
		for _, c := range m.provides {
			delete(wanted, c.name)
		}
	}
	return wanted
}

// archive fetches p's .rpm on first use, checks it against primary.xml
// (size, checksum, then the header's signature and name), and reads its
// header.
func (u *Repos) archive(p *resolver.Package) (*archive, error) {
	rm := u.remote[p]
	rm.once.Do(func() {
		rm.a, rm.err = rm.open(p, u.cache)
		if rm.err != nil {
			rm.err = fmt.Errorf("repository %s: %s: %w", rm.repo.Name, rm.file.Href, rm.err)
		}
	})
	return rm.a, rm.err
}

func (rm *remote) open(p *resolver.Package, cache *members.Cache) (*archive, error) {
	path, err := rm.repo.Fetch(rm.file)
	if err != nil {
		return nil, err
	}
	if err := verifyPackage(path, rm.file); err != nil {
		return nil, err
	}
	if rm.repo.GPGCheck {
		if err := rm.repo.Keys.CheckPackage(path); err != nil {
			return nil, err
		}
	}
	m, offset, err := readFileMeta(path)
	if err != nil {
		return nil, err
	}
	if m.pkg.Name != p.Name || Compare(ParseEVR(m.pkg.Version), ParseEVR(p.Version)) != 0 || m.pkg.Arch != p.Arch {
		return nil, fmt.Errorf("the file holds %s-%s.%s, primary.xml says %s-%s.%s",
			m.pkg.Name, m.pkg.Version, m.pkg.Arch, p.Name, p.Version, p.Arch)
	}
	return &archive{path: path, offset: offset, pkg: m, cache: cache}, nil
}

// Verify checks a downloaded package file against primary.xml, as Repos
// does before reading it: for a fetcher that must not cache it otherwise.
func (pf PackageFile) Verify(path string) error { return verifyPackage(path, pf) }

// verifyPackage checks a package file's size and checksum against
// primary.xml; the error states both checksums.
func verifyPackage(path string, pf PackageFile) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := checkSize(f, pf.Size, path); err != nil {
		return err
	}
	return pf.Checksum.check(f, path)
}

// Files lists p's paths from its .rpm's header (primary.xml lists only
// some), fetching it.
func (u *Repos) Files(p *resolver.Package) ([]resolver.File, error) {
	a, err := u.archive(p)
	if err != nil {
		return nil, err
	}
	return fileList(a.pkg.files, ""), nil
}

// Location is where p's .rpm is in its repository, and the repository.
func (u *Repos) Location(p *resolver.Package) (repo string, file PackageFile) {
	rm := u.remote[p]
	return rm.repo.Name, rm.file
}

// Digest is "sha256:" and the SHA-256 of p's .rpm file, as Dir's: taken
// from primary.xml when it gives one, so no package is fetched for it.
func (u *Repos) Digest(p *resolver.Package) (string, error) {
	rm := u.remote[p]
	if strings.EqualFold(rm.file.Checksum.Type, "sha256") {
		return "sha256:" + strings.ToLower(rm.file.Checksum.Value), nil
	}
	a, err := u.archive(p)
	if err != nil {
		return "", err
	}
	return fileDigest(a.path)
}

// AbsentArchives fetches and verifies the .rpm of every package of a
// closure, several at once, and returns one line per package that
// failed, so that one run names every one.
func (u *Repos) AbsentArchives(pkgs []*resolver.Package) []string {
	errs := make([]error, len(pkgs))
	parallel.For(len(pkgs), 0, func(i int) error {
		_, errs[i] = u.archive(pkgs[i])
		return nil
	})
	var out []string
	for _, err := range errs {
		if err != nil {
			out = append(out, err.Error())
		}
	}
	return out
}
