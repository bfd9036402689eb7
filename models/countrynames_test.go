package models_test

import (
	"testing"

	"undersigned/models"
)

// TestCountryNamesOfARegionalLanguageAreItsBaseLanguages: a letter in
// British English or Canadian French lists countries by the names curated
// for English or French, not by CLDR's "Congo - Kinshasa".
func TestCountryNamesOfARegionalLanguageAreItsBaseLanguages(t *testing.T) {
	for _, c := range []struct{ lang, want string }{
		{"en", "Democratic Republic of the Congo"},
		{"en-GB", "Democratic Republic of the Congo"},
		{"fr", "République démocratique du Congo"},
		{"fr-CA", "République démocratique du Congo"},
		{"ar-EG", "جمهورية الكونغو الديمقراطية"},
	} {
		if got := models.CountryNameIn(c.lang, "CD"); got != c.want {
			t.Errorf("CD in %s: %q, want %q", c.lang, got, c.want)
		}
	}
	for _, country := range models.CountriesIn("en-GB") {
		if country.Code == "CD" && country.Name != "Democratic Republic of the Congo" {
			t.Errorf("the British English list of countries names CD %q", country.Name)
		}
	}
}
