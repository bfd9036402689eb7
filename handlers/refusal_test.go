package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"undersigned/handlers"
	"undersigned/handlers/handlertest"
	"undersigned/models/modeltest"
	"undersigned/public"
)

// The marks of a page that answers a refused form: its title says so, it
// loads the script that focuses the error summary, and the summary can take
// the focus.
var refusedMarks = []string{`<title>Error: `, `<script src="` + public.URL("error-summary.js") + `" defer></script>`,
	`<div class="error-summary" id="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1" data-error-summary>`}

// TestRefusedSignaturesOpenAtTheirErrorSummary: each refusal of the signing
// form, invalid (422), not saved (503) or over the limit (429), answers with
// the letter's page titled "Error: …", its form's error summary saying why,
// and the form's address ending in #error-summary, so that the browser opens
// the next answer there too. The page around the form comes from the page
// cache: a second refusal says the same. The letter's own page says none of
// it, and shows its count and a button to the form above the letter's text.
func TestRefusedSignaturesOpenAtTheirErrorSummary(t *testing.T) {
	store, dsn := modeltest.OpenDSN(t)
	s := newSiteOn(t, store, handlers.Config{Limits: handlers.Limits{SignBurst: handlers.RateLimit{Max: 1, Window: time.Minute}}})
	s.publishedLetter("c@example.org", "Org")
	modeltest.FailInsertsNamed(t, dsn, "Disk Full")
	signer := s.client()
	action := `action="` + seedSlug + `/sign#error-summary"`
	page := signer.Get(seedSlug).Expect(t, http.StatusOK, action, "<title>Joint statement")
	for _, mark := range refusedMarks {
		if strings.Contains(page.Body, mark) {
			t.Errorf("the letter's page, refused nothing, shows %q", mark)
		}
	}
	body, button, count := strings.Index(page.Markup, `class="letter-body"`), strings.Index(page.Markup, `<a class="button sign-button" href="#sign">Sign this letter</a>`),
		strings.Index(page.Markup, `<p class="count"><bdi>0 signatures</bdi></p>`)
	if button < 0 || count < 0 || button > body || count > body {
		t.Errorf("the count (at %d) and the sign button (at %d) are not above the letter's text (at %d)", count, button, body)
	}

	refuse := func(form url.Values, status int, says string) {
		t.Helper()
		for range 2 {
			r := signer.Post(seedSlug+"/sign", form).Expect(t, status, append(refusedMarks, says, action, `value="`+form.Get("email")+`"`)...)
			if m := placeholder.FindString(r.Body); m != "" {
				t.Fatalf("the refused form's page shows the cache's placeholder %q", m)
			}
		}
	}
	refuse(handlertest.SignForm("", "AZ", "nameless@example.org"), http.StatusUnprocessableEntity, `<a href="#f-name">Full name: Enter your full name</a>`)
	refuse(handlertest.SignForm("Disk Full", "AZ", "disk@example.org"), http.StatusServiceUnavailable, "<h2 id=\"error-summary-title\">There is a problem</h2>\n  <p>Your signature could not be saved just now")
	signer.Post(seedSlug+"/sign", handlertest.SignForm("Leyla Yunus", "AZ", "leyla@example.org")).Expect(t, http.StatusSeeOther)
	refuse(handlertest.SignForm("Arif Yunus", "AZ", "arif@example.org"), http.StatusTooManyRequests, "<h2 id=\"error-summary-title\">There is a problem</h2>\n  <p>")
}

// TestEveryRefusedFormIsTitledError: a coordinator's form refused shows the
// same marks as the signing form's.
func TestEveryRefusedFormIsTitledError(t *testing.T) {
	s := newSite(t, handlers.Config{})
	c := s.coordinator("c@example.org", "Org")
	c.Get("/dashboard/letters/new")
	form := handlertest.LetterForm("save")
	form.Set("title", "")
	c.Post("/dashboard/letters", form).Expect(t, http.StatusUnprocessableEntity, refusedMarks...)
}
