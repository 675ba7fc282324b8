package sbom

import (
	"archive/tar"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/supermin-compile/supermin-compile/internal/decompress"
	"github.com/supermin-compile/supermin-compile/plan"
	"github.com/supermin-compile/supermin-compile/planner"
)

// tarball is a base tarball read once: its own checksums and those of its
// regular members, by clean absolute path.
type tarball struct {
	file    string
	sums    planner.Sums
	members map[string]planner.Sums
}

// readTarball streams file once, hashing the compressed bytes and each
// regular member as they go by; no member is held in memory. A path that
// occurs twice keeps its last member, as the Plan does.
func readTarball(file string) (*tarball, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	whole := newHasher()
	raw := io.TeeReader(f, whole)
	z, err := decompress.New(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	defer z.Close()
	t := &tarball{file: file, members: map[string]planner.Sums{}}
	tr := tar.NewReader(z)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		if h.Typeflag != tar.TypeReg && h.Typeflag != tar.TypeRegA {
			continue
		}
		p, err := plan.MemberPath(h.Name)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		if t.members[p], err = hashReader(tr); err != nil {
			return nil, fmt.Errorf("%s: %s: %w", file, h.Name, err)
		}
	}
	// What follows the archive's end (padding, a gzip trailer) is part
	// of the file's checksum too.
	if _, err := io.Copy(io.Discard, raw); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	t.sums = whole.sums()
	return t, nil
}

// addBase describes each base tarball as a package with its checksums,
// containing those of its files that the appliance holds: a later layer
// may have replaced some.
func (b *builder) addBase() error {
	tars := make([]*tarball, len(b.m.Base))
	for i, file := range b.m.Base {
		var err error
		if tars[i], err = readTarball(file); err != nil {
			return err
		}
	}
	files := make([][]*plan.Entry, len(tars))
	p := b.res.Plan
	for i := range p.Entries {
		e := &p.Entries[i]
		if e.Type != plan.Regular || e.Origin.Kind != plan.Tarball {
			continue
		}
		// The Plan names a member's tarball by its base name; of two
		// tarballs with that name, the later one's member wins.
		from, named := -1, false
		for j := len(tars) - 1; j >= 0 && from < 0; j-- {
			if path.Base(tars[j].file) == e.Origin.Name {
				named = true
				if _, ok := tars[j].members[e.Path]; ok {
					from = j
				}
			}
		}
		if from >= 0 {
			files[from] = append(files[from], e)
		} else if named {
			return fmt.Errorf("base tarball %s has no file %s: did it change while planning?", e.Origin.Name, e.Path)
		}
	}
	for i, t := range tars {
		name := path.Base(t.file)
		pkg := Package{SPDXID: spdxID(fmt.Sprintf("SPDXRef-Base-%d-%s", i+1, name)), Name: name,
			PackageFileName: relative(b.m.Dir, t.file), Checksums: checksums(t.sums), Purpose: "ARCHIVE",
			Comment: fmt.Sprintf("base tarball: %d of its %d files are in the appliance", len(files[i]), len(t.members))}
		b.d.add(b.root, "CONTAINS", pkg)
		for _, e := range files[i] {
			b.d.addFile(pkg.SPDXID, "."+e.Path, t.members[e.Path], "origin: "+name)
		}
	}
	return nil
}

// relative writes a path under the manifest's directory relative to it,
// as the lock file does.
func relative(dir, p string) string {
	if rel, err := filepath.Rel(dir, p); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return p
}

// hasher computes SHA-1 and SHA-256 at once.
type hasher struct{ h1, h256 hash.Hash }

func newHasher() *hasher { return &hasher{sha1.New(), sha256.New()} }

func (h *hasher) Write(p []byte) (int, error) {
	h.h1.Write(p)
	return h.h256.Write(p)
}

func (h *hasher) sums() planner.Sums {
	return planner.Sums{SHA1: hex.EncodeToString(h.h1.Sum(nil)), SHA256: hex.EncodeToString(h.h256.Sum(nil))}
}

func hashReader(r io.Reader) (planner.Sums, error) {
	h := newHasher()
	if _, err := io.Copy(h, r); err != nil {
		return planner.Sums{}, err
	}
	return h.sums(), nil
}
