package views_test

import (
	"bytes"
	"fmt"
	"html/template"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"undersigned/handlers"
	"undersigned/views"
)

// pageViews are the views the handlers render each page template with
// (Page.Data), as a zero value of their type. The views are the handlers'
// types, since the handlers fill them; this test, in views_test, imports
// them without views itself doing so.
var pageViews = map[string]any{
	"account":         handlers.AccountView{},
	"closed":          handlers.ClosedView{},
	"dashboard":       handlers.DashboardView{},
	"editor":          handlers.EditorView{},
	"embed":           handlers.EmbedView{},
	"error":           handlers.ErrorView{},
	"import":          handlers.ImportView{},
	"index":           handlers.IndexView{},
	"invitations":     handlers.BoardView{},
	"invited":         handlers.InvitedView{},
	"letter":          &handlers.LetterPageView{},
	"link":            handlers.LinkView{},
	"login":           handlers.LoginView{},
	"manage":          handlers.ManageView{},
	"print":           &handlers.PrintView{},
	"privacy":         nil,
	"reconfirm":       handlers.ReconfirmView{},
	"review":          handlers.ReviewView{},
	"revise":          handlers.ReviseView{},
	"revision":        handlers.RevisionView{},
	"signatories":     handlers.SignatoriesView{},
	"signatures":      handlers.SignaturesView{},
	"snapshot":        handlers.SnapshotView{},
	"thanks":          handlers.ThanksView{},
	"translation":     handlers.TranslationView{},
	"coinitiation":    handlers.CoInitiationView{},
	"partner":         handlers.PartnerPageView{},
	"partners":        handlers.PartnersView{},
	"partners_import": handlers.PartnerImportView{},
	"addressees":      handlers.AddresseesView{},
	"deliveries":      handlers.DeliveriesView{},
	"unsubscribe":     handlers.UnsubscribeView{},
}

// Every page template renders, in every language of the interface, right
// to left in Arabic, both with an empty view (a zero value: no letter, no
// list, no form) and with a full one (every field set, every list with an
// entry), and each is one page with one h1 whose <html> says its language
// and direction. A template that reads a field its view lacks, calls a
// method on a nil pointer or ranges over what is not a list fails here,
// not in front of a signer.
func TestEveryPageRendersEmptyAndFull(t *testing.T) {
	tmpl, err := views.Parse()
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("pages/*.html")
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		if _, ok := pageViews[strings.TrimSuffix(filepath.Base(file), ".html")]; !ok {
			t.Errorf("%s has no view in pageViews: add the type its handler renders it with", file)
		}
	}
	for name, zero := range pageViews {
		for _, lang := range append(slices.Clone(views.Languages), views.Pseudo) {
			for _, full := range []bool{false, true} {
				data, kind := zero, "empty"
				switch {
				case zero == nil:
				case full:
					data, kind = filled(reflect.TypeOf(zero)), "full"
				default:
					data = empty(reflect.TypeOf(zero))
				}
				t.Run(fmt.Sprintf("%s/%s/%s", name, lang, kind), func(t *testing.T) {
					var out bytes.Buffer
					if err := tmpl.Render(&out, name, page(lang, full, data)); err != nil {
						t.Fatal(err)
					}
					html := out.String()
					if n := strings.Count(html, "<h1"); n != 1 {
						t.Errorf("%d h1 headings, want 1", n)
					}
					if want := fmt.Sprintf(`<html lang="%s" dir="%s">`, lang, views.Dir(lang)); !strings.Contains(html, want) {
						t.Errorf("the page does not start with %s", want)
					}
				})
			}
		}
	}
}

// page is the Page the handlers wrap a view in; a full one has every
// field of its own set too, the letter shown in another language than the
// interface's.
func page(lang string, full bool, data any) *views.Page {
	p := &views.Page{Lang: lang, Dir: views.Dir(lang), Title: "Title", Data: data}
	if !full {
		return p
	}
	p = filled(reflect.TypeOf(p)).(*views.Page)
	p.Lang, p.Dir, p.Data = lang, views.Dir(lang), data
	p.Version = "ar"
	if lang == "ar" {
		p.Version = "en"
	}
	return p
}

// filled returns a value of type typ with every field it can set set:
// text, a number above one, true, a date, lists and maps of one filled
// entry, a select's choices, pointers to filled values, and functions that
// return filled values (an iterator yields one).
func filled(typ reflect.Type) any { return fill(typ, 0, true).Interface() }

// empty returns the zero value of typ as a handler can give it: nothing
// set, no list, no letter, but for what a handler always sets: a select's
// choices (which may be empty), and the iterator of a streamed list (which
// may yield nothing).
func empty(typ reflect.Type) any {
	if typ.Kind() == reflect.Pointer { // a view the handler gives by its address
		p := reflect.New(typ.Elem())
		p.Elem().Set(fill(typ.Elem(), 0, false))
		return p.Interface()
	}
	return fill(typ, 0, false).Interface()
}

// fillDepth stops types that contain themselves.
const fillDepth = 8

var (
	timeType    = reflect.TypeFor[time.Time]()
	htmlType    = reflect.TypeFor[template.HTML]()
	optionsType = reflect.TypeFor[*views.Options]()
)

// fill makes a value of typ, full or empty (see filled and empty).
func fill(typ reflect.Type, depth int, full bool) reflect.Value {
	v := reflect.New(typ).Elem()
	switch {
	case depth > fillDepth:
	case typ == optionsType && full:
		v.Set(reflect.ValueOf(views.NewOptions([]views.Option{{Value: "Text", Label: "Label"}})))
	case typ == optionsType:
		v.Set(reflect.ValueOf(views.NewOptions(nil)))
	case typ.Kind() == reflect.Struct && typ != timeType:
		for i := range typ.NumField() {
			if f := v.Field(i); f.CanSet() {
				f.Set(fill(typ.Field(i).Type, depth+1, full))
			}
		}
	case typ.Kind() == reflect.Func:
		v.Set(reflect.MakeFunc(typ, func(args []reflect.Value) []reflect.Value {
			if full && len(args) == 1 && args[0].Kind() == reflect.Func { // an iterator: yield one
				yield := args[0].Type()
				in := make([]reflect.Value, yield.NumIn())
				for i := range in {
					in[i] = fill(yield.In(i), depth+1, full)
				}
				args[0].Call(in)
			}
			out := make([]reflect.Value, typ.NumOut())
			for i := range out {
				out[i] = fill(typ.Out(i), depth+1, full)
			}
			return out
		}))
	case full:
		fillValue(v, depth)
	}
	return v
}

// fillValue sets v, of any kind but a struct or a function, full.
func fillValue(v reflect.Value, depth int) {
	typ := v.Type()
	switch {
	case typ == timeType:
		v.Set(reflect.ValueOf(time.Date(2024, 11, 11, 9, 30, 0, 0, time.UTC)))
	case typ == htmlType:
		v.SetString("<em>Markup</em>")
	case typ.Kind() == reflect.String:
		v.SetString("Text")
	case typ.Kind() == reflect.Bool:
		v.SetBool(true)
	case v.CanInt():
		v.SetInt(2)
	case v.CanUint():
		v.SetUint(2)
	case v.CanFloat():
		v.SetFloat(2.5)
	case typ.Kind() == reflect.Pointer:
		p := reflect.New(typ.Elem())
		p.Elem().Set(fill(typ.Elem(), depth+1, true))
		v.Set(p)
	case typ.Kind() == reflect.Slice:
		v.Set(reflect.Append(v, fill(typ.Elem(), depth+1, true)))
	case typ.Kind() == reflect.Map:
		v.Set(reflect.MakeMap(typ))
		v.SetMapIndex(fill(typ.Key(), depth+1, true), fill(typ.Elem(), depth+1, true))
	}
}
