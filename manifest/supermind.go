package manifest

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/supermin-compile/supermin-compile/globber"
	"github.com/supermin-compile/supermin-compile/internal/decompress"
)

// FromSuperminD reads supermin 5 inputs (files, or directories read in
// sorted order) into a Manifest, recognising each file by its content as
// supermin does: gzip or xz compressed or not, a tar header makes a base
// tarball, a first byte "/" hostfiles, "-" excludefiles, a letter or digit
// packages; empty files are ignored and a cpio archive is an error.
//
// The Manifest is marked Supermin: its packages are all optional, its
// hostfiles are glob(3) patterns (rewritten into globber syntax), its
// excludefiles are fnmatch(3) patterns applied to package files only, and
// host files it may not read are left out, as supermin leaves them.
func FromSuperminD(inputs []string) (*Manifest, error) {
	if len(inputs) == 0 {
		return nil, fmt.Errorf("build: no input supermin appliance specified")
	}
	m := &Manifest{Format: Ext2, Size: DefaultSize, Supermin: true, SkipUnreadable: true,
		Source: Source{Root: "/"}, Kernel: Kernel{Copy: true, RootModules: true, Modules: DefaultModules}}
	for _, in := range inputs {
		if err := m.addInput(in); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *Manifest) addInput(p string) error {
	fi, err := os.Stat(p)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return m.addFile(p)
	}
	entries, err := os.ReadDir(p)
	if err != nil {
		return err
	}
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name()
	}
	sort.Strings(names)
	for _, n := range names {
		if err := m.addInput(filepath.Join(p, n)); err != nil {
			return err
		}
	}
	return nil
}

// addFile sorts one input file into the Manifest by its content.
func (m *Manifest) addFile(p string) error {
	head, r, err := openInput(p)
	if err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	if r != nil {
		defer r.Close()
	}
	switch {
	case len(head) >= 262 && string(head[257:262]) == "ustar":
		m.Base = append(m.Base, p)
		return nil
	case bytes.HasPrefix(head, []byte("070701")) || bytes.HasPrefix(head, []byte("070702")):
		return fmt.Errorf("%s: cpio files are not supported in this version of supermin", p)
	case len(head) == 0:
		return nil
	}
	lines, err := readLines(r)
	if err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	switch c := head[0]; {
	case c == '/':
		for _, l := range lines {
			m.Hostfiles = append(m.Hostfiles, globber.FromGlob3(l))
		}
	case c == '-':
		for _, l := range lines {
			pat, ok := strings.CutPrefix(l, "-")
			if !ok {
				return fmt.Errorf("%s: excludefiles line does not start with '-': %q", p, l)
			}
			m.Excludefiles = append(m.Excludefiles, pat)
		}
	case isAlnum(c):
		m.OptionalPackages = append(m.OptionalPackages, lines...)
	default:
		return fmt.Errorf("%s: unknown file type in supermin directory", p)
	}
	return nil
}

// openInput returns the first 512 bytes of the (decompressed) file and a
// reader positioned at its start.
func openInput(p string) ([]byte, io.ReadCloser, error) {
	r, err := decompress.Open(p) // gzip or xz by content, as supermin accepts
	if err != nil {
		return nil, nil, err
	}
	dr := bufio.NewReaderSize(r, 4096)
	head, _ := dr.Peek(512)
	return head, struct {
		io.Reader
		io.Closer
	}{dr, r}, nil
}

// readLines reads the lines of a packages, hostfiles or excludefiles
// input, up to MaxSize bytes decompressed: it is held whole, and a small
// .gz could otherwise unpack into gigabytes.
func readLines(r io.Reader) ([]string, error) {
	var lines []string
	lr := &io.LimitedReader{R: r, N: MaxSize + 1}
	sc := bufio.NewScanner(lr)
	for sc.Scan() {
		if l := sc.Text(); l != "" {
			lines = append(lines, l)
		}
	}
	if lr.N == 0 {
		return nil, fmt.Errorf("larger than %d MiB unpacked", MaxSize>>20)
	}
	return lines, sc.Err()
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}
