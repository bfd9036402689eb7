package handlers_test

import (
	"context"
	"fmt"
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

// signIn signs the seed letter as a new visitor, and confirms when asked.
func (s *site) signIn(name, country, email string, confirm bool) {
	s.t.Helper()
	v := s.client()
	v.Get(seedSlug)
	v.Post(seedSlug+"/sign", handlertest.SignForm(name, country, email)).Expect(s.t, http.StatusSeeOther)
	if confirm {
		v.Confirm(s.mailedLink(email, "/confirm/"))
	}
}

// The letter's editor and the dashboard say what needs doing, each count
// a link to the page that lists what it counts, and that page lists them.
func TestOverviewSaysWhatNeedsDoingAndLinksToIt(t *testing.T) {
	store, dsn := modeltest.OpenDSN(t)
	raw := modeltest.RawDB(t, dsn)
	s := newSiteOn(t, store, handlers.Config{})
	settings := withSettings("confirm_email", "review_individuals")
	closes := time.Now().UTC().AddDate(0, 0, 3)
	settings.Set("closes_on", closes.Format(time.DateOnly))
	coord, letterPath := s.openLetter("c@example.org", "Org", settings)
	s.signIn("Leyla Yunus", "AZ", "leyla@example.org", true)
	s.signIn("Arif Yunus", "AZ", "arif@example.org", true)
	s.signIn("Jakub Klepal", "CZ", "jakub@example.org", false)
	s.signIn("Igor Blazevic", "CZ", "igor@example.org", false)
	s.signIn("Maiko Ichihara", "JP", "maiko@example.org", false)
	modeltest.Exec(t, raw, dsn, "UPDATE signatures SET created_at = ? WHERE email IN (?, ?)", time.Now().UTC().Add(-50*time.Hour), "jakub@example.org", "leyla@example.org")
	modeltest.Exec(t, raw, dsn, "UPDATE signatures SET created_at = ? WHERE email = ?", time.Now().UTC().Add(-30*time.Hour), "igor@example.org")
	l := s.letter()
	for i, email := range []string{"a@forum.example", "b@krik.example", "c@cnis.example", "signed@sapari.example"} {
		partner, err := store.AddPartner(context.Background(), l.OrganisationID, models.PartnerInput{Name: "Partner " + email})
		if err != nil {
			t.Fatal(err)
		}
		contact, err := store.AddPartnerContact(context.Background(), partner.ID, models.PartnerContact{Name: email, Email: email})
		if err != nil {
			t.Fatal(err)
		}
		modeltest.Exec(t, raw, dsn, "INSERT INTO sign_invitations (letter_id, partner_id, contact_id, token_hash, invited_at) VALUES (?, ?, ?, ?, ?)",
			l.ID, partner.ID, contact.ID, fmt.Sprintf("hash-%d", i), time.Now().UTC())
	}
	modeltest.Exec(t, raw, dsn, "UPDATE sign_invitations SET signed_at = ? WHERE token_hash = ?", time.Now().UTC(), "hash-3")

	signatures := letterPath + "/signatures?"
	lines := []string{
		`<a href="` + signatures + `status=in_review">2 waiting for review</a>`,
		`<a href="` + signatures + `signed=before48h&amp;status=unconfirmed">1 unconfirmed for over 48 hours</a>`,
		`<a href="` + letterPath + `/invitations?status=unanswered">3 partners not answered</a>`,
		`<a href="` + signatures + `signed=last24h">2 new since yesterday</a>`,
		"Closes in 3 days, on " + views.FormatDate("en", closes),
	}
	coord.Get(letterPath).Expect(t, http.StatusOK, "What needs doing").ExpectMarkup(t, lines...)
	coord.Get("/dashboard").Expect(t, http.StatusOK).ExpectMarkup(t, lines...)

	for link, want := range map[string][]string{
		signatures + "status=in_review":                    {"Arif Yunus", "Leyla Yunus"}, // newest first
		signatures + "signed=before48h&status=unconfirmed": {"Jakub Klepal"},
		signatures + "signed=last24h":                      {"Maiko Ichihara", "Arif Yunus"},
	} {
		page := coord.Get(link).Expect(t, http.StatusOK, views.Message("en", "overview.matches", "count", len(want))).Body
		if got := tickableEntries(page); strings.Join(got, "; ") != strings.Join(want, "; ") {
			t.Errorf("%s lists %q, want %q", link, got, want)
		}
	}
}

// tickable finds a row's checkbox on the signatures page, with the signer
// its label names.
var tickable = regexp.MustCompile(`name="sig" value="(\d+)"[^>]*><label for="sig-\d+" class="visually-hidden">[^:<]+: (?:<bdi>)?([^<,]+)`)

// tickableEntries returns the names of the rows of a signatures page, newest first.
func tickableEntries(page string) []string {
	var out []string
	for _, m := range tickable.FindAllStringSubmatch(page, -1) {
		out = append(out, m[2])
	}
	return out
}

// tickableIDs returns the ids of a signatures page's rows, by name.
func tickableIDs(page string) map[string]string {
	out := map[string]string{}
	for _, m := range tickable.FindAllStringSubmatch(page, -1) {
		out[m[2]] = m[1]
	}
	return out
}

// The signatures page searches and filters: the values stay in the form,
// the page says how many match, its pages keep them, a % typed is a %,
// and a search too long or a filter that is none of the choices is
// refused beside its field.
func TestSignaturesPageSearchesAndFilters(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, letterPath := s.publishedLetter("c@example.org", "Org")
	s.signIn("Leyla Yunus", "AZ", "leyla@example.org", false)
	s.signIn("Jakub Klepal", "CZ", "jakub@forum.example", false)
	s.signIn("Pavel 100% Novak", "SK", "pavel@example.org", false)
	for i := range 55 {
		s.signIn(fmt.Sprintf("Crowd Signer %d", i), "FR", fmt.Sprintf("crowd%d@example.org", i), false)
	}

	page := coord.Get(letterPath+"/signatures?q=forum.example").Expect(t, http.StatusOK, "1 signature matches", "Show all signatures").
		ExpectMarkup(t, `name="q" type="search" value="forum.example"`).Body
	if got := tickableEntries(page); len(got) != 1 || got[0] != "Jakub Klepal" {
		t.Errorf("a search for an address lists %q", got)
	}
	if got := tickableEntries(coord.Get(letterPath + "/signatures?q=Azerbaïdjan").Body); len(got) != 0 {
		t.Errorf("a country in French, in the English interface, lists %q", got)
	}
	if got := tickableEntries(coord.Get(letterPath + "/signatures?q=azerbai").Body); len(got) != 1 || got[0] != "Leyla Yunus" {
		t.Errorf("a country by name lists %q", got)
	}
	if got := tickableEntries(coord.Get(letterPath + "/signatures?q=%25").Body); len(got) != 1 || got[0] != "Pavel 100% Novak" {
		t.Errorf("a %% typed lists %q", got)
	}
	crowd := coord.Get(letterPath+"/signatures?q=crowd&status=listed&kind=individual").Expect(t, http.StatusOK, "55 signatures match").
		ExpectMarkup(t, `<option value="listed" selected>`, `<option value="individual" selected>`,
			`href="`+letterPath+`/signatures?kind=individual&amp;page=2&amp;q=crowd&amp;status=listed" rel="next"`)
	if n := len(tickableEntries(crowd.Body)); n != 50 {
		t.Errorf("the first page lists %d signatures, want 50", n)
	}
	if n := len(tickableEntries(coord.Get(letterPath + "/signatures?kind=individual&page=2&q=crowd&status=listed").Body)); n != 5 {
		t.Errorf("the second page lists %d signatures, want 5", n)
	}
	coord.Get(letterPath+"/signatures?kind=organisation").Expect(t, http.StatusOK, "0 signatures match", "No signature matches.")

	long := strings.Repeat("a", 201)
	coord.Get(letterPath+"/signatures?q="+long+"&status=listed").Expect(t, http.StatusUnprocessableEntity,
		"at most 200 characters").ExpectMarkup(t, `href="#f-q"`, `value="`+long+`"`)
	coord.Get(letterPath+"/signatures?status=deleted").Expect(t, http.StatusUnprocessableEntity, "Please choose one of the options.").
		ExpectMarkup(t, `href="#f-status"`)
	coord.Get(letterPath+"/signatures?version=fr").Expect(t, http.StatusUnprocessableEntity).ExpectMarkup(t, `href="#f-version"`)
	coord.Get(letterPath+"/signatures?lang=fr").Expect(t, http.StatusOK, "Signatures", "Rechercher") // the interface's language, no filter
}

// The batch form acts on exactly the ticked rows, in one go, through the
// functions of a status change: the public list and its count follow. A
// removal asks its reason and comes back with the rows still ticked; a
// ticked row of another letter refuses the batch, which changes nothing.
func TestBatchActsOnTheTickedSignatures(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, letterPath := s.openLetter("c@example.org", "Org", withSettings("review_individuals"))
	for _, name := range []string{"Leyla Yunus", "Arif Yunus", "Jakub Klepal", "Maiko Ichihara"} {
		s.signIn(name, "AZ", strings.ToLower(strings.Fields(name)[0])+"@example.org", false)
	}
	ids := tickableIDs(coord.Get(letterPath+"/signatures").Expect(t, http.StatusOK, "4 signatures wait for review").Body)
	public := func(want ...string) {
		t.Helper()
		page := s.client().Get(seedSlug).Expect(t, http.StatusOK, fmt.Sprintf("%d signature", len(want))).Body
		for _, name := range []string{"Leyla Yunus", "Arif Yunus", "Jakub Klepal", "Maiko Ichihara"} {
			if listed := strings.Contains(page, name+", Azerbaijan"); listed != strings.Contains(strings.Join(want, ";"), name) {
				t.Errorf("%s listed: %v, want %v", name, listed, !listed)
			}
		}
	}
	batch := func(action, reason string, ticked ...string) handlertest.Response {
		form := url.Values{"action": {action}, "reason": {reason}, "q": {"example.org"}}
		for _, name := range ticked {
			form.Add("sig", ids[name])
		}
		return coord.Post(letterPath+"/signatures/batch", form)
	}

	r := batch("approve", "", "Leyla Yunus", "Arif Yunus", "Maiko Ichihara").Expect(t, http.StatusSeeOther)
	coord.Get(r.Location).Expect(t, http.StatusOK, "Approved: 3.").ExpectMarkup(t, `name="q" type="search" value="example.org"`)
	public("Leyla Yunus", "Arif Yunus", "Maiko Ichihara")

	coord.Get(letterPath + "/signatures")
	r = batch("reject", "", "Leyla Yunus", "Jakub Klepal").Expect(t, http.StatusSeeOther)
	coord.Get(r.Location).Expect(t, http.StatusOK, "Rejected: 1.", "1 ticked signature was not waiting for review and stays as it was.")
	public("Leyla Yunus", "Arif Yunus", "Maiko Ichihara")

	coord.Get(letterPath + "/signatures")
	batch("remove", "", "Arif Yunus", "Maiko Ichihara").Expect(t, http.StatusUnprocessableEntity, "Enter why the signature is removed").
		ExpectMarkup(t, `href="#f-reason"`, `value="`+ids["Arif Yunus"]+`" checked>`, `value="`+ids["Maiko Ichihara"]+`" checked>`,
			`<option value="remove" selected>`)
	coord.Post(letterPath+"/signatures/batch", url.Values{"action": {"approve"}}).Expect(t, http.StatusUnprocessableEntity,
		"Tick at least one signature in the list.").ExpectMarkup(t, `href="#f-sig"`)
	public("Leyla Yunus", "Arif Yunus", "Maiko Ichihara")
	r = batch("remove", "Signed twice", "Arif Yunus", "Maiko Ichihara").Expect(t, http.StatusSeeOther)
	coord.Get(r.Location).Expect(t, http.StatusOK, "Removed: 2.", "removed: Arif Yunus, Azerbaijan — Signed twice")
	public("Leyla Yunus")

	// A signature of another letter, even one of the same coordinator's.
	coord.Get("/dashboard/letters/new")
	other := strings.TrimSuffix(coord.Post("/dashboard/letters", url.Values{"title": {"Another letter"}, "action": {"save"}}).
		Expect(t, http.StatusSeeOther).Location, "?saved=1")
	coord.Get(other)
	coord.Post(other+"/state", url.Values{"state": {"open"}}).Expect(t, http.StatusSeeOther)
	coord.Post(other+"/signatures/batch", url.Values{"action": {"remove"}, "reason": {"x"}, "sig": {ids["Leyla Yunus"]}}).Expect(t, http.StatusNotFound)
	coord.Get(letterPath + "/signatures")
	form := url.Values{"action": {"remove"}, "reason": {"x"}, "sig": {ids["Leyla Yunus"], "999999"}}
	coord.Post(letterPath+"/signatures/batch", form).Expect(t, http.StatusNotFound)
	public("Leyla Yunus")
	stranger := s.coordinator("d@example.org", "Other Org")
	stranger.Get("/dashboard")
	stranger.Post(letterPath+"/signatures/batch", url.Values{"action": {"remove"}, "reason": {"x"}, "sig": {ids["Leyla Yunus"]}}).
		Expect(t, http.StatusNotFound)
	public("Leyla Yunus")
}

// A batch ticks at most a page's worth of signatures many times over: a
// crafted form with more is refused before it reaches the database, and
// changes nothing.
func TestBatchRefusesTooManyTickedSignatures(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, letterPath := s.openLetter("c@example.org", "Org", withSettings("review_individuals"))
	s.signIn("Leyla Yunus", "AZ", "leyla@example.org", false)
	id := tickableIDs(coord.Get(letterPath + "/signatures").Body)["Leyla Yunus"]
	form := url.Values{"action": {"approve"}, "sig": {id}}
	for i := range 500 {
		form.Add("sig", strconv.Itoa(1000+i))
	}
	coord.Post(letterPath+"/signatures/batch", form).Expect(t, http.StatusUnprocessableEntity, "Select at most 500 at a time").ExpectMarkup(t, `href="#f-sig"`)
	if l := s.letter(); l.IndividualCount != 0 {
		t.Errorf("the refused batch listed %d signatures", l.IndividualCount)
	}
}
