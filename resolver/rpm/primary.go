package rpm

import (
	"encoding/xml"
	"io"
	"slices"
	"strconv"
	"strings"
)

// PackageFile is where a package's .rpm is in its repository, and what it
// must be: primary.xml's <location>, <checksum> and <size package>.
type PackageFile struct {
	Href     string // relative to Base
	Base     string // location xml:base, another base URL; "" for the repository's own
	Checksum Checksum
	Size     int64
}

// primaryPackage is one <package> of primary.xml: what the resolver needs
// of it (the files are the part of the list primary.xml carries) and where
// its .rpm is.
type primaryPackage struct {
	meta
	file PackageFile
}

// readPrimary streams primary.xml (decompressed) from r and calls each for
// every package; name names the file in errors.
func readPrimary(r io.Reader, name string, each func(*primaryPackage) error) error {
	s := newXMLStream(r, name)
	if err := s.root("metadata"); err != nil {
		return err
	}
	return s.children(func(e xml.StartElement) error {
		if e.Name.Local != "package" || attr(e, "type") != "rpm" {
			return s.skip()
		}
		p, err := s.primaryPackage()
		if err != nil {
			return err
		}
		s.nextElement()
		return each(p)
	})
}

// primaryPackage reads the <package> element just started.
func (s *xmlStream) primaryPackage() (*primaryPackage, error) {
	p := &primaryPackage{}
	var evr EVR
	err := s.children(func(e xml.StartElement) error {
		var err error
		switch e.Name.Local {
		case "name":
			p.pkg.Name, err = s.text()
		case "arch":
			p.pkg.Arch, err = s.text()
			p.pkg.Arch = s.str(p.pkg.Arch)
		case "version":
			evr, err = s.evr(e)
		case "checksum":
			p.file.Checksum.Type = attr(e, "type")
			p.file.Checksum.Value, err = s.text()
		case "size":
			p.file.Size, err = s.number(e, "package")
		case "location":
			p.file.Href, p.file.Base = attr(e, "href"), attr(e, "base")
			err = s.skip()
		case "format":
			err = s.children(func(e xml.StartElement) error { return s.format(e, &p.meta) })
		default:
			err = s.skip()
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return p, s.checkPackage(p, evr)
}

// checkPackage completes p and refuses what would mislead the resolver or
// the fetcher.
func (s *xmlStream) checkPackage(p *primaryPackage, evr EVR) error {
	name := p.pkg.Name
	if name == "" || evr.Version == "" || p.pkg.Arch == "" {
		return s.errf("package %q: no name, version or arch", name)
	}
	if err := checkHref(p.file.Href); err != nil {
		return s.errf("package %s: %v", name, err)
	}
	p.file.Checksum.Value = strings.TrimSpace(p.file.Checksum.Value)
	if _, err := p.file.Checksum.newHash(); err != nil {
		return s.errf("package %s: %v", name, err)
	}
	p.pkg.Version = evr.String()
	p.source = p.pkg.Arch == "src" || p.pkg.Arch == "nosrc"
	return nil
}

// evr reads <version epoch ver rel>, or the same attributes of an
// <rpm:entry>; epoch 0 is left out, as rpm shows it.
func (s *xmlStream) evr(e xml.StartElement) (EVR, error) {
	v := EVR{Epoch: attr(e, "epoch"), Version: attr(e, "ver"), Release: attr(e, "rel")}
	if strings.TrimLeft(v.Epoch, "0") == "" {
		v.Epoch = ""
	} else if run(v.Epoch, true) != v.Epoch {
		return v, s.errf("epoch %q is not a number", v.Epoch)
	}
	return v, s.skip()
}

// number reads a non-negative integer attribute; absent is 0.
func (s *xmlStream) number(e xml.StartElement, name string) (int64, error) {
	var n int64
	if v := attr(e, name); v != "" {
		var err error
		if n, err = strconv.ParseInt(v, 10, 64); err != nil || n < 0 {
			return 0, s.errf("<%s %s=%q>: not a size", e.Name.Local, name, v)
		}
	}
	return n, s.skip()
}

// format reads one element of <format>: the licence, the dependency lists
// the resolver reads, and the files. Supplements and enhances are not.
func (s *xmlStream) format(e xml.StartElement, m *meta) error {
	var err error
	switch e.Name.Local {
	case "license":
		m.license, err = s.text()
	case "provides":
		m.provides, err = s.entries()
	case "requires":
		m.requires, err = s.entries()
	case "conflicts":
		m.conflicts, err = s.entries()
	case "obsoletes":
		m.obsoletes, err = s.entries()
	case "recommends":
		m.recommends, err = s.entries()
	case "suggests":
		m.suggests, err = s.entries()
	case "file":
		var f file
		if f, err = s.file(e); err == nil {
			m.files = append(m.files, f)
		}
	default:
		err = s.skip()
	}
	return err
}

// entries reads a dependency list: <rpm:entry name flags epoch ver rel
// pre>, the same relation a header's NAME/FLAGS/VERSION arrays hold.
func (s *xmlStream) entries() ([]capability, error) {
	var out []capability
	err := s.children(func(e xml.StartElement) error {
		if e.Name.Local != "entry" {
			return s.skip()
		}
		c := capability{name: s.str(attr(e, "name"))}
		if c.name == "" {
			return s.errf("<rpm:entry> without a name")
		}
		if flags := attr(e, "flags"); flags != "" {
			bits, ok := map[string]int64{"LT": senseLess, "GT": senseGreater, "EQ": senseEqual,
				"LE": senseLess | senseEqual, "GE": senseGreater | senseEqual}[flags]
			if !ok {
				return s.errf("<rpm:entry name=%q>: flags %q is not EQ, LT, GT, LE or GE", c.name, flags)
			}
			c.flags = bits
		}
		if p := attr(e, "pre"); p == "1" || p == "true" {
			c.flags |= sensePrereq
		}
		v, err := s.evr(e)
		if err != nil {
			return err
		}
		if v.Version != "" && c.flags&(senseLess|senseGreater|senseEqual) != 0 {
			c.op, c.version = senseOp(c.flags), s.str(v.String())
		}
		out = append(out, c)
		return nil
	})
	return slices.Clip(slices.Clone(out)), err // no spare capacity: all of them are kept
}

// file reads <file type="dir|ghost">PATH</file>.
func (s *xmlStream) file(e xml.StartElement) (file, error) {
	f := file{}
	switch attr(e, "type") {
	case "dir":
		f.mode = 0o40755
	case "ghost":
		f.flags = fileGhost
	}
	var err error
	f.path, err = s.text() // relative in source packages: never a file require's
	return f, err
}
