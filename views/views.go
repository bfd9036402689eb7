// Package views holds Undersigned's HTML templates, the rendering of the
// Markdown letters are stored in (markdown.go), and the message catalogue
// every user-facing string comes from. Templates are embedded, parsed once at
// start, and fail the start if they do not parse.
package views

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"path"
	"strings"
	"time"

	"golang.org/x/text/language"

	"undersigned/public"
)

//go:embed layouts/*.html partials/*.html pages/*.html
var files embed.FS

// Templates are the parsed pages, each combined with the layout and partials.
type Templates struct {
	pages map[string]*template.Template
}

var funcs = template.FuncMap{
	"add":    func(a, b int) int { return a + b },
	"static": public.URL, // a static file's address, which changes with its content
	"dir":    Dir,
	"entry":  Entry,
	"link":   link,
	"bdi":    bdi,
	"strong": strong,
	// markdown renders a stored text on read (see RenderMarkdown).
	"markdown": RenderMarkdown,
}

// rtlScripts are the scripts written right to left that a letter may be in.
var rtlScripts = map[string]bool{"Arab": true, "Hebr": true, "Syrc": true, "Thaa": true, "Nkoo": true, "Adlm": true, "Rohg": true}

// Dir is the direction text in the language lang (a BCP 47 tag) is written
// in: "rtl" for Arabic, Persian, Urdu, Hebrew and the like, otherwise "ltr".
func Dir(lang string) string {
	tag, err := language.Parse(lang)
	if err != nil {
		return "ltr"
	}
	if script, _ := tag.Script(); rtlScripts[script.String()] {
		return "rtl"
	}
	return "ltr"
}

// Parse parses every page in pages/ with the layout and partials.
func Parse() (*Templates, error) {
	base, err := template.New("base").Funcs(funcs).ParseFS(files, "layouts/*.html", "partials/*.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	names, err := fs.Glob(files, "pages/*.html")
	if err != nil {
		return nil, err
	}
	t := &Templates{pages: map[string]*template.Template{}}
	for _, name := range names {
		clone, err := base.Clone()
		if err != nil {
			return nil, err
		}
		page, err := clone.ParseFS(files, name)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", name, err)
		}
		t.pages[strings.TrimSuffix(path.Base(name), ".html")] = page
	}
	return t, nil
}

// Render writes a page. It renders to a buffer first, so that a template
// error never leaves half a page behind.
func (t *Templates) Render(w io.Writer, page string, p *Page) error {
	var buf bytes.Buffer
	if err := t.Stream(&buf, page, p); err != nil {
		return err
	}
	_, err := buf.WriteTo(w)
	return err
}

// Stream writes a page straight to w as it renders, for a page too long to
// hold in memory, such as the full list of a large letter: its Data yields
// the list while the page is written. An error leaves the page cut short.
func (t *Templates) Stream(w io.Writer, page string, p *Page) error {
	return t.Partial(w, page, "layout", p)
}

// Partial renders one named template of a page's set, such as a form
// that goes into a page rendered before.
func (t *Templates) Partial(w io.Writer, page, name string, p *Page) error {
	tmpl, ok := t.pages[page]
	if !ok {
		return fmt.Errorf("no page template %q", page)
	}
	if err := tmpl.ExecuteTemplate(w, name, p); err != nil {
		return fmt.Errorf("render %s of %s: %w", name, page, err)
	}
	return nil
}

// Page is what every template receives: the layout's needs and the page's own Data.
type Page struct {
	Lang        string         // language of the page
	Dir         string         // its direction, "ltr" or "rtl"
	Languages   []LanguageLink // the same page in each language of the interface
	Title       string         // the <title>, before the site's name
	CSRFToken   func() string  // makes the token for the page's forms, on first use
	Coordinator string         // name of the logged-in coordinator, if any
	Path        string         // path of the page, to mark the current navigation item
	Robots      string         // content of a robots meta tag, if any
	Canonical   string         // absolute URL of the page, if it has one
	Summary     string         // what the page is about, for link previews (og:description)
	Article     bool           // the page is a letter's: og:type article rather than website
	Stylesheet  string         // a page's own print stylesheet, after the site's
	Errors      FormErrors     // the fields of the page's form that were refused
	Problem     string         // what was refused of the form as a whole, such as a limit reached
	// Refused marks a page that answers a refused form whose errors are
	// rendered apart and spliced in, as a signing form is into the page
	// cache's letter (see handlers' renderLetter).
	Refused bool
	// Alternates are the page's versions in other languages, for
	// <link rel="alternate" hreflang>.
	Alternates []Alternate
	// Version is, on a page about a letter, the language of the version
	// shown: its main part, the letter and everything around it, is in
	// that language whatever the interface's (see Main).
	Version string
	Data    any
}

// Alternate is a version of a page in one language: hreflang's value (a
// language, or x-default) and the absolute URL.
type Alternate struct {
	Lang, URL string
}

// LanguageLink is one entry of the header's language switcher.
type LanguageLink struct {
	Code, Name, URL string
	Current         bool
}

// Main is the page as its main part is rendered: in the language of the
// letter's version it shows, if it shows one, else the page itself.
func (p *Page) Main() *Page {
	if p.Version == "" || p.Version == p.Lang {
		return p
	}
	main := *p
	main.Lang, main.Dir = p.Version, Dir(p.Version)
	return &main
}

// HasErrors reports whether the page answers a form it refused: its title
// then starts with "Error:", and its error summary takes the focus.
func (p *Page) HasErrors() bool { return p.Refused || len(p.Errors) > 0 || p.Problem != "" }

// CSRF returns the token the page's forms carry. Pages without forms never
// ask for one, so visitors who only read get no cookie.
func (p *Page) CSRF() string {
	if p.CSRFToken == nil {
		return ""
	}
	return p.CSRFToken()
}

// T returns the catalogue's message for key in the page's language, its
// parameters filled from args: name, value, name, value…
func (p *Page) T(key string, args ...any) string { return Message(p.Lang, key, args...) }

// TH is T for a message with markup among its parameters, such as
// {{.TH "list.as_of" "date" (.Time $l.AsOf)}}: a parameter of type
// template.HTML goes in as it is, everything else, and the message's own
// text, is escaped (see MessageHTML).
func (p *Page) TH(key string, args ...any) template.HTML { return MessageHTML(p.Lang, key, args...) }

// Time is a date in long form in the page's language, marked up for
// machines: <time datetime="2026-12-04">4 décembre 2026</time>.
func (p *Page) Time(t time.Time) template.HTML {
	return template.HTML(`<time datetime="` + t.UTC().Format("2006-01-02") + `">` + template.HTMLEscapeString(p.Date(t)) + `</time>`)
}

// link is a link for a message's parameter: <a href="/letters/x">text</a>,
// its text escaped unless it is markup already, and isolated (dir="auto")
// since it is often a title in a language other than the sentence's; attrs
// are more attribute names and values, such as "lang" "ar". The address
// must be one of the site's own: anything else becomes "#", as no link in
// a message leads off the site.
func link(href string, text any, attrs ...string) template.HTML {
	if !strings.HasPrefix(href, "/") || strings.HasPrefix(href, "//") {
		href = "#"
	}
	var b strings.Builder
	b.WriteString(`<a href="` + template.HTMLEscapeString(href) + `" dir="auto"`)
	for i := 0; i+1 < len(attrs); i += 2 {
		b.WriteString(" " + template.HTMLEscapeString(attrs[i]) + `="` + template.HTMLEscapeString(attrs[i+1]) + `"`)
	}
	b.WriteString(">")
	if html, ok := text.(template.HTML); ok {
		b.WriteString(string(html))
	} else {
		b.WriteString(template.HTMLEscapeString(fmt.Sprint(text)))
	}
	b.WriteString("</a>")
	return template.HTML(b.String())
}

// bdi isolates a string a user typed for a message's parameter, so that
// it reads in its own direction inside a sentence of another one; lang,
// if given, is the language it is in.
func bdi(s string, lang ...string) template.HTML {
	if len(lang) > 0 && lang[0] != "" {
		return template.HTML(`<bdi lang="` + template.HTMLEscapeString(lang[0]) + `">` + template.HTMLEscapeString(s) + "</bdi>")
	}
	return template.HTML("<bdi>" + template.HTMLEscapeString(s) + "</bdi>")
}

// strong is a signer's entry as the list shows it, stressed in a sentence:
// each of its parts isolated (see WriteEntry), so that a mixed entry reads
// in the order signed rather than in the direction of its first letter.
func strong(entry string) template.HTML {
	var b strings.Builder
	b.WriteString("<strong>")
	WriteEntry(&b, entry)
	b.WriteString("</strong>")
	return template.HTML(b.String()) // escaped by WriteEntry
}

// List joins items as a sentence in a language does: "A", "A and B",
// "A, B and C"; "أ، ب وج" in Arabic. The patterns are CLDR's list
// patterns, kept in the catalogue: "list.middle" joins all but the last
// two, "list.end" the last two.
func List(lang string, items []string) string {
	return joinList(items, func(key string, a, b string) string { return Message(lang, key, "a", a, "b", b) })
}

// ListBdi is List as HTML, each item isolated in <bdi>: "An initiative of"
// two organisations, one named in Arabic and one in English, then reads in
// logical order in either language.
func (p *Page) ListBdi(items []string) template.HTML {
	isolated := make([]template.HTML, len(items))
	for i, item := range items {
		isolated[i] = bdi(item)
	}
	return joinList(isolated, func(key string, a, b template.HTML) template.HTML { return p.TH(key, "a", a, "b", b) })
}

// joinList joins items by a language's list patterns, join filling the
// pattern key with two of them.
func joinList[T ~string](items []T, join func(key string, a, b T) T) T {
	if len(items) == 0 {
		return ""
	}
	out := items[len(items)-1]
	if len(items) > 1 {
		out = join("list.end", items[len(items)-2], out)
	}
	for i := len(items) - 3; i >= 0; i-- {
		out = join("list.middle", items[i], out)
	}
	return out
}

// entrySeparators join the parts of a list entry, "Name, Role, Affiliation,
// Country": the Latin comma, or the Arabic one in a list in Arabic script,
// as models.EntrySeparator writes them.
var entrySeparators = []string{", ", "، "}

// entryEscaper escapes text as template.HTMLEscape does, straight into a
// builder: a long list's entries cost no copy each.
var entryEscaper = strings.NewReplacer("&", "&amp;", "'", "&#39;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "\x00", "\uFFFD")

// WriteEntry writes a list entry as HTML, each of its parts escaped and
// isolated in its own <bdi>. The element around it keeps the page's
// direction, so that every entry of a list aligns with the page, while
// each part reads in its own direction and the parts follow in the list's
// order: "سلمى إبراهيم, Cairo Institute, Jordan" in an English list starts
// at the left with the Arabic name. A part that itself holds a separator
// (the stored entries of dated lists keep no other mark of their parts) is
// isolated as two pieces, each in its own direction, in the list's order.
func WriteEntry(b *strings.Builder, entry string) {
	entry, label, verified := strings.Cut(entry, verifiedMark)
	writeParts(b, entry)
	if verified {
		// The tick for the eye, its label for screen readers and as a tooltip.
		b.WriteString(` <span class="verified" title="`)
		entryEscaper.WriteString(b, label)
		b.WriteString(`"><span aria-hidden="true">✓</span><span class="visually-hidden">`)
		entryEscaper.WriteString(b, label)
		b.WriteString(`</span></span>`)
	}
}

// verifiedMark ends the entry of a verified organisation on a public list,
// before the mark's label (see VerifiedEntry): a control character, which
// no name holds (models.ValidPlainText refuses them).
const verifiedMark = "\x1e"

// VerifiedEntry marks a list's entry as a verified organisation's, which
// WriteEntry writes as a tick labelled for screen readers with label
// ("verified", in the list's language).
func VerifiedEntry(entry, label string) string { return entry + verifiedMark + label }

// writeParts writes WriteEntry's entry, part by part.
func writeParts(b *strings.Builder, entry string) {
	for {
		part, sep, rest := cutEntry(entry)
		b.WriteString("<bdi>")
		entryEscaper.WriteString(b, part)
		b.WriteString("</bdi>")
		if sep == "" {
			return
		}
		b.WriteString(sep)
		entry = rest
	}
}

// cutEntry cuts an entry at its first separator: the part before, the
// separator ("" when there is none) and the rest.
func cutEntry(entry string) (part, sep, rest string) {
	at := len(entry)
	for _, s := range entrySeparators {
		if i := strings.Index(entry[:at], s); i >= 0 {
			at, sep = i, s
		}
	}
	return entry[:at], sep, entry[at+len(sep):]
}

// Entry is WriteEntry for a template: an entry shown in a sentence, a
// table's cell or a list of changes.
func Entry(entry string) template.HTML {
	var b strings.Builder
	WriteEntry(&b, entry)
	return template.HTML(b.String()) // escaped by WriteEntry
}

// Date formats t in long form in the page's language: "November 11, 2024".
func (p *Page) Date(t time.Time) string { return FormatDate(p.Lang, t) }

// DateTime formats t with its time of day in UTC: "November 11, 2024, 14:05 UTC".
func (p *Page) DateTime(t time.Time) string { return FormatDateTime(p.Lang, t) }

// FormatDateTime is Page.DateTime in the language code.
func FormatDateTime(code string, t time.Time) string {
	return Message(code, "format.datetime", "date", FormatDate(code, t), "time", t.UTC().Format("15:04"))
}

// FieldError is one invalid form field: its name (the control's id), its
// label and what is wrong with it.
type FieldError struct {
	Field   string
	Label   string
	Message string
}

// FormErrors are a form's invalid fields in the order of the form.
type FormErrors []FieldError

// For returns the message for a field, or "".
func (e FormErrors) For(field string) string {
	for _, fe := range e {
		if fe.Field == field {
			return fe.Message
		}
	}
	return ""
}

// Option is one choice of a select or radio group.
type Option struct {
	Value string
	Label string
}

// Options is a select's choices, escaped and joined once when built: a long
// list such as the countries costs two string copies per page instead of
// 249 escapes.
type Options struct {
	plain    string         // every <option>, none selected, each on its line
	at       map[string]int // where each value's option starts in plain
	selected map[string]string
}

// NewOptions builds a select's choices; the first is always an empty "—".
func NewOptions(opts []Option) *Options {
	o := &Options{at: map[string]int{}, selected: map[string]string{}}
	var b strings.Builder
	for _, opt := range append([]Option{{Value: "", Label: "—"}}, opts...) {
		v, l := template.HTMLEscapeString(opt.Value), template.HTMLEscapeString(opt.Label)
		o.at[opt.Value] = b.Len()
		o.selected[opt.Value] = `<option value="` + v + `" selected>` + l + "</option>\n"
		b.WriteString(`<option value="` + v + `">` + l + "</option>\n")
	}
	o.plain = b.String()
	return o
}

// HTML renders the options with value selected.
func (o *Options) HTML(value string) template.HTML {
	at, ok := o.at[value]
	if !ok {
		return template.HTML(o.plain) // built from escaped parts above
	}
	end := at + strings.IndexByte(o.plain[at:], '\n') + 1
	return template.HTML(o.plain[:at] + o.selected[value] + o.plain[end:])
}

// Field describes one labelled form control for the "field" partial.
type Field struct {
	Name         string
	ID           string // the control's id is "f-" and it: Name, unless two forms of a page share the name
	Accept       string // a file input's types, such as "application/pdf"
	Label        string
	Hint         string
	Type         string // text, email, password, date, textarea, select
	Value        string
	Error        string
	Autocomplete string
	Required     bool
	Rows         int
	Options      template.HTML // a select's rendered options
	Dir          string        // "auto" for fields that take text in any script
	Lang         string        // the language of the text it takes, when not the page's
	Optional     string        // the "(optional)" mark of a field that is not required
	ErrorPrefix  string        // read out before the error message
	Original     *Original     // what the original says, beside a translation's field
}

// Field builds a control for the "field" partial: its label and hint come
// from the catalogue ("label.NAME", "hint.NAME"), its error from the page.
// Flags: "required", "rows=N", "autocomplete=X", "dir=auto", "lang=X"; "hint=KEY" for
// the hint "hint.KEY" instead ("hint=" for none), where one field name serves
// two kinds of user; "optional=" for no "(optional)" mark on a field whose
// hint says when it is needed; "keys=PREFIX" for the label and hint under
// PREFIX ("PREFIX.label.NAME"), for a page whose fields' names other forms
// use in another sense; "id=X" for the id "f-X", its error the page's for
// X, where another form of the page has a field of the same name;
// "accept=TYPE" for a file input.
func (p *Page) Field(name, typ, value string, flags ...string) Field {
	f := Field{
		Name: name, ID: name, Type: typ, Value: value, Label: p.T("label." + name),
		Optional: p.T("form.optional"), ErrorPrefix: p.T("form.error_prefix"),
	}
	if Has("hint." + name) {
		f.Hint = p.T("hint." + name)
	}
	for _, flag := range flags {
		k, v, _ := strings.Cut(flag, "=")
		switch k {
		case "required":
			f.Required = true
		case "rows":
			fmt.Sscan(v, &f.Rows)
		case "autocomplete":
			f.Autocomplete = v
		case "dir":
			f.Dir = v
		case "lang":
			f.Lang = v
		case "hint":
			f.Hint = ""
			if v != "" {
				f.Hint = p.T("hint." + v)
			}
		case "optional":
			f.Optional = v
		case "keys":
			f.Label, f.Hint = p.T(v+"label."+name), ""
			if Has(v + "hint." + name) {
				f.Hint = p.T(v + "hint." + name)
			}
		case "id":
			f.ID = v
		case "accept":
			f.Accept = v
		}
	}
	f.Error = p.Errors.For(f.ID)
	return f
}

// Original is what a letter's original says in one field, shown under the
// label of the field that translates it, as its hint is.
type Original struct {
	Label, Lang, Text string
}

// Translating is f with what the original says in it, if anything.
func (p *Page) Translating(f Field, o *Original) Field {
	f.Original = o
	return f
}

// Labelled is f with the label label, for a field whose label is not
// "label.NAME", such as a filter's.
func (p *Page) Labelled(label string, f Field) Field {
	f.Label = label
	return f
}

// Select is Field for a select control with options.
func (p *Page) Select(name, value string, options *Options, flags ...string) Field {
	f := p.Field(name, "select", value, flags...)
	f.Options = options.HTML(value)
	return f
}
