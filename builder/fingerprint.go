package builder

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

	"github.com/supermin-compile/supermin-compile/boot/kernel"
	"github.com/supermin-compile/supermin-compile/formats/cpio"
	"github.com/supermin-compile/supermin-compile/internal/smallfile"
	"github.com/supermin-compile/supermin-compile/manifest"
	"github.com/supermin-compile/supermin-compile/planner"
	"github.com/supermin-compile/supermin-compile/resolver/pacman"
	"github.com/supermin-compile/supermin-compile/resolver/rpm"
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

// addRpmDB adds the rpm database files under root, and a sqlite
// database's write-ahead log when there is one: rpm may leave a change
// there, not yet in rpmdb.sqlite.
func (f *Fingerprint) addRpmDB(root string) {
	for _, db := range rpm.DBPaths {
		p := filepath.Join(root, db)
		f.AddStat(p)
		if _, err := os.Stat(p + "-wal"); err == nil {
			f.AddStat(p + "-wal")
		}
	}
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

// fingerprint hashes the build's inputs: the manifest or supermin.d, the
// files it names, the package database, the kernel k and its modules.
func fingerprint(m *manifest.Manifest, o *Options, k *kernel.Kernel) (string, error) {
	f := NewFingerprint(o.Version, append(o.Options, fmt.Sprint(m.Format, m.Size, m.Compression, m.Kernel, o.PackageList))...)
	inputs := append([]string{}, o.Inputs...)
	if m.Path != "" {
		inputs = append(inputs, m.Path)
	}
	inputs = append(inputs, m.Base...)
	for _, file := range m.Files {
		if file.Source != "" {
			inputs = append(inputs, file.Source)
		}
	}
	for _, in := range inputs {
		if err := f.AddInput(in); err != nil {
			return "", fmt.Errorf("fingerprint: %w", err)
		}
	}
	root := m.Source.Root
	f.AddStat(filepath.Join(root, "var/lib/dpkg/status"), filepath.Join(root, "var/lib/dpkg/diversions"))
	f.addRpmDB(root)
	if pacman.HasDB(root) { // its directory changes with every package installed or removed
		f.AddStat(filepath.Join(root, pacman.LocalDB))
	}
	f.AddStat(m.Source.Indexes...)
	switch {
	case m.Source.Type == "rpmdb": // path is a database file or a root: no tree to walk
		f.AddStat(m.Source.Path)
		f.addRpmDB(m.Source.Path)
	case m.Source.Path != "":
		if err := f.AddTree(m.Source.Path); err != nil {
			return "", fmt.Errorf("fingerprint: %w", err)
		}
	}
	if k != nil {
		f.AddStat(k.Path, filepath.Join(k.ModulesDir, "modules.dep"))
	}
	return f.Sum(), nil
}

// outputs lists the files a complete output directory holds.
func outputs(m *manifest.Manifest) []string {
	switch {
	case planner.Bootable(m):
		return []string{"kernel", "initrd", "root"}
	case m.Format == manifest.Ext2:
		return []string{"root"}
	case m.Format == manifest.Cpio:
		c, _ := cpio.ParseCompression(m.Compression)
		return []string{"initramfs.cpio" + c.Ext()}
	}
	return nil
}
