package rpm

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path"
	"strings"

	"github.com/supermin-compile/supermin-compile/internal/decompress"
)

// An rpm-md (yum, dnf) repository is described by repodata/repomd.xml: one
// <data> record per metadata file (primary, filelists, other, comps...),
// with the file's location and checksums. primary.xml lists every package
// with its dependencies and part of its file list; filelists.xml has the
// rest of the file lists.

// Checksum is a digest as repository metadata writes it.
type Checksum struct {
	Type  string // "sha256", "sha512", ... as written; yum's "sha" is sha1
	Value string // hex
}

func (c Checksum) String() string { return c.Type + ":" + c.Value }

// newHash returns the hash c names. dnf (librepo) accepts md5, sha1,
// sha224, sha256, sha384 and sha512 in repository metadata, and so does
// this: a repository is only as strong as what it chose, and the chain is
// anchored in repomd.xml (signed when repo_gpgcheck is on).
func (c Checksum) newHash() (hash.Hash, error) {
	var h hash.Hash
	switch strings.ToLower(c.Type) {
	case "md5":
		h = md5.New()
	case "sha", "sha1":
		h = sha1.New()
	case "sha224":
		h = sha256.New224()
	case "sha256":
		h = sha256.New()
	case "sha384":
		h = sha512.New384()
	case "sha512":
		h = sha512.New()
	default:
		return nil, fmt.Errorf("checksum type %q is not supported (md5, sha1, sha224, sha256, sha384, sha512)", c.Type)
	}
	if len(c.Value) != 2*h.Size() {
		return nil, fmt.Errorf("%s checksum %q is not %d hex digits", c.Type, c.Value, 2*h.Size())
	}
	return h, nil
}

// check hashes r and compares the digest with c; what names the data in
// the error, which states both digests.
func (c Checksum) check(r io.Reader, what string) error {
	h, err := c.newHash()
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if _, err := io.Copy(h, r); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); !strings.EqualFold(got, c.Value) {
		return fmt.Errorf("%s: %s is %s, want %s", what, c.Type, got, c.Value)
	}
	return nil
}

// Repomd is a parsed repomd.xml.
type Repomd struct {
	Revision string
	Records  []Record
}

// Record is one <data> of repomd.xml: a metadata file.
type Record struct {
	Type         string   // "primary", "filelists", "other", "group", "modules", ...
	Href         string   // location, relative to Base
	Base         string   // location xml:base: another base URL; "" for the repository's own
	Checksum     Checksum // of the file as stored (compressed)
	OpenChecksum Checksum // of its decompressed contents; zero when not given
	Size         int64    // of the file as stored; 0 when not given
	OpenSize     int64    // decompressed; 0 when not given
}

// Record returns the record of type typ ("primary", "filelists").
func (m *Repomd) Record(typ string) (Record, bool) {
	for _, r := range m.Records {
		if r.Type == typ {
			return r, true
		}
	}
	return Record{}, false
}

// maxRepomd bounds repomd.xml: real ones are a few KiB.
const maxRepomd = 1 << 20

type xmlChecksum struct {
	Type  string `xml:"type,attr"`
	Value string `xml:",chardata"`
}

type xmlLocation struct {
	Href string `xml:"href,attr"`
	Base string `xml:"http://www.w3.org/XML/1998/namespace base,attr"`
}

// ParseRepomd reads repomd.xml; name names it in errors.
func ParseRepomd(r io.Reader, name string) (*Repomd, error) {
	var doc struct {
		XMLName  xml.Name
		Revision string `xml:"revision"`
		Data     []struct {
			Type         string      `xml:"type,attr"`
			Checksum     xmlChecksum `xml:"checksum"`
			OpenChecksum xmlChecksum `xml:"open-checksum"`
			Location     xmlLocation `xml:"location"`
			Size         string      `xml:"size"`
			OpenSize     string      `xml:"open-size"`
		} `xml:"data"`
	}
	lr := &io.LimitedReader{R: r, N: maxRepomd + 1}
	if err := xml.NewDecoder(lr).Decode(&doc); err != nil {
		if lr.N <= 0 {
			err = fmt.Errorf("larger than %d bytes", maxRepomd)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if doc.XMLName.Local != "repomd" {
		return nil, fmt.Errorf("%s: not a repomd.xml (root element <%s>)", name, doc.XMLName.Local)
	}
	m := &Repomd{Revision: strings.TrimSpace(doc.Revision)}
	for _, d := range doc.Data {
		rec := Record{Type: d.Type, Href: d.Location.Href, Base: d.Location.Base,
			Checksum: trimChecksum(d.Checksum), OpenChecksum: trimChecksum(d.OpenChecksum)}
		var err error
		if rec.Size, err = optionalSize(d.Size); err == nil {
			rec.OpenSize, err = optionalSize(d.OpenSize)
		}
		if err == nil {
			err = checkHref(rec.Href)
		}
		if err == nil && rec.Checksum.Value == "" {
			err = errors.New("no checksum")
		}
		if err != nil {
			return nil, fmt.Errorf("%s: <data type=%q>: %w", name, d.Type, err)
		}
		m.Records = append(m.Records, rec)
	}
	return m, nil
}

func trimChecksum(c xmlChecksum) Checksum {
	return Checksum{Type: strings.TrimSpace(c.Type), Value: strings.TrimSpace(c.Value)}
}

func optionalSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	var n int64
	if _, err := fmt.Sscan(s, &n); err != nil || n < 0 {
		return 0, fmt.Errorf("size %q is not a number", s)
	}
	return n, nil
}

// checkHref refuses a location that is empty or leaves the repository:
// absolute, with a URL scheme, or with a ".." segment.
func checkHref(href string) error {
	switch {
	case href == "":
		return errors.New("no location href")
	case strings.HasPrefix(href, "/") || strings.Contains(href, "://") || strings.ContainsRune(href, '\\'):
		return fmt.Errorf("location %q is not a relative path", href)
	case path.Clean(href) == ".." || strings.HasPrefix(path.Clean(href), "../"):
		return fmt.Errorf("location %q leaves the repository", href)
	}
	return nil
}

// Verify checks the local file path, a copy of the record's file: its
// size and checksum and, when the record gives them, those of its
// decompressed contents. Errors name the record's href and both digests.
func (r Record) Verify(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := checkSize(f, r.Size, r.Href); err != nil {
		return err
	}
	if err := r.Checksum.check(f, r.Href); err != nil {
		return err
	}
	if r.OpenChecksum.Value == "" {
		return nil
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	z, err := decompress.New(f)
	if err != nil {
		return fmt.Errorf("%s: %w", r.Href, err)
	}
	defer z.Close()
	n := &countingReader{r: z}
	if err := r.OpenChecksum.check(n, r.Href+" (decompressed)"); err != nil {
		return err
	}
	if r.OpenSize > 0 && n.n != r.OpenSize {
		return fmt.Errorf("%s: %d bytes decompressed, want %d", r.Href, n.n, r.OpenSize)
	}
	return nil
}

// checkSize compares f's size with want, unless want is 0 (not given).
func checkSize(f *os.File, want int64, what string) error {
	if want == 0 {
		return nil
	}
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if st.Size() != want {
		return fmt.Errorf("%s: %d bytes, want %d", what, st.Size(), want)
	}
	return nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
