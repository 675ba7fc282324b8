package planner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"strings"

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
	var notes []string
	var files []fetch.File
	var owners []apt.Source
	var releases []string // the "sha256:…" of each file's Release, for lock files
	for _, src := range sources {
		rel, sum, err := fetchRelease(ctx, cl, src, root, paths)
		if err != nil {
			return nil, nil, err
		}
		ixs, skipped := rel.Indexes(archs)
		notes = append(append(notes, skipped...), rel.Warnings...)
		for _, ix := range ixs {
			at := ix.Path
			if ix.ByHashPath != "" {
				at = ix.ByHashPath // a mirror never changes it under a reader
			}
			files = append(files, fetch.File{URL: src.URL(at), SHA256: ix.SHA256, Size: ix.Size, Label: src.String() + " " + ix.Name})
			owners = append(owners, src)
			releases = append(releases, "sha256:"+sum)
		}
	}
	if len(files) == 0 {
		return nil, nil, fmt.Errorf("apt source: no Packages index for %s in %d repositories", strings.Join(archs, ", "), len(sources))
	}
	local, err := cl.GetAll(ctx, files)
	if err != nil {
		return nil, nil, err
	}
	indexes := make([]deb.FetchedIndex, len(local))
	for i, p := range local {
		indexes[i] = deb.FetchedIndex{Path: p, Repository: owners[i].URI, Release: releases[i]}
	}
	get := func(i int, filename, sha256 string, size int64) (string, error) {
		src := owners[i]
		return cl.Get(ctx, fetch.File{URL: src.URL(filename), SHA256: sha256, Size: size, Label: src.String() + " " + path.Base(filename)})
	}
	u, err := deb.OpenFetched(indexes, get, archs[0])
	if err != nil {
		return nil, nil, err
	}
	return u, notes, nil
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
		return err
	}
	_, sum, err := cl.GetSigned(ctx, src.URL(src.InReleasePath()), src.String()+" InRelease", verifyInRelease)
	if !errors.Is(err, fetch.ErrNotFound) {
		return rel, sum, err
	}
	// No InRelease: Release, with Release.gpg, each cached only once the
	// pair verifies. An unsigned Release passes only a trusted source.
	verifyRelease := func(release string) error {
		_, _, err := cl.GetSigned(ctx, src.URL(src.SignaturePath()), src.String()+" Release.gpg", func(sig string) (err error) {
			rel, err = v.Release(release, sig)
			return err
		})
		if errors.Is(err, fetch.ErrNotFound) && src.Trusted == apt.TrustYes {
			rel, err = v.Release(release, "")
		}
		return err
	}
	_, sum, err = cl.GetSigned(ctx, src.URL(src.ReleasePath()), src.String()+" Release", verifyRelease)
	return rel, sum, err
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
