package main

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// TestDetectedDrivers: the package database decides the packager (an rpm
// one made by rpm --initdb, in each of rpm's places), supermin's
// distribution rules the driver; an empty /var/lib/rpm, which Debian's
// rpm package leaves, is no rpm host.
func TestDetectedDrivers(t *testing.T) {
	testtool.Need(t, "rpm")
	for _, tc := range []struct {
		name   string
		dbpath string            // rpm --initdb here; "" = none
		files  map[string]string // more files of the root
		want   []string
	}{
		{"nothing", "", nil, nil},
		{"empty /var/lib/rpm", "", map[string]string{"var/lib/rpm/": ""}, nil},
		{"dpkg", "", map[string]string{"var/lib/dpkg/status": "", "etc/os-release": "ID=debian\n"}, []string{"debian/dpkg"}},
		{"dpkg wins over an rpm database", "/var/lib/rpm", map[string]string{"var/lib/dpkg/status": ""}, []string{"debian/dpkg"}},
		{"Fedora", "/usr/lib/sysimage/rpm", map[string]string{"etc/os-release": "NAME=Fedora\nID=fedora\n"}, []string{"fedora/rpm"}},
		{"RHEL 8 place, release file", "/var/lib/rpm", map[string]string{"etc/redhat-release": "Red Hat Enterprise Linux release 8.9\n"}, []string{"fedora/rpm"}},
		{"openSUSE Leap", "/usr/lib/sysimage/rpm", map[string]string{"etc/os-release": "ID=\"opensuse-leap\"\n"}, []string{"opensuse/rpm"}},
		{"SLES", "/var/lib/rpm", map[string]string{"etc/os-release": "ID='sles'\n"}, []string{"opensuse/rpm"}},
		{"Mageia", "/var/lib/rpm", map[string]string{"etc/mageia-release": "Mageia release 9\n"}, []string{"mageia/rpm"}},
		{"OpenMandriva", "/var/lib/rpm", map[string]string{"etc/os-release": "ID=openmandriva\n"}, []string{"openmandriva/rpm"}},
		{"an rpm distribution supermin does not name", "/var/lib/rpm", map[string]string{"etc/os-release": "ID=amzn\n"}, []string{"fedora/rpm"}},
		{"Arch", "", map[string]string{"var/lib/pacman/local/": "", "etc/os-release": "ID=arch\n"}, []string{"arch/pacman"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			if tc.dbpath != "" {
				testtool.Output(t, nil, "rpm", "--root", root, "--dbpath", tc.dbpath, "--initdb")
			}
			for name, text := range tc.files {
				p := filepath.Join(root, name)
				if name[len(name)-1] == '/' { // a directory
					must(t, os.MkdirAll(p, 0o755))
					continue
				}
				must(t, os.MkdirAll(filepath.Dir(p), 0o755))
				must(t, os.WriteFile(p, []byte(text), 0o644))
			}
			if got := detectedDrivers(root); !slices.Equal(got, tc.want) {
				t.Errorf("detected %v, want %v", got, tc.want)
			}
		})
	}
}
