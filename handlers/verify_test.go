package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"undersigned/handlers"
	"undersigned/handlers/handlertest"
	"undersigned/models"
	"undersigned/models/modeltest"
)

// signAndConfirm signs the seed letter with form through the public form
// and confirms from the emailed link; it returns the confirmation page.
func (s *site) signAndConfirm(form url.Values) handlertest.Response {
	s.t.Helper()
	v := s.client()
	v.Get(seedSlug)
	v.Post(seedSlug+"/sign", form).Expect(s.t, http.StatusSeeOther)
	return v.Confirm(s.mailedLink(form.Get("email"), "/confirm/"))
}

// verifiedMark is the public list's mark of a verified organisation.
const verifiedMark = `<span class="verified" title="verified"><span aria-hidden="true">✓</span><span class="visually-hidden">verified</span></span>`

// publicOutputs are the outputs of the seed letter's public list that mark
// verified organisations: the page, the full list, print, JSON and CSV.
func (s *site) publicOutputs() map[string]handlertest.Response {
	s.t.Helper()
	v := s.client()
	out := map[string]handlertest.Response{}
	for _, path := range []string{seedSlug, seedSlug + "/signatories", seedSlug + "/print", seedSlug + "/signatories.json", seedSlug + "/signatories.csv"} {
		out[path] = v.Get(path).Expect(s.t, http.StatusOK)
	}
	return out
}

// checkMarks fails unless every public output marks exactly the verified
// organisations among entries.
func checkMarks(t *testing.T, outputs map[string]handlertest.Response, verified map[string]bool) {
	t.Helper()
	for path, r := range outputs {
		switch {
		case strings.HasSuffix(path, ".json"):
			var page handlers.APISignatoriesPage
			decodeJSON(t, r, &page)
			for _, e := range page.Signatories {
				if e.Verified != verified[e.Entry] {
					t.Errorf("%s: %s verified %v, want %v", path, e.Entry, e.Verified, verified[e.Entry])
				}
			}
		case strings.HasSuffix(path, ".csv"):
			rows := readCSV(t, r)
			for _, row := range rows[1:] {
				if want := strconv.FormatBool(verified[row[7]]); row[8] != want {
					t.Errorf("%s: %s verified %q, want %q", path, row[7], row[8], want)
				}
			}
		default:
			for entry, marked := range verified {
				if got := strings.Contains(handlertest.WithoutIsolates(r.Markup), entry+" "+verifiedMark); got != marked {
					t.Errorf("%s: %s marked %v, want %v", path, entry, got, marked)
				}
			}
		}
	}
}

// TestVerifiedEndorsements walks the coordinator's side of verified
// endorsements: a partner signing from its domain is listed at once on a
// letter that reviews organisations; a webmail address waits, and the
// queue shows who signs, in what role, the domain with ✓ or ✗, and warns
// of the duplicate organisation, which is merged into the existing entry
// (the public count drops by one); verifying by hand is logged; the public
// list marks verified organisations only once the letter says so; the
// coordinators' CSV says how each was verified.
func TestVerifiedEndorsements(t *testing.T) {
	ctx := context.Background()
	store, dsn := modeltest.OpenDSN(t)
	s := newSiteOn(t, store, handlers.Config{})
	coord, letterPath := s.openLetter("c@example.org", "Org", nil) // confirmation by email, review of organisations
	l := s.letter()
	if _, err := store.AddPartner(ctx, l.OrganisationID, models.PartnerInput{Name: "Civic IDEA", Domains: "civicidea.example"}); err != nil {
		t.Fatal(err)
	}

	partner := handlertest.OrgForm("Tinatin Khidasheli", "Civic IDEA", "GE", "tinatin@civicidea.example")
	partner.Set("role", "Chair")
	s.signAndConfirm(partner).Expect(t, http.StatusOK, "Your signature is now on the letter.")
	webmail := handlertest.OrgForm("Giorgi Meladze", "Civic Idea", "GE", "civic.idea.ge@gmail.com")
	webmail.Set("role", "Volunteer")
	s.signAndConfirm(webmail).Expect(t, http.StatusOK, "yours will appear once reviewed")
	s.signAndConfirm(handlertest.OrgForm("Stevan Dojcinovic", "KRIK", "RS", "stevan@krik.example")).Expect(t, http.StatusOK, "once reviewed")
	s.signAndConfirm(handlertest.SignForm("Leyla Yunus", "AZ", "leyla@civicidea.example"))
	if l = s.letter(); l.OrganisationCount != 1 || l.IndividualCount != 1 {
		t.Fatalf("%d organisations and %d individuals listed, want the verified partner and the individual", l.OrganisationCount, l.IndividualCount)
	}
	// KRIK joins the directory while its signature waits: the queue finds its domain.
	if _, err := store.AddPartner(ctx, l.OrganisationID, models.PartnerInput{Name: "KRIK", Domains: "krik.example"}); err != nil {
		t.Fatal(err)
	}

	queue := coord.Get(letterPath+"/review").Expect(t, http.StatusOK, "Waiting: 2",
		"Signed by Giorgi Meladze, Volunteer", "Signed by Stevan Dojcinovic</p>",
		`Email domain: gmail.com <span class="domain-mismatch"><span aria-hidden="true">✗</span><span class="visually-hidden">not one of this organisation’s domains`,
		`Email domain: krik.example <span class="domain-match"><span aria-hidden="true">✓</span><span class="visually-hidden">one of this organisation’s domains`,
		"Possibly the same organisation as Civic IDEA, Georgia.", "That entry is on the list.")
	ids := reviewIDs(queue.Body)
	duplicate, krik := ids["Civic Idea, Georgia"], ids["KRIK, Serbia"]
	first := regexp.MustCompile(`formaction="` + letterPath + `/signatures/` + duplicate + `/merge" name="into" value="(\d+)"`).FindStringSubmatch(queue.Markup)
	if duplicate == "" || krik == "" || first == nil {
		t.Fatalf("the queue lacks the duplicate's merge button or an entry: %v", ids)
	}
	if strings.Count(queue.Body, "Possibly the same organisation") != 1 {
		t.Error("the queue warns of a duplicate beside KRIK too")
	}

	// Both approved, the organisation is listed twice; merged, once.
	coord.Post(letterPath+"/review", url.Values{"ids": {duplicate}, "action": {"approve"}}).Expect(t, http.StatusSeeOther)
	if l = s.letter(); l.OrganisationCount != 2 {
		t.Fatalf("%d organisations after approval, want 2", l.OrganisationCount)
	}
	for _, refused := range []url.Values{{"into": {duplicate}}, {"into": {"0"}}, {"into": {"x"}}} {
		coord.Post(letterPath+"/signatures/"+duplicate+"/merge", refused).Expect(t, http.StatusUnprocessableEntity, "cannot be merged into that entry")
	}
	r := coord.Post(letterPath+"/signatures/"+duplicate+"/merge", url.Values{"into": {first[1]}}).Expect(t, http.StatusSeeOther)
	coord.Get(r.Location).Expect(t, http.StatusOK, "Merged:")
	if l = s.letter(); l.OrganisationCount != 1 {
		t.Errorf("%d organisations after the merge, want 1", l.OrganisationCount)
	}
	pages := s.publicPages()
	if strings.Contains(pages["full list"], "Civic Idea,") || !strings.Contains(pages["full list"], "Civic IDEA, Georgia") {
		t.Error("the full list does not show the organisation once, as its existing entry")
	}

	// The public list marks no one while the letter does not mark verified organisations.
	checkMarks(t, s.publicOutputs(), map[string]bool{"Civic IDEA, Georgia": false, "Leyla Yunus, Azerbaijan": false})
	if _, err := modeltest.RawDB(t, dsn).Exec("UPDATE letters SET mark_verified = true"); err != nil {
		t.Fatal(err)
	}

	// Verified by hand, and logged; an individual is not verified, another letter's signature not found.
	coord.Post(letterPath+"/signatures/"+krik+"/verify", url.Values{}).Expect(t, http.StatusSeeOther)
	coord.Post(letterPath+"/review", url.Values{"approve": {krik}}).Expect(t, http.StatusSeeOther)
	sigs, _, err := store.CoordinatorSignatures(ctx, l, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, sig := range sigs {
		if sig.Kind == models.KindIndividual {
			coord.Post(letterPath+"/signatures/"+strconv.FormatInt(sig.ID, 10)+"/verify", url.Values{}).
				Expect(t, http.StatusUnprocessableEntity, "Only an organisation’s signature can be verified")
		}
	}
	coord.Post(letterPath+"/signatures/99999/verify", url.Values{}).Expect(t, http.StatusNotFound)
	coord.Get(letterPath+"/signatures").Expect(t, http.StatusOK, "Coordinator Org (Org): verified by hand: KRIK",
		"Coordinator Org (Org): merged a duplicate organisation: Civic Idea, Georgia → Civic IDEA, Georgia")
	csv := readCSV(t, coord.Get(letterPath+"/signatures.csv").Expect(t, http.StatusOK))
	how := map[string]string{}
	for _, row := range csv[1:] {
		who := row[3] // an organisation's name, or a person's
		if row[0] == "individual" {
			who = row[2]
		}
		how[who] = row[11]
	}
	if csv[0][11] != "verified" || len(how) != 3 || how["Civic IDEA"] != "domain" || how["KRIK"] != "hand" || how["Leyla Yunus"] != "" {
		t.Errorf("the coordinators' CSV says %q of %v, want domain, hand, and nothing of a person", csv[0], how)
	}

	// Now the letter marks them, in every output of its list.
	checkMarks(t, s.publicOutputs(), map[string]bool{"Civic IDEA, Georgia": true, "KRIK, Serbia": true, "Leyla Yunus, Azerbaijan": false})
}

// The signatures page's batch verifies the ticked organisations by hand,
// says how many and how many it left (a person, an organisation verified
// already, a box ticked twice counted once), logs each, shows on every
// row how it was verified, and its "verified" filter finds them.
func TestBatchVerifiesTheTickedOrganisations(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, letterPath := s.openLetter("c@example.org", "Org", nil) // confirmation by email, review of organisations
	s.signAndConfirm(handlertest.OrgForm("Stevan Dojcinovic", "KRIK", "RS", "stevan@krik.example"))
	s.signAndConfirm(handlertest.OrgForm("Giorgi Meladze", "Civic IDEA", "GE", "civic.idea.ge@gmail.com"))
	s.signAndConfirm(handlertest.SignForm("Leyla Yunus", "AZ", "leyla@example.org"))
	ids := tickableIDs(coord.Get(letterPath+"/signatures").Expect(t, http.StatusOK).Body)
	batch := func(ticked ...string) handlertest.Response {
		form := url.Values{"action": {"verify"}}
		for _, name := range ticked {
			form.Add("sig", ids[name])
		}
		return coord.Post(letterPath+"/signatures/batch", form).Expect(t, http.StatusSeeOther)
	}

	r := batch("KRIK", "Leyla Yunus", "KRIK")
	coord.Get(r.Location).Expect(t, http.StatusOK, "Verified: 1.", "1 ticked signature was a person’s or verified already",
		"Coordinator Org (Org): verified by hand: KRIK").
		ExpectMarkup(t, `<option value="verify">Verify (organisations)</option>`)
	r = batch("KRIK", "Civic IDEA")
	coord.Get(r.Location).Expect(t, http.StatusOK, "Verified: 1.", "1 ticked signature was a person’s or verified already")

	page := coord.Get(letterPath+"/signatures?verified=yes").Expect(t, http.StatusOK, "2 signatures match").Body
	if got := tickableEntries(page); len(got) != 2 || strings.Count(page, "Verified by a coordinator") != 2 {
		t.Errorf("verified=yes lists %q, each saying how it was verified: %v", got, strings.Count(page, "Verified by a coordinator"))
	}
	if got := tickableEntries(coord.Get(letterPath + "/signatures?verified=no").Body); len(got) != 1 || got[0] != "Leyla Yunus" {
		t.Errorf("verified=no lists %q, want the person", got)
	}
	if l := s.letter(); l.OrganisationCount != 0 {
		t.Errorf("%d organisations listed: verifying is no approval", l.OrganisationCount)
	}
}
