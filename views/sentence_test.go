package views

import (
	"html/template"
	"testing"
	"time"

	"golang.org/x/text/language"
)

// A message with markup among its parameters escapes what a translator or
// a user wrote, and only that: a translation cannot add a tag, a title
// cannot run a script, and the <time> or the link the code built stays one.
func TestTHEscapesAllButTheCodesMarkup(t *testing.T) {
	langs["x-test"] = &lang{tag: language.Make("en"), messages: map[string]message{
		"k": {text: `<b>Tom & "Jerry"</b> read {title} as of {date}`},
	}}
	t.Cleanup(func() { delete(langs, "x-test") })
	p := &Page{Lang: "x-test"}
	got := p.TH("k", "title", "<script>alert(1)</script>", "date", template.HTML(`<time datetime="2026-12-04">4 December</time>`))
	want := template.HTML(`&lt;b&gt;Tom &amp; &#34;Jerry&#34;&lt;/b&gt; read &lt;script&gt;alert(1)&lt;/script&gt; as of <time datetime="2026-12-04">4 December</time>`)
	if got != want {
		t.Errorf("TH:\n got %s\nwant %s", got, want)
	}
	if got := link("/letters/x?a=1&b=2", "<script>", "lang", `ar" onclick="x`); got != `<a href="/letters/x?a=1&amp;b=2" dir="auto" lang="ar&#34; onclick=&#34;x">&lt;script&gt;</a>` {
		t.Errorf("link: %s", got)
	}
	for _, href := range []string{"javascript:alert(1)", "//evil.example/", "https://evil.example/"} {
		if got := link(href, "x"); got != `<a href="#" dir="auto">x</a>` {
			t.Errorf("link to %q: %s", href, got)
		}
	}
}

// Each language writes a sentence around a date or a count in its own
// order and grammar: the date inside its <time>, the count in the form
// its number takes.
func TestSentencesReadWholeInEachLanguage(t *testing.T) {
	day := time.Date(2026, 12, 4, 15, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		lang string
		got  template.HTML
		want template.HTML
	}{
		{"en", (&Page{Lang: "en"}).TH("list.as_of", "date", (&Page{Lang: "en"}).Time(day)), `Signatories as of <time datetime="2026-12-04">December 4, 2026</time>`},
		{"fr", (&Page{Lang: "fr"}).TH("list.as_of", "date", (&Page{Lang: "fr"}).Time(day)), `Signataires au <time datetime="2026-12-04">4 décembre 2026</time>`},
		{"ru", (&Page{Lang: "ru"}).TH("list.as_of", "date", (&Page{Lang: "ru"}).Time(day)), `Подписанты на <time datetime="2026-12-04">4 декабря 2026 г.</time>`},
		{"ar", (&Page{Lang: "ar"}).TH("list.as_of", "date", (&Page{Lang: "ar"}).Time(day)), `الموقّعون حتى <time datetime="2026-12-04">4 ديسمبر 2026</time>`},
	} {
		if c.got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.lang, c.got, c.want)
		}
	}
	for _, c := range []struct {
		lang, key string
		count     int
		want      string
	}{
		{"ru", "list.see_all", 21, "Весь список: 21 подписант"},
		{"ru", "list.see_all", 3, "Весь список: 3 подписанта"},
		{"ru", "list.see_all", 5, "Весь список: 5 подписантов"},
		{"en", "charts.time.desc_one_day", 1, "The only signature was made on {day}."},
		{"en", "charts.time.desc_one_day", 7, "All 7 signatures were made on {day}."},
		{"ar", "charts.time.desc_one_day", 2, "جُمع التوقيعان كلاهما في {day}."},
		{"ru", "charts.time.desc_one_day", 5, "Все 5 подписей поставлены {day}."},
		{"en", "list.unlisted_only", 3, "3 people signed without being named."},
		{"ar", "list.unlisted_only", 11, "وقّع 11 شخصًا دون ذكر أسمائهم."},
	} {
		if got := Message(c.lang, c.key, "count", c.count); got != c.want {
			t.Errorf("%s %s %d: %q, want %q", c.lang, c.key, c.count, got, c.want)
		}
	}
}
