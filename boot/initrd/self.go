package initrd

import (
	"bufio"
	"debug/elf"
	"fmt"
	"os"
	"path"
	"strings"
	"time"

	"github.com/supermin-compile/supermin-compile/plan"
)

// self is the running binary, as the kernel sees it: still the file we
// were started from even if `go install` has replaced it since.
const self = "/proc/self/exe"

// sharedLibraries returns what the dynamic binary exe needs to start in
// an initrd that has nothing else: its loader, at the path its PT_INTERP
// names, and the libraries it needs (transitively), each at the path it is
// mapped from in this process, which the loader searches by default. A
// static binary (CGO_ENABLED=0, or no C compiler) needs none.
func sharedLibraries(exe string) ([]initFile, error) {
	interp, needed, err := elfDeps(exe)
	if err != nil || interp == "" {
		return nil, err
	}
	mapped, err := mappedFiles()
	if err != nil {
		return nil, err
	}
	loader, ok := mapped[path.Base(interp)]
	if !ok {
		return nil, fmt.Errorf("%s: its loader %s is not mapped in this process", exe, interp)
	}
	files := []initFile{{path: interp, src: plan.HostFile(loader)}}
	seen := map[string]bool{path.Base(interp): true}
	for len(needed) > 0 {
		name := needed[0]
		needed = needed[1:]
		if seen[name] {
			continue
		}
		seen[name] = true
		lib, ok := mapped[name]
		if !ok {
			return nil, fmt.Errorf("%s: the library %s it needs is not mapped in this process", exe, name)
		}
		files = append(files, initFile{path: lib, src: plan.HostFile(lib)})
		_, more, err := elfDeps(lib)
		if err != nil {
			return nil, err
		}
		needed = append(needed, more...)
	}
	return files, nil
}

// elfDeps returns an ELF file's PT_INTERP and DT_NEEDED entries.
func elfDeps(file string) (interp string, needed []string, err error) {
	f, err := elf.Open(file)
	if err != nil {
		return "", nil, fmt.Errorf("the initrd's /init: %w", err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			b := make([]byte, p.Filesz)
			if _, err := p.ReadAt(b, 0); err != nil {
				return "", nil, fmt.Errorf("%s: PT_INTERP: %w", file, err)
			}
			interp = strings.TrimRight(string(b), "\x00")
		}
	}
	needed, err = f.ImportedLibraries()
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", file, err)
	}
	return interp, needed, nil
}

// mappedFiles maps the base name of each file this process has mapped
// (from /proc/self/maps) to its path.
func mappedFiles() (map[string]string, error) {
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	files := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// address perms offset dev inode pathname
		fields := strings.SplitN(sc.Text(), " ", 6)
		if len(fields) < 6 {
			continue
		}
		p := strings.TrimLeft(fields[5], " ")
		if strings.HasPrefix(p, "/") {
			files[path.Base(p)] = p
		}
	}
	return files, sc.Err()
}

// parents returns a directory entry for each ancestor of the entries'
// paths that they do not list themselves.
func parents(entries []plan.Entry, mtime time.Time) []plan.Entry {
	have := map[string]bool{}
	for _, e := range entries {
		have[e.Path] = true
	}
	var dirs []plan.Entry
	for _, e := range entries {
		for d := path.Dir(e.Path); !have[d]; d = path.Dir(d) {
			have[d] = true
			dirs = append(dirs, plan.Entry{Path: d, Type: plan.Dir, Mode: 0o755, MTime: mtime, Origin: plan.FromInitrd})
		}
	}
	return dirs
}
