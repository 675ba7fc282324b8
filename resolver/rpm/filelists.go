package rpm

import (
	"encoding/xml"
	"io"
)

// readFilelists streams filelists.xml (decompressed) from r and calls each
// with a package's pkgid (the sha256, or other checksum, of its .rpm, as
// in primary.xml) and those of its files that wanted holds: only the paths
// some file require needs are kept, not the whole list.
func readFilelists(r io.Reader, name string, wanted map[string]bool, each func(pkgid string, files []file) error) error {
	s := newXMLStream(r, name)
	if err := s.root("filelists"); err != nil {
		return err
	}
	return s.children(func(e xml.StartElement) error {
		if e.Name.Local != "package" {
			return s.skip()
		}
		pkgid := attr(e, "pkgid")
		if pkgid == "" {
			return s.errf("<package name=%q> without a pkgid", attr(e, "name"))
		}
		var files []file
		err := s.children(func(e xml.StartElement) error {
			if e.Name.Local != "file" {
				return s.skip()
			}
			f, err := s.file(e)
			if err == nil && wanted[f.path] {
				files = append(files, f)
			}
			return err
		})
		if err != nil {
			return err
		}
		s.nextElement()
		if len(files) == 0 {
			return nil
		}
		return each(pkgid, files)
	})
}
