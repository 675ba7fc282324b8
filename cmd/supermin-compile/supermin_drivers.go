package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/supermin-compile/supermin-compile/internal/smallfile"
	"github.com/supermin-compile/supermin-compile/planner"
)

// driver is one of supermin's package handlers, named as --list-drivers
// names it, with the rules supermin uses to recognise its distribution:
// the ID of /etc/os-release, or a release file.
type driver struct {
	name     string   // "system/packager"
	ids      []string // os-release IDs; one ending in "*" is a prefix
	releases []string // any of these a regular file
}

// drivers are supermin's, in the order it lists them.
var drivers = []driver{
	{"arch/pacman", []string{"arch", "artix"}, []string{"etc/arch-release"}},
	{"debian/dpkg", []string{"debian", "ubuntu"}, []string{"etc/debian_version"}},
	{"openmandriva/rpm", []string{"openmandriva"}, []string{"etc/openmandriva-release"}},
	{"mageia/rpm", []string{"mageia"}, []string{"etc/mageia-release"}},
	{"opensuse/rpm", []string{"sled", "sles", "opensuse*"}, []string{"etc/SuSE-release"}},
	{"ibm_powerkvm/rpm", nil, []string{"etc/ibm_powerkvm-release"}},
	{"fedora/rpm", []string{"fedora", "rhel", "centos", "openEuler", "anolis", "KylinSecOS", "uos", "kylin"},
		[]string{"etc/redhat-release", "etc/fedora-release", "etc/openEuler-release", "etc/anolis-release",
			"etc/kylin-release", "etc/UnionTech-release"}},
}

func (d driver) packager() string { return d.name[strings.IndexByte(d.name, '/')+1:] }

// listDrivers prints each driver and whether root is its system, as
// supermin --list-drivers does.
func listDrivers(w io.Writer, root string) {
	found := detectedDrivers(root)
	for _, d := range drivers {
		state := "not-detected"
		if slices.Contains(found, d.name) {
			state = "detected"
		}
		fmt.Fprintf(w, "%s\t%s\n", d.name, state)
	}
}

// detectedDrivers names the drivers that fit root. Unlike supermin, which
// asks for its package tools and the distribution's name, the package
// database decides: the drop-in reads it and needs no tool. Among the
// drivers of that packager, those whose distribution supermin would
// recognise are detected; if none is, the last one (fedora/rpm for an rpm
// database: the one supermin's other rpm drivers derive from).
func detectedDrivers(root string) []string {
	packager := strings.TrimSuffix(planner.Detect(root), "db") // the driver names say rpm, not rpmdb
	id := osReleaseID(root)
	var found []string
	last := ""
	for _, d := range drivers {
		if d.packager() != packager {
			continue
		}
		last = d.name
		if d.recognises(root, id) {
			found = append(found, d.name)
		}
	}
	if len(found) == 0 && last != "" {
		found = []string{last}
	}
	return found
}

func (d driver) recognises(root, id string) bool {
	for _, want := range d.ids {
		if prefix, ok := strings.CutSuffix(want, "*"); ok && strings.HasPrefix(id, prefix) || want == id {
			return true
		}
	}
	for _, f := range d.releases {
		if fi, err := os.Stat(filepath.Join(root, f)); err == nil && fi.Mode().IsRegular() {
			return true
		}
	}
	return false
}

// osReleaseID is the ID of root's /etc/os-release, unquoted, or "".
func osReleaseID(root string) string {
	b, err := smallfile.Read(filepath.Join(root, "etc/os-release"), 64<<10)
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "ID="); ok {
			if len(v) > 1 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
				v = v[1 : len(v)-1]
			}
			return v
		}
	}
	return ""
}
