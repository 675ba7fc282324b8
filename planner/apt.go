package planner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"

	"github.com/supermin-compile/supermin-compile/fetch"
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
	ctx := context.Background()
	var files []fetch.File
	var owners []apt.Source
	var lacking *fetch.MissingError // offline: every file the cache lacks
	for _, src := range sources {
		rel, err := fetchRelease(ctx, cl, src, s.Root)
		if lacking, err = addMissing(lacking, err); err != nil {
			return nil, nil, err
		} else if rel == nil {
			continue
		}
		ixs, skipped := rel.Indexes([]string{native})
		notes = append(append(notes, skipped...), rel.Warnings...)
		for _, ix := range ixs {
			at := ix.Path
			if ix.ByHashPath != "" {
				at = ix.ByHashPath // a mirror never changes it under a reader
			}
			files = append(files, fetch.File{URL: src.URL(at), SHA256: ix.SHA256, Size: ix.Size, Label: src.String() + " " + ix.Name})
			owners = append(owners, src)
		}
	}
	if len(files) == 0 && lacking == nil {
		return nil, nil, fmt.Errorf("apt source: no Packages index for %s in %d repositories", native, len(sources))
	}
	indexes, err := cl.GetAll(ctx, files)
	if lacking, err = addMissing(lacking, err); err != nil {
		return nil, nil, err
	} else if lacking != nil {
		return nil, nil, lacking
	}
	get := func(i int, filename, sha256 string, size int64) (string, error) {
		src := owners[i]
		f := fetch.File{URL: src.URL(filename), SHA256: sha256, Size: size, Label: src.String() + " " + path.Base(filename)}
		p, err := cl.Get(ctx, f)
		if missing(err) { // one line per package: the build lists them all
			return "", fmt.Errorf("offline, and not in the cache: %s", f.URL)
		}
		return p, err
	}
	u, err := deb.OpenFetched(indexes, get, native)
	if err != nil {
		return nil, nil, err
	}
	return u, notes, nil
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
// and verifies the signature before any of it is cached or used.
func fetchRelease(ctx context.Context, cl *fetch.Client, src apt.Source, root string) (*apt.Release, error) {
	v := &apt.Verifier{Source: src}
	if src.Trusted != apt.TrustYes {
		kr, err := src.Keyring(root)
		if err != nil {
			return nil, err
		}
		v.Keyring = kr
	}
	var rel *apt.Release
	verifyInRelease := func(p string) (err error) {
		rel, err = v.InRelease(p)
		return reason(err)
	}
	// Offline, a cache without the InRelease may hold a Release instead.
	_, _, inErr := cl.GetSigned(ctx, src.URL(src.InReleasePath()), src.String()+" InRelease", verifyInRelease)
	if !errors.Is(inErr, fetch.ErrNotFound) && !(cl.Offline && missing(inErr)) {
		return rel, inErr
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
	_, _, err := cl.GetSigned(ctx, src.URL(src.ReleasePath()), src.String()+" Release", verifyRelease)
	if cl.Offline && missing(err) {
		return nil, inErr // the cache holds neither: name the first file looked for
	}
	return rel, err
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
