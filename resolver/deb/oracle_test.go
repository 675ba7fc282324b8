package deb

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
	"github.com/supermin-compile/supermin-compile/plan"
)

// The oracles: `dpkg-deb --fsys-tarfile | tar -tv` for listings (what
// `dpkg-deb -c` prints, with numeric owners and seconds), `dpkg-deb -x`
// for contents. The code here shares nothing with the package under test
// beyond plan.Entry.

// tarLine is "MODE UID/GID SIZE DATE TIME NAME[ -> TARGET| link to TARGET]".
var tarLine = regexp.MustCompile(`^(\S+) (\S+) +(\S+) (\S+ \S+) (.*)$`)

// dpkgListing lists a .deb the way dpkg-deb -c does, normalised: names
// absolute and clean, one space between columns.
func dpkgListing(t *testing.T, deb string) []string {
	out := testtool.Output(t, []string{"TZ=UTC", "LC_ALL=C"}, "sh", "-c",
		`dpkg-deb --fsys-tarfile "$1" | tar -tvf - --numeric-owner --full-time --quoting-style=literal`, "sh", deb)
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		m := tarLine.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("%s: unexpected tar -tv line %q", deb, l)
		}
		name, link := m[5], ""
		switch {
		case strings.Contains(name, " -> "):
			name, link, _ = strings.Cut(name, " -> ")
			link = " -> " + link
		case strings.Contains(name, " link to "):
			name, link, _ = strings.Cut(name, " link to ")
			link = " link to " + path.Clean("/"+link)
		}
		lines = append(lines, fmt.Sprintf("%s %s %s %s %s%s", m[1], m[2], m[3], m[4], path.Clean("/"+name), link))
	}
	return lines
}

// ourListing renders entries as dpkgListing does.
func ourListing(entries []plan.Entry) []string {
	var lines []string
	for _, e := range entries {
		size := fmt.Sprint(e.Size)
		if e.Type == plan.CharDev || e.Type == plan.BlockDev {
			size = fmt.Sprintf("%d,%d", unix.Major(e.Rdev), unix.Minor(e.Rdev))
		}
		link := ""
		switch e.Type {
		case plan.Symlink:
			link = " -> " + e.Link
		case plan.Hardlink:
			link = " link to " + e.Link
		}
		lines = append(lines, fmt.Sprintf("%s %d/%d %s %s %s%s", modeString(e), e.UID, e.GID, size,
			e.MTime.UTC().Format("2006-01-02 15:04:05"), e.Path, link))
	}
	return lines
}

// modeString renders a mode as ls and tar do: "-rwsr-xr-x", "drwxrwxrwt".
func modeString(e plan.Entry) string {
	types := map[plan.Type]byte{plan.Dir: 'd', plan.Regular: '-', plan.Symlink: 'l', plan.Hardlink: 'h',
		plan.CharDev: 'c', plan.BlockDev: 'b', plan.FIFO: 'p', plan.Socket: 's'}
	b := []byte{types[e.Type]}
	perm := e.Mode.Perm()
	for i, c := range "rwxrwxrwx" {
		if perm&(1<<(8-i)) != 0 {
			b = append(b, byte(c))
		} else {
			b = append(b, '-')
		}
	}
	special := func(i int, set bool, on, off byte) {
		if set {
			b[i] = map[bool]byte{true: on, false: off}[b[i] == 'x']
		}
	}
	special(3, e.Mode&fs.ModeSetuid != 0, 's', 'S')
	special(6, e.Mode&fs.ModeSetgid != 0, 's', 'S')
	special(9, e.Mode&fs.ModeSticky != 0, 't', 'T')
	return string(b)
}

// dpkgExtract unpacks a .deb with dpkg-deb -x into a new directory.
func dpkgExtract(t *testing.T, deb string) string {
	dir := t.TempDir()
	testtool.Output(t, nil, "dpkg-deb", "-x", deb, dir)
	return dir
}

func fileSHA256(t *testing.T, file string) string {
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return readSHA256(t, f)
}

func readSHA256(t *testing.T, r io.Reader) string {
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func sourceSHA256(t *testing.T, e plan.Entry) string {
	sum, err := hashSource(e)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// hashSource reads a regular entry's bytes through its Source; unlike
// sourceSHA256 it may run in any goroutine.
func hashSource(e plan.Entry) (string, error) {
	h := sha256.New()
	if e.Src == nil {
		if e.Size != 0 {
			return "", fmt.Errorf("%s: %d bytes but no source", e.Path, e.Size)
		}
		return hex.EncodeToString(h.Sum(nil)), nil
	}
	r, err := e.Src.Open()
	if err != nil {
		return "", err
	}
	defer r.Close()
	n, err := io.Copy(h, io.LimitReader(r, e.Size+1))
	if err == nil && n != e.Size {
		err = fmt.Errorf("%s: %d bytes, the entry says %d", e.Src, n, e.Size)
	}
	return hex.EncodeToString(h.Sum(nil)), err
}

// checkContents compares every regular file read through its Source with
// what dpkg-deb -x unpacked.
func checkContents(t *testing.T, deb string, entries []plan.Entry) {
	dir := dpkgExtract(t, deb)
	n := 0
	for _, e := range entries {
		if e.Type != plan.Regular {
			continue
		}
		n++
		if got, want := sourceSHA256(t, e), fileSHA256(t, filepath.Join(dir, e.Path)); got != want {
			t.Errorf("%s: %s: SHA-256 %s, dpkg-deb -x gives %s", deb, e.Path, got, want)
		}
	}
	if n == 0 {
		t.Errorf("%s: no regular files", deb)
	}
}
