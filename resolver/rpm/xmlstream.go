package rpm

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// maxElementXML bounds the XML one <package> element of primary.xml or
// filelists.xml may take, decompressed (and what comes before the first
// one): the decoder holds a whole text or tag in memory, so a hostile
// file must not make one out of gigabytes. The largest real file list
// (a texlive or kernel-devel package) is a few MiB.
const maxElementXML = 64 << 20

// xmlStream reads a metadata file token by token; only the package being
// read is in memory.
type xmlStream struct {
	d      *xml.Decoder
	name   string // the file, for messages
	budget *budgetReader
	intern map[string]string // one copy of each capability name or version
}

func newXMLStream(r io.Reader, name string) *xmlStream {
	b := &budgetReader{r: r, left: maxElementXML}
	return &xmlStream{d: xml.NewDecoder(b), name: name, budget: b, intern: map[string]string{}}
}

// budgetReader fails once the current element has read its budget.
type budgetReader struct {
	r    io.Reader
	left int64
}

var errElementTooLarge = fmt.Errorf("one <package> element is larger than %d MiB", maxElementXML>>20)

func (b *budgetReader) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, errElementTooLarge
	}
	n, err := b.r.Read(p[:min(int64(len(p)), b.left)])
	b.left -= int64(n)
	return n, err
}

// nextElement renews the budget: one package has been read.
func (s *xmlStream) nextElement() { s.budget.left = maxElementXML }

// errf names the file and line.
func (s *xmlStream) errf(format string, args ...any) error {
	line, _ := s.d.InputPos()
	return fmt.Errorf("%s:%d: %s", s.name, line, fmt.Sprintf(format, args...))
}

// token returns the next token; io.EOF only at the end of the document.
func (s *xmlStream) token() (xml.Token, error) {
	t, err := s.d.Token()
	if err == io.EOF {
		return nil, err
	}
	if err != nil {
		var syn *xml.SyntaxError
		if errors.As(err, &syn) {
			return nil, fmt.Errorf("%s:%d: %s", s.name, syn.Line, syn.Msg)
		}
		return nil, s.errf("%v", err)
	}
	return t, nil
}

// root reads up to the document's root element and checks its name.
func (s *xmlStream) root(want string) error {
	for {
		t, err := s.token()
		if err == io.EOF {
			return s.errf("no <%s> element", want)
		}
		if err != nil {
			return err
		}
		if se, ok := t.(xml.StartElement); ok {
			if se.Name.Local != want {
				return s.errf("root element is <%s>, not <%s>", se.Name.Local, want)
			}
			return nil
		}
	}
}

// skip consumes the rest of the element just started.
func (s *xmlStream) skip() error {
	for depth := 1; depth > 0; {
		t, err := s.token()
		if err == io.EOF {
			return s.errf("unexpected end of file")
		}
		if err != nil {
			return err
		}
		switch t.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
		}
	}
	return nil
}

// text returns the text of the element just started, up to its end;
// elements inside it are skipped.
func (s *xmlStream) text() (string, error) {
	var b strings.Builder
	for {
		t, err := s.token()
		if err == io.EOF {
			return "", s.errf("unexpected end of file")
		}
		if err != nil {
			return "", err
		}
		switch t := t.(type) {
		case xml.CharData:
			b.Write(t)
		case xml.StartElement:
			if err := s.skip(); err != nil {
				return "", err
			}
		case xml.EndElement:
			return b.String(), nil
		}
	}
}

// children calls each for every element inside the one just started,
// which must consume it (skip, text or children), up to its end.
func (s *xmlStream) children(each func(xml.StartElement) error) error {
	for {
		t, err := s.token()
		if err == io.EOF {
			return s.errf("unexpected end of file")
		}
		if err != nil {
			return err
		}
		switch t := t.(type) {
		case xml.StartElement:
			if err := each(t); err != nil {
				return err
			}
		case xml.EndElement:
			return nil
		}
	}
}

// str returns one shared copy of a string that many packages repeat.
func (s *xmlStream) str(v string) string {
	if c, ok := s.intern[v]; ok {
		return c
	}
	s.intern[v] = v
	return v
}

// attr returns the attribute of e with that local name; "" when absent.
func attr(e xml.StartElement, name string) string {
	for _, a := range e.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}
