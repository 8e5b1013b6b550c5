package ismscomms_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/importer"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// core lists the packages that must never depend on a database driver:
// a vendor who brings its own Store never builds SQLite or pgx.
var core = []string{
	"./comms", "./schedule", "./matrix", "./matrix/matrixtest", "./regulation",
	"./evidence", "./store", "./store/driver", "./store/memory", "./store/storetest",
	"./notify", "./notify/notifytest", "./remind",
}

func TestCoreImportsNoDatabaseDriver(t *testing.T) {
	out, err := exec.Command("go", append([]string{"list", "-deps"}, core...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 20 {
		t.Fatalf("go list -deps listed only %d packages", len(deps))
	}
	for _, dep := range deps {
		for _, driver := range []string{"modernc.org/sqlite", "modernc.org/libc", "github.com/jackc/pgx", "github.com/lib/pq", "github.com/mattn/go-sqlite3", "database/sql"} {
			if dep == driver || strings.HasPrefix(dep, driver+"/") {
				t.Errorf("a core package depends on %s", dep)
			}
		}
	}
	// The check itself works: the SQLite store does depend on its driver.
	out, _ = exec.Command("go", "list", "-deps", "./store/sqlite").CombinedOutput()
	if !strings.Contains(string(out), "modernc.org/sqlite") {
		t.Error("store/sqlite does not list modernc.org/sqlite: the check is broken")
	}
}

// TestNoInternalTypesInAPI: no exported name of a package outside
// internal/ mentions a type of an internal package in its signature, its
// fields or its methods. Such a name cannot be used from outside the
// module, and go doc shows nothing for it.
func TestNoInternalTypesInAPI(t *testing.T) {
	pkgs := listExport(t)
	imp := importer.ForCompiler(token.NewFileSet(), "gc", func(path string) (io.ReadCloser, error) {
		p, ok := pkgs[path]
		if !ok || p.Export == "" {
			return nil, fmt.Errorf("no export data for %s", path)
		}
		return os.Open(p.Export)
	})
	checked := 0
	for path, p := range pkgs {
		if p.Module == nil || !p.Module.Main || p.Name == "main" || p.Export == "" || strings.Contains(path, "/internal/") {
			continue
		}
		pkg, err := imp.Import(path)
		if err != nil {
			t.Fatalf("import %s: %v", path, err)
		}
		checked++
		for _, bad := range internalUses(pkg) {
			t.Errorf("%s.%s", pkg.Name(), bad)
		}
	}
	if checked < 8 {
		t.Fatalf("checked only %d packages", checked)
	}
	// The check itself works: an internal package's API is found.
	pkg, err := imp.Import("github.com/ismscomms/ismscomms/internal/recur")
	if err != nil {
		t.Fatal(err)
	}
	if len(internalUses(pkg)) == 0 {
		t.Error("internal/recur's own API mentions no internal type: the check is broken")
	}
}

type listed struct {
	ImportPath, Name, Export string
	Module                   *struct{ Main bool }
}

func listExport(t *testing.T) map[string]listed {
	t.Helper()
	cmd := exec.Command("go", "list", "-export", "-deps", "-json=ImportPath,Name,Export,Module", "./...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -export: %v\n%s", err, stderr.Bytes())
	}
	pkgs := map[string]listed{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listed
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs[p.ImportPath] = p
	}
	return pkgs
}

// internalUses lists the exported names of pkg whose API reaches a type
// of an internal package, as "Name: internal/pkg.Type".
func internalUses(pkg *types.Package) []string {
	var out []string
	scope := pkg.Scope()
	for _, name := range scope.Names() {
		obj := scope.Lookup(name)
		if !obj.Exported() {
			continue
		}
		seen := map[types.Type]bool{}
		var found []string
		var walk func(typ types.Type)
		walk = func(typ types.Type) {
			if typ == nil || seen[typ] {
				return
			}
			seen[typ] = true
			switch t := typ.(type) {
			case *types.Alias:
				if p := t.Obj().Pkg(); p != nil && strings.Contains(p.Path(), "/internal/") {
					found = append(found, p.Path()+"."+t.Obj().Name())
				}
				walk(types.Unalias(t))
			case *types.Named:
				if p := t.Obj().Pkg(); p != nil && strings.Contains(p.Path(), "/internal/") {
					found = append(found, p.Path()+"."+t.Obj().Name())
					return
				}
				if t.Obj().Pkg() != pkg {
					return // another package's type: its own check
				}
				walk(t.Underlying())
				for i := range t.NumMethods() {
					if m := t.Method(i); m.Exported() {
						walk(m.Type())
					}
				}
			case *types.Pointer:
				walk(t.Elem())
			case *types.Slice:
				walk(t.Elem())
			case *types.Array:
				walk(t.Elem())
			case *types.Map:
				walk(t.Key())
				walk(t.Elem())
			case *types.Chan:
				walk(t.Elem())
			case *types.Signature:
				for i := range t.Params().Len() {
					walk(t.Params().At(i).Type())
				}
				for i := range t.Results().Len() {
					walk(t.Results().At(i).Type())
				}
			case *types.Struct:
				for i := range t.NumFields() {
					if f := t.Field(i); f.Exported() || f.Embedded() {
						walk(f.Type())
					}
				}
			case *types.Interface:
				for i := range t.NumMethods() {
					walk(t.Method(i).Type())
				}
			}
		}
		walk(obj.Type())
		for _, f := range found {
			out = append(out, name+": "+f)
		}
	}
	return out
}
