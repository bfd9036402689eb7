package views

import (
	"slices"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// LetterLanguage reports whether a letter may be translated into lang: a
// language of the interface, since a translation's page around the letter
// (the form, the list's headings, the dates) is in its language.
func LetterLanguage(lang string) bool { return slices.Contains(Languages, lang) }

// LanguageNameIn is the name of the language code in the language in:
// "French" in English, "français" in French.
func LanguageNameIn(in, code string) string {
	tag, err := language.Parse(code)
	if err != nil {
		return code
	}
	namer := display.Tags(language.Make(in))
	if namer == nil {
		namer = display.Tags(language.English)
	}
	if name := namer.Name(tag); name != "" {
		return name
	}
	return code
}

// LanguageName is a language's name in itself: "français", "العربية".
func LanguageName(code string) string { return LanguageNameIn(code, code) }

// LanguageNameIn is views.LanguageNameIn in the page's language.
func (p *Page) LanguageNameIn(code string) string { return LanguageNameIn(p.Lang, code) }
