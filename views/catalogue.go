package views

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"strings"
	"time"

	"github.com/go-playground/locales"
	"github.com/go-playground/locales/ar"
	"github.com/go-playground/locales/en"
	"github.com/go-playground/locales/es"
	"github.com/go-playground/locales/fr"
	"github.com/go-playground/locales/ru"
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	xmessage "golang.org/x/text/message"
)

// DefaultLang is the language a message falls back to when a language's
// file lacks it, and the interface's language when nothing else says.
const DefaultLang = "en"

// The catalogue: one JSON file per language in messages/, named by its
// BCP 47 tag. A file is a flat object of keys; a value is the text, or an
// object of CLDR plural categories ("zero", "one", "two", "few", "many",
// "other") for a text that counts. Parameters are named in braces:
// "{count} signatures". Adding a language is adding its file.
//
//go:embed messages/*.json
var messageFiles embed.FS

// message is one entry of a language's file.
type message struct {
	text  string                 // the text of a message that does not count
	forms map[plural.Form]string // the texts of one that does, by plural form
}

// lang is one language of the interface, its messages and its formats.
type lang struct {
	tag      language.Tag
	messages map[string]message
	numbers  *xmessage.Printer
	dates    locales.Translator
}

// dateFormats are the long date forms from CLDR, by language. A language
// without one writes its dates as English does.
var dateFormats = map[string]locales.Translator{
	"ar": ar.New(), "en": en.New(), "es": es.New(), "fr": fr.New(), "ru": ru.New(),
}

// pluralForms names the categories of a language file's counting messages.
var pluralForms = map[string]plural.Form{
	"zero": plural.Zero, "one": plural.One, "two": plural.Two,
	"few": plural.Few, "many": plural.Many, "other": plural.Other,
}

var langs, Languages = mustLoadCatalogue()

// Pseudo is a pseudo-language made from the default one, for translators
// and tests: each message reads "⟦Ŝîĝñ ţĥîš⟧", so that a page in it shows
// at once every text that does not come from the catalogue (?lang=en-XA).
// It is not offered in the switcher nor chosen from a browser's languages.
const Pseudo = "en-XA"

func init() {
	base := langs[DefaultLang]
	l := &lang{tag: language.Make(Pseudo), messages: make(map[string]message, len(base.messages)), numbers: base.numbers, dates: base.dates}
	for key, m := range base.messages {
		p := message{text: pseudo(m.text)}
		if m.forms != nil {
			p.forms = map[plural.Form]string{}
			for form, text := range m.forms {
				p.forms[form] = pseudo(text)
			}
		}
		l.messages[key] = p
	}
	langs[Pseudo] = l
}

// pseudoLetters accent what can be accented, so that the text stays
// readable and every letter of it is seen to come from the catalogue.
var pseudoLetters = strings.NewReplacer(
	"a", "á", "c", "ç", "e", "é", "g", "ĝ", "h", "ĥ", "i", "î", "n", "ñ", "o", "ö", "s", "š", "t", "ţ", "u", "ü", "y", "ý",
	"A", "Å", "C", "Ç", "E", "É", "I", "Î", "N", "Ñ", "O", "Ö", "S", "Š", "U", "Ü",
)

// pseudo is a message of the pseudo-language: its parameters kept, its
// text accented and bracketed.
func pseudo(text string) string {
	if text == "" {
		return ""
	}
	var b strings.Builder
	b.WriteString("⟦")
	for {
		open := strings.IndexByte(text, '{')
		end := strings.IndexByte(text[max(open, 0):], '}')
		if open < 0 || end < 0 {
			break
		}
		b.WriteString(pseudoLetters.Replace(text[:open]))
		b.WriteString(text[open : open+end+1])
		text = text[open+end+1:]
	}
	b.WriteString(pseudoLetters.Replace(text))
	b.WriteString("⟧")
	return b.String()
}

// mustLoadCatalogue reads every language's file. The files are part of the
// binary, so a broken one stops the start (and every test) at once.
func mustLoadCatalogue() (map[string]*lang, []string) {
	names, err := fs.Glob(messageFiles, "messages/*.json")
	if err != nil {
		panic(err)
	}
	out := map[string]*lang{}
	var tags []string
	for _, name := range names {
		code := strings.TrimSuffix(path.Base(name), ".json")
		l, err := loadLang(code, name)
		if err != nil {
			panic(fmt.Sprintf("message catalogue %s: %v", name, err))
		}
		out[code] = l
		tags = append(tags, code)
	}
	if out[DefaultLang] == nil {
		panic("message catalogue: no " + DefaultLang + ".json")
	}
	return out, tags
}

func loadLang(code, name string) (*lang, error) {
	tag, err := language.Parse(code)
	if err != nil {
		return nil, err
	}
	data, err := messageFiles.ReadFile(name)
	if err != nil {
		return nil, err
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, err
	}
	l := &lang{tag: tag, messages: make(map[string]message, len(raw)), dates: dateFormats[code]}
	if l.dates == nil {
		l.dates = dateFormats[DefaultLang]
	}
	// Digits stay Latin in every language, as the dates from CLDR write
	// them, so that a count and a date on one line agree.
	l.numbers = xmessage.NewPrinter(language.Make(code + "-u-nu-latn"))
	for key, value := range raw {
		m, err := parseMessage(value)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		l.messages[key] = m
	}
	return l, nil
}

func parseMessage(value json.RawMessage) (message, error) {
	if bytes.HasPrefix(bytes.TrimSpace(value), []byte(`"`)) {
		var text string
		err := json.Unmarshal(value, &text)
		return message{text: text}, err
	}
	var forms map[string]string
	if err := json.Unmarshal(value, &forms); err != nil {
		return message{}, err
	}
	m := message{forms: map[plural.Form]string{}}
	for name, text := range forms {
		form, ok := pluralForms[name]
		if !ok {
			return message{}, fmt.Errorf("%q is no plural category", name)
		}
		m.forms[form] = text
	}
	if _, ok := m.forms[plural.Other]; !ok {
		return message{}, fmt.Errorf("no \"other\" form")
	}
	return m, nil
}

// Has reports whether the catalogue has a message key: the default
// language has every key, and the others fall back to it.
func Has(key string) bool {
	_, ok := langs[DefaultLang].messages[key]
	return ok
}

// Supported reports whether the interface has the language code.
func Supported(code string) bool { return langs[code] != nil }

// find returns the language code names, or the default one.
func find(code string) *lang {
	if l := langs[code]; l != nil {
		return l
	}
	return langs[DefaultLang]
}

// supportedTags are the interface's languages, the default first: the
// matcher falls back to the first.
var supportedTags = func() []language.Tag {
	tags := []language.Tag{language.Make(DefaultLang)}
	for _, code := range Languages {
		if code != DefaultLang {
			tags = append(tags, langs[code].tag)
		}
	}
	return tags
}()

// matcher picks the interface's language from an Accept-Language header.
var matcher = language.NewMatcher(supportedTags)

// Negotiate returns the supported language that an Accept-Language header
// prefers, or fallback when it names none of them.
func Negotiate(acceptLanguage, fallback string) string {
	if acceptLanguage == "" {
		return fallback
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return fallback
	}
	_, i, conf := matcher.Match(tags...)
	if conf == language.No {
		return fallback
	}
	base, _ := supportedTags[i].Base()
	return base.String()
}

// Message returns the catalogue's message for key in the language code
// (falling back to the default language), its parameters filled from
// args: name, value, name, value… A parameter named "count" picks the
// plural form. A missing key shows itself, so that it is seen.
func Message(code, key string, args ...any) string {
	l := find(code)
	text := l.text(key, args)
	if len(args) == 0 {
		return text
	}
	return l.fill(text, args, func(s string) string { return s })
}

// MessageHTML is Message as HTML: the message's own text is escaped, and
// so is each parameter but those of type template.HTML (a <time>, a link
// built by the code), which go in as they are. A translator's text can
// thus place markup but never make it.
func MessageHTML(code, key string, args ...any) template.HTML {
	l := find(code)
	return template.HTML(l.fill(l.text(key, args), args, template.HTMLEscapeString))
}

// text is the message for key in the form the "count" among args asks
// for, from the default language if l lacks it (its form then picked by
// the default language's rules, which its forms follow), or the key itself.
func (l *lang) text(key string, args []any) string {
	m, ok := l.messages[key]
	if !ok {
		l = langs[DefaultLang]
		if m, ok = l.messages[key]; !ok {
			return key
		}
	}
	if m.forms == nil {
		return m.text
	}
	if text := m.forms[l.pluralForm(args)]; text != "" {
		return text
	}
	return m.forms[plural.Other]
}

// pluralForm is the form the "count" parameter among args asks for.
func (l *lang) pluralForm(args []any) plural.Form {
	for i := 0; i+1 < len(args); i += 2 {
		if args[i] == "count" {
			var n int
			switch v := args[i+1].(type) {
			case int:
				n = v
			case int64:
				n = int(v)
			default:
				return plural.Other
			}
			return plural.Cardinal.MatchPlural(l.tag, max(n, -n), 0, 0, 0, 0)
		}
	}
	return plural.Other
}

// fill replaces each {name} in text by its value among args; a number is
// written as the language writes numbers ("10 000" in French). The text
// and the values go through escape, but for a value that is template.HTML.
func (l *lang) fill(text string, args []any, escape func(string) string) string {
	var b strings.Builder
	for {
		open := strings.IndexByte(text, '{')
		if open < 0 {
			break
		}
		end := strings.IndexByte(text[open:], '}')
		if end < 0 {
			break
		}
		b.WriteString(escape(text[:open]))
		name := text[open+1 : open+end]
		value, ok := lookup(args, name)
		switch html, isHTML := value.(template.HTML); {
		case isHTML:
			b.WriteString(string(html))
		case ok:
			b.WriteString(escape(l.format(value)))
		default:
			b.WriteString(escape(text[open : open+end+1]))
		}
		text = text[open+end+1:]
	}
	b.WriteString(escape(text))
	return b.String()
}

func lookup(args []any, name string) (any, bool) {
	for i := 0; i+1 < len(args); i += 2 {
		if args[i] == name {
			return args[i+1], true
		}
	}
	return nil, false
}

func (l *lang) format(value any) string {
	switch v := value.(type) {
	case string:
		return v
	case int, int64:
		return l.numbers.Sprint(v)
	default:
		return fmt.Sprint(v)
	}
}

// FormatDate formats a date in long form in a language, from CLDR:
// "December 4, 2026", "4 décembre 2026", "4 декабря 2026 г.".
func FormatDate(code string, t time.Time) string {
	return find(code).dates.FmtDateLong(t.UTC())
}

// FormatNumber writes a whole number as the language does: "10,000",
// "10 000".
func FormatNumber(code string, n int) string { return find(code).numbers.Sprint(n) }
