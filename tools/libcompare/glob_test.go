package libcompare

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"

	gobwas "github.com/gobwas/glob"

	"github.com/supermin-compile/supermin-compile/globber"
	"github.com/supermin-compile/supermin-compile/internal/testtool"
)

// TestGobwasGlob expands hostfiles-style patterns over a small tree with
// bash (globstar, no dotglob: glob(3) with "**"), with our globber, and
// with gobwas/glob matching every path of a walk (it matches strings; it
// does not expand). Ours agrees with bash on every pattern; gobwas lets
// "*" and "**" match dotfiles and needs a directory where "/**/" may
// match none.
func TestGobwasGlob(t *testing.T) {
	testtool.Need(t, "bash")
	root := t.TempDir()
	for _, f := range []string{"etc/passwd", "etc/group", "etc/.hidden", "etc/a1", "etc/b2", "etc/[x]",
		"etc/ssl/certs/a.pem", "etc/ssl/.git/config", "usr/a.so", "usr/lib/b.so", "usr/lib/x/y/c.so"} {
		p := filepath.Join(root, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	differ := map[string]bool{}
	for _, rel := range []string{"/etc/*", "/etc/{passwd,group}", "/etc/[!p]*", `/etc/\[x\]`, "/etc/?1",
		"/usr/**/*.so", "/etc/ssl/**/*"} {
		pattern := root + rel
		bash := lines(testtool.Output(t, nil, "bash", "-O", "globstar", "-O", "nullglob", "-c", `for f in `+pattern+`; do echo "$f"; done`))
		if bash[0] == "" {
			bash = nil
		}
		slices.Sort(bash) // braces expand in their order; the others sort
		var ours []string
		matches, err := globber.Expand(globber.OSFS("/"), []*globber.Pattern{globber.MustCompile(pattern)})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range matches {
			ours = append(ours, m.Path)
		}
		theirs := gobwasExpand(t, root, pattern)
		if d := testtool.LineDiff(bash, ours); d != "" {
			t.Errorf("%s: (- bash, + ours)\n%s", rel, d)
		}
		if d := testtool.LineDiff(bash, theirs); d != "" {
			differ[rel] = true
			t.Logf("%s: (- bash, + gobwas)\n%s", rel, d)
		}
	}
	for _, rel := range []string{"/etc/*", "/usr/**/*.so"} {
		if !differ[rel] {
			t.Errorf("%s: gobwas/glob agreed with bash; it did not when we measured", rel)
		}
	}
}

// gobwasExpand walks root and keeps every path the gobwas pattern matches.
func gobwasExpand(t *testing.T, root, pattern string) []string {
	g, err := gobwas.Compile(pattern, '/')
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	err = filepath.WalkDir(root, func(p string, _ fs.DirEntry, err error) error {
		if err == nil && g.Match(p) {
			out = append(out, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}
