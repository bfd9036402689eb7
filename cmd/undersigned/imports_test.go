package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"maps"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// layerRules say what each part of the module may not import, directly
// or through another package: the imports run cmd → handlers → (views,
// models) → public, and nothing points back. Each rule covers a package
// and those under it.
var layerRules = []struct {
	pkgs   string
	forbid []string
	why    string // what the packages are for, and where the import belongs instead
}{
	{"undersigned/models", []string{"github.com/gofiber", "github.com/valyala/fasthttp", "undersigned/handlers", "undersigned/views", "undersigned/cmd"},
		"models is the domain and its storage, and knows nothing of HTTP or of rendering: code that needs them belongs in undersigned/handlers (HTTP) or undersigned/views (rendering), which call models"},
	{"undersigned/views", []string{"github.com/gofiber", "github.com/valyala/fasthttp", "undersigned/models", "undersigned/handlers", "undersigned/cmd"},
		"views renders the plain data it is given: code that reads the store or the request belongs in undersigned/handlers, which passes views that data"},
	{"undersigned/handlers", []string{"undersigned/cmd"},
		"handlers serves HTTP; the binary's settings and wiring in undersigned/cmd use handlers, so what both need belongs in handlers or below it"},
	{"undersigned/public", []string{"undersigned/models", "undersigned/views", "undersigned/handlers", "undersigned/cmd"},
		"public holds the static files every layer may serve: code that needs the layers above belongs in them"},
}

// handlerRules are what the HTTP packages may not import themselves: they
// hand rendering to views and its sub-packages.
var handlerRules = []struct {
	forbid, why string
}{
	{"github.com/go-text/typesetting", "typesetting belongs in undersigned/views/packet (the delivery packet) or undersigned/views/pdf (the PDF writer)"},
	{"undersigned/views/pdf", "the PDF writer is for undersigned/views/packet, which writes the packet from plain data the handlers give it"},
}

// listed is a package as `go list -json` describes it.
type listed struct {
	ImportPath string
	Dir        string
	GoFiles    []string
	CgoFiles   []string
	Imports    []string
}

// TestPackagesImportOneWay reads the module's import graph from go list
// and checks that it runs one way (see layerRules), that the handlers
// import no typesetting, and that no handlers file lays out a chart: each
// package keeps one job, and a maintainer who breaks the layering is told
// which file imports what, and where it belongs instead.
func TestPackagesImportOneWay(t *testing.T) {
	pkgs := listPackages(t)
	for _, want := range []string{"undersigned/cmd/undersigned", "undersigned/handlers", "undersigned/models", "undersigned/views"} {
		if pkgs[want] == nil {
			t.Fatalf("go list does not list %s: the test reads the wrong module", want)
		}
	}
	for _, path := range slices.Sorted(maps.Keys(pkgs)) {
		p := pkgs[path]
		for _, r := range layerRules {
			if !within(path, r.pkgs) {
				continue
			}
			for _, chain := range crossings(pkgs, path, r.pkgs, r.forbid) {
				t.Errorf("%s imports %s (%s, in %s): %s", path, chain[len(chain)-1], strings.Join(chain, " → "), importingFile(t, p, chain[1]), r.why)
			}
		}
		if within(path, "undersigned/handlers") {
			checkHandlers(t, p)
		}
	}
}

// checkHandlers checks that an HTTP package renders nothing itself: it
// imports no typesetting (see handlerRules) and lays out no chart.
func checkHandlers(t *testing.T, p *listed) {
	t.Helper()
	for _, imp := range p.Imports {
		for _, r := range handlerRules {
			if within(imp, r.forbid) {
				t.Errorf("%s imports %s (in %s): handlers serve HTTP; %s", p.ImportPath, imp, importingFile(t, p, imp), r.why)
			}
		}
	}
	for _, file := range p.GoFiles {
		for _, layout := range chartLayouts(t, filepath.Join(p.Dir, file)) {
			t.Errorf("%s (%s) places things on a chart: handlers serve HTTP; chart geometry belongs in undersigned/views/charts, given plain counts", layout, sourceFile(p, file))
		}
	}
}

// listPackages is the module's packages and all they import, by path.
func listPackages(t *testing.T) map[string]*listed {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", "-json=ImportPath,Dir,GoFiles,CgoFiles,Imports", "undersigned/...").Output()
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			t.Fatalf("go list: %v\n%s", err, exit.Stderr)
		}
		t.Fatalf("go list: %v", err)
	}
	pkgs := map[string]*listed{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listed
		if err := dec.Decode(&p); err == io.EOF {
			return pkgs
		} else if err != nil {
			t.Fatalf("go list's output: %v", err)
		}
		pkgs[p.ImportPath] = &p
	}
}

// within reports whether path is pkg or a package under it.
func within(path, pkg string) bool {
	return path == pkg || strings.HasPrefix(path, pkg+"/")
}

// crossings are the chains of imports by which from, within scope, reaches
// a forbidden package: each ends at the first forbidden package on its
// way. A chain through another package of the scope is that package's to
// report, and one through a forbidden package ends there.
func crossings(pkgs map[string]*listed, from, scope string, forbidden []string) [][]string {
	var out [][]string
	came := map[string]string{from: ""}
	queue := []string{from}
	for len(queue) > 0 {
		p := pkgs[queue[0]]
		queue = queue[1:]
		if p == nil {
			continue
		}
		for _, imp := range p.Imports {
			if _, seen := came[imp]; seen {
				continue
			}
			came[imp] = p.ImportPath
			switch {
			case slices.ContainsFunc(forbidden, func(f string) bool { return within(imp, f) }):
				var chain []string
				for path := imp; path != ""; path = came[path] {
					chain = append([]string{path}, chain...)
				}
				out = append(out, chain)
			case !within(imp, scope):
				queue = append(queue, imp)
			}
		}
	}
	return out
}

// importingFile names the file of p that imports imp, as dir/file.go.
func importingFile(t *testing.T, p *listed, imp string) string {
	t.Helper()
	for _, file := range append(p.GoFiles, p.CgoFiles...) {
		f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(p.Dir, file), nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, spec := range f.Imports {
			if path, _ := strconv.Unquote(spec.Path.Value); path == imp {
				return sourceFile(p, file)
			}
		}
	}
	return "one of its files"
}

// sourceFile names a file of p by its path in the module.
func sourceFile(p *listed, file string) string {
	return strings.TrimPrefix(p.ImportPath, "undersigned/") + "/" + file
}

// chartLayouts names the struct types of a Go file that hold coordinates
// on a chart (fields X, Y, X1, X2…): a file that declares them lays a
// chart out.
func chartLayouts(t *testing.T, file string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	ast.Inspect(f, func(n ast.Node) bool {
		spec, ok := n.(*ast.TypeSpec)
		if !ok {
			return true
		}
		if st, ok := spec.Type.(*ast.StructType); ok {
			for _, field := range st.Fields.List {
				if coordinates(field.Names) {
					found = append(found, "type "+spec.Name.Name)
					break
				}
			}
		}
		return true
	})
	return found
}

// coordinates reports whether names are a point's or a line's on a plane.
func coordinates(names []*ast.Ident) bool {
	for _, n := range names {
		switch n.Name {
		case "X", "Y", "X1", "X2", "Y1", "Y2":
			return true
		}
	}
	return false
}
