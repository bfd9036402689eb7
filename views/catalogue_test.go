package views

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

// Every language has every message of the default one, with no parameter
// the code does not give and every plural form its grammar needs: a
// Russian count of 5 must not read as the form for 1, nor fall back to
// English.
func TestCatalogueLanguagesAreComplete(t *testing.T) {
	base := langs[DefaultLang].messages
	for _, code := range Languages {
		l := langs[code]
		needed := neededForms(l)
		for key, want := range base {
			got, ok := l.messages[key]
			if !ok {
				t.Errorf("%s.json lacks %q", code, key)
				continue
			}
			params := parameters(want)
			for _, text := range got.texts() {
				for p := range parametersOf(text) {
					if !params[p] {
						t.Errorf("%s.json %q: {%s} is no parameter of the message (the English has %v)", code, key, p, slices.Sorted(maps.Keys(params)))
					}
				}
			}
			if (want.forms == nil) != (got.forms == nil) {
				t.Errorf("%s.json %q: plural forms in one language and not the other", code, key)
				continue
			}
			for _, form := range needed {
				if want.forms != nil && got.forms[form] == "" {
					t.Errorf("%s.json %q lacks the plural form %s", code, key, formNames[form])
				}
			}
		}
		for key := range l.messages {
			if _, ok := base[key]; !ok {
				t.Errorf("%s.json has %q, which %s.json lacks", code, key, DefaultLang)
			}
		}
	}
}

// A plural message says the count in each form a language distinguishes.
func TestPluralFormsFollowTheLanguage(t *testing.T) {
	for _, c := range []struct {
		lang string
		n    int
		want plural.Form
	}{
		{"en", 1, plural.One}, {"en", 0, plural.Other}, {"en", 21, plural.Other},
		{"fr", 0, plural.One}, {"fr", 1, plural.One}, {"fr", 2, plural.Other},
		{"ru", 1, plural.One}, {"ru", 21, plural.One}, {"ru", 3, plural.Few}, {"ru", 5, plural.Many}, {"ru", 11, plural.Many},
		{"ar", 0, plural.Zero}, {"ar", 1, plural.One}, {"ar", 2, plural.Two}, {"ar", 3, plural.Few}, {"ar", 11, plural.Many}, {"ar", 100, plural.Other},
	} {
		l := &lang{tag: language.Make(c.lang)}
		if got := l.pluralForm([]any{"count", c.n}); got != c.want {
			t.Errorf("%s, %d: form %s, want %s", c.lang, c.n, formNames[got], formNames[c.want])
		}
	}
	if got := Message("en", "list.count", "count", 1); got != "1 signature" {
		t.Errorf("one: %q", got)
	}
	if got := Message("en", "list.count", "count", 10000); got != "10,000 signatures" {
		t.Errorf("many: %q", got)
	}
}

// dynamicKeys are the families of messages whose keys the Go code builds
// from a value, such as "display." + a signer's choice: a message whose key
// starts so counts as used. Each names where the key is built. (Templates'
// families, {{.T (print "state." .State)}}, are found by sourceKeys.)
var dynamicKeys = []string{
	"state.",                 // views: print "state." .State
	"label.",                 // Page.Field: "label." + the field's name
	"hint.",                  // Page.Field: "hint." + the field's name or its hint flag
	"summary.",               // handlers summaryLabel: "summary." + a field's name
	"error.",                 // handlers invalidMessage: "error." + a models.Invalid code [+ "." + field]; errors: "error." + a status + ".title"/".text"
	"display.",               // handlers displayOptions and entry: "display." + a display choice
	"link.",                  // handlers renderLink: "link." + what the link did + ".heading"/".text"
	"import.problem.",        // handlers invalidMessage for an import row: "import.problem." + a code [+ "." + field]
	"invite.status.",         // handlers renderBoard and boardRow: "invite.status." + an invitation's status
	"invite.link.",           // handlers invitationRefused: "invite.link." + what became of the invitation + ".heading"/".text"
	"import.error.",          // handlers readImportFile: "import.error." + what readCSVFile found wrong with a file
	"offline.label.",         // Page.Field's "keys=offline." and handlers formErrors (ImportForm.keys): "offline.label." + a field's name
	"offline.hint.",          // Page.Field's "keys=offline.": "offline.hint." + a field's name
	"offline.error.",         // handlers formErrors (ImportForm.keys): "offline.error." + a models.Invalid code + "." + a field's name
	"partners.label.",        // Page.Field's "keys=partners." and handlers formErrors: "partners.label." + a field's name
	"partners.hint.",         // Page.Field's "keys=partners.": "partners.hint." + a field's name
	"partners.error.",        // handlers formErrors and rowProblem: "partners.error." + a models.Invalid code [+ "." + field]
	"partners.filter.label.", // Page.Field's "keys=partners.filter.": the directory's filter
	"goal.label.",            // Page.Field's "keys=goal." and handlers formErrors: "goal.label." + a goal's field
	"goal.hint.",             // Page.Field's "keys=goal.": "goal.hint." + a goal's field
	"goal.error.",            // handlers formErrors: "goal.error." + a models.Invalid code + "." + a goal's field; saveLetterSettings: "goal.error.low." + it
	"delivery.label.",        // Page.Field's "keys=delivery.", handlers formErrors and deliveryError: "delivery.label." + a field's name
	"delivery.hint.",         // Page.Field's "keys=delivery.": "delivery.hint." + a field's name
	"delivery.error.",        // handlers formErrors and deliveryError: "delivery.error." + a code [+ "." + field], or a field's name
	"delivery.mail.",         // handlers deliveryBody: "delivery.mail." + what the email carries (models.AttachPDF, AttachLink)
	"addressees.summary.",    // handlers saveAddressees: "addressees.summary." + a models.Invalid field
	"response.label.",        // Page.Field's "keys=response." and handlers formErrors: "response.label." + a response's field
	"response.hint.",         // Page.Field's "keys=response.": "response.hint." + a response's field
	"response.error.",        // handlers formErrors: "response.error." + a models.Invalid code + "." + a field; postResponse: + what readResponseFile found
}

// Every message in the catalogue is used somewhere, and every key the code
// names is in the catalogue: a message that nothing shows is a translation
// that costs every translator for nothing; a key that is missing shows
// itself to the reader.
func TestCatalogueKeysAreUsed(t *testing.T) {
	literals, named := sourceKeys(t) // first: it adds the templates' families
	for key := range named {
		// A key named whole must be there, in a family (error.…) or not;
		// one ending in "." is a family's prefix, completed by the code.
		if _, ok := langs[DefaultLang].messages[key]; !ok && !strings.HasSuffix(key, ".") {
			t.Errorf("the code asks for %q, which %s.json lacks", key, DefaultLang)
		}
	}
	for key := range langs[DefaultLang].messages {
		if literals[key] || slices.ContainsFunc(dynamicKeys, func(p string) bool { return strings.HasPrefix(key, p) }) {
			continue
		}
		t.Errorf("%s.json has %q, which nothing uses", DefaultLang, key)
	}
}

// templateKey finds the keys templates pass to T, templateFamily the
// families whose keys they build.
var (
	templateKey    = regexp.MustCompile(`\bTH? "([^"]+)"`)
	templateFamily = regexp.MustCompile(`\bTH? \(print "([a-z_.]+\.)"`)
)

// sourceKeys reads the Go sources (tests left out) and the templates: every
// string literal, and the keys given to the catalogue's functions or to
// functions that pass a key on to them (see keyWrappers).
func sourceKeys(t *testing.T) (literals, named map[string]bool) {
	literals, named = map[string]bool{}, map[string]bool{}
	var files []*ast.File
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && path != ".." {
			return filepath.SkipDir
		}
		switch {
		case strings.HasSuffix(path, ".html"):
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, m := range templateKey.FindAllStringSubmatch(string(data), -1) {
				literals[m[1]], named[m[1]] = true, true
			}
			for _, m := range templateFamily.FindAllStringSubmatch(string(data), -1) {
				dynamicKeys = append(dynamicKeys, m[1])
			}
		case strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go"):
			file, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
			if err != nil {
				return err
			}
			files = append(files, file)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	keyAt := keyWrappers(files)
	for _, file := range files {
		goKeys(file, keyAt, literals, named)
	}
	return literals, named
}

// keyArgument is where the catalogue's functions take the key: msg(c, key…),
// Message(lang, key…), T(key…) and their HTML twins.
var keyArgument = map[string]int{"msg": 1, "Message": 1, "MessageHTML": 1, "T": 0, "TH": 0}

// keyWrappers returns keyArgument with the functions and methods that take
// a key and hand it, as it is, to one of them, such as the handlers'
// fieldError(c, field, key) and versionPage(c, l, data, key, …): the keys
// given to those are keys the code names too.
func keyWrappers(files []*ast.File) map[string]int {
	keyAt := maps.Clone(keyArgument)
	for found := true; found; { // until no wrapper of a wrapper is left
		found = false
		for _, file := range files {
			for _, decl := range file.Decls {
				fn, ok := decl.(*ast.FuncDecl)
				if !ok || fn.Body == nil {
					continue
				}
				if _, known := keyAt[fn.Name.Name]; known {
					continue
				}
				if at, ok := passesKeyOn(fn, keyAt); ok {
					keyAt[fn.Name.Name], found = at, true
				}
			}
		}
	}
	return keyAt
}

// passesKeyOn reports whether fn gives one of its parameters as the key of
// a call to a function of keyAt, and which parameter.
func passesKeyOn(fn *ast.FuncDecl, keyAt map[string]int) (int, bool) {
	params := map[string]int{}
	i := 0
	for _, field := range fn.Type.Params.List {
		for _, name := range field.Names {
			params[name.Name] = i
			i++
		}
		if len(field.Names) == 0 {
			i++
		}
	}
	at, found := 0, false
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		key, ok := keyArg(call, keyAt).(*ast.Ident)
		if !ok {
			return true
		}
		if p, ok := params[key.Name]; ok {
			at, found = p, true
		}
		return !found
	})
	return at, found
}

// keyArg is the key argument of a call to a function of keyAt, or nil.
func keyArg(call *ast.CallExpr, keyAt map[string]int) ast.Expr {
	var name string
	switch fun := call.Fun.(type) {
	case *ast.SelectorExpr:
		name = fun.Sel.Name
	case *ast.Ident:
		name = fun.Name
	}
	at, ok := keyAt[name]
	if !ok || len(call.Args) <= at {
		return nil
	}
	return call.Args[at]
}

// goKeys adds a Go file's string literals, and the literal keys of its
// calls to the functions of keyAt.
func goKeys(file *ast.File, keyAt map[string]int, literals, named map[string]bool) {
	ast.Inspect(file, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.BasicLit:
			if n.Kind == token.STRING {
				if s, err := strconv.Unquote(n.Value); err == nil {
					literals[s] = true
				}
			}
		case *ast.CallExpr:
			if lit, ok := keyArg(n, keyAt).(*ast.BasicLit); ok && lit.Kind == token.STRING {
				// An empty key asks for no message, as versionPage's
				// "" for a page titled by its letter.
				if s, err := strconv.Unquote(lit.Value); err == nil && s != "" {
					named[s] = true
				}
			}
		}
		return true
	})
}

var formNames = map[plural.Form]string{
	plural.Zero: "zero", plural.One: "one", plural.Two: "two", plural.Few: "few", plural.Many: "many", plural.Other: "other",
}

// neededForms are the plural forms a language's counts of 0 to 1,000,000
// take.
func neededForms(l *lang) []plural.Form {
	seen := map[plural.Form]bool{}
	for n := range 1001 {
		seen[l.pluralForm([]any{"count", n})] = true
	}
	seen[l.pluralForm([]any{"count", 1_000_000})] = true
	return slices.Sorted(maps.Keys(seen))
}

func (m message) texts() []string {
	if m.forms == nil {
		return []string{m.text}
	}
	return slices.Collect(maps.Values(m.forms))
}

var parameter = regexp.MustCompile(`\{(\w+)\}`)

func parametersOf(text string) map[string]bool {
	out := map[string]bool{}
	for _, m := range parameter.FindAllStringSubmatch(text, -1) {
		out[m[1]] = true
	}
	return out
}

func parameters(m message) map[string]bool {
	out := map[string]bool{}
	for _, text := range m.texts() {
		for p := range parametersOf(text) {
			out[p] = true
		}
	}
	return out
}

// TestAMessageMissingInALanguageCountsAsItsFallbackDoes: a message a
// language's file lacks comes from the default language whole, its plural
// form picked by that language's rules: Russian's "one" for 21 would pick
// English's "1 signature" form for "21 signature".
func TestAMessageMissingInALanguageCountsAsItsFallbackDoes(t *testing.T) {
	l := &lang{tag: language.Make("ru"), messages: map[string]message{}, numbers: langs["ru"].numbers}
	want := Message(DefaultLang, "list.count", "count", 21)
	if got := l.fill(l.text("list.count", []any{"count", 21}), []any{"count", 21}, func(s string) string { return s }); got != want {
		t.Errorf("a missing message counting 21: %q, want %q", got, want)
	}
}
