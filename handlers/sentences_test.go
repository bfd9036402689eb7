package handlers_test

import (
	"net/http"
	"testing"
	"time"

	"undersigned/handlers"
	"undersigned/handlers/handlertest"
	"undersigned/views"
)

// A sentence around a date or a link is one message, which each language
// words in its own order: the heading of the list reads "Signataires au
// 4 décembre 2026" in French with the date inside its <time>, the whole
// one message to a translator (the pseudo-language's brackets hold the
// date), and the print packet numbers its pages as each language does.
// The page around a letter is in the letter's language, whatever the
// visitor's: the letter is set in each language in turn.
func TestSentencesAroundMarkupReadWhole(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, editor := s.publishedLetter("coord@example.org", "Civic Solidarity")
	inLang := func(lang string) *handlertest.Client {
		t.Helper()
		settings := listAtOnce()
		settings.Set("lang", lang)
		coord.Get(editor)
		coord.Post(editor+"/settings", settings).Expect(t, http.StatusSeeOther)
		visitor := s.client()
		visitor.Cookies["lang"] = lang // the pseudo-language is the interface's only
		return visitor
	}
	now := time.Now().UTC()
	iso := now.Format("2006-01-02")
	for lang, heading := range map[string]string{
		"fr": `Signataires au <time datetime="` + iso + `">` + views.FormatDate("fr", now) + `</time>`,
		"ru": `Подписанты на <time datetime="` + iso + `">` + views.FormatDate("ru", now) + `</time>`,
		"ar": `الموقّعون حتى <time datetime="` + iso + `">` + views.FormatDate("ar", now) + `</time>`,
		// The pseudo-language brackets each message: the date is inside.
		views.Pseudo: `⟦Šîĝñáţörîéš áš öf <time datetime="` + iso + `">` + views.FormatDate("en", now) + `</time>⟧`,
	} {
		inLang(lang).Get(seedSlug).Expect(t, http.StatusOK, `<h2 id="signatories-title">`+heading+`</h2>`)
	}
	for lang, footer := range map[string]string{
		"en": `"Page " counter(page) " of " counter(pages);`,
		"ru": `"Страница " counter(page) " из " counter(pages);`,
		"ar": `"الصفحة " counter(page) " من " counter(pages);`,
	} {
		inLang(lang).Get(seedSlug+"/print.css").Expect(t, http.StatusOK, "@bottom-center { content: "+footer)
	}
}

// When nobody on a list is named, its signers who chose not to be are not
// "more" people: the list says how many signed without being named.
func TestUnlistedSignersAloneAreNotMore(t *testing.T) {
	s := newSite(t, handlers.Config{})
	s.publishedLetter("coord@example.org", "Civic Solidarity")
	for _, email := range []string{"a@example.org", "b@example.org"} {
		f := handlertest.SignForm("Quiet Signer", "AZ", email)
		f.Set("display", "counted")
		visitor := s.client()
		visitor.Get(seedSlug)
		visitor.Post(seedSlug+"/sign", f).Expect(t, http.StatusSeeOther)
	}
	for _, path := range []string{seedSlug, seedSlug + "/signatories", seedSlug + "/print"} {
		r := s.client().Get(path).Expect(t, http.StatusOK, "2 people signed without being named.")
		assertAbsent(t, map[string]string{path: r.Body}, "more people")
	}
}
