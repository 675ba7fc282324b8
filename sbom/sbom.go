// Package sbom describes an appliance as an SPDX 2.3 JSON document: every
// package of the closure with its purl, and every file that comes from the
// build host or from the manifest itself, with its checksums and origin.
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

	"github.com/supermin-compile/supermin-compile/emit"
	"github.com/supermin-compile/supermin-compile/manifest"
	"github.com/supermin-compile/supermin-compile/plan"
	"github.com/supermin-compile/supermin-compile/resolver"
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
	DownloadLocation string        `json:"downloadLocation"`
	FilesAnalyzed    bool          `json:"filesAnalyzed"`
	LicenseConcluded string        `json:"licenseConcluded"`
	LicenseDeclared  string        `json:"licenseDeclared"`
	CopyrightText    string        `json:"copyrightText"`
	LicenseComments  string        `json:"licenseComments,omitempty"`
	ExternalRefs     []ExternalRef `json:"externalRefs,omitempty"`
	Comment          string        `json:"comment,omitempty"`
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

// licenser is a package source that records licences (rpm headers do).
type licenser interface {
	License(*resolver.Package) string
}

// Build describes a planned manifest. created is the document's time
// (SOURCE_DATE_EPOCH for reproducible documents).
func Build(m *manifest.Manifest, res *emit.Result, toolVersion string, created time.Time) (*Document, error) {
	name := strings.TrimSuffix(filepath.Base(m.Path), filepath.Ext(m.Path))
	d := &Document{
		SPDXVersion: "SPDX-2.3", DataLicense: "CC0-1.0", SPDXID: "SPDXRef-DOCUMENT", Name: name,
		CreationInfo: CreationInfo{Created: created.UTC().Format(time.RFC3339),
			Creators: []string{"Tool: supermin-compile-" + toolVersion}},
	}
	root := Package{SPDXID: "SPDXRef-Appliance", Name: name, DownloadLocation: noAssertion,
		LicenseConcluded: noAssertion, LicenseDeclared: noAssertion, CopyrightText: noAssertion,
		Comment: "the appliance described by " + filepath.Base(m.Path)}
	d.Packages = append(d.Packages, root)
	d.Relationships = append(d.Relationships, Relationship{"SPDXRef-DOCUMENT", "DESCRIBES", root.SPDXID})
	for _, p := range res.Resolved.Packages {
		pkg := Package{SPDXID: spdxID("SPDXRef-Package-" + p.Name + "-" + p.Arch), Name: p.Name, VersionInfo: p.Version,
			DownloadLocation: noAssertion, LicenseConcluded: noAssertion, LicenseDeclared: noAssertion,
			CopyrightText: noAssertion, ExternalRefs: []ExternalRef{{"PACKAGE-MANAGER", "purl", purl(m, p.Name, p.Version, p.Arch)}}}
		if l, ok := res.Universe.(licenser); ok && l.License(p) != "" {
			// Only a comment: older tags are not SPDX expressions, and
			// licenseDeclared must be one.
			pkg.LicenseComments = "License tag of the package: " + l.License(p)
		}
		d.Packages = append(d.Packages, pkg)
		d.Relationships = append(d.Relationships, Relationship{root.SPDXID, "CONTAINS", pkg.SPDXID})
	}
	if err := addFiles(d, res, root.SPDXID); err != nil {
		return nil, err
	}
	d.DocumentNamespace = namespace(d)
	return d, nil
}

// addFiles adds the regular files that come from the host or the manifest.
func addFiles(d *Document, res *emit.Result, root string) error {
	p := res.Plan
	for i := range p.Entries {
		e := &p.Entries[i]
		if e.Type != plan.Regular || (e.Origin != "host" && e.Origin != "inline") {
			continue
		}
		s, err := res.Sums(e)
		if err != nil {
			return fmt.Errorf("sbom: %s: %w", e.Path, err)
		}
		sums := []Checksum{{"SHA1", s.SHA1}, {"SHA256", s.SHA256}}
		f := File{SPDXID: fmt.Sprintf("SPDXRef-File-%d", len(d.Files)+1), FileName: "." + e.Path, Checksums: sums,
			LicenseConcluded: noAssertion, CopyrightText: noAssertion, Comment: "origin: " + e.Origin}
		d.Files = append(d.Files, f)
		d.Relationships = append(d.Relationships, Relationship{root, "CONTAINS", f.SPDXID})
	}
	return nil
}

var idChars = regexp.MustCompile(`[^A-Za-z0-9.-]+`)

// spdxID makes an SPDX identifier: letters, digits, "." and "-" only.
func spdxID(s string) string { return idChars.ReplaceAllString(s, "-") }

// purl is the package URL: pkg:deb/debian/NAME@VERSION?arch=ARCH, or
// pkg:rpm/fedora/NAME@VERSION-RELEASE?arch=ARCH&epoch=EPOCH for rpm
// sources (the purl spec keeps rpm's epoch out of the version).
func purl(m *manifest.Manifest, name, version, arch string) string {
	typ, ns, epoch := "deb", "debian", ""
	if strings.HasPrefix(m.Source.Type, "rpm") {
		typ, ns = "rpm", "fedora"
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
