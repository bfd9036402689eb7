package handlers_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"golang.org/x/net/html"

	"undersigned/handlers"
	"undersigned/handlers/handlertest"
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
	coord.Cookies["lang"] = views.Pseudo

	signer := s.client()
	signer.Cookies["lang"] = views.Pseudo
	signer.Get(seedSlug)
	signer.Post(seedSlug+"/sign", handlertest.SignForm("Leyla Yunus", "AZ", "leyla@example.org")).Expect(t, http.StatusSeeOther)
	confirm := s.mailedLink("leyla@example.org", "/confirm/")
	manage := s.mailedLink("leyla@example.org", "/signature/")
	org := url.Values{"kind": {"organisation"}, "name": {"Vladimir Kara-Murza"}, "affiliation": {"Free Russia Foundation"}, "country": {"RU"},
		"email": {"office@frf.example"}, "display": {"full"}, "agree": {"true"}}
	signer.Get(seedSlug)
	signer.Post(seedSlug+"/sign", org).Expect(t, http.StatusSeeOther)

	visitor := s.client()
	visitor.Cookies["lang"] = views.Pseudo
	pages := []struct {
		who  *handlertest.Client
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
		r := p.who.Get(p.path).Expect(t, p.want)
		checkCatalogued(t, p.path, r.Body, typed)
	}
	// A refused form: its error summary, its messages and its kept values.
	r := visitor.Post(seedSlug+"/sign", url.Values{"kind": {"individual"}, "email": {"not-an-address"}}).Expect(t, http.StatusUnprocessableEntity)
	checkCatalogued(t, "the refused signing form", r.Body, append(typed, "not-an-address"))
	r = coord.Post(editor+"/import", url.Values{"format": {"csv"}, "csv": {"name,country\nAnna,Atlantis\n"}})
	checkCatalogued(t, "the import preview", r.Body, append(typed, "Anna", "Atlantis", "name,country"))
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
	return longestFirst(out)
}

// longestFirst sorts typed texts the longest first, so that an entry loses
// its parts whole.
func longestFirst(typed []string) []string {
	slices.SortFunc(typed, func(a, b string) int { return len(b) - len(a) })
	return typed
}

// catalogued is a message of the pseudo-language.
var catalogued = regexp.MustCompile(`⟦[^⟧]*⟧`)

// plainText is what needs no translation: numbers, dates' digits, marks,
// and the invisible isolates around a figure set in a text (U+2066–2069).
var plainText = regexp.MustCompile(`^[\s\d\p{P}\p{S}\x{2066}-\x{2069}]*$`)

// number is a number among a message's parameters, grouped as a language
// writes it: "20,000", "20 000".
var number = regexp.MustCompile(`\d+(?:[,.\x{a0}\x{202f}]\d+)*`)

// trimMarks is a piece of text without the spaces and marks around it,
// which sit between a message's parameters and its words.
func trimMarks(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) })
}

// readAttributes are the attributes a person reads or hears.
var readAttributes = map[string]bool{"aria-label": true, "title": true, "placeholder": true, "alt": true, "aria-description": true}

// checkCatalogued fails for each text of page, shown or read out, that is
// neither the catalogue's (in the pseudo-language) nor typed by someone.
// A page whose main part is in a real language passes that language's
// catalogue as literal, its messages' texts cut at their parameters: each
// piece of text between typed parts must then be one of them whole.
func checkCatalogued(t *testing.T, page, body string, typed []string, literal ...string) {
	t.Helper()
	pieces := map[string]bool{}
	for _, s := range literal {
		pieces[trimMarks(s)] = true
	}
	ok := func(text string) bool {
		text = catalogued.ReplaceAllString(strings.TrimSpace(text), "")
		if pieces[trimMarks(text)] {
			return true
		}
		for _, s := range typed {
			if strings.Contains(s, text) {
				return true
			}
			text = strings.ReplaceAll(text, s, "\x00")
		}
		// What is left between the catalogue's texts and typed parts
		// (an entry of a list) are marks, digits and spaces, or pieces of
		// the literal catalogue's messages.
		for _, piece := range strings.Split(number.ReplaceAllString(text, "\x00"), "\x00") {
			if !plainText.MatchString(piece) && !pieces[trimMarks(piece)] {
				return false
			}
		}
		return true
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

// TestEveryVersionAndRevisionPageTextComesFromTheCatalogue reads in the
// pseudo-language the pages that come with translations and revisions:
// the translation editor, before and after publishing; the coordinator's
// page that asks what kind of change an edit is; a revision of the text;
// a dated list; the signer's pages (manage, reconfirm); and a translated
// letter's page. The main part of that one is in its version's language,
// French, whatever the interface's: there every text must be the French
// catalogue's, or typed.
func TestEveryVersionAndRevisionPageTextComesFromTheCatalogue(t *testing.T) {
	store := modeltest.Open(t)
	s := newSiteOn(t, store, handlers.Config{})
	settings := listAtOnce()
	settings.Set("lang", views.Pseudo)
	coord, editor := s.openLetter("coord@example.org", "Civic Solidarity", settings)
	signer := s.client()
	signer.Get(seedSlug)
	signer.Post(seedSlug+"/sign", handlertest.SignForm("Leyla Yunus", "AZ", "leyla@example.org")).Expect(t, http.StatusSeeOther)
	manage := s.mailedLink("leyla@example.org", "/signature/")
	for _, c := range []*handlertest.Client{coord, signer} {
		c.Cookies["lang"] = views.Pseudo
	}
	typed := longestFirst(append(typedText(t, s), newDemand, "an-attempt-to-move-the-letter"))

	// The translation editor, a new translation's and a published one's.
	translation := editor + "/translations/fr"
	checkCatalogued(t, "the new translation's editor", coord.Get(translation).Expect(t, http.StatusOK).Body, typed)
	publishTranslation(t, coord, editor, "fr", seedFrench)
	typed = longestFirst(append(typed, frenchTyped()...))
	checkCatalogued(t, "the translation's editor", coord.Get(translation).Expect(t, http.StatusOK).Body, typed)

	// A change of substance, asked about first; its signer asked again.
	coord.Get(editor)
	confirm := coord.Post(editor, revisedForm()).Expect(t, http.StatusOK)
	checkCatalogued(t, "the question what kind of change an edit is", confirm.Body, typed)
	coord.Post(editor, keptForm(confirm.Body, "confirm", "substance")).Expect(t, http.StatusSeeOther)
	reconfirm := s.reconfirmPath("leyla@example.org")
	coord.Post(editor+"/snapshots", url.Values{}).Expect(t, http.StatusSeeOther)

	pages := []struct {
		who  *handlertest.Client
		path string
	}{
		{signer, seedSlug + "/revisions/1"},
		{signer, seedSlug + "/as-of/" + time.Now().UTC().Format(time.DateOnly)},
		{signer, manage},
		{signer, reconfirm},
	}
	for _, p := range pages {
		checkCatalogued(t, p.path, p.who.Get(p.path).Expect(t, http.StatusOK).Body, typed)
	}
	french := signer.Get(seedSlug+"/fr").Expect(t, http.StatusOK, `<main id="main" tabindex="-1" lang="fr"`)
	address := siteURL + seedSlug + "/fr" // in the text to share
	checkCatalogued(t, seedSlug+"/fr", french.Body, longestFirst(append(typed, address)), frenchCatalogue(t)...)
}

// frenchTyped is what the French translation's pages show that is typed
// or CLDR's: the translation's text, French country names and dates.
func frenchTyped() []string {
	out := []string{seedFrench.Title, seedFrench.Summary, seedFrench.Subject, seedFrench.Salutation, seedFrench.Closing,
		views.FormatDate("fr", time.Now())}
	out = append(out, strings.Split(seedFrench.Body, "\n\n")...)
	out = append(out, strings.Split(seedFrench.Addressees, "\n")...)
	for _, g := range seedFrench.Groups {
		out = append(out, g.LeadIn)
		out = append(out, strings.Split(g.Demands, "\n")...)
	}
	for _, c := range models.CountriesIn("fr") {
		out = append(out, c.Name)
	}
	for _, code := range views.Languages {
		out = append(out, views.LanguageNameIn(views.Pseudo, code), views.LanguageNameIn("fr", code))
	}
	return out
}

// frenchCatalogue is the literal text of the French catalogue's messages,
// each cut at its parameters: a text of a French page between typed parts
// is one of these. Only pieces with a letter count: a bare "{a}, {b}" says
// nothing of where a text came from.
func frenchCatalogue(t *testing.T) []string {
	data, err := os.ReadFile("../views/messages/fr.json")
	if err != nil {
		t.Fatal(err)
	}
	var file map[string]json.RawMessage
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	param := regexp.MustCompile(`\{[^}]*\}`)
	var out []string
	for _, raw := range file {
		var texts []string
		var one string
		var forms map[string]string
		if json.Unmarshal(raw, &one) == nil {
			texts = []string{one}
		} else if json.Unmarshal(raw, &forms) == nil {
			for _, text := range forms {
				texts = append(texts, text)
			}
		}
		for _, text := range texts {
			for _, piece := range param.Split(text, -1) {
				if piece = strings.TrimSpace(piece); strings.IndexFunc(piece, unicode.IsLetter) >= 0 {
					out = append(out, piece)
				}
			}
		}
	}
	return out
}
