package handlers_test

import (
	"net/http"
	"testing"
	"time"

	"undersigned/handlers"
	"undersigned/views"
)

// A sentence around a date or a link is one message, which each language
// words in its own order: the heading of the list reads "Signataires au
// 4 décembre 2026" in French with the date inside its <time>, the whole
// one message to a translator (the pseudo-language's brackets hold the
// date), and the print packet numbers its pages as each language does.
func TestSentencesAroundMarkupReadWhole(t *testing.T) {
	s := newSite(t, handlers.Config{})
	s.publishedLetter("coord@example.org", "Civic Solidarity")
	now := time.Now().UTC()
	iso := now.Format("2006-01-02")
	for lang, heading := range map[string]string{
		"fr": `Signataires au <time datetime="` + iso + `">` + views.FormatDate("fr", now) + `</time>`,
		"ru": `Подписанты на <time datetime="` + iso + `">` + views.FormatDate("ru", now) + `</time>`,
		"ar": `الموقّعون حتى <time datetime="` + iso + `">` + views.FormatDate("ar", now) + `</time>`,
		// The pseudo-language brackets each message: the date is inside.
		views.Pseudo: `⟦Šîĝñáţörîéš áš öf <time datetime="` + iso + `">` + views.FormatDate("en", now) + `</time>⟧`,
	} {
		b := s.browser()
		b.cookies["lang"] = lang
		b.get(seedSlug).expect(t, http.StatusOK, `<h2 id="signatories-title">`+heading+`</h2>`)
	}
	for lang, footer := range map[string]string{
		"en": `"Page " counter(page) " of " counter(pages);`,
		"ru": `"Страница " counter(page) " из " counter(pages);`,
		"ar": `"الصفحة " counter(page) " من " counter(pages);`,
	} {
		b := s.browser()
		b.cookies["lang"] = lang
		b.get(seedSlug+"/print.css").expect(t, http.StatusOK, "@bottom-center { content: "+footer)
	}
}

// When nobody on a list is named, its signers who chose not to be are not
// "more" people: the list says how many signed without being named.
func TestUnlistedSignersAloneAreNotMore(t *testing.T) {
	s := newSite(t, handlers.Config{})
	s.publishedLetter("coord@example.org", "Civic Solidarity")
	for _, email := range []string{"a@example.org", "b@example.org"} {
		f := signForm("Quiet Signer", "AZ", email)
		f.Set("display", "counted")
		b := s.browser()
		b.get(seedSlug)
		b.post(seedSlug+"/sign", f).expect(t, http.StatusSeeOther)
	}
	for _, path := range []string{seedSlug, seedSlug + "/signatories", seedSlug + "/print"} {
		r := s.browser().get(path).expect(t, http.StatusOK, "2 people signed without being named.")
		assertAbsent(t, map[string]string{path: r.body}, "more people")
	}
}
