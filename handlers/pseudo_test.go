package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"undersigned/handlers"
	"undersigned/models"
	"undersigned/models/modeltest"
	"undersigned/views"
)

// In the pseudo-language every message of the catalogue reads "⟦…⟧": a
// page read in it shows every text that bypasses the catalogue, and so
// would stay English in every translation. The pages of every kind of
// visitor are read in it: each visible text and each attribute a person
// reads or hears is the catalogue's, or what a person typed.
func TestEveryVisibleTextComesFromTheCatalogue(t *testing.T) {
	s := newSite(t, handlers.Config{})
	settings := withSettings("confirm_email")
	settings.Set("lang", views.Pseudo)
	coord, editor := s.openLetter("coord@example.org", "Civic Solidarity", settings)
	coord.cookies["lang"] = views.Pseudo

	signer := s.browser()
	signer.cookies["lang"] = views.Pseudo
	signer.get(seedSlug)
	signer.post(seedSlug+"/sign", signForm("Leyla Yunus", "AZ", "leyla@example.org")).expect(t, http.StatusSeeOther)
	confirm := s.mailedLink("leyla@example.org", "/confirm/")
	manage := s.mailedLink("leyla@example.org", "/signature/")
	org := url.Values{"kind": {"organisation"}, "name": {"Vladimir Kara-Murza"}, "affiliation": {"Free Russia Foundation"}, "country": {"RU"},
		"email": {"office@frf.example"}, "display": {"full"}, "agree": {"true"}}
	signer.get(seedSlug)
	signer.post(seedSlug+"/sign", org).expect(t, http.StatusSeeOther)

	visitor := s.browser()
	visitor.cookies["lang"] = views.Pseudo
	pages := []struct {
		who  *browser
		path string
		want int
	}{
		{visitor, "/", http.StatusOK},
		{visitor, seedSlug, http.StatusOK},
		{visitor, seedSlug + "/signatories", http.StatusOK},
		{visitor, seedSlug + "/print", http.StatusOK},
		{visitor, seedSlug + "/embed", http.StatusOK},
		{visitor, "/privacy", http.StatusOK},
		{visitor, "/login", http.StatusOK},
		{visitor, "/letters/no-such-letter", http.StatusNotFound},
		{signer, seedSlug + "/thanks", http.StatusOK},
		{signer, confirm, http.StatusOK},
		{signer, manage, http.StatusOK},
		{coord, "/dashboard", http.StatusOK},
		{coord, "/dashboard/letters/new", http.StatusOK},
		{coord, editor, http.StatusOK},
		{coord, editor + "/preview", http.StatusOK},
		{coord, editor + "/signatures", http.StatusOK},
		{coord, editor + "/review", http.StatusOK},
		{coord, editor + "/import", http.StatusOK},
	}
	typed := typedText(t, s)
	for _, p := range pages {
		r := p.who.get(p.path).expect(t, p.want)
		checkCatalogued(t, p.path, r.body, typed)
	}
	// A refused form: its error summary, its messages and its kept values.
	r := visitor.post(seedSlug+"/sign", url.Values{"kind": {"individual"}, "email": {"not-an-address"}}).expect(t, http.StatusUnprocessableEntity)
	checkCatalogued(t, "the refused signing form", r.body, append(typed, "not-an-address"))
	r = coord.post(editor+"/import", url.Values{"format": {"csv"}, "csv": {"name,country\nAnna,Atlantis\n"}})
	checkCatalogued(t, "the import preview", r.body, append(typed, "Anna", "Atlantis", "name,country"))
}

// typedText is what people typed into the site in the test: the seed
// letter's text, the signatures, the coordinator's name; and what comes
// from CLDR rather than the catalogue: the names of countries, of
// languages in themselves, and dates.
func typedText(t *testing.T, s *site) []string {
	l := modeltest.Azerbaijan
	out := []string{l.Title, l.Summary, l.Initiators, l.Body, "Members of the Parliamentary Assembly of the Council of Europe",
		"Delegations to COP29", "Political prisoners in Azerbaijan", "Excellencies,", "Sincerely,",
		"Leyla Yunus", "leyla@example.org", "Vladimir Kara-Murza", "Free Russia Foundation", "office@frf.example", "Civic Solidarity", "coord@example.org", "Undersigned"}
	for _, g := range l.Groups {
		out = append(out, g.LeadIn, g.Demands)
	}
	for _, c := range models.CountriesIn(views.Pseudo) {
		out = append(out, c.Name)
	}
	out = append(out, strings.Split(l.Initiators, "\n")...)

	sig, err := s.store.PublicLetter(context.Background(), strings.TrimPrefix(seedSlug, "/letters/"))
	if err != nil {
		t.Fatal(err)
	}
	for _, code := range views.Languages {
		out = append(out, views.LanguageName(code)) // the switcher names each language in itself
	}
	out = append(out, sig.Slug, views.FormatDate(views.Pseudo, time.Now()))
	// The longest first, so that an entry loses its parts whole.
	slices.SortFunc(out, func(a, b string) int { return len(b) - len(a) })
	return out
}

// catalogued is a message of the pseudo-language.
var catalogued = regexp.MustCompile(`⟦[^⟧]*⟧`)

// plainText is what needs no translation: numbers, dates' digits, marks.
var plainText = regexp.MustCompile(`^[\s\d\p{P}\p{S}]*$`)

// readAttributes are the attributes a person reads or hears.
var readAttributes = map[string]bool{"aria-label": true, "title": true, "placeholder": true, "alt": true, "aria-description": true}

// checkCatalogued fails for each text of page, shown or read out, that is
// neither the catalogue's (in the pseudo-language) nor typed by someone.
func checkCatalogued(t *testing.T, page, body string, typed []string) {
	t.Helper()
	ok := func(text string) bool {
		text = catalogued.ReplaceAllString(strings.TrimSpace(text), "")
		for _, s := range typed {
			if strings.Contains(s, text) {
				return true
			}
			text = strings.ReplaceAll(text, s, "")
		}
		// What is left between the catalogue's texts and typed parts
		// (an entry of a list) are marks, digits and spaces.
		return plainText.MatchString(text)
	}
	z := html.NewTokenizer(strings.NewReader(body))
	var skip int // inside <script>, <style> or code to copy
	// A message with markup among its parameters spans several text nodes,
	// "⟦Šîĝñáţörîéš áš öf <time>…</time>⟧": while one is open, the text
	// beside its parameters (depth 0) is the message's, and the text inside
	// them is checked as any other.
	open, depth := false, 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			return
		case html.StartTagToken, html.SelfClosingTagToken:
			depth++
			tok := z.Token()
			if tok.Data == "script" || tok.Data == "style" || isCode(tok) {
				skip++
			}
			for _, a := range tok.Attr {
				if (readAttributes[a.Key] || a.Key == "value" && isButton(tok)) && !ok(a.Val) {
					t.Errorf("%s: <%s %s=%q> is not from the catalogue", page, tok.Data, a.Key, a.Val)
				}
			}
		case html.EndTagToken:
			depth--
			if tok := z.Token(); tok.Data == "script" || tok.Data == "style" || tok.Data == "textarea" && skip > 0 {
				skip--
			}
		case html.TextToken:
			text := string(z.Text())
			if open && depth == 0 {
				if end := strings.Index(text, "⟧"); end >= 0 {
					text, open = text[end+len("⟧"):], false
				} else {
					text = ""
				}
			}
			if start := strings.LastIndex(text, "⟦"); start > strings.LastIndex(text, "⟧") {
				text, open, depth = text[:start], true, 0
			}
			if skip == 0 && !ok(text) {
				t.Errorf("%s: text %q is not from the catalogue", page, strings.TrimSpace(text))
			}
		}
	}
}

// isCode says whether tok holds HTML to copy into another site: the embed.
func isCode(tok html.Token) bool {
	for _, a := range tok.Attr {
		if a.Key == "id" && a.Val == "share-embed" {
			return true
		}
	}
	return false
}

// isButton says whether tok is an input shown as a button, which shows its value.
func isButton(tok html.Token) bool {
	if tok.Data != "input" {
		return false
	}
	for _, a := range tok.Attr {
		if a.Key == "type" && (a.Val == "submit" || a.Val == "button") {
			return true
		}
	}
	return false
}
