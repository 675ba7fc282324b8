package planner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"time"

	"github.com/supermin-compile/supermin-compile/fetch"
	"github.com/supermin-compile/supermin-compile/internal/decompress"
	"github.com/supermin-compile/supermin-compile/manifest"
	"github.com/supermin-compile/supermin-compile/repo/apt"
	"github.com/supermin-compile/supermin-compile/resolver"
	"github.com/supermin-compile/supermin-compile/resolver/deb"
)

// openApt opens an apt repository source: the manifest's repositories,
// or the host's apt sources. Each Release is verified against its keys,
// each index fetched and checked against the Release, and the chosen
// packages' .debs are fetched, and checked against the index, when a
// build needs them. Everything lands in the download cache, verified.
func openApt(s manifest.Source, cl *fetch.Client) (resolver.Universe, []string, error) {
	native, err := deb.NativeArch(s.Arch)
	if err != nil {
		return nil, nil, err
	}
	sources, notes, err := aptSources(s)
	if err != nil {
		return nil, nil, err
	}
	u, more, err := openRepositories(cl, sources, s.Root, apt.DefaultPaths(s.Root), []string{native})
	if err != nil {
		return nil, nil, err
	}
	return u, append(notes, more...), nil
}

// OpenHostApt opens the repositories of root's apt configuration, read
// as apt-get reads it ($APT_CONFIG, apt.conf.d, apt.conf, then conf when
// not "", as apt-get -c conf), with the indexes of archs (the native
// architecture first): where supermin --prepare downloads packages from.
// Downloads go to the default cache. The notes say what was skipped.
func OpenHostApt(root, conf string, archs []string) (*deb.Fetched, []string, error) {
	var extra []string
	if conf != "" {
		extra = append(extra, conf)
	}
	cfg, err := apt.ReadConfig(root, os.Getenv("APT_CONFIG"), extra...)
	if err != nil {
		return nil, nil, err
	}
	paths := cfg.Paths()
	h, err := apt.ReadHostPaths(root, paths)
	if err != nil {
		return nil, nil, err
	}
	if len(h.Sources) == 0 {
		return nil, nil, fmt.Errorf("apt: no repositories in %s nor in %s", paths.SourceList, paths.SourceParts)
	}
	cl, err := client(manifest.Source{})
	if err != nil {
		return nil, nil, err
	}
	u, notes, err := openRepositories(cl, h.Sources, root, paths, archs)
	return u, append(h.Notes, notes...), err
}

// openRepositories verifies each source's Release against its keys
// (default keyrings where paths says), fetches the Packages indexes of
// archs, checked against it, and opens them; .debs are fetched when
// their files are asked for.
func openRepositories(cl *fetch.Client, sources []apt.Source, root string, paths apt.Paths, archs []string) (*deb.Fetched, []string, error) {
	ctx := context.Background()
	var wanted []repoIndex
	var releases []string           // the "sha256:…" of each index's Release, for lock files
	var lacking *fetch.MissingError // offline: every file the cache lacks
	var notes []string
	for _, src := range sources {
		rel, sum, err := fetchRelease(ctx, cl, src, root, paths)
		if lacking, err = addMissing(lacking, err); err != nil {
			return nil, nil, err
		} else if rel == nil {
			continue
		}
		ixs, skipped := rel.Indexes(archs)
		notes = append(append(notes, skipped...), rel.Warnings...)
		if cl.Offline && !rel.ValidUntil.IsZero() && time.Now().After(rel.ValidUntil) {
			notes = append(notes, fmt.Sprintf("%s: offline, the cached Release is used though it expired (Valid-Until %s)", src, rel.ValidUntil.UTC().Format(time.RFC1123)))
		}
		for _, ix := range ixs {
			wanted = append(wanted, repoIndex{src, ix})
			releases = append(releases, "sha256:"+sum)
		}
	}
	if len(wanted) == 0 && lacking == nil {
		return nil, nil, fmt.Errorf("apt source: no Packages index for %s in %d repositories", strings.Join(archs, ", "), len(sources))
	}
	local, err := fetchIndexes(ctx, cl, wanted)
	if lacking, err = addMissing(lacking, err); err != nil {
		return nil, nil, err
	} else if lacking != nil {
		return nil, nil, lacking
	}
	indexes := make([]deb.FetchedIndex, len(local))
	for i, p := range local {
		indexes[i] = deb.FetchedIndex{Path: p, Repository: wanted[i].src.URI, Release: releases[i]}
	}
	get := func(i int, filename, sha256 string, size int64) (string, error) {
		src := wanted[i].src
		f := fetch.File{URL: src.URL(filename), SHA256: sha256, Size: size, Label: src.String() + " " + path.Base(filename)}
		p, err := cl.Get(ctx, f)
		if missing(err) { // one line per package: the build lists them all
			return "", fmt.Errorf("offline, and not in the cache: %s", f.URL)
		}
		return p, err
	}
	u, err := deb.OpenFetched(indexes, get, archs[0])
	if err != nil {
		return nil, nil, err
	}
	return u, notes, nil
}

// repoIndex is a Packages index of a repository.
type repoIndex struct {
	src apt.Source
	ix  apt.Index
}

// file is the index to fetch: by its hash when the repository offers it,
// since a mirror never changes that file under a reader.
func (r repoIndex) file() fetch.File {
	at := r.ix.Path
	if r.ix.ByHashPath != "" {
		at = r.ix.ByHashPath
	}
	return fetch.File{URL: r.src.URL(at), SHA256: r.ix.SHA256, Size: r.ix.Size, Label: r.src.String() + " " + r.ix.Name}
}

// fetchIndexes returns the files of the indexes, decompressed: found in
// the cache, or fetched (all at once) and decompressed into it, checked
// against the Release's SHA256 of the plain Packages, as apt keeps its
// lists decompressed. Decoding Packages.xz took most of the time of
// resolving from a warm cache. An index whose plain hash the Release
// does not list is read compressed.
func fetchIndexes(ctx context.Context, cl *fetch.Client, wanted []repoIndex) ([]string, error) {
	paths := make([]string, len(wanted))
	var files []fetch.File
	var todo []int
	for i, w := range wanted {
		if c := w.ix.Content; c != nil {
			if p, ok := cl.Cache.Path(c.SHA256); ok && sizeIs(p, c.Size) {
				paths[i] = p
				continue
			}
		}
		files = append(files, w.file())
		todo = append(todo, i)
	}
	fetched, err := cl.GetAll(ctx, files)
	if err != nil {
		return nil, err
	}
	for k, i := range todo {
		if paths[i], err = decompressed(cl.Cache, wanted[i], fetched[k]); err != nil {
			return nil, err
		}
	}
	return paths, nil
}

// decompressed caches the plain content of a fetched index, checked
// against the Release, and returns its file.
func decompressed(c *fetch.Cache, w repoIndex, file string) (string, error) {
	want := w.ix.Content
	if want == nil || want.SHA256 == w.ix.SHA256 {
		return file, nil
	}
	p, err := c.Put(want.SHA256, want.Size, func(out io.Writer) error {
		f, err := os.Open(file)
		if err != nil {
			return err
		}
		defer f.Close()
		z, err := decompress.New(f)
		if err != nil {
			return err
		}
		defer z.Close()
		_, err = io.Copy(out, io.LimitReader(z, want.Size+1)) // a bomb stops one byte past the size
		return err
	})
	if err != nil {
		return "", fmt.Errorf("%s: decompressed, it is not the Packages its Release lists: %w", w.file().Label, err)
	}
	return p, nil
}

func sizeIs(file string, size int64) bool {
	fi, err := os.Stat(file)
	return err == nil && fi.Size() == size
}

// addMissing adds the files an offline client did not find (err is a
// *fetch.MissingError) to lacking, so that one error names them all.
// Another error is returned as it is.
func addMissing(lacking *fetch.MissingError, err error) (*fetch.MissingError, error) {
	var me *fetch.MissingError
	if !errors.As(err, &me) {
		return lacking, err
	}
	if lacking == nil {
		return &fetch.MissingError{Dir: me.Dir, Files: me.Files}, nil
	}
	lacking.Files = append(lacking.Files, me.Files...)
	return lacking, nil
}

// aptSources is where an apt source's packages come from: the manifest's
// repositories, else the apt configuration under the source's root.
func aptSources(s manifest.Source) ([]apt.Source, []string, error) {
	if len(s.Repositories) == 0 {
		h, err := apt.ReadHost(s.Root)
		if err != nil {
			return nil, nil, err
		}
		if len(h.Sources) == 0 {
			return nil, nil, fmt.Errorf("apt source: no repositories in %s's apt configuration, and none in the manifest", s.Root)
		}
		return h.Sources, h.Notes, nil
	}
	var sources []apt.Source
	for _, r := range s.Repositories {
		src, err := apt.Repository{URL: r.URL, Suite: r.Suite, Components: r.Components, Keyring: r.Keyring,
			Architectures: r.Architectures, Trusted: r.Trusted}.Source()
		if err != nil {
			return nil, nil, err
		}
		sources = append(sources, src)
	}
	return sources, nil, nil
}

// fetchRelease fetches src's InRelease, or its Release and Release.gpg,
// and verifies the signature before any of it is cached or used. It
// returns the SHA256 of the signed file.
func fetchRelease(ctx context.Context, cl *fetch.Client, src apt.Source, root string, paths apt.Paths) (*apt.Release, string, error) {
	v := &apt.Verifier{Source: src}
	// Valid-Until guards against a mirror that replays an old Release.
	// Offline there is no mirror: the cached Release was current when it
	// was verified, and it stays usable, as apt's lists do.
	v.Source.CheckValidUntil = src.CheckValidUntil && !cl.Offline
	if src.Trusted != apt.TrustYes {
		kr, err := src.KeyringWith(root, paths)
		if err != nil {
			return nil, "", err
		}
		v.Keyring = kr
	}
	var rel *apt.Release
	verifyInRelease := func(p string) (err error) {
		rel, err = v.InRelease(p)
		return reason(err)
	}
	// Offline, a cache without the InRelease may hold a Release instead.
	_, sum, inErr := cl.GetSigned(ctx, src.URL(src.InReleasePath()), src.String()+" InRelease", verifyInRelease)
	if !errors.Is(inErr, fetch.ErrNotFound) && !(cl.Offline && missing(inErr)) {
		return rel, sum, inErr
	}
	// No InRelease: Release, with Release.gpg, each cached only once the
	// pair verifies. An unsigned Release passes only a trusted source.
	verifyRelease := func(release string) error {
		_, _, err := cl.GetSigned(ctx, src.URL(src.SignaturePath()), src.String()+" Release.gpg", func(sig string) (err error) {
			rel, err = v.Release(release, sig)
			return reason(err)
		})
		unsigned := errors.Is(err, fetch.ErrNotFound) || cl.Offline && missing(err)
		switch {
		case unsigned && src.Trusted == apt.TrustYes:
			rel, err = v.Release(release, "")
			return reason(err)
		case errors.Is(err, fetch.ErrNotFound):
			return errors.New("the repository is not signed: no InRelease, and no Release.gpg; apt refuses it too (trusted = true accepts a local repository without signatures)")
		}
		return err
	}
	_, sum, err := cl.GetSigned(ctx, src.URL(src.ReleasePath()), src.String()+" Release", verifyRelease)
	if cl.Offline && missing(err) {
		return nil, "", inErr // the cache holds neither: name the first file looked for
	}
	return rel, sum, err
}

func missing(err error) bool {
	var me *fetch.MissingError
	return errors.As(err, &me)
}

// reason is a verification error without the name of the file verified:
// a temporary download, when the fetch error names its URL.
func reason(err error) error {
	var e *apt.Error
	if errors.As(err, &e) {
		return errors.New(e.Reason)
	}
	return err
}

// client is the download client of a repository source.
func client(s manifest.Source) (*fetch.Client, error) {
	dir := s.CacheDir
	if dir == "" {
		var err error
		if dir, err = fetch.DefaultDir(); err != nil {
			return nil, err
		}
	}
	c, err := fetch.OpenCache(dir)
	if err != nil {
		return nil, err
	}
	return &fetch.Client{Cache: c, Offline: s.Offline, Progress: os.Stderr}, nil
}
