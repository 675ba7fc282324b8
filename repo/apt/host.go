package apt

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
)

// Host is a system's apt configuration.
type Host struct {
	Root    string   // the directory standing for /
	Sources []Source // sources.list first, then sources.list.d in name order
	// Notes says what apt would skip with a notice, and what this
	// package skips that apt would use (a suite with $(ARCH)).
	Notes []string
}

// validPartName is what apt accepts as a file name in sources.list.d;
// silentlyIgnored, apt's Dir::Ignore-Files-Silently, what it skips
// without a notice.
var (
	validPartName   = regexp.MustCompile(`^[A-Za-z0-9_.-]+\.(list|sources)$`)
	silentlyIgnored = regexp.MustCompile(`~$|\.(disabled|bak|save|orig|distUpgrade|dpkg-[a-z]+|ucf-[a-z]+)$`)
)

// ReadHost reads root's /etc/apt/sources.list and /etc/apt/sources.list.d
// (*.list one-line style, *.sources deb822 style), as apt reads them.
// root "" means "/". Missing files are no error.
func ReadHost(root string) (*Host, error) { return ReadHostPaths(root, DefaultPaths(root)) }

// ReadHostPaths is ReadHost with the sources where p says (the
// configuration's Dir::Etc::SourceList and SourceParts).
func ReadHostPaths(root string, p Paths) (*Host, error) {
	if root == "" {
		root = "/"
	}
	h := &Host{Root: root}
	if err := h.readFile(p.SourceList); err != nil && !absent(err) {
		return nil, err
	}
	dir := p.SourceParts
	entries, err := os.ReadDir(dir)
	if err != nil && !absent(err) {
		return nil, err
	}
	for _, e := range entries { // ReadDir sorts by name, as apt does
		name := e.Name()
		switch {
		case strings.HasPrefix(name, "."), silentlyIgnored.MatchString(name):
		case !e.Type().IsRegular() && e.Type()&fs.ModeSymlink == 0:
		case !validPartName.MatchString(name):
			h.Notes = append(h.Notes, fmt.Sprintf("%s: ignored: not a valid sources file name (*.list or *.sources, letters, digits, _ - .)", filepath.Join(dir, name)))
		default:
			if err := h.readFile(filepath.Join(dir, name)); err != nil {
				return nil, err
			}
		}
	}
	return h, nil
}

// absent says a file or directory of the configuration is not there
// ("/dev/null" as a directory is the usual way to say none).
func absent(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

// readFile appends the sources of one file.
func (h *Host) readFile(file string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	parse := ParseList
	if strings.HasSuffix(file, ".sources") {
		parse = ParseSources
	}
	sources, err := parse(f, file)
	if err != nil {
		return err
	}
	for _, s := range sources {
		if strings.Contains(s.URI+s.Suite, "$(ARCH)") {
			h.Notes = append(h.Notes, fmt.Sprintf("%s: skipped: $(ARCH) in %s is not expanded", s.Origin, s))
			continue
		}
		h.Sources = append(h.Sources, s)
	}
	return nil
}
