// Package modules computes which kernel modules the mini initrd loads: the
// modules whose names match the manifest's globs (less those a later "!"
// pattern removes), with everything they depend on (from modules.dep),
// dependencies first, each once.
package modules

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/supermin-compile/supermin-compile/internal/decompress"
)

// Module is one module file of the closure.
type Module struct {
	Name string // file name without .ko and compression suffix, e.g. virtio_blk
	File string // absolute path of the (possibly compressed) module file
}

// Closure returns the modules of dir (a /lib/modules/VERSION directory)
// whose names match patterns, preceded by their dependencies, in load
// order. A pattern "!NAME" removes matching modules (not their
// dependencies when another module needs them). The order is
// deterministic: matched modules sorted by name, each after its deps.
func Closure(dir string, patterns []string) ([]Module, error) {
	deps, order, err := readDeps(filepath.Join(dir, "modules.dep"))
	if err != nil {
		return nil, err
	}
	var top []string
	for _, rel := range order {
		if selected(Name(rel), patterns) {
			top = append(top, rel)
		}
	}
	sort.Slice(top, func(i, j int) bool { return Name(top[i]) < Name(top[j]) })
	var out []Module
	seen := map[string]bool{}
	var visit func(rel string)
	visit = func(rel string) {
		if seen[rel] {
			return
		}
		seen[rel] = true
		for _, d := range deps[rel] {
			visit(d)
		}
		out = append(out, Module{Name: Name(rel), File: filepath.Join(dir, rel)})
	}
	for _, rel := range top {
		visit(rel)
	}
	return out, nil
}

func selected(name string, patterns []string) bool {
	in := false
	for _, p := range patterns {
		glob, neg := strings.CutPrefix(p, "!")
		if ok, _ := path.Match(glob, name); ok {
			in = !neg
		}
	}
	return in
}

// readDeps parses modules.dep: "kernel/x/a.ko.xz: kernel/y/b.ko.xz ...".
func readDeps(file string) (map[string][]string, []string, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	deps := map[string][]string{}
	var order []string
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		mod, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			return nil, nil, fmt.Errorf("%s:%d: no colon", file, n)
		}
		deps[mod] = strings.Fields(rest)
		order = append(order, mod)
	}
	return deps, order, sc.Err()
}

var suffixes = []string{".ko.xz", ".ko.zst", ".ko.gz", ".ko"}

// Name is a module file's name without directory, .ko and compression.
func Name(file string) string {
	base := path.Base(file)
	for _, s := range suffixes {
		if n, ok := strings.CutSuffix(base, s); ok {
			return n
		}
	}
	return base
}

// Open returns the module's bytes, decompressed (the kernel's
// finit_module would take compressed modules only with
// CONFIG_MODULE_DECOMPRESS; our init loads plain ones).
func (m Module) Open() (io.ReadCloser, error) {
	return decompress.Open(m.File) // .xz, .zst and .gz by content; plain passes through
}

// Size returns the decompressed size (reading compressed modules through).
func (m Module) Size() (int64, error) {
	r, err := m.Open()
	if err != nil {
		return 0, err
	}
	defer r.Close()
	n, err := io.Copy(io.Discard, r)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", m.File, err)
	}
	return n, nil
}
