// Package initrd builds the Plan of the mini initrd that boots an ext2
// appliance: our /init (package boot/pid1), the kernel modules it loads,
// and their load order.
package initrd

import (
	"crypto/sha256"
	"embed"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/supermin-compile/supermin-compile/boot/modules"
	"github.com/supermin-compile/supermin-compile/plan"
)

// bin holds supermin-init, which the Makefile builds (CGO_ENABLED=0) into
// bin/ before it builds supermin-compile; bin/.keep keeps the pattern valid
// in a plain `go build` or `go install`, and then this binary is the init.
//
//go:embed all:bin
var bin embed.FS

// initFile is a file the initrd needs to run its /init.
type initFile struct {
	path string
	src  plan.Source
	size int64
}

// initFiles returns /init: the embedded supermin-init, or else this very
// binary (which runs package pid1 when the kernel starts it), with its
// dynamic loader and libraries when it has them.
func initFiles() ([]initFile, error) {
	if b, err := bin.ReadFile("bin/supermin-init"); err == nil {
		return []initFile{{"/init", plan.Bytes(b), int64(len(b))}}, nil
	}
	files := []initFile{{path: "/init", src: plan.HostFile(self)}}
	libs, err := sharedLibraries(self)
	if err != nil {
		return nil, err
	}
	files = append(files, libs...)
	for i := range files {
		fi, err := os.Stat(files[i].src.String())
		if err != nil {
			return nil, fmt.Errorf("the initrd's /init: %w", err)
		}
		files[i].size = fi.Size()
	}
	return files, nil
}

// InitDigest is the SHA-256 of what runs as the initrd's /init: the
// contents of /init and then of its loader and libraries, if any.
func InitDigest() (string, error) {
	files, err := initFiles()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, f := range files {
		r, err := f.src.Open()
		if err != nil {
			return "", err
		}
		_, err = io.Copy(h, r)
		r.Close()
		if err != nil {
			return "", fmt.Errorf("%s: %w", f.src, err)
		}
	}
	return fmt.Sprintf("%x", h.Sum(nil)), nil
}

// moduleSource feeds a (possibly compressed) module into the Plan,
// decompressed.
type moduleSource struct{ modules.Module }

func (m moduleSource) String() string { return m.File }

// ModuleFile names the module file of the host that an initrd entry's
// bytes come from (decompressed), for SBOMs and lock files.
func ModuleFile(src plan.Source) (string, bool) {
	m, ok := src.(moduleSource)
	return m.File, ok
}

// Plan describes the initrd: /init, /modules (file names in load order),
// the modules themselves, and the directories and console node the init
// needs. Every timestamp is mtime.
func Plan(mods []modules.Module, mtime time.Time) (*plan.Plan, error) {
	init, err := initFiles()
	if err != nil {
		return nil, err
	}
	dir := func(p string, perm uint32) plan.Entry {
		return plan.Entry{Path: p, Type: plan.Dir, Mode: fs.FileMode(perm), MTime: mtime, Origin: plan.FromInitrd}
	}
	entries := []plan.Entry{
		dir("/", 0o755),
		{Path: "/dev", Type: plan.Dir, Mode: 0o755, MTime: mtime, Origin: plan.FromInitrd},
		{Path: "/dev/console", Type: plan.CharDev, Mode: 0o600, Rdev: unix.Mkdev(5, 1), MTime: mtime, Origin: plan.FromInitrd},
	}
	for _, f := range init {
		entries = append(entries, plan.Entry{Path: f.path, Type: plan.Regular, Mode: 0o755, Size: f.size,
			Src: f.src, MTime: mtime, Origin: plan.FromInitrd})
	}
	entries = append(entries, parents(entries, mtime)...)
	var list strings.Builder
	seen := map[string]bool{}
	for _, m := range mods {
		name := m.Name + ".ko"
		if seen[name] {
			return nil, fmt.Errorf("two modules named %s", name)
		}
		seen[name] = true
		size, err := m.Size()
		if err != nil {
			return nil, err
		}
		list.WriteString(name + "\n")
		entries = append(entries, plan.Entry{Path: "/" + name, Type: plan.Regular, Mode: 0o644, Size: size,
			Src: moduleSource{m}, MTime: mtime, Origin: plan.FromInitrd})
	}
	entries = append(entries,
		plan.Entry{Path: "/modules", Type: plan.Regular, Mode: 0o644, Size: int64(list.Len()),
			Src: plan.Bytes(list.String()), MTime: mtime, Origin: plan.FromInitrd},
		dir("/proc", 0o755), dir("/root", 0o755), dir("/sys", 0o755))
	plan.Sort(entries)
	return &plan.Plan{Entries: entries}, nil
}
