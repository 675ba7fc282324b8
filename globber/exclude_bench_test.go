package globber

import (
	"fmt"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// excludeBenchPatterns is a typical exclude list of 50 globs.
func excludeBenchPatterns() []string {
	pats := []string{
		"/usr/share/doc/*", "/usr/share/man/**", "/usr/share/info/**", "/usr/share/lintian/**",
		"/usr/share/locale/*/LC_MESSAGES/*.mo", "/usr/share/zoneinfo/right/**", "/usr/include/**",
		"/usr/lib/x86_64-linux-gnu/*.a", "/usr/lib/python3*/**/__pycache__", "/var/cache/**",
		"/var/lib/apt/lists/*", "/usr/share/i18n/**", "/etc/*.bak", "/etc/*~", "/boot/*",
		"/usr/share/icons/*/[0-9]*x[0-9]*/**", "/usr/lib/x86_64-linux-gnu/perl*/**/*.pod",
		"/usr/share/{bash-completion,zsh,fish}/**", "/usr/lib/x86_64-linux-gnu/gconv/*.so",
		"/usr/share/perl/**/unicore/**", "/usr/share/common-licenses/*", "/usr/share/bug/**",
		"/usr/share/menu/*", "/usr/share/pixmaps/*",
	}
	for c := 'a'; len(pats) < 50; c++ {
		pats = append(pats, fmt.Sprintf("/usr/share/%c*-doc/**", c))
	}
	return pats
}

// hostPaths collects up to n real paths, for realistic path shapes.
func hostPaths(b *testing.B, n int) []string {
	var paths []string
	for _, root := range []string{"/usr", "/etc", "/var"} {
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || len(paths) >= n {
				return filepath.SkipDir
			}
			paths = append(paths, p)
			return nil
		})
	}
	if len(paths) < 1000 {
		testtool.Unavailable(b, fmt.Sprintf("only %d paths under /usr, /etc and /var, too few to measure", len(paths)))
	}
	return paths
}

func BenchmarkExcluded(b *testing.B) {
	ex := NewExcluder(compileAll(b, excludeBenchPatterns()))
	paths := hostPaths(b, 100_000)
	excluded := 0
	for b.Loop() {
		excluded = 0
		for _, p := range paths {
			if ex.Excluded(p) {
				excluded++
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(paths)), "ns/path")
	b.ReportMetric(float64(len(paths)), "paths")
	b.ReportMetric(float64(excluded), "excluded")
}
