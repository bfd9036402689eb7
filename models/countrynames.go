package models

import (
	"slices"
	"sync"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// countryNamesRead are the names, by language, that CLDR gives in a form a
// signatory list should not print: an old name (Swaziland, Macedonia), a
// diplomatic circumlocution (Palestinian Territories, Hong Kong SAR
// China), a dash of disambiguation (Congo - Kinshasa) or an abbreviation
// (Russian "о-ва"). English has its own curated list, countries.
var countryNamesRead = map[string]map[string]string{
	"fr": {
		"BQ": "Bonaire, Saint-Eustache et Saba", "CD": "République démocratique du Congo", "CG": "République du Congo",
		"HK": "Hong Kong", "MK": "Macédoine du Nord", "MM": "Myanmar", "MO": "Macao", "PS": "Palestine", "SZ": "Eswatini",
	},
	"es": {
		"BQ": "Bonaire, San Eustaquio y Saba", "HK": "Hong Kong", "MK": "Macedonia del Norte", "MM": "Myanmar",
		"MO": "Macao", "PS": "Palestina", "SZ": "Esuatini", "UM": "Islas Ultramarinas Menores de los Estados Unidos",
		"VI": "Islas Vírgenes de los Estados Unidos",
	},
	"ru": {
		"CD": "Демократическая Республика Конго", "CG": "Республика Конго", "GS": "Южная Георгия и Южные Сандвичевы острова",
		"HK": "Гонконг", "HM": "Острова Херд и Макдональд", "MK": "Северная Македония", "MM": "Мьянма", "MO": "Макао",
		"PS": "Палестина", "SH": "Остров Святой Елены", "SZ": "Эсватини", "TC": "Острова Тёркс и Кайкос",
		"UM": "Внешние малые острова США", "VI": "Виргинские острова США",
	},
	"ar": {
		"CD": "جمهورية الكونغو الديمقراطية", "CG": "جمهورية الكونغو", "HK": "هونغ كونغ", "MK": "مقدونيا الشمالية",
		"MM": "ميانمار", "MO": "ماكاو", "PS": "فلسطين", "SZ": "إسواتيني",
	},
}

// CountryNameIn returns a country's name in a language (a BCP 47 tag), as
// a signatory list in that language writes it: the curated English name in
// English (en-GB too) and in a language CLDR lacks, else the curated name
// of the language ("fr" for "fr-CA") where CLDR reads wrong, else CLDR's,
// else "" for an unknown code.
func CountryNameIn(lang, code string) string {
	english := countryByCode[code]
	tag, err := language.Parse(lang)
	if english == "" || err != nil {
		return english
	}
	base, _ := tag.Base()
	if base.String() == "en" {
		return english
	}
	if name := countryNamesRead[base.String()][code]; name != "" {
		return name
	}
	region, err := language.ParseRegion(code)
	if err != nil {
		return english
	}
	names := display.Regions(tag)
	if names == nil {
		return english
	}
	if name := names.Name(region); name != "" {
		return name
	}
	return english
}

// countriesIn caches CountriesIn's lists: a language's sorted list is made
// once, and the languages are those of the interface and of letters.
var countriesIn sync.Map // language → []Country

// CountriesIn returns every country with its name in a language, sorted as
// that language sorts. The slice is shared: do not modify it.
func CountriesIn(lang string) []Country {
	if base, _ := language.Make(lang).Base(); base.String() == "en" {
		return countries // curated, and sorted as English sorts
	}
	if list, ok := countriesIn.Load(lang); ok {
		return list.([]Country)
	}
	list := make([]Country, len(countries))
	for i, c := range countries {
		list[i] = Country{Code: c.Code, Name: CountryNameIn(lang, c.Code)}
	}
	col := collate.New(language.Make(lang), collate.Loose)
	slices.SortFunc(list, func(a, b Country) int { return col.CompareString(a.Name, b.Name) })
	list = slices.Clip(list)
	countriesIn.Store(lang, list)
	return list
}
