package examples_test

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestVendorUsesExportedAPIOnly: examples/vendor is what a GRC product can
// write from outside the module, so it imports no internal package of the
// module (the compiler would refuse that outside it) and none of its
// example or command packages.
func TestVendorUsesExportedAPIOnly(t *testing.T) {
	const module = "github.com/ismscomms/ismscomms"
	files, err := filepath.Glob(filepath.Join("vendor", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	ours := 0
	for _, file := range files {
		f, err := parser.ParseFile(fset, file, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, err := strconv.Unquote(imp.Path.Value)
			if err != nil {
				t.Fatal(err)
			}
			if path != module && !strings.HasPrefix(path, module+"/") {
				continue
			}
			ours++
			rel := strings.TrimPrefix(strings.TrimPrefix(path, module), "/")
			elems := strings.Split(rel, "/")
			for _, e := range elems {
				if e == "internal" {
					t.Errorf("%s: imports %s, an internal package a vendor cannot import", fset.Position(imp.Pos()), path)
				}
			}
			if elems[0] == "examples" || elems[0] == "cmd" {
				t.Errorf("%s: imports %s, which is not part of the library", fset.Position(imp.Pos()), path)
			}
		}
	}
	if ours < 5 {
		t.Fatalf("examples/vendor imports only %d packages of the module: the check reads the wrong files", ours)
	}
}
