package views

import "testing"

// A letter in a language written right to left reads right to left, by its
// tag's script, whether or not the tag names the script.
func TestDir(t *testing.T) {
	for lang, want := range map[string]string{
		"ar": "rtl", "ar-EG": "rtl", "fa": "rtl", "ur": "rtl", "he": "rtl", "yi": "rtl", "ckb": "rtl", "dv": "rtl", "az-Arab": "rtl",
		"en": "ltr", "ru": "ltr", "az": "ltr", "zh-Hant": "ltr", "": "ltr", "not a tag": "ltr",
	} {
		if got := Dir(lang); got != want {
			t.Errorf("Dir(%q) = %q, want %q", lang, got, want)
		}
	}
}
