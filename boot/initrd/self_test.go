package initrd

import (
	"regexp"
	"slices"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// TestElfDepsMatchReadelf: the loader and libraries we put beside a
// dynamic /init are the ones readelf names, for the host's ls and bash.
func TestElfDepsMatchReadelf(t *testing.T) {
	testtool.Need(t, "readelf")
	needed := regexp.MustCompile(`\(NEEDED\)\s+Shared library: \[(.*)\]`)
	interpRE := regexp.MustCompile(`Requesting program interpreter: (.*)\]`)
	for _, file := range []string{"/bin/ls", "/bin/bash"} {
		interp, libs, err := elfDeps(file)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, m := range needed.FindAllStringSubmatch(string(testtool.Output(t, nil, "readelf", "-d", file)), -1) {
			want = append(want, m[1])
		}
		slices.Sort(want)
		slices.Sort(libs)
		if !slices.Equal(libs, want) {
			t.Errorf("%s: libraries %q, readelf says %q", file, libs, want)
		}
		m := interpRE.FindStringSubmatch(string(testtool.Output(t, nil, "readelf", "-l", file)))
		if m == nil || interp != m[1] {
			t.Errorf("%s: loader %q, readelf says %v", file, interp, m)
		}
	}
}
