package views

import (
	"slices"

	"golang.org/x/text/cases"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// Languages are the languages the interface is written in: a letter's
// translation is into one of them, since the page around it (the form,
// the list's headings, the dates) is in the version's language.
var Languages = []string{"en", "fr", "es", "ru", "ar"}

// Supported reports whether lang is one of Languages.
func Supported(lang string) bool { return slices.Contains(Languages, lang) }

// Autonym is a language's name in that language, as a language switcher
// shows it: "Français", "العربية".
func Autonym(lang string) string {
	tag, err := language.Parse(lang)
	if err != nil {
		return lang
	}
	name := display.Self.Name(tag)
	if name == "" {
		return lang
	}
	return cases.Title(tag, cases.NoLower).String(name)
}

// LanguageName is the name of the language lang in the language in:
// "French" in English, "français" in French.
func LanguageName(in, lang string) string {
	tag, err := language.Parse(lang)
	if err != nil {
		return lang
	}
	namer := display.Tags(language.Make(in))
	if namer == nil {
		namer = display.Tags(language.English)
	}
	if name := namer.Name(tag); name != "" {
		return name
	}
	return lang
}

// LanguageName is views.LanguageName in the page's language.
func (p *Page) LanguageName(lang string) string { return LanguageName(p.Lang, lang) }
