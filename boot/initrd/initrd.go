// Package initrd builds the Plan of the mini initrd that boots an ext2
// appliance: our static /init (cmd/supermin-init, embedded at build time
// by `make`), the kernel modules it loads, and their load order.
package initrd

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/supermin-compile/supermin-compile/boot/modules"
	"github.com/supermin-compile/supermin-compile/plan"
)

// bin holds supermin-init, which the Makefile builds (CGO_ENABLED=0) into
// bin/ before it builds supermin-compile; bin/.keep keeps the pattern valid
// in a plain `go build`.
//
//go:embed all:bin
var bin embed.FS

// ErrNoInit means this binary was built without `make`.
var ErrNoInit = errors.New("this supermin-compile was built without its init (boot/initrd/bin/supermin-init): build it with `make`")

// Init returns the embedded init binary.
func Init() ([]byte, error) {
	b, err := bin.ReadFile("bin/supermin-init")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoInit
	}
	return b, err
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
	init, err := Init()
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
		{Path: "/init", Type: plan.Regular, Mode: 0o755, Size: int64(len(init)), Src: plan.Bytes(init), MTime: mtime, Origin: plan.FromInitrd},
	}
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
