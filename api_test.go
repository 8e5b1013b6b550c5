package ismscomms_test

import (
	"flag"
	"fmt"
	"go/constant"
	"go/importer"
	"go/token"
	"go/types"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

const modulePath = "github.com/ismscomms/ismscomms"

var updateAPI = flag.Bool("update-api", false, "rewrite the API listing in api/")

// TestAPI compares the exported API of every public package (not
// internal/, not cmd/, not examples/) with its listing in api/, one file
// per package (api/comms.txt, api/store/sqlite.txt), so that every change
// to the API shows in review as a change to a listing. The lines follow
// Go's own api/*.txt: one exported const, var, func, type, struct field,
// interface method or method per line, sorted.
//
// After a deliberate change to the API, regenerate the listing with
//
//	go test -run TestAPI -update-api .
//
// and say why in CHANGELOG.md.
func TestAPI(t *testing.T) {
	got := apiListing(t)
	if len(got) < 8 {
		t.Fatalf("listed the API of only %d packages", len(got))
	}
	if *updateAPI {
		if err := os.RemoveAll("api"); err != nil {
			t.Fatal(err)
		}
		for file, lines := range got {
			path := filepath.Join("api", file)
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(strings.Join(lines, "")), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	const hint = "if the change is deliberate, `go test -run TestAPI -update-api .` rewrites api/"
	var files []string
	err := filepath.WalkDir("api", func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel("api", path)
			files = append(files, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatalf("%v; %s", err, hint)
	}
	for _, file := range files {
		if _, ok := got[file]; !ok {
			t.Errorf("api/%s lists a package that is gone; %s", file, hint)
		}
	}
	for file, lines := range got {
		b, err := os.ReadFile(filepath.Join("api", file))
		if err != nil {
			t.Errorf("%v; %s", err, hint)
			continue
		}
		if diff := lineDiff(splitLines(string(b)), lines); diff != "" {
			t.Errorf("the API differs from api/%s (- listed, + now):\n%s%s", file, diff, hint)
		}
	}
}

// TestAPIListingFormat pins the format of the listing on a package of
// every kind of declaration, so that a change to the generator shows here
// and not only as a rewrite of every file.
func TestAPIListingFormat(t *testing.T) {
	pkg := types.NewPackage(modulePath+"/demo", "demo")
	scope := pkg.Scope()
	str := types.Typ[types.String]
	errType := types.Universe.Lookup("error").Type()
	kindObj := types.NewTypeName(token.NoPos, pkg, "Kind", nil)
	kind := types.NewNamed(kindObj, str, nil)
	scope.Insert(kindObj)
	scope.Insert(types.NewConst(token.NoPos, pkg, "KindA", kind, constant.MakeString("a")))
	scope.Insert(types.NewConst(token.NoPos, pkg, "Max", types.Typ[types.UntypedInt], constant.MakeInt64(256)))
	scope.Insert(types.NewVar(token.NoPos, pkg, "ErrX", errType))
	scope.Insert(types.NewVar(token.NoPos, pkg, "hidden", errType))
	tObj := types.NewTypeName(token.NoPos, pkg, "T", nil)
	tNamed := types.NewNamed(tObj, types.NewStruct([]*types.Var{
		types.NewField(token.NoPos, pkg, "Name", str, false),
		types.NewField(token.NoPos, pkg, "secret", str, false),
	}, nil), nil)
	scope.Insert(tObj)
	params := types.NewTuple(types.NewVar(token.NoPos, pkg, "s", str), types.NewVar(token.NoPos, pkg, "xs", types.NewSlice(types.Typ[types.Int])))
	results := types.NewTuple(types.NewVar(token.NoPos, pkg, "", types.NewPointer(tNamed)), types.NewVar(token.NoPos, pkg, "", errType))
	scope.Insert(types.NewFunc(token.NoPos, pkg, "New", types.NewSignatureType(nil, nil, nil, params, results, true)))
	recv := types.NewVar(token.NoPos, pkg, "t", types.NewPointer(tNamed))
	tNamed.AddMethod(types.NewFunc(token.NoPos, pkg, "Kind", types.NewSignatureType(recv, nil, nil, nil, types.NewTuple(types.NewVar(token.NoPos, pkg, "", kind)), false)))
	tNamed.AddMethod(types.NewFunc(token.NoPos, pkg, "private", types.NewSignatureType(recv, nil, nil, nil, nil, false)))
	iObj := types.NewTypeName(token.NoPos, pkg, "I", nil)
	iface := types.NewInterfaceType([]*types.Func{
		types.NewFunc(token.NoPos, pkg, "Do", types.NewSignatureType(nil, nil, nil, types.NewTuple(types.NewVar(token.NoPos, pkg, "", tNamed)), types.NewTuple(types.NewVar(token.NoPos, pkg, "", errType)), false)),
	}, nil)
	iface.Complete()
	types.NewNamed(iObj, iface, nil)
	scope.Insert(iObj)

	want := []string{
		"pkg demo, const KindA Kind = \"a\"\n",
		"pkg demo, const Max untyped int = 256\n",
		"pkg demo, func New(string, ...int) (*T, error)\n",
		"pkg demo, method (*T) Kind() Kind\n",
		"pkg demo, type I interface { Do }\n",
		"pkg demo, type I interface, Do(T) error\n",
		"pkg demo, type Kind string\n",
		"pkg demo, type T struct\n",
		"pkg demo, type T struct, Name string\n",
		"pkg demo, var ErrX error\n",
	}
	if got := apiLines("demo", pkg); !slices.Equal(got, want) {
		t.Errorf("listing:\n%s", lineDiff(want, got))
	}
}

// apiListing returns the listing of every public package of the module,
// by file name under api/.
func apiListing(t *testing.T) map[string][]string {
	t.Helper()
	pkgs := listExport(t)
	imp := importer.ForCompiler(token.NewFileSet(), "gc", func(path string) (io.ReadCloser, error) {
		p, ok := pkgs[path]
		if !ok || p.Export == "" {
			return nil, fmt.Errorf("no export data for %s", path)
		}
		return os.Open(p.Export)
	})
	out := map[string][]string{}
	for path, p := range pkgs {
		if !publicPackage(path, p) {
			continue
		}
		pkg, err := imp.Import(path)
		if err != nil {
			t.Fatalf("import %s: %v", path, err)
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(path, modulePath), "/")
		file := rel + ".txt"
		if rel == "" {
			rel, file = pkg.Name(), pkg.Name()+".txt"
		}
		out[file] = apiLines(rel, pkg)
	}
	return out
}

// publicPackage reports whether a package of the listing is part of the
// module's public API.
func publicPackage(path string, p listed) bool {
	if p.Module == nil || !p.Module.Main || p.Name == "main" || p.Export == "" {
		return false
	}
	rel := strings.TrimPrefix(strings.TrimPrefix(path, modulePath), "/")
	elems := strings.Split(rel, "/")
	return !slices.Contains(elems, "internal") && elems[0] != "cmd" && elems[0] != "examples"
}

// apiLines lists the exported API of pkg, one declaration per line, each
// starting "pkg <name>, ", sorted. Types of other packages are qualified by
// their package name, those of pkg not at all.
func apiLines(name string, pkg *types.Package) []string {
	qual := func(p *types.Package) string {
		if p == pkg {
			return ""
		}
		return p.Name()
	}
	typ := func(t types.Type) string { return types.TypeString(t, qual) }
	var lines []string
	emit := func(format string, args ...any) {
		lines = append(lines, "pkg "+name+", "+fmt.Sprintf(format, args...)+"\n")
	}
	scope := pkg.Scope()
	for _, n := range scope.Names() {
		obj := scope.Lookup(n)
		if !obj.Exported() {
			continue
		}
		switch obj := obj.(type) {
		case *types.Const:
			emit("const %s %s = %s", n, typ(obj.Type()), obj.Val().ExactString())
		case *types.Var:
			emit("var %s %s", n, typ(obj.Type()))
		case *types.Func:
			sig := obj.Type().(*types.Signature)
			emit("func %s%s%s", n, typeParams(sig.TypeParams(), typ), signature(sig, typ))
		case *types.TypeName:
			typeLines(obj, typ, emit)
		}
	}
	sort.Strings(lines)
	return lines
}

// typeLines lists a type, its exported fields or interface methods and its
// exported methods.
func typeLines(obj *types.TypeName, typ func(types.Type) string, emit func(string, ...any)) {
	n := obj.Name()
	if obj.IsAlias() {
		emit("type %s = %s", n, typ(types.Unalias(obj.Type())))
		return
	}
	named, ok := obj.Type().(*types.Named)
	if !ok {
		emit("type %s %s", n, typ(obj.Type().Underlying()))
		return
	}
	head := n + typeParams(named.TypeParams(), typ)
	switch u := named.Underlying().(type) {
	case *types.Struct:
		emit("type %s struct", head)
		for i := range u.NumFields() {
			f := u.Field(i)
			switch {
			case f.Embedded():
				emit("type %s struct, embedded %s", head, typ(f.Type()))
			case f.Exported():
				emit("type %s struct, %s %s", head, f.Name(), typ(f.Type()))
			}
		}
	case *types.Interface:
		var names []string
		for i := range u.NumExplicitMethods() {
			m := u.ExplicitMethod(i)
			names = append(names, m.Name())
			if m.Exported() {
				emit("type %s interface, %s%s", head, m.Name(), signature(m.Type().(*types.Signature), typ))
			}
		}
		for i := range u.NumEmbeddeds() {
			e := u.EmbeddedType(i)
			names = append(names, typ(e))
			emit("type %s interface, embedded %s", head, typ(e))
		}
		sort.Strings(names)
		emit("type %s interface { %s }", head, strings.Join(names, ", "))
	default:
		emit("type %s %s", head, typ(u))
	}
	for i := range named.NumMethods() {
		m := named.Method(i)
		if !m.Exported() {
			continue
		}
		sig := m.Type().(*types.Signature)
		recv := head
		if _, ptr := sig.Recv().Type().(*types.Pointer); ptr {
			recv = "*" + recv
		}
		emit("method (%s) %s%s", recv, m.Name(), signature(sig, typ))
	}
}

// typeParams formats type parameters as "[T any, U comparable]", or
// nothing.
func typeParams(tps *types.TypeParamList, typ func(types.Type) string) string {
	if tps.Len() == 0 {
		return ""
	}
	var ps []string
	for i := range tps.Len() {
		tp := tps.At(i)
		ps = append(ps, tp.Obj().Name()+" "+typ(tp.Constraint()))
	}
	return "[" + strings.Join(ps, ", ") + "]"
}

// signature formats a signature without parameter names, as Go's api
// files do: "(string, ...int) (*T, error)".
func signature(sig *types.Signature, typ func(types.Type) string) string {
	var ps []string
	for i := range sig.Params().Len() {
		t := sig.Params().At(i).Type()
		if sig.Variadic() && i == sig.Params().Len()-1 {
			ps = append(ps, "..."+typ(t.(*types.Slice).Elem()))
			continue
		}
		ps = append(ps, typ(t))
	}
	s := "(" + strings.Join(ps, ", ") + ")"
	switch r := sig.Results(); r.Len() {
	case 0:
	case 1:
		s += " " + typ(r.At(0).Type())
	default:
		var rs []string
		for i := range r.Len() {
			rs = append(rs, typ(r.At(i).Type()))
		}
		s += " (" + strings.Join(rs, ", ") + ")"
	}
	return s
}

// splitLines splits text into lines that keep their newline.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.SplitAfter(strings.TrimSuffix(s, "\n"), "\n")
}

// lineDiff lists the lines only in want ("-") and only in got ("+"), both
// sorted listings; empty if they are equal.
func lineDiff(want, got []string) string {
	var b strings.Builder
	norm := func(l string) string { return strings.TrimSuffix(l, "\n") + "\n" }
	i, j := 0, 0
	for i < len(want) || j < len(got) {
		switch {
		case j == len(got) || i < len(want) && norm(want[i]) < norm(got[j]):
			b.WriteString("- " + norm(want[i]))
			i++
		case i == len(want) || norm(got[j]) < norm(want[i]):
			b.WriteString("+ " + norm(got[j]))
			j++
		default:
			i++
			j++
		}
	}
	return b.String()
}
