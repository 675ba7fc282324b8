package testtool

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestNoBareSkip: outside this package, no test skips by itself, since a
// bare Skip passes silently under CI=true; tests skip through Need,
// Unavailable, Root or Fixture, which fail there instead.
func TestNoBareSkip(t *testing.T) {
	root := ModuleRoot(t)
	here, _ := filepath.Abs(".")
	fset := token.NewFileSet()
	files := 0
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && (p == here || d.Name() == "testdata" || p != root && strings.HasPrefix(d.Name(), ".")):
			return filepath.SkipDir
		case d.IsDir() || !strings.HasSuffix(p, ".go"):
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		files++
		for _, s := range bareSkips(fset, f) {
			rel, _ := filepath.Rel(root, s.Filename)
			t.Errorf("%s:%d: skip through testtool (Need, Unavailable, Root, Fixture), not by hand", rel, s.Line)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 100 {
		t.Fatalf("checked only %d Go files under %s", files, root)
	}
}

// TestBareSkipsFound: the check is not vacuous.
func TestBareSkipsFound(t *testing.T) {
	src := `package x

import "testing"

// t.Skip("in a comment") is fine.
func TestX(t *testing.T) {
	t.Skip("why")
	if true { t.Skipf("%d", 1) }
	defer t.SkipNow()
	_ = "t.Skip(in a string)"
}

func BenchmarkX(b *testing.B) { b.Skip() }
`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "x_test.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range bareSkips(fset, f) {
		got = append(got, fmt.Sprint(s.Line))
	}
	if strings.Join(got, " ") != "7 8 9 13" {
		t.Errorf("bare skips found on lines %v, want 7 8 9 13", got)
	}
	f, _ = parser.ParseFile(fset, "y.go", "package y\nfunc f(r interface{ Skip() }) { r.Skip() }\n", 0)
	if s := bareSkips(fset, f); len(s) != 0 {
		t.Errorf("a Skip method in a file that does not import testing: %v", s)
	}
}

// bareSkips finds the uses of Skip, Skipf and SkipNow in a file that
// imports "testing" (a test, or a helper package of tests).
func bareSkips(fset *token.FileSet, f *ast.File) []token.Position {
	if !importsTesting(f) {
		return nil
	}
	var found []token.Position
	ast.Inspect(f, func(n ast.Node) bool {
		if s, ok := n.(*ast.SelectorExpr); ok {
			switch s.Sel.Name {
			case "Skip", "Skipf", "SkipNow":
				found = append(found, fset.Position(s.Sel.Pos()))
			}
		}
		return true
	})
	return found
}

func importsTesting(f *ast.File) bool {
	for _, im := range f.Imports {
		if p, _ := strconv.Unquote(im.Path.Value); p == "testing" {
			return true
		}
	}
	return false
}
