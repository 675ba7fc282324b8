package deb

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/supermin-compile/supermin-compile/internal/deb822"
	"github.com/supermin-compile/supermin-compile/internal/decompress"
	"github.com/supermin-compile/supermin-compile/internal/filesum"
	"github.com/supermin-compile/supermin-compile/internal/parallel"
	"github.com/supermin-compile/supermin-compile/resolver"
)

// OpenIndex reads apt Packages indexes (source type "apt-index"): plain or
// compressed with gzip, xz, lz4, zstd or bzip2, recognised by content.
// pool is where the chosen packages' .debs are found, either a mirror
// (pool + the index's Filename) or a flat directory as `apt-get download`
// fills it. Resolution needs only the index; archives are opened, and
// checked against the index's Size and SHA256, when their files are asked
// for. arch is the native architecture; "" means the host's.
func OpenIndex(indexes []string, pool, arch string) (*Universe, error) {
	native, err := nativeOr(arch)
	if err != nil {
		return nil, err
	}
	if len(indexes) == 0 {
		return nil, errors.New("apt-index source: no indexes (e.g. /var/lib/apt/lists/*_binary-amd64_Packages.lz4)")
	}
	u := newUniverse(native)
	u.pool = pool
	u.locate = func(p *resolver.Package, d *pkgDeb) []string { return poolPaths(pool, p, d.meta.filename) }
	return u, u.readIndexes(indexes)
}

// Fetch obtains the .deb that an index paragraph describes, given the
// number of the index that lists it (in the order given to OpenFetched),
// its Filename, SHA256 and Size, and returns the path of a local copy
// whose size and SHA256 it checked: a download into a verified cache.
type Fetch func(index int, filename, sha256 string, size int64) (string, error)

// OpenFetched is OpenIndex for a repository whose .debs are not on disk:
// fetch brings each chosen package's .deb, when its files are first
// asked for, or all of them at once when a build checks for absent
// archives. The indexes must come from a verified Release, so every
// paragraph must carry a SHA256: an unverified .deb is never opened.
func OpenFetched(indexes []FetchedIndex, fetch Fetch, arch string) (*Fetched, error) {
	native, err := nativeOr(arch)
	if err != nil {
		return nil, err
	}
	u := newUniverse(native)
	u.fetch = fetch
	files := make([]string, len(indexes))
	for i, ix := range indexes {
		files[i] = ix.Path
	}
	if err := u.readIndexes(files); err != nil {
		return nil, err
	}
	return &Fetched{Universe: u, indexes: indexes}, nil
}

func (u *Universe) readIndexes(indexes []string) error {
	b := newBuilder()
	for i, file := range indexes {
		if err := u.readIndex(file, i, b); err != nil {
			return err
		}
	}
	u.finish()
	return nil
}

func (u *Universe) readIndex(file string, index int, b *builder) error {
	f, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("apt-index source: %w", err)
	}
	defer f.Close()
	z, err := decompress.New(f)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	defer z.Close()
	err = deb822.Parse(z, newFieldParagraph(), func(p *deb822.Paragraph) error {
		it := &item{}
		err := b.build(p, it)
		if err == nil {
			err = checkFilename(it.deb.meta.filename)
		}
		if err == nil && u.fetch != nil && (it.deb.meta.sha256 == "" || it.deb.meta.size < 0) {
			err = fmt.Errorf("package %s has no SHA256 or Size: its .deb could not be verified", it.pkg.Name)
		}
		it.deb.meta.index = index
		if err != nil {
			return fmt.Errorf("line %d: %w", p.Line(), err)
		}
		u.add(it, b.named)
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	return nil
}

// checkFilename refuses a Filename that would lead out of the pool.
func checkFilename(name string) error {
	if strings.HasPrefix(name, "/") || name == ".." || strings.HasPrefix(name, "../") ||
		strings.HasSuffix(name, "/..") || strings.Contains(name, "/../") {
		return fmt.Errorf("Filename %q leaves the pool", name)
	}
	return nil
}

// poolPaths lists where p's .deb may be under pool, in the order tried: a
// mirror root (pool/main/b/bash/...), the pool directory itself
// (main/b/bash/...), a flat directory with the index's file name, and a
// flat directory as `apt-get download` names files: NAME_VERSION_ARCH.deb,
// the epoch's ':' written "%3a".
func poolPaths(pool string, p *resolver.Package, filename string) []string {
	var paths []string
	if filename != "" {
		paths = append(paths, filepath.Join(pool, filename))
		if rest, ok := strings.CutPrefix(filename, "pool/"); ok {
			paths = append(paths, filepath.Join(pool, rest))
		}
		paths = append(paths, filepath.Join(pool, path.Base(filename)))
	}
	paths = append(paths, filepath.Join(pool, aptName(p)))
	return slices.Compact(paths) // the flat names agree when there is no epoch
}

// aptName is the name apt-get download gives p's .deb.
func aptName(p *resolver.Package) string {
	return p.Name + "_" + strings.ReplaceAll(p.Version, ":", "%3a") + "_" + p.Arch + ".deb"
}

// find returns the first existing candidate path of p's .deb, or "".
func (u *Universe) find(p *resolver.Package, d *pkgDeb) string {
	var candidates []string
	if u.locate != nil {
		candidates = u.locate(p, d)
	} else {
		candidates = []string{d.path} // deb-dir: set once, when opened
	}
	for _, c := range candidates {
		if fi, err := os.Stat(c); err == nil && fi.Mode().IsRegular() {
			return c
		}
	}
	return ""
}

// AbsentArchives lists the packages among pkgs whose .deb cannot be
// found, one line each with the file expected, so that a build reports
// every absent archive at once instead of failing on the first. For a
// fetched repository, it fetches them all (a few at a time).
func (u *Universe) AbsentArchives(pkgs []*resolver.Package) []string {
	if u.fetch != nil {
		return u.fetchAll(pkgs)
	}
	var absent []string
	for _, p := range pkgs {
		d, err := u.deb(p)
		if err != nil {
			absent = append(absent, err.Error())
		} else if u.find(p, d) == "" {
			absent = append(absent, fmt.Sprintf("%s %s (%s): %s", p.Name, p.Version, p.Arch, u.expected(p, d)))
		}
	}
	return absent
}

// expected says, briefly, what file was looked for where.
func (u *Universe) expected(p *resolver.Package, d *pkgDeb) string {
	if u.locate == nil {
		return d.path
	}
	names := slices.Compact([]string{d.meta.filename, aptName(p)})
	if names[0] == "" {
		names = names[1:]
	}
	return fmt.Sprintf("%s in %s", strings.Join(names, " or "), u.pool)
}

// open returns p's archive, locating and checking an index package's .deb
// on first use.
func (u *Universe) open(p *resolver.Package) (*archive, *pkgDeb, error) {
	d, err := u.deb(p)
	if err != nil {
		return nil, nil, err
	}
	d.once.Do(func() {
		if d.arch == nil {
			d.err = u.openIndexed(p, d)
		}
	})
	return d.arch, d, d.err
}

func (u *Universe) openIndexed(p *resolver.Package, d *pkgDeb) error {
	file, err := u.fetched(p, d)
	if err != nil {
		return err
	}
	if u.fetch == nil {
		file = u.find(p, d)
	}
	if file == "" {
		return fmt.Errorf("no .deb for %s %s (%s): looked for %s", p.Name, p.Version, p.Arch, u.expected(p, d))
	}
	if u.fetch == nil { // Fetch checked what it returns
		if err := verify(file, d.meta); err != nil {
			return err
		}
	}
	df, it, err := openDeb(file, newBuilder())
	if err != nil {
		return err
	}
	if got := it.pkg; got.Name != p.Name || got.Version != p.Version || got.Arch != p.Arch {
		return fmt.Errorf("%s: is %s %s (%s), the index says %s %s (%s)", file,
			got.Name, got.Version, got.Arch, p.Name, p.Version, p.Arch)
	}
	d.path, d.conffiles = file, it.deb.conffiles
	d.arch = &archive{deb: df, cache: u.cache}
	return nil
}

// fetched brings p's .deb from its repository, once; "" when the source
// is not fetched.
func (u *Universe) fetched(p *resolver.Package, d *pkgDeb) (string, error) {
	if u.fetch == nil {
		return "", nil
	}
	d.fetchOnce.Do(func() {
		m := d.meta
		d.fetchedPath, d.fetchErr = u.fetch(m.index, m.filename, m.sha256, m.size)
		if d.fetchErr != nil {
			d.fetchErr = fmt.Errorf("%s %s (%s): %w", p.Name, p.Version, p.Arch, d.fetchErr)
		}
	})
	return d.fetchedPath, d.fetchErr
}

// fetchAll fetches the .debs of pkgs, eight at a time (downloads wait on
// the network, not the processor), and lists those that failed.
func (u *Universe) fetchAll(pkgs []*resolver.Package) []string {
	errs := make([]error, len(pkgs))
	parallel.For(len(pkgs), 8, func(i int) error {
		d, err := u.deb(pkgs[i])
		if err == nil {
			_, err = u.fetched(pkgs[i], d)
		}
		errs[i] = err
		return nil // every failure is listed, none stops the others
	})
	var absent []string
	for _, err := range errs {
		if err != nil {
			absent = append(absent, err.Error())
		}
	}
	return absent
}

// verify checks a .deb against the index's Size and SHA256: resolution
// used the index's metadata, so the archive must be the one it describes.
func verify(file string, m meta) error {
	if m.size < 0 && m.sha256 == "" {
		return nil
	}
	sum, size, err := filesum.SHA256(file)
	if err != nil {
		return err
	}
	if m.size >= 0 && size != m.size {
		return fmt.Errorf("%s: %d bytes, the index says %d", file, size, m.size)
	}
	if m.sha256 != "" && !strings.EqualFold(sum, m.sha256) {
		return fmt.Errorf("%s: SHA256 %s, the index says %s", file, sum, m.sha256)
	}
	return nil
}

// VerifyArchive is that check for a .deb fetched from a repository, before
// it is cached: size -1 or sha256 "" skips that part.
func VerifyArchive(file string, size int64, sha256 string) error {
	return verify(file, meta{size: size, sha256: sha256})
}

// Digest identifies p's archive for lock files: the SHA-256 of its .deb,
// from the index when it gives one.
func (u *Universe) Digest(p *resolver.Package) (string, error) {
	d, err := u.deb(p)
	if err != nil {
		return "", err
	}
	if d.meta.sha256 != "" {
		return "sha256:" + strings.ToLower(d.meta.sha256), nil
	}
	if _, _, err := u.open(p); err != nil {
		return "", err
	}
	sum, _, err := filesum.SHA256(d.path)
	if err != nil {
		return "", err
	}
	return "sha256:" + sum, nil
}

// KeepContents makes listing a package keep its file contents for the
// formats to read, so that no archive is decompressed twice (a build
// wants this; list does not).
func (u *Universe) KeepContents() { u.cache.KeepContents() }

// Close releases the kept contents.
func (u *Universe) Close() error {
	u.cache.Close()
	return nil
}
