package ismscomms_test

import (
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// compiledOnly lists the examples that are compiled but not run, because
// what they need is not there in every test run (a PostgreSQL server).
var compiledOnly = map[string]bool{
	"store/postgres.ExampleOpen": true,
}

// TestExamplesHaveOutput: every Example function of the module ends in an
// "// Output:" comment, so that go test runs it and checks what it prints.
// Without one it is compiled and never run; and a comment group that does
// not begin with "Output:" is not one, however it ends.
func TestExamplesHaveOutput(t *testing.T) {
	fset := token.NewFileSet()
	byDir := map[string][]*ast.File{}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		byDir[filepath.ToSlash(filepath.Dir(path))] = append(byDir[filepath.ToSlash(filepath.Dir(path))], f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for dir, files := range byDir {
		for _, ex := range doc.Examples(files...) {
			n++
			name := dir + ".Example" + ex.Name
			if ex.Output == "" && !ex.EmptyOutput && !compiledOnly[name] {
				t.Errorf("%s: %s has no // Output: comment, so go test never runs it", fset.Position(ex.Code.Pos()), "Example"+ex.Name)
			}
		}
	}
	if n < 20 {
		t.Fatalf("found only %d examples", n)
	}
}
