package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/net/html"

	"undersigned/handlers"
	"undersigned/handlers/handlertest"
	"undersigned/views"
)

// salma signs an Arabic name signed with a Latin affiliation and a country
// named in English: in an English list it read "Jordan ,سلمى إبراهيم, ..."
// when the row took the direction of its first letter.
func salma() url.Values {
	return url.Values{"kind": {"individual"}, "name": {"سلمى إبراهيم"}, "affiliation": {"Cairo Institute for Human Rights Studies"},
		"country": {"JO"}, "email": {"salma@example.org"}, "display": {"full"}, "agree": {"true"}}
}

// Each part of a mixed entry is isolated in its own <bdi>, in a row that
// keeps the list's direction: the row aligns with the page and its parts
// follow in the list's order, whatever their script, in an English list as
// in an Arabic one.
func TestEveryPartOfAnEntryIsIsolated(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, letterPath := s.publishedLetter("c@example.org", "Org")
	signer := s.client()
	signer.Get(seedSlug)
	signer.Post(seedSlug+"/sign", salma()).Expect(t, http.StatusSeeOther)
	dated := publishList(t, coord, letterPath)

	const row = `<li><bdi>سلمى إبراهيم</bdi>, <bdi>Cairo Institute for Human Rights Studies</bdi>, <bdi>Jordan</bdi></li>`
	for _, path := range []string{seedSlug, seedSlug + "/signatories", seedSlug + "/print", dated} {
		signer.Get(path).Expect(t, http.StatusOK).ExpectMarkup(t, `<ul class="signatory-list" lang="en" dir="ltr">`, row)
	}
	coord.Get(letterPath+"/signatures").Expect(t, http.StatusOK).ExpectMarkup(t, `<td><bdi>سلمى إبراهيم</bdi>, <bdi>Cairo Institute for Human Rights Studies</bdi>, <bdi>Jordan</bdi></td>`)
	manage := s.client().Get(s.mailedLink("salma@example.org", "/signature/")).Expect(t, http.StatusOK)
	manage.ExpectMarkup(t, `<strong><bdi>سلمى إبراهيم</bdi>, <bdi>Cairo Institute for Human Rights Studies</bdi>, <bdi>Jordan</bdi></strong>`)

	// A letter in Arabic, read in the interface in Arabic: the list reads
	// right to left, its entries' parts joined by the Arabic comma and
	// isolated alike.
	settings := listAtOnce()
	settings.Set("lang", "ar")
	coord.Get(letterPath)
	coord.Post(letterPath+"/settings", settings).Expect(t, http.StatusSeeOther)
	signer.Get(seedSlug+"?lang=ar").Expect(t, http.StatusOK).ExpectMarkup(t, `<ul class="signatory-list" lang="ar" dir="rtl">`,
		`<li><bdi>سلمى إبراهيم</bdi>، <bdi>Cairo Institute for Human Rights Studies</bdi>، <bdi>الأردن</bdi></li>`)
}

// arabic are the strings typed in Arabic script into TestTypedTextIsIsolated's
// letter, organisation and signature.
var arabic = []string{"حرية المعتقلين", "مركز القاهرة", "Coordinator مركز القاهرة", "سلمى إبراهيم"}

// Every name or title typed in Arabic script reads on its own wherever a
// page shows it beside text in English: in a sentence ("Edit “…”", "An
// initiative of … and …"), a link, a heading, a table's cell or a list's
// entry. Each page's text in Arabic script must be one of the typed strings,
// whole, in an element that isolates it (<bdi>, or one with dir) or alone in
// its element.
func TestTypedTextIsIsolated(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord := s.coordinator("c@example.org", "مركز القاهرة")
	coord.Get("/dashboard/letters/new")
	form := handlertest.LetterForm("save")
	form.Set("title", "حرية المعتقلين")
	form.Set("slug", "freedom")
	form.Set("initiators", "مركز القاهرة\nForum 2000 Foundation")
	r := coord.Post("/dashboard/letters", form).Expect(t, http.StatusSeeOther)
	letterPath := strings.TrimSuffix(r.Location, "?saved=1")
	coord.Get(letterPath)
	coord.Post(letterPath+"/settings", withSettings("review_individuals")).Expect(t, http.StatusSeeOther)
	coord.Post(letterPath+"/state", url.Values{"state": {"open"}}).Expect(t, http.StatusSeeOther)

	signer := s.client()
	signer.Get("/letters/freedom")
	thanks := signer.Post("/letters/freedom/sign", salma()).Expect(t, http.StatusSeeOther)
	coord.Get(letterPath + "/import")
	preview := coord.PostMultipart(letterPath+"/import/preview", importForm("سلمى إبراهيم, Cairo Institute for Human Rights Studies, Jordan", "individual"), "", "")

	pages := map[string]handlertest.Response{
		"thanks":    signer.Get(thanks.Location).Expect(t, http.StatusOK),
		"dashboard": coord.Get("/dashboard").Expect(t, http.StatusOK),
		"editor":    coord.Get(letterPath).Expect(t, http.StatusOK),
		"review":    coord.Get(letterPath+"/review").Expect(t, http.StatusOK, "Waiting: 1"),
		"import":    preview.Expect(t, http.StatusOK),
	}
	coord.Get(letterPath + "/review")
	coord.Post(letterPath+"/review", url.Values{"action": {"approve"}, "ids": {reviewIDs(pages["review"].Body)["سلمى إبراهيم, Cairo Institute for Human Rights Studies, Jordan"]}}).Expect(t, http.StatusSeeOther)
	dated := publishList(t, coord, letterPath)
	for name, path := range map[string]string{"index": "/", "letter": "/letters/freedom", "list": "/letters/freedom/signatories",
		"print": "/letters/freedom/print", "dated list": dated} {
		pages[name] = s.client().Get(path).Expect(t, http.StatusOK)
	}
	pages["signatures"] = coord.Get(letterPath+"/signatures").Expect(t, http.StatusOK)
	pages["manage"] = s.client().Get(s.mailedLink("salma@example.org", "/signature/")).Expect(t, http.StatusOK)

	for name, page := range pages {
		for _, bad := range unisolated(t, page.Markup) {
			t.Errorf("%s: %q is not isolated", name, bad)
		}
	}
}

// unisolated returns the texts in Arabic script of a page's markup that are
// not, each, one of the strings typed in arabic and isolated: the child of a
// <bdi> or of an element with dir, or the only text of its element; and the
// elements in a language written right to left without a dir. Titles,
// options and form fields are the browser's to lay out.
func unisolated(t *testing.T, markup string) []string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(markup))
	if err != nil {
		t.Fatal(err)
	}
	var bad []string
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && (n.Data == "title" || n.Data == "option" || n.Data == "textarea") {
			return
		}
		// Text in a language written right to left, such as "العربية" in
		// the language switcher, is the page's own: it takes that direction.
		if lang := attr(n, "lang"); n.Type == html.ElementNode && views.Dir(lang) == "rtl" {
			if attr(n, "dir") == "" {
				bad = append(bad, outer(n))
			}
			return
		}
		if n.Type == html.TextNode && strings.IndexFunc(n.Data, isArabic) >= 0 {
			text := strings.TrimSpace(n.Data)
			alone := n.PrevSibling == nil && n.NextSibling == nil
			if !typed(text) || !(alone || isolates(n.Parent)) {
				bad = append(bad, outer(n.Parent))
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return bad
}

func isArabic(r rune) bool { return unicode.Is(unicode.Arabic, r) }

func typed(text string) bool {
	for _, a := range arabic {
		if text == a {
			return true
		}
	}
	return false
}

// isolates reports whether an element isolates its content from the text
// around it, as <bdi> and any element with dir do.
func isolates(n *html.Node) bool { return n.Data == "bdi" || attr(n, "dir") != "" }

// attr is the value of an element's attribute, or "".
func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

// outer is an element's markup, for a failure's message.
func outer(n *html.Node) string {
	var b strings.Builder
	html.Render(&b, n)
	return b.String()
}

// The print page's running head starts, as the letter's lines do, at the
// right of a letter written right to left.
func TestRunningHeadMirrorsForALetterWrittenRightToLeft(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, letterPath := s.publishedLetter("c@example.org", "Org")
	v := s.client()
	v.Get(seedSlug+"/print.css").Expect(t, http.StatusOK, `@top-left { content: "Joint statement`)
	settings := listAtOnce()
	settings.Set("lang", "ar")
	coord.Get(letterPath)
	coord.Post(letterPath+"/settings", settings).Expect(t, http.StatusSeeOther)
	v.Get(seedSlug+"/print.css").Expect(t, http.StatusOK, `@top-right { content: "Joint statement`)
}
