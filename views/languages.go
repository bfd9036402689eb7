package views

import (
	"slices"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// LetterLanguages are the languages a letter may be translated into: those
// the interface is written in, or being written in. A translation's page
// around the letter is in its language as far as the catalogue has it.
var LetterLanguages = []string{"ar", "en", "es", "fr", "ru"}

// LetterLanguage reports whether a letter may be translated into lang.
func LetterLanguage(lang string) bool { return slices.Contains(LetterLanguages, lang) }

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

// LanguageNameIn is views.LanguageNameIn in the page's language.
func (p *Page) LanguageNameIn(code string) string { return LanguageNameIn(p.Lang, code) }
