package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"undersigned/handlers"
	"undersigned/handlers/handlertest"
	"undersigned/models"
	"undersigned/models/modeltest"
	"undersigned/views"
)

// datedListLink finds the link to a dated list on a page.
var datedListLink = regexp.MustCompile(`href="(/letters/[a-z0-9-]+/as-of/\d{4}-\d{2}-\d{2})"`)

// publishList publishes the letter's list as of today from the editor and
// returns the dated list's address, as the editor links it.
func publishList(t *testing.T, coord *handlertest.Client, letterPath string) string {
	t.Helper()
	coord.Get(letterPath)
	r := coord.Post(letterPath+"/snapshots", url.Values{}).Expect(t, http.StatusSeeOther)
	editor := coord.Get(r.Location).Expect(t, http.StatusOK, "The list is published as of today.")
	m := datedListLink.FindStringSubmatch(editor.Body)
	if m == nil {
		t.Fatalf("the editor links no dated list:\n%s", handlertest.Excerpt(editor.Body))
	}
	return m[1]
}

// readUnchanged reads a dated list as a new visitor and fails unless its
// body is byte for byte what it was.
func readUnchanged(t *testing.T, s *site, path, before, after string) {
	t.Helper()
	r := s.client().Get(path).Expect(t, http.StatusOK)
	if r.Body != before {
		t.Errorf("%s changed after %s:\n--- before\n%s\n--- now\n%s", path, after, handlertest.Excerpt(before), handlertest.Excerpt(r.Body))
	}
}

// TestDatedListNeverChanges: the list published as of a date reads as its
// signers chose to appear then (anonymous as "Anonymous, Country", counted
// signers counted, not named), and its page stays byte for byte the same
// after new signatures, a change of display and a change of settings (a
// withdrawal is TestWithdrawalLeavesDatedLists); a second list the same day
// is refused.
func TestDatedListNeverChanges(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, letterPath := s.publishedLetter("c@example.org", "Org")
	s.signAndKeepLink(handlertest.SignForm("Igor Blazevic", "CZ", "igor@example.org"))
	anonymous := handlertest.SignForm("Aida Abbasova", "AZ", "aida@example.org")
	anonymous.Set("display", "anonymous")
	aida := s.signAndKeepLink(anonymous)
	counted := handlertest.SignForm("Cora Quist", "BY", "cora@example.org")
	counted.Set("display", "counted")
	s.signAndKeepLink(counted)
	s.signAndKeepLink(url.Values{"kind": {"organisation"}, "name": {"Tinatin Khidasheli"}, "affiliation": {"Civic IDEA"}, "country": {"GE"},
		"email": {"office@civicidea.example"}, "display": {"full"}, "agree": {"true"}})

	dated := publishList(t, coord, letterPath)
	first := s.client().Get(dated).Expect(t, http.StatusOK, "Signatories as of", "4 signatures", "Organisations (1)", "Civic IDEA, Georgia",
		"Individuals (2)", "Igor Blazevic, Czechia", "Anonymous, Azerbaijan", "1 more person signed without being named.",
		"except those withdrawn since", `<meta name="robots" content="noindex">`)
	assertAbsent(t, map[string]string{"dated list": first.Body}, "Abbasova", "Aida", "Quist", "Cora", "_csrf", "Changes since")
	if first.Header.Get("Set-Cookie") != "" {
		t.Errorf("the dated list sets a cookie: %q", first.Header.Get("Set-Cookie"))
	}
	if r := coord.Get(dated).Expect(t, http.StatusOK); r.Body != first.Body {
		t.Error("a logged-in coordinator reads a different dated list than a visitor")
	}
	s.client().Get(seedSlug).Expect(t, http.StatusOK, "Published lists", `href="`+dated+`"`, "(4 signatures)")

	coord.Get(letterPath)
	coord.Post(letterPath+"/snapshots", url.Values{}).Expect(t, http.StatusConflict, "already published as of today")

	s.signAndKeepLink(handlertest.SignForm("Maiko Ichihara", "JP", "maiko@example.org"))
	readUnchanged(t, s, dated, first.Body, "a new signature")
	visitor := s.client()
	visitor.Get(aida)
	visitor.Post(aida+"/display", url.Values{"display": {"full"}}).Expect(t, http.StatusSeeOther)
	readUnchanged(t, s, dated, first.Body, "a change of display")
	coord.Get(letterPath)
	settings := withSettings("allow_indexing")
	settings.Set("list_order", "signed")
	settings.Set("lang", "fr")
	coord.Post(letterPath+"/settings", settings).Expect(t, http.StatusSeeOther)
	readUnchanged(t, s, dated, first.Body, "a change of settings")

	// The current list has moved on; the letter, now in French, names countries in French.
	s.client().Get(seedSlug).Expect(t, http.StatusOK, "Aida Abbasova, Azerbaïdjan", "Maiko Ichihara, Japon")
	for _, missing := range []string{dated + "?page=2", strings.Replace(dated, "as-of/", "as-of/1999-", 1), dated[:len(dated)-2] + "32"} {
		s.client().Get(missing).Expect(t, http.StatusNotFound)
	}
}

// TestWithdrawalLeavesDatedLists: a signer who withdraws is taken off the
// dated lists already published, as the withdrawal page says: the entry is
// gone, the counts agree with what is shown, the list keeps its date and
// says how many entries were withdrawn, and the next day's list does not
// bring the name back. A coordinator's removal of a fake does the same.
func TestWithdrawalLeavesDatedLists(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, letterPath := s.publishedLetter("c@example.org", "Org")
	igor := s.signAndKeepLink(handlertest.SignForm("Igor Blazevic", "CZ", "igor@example.org"))
	s.signAndKeepLink(handlertest.SignForm("Maiko Ichihara", "JP", "maiko@example.org"))
	s.signAndKeepLink(handlertest.SignForm("Fake Person", "RU", "fake@example.org"))
	dated := publishList(t, coord, letterPath)
	date := `<time datetime="` + dated[len(dated)-10:] + `">`
	s.client().Get(dated).Expect(t, http.StatusOK, "3 signatures", "Individuals (3)", "Igor Blazevic, Czechia")

	visitor := s.client()
	visitor.Get(igor).Expect(t, http.StatusOK, "from every dated list already published", "cannot be recalled")
	visitor.Post(igor+"/withdraw", url.Values{}).Expect(t, http.StatusOK, "nor on the dated lists already published")
	after := s.client().Get(dated).Expect(t, http.StatusOK, date, "2 signatures", "Individuals (2)", "Maiko Ichihara, Japan",
		"1 entry withdrawn since publication")
	assertAbsent(t, map[string]string{"dated list": after.Body}, "Igor", "Blazevic")
	if got := after.Header.Get("Cache-Control"); strings.Contains(got, "max-age") {
		t.Errorf("the dated list may be kept by caches: Cache-Control %q", got)
	}
	s.client().Get(seedSlug).Expect(t, http.StatusOK, `href="`+dated+`"`, "(2 signatures)")

	coord.Get(letterPath + "/signatures")
	var fake int64
	if err := s.store.EachSignature(context.Background(), s.letter(), func(sig *models.Signature) error {
		if sig.Name == "Fake Person" {
			fake = sig.ID
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	coord.Post(letterPath+"/signatures/batch", url.Values{"action": {"remove"}, "sig": {strconv.FormatInt(fake, 10)}, "reason": {"Not a real person"}}).Expect(t, http.StatusSeeOther)
	after = s.client().Get(dated).Expect(t, http.StatusOK, date, "1 signature", "Individuals (1)", "Maiko Ichihara, Japan",
		"2 entries withdrawn since publication")
	assertAbsent(t, map[string]string{"dated list": after.Body}, "Igor", "Fake Person", "1 entry withdrawn")
}

// TestHidingYourNameLeavesDatedLists: a signer who comes to fear for
// their safety and chooses to appear as "Anonymous", or counted only, has
// their name taken off the dated lists already published, as a withdrawal
// does: a dated list is public at a permanent address, and the name on it
// is what put them at risk. Choosing to be named again changes none.
func TestHidingYourNameLeavesDatedLists(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, letterPath := s.publishedLetter("c@example.org", "Org")
	igor := s.signAndKeepLink(handlertest.SignForm("Igor Blazevic", "CZ", "igor@example.org"))
	cora := s.signAndKeepLink(handlertest.SignForm("Cora Quist", "BY", "cora@example.org"))
	s.signAndKeepLink(handlertest.SignForm("Maiko Ichihara", "JP", "maiko@example.org"))
	dated := publishList(t, coord, letterPath)
	s.client().Get(dated).Expect(t, http.StatusOK, "Igor Blazevic, Czechia", "Cora Quist, Belarus")

	for link, display := range map[string]string{igor: "anonymous", cora: "counted"} {
		visitor := s.client()
		visitor.Get(link).Expect(t, http.StatusOK, "also takes your name off every dated list already published")
		visitor.Post(link+"/display", url.Values{"display": {display}}).Expect(t, http.StatusSeeOther)
	}
	after := s.client().Get(dated).Expect(t, http.StatusOK, "Maiko Ichihara, Japan", "2 entries withdrawn since publication")
	assertAbsent(t, map[string]string{"dated list": after.Body}, "Igor", "Blazevic", "Cora", "Quist")

	visitor := s.client()
	visitor.Get(igor)
	visitor.Post(igor+"/display", url.Values{"display": {"full"}}).Expect(t, http.StatusSeeOther)
	readUnchanged(t, s, dated, after.Body, "a choice to be named again")
}

// TestDatedListKeepsItsTextAfterAnEdit: a list published before anyone
// signed keeps the title it had, though the text was edited afterwards.
func TestDatedListKeepsItsTextAfterAnEdit(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, letterPath := s.publishedLetter("c@example.org", "Org")
	dated := publishList(t, coord, letterPath)
	first := s.client().Get(dated).Expect(t, http.StatusOK, "No one has signed yet.", "Joint statement on the human rights situation in Azerbaijan")

	coord.Get(letterPath)
	edit := handlertest.LetterForm("save")
	edit.Set("title", "Corrected statement on Azerbaijan")
	edit.Set("slug", strings.TrimPrefix(seedSlug, "/letters/"))
	coord.Post(letterPath, edit).Expect(t, http.StatusSeeOther)
	s.client().Get(seedSlug).Expect(t, http.StatusOK, "Corrected statement on Azerbaijan")
	readUnchanged(t, s, dated, first.Body, "a text edit")
	s.signAndKeepLink(handlertest.SignForm("Igor Blazevic", "CZ", "igor@example.org"))
	readUnchanged(t, s, dated, first.Body, "a signature")
}

// TestDatedListPages: a long dated list reads 100 entries a page, each page
// frozen.
func TestDatedListPages(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, letterPath := s.publishedLetter("c@example.org", "Org")
	l := s.letter()
	for i := range 150 {
		in := models.NewSignature{Kind: models.KindIndividual, Name: "Signer " + strconv.Itoa(1000+i), Country: "CZ", Email: modeltest.SignerEmail(i)}
		if _, err := s.store.AddSignature(context.Background(), l.ID, in, modeltest.Mail); err != nil {
			t.Fatal(err)
		}
	}
	dated := publishList(t, coord, letterPath)
	one := s.client().Get(dated).Expect(t, http.StatusOK, "150 signatures", "Signer 1000, Czechia", "Signer 1099, Czechia", "Page 1 of 2")
	two := s.client().Get(dated+"?page=2").Expect(t, http.StatusOK, "Signer 1100, Czechia", "Signer 1149, Czechia", "Page 2 of 2")
	if strings.Contains(one.Body, "Signer 1100") || strings.Contains(two.Body, "Signer 1099") {
		t.Error("pages overlap")
	}
	s.signAndKeepLink(handlertest.SignForm("Aaron Early", "CZ", "aaron@example.org"))
	readUnchanged(t, s, dated+"?page=2", two.Body, "a signature")
	s.client().Get(dated+"?page=3").Expect(t, http.StatusNotFound)
}

// TestLetterUpdates: a coordinator posts dated updates; the letter's page
// shows them newest first above the list, and the index the latest one's
// date and beginning. An empty one is refused with the form kept.
func TestLetterUpdates(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, letterPath := s.publishedLetter("c@example.org", "Org")
	coord.Get(letterPath).Expect(t, http.StatusOK, "No updates yet.", `name="update_on"`)
	post := func(on, body string) handlertest.Response {
		coord.Get(letterPath)
		return coord.Post(letterPath+"/updates", url.Values{"update_on": {on}, "update_body": {body}})
	}
	post("2017-02-01", "The statement was delivered to the *Parliamentary Assembly*.").Expect(t, http.StatusSeeOther)
	post("2017-02-08", "Two of the prisoners were **released** on 7 February. <script>alert(1)</script>").Expect(t, http.StatusSeeOther)
	post("2017-02-09", "").Expect(t, http.StatusUnprocessableEntity, "Please correct the following", `value="2017-02-09"`)

	page := s.client().Get(seedSlug).Expect(t, http.StatusOK,
		`Update of <time datetime="2017-02-08">February 8, 2017</time>`, "<strong>released</strong>",
		`Update of <time datetime="2017-02-01">February 1, 2017</time>`, "<em>Parliamentary Assembly</em>")
	assertOrder(t, page.Body, "February 8, 2017", "February 1, 2017", `id="signatories-title"`)
	if strings.Contains(page.Body, "<script>alert") {
		t.Error("the update's script is on the page")
	}
	s.client().Get("/").Expect(t, http.StatusOK).ExpectMarkup(t, `February 8, 2017</time></strong> — <bdi lang="en">Two of the prisoners were released on 7 February.`)

	editor := coord.Get(letterPath).Expect(t, http.StatusOK)
	ids := regexp.MustCompile(`action="(`+letterPath+`/updates/\d+/delete)"`).FindAllStringSubmatch(editor.Body, -1)
	if len(ids) != 2 {
		t.Fatalf("the editor has %d delete buttons, want 2", len(ids))
	}
	coord.Post(ids[0][1], url.Values{}).Expect(t, http.StatusSeeOther)
	index := s.client().Get("/").Expect(t, http.StatusOK).ExpectMarkup(t, `February 1, 2017</time></strong> — <bdi lang="en">The statement was delivered`)
	if strings.Contains(index.Body, "released") {
		t.Error("the index still shows the deleted update")
	}
	coord.Post(ids[0][1], url.Values{}).Expect(t, http.StatusNotFound)
}

// TestDatedListShowsWhatChanged renders a dated list's page with changes
// since the previous one, as the store computes them (see the models'
// TestSnapshotFreezesTheListAsItRead): the store's clock cannot be moved
// from here to publish on two dates.
func TestDatedListShowsWhatChanged(t *testing.T) {
	tmpl, err := views.Parse()
	if err != nil {
		t.Fatal(err)
	}
	asOf := time.Date(2024, 11, 12, 0, 0, 0, 0, time.UTC)
	v := handlers.SnapshotView{
		Letter:   handlers.LetterView{Title: "Joint statement", Slug: "joint-statement", Lang: "en", AsOf: asOf, Count: 3},
		Previous: &handlers.DatedListView{AsOf: asOf.AddDate(0, 0, -1), URL: "/letters/joint-statement/as-of/2024-11-11"},
		Added:    []string{"Maiko Ichihara, Japan"}, AddedCount: 1,
		Gone: []string{"Igor Blazevic, Czechia", "Anonymous, Azerbaijan"}, GoneCount: 150, GoneMore: 148,
	}
	var b strings.Builder
	if err := tmpl.Render(&b, "snapshot", &views.Page{Lang: "en", Data: v}); err != nil {
		t.Fatal(err)
	}
	assertOrder(t, handlertest.WithoutIsolates(b.String()), `Changes since the list as of <a href="/letters/joint-statement/as-of/2024-11-11" dir="auto"><time datetime="2024-11-11">November 11, 2024</time></a>`,
		"Added (1)", "Maiko Ichihara, Japan", "Shown differently since (150)", "Igor Blazevic, Czechia", "Anonymous, Azerbaijan", "and 148 more.")

	v.Added, v.Gone, v.AddedCount, v.GoneCount, v.GoneMore = nil, nil, 0, 0, 0
	b.Reset()
	if err := tmpl.Render(&b, "snapshot", &views.Page{Lang: "en", Data: v}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "No changes.") {
		t.Error("an unchanged list does not say so")
	}
}

// TestADatedListIsFrozenInTheLettersLanguage: a coordinator who reads the
// interface in French publishes the list of an English letter: its frozen
// entries read in English, "Anonymous" as the country names, not "Anonyme".
func TestADatedListIsFrozenInTheLettersLanguage(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, letterPath := s.publishedLetter("c@example.org", "Org")
	anonymous := handlertest.SignForm("Aida Abbasova", "AZ", "aida@example.org")
	anonymous.Set("display", "anonymous")
	s.signAndKeepLink(anonymous)

	coord.Cookies["lang"] = "fr"
	coord.Get(letterPath)
	coord.Post(letterPath+"/snapshots", url.Values{}).Expect(t, http.StatusSeeOther)
	dated := seedSlug + "/as-of/" + time.Now().UTC().Format(time.DateOnly)
	r := s.client().Get(dated).Expect(t, http.StatusOK, "<li>Anonymous, Azerbaijan</li>")
	if word := views.Message("fr", "list.anonymous"); strings.Contains(r.Body, word) {
		t.Errorf("the English letter's dated list reads %q, the coordinator's interface language", word)
	}
}
