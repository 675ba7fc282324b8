// Package outdir names what surrounds a build's output directory: the
// staging siblings a build writes in before it swaps them in, and the
// canonical form of the output's path. The planner uses it to keep the
// output out of host-file walks, the builder to stage and clean up.
package outdir

import (
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// StagingPattern is the os.MkdirTemp pattern of a staging directory of
// the output named base, for process pid: ".BASE.tmp-PID-RANDOM".
func StagingPattern(base string, pid int) string {
	return "." + base + ".tmp-" + strconv.Itoa(pid) + "-"
}

// Retired is the name a previous output waits under, on file systems
// without an atomic exchange, before it is removed.
func Retired(staging string) string {
	dir, name := filepath.Split(staging)
	return dir + strings.Replace(name, ".tmp-", ".old-", 1)
}

var staging = regexp.MustCompile(`^\.(.+)\.(?:tmp|old)-([0-9]+)-[0-9]+$`)

// Staging reports whether name is a staging directory, or a retired
// output, of the output named base, and the process that made it.
func Staging(name, base string) (pid int, ok bool) {
	m := staging.FindStringSubmatch(name)
	if m == nil || m[1] != base {
		return 0, false
	}
	pid, err := strconv.Atoi(m[2])
	return pid, err == nil
}

// Canonical makes p absolute and resolves the symlinks of its parent
// directories, but not of its last component: renaming an output that is
// a symlink replaces the link, not what it points to.
func Canonical(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return filepath.Clean(p)
	}
	if abs == "/" {
		return abs
	}
	dir, err := filepath.EvalSymlinks(filepath.Dir(abs))
	if err != nil {
		return abs
	}
	return filepath.Join(dir, filepath.Base(abs))
}

// Within reports whether p is dir or lies below it.
func Within(p, dir string) bool {
	return p == dir || dir == "/" || strings.HasPrefix(p, dir+"/")
}
