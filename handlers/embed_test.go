package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"undersigned/handlers"
	"undersigned/handlers/handlertest"
	"undersigned/models"
	"undersigned/models/modeltest"
)

// signSeedList signs seed 003's list onto its letter, with an Arabic and a
// Cyrillic name, a signer who chose to be counted only, and an organisation.
func signSeedList(t *testing.T, s *site) {
	t.Helper()
	signer := s.client()
	signer.Get(seedSlug)
	for i, sig := range modeltest.AzerbaijanSignatories {
		form := handlertest.SignForm(sig.Name, sig.Country, modeltest.SignerEmail(i))
		form.Set("affiliation", sig.Affiliation)
		form.Set("role", sig.Role)
		form.Set("country2", sig.Country2)
		signer.Post(seedSlug+"/sign", form).Expect(t, http.StatusSeeOther)
	}
	signer.Post(seedSlug+"/sign", handlertest.SignForm("ليلى يونس", "AZ", "layla@example.org")).Expect(t, http.StatusSeeOther)
	signer.Post(seedSlug+"/sign", handlertest.SignForm("Андрей Сахаров", "RU", "andrei@example.org")).Expect(t, http.StatusSeeOther)
	counted := handlertest.SignForm("Hidden Signer", "KZ", "hidden@example.org")
	counted.Set("display", "counted")
	signer.Post(seedSlug+"/sign", counted).Expect(t, http.StatusSeeOther)
	org := handlertest.SignForm("Jakub Klepal", "CZ", "office@forum2000.example")
	org.Set("kind", "organisation")
	org.Set("affiliation", "Forum 2000 Foundation")
	signer.Post(seedSlug+"/sign", org).Expect(t, http.StatusSeeOther)
}

func TestOnlyTheEmbeddableCounterMayBeFramed(t *testing.T) {
	s := newSite(t, handlers.Config{})
	s.publishedLetter("c@example.org", "Org")
	signSeedList(t, s)
	v := s.client()

	embed := v.Get(seedSlug+"/embed").Expect(t, http.StatusOK, "Joint statement on the human rights situation in Azerbaijan",
		"26 signatures", `target="_blank" rel="noopener"`, "Sign the letter", `href="`+siteURL+seedSlug+`#sign"`)
	csp := embed.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "frame-ancestors *") || strings.Contains(csp, "frame-ancestors 'none'") ||
		!strings.Contains(csp, "default-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("the counter's Content-Security-Policy %q does not let other sites frame it, or loosens more than framing", csp)
	}
	if xfo := embed.Header.Get("X-Frame-Options"); xfo != "" {
		t.Errorf("the counter sends X-Frame-Options %q: no site could frame it", xfo)
	}
	for _, name := range []string{"Leyla Yunus", "Hidden", "site-header"} {
		if strings.Contains(embed.Body, name) {
			t.Errorf("the counter shows %q: it is the title, the count and a link only", name)
		}
	}

	for name, r := range map[string]handlertest.Response{
		"letter":                 v.Get(seedSlug),
		"print":                  v.Get(seedSlug + "/print"),
		"counter of no letter":   v.Get("/letters/no-such-letter/embed"),
		"print of no letter":     v.Get("/letters/no-such-letter/print"),
		"print stylesheet":       v.Get(seedSlug + "/print.css"),
		"list":                   v.Get(seedSlug + "/signatories"),
		"counter's neighbour":    v.Get(seedSlug + "/embedded"),
		"the counter, posted to": v.PostRaw(seedSlug+"/embed", ""),
	} {
		if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: Content-Security-Policy %q lets other sites frame it", name, csp)
		}
		if r.Header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: X-Frame-Options %q, want DENY", name, r.Header.Get("X-Frame-Options"))
		}
	}
}

func TestDeliveryPacketListsEverySignatoryAfterTheLetter(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, editor := s.publishedLetter("c@example.org", "Org")
	signSeedList(t, s)
	v := s.client()
	r := v.Get(seedSlug+"/print").Expect(t, http.StatusOK,
		"Joint statement on the human rights situation in Azerbaijan", "To:", "Political prisoners in Azerbaijan", "Excellencies,",
		"We further call on the international community to:", "Sincerely,",
		"Signatories as of", "26 signatures", "Organisations (1)", "Forum 2000 Foundation, Czechia", "Individuals (24)",
		`<li>ليلى يونس, Azerbaijan</li>`, `<li>Андрей Сахаров, Russia</li>`,
		"Leyla Yunus, Institute for Peace and Democracy, Azerbaijan/Netherlands",
		"1 more person signed without being named.",
		`<meta name="robots" content="noindex">`, `href="`+seedSlug+`/print.css" media="print"`)
	if r.Header.Get("X-Robots-Tag") != "noindex" {
		t.Errorf("the packet names signers without X-Robots-Tag noindex")
	}
	if strings.Contains(r.Body, "Hidden Signer") || strings.Contains(r.Body, "@example.org") {
		t.Error("the packet names a signer who chose to be counted only, or shows an email")
	}
	if strings.Index(r.Body, "Sincerely,") > strings.Index(r.Body, "Signatories as of") {
		t.Error("the list comes before the letter's closing")
	}
	for _, sig := range modeltest.AzerbaijanSignatories {
		if !strings.Contains(r.Body, sig.Name) {
			t.Errorf("the packet lacks %s", sig.Name)
		}
	}

	css := v.Get(seedSlug+"/print.css").Expect(t, http.StatusOK, "@page", "counter(page)", "counter(pages)",
		`"Joint statement on the human rights situation in Azerbaijan"`, `"Signatories as of `)
	if ct := css.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/css") {
		t.Errorf("print stylesheet served as %q", ct)
	}

	// The letter page links the packet, and draws its figures.
	page := v.Get(seedSlug).Expect(t, http.StatusOK, "Print or save as PDF", `href="`+seedSlug+`/print"`,
		`<meta property="og:type" content="article">`, `<meta property="og:url" content="`+siteURL+seedSlug+`">`,
		`<meta property="og:site_name" content="Undersigned">`, `<meta property="og:description" content="ICDR and Forum 2000 members`,
		`<meta property="og:title" content="Joint statement on the human rights situation in Azerbaijan">`,
		`role="img" aria-labelledby="chart-time-title chart-time-desc"`, `role="img" aria-labelledby="chart-country-title chart-country-desc"`,
		"Signatures over time", "Signatories by country", "<th scope=\"row\">Georgia</th><td>4</td>",
		"Share this letter", `readonly`, "Read and sign: "+siteURL+seedSlug,
		"&lt;iframe src=&#34;"+siteURL+seedSlug+"/embed&#34;")
	if strings.Contains(page.Body, "style=") {
		t.Error("the letter page has a style attribute, which the Content-Security-Policy blocks")
	}
	figures := page.Body[strings.Index(page.Body, `class="figures"`):strings.Index(page.Body, `class="share"`)]
	if strings.Contains(figures, "Kazakhstan") || !strings.Contains(figures, "Azerbaijan 3") {
		t.Errorf("the country chart counts a signer who chose to be counted only, or misses one who is named:\n%s", figures)
	}

	// A closed letter's counter and share text send readers to read, not sign.
	coord.Post(editor+"/state", url.Values{"state": {"closed"}}).Expect(t, http.StatusSeeOther)
	v.Get(seedSlug+"/embed").Expect(t, http.StatusOK, "Read the letter")
	v.Get(seedSlug).Expect(t, http.StatusOK, "Read it: "+siteURL+seedSlug)
}

func TestDeliveryPacketStreamsALongList(t *testing.T) {
	s := newSite(t, handlers.Config{})
	s.publishedLetter("c@example.org", "Org")
	l := s.letter()
	const n = 1203 // more than two chunks of the stream
	for i := range n {
		in := models.NewSignature{Kind: models.KindIndividual, Name: fmt.Sprintf("Signer %04d", i), Country: "FR", Email: fmt.Sprintf("s%d@example.org", i)}
		if _, err := s.store.AddSignature(context.Background(), l.ID, in, modeltest.Mail); err != nil {
			t.Fatal(err)
		}
	}
	r := s.client().Get(seedSlug+"/print").Expect(t, http.StatusOK, "Individuals (1,203)", "Signer 0000, France", "Signer 1202, France")
	if got := strings.Count(r.Markup, `<li><bdi>Signer `); got != n {
		t.Errorf("the packet lists %d entries, want %d, each once", got, n)
	}
}

func TestPrintStylesheetKeepsTheTitleInItsString(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord := s.coordinator("c@example.org", "Org")
	coord.Get("/dashboard/letters/new")
	title := `Free them"; } body { display: none } @page { @top-left { content: "x`
	r := coord.Post("/dashboard/letters", url.Values{"title": {title}, "slug": {"css"}, "action": {"save"}}).Expect(t, http.StatusSeeOther)
	editor := strings.TrimSuffix(r.Location, "?saved=1")
	coord.Get(editor)
	coord.Post(editor+"/state", url.Values{"state": {"open"}}).Expect(t, http.StatusSeeOther)
	css := s.client().Get("/letters/css/print.css").Expect(t, http.StatusOK, `"Free them\22 \3b  \7d  body \7b  display\3a  none \7d  \40 page`)
	if strings.Count(css.Body, "{") != 4 || strings.Count(css.Body, "}") != 4 {
		t.Errorf("the title's braces became rules:\n%s", css.Body)
	}
}
