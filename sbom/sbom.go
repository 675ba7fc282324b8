// Package sbom describes an appliance as an SPDX 2.3 JSON document:
// every package of the closure with its purl; each base tarball with its
// checksums, containing its files; the build host's package that installed
// the kernel, containing the kernel image and the modules of the root
// image and the initrd; our /init as a package of its own; and the files
// from the host or the manifest. Every file has its checksums and origin.
package sbom

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/supermin-compile/supermin-compile/manifest"
	"github.com/supermin-compile/supermin-compile/plan"
	"github.com/supermin-compile/supermin-compile/planner"
	"github.com/supermin-compile/supermin-compile/resolver"
	"github.com/supermin-compile/supermin-compile/resolver/pacman"
	"github.com/supermin-compile/supermin-compile/resolver/rpm"
)

// Document is the subset of SPDX 2.3 we write.
type Document struct {
	SPDXVersion       string         `json:"spdxVersion"`
	DataLicense       string         `json:"dataLicense"`
	SPDXID            string         `json:"SPDXID"`
	Name              string         `json:"name"`
	DocumentNamespace string         `json:"documentNamespace"`
	CreationInfo      CreationInfo   `json:"creationInfo"`
	Packages          []Package      `json:"packages"`
	Files             []File         `json:"files,omitempty"`
	Relationships     []Relationship `json:"relationships"`
}

type CreationInfo struct {
	Created  string   `json:"created"`
	Creators []string `json:"creators"`
}

type Package struct {
	SPDXID           string        `json:"SPDXID"`
	Name             string        `json:"name"`
	VersionInfo      string        `json:"versionInfo,omitempty"`
	PackageFileName  string        `json:"packageFileName,omitempty"`
	DownloadLocation string        `json:"downloadLocation"`
	FilesAnalyzed    bool          `json:"filesAnalyzed"`
	Checksums        []Checksum    `json:"checksums,omitempty"`
	LicenseConcluded string        `json:"licenseConcluded"`
	LicenseDeclared  string        `json:"licenseDeclared"`
	CopyrightText    string        `json:"copyrightText"`
	LicenseComments  string        `json:"licenseComments,omitempty"`
	ExternalRefs     []ExternalRef `json:"externalRefs,omitempty"`
	Comment          string        `json:"comment,omitempty"`
	Purpose          string        `json:"primaryPackagePurpose,omitempty"`
}

type ExternalRef struct {
	Category string `json:"referenceCategory"`
	Type     string `json:"referenceType"`
	Locator  string `json:"referenceLocator"`
}

type File struct {
	SPDXID           string     `json:"SPDXID"`
	FileName         string     `json:"fileName"`
	Checksums        []Checksum `json:"checksums"`
	LicenseConcluded string     `json:"licenseConcluded"`
	CopyrightText    string     `json:"copyrightText"`
	Comment          string     `json:"comment,omitempty"`
}

type Checksum struct {
	Algorithm string `json:"algorithm"`
	Value     string `json:"checksumValue"`
}

type Relationship struct {
	Element string `json:"spdxElementId"`
	Type    string `json:"relationshipType"`
	Related string `json:"relatedSpdxElement"`
}

const noAssertion = "NOASSERTION"

// Build describes a planned manifest. created is the document's time
// (SOURCE_DATE_EPOCH for reproducible documents).
func Build(m *manifest.Manifest, res *planner.Result, toolVersion string, created time.Time) (*Document, error) {
	name := strings.TrimSuffix(filepath.Base(m.Path), filepath.Ext(m.Path))
	d := &Document{
		SPDXVersion: "SPDX-2.3", DataLicense: "CC0-1.0", SPDXID: "SPDXRef-DOCUMENT", Name: name,
		CreationInfo: CreationInfo{Created: created.UTC().Format(time.RFC3339),
			Creators: []string{"Tool: supermin-compile-" + toolVersion}},
	}
	root := Package{SPDXID: "SPDXRef-Appliance", Name: name, Comment: "the appliance described by " + filepath.Base(m.Path)}
	d.add("SPDXRef-DOCUMENT", "DESCRIBES", root)
	b := &builder{d: d, m: m, res: res, version: toolVersion, root: root.SPDXID}
	for _, p := range res.Resolved.Packages {
		pkg := Package{SPDXID: spdxID("SPDXRef-Package-" + p.Name + "-" + p.Arch), Name: p.Name, VersionInfo: p.Version,
			ExternalRefs: []ExternalRef{{"PACKAGE-MANAGER", "purl", purl(purlType(res.Universe), p.Name, p.Version, p.Arch)}}}
		if l, ok := res.Universe.(resolver.Licenser); ok && l.License(p) != "" {
			// Only a comment: older tags are not SPDX expressions, and
			// licenseDeclared must be one.
			pkg.LicenseComments = "License tag of the package: " + l.License(p)
		}
		d.add(root.SPDXID, "CONTAINS", pkg)
	}
	for _, step := range []func() error{b.addFiles, b.addBase, b.addKernel} {
		if err := step(); err != nil {
			return nil, fmt.Errorf("sbom: %w", err)
		}
	}
	d.DocumentNamespace = namespace(d)
	return d, nil
}

// builder holds what the parts of the document share.
type builder struct {
	d       *Document
	m       *manifest.Manifest
	res     *planner.Result
	version string // the tool's, which is also the init's
	root    string // the appliance's SPDXID

	hostType string                       // purl type of the host's packages
	host     map[*resolver.Package]string // the element of each host package
}

// find returns the package element with that SPDXID, if there is one.
func (d *Document) find(id string) *Package {
	for i := range d.Packages {
		if d.Packages[i].SPDXID == id {
			return &d.Packages[i]
		}
	}
	return nil
}

// add adds a package contained by (or described by) the element from,
// with NOASSERTION where it says nothing.
func (d *Document) add(from, relation string, p Package) {
	for _, f := range []*string{&p.DownloadLocation, &p.LicenseConcluded, &p.LicenseDeclared, &p.CopyrightText} {
		if *f == "" {
			*f = noAssertion
		}
	}
	d.Packages = append(d.Packages, p)
	d.Relationships = append(d.Relationships, Relationship{from, relation, p.SPDXID})
}

// addFile adds a file with its checksums, contained by the element in.
func (d *Document) addFile(in, name string, s planner.Sums, comment string) {
	f := File{SPDXID: fmt.Sprintf("SPDXRef-File-%d", len(d.Files)+1), FileName: name, Checksums: checksums(s),
		LicenseConcluded: noAssertion, CopyrightText: noAssertion, Comment: comment}
	d.Files = append(d.Files, f)
	d.Relationships = append(d.Relationships, Relationship{in, "CONTAINS", f.SPDXID})
}

func checksums(s planner.Sums) []Checksum { return []Checksum{{"SHA1", s.SHA1}, {"SHA256", s.SHA256}} }

// addFiles adds the regular files that come from the host or the manifest.
func (b *builder) addFiles() error {
	p := b.res.Plan
	for i := range p.Entries {
		e := &p.Entries[i]
		if e.Type != plan.Regular || (e.Origin.Kind != plan.Host && e.Origin.Kind != plan.Inline) {
			continue
		}
		s, err := b.res.Sums(e)
		if err != nil {
			return fmt.Errorf("%s: %w", e.Path, err)
		}
		b.d.addFile(b.root, "."+e.Path, s, "origin: "+e.Origin.String())
	}
	return nil
}

var idChars = regexp.MustCompile(`[^A-Za-z0-9.-]+`)

// spdxID makes an SPDX identifier: letters, digits, "." and "-" only.
func spdxID(s string) string { return idChars.ReplaceAllString(s, "-") }

// purlType is the purl type of a package source's packages.
func purlType(u resolver.Universe) string {
	switch u.(type) {
	case *rpm.DB, *rpm.Dir:
		return "rpm"
	case *pacman.DB, *pacman.Dir:
		return "alpm"
	}
	return "deb"
}

// purl is the package URL: pkg:deb/debian/NAME@VERSION?arch=ARCH, or
// pkg:rpm/fedora/NAME@VERSION-RELEASE?arch=ARCH&epoch=EPOCH for rpm
// packages (the purl spec keeps rpm's epoch out of the version), or
// pkg:alpm/arch/NAME@VERSION?arch=ARCH for pacman's.
func purl(typ, name, version, arch string) string {
	ns, epoch := "debian", ""
	if typ == "alpm" {
		ns = "arch"
	}
	if typ == "rpm" {
		ns = "fedora"
		if e, v, ok := strings.Cut(version, ":"); ok {
			epoch, version = "&epoch="+url.QueryEscape(e), v
		}
	}
	return fmt.Sprintf("pkg:%s/%s/%s@%s?arch=%s%s", typ, ns, url.PathEscape(name), url.PathEscape(version), url.QueryEscape(arch), epoch)
}

// namespace derives the document's unique URI from its content, so the
// same appliance always gets the same document.
func namespace(d *Document) string {
	body, _ := json.Marshal(struct {
		P []Package
		F []File
	}{d.Packages, d.Files})
	return fmt.Sprintf("https://supermin-compile.invalid/spdx/%s-%x", url.PathEscape(d.Name), sha256.Sum256(body))
}

// Write writes the document as indented JSON.
func (d *Document) Write(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(d)
}
