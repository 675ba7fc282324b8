package members

import (
	"archive/tar"
	"io"
	"os"

	"github.com/supermin-compile/supermin-compile/internal/decompress"
)

// TarStream is a Stream over a compressed tar archive (a .deb's data.tar,
// a pacman package, a base tarball): its members are the tar headers, each
// sized by its regular file's data.
type TarStream struct {
	Tar *tar.Reader // for the headers, where Next's name and size are not enough
	z   *decompress.Reader
	f   *os.File
}

// OpenTar decompresses r, which reads f, as a tar archive; closing the
// stream closes f, as does a failure.
func OpenTar(f *os.File, r io.Reader) (*TarStream, error) {
	z, err := decompress.New(r)
	if err != nil {
		f.Close()
		return nil, err
	}
	return &TarStream{Tar: tar.NewReader(z), z: z, f: f}, nil
}

func (s *TarStream) Next() (string, int64, error) {
	h, err := s.Tar.Next()
	if err != nil {
		return "", 0, err
	}
	return h.Name, RegularSize(h), nil
}

func (s *TarStream) Read(p []byte) (int, error) { return s.Tar.Read(p) }

func (s *TarStream) Close() error {
	s.z.Close()
	return s.f.Close()
}

// RegularSize is the size of a regular file's data, 0 for other members
// (the reader reports TypeRegA as TypeReg).
func RegularSize(h *tar.Header) int64 {
	if h.Typeflag != tar.TypeReg {
		return 0
	}
	return h.Size
}
