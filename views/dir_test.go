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

// Text a user typed is escaped wherever it is isolated, and only it is
// isolated: the catalogue's words around it stay as they are.
func TestTypedTextIsEscapedAndIsolated(t *testing.T) {
	p := &Page{Lang: "en"}
	const hostile = `<b>"A&B"</b>`
	const escaped = `&lt;b&gt;&#34;A&amp;B&#34;&lt;/b&gt;`
	for _, c := range []struct{ got, want string }{
		{string(strong("سلمى إبراهيم, " + hostile)), "<strong><bdi>سلمى إبراهيم</bdi>, <bdi>" + escaped + "</bdi></strong>"},
		{string(p.ListBdi([]string{"مركز القاهرة"})), "<bdi>مركز القاهرة</bdi>"},
		{string(p.ListBdi([]string{"مركز القاهرة", hostile, "CIVICUS"})), "<bdi>مركز القاهرة</bdi>, <bdi>" + escaped + "</bdi> and <bdi>CIVICUS</bdi>"},
		{string(Entry("سلمى إبراهيم, " + hostile + ", Jordan")), "<bdi>سلمى إبراهيم</bdi>, <bdi>" + escaped + "</bdi>, <bdi>Jordan</bdi>"},
		{string(Entry("Counted, but not listed")), "<bdi>Counted</bdi>, <bdi>but not listed</bdi>"},
		{string(Entry("سلمى إبراهيم، Cairo Institute، الأردن")), "<bdi>سلمى إبراهيم</bdi>، <bdi>Cairo Institute</bdi>، <bdi>الأردن</bdi>"},
		{string(Entry("a\x00b")), "<bdi>a\uFFFDb</bdi>"},
	} {
		if c.got != c.want {
			t.Errorf("got  %s\nwant %s", c.got, c.want)
		}
	}
}
