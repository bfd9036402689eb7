package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"undersigned/handlers"
	"undersigned/models"
	"undersigned/models/modeltest"
)

// signSeedList signs seed 003's list onto its letter, with an Arabic and a
// Cyrillic name, a signer who chose to be counted only, and an organisation.
func signSeedList(t *testing.T, s *site) {
	t.Helper()
	signer := s.browser()
	signer.get(seedSlug)
	for i, sig := range modeltest.AzerbaijanSignatories {
		form := signForm(sig.Name, sig.Country, modeltest.SignerEmail(i))
		form.Set("affiliation", sig.Affiliation)
		form.Set("role", sig.Role)
		form.Set("country2", sig.Country2)
		signer.post(seedSlug+"/sign", form).expect(t, http.StatusSeeOther)
	}
	signer.post(seedSlug+"/sign", signForm("ليلى يونس", "AZ", "layla@example.org")).expect(t, http.StatusSeeOther)
	signer.post(seedSlug+"/sign", signForm("Андрей Сахаров", "RU", "andrei@example.org")).expect(t, http.StatusSeeOther)
	counted := signForm("Hidden Signer", "KZ", "hidden@example.org")
	counted.Set("display", "counted")
	signer.post(seedSlug+"/sign", counted).expect(t, http.StatusSeeOther)
	org := signForm("Jakub Klepal", "CZ", "office@forum2000.example")
	org.Set("kind", "organisation")
	org.Set("affiliation", "Forum 2000 Foundation")
	signer.post(seedSlug+"/sign", org).expect(t, http.StatusSeeOther)
}

func TestOnlyTheEmbeddableCounterMayBeFramed(t *testing.T) {
	s := newSite(t, handlers.Config{})
	s.publishedLetter("c@example.org", "Org")
	signSeedList(t, s)
	v := s.browser()

	embed := v.get(seedSlug+"/embed").expect(t, http.StatusOK, "Joint statement on the human rights situation in Azerbaijan",
		"26 signatures", `target="_blank" rel="noopener"`, "Sign the letter", `href="http://undersigned.test`+seedSlug+`#sign"`)
	csp := embed.header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "frame-ancestors *") || strings.Contains(csp, "frame-ancestors 'none'") ||
		!strings.Contains(csp, "default-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("the counter's Content-Security-Policy %q does not let other sites frame it, or loosens more than framing", csp)
	}
	if xfo := embed.header.Get("X-Frame-Options"); xfo != "" {
		t.Errorf("the counter sends X-Frame-Options %q: no site could frame it", xfo)
	}
	for _, name := range []string{"Leyla Yunus", "Hidden", "site-header"} {
		if strings.Contains(embed.body, name) {
			t.Errorf("the counter shows %q: it is the title, the count and a link only", name)
		}
	}

	for name, r := range map[string]response{
		"letter":                 v.get(seedSlug),
		"print":                  v.get(seedSlug + "/print"),
		"counter of no letter":   v.get("/letters/no-such-letter/embed"),
		"print of no letter":     v.get("/letters/no-such-letter/print"),
		"print stylesheet":       v.get(seedSlug + "/print.css"),
		"list":                   v.get(seedSlug + "/signatories"),
		"counter's neighbour":    v.get(seedSlug + "/embedded"),
		"the counter, posted to": v.postRaw(seedSlug+"/embed", ""),
	} {
		if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: Content-Security-Policy %q lets other sites frame it", name, csp)
		}
		if r.header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: X-Frame-Options %q, want DENY", name, r.header.Get("X-Frame-Options"))
		}
	}
}

func TestDeliveryPacketListsEverySignatoryAfterTheLetter(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, editor := s.publishedLetter("c@example.org", "Org")
	signSeedList(t, s)
	v := s.browser()
	r := v.get(seedSlug+"/print").expect(t, http.StatusOK,
		"Joint statement on the human rights situation in Azerbaijan", "To:", "Political prisoners in Azerbaijan", "Excellencies,",
		"We further call on the international community to:", "Sincerely,",
		"Signatories as of", "26 signatures", "Organisations (1)", "Forum 2000 Foundation, Czechia", "Individuals (24)",
		`<li>ليلى يونس, Azerbaijan</li>`, `<li>Андрей Сахаров, Russia</li>`,
		"Leyla Yunus, Institute for Peace and Democracy, Azerbaijan/Netherlands",
		"1 more person signed without being named.",
		`<meta name="robots" content="noindex">`, `href="`+seedSlug+`/print.css" media="print"`)
	if r.header.Get("X-Robots-Tag") != "noindex" {
		t.Errorf("the packet names signers without X-Robots-Tag noindex")
	}
	if strings.Contains(r.body, "Hidden Signer") || strings.Contains(r.body, "@example.org") {
		t.Error("the packet names a signer who chose to be counted only, or shows an email")
	}
	if strings.Index(r.body, "Sincerely,") > strings.Index(r.body, "Signatories as of") {
		t.Error("the list comes before the letter's closing")
	}
	for _, sig := range modeltest.AzerbaijanSignatories {
		if !strings.Contains(r.body, sig.Name) {
			t.Errorf("the packet lacks %s", sig.Name)
		}
	}

	css := v.get(seedSlug+"/print.css").expect(t, http.StatusOK, "@page", "counter(page)", "counter(pages)",
		`"Joint statement on the human rights situation in Azerbaijan"`, `"Signatories as of `)
	if ct := css.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/css") {
		t.Errorf("print stylesheet served as %q", ct)
	}

	// The letter page links the packet, and draws its figures.
	page := v.get(seedSlug).expect(t, http.StatusOK, "Print or save as PDF", `href="`+seedSlug+`/print"`,
		`<meta property="og:type" content="article">`, `<meta property="og:url" content="http://undersigned.test`+seedSlug+`">`,
		`<meta property="og:site_name" content="Undersigned">`, `<meta property="og:description" content="ICDR and Forum 2000 members`,
		`<meta property="og:title" content="Joint statement on the human rights situation in Azerbaijan">`,
		`role="img" aria-labelledby="chart-time-title chart-time-desc"`, `role="img" aria-labelledby="chart-country-title chart-country-desc"`,
		"Signatures over time", "Signatories by country", "<th scope=\"row\">Georgia</th><td>4</td>",
		"Share this letter", `readonly`, "Read and sign: http://undersigned.test"+seedSlug,
		"&lt;iframe src=&#34;http://undersigned.test"+seedSlug+"/embed&#34;")
	if strings.Contains(page.body, "style=") {
		t.Error("the letter page has a style attribute, which the Content-Security-Policy blocks")
	}
	figures := page.body[strings.Index(page.body, `class="figures"`):strings.Index(page.body, `class="share"`)]
	if strings.Contains(figures, "Kazakhstan") || !strings.Contains(figures, "Azerbaijan 3") {
		t.Errorf("the country chart counts a signer who chose to be counted only, or misses one who is named:\n%s", figures)
	}

	// A closed letter's counter and share text send readers to read, not sign.
	coord.post(editor+"/state", url.Values{"state": {"closed"}}).expect(t, http.StatusSeeOther)
	v.get(seedSlug+"/embed").expect(t, http.StatusOK, "Read the letter")
	v.get(seedSlug).expect(t, http.StatusOK, "Read it: http://undersigned.test"+seedSlug)
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
	r := s.browser().get(seedSlug+"/print").expect(t, http.StatusOK, "Individuals (1,203)", "Signer 0000, France", "Signer 1202, France")
	if got := strings.Count(r.markup, `<li><bdi>Signer `); got != n {
		t.Errorf("the packet lists %d entries, want %d, each once", got, n)
	}
}

func TestPrintStylesheetKeepsTheTitleInItsString(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord := s.coordinator("c@example.org", "Org")
	coord.get("/dashboard/letters/new")
	title := `Free them"; } body { display: none } @page { @top-left { content: "x`
	r := coord.post("/dashboard/letters", url.Values{"title": {title}, "slug": {"css"}, "action": {"save"}}).expect(t, http.StatusSeeOther)
	editor := strings.TrimSuffix(r.location, "?saved=1")
	coord.get(editor)
	coord.post(editor+"/state", url.Values{"state": {"open"}}).expect(t, http.StatusSeeOther)
	css := s.browser().get("/letters/css/print.css").expect(t, http.StatusOK, `"Free them\22 \3b  \7d  body \7b  display\3a  none \7d  \40 page`)
	if strings.Count(css.body, "{") != 4 || strings.Count(css.body, "}") != 4 {
		t.Errorf("the title's braces became rules:\n%s", css.body)
	}
}
