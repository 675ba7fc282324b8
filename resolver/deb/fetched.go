package deb

import (
	"strings"

	"github.com/supermin-compile/supermin-compile/resolver"
)

// FetchedIndex is a Packages index fetched from a repository and
// verified, with where it came from.
type FetchedIndex struct {
	Path       string // the local copy
	Repository string // the URL its Filenames are relative to
	Release    string // "sha256:…" of the signed InRelease or Release that lists it
}

// Fetched is the Universe of repositories (OpenFetched). It also tells
// where each package's .deb comes from, so that a lock file pins it.
type Fetched struct {
	*Universe
	indexes []FetchedIndex
}

var _ resolver.Locator = (*Fetched)(nil)

// Locate returns p's .deb as its index describes it.
func (f *Fetched) Locate(p *resolver.Package) (resolver.RepositoryFile, error) {
	d, err := f.deb(p)
	if err != nil {
		return resolver.RepositoryFile{}, err
	}
	ix := f.indexes[d.meta.index]
	return resolver.RepositoryFile{Repository: ix.Repository, Filename: d.meta.filename,
		SHA256: strings.ToLower(d.meta.sha256), Size: d.meta.size, Release: ix.Release}, nil
}
