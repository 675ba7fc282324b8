package emit

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/supermin-compile/supermin-compile/internal/smallfile"
)

// FingerprintFile is where an output directory records the fingerprint of
// the inputs it was built from.
const FingerprintFile = ".supermin-compile.fingerprint"

// smallFile is the size up to which inputs are hashed by content; larger
// ones (tarballs) count by size and modification time.
const smallFile = 1 << 20

// Fingerprint hashes what a build depends on, so that --if-newer can tell
// whether an output is still current. Unlike supermin's date comparison it
// is not fooled by a copied kernel keeping its old mtime.
type Fingerprint struct{ h hash.Hash }

// NewFingerprint starts a fingerprint from the tool's version and the
// options that shape the output.
func NewFingerprint(version string, options ...string) *Fingerprint {
	f := &Fingerprint{sha256.New()}
	fmt.Fprintf(f.h, "version %q\noptions %q\n", version, options)
	return f
}

// AddInput adds a file or, recursively, a directory: names, and contents
// (small files) or size and mtime (large ones).
func (f *Fingerprint) AddInput(root string) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		fmt.Fprintf(f.h, "input %q %v %d\n", p, fi.Mode(), fi.Size())
		if !fi.Mode().IsRegular() {
			return nil
		}
		if fi.Size() > smallFile {
			fmt.Fprintf(f.h, "mtime %d\n", fi.ModTime().UnixNano())
			return nil
		}
		file, err := os.Open(p)
		if err != nil {
			return err
		}
		defer file.Close()
		_, err = io.Copy(f.h, file)
		return err
	})
}

// AddTree adds every file under root by size and mtime: a directory of
// package archives, too big to hash at every build.
func (f *Fingerprint) AddTree(root string) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			f.AddStat(p)
		}
		return err
	})
}

// AddStat adds a file's identity by size and mtime (a missing file counts
// as missing): for the package database, the kernel and its modules.
func (f *Fingerprint) AddStat(paths ...string) {
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			fmt.Fprintf(f.h, "stat %q missing\n", p)
			continue
		}
		fmt.Fprintf(f.h, "stat %q %d %d\n", p, fi.Size(), fi.ModTime().UnixNano())
	}
}

// Sum returns the fingerprint.
func (f *Fingerprint) Sum() string { return hex.EncodeToString(f.h.Sum(nil)) }

// Current reports whether dir holds a complete output built from sum:
// its fingerprint and each of outputs.
func Current(dir, sum string, outputs []string) bool {
	if _, err := os.Stat(dir); err != nil {
		return false
	}
	stored, err := smallfile.Read(filepath.Join(dir, FingerprintFile), 1<<10)
	if err != nil || strings.TrimSpace(string(stored)) != sum {
		return false
	}
	for _, o := range outputs {
		if _, err := os.Stat(filepath.Join(dir, o)); err != nil {
			return false
		}
	}
	return true
}
