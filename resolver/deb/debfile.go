package deb

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/supermin-compile/supermin-compile/internal/deb822"
	"github.com/supermin-compile/supermin-compile/internal/decompress"
)

// debFile is the layout of one .deb: where its data.tar is.
type debFile struct {
	path string
	size int64
	data arMember
}

// maxControlFile bounds how much of a control.tar member is read: real
// control files are a few KiB, and the input may be hostile.
const maxControlFile = 4 << 20

// openDeb reads the layout and control data of the .deb at path. Errors
// name the file and the member at fault.
func openDeb(path string, b *builder) (*debFile, *item, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	data, it, err := readDeb(f, fi.Size(), b)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return &debFile{path: path, size: fi.Size(), data: data}, it, nil
}

// readDeb checks the ar layout (debian-binary first, then control.tar and
// data.tar) and parses the control member into a package whose
// conffiles are set.
func readDeb(r io.ReaderAt, size int64, b *builder) (arMember, *item, error) {
	members, err := readAr(r, size)
	if err != nil {
		return arMember{}, nil, err
	}
	if err := checkFormat(r, members); err != nil {
		return arMember{}, nil, err
	}
	ctrl, data, err := findMembers(members[1:])
	if err != nil {
		return arMember{}, nil, err
	}
	it, err := readControl(io.NewSectionReader(r, ctrl.off, ctrl.size), b)
	if err != nil {
		return arMember{}, nil, fmt.Errorf("%s: %w", ctrl.name, err)
	}
	return data, it, nil
}

// checkFormat requires debian-binary as the first member, with format 2.x
// (the only one dpkg has written since 1995).
func checkFormat(r io.ReaderAt, members []arMember) error {
	if len(members) == 0 || members[0].name != "debian-binary" {
		return errors.New("not a .deb: the first ar member is not debian-binary")
	}
	m := members[0]
	buf := make([]byte, min(m.size, 16))
	if _, err := r.ReadAt(buf, m.off); err != nil {
		return fmt.Errorf("debian-binary: %w", unexpected(err))
	}
	if !bytes.HasPrefix(buf, []byte("2.")) {
		return fmt.Errorf("debian-binary: unsupported format %q, want 2.x", strings.TrimSpace(string(buf)))
	}
	return nil
}

// findMembers locates control.tar and data.tar. Members starting with "_"
// are extensions dpkg ignores too (signatures, for instance).
func findMembers(members []arMember) (ctrl, data arMember, err error) {
	for _, m := range members {
		switch {
		case isMember(m.name, "control.tar", ".gz", ".xz", ".zst"):
			ctrl = m
		case isMember(m.name, "data.tar", ".gz", ".xz", ".zst", ".bz2", ".lzma"):
			data = m
		case strings.HasPrefix(m.name, "_"):
		default:
			return ctrl, data, fmt.Errorf("unexpected ar member %q", m.name)
		}
	}
	switch {
	case ctrl.name == "":
		return ctrl, data, errors.New("no control.tar member")
	case data.name == "":
		return ctrl, data, errors.New("no data.tar member")
	}
	return ctrl, data, nil
}

func isMember(name, base string, exts ...string) bool {
	rest, ok := strings.CutPrefix(name, base)
	return ok && (rest == "" || contains(exts, rest))
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// readControl reads the control and conffiles files of a control.tar.
func readControl(r io.Reader, b *builder) (*item, error) {
	z, err := decompress.New(r)
	if err != nil {
		return nil, err
	}
	defer z.Close()
	tr := tar.NewReader(z)
	var it *item
	var conffiles []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch strings.TrimPrefix(h.Name, "./") {
		case "control":
			if it, err = parseControl(tr, b); err != nil {
				return nil, fmt.Errorf("control: %w", err)
			}
		case "conffiles":
			if conffiles, err = parseConffiles(tr); err != nil {
				return nil, fmt.Errorf("conffiles: %w", err)
			}
		}
	}
	if it == nil {
		return nil, errors.New("no control file")
	}
	it.deb.conffiles = conffiles
	return it, nil
}

// readSmall reads a control.tar member, refusing oversized ones.
func readSmall(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxControlFile+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxControlFile {
		return nil, fmt.Errorf("larger than %d bytes", maxControlFile)
	}
	return data, nil
}

// parseControl reads the one paragraph of a control file.
func parseControl(r io.Reader, b *builder) (*item, error) {
	data, err := readSmall(r)
	if err != nil {
		return nil, err
	}
	var it *item
	err = deb822.Parse(bytes.NewReader(data), newFieldParagraph(), func(p *deb822.Paragraph) error {
		if it != nil {
			return fmt.Errorf("line %d: more than one paragraph", p.Line())
		}
		it = &item{}
		return b.build(p, it)
	})
	if err == nil && it == nil {
		err = errors.New("empty")
	}
	if err != nil {
		return nil, err
	}
	return it, nil
}

// parseConffiles takes the path of each line. Since dpkg 1.20.1 a line may
// start with flags ("remove-on-upgrade /etc/x"); the path is what starts
// at the first "/".
func parseConffiles(r io.Reader) ([]string, error) {
	data, err := readSmall(r)
	if err != nil {
		return nil, err
	}
	var paths []string
	for _, line := range strings.Split(string(data), "\n") {
		if i := strings.IndexByte(line, '/'); i >= 0 {
			paths = append(paths, strings.TrimRight(line[i:], " \t\r"))
		}
	}
	return paths, nil
}
