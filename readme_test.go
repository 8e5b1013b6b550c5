package ismscomms_test

import (
	"errors"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// snippetPrelude declares the names README fragments use without
// declaring them, as package-level variables of the type a reader would
// have in hand; a fragment that uses any other undeclared name fails. A
// fragment is compiled as the body of a function (or, when it declares
// functions, as a file) with these in scope and the packages of
// snippetImports imported.
const snippetPrelude = `
var (
	ctx     context.Context
	st      store.Store
	plan    comms.Plan
	src     *comms.Source
	err     error
	w       io.Writer
	myCheck matrix.Checker
	now, jan1, sent, occ time.Time
)
`

// snippetImports are the packages a fragment may use without importing
// them (a fragment's own import block adds to them).
var snippetImports = []string{
	"context", "errors", "fmt", "io", "log", "os", "testing", "time",
	modulePath + "/comms", modulePath + "/evidence", modulePath + "/matrix", modulePath + "/matrix/matrixtest",
	modulePath + "/regulation", modulePath + "/schedule", modulePath + "/store", modulePath + "/store/memory",
}

// TestREADMESnippets type-checks every ```go block of README.md against the
// module, so that the README never shows code that does not compile. A
// complete program (package main) is checked as it is, every error
// counting; a fragment as described at snippetPrelude, where only "declared
// and not used" and "imported and not used" are forgiven.
func TestREADMESnippets(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := goBlocks(string(readme))
	if len(blocks) < 5 {
		t.Fatalf("found only %d go blocks in README.md", len(blocks))
	}
	imp := snippetImporter(t)
	for _, b := range blocks {
		if err := checkSnippet(b.code, imp); err != nil {
			t.Errorf("README.md:%d: the go block does not compile:\n%v", b.line, err)
		}
	}
}

// The check itself works: a misspelt function, a wrong argument and an
// undeclared name fail it, and a complete program is held to every error.
func TestREADMESnippetsCheckFails(t *testing.T) {
	imp := snippetImporter(t)
	for _, good := range []string{
		"plan, err := comms.LoadPlan(\"plan.yaml\")\nif err != nil {\n\tlog.Fatal(err)\n}\nmatrix.Build(plan).WriteMarkdown(os.Stdout)",
		"func TestX(t *testing.T) {\n\tmatrixtest.RequireComplete(t, plan)\n}",
		"package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println() }",
	} {
		if err := checkSnippet(good, imp); err != nil {
			t.Errorf("a good snippet failed:\n%s\n%v", good, err)
		}
	}
	for _, bad := range []struct{ code, want string }{
		{"plan, err := comms.LoadPlans(\"plan.yaml\")", "LoadPlans"},
		{"matrix.Build(plan, 3)", "too many arguments"},
		{"fmt.Println(report)", "undefined: report"},
		{"package main\n\nimport \"fmt\"\n\nfunc main() { x := 1 }", "declared and not used"},
	} {
		err := checkSnippet(bad.code, imp)
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("snippet %q: got %v, want an error with %q", bad.code, err, bad.want)
		}
	}
}

type goBlock struct {
	line int // of the opening fence
	code string
}

// goBlocks returns the ```go fenced blocks of a Markdown text, their
// indentation (in a list item) removed.
func goBlocks(md string) []goBlock {
	var blocks []goBlock
	var cur *goBlock
	indent := ""
	for i, line := range strings.Split(md, "\n") {
		trimmed := strings.TrimLeft(line, " \t")
		switch {
		case cur == nil && strings.HasPrefix(trimmed, "```go"):
			cur, indent = &goBlock{line: i + 1}, line[:len(line)-len(trimmed)]
		case cur != nil && strings.HasPrefix(trimmed, "```"):
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			cur.code += strings.TrimPrefix(line, indent) + "\n"
		}
	}
	return blocks
}

var leadingImports = regexp.MustCompile(`^\s*(import\s*(\([^)]*\)|"[^"]*")\s*)+`)

// checkSnippet type-checks one README block (see TestREADMESnippets).
func checkSnippet(code string, imp types.Importer) error {
	fset := token.NewFileSet()
	if strings.HasPrefix(strings.TrimSpace(code), "package ") {
		return typeCheck(fset, imp, code, false)
	}
	paths := slices.Clone(snippetImports)
	body := code
	if m := leadingImports.FindString(code); m != "" {
		f, err := parser.ParseFile(fset, "imports.go", "package p\n"+m, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, s := range f.Imports {
			p, _ := strconv.Unquote(s.Path.Value)
			if !slices.Contains(paths, p) {
				paths = append(paths, p)
			}
		}
		body = code[len(m):]
	}
	var src strings.Builder
	src.WriteString("package snippet\n\nimport (\n")
	for _, p := range paths {
		fmt.Fprintf(&src, "\t%q\n", p)
	}
	src.WriteString(")\n" + snippetPrelude)
	// Declarations go at file level; statements into a function body.
	if _, err := parser.ParseFile(token.NewFileSet(), "decls.go", "package p\n"+body, 0); err == nil {
		src.WriteString(body)
	} else {
		src.WriteString("\nfunc _() {\n" + body + "\n}\n")
	}
	return typeCheck(fset, imp, src.String(), true)
}

// typeCheck type-checks one file; lenient forgives unused variables and
// imports, which fragments have by nature.
func typeCheck(fset *token.FileSet, imp types.Importer, src string, lenient bool) error {
	f, err := parser.ParseFile(fset, "snippet.go", src, 0)
	if err != nil {
		return fmt.Errorf("%w\n%s", err, src)
	}
	var errs []error
	conf := types.Config{Importer: imp, Error: func(err error) {
		var te types.Error
		if lenient && errors.As(err, &te) && te.Soft &&
			(strings.Contains(te.Msg, "declared and not used") || strings.Contains(te.Msg, "imported and not used")) {
			return
		}
		errs = append(errs, err)
	}}
	conf.Check("snippet", fset, []*ast.File{f}, nil)
	if len(errs) > 0 {
		return fmt.Errorf("%w\n--- as compiled:\n%s", errors.Join(errs...), src)
	}
	return nil
}

// snippetImporter imports the module's packages, and those of other
// modules and the standard library that the module uses, from the export
// data the go command built. A README that imports anything else fails,
// naming the package.
func snippetImporter(t *testing.T) types.Importer {
	t.Helper()
	pkgs := listExport(t)
	return importer.ForCompiler(token.NewFileSet(), "gc", func(path string) (io.ReadCloser, error) {
		p, ok := pkgs[path]
		if !ok || p.Export == "" {
			return nil, fmt.Errorf("no export data for %s: the module uses no such package", path)
		}
		return os.Open(p.Export)
	})
}
