package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"undersigned/handlers"
	"undersigned/handlers/handlertest"
)

// signAndKeepLink signs the seed letter from a fresh client and returns
// the private management link emailed to the signer.
func (s *site) signAndKeepLink(f url.Values) string {
	s.t.Helper()
	visitor := s.client()
	visitor.Get(seedSlug)
	visitor.Post(seedSlug+"/sign", f).Expect(s.t, http.StatusSeeOther)
	return s.mailedLink(f.Get("email"), "/signature/")
}

// publicPages are the pages anyone can read that show the seed letter's list.
func (s *site) publicPages() map[string]string {
	s.t.Helper()
	v := s.client()
	return map[string]string{
		"letter page": v.Get(seedSlug).Expect(s.t, http.StatusOK).Body,
		"full list":   v.Get(seedSlug+"/signatories").Expect(s.t, http.StatusOK).Body,
		"index":       v.Get("/").Expect(s.t, http.StatusOK).Body,
	}
}

// assertAbsent fails for every output that contains one of the fragments.
func assertAbsent(t *testing.T, outputs map[string]string, fragments ...string) {
	t.Helper()
	for name, body := range outputs {
		for _, f := range fragments {
			if strings.Contains(body, f) {
				t.Errorf("the %s shows %q", name, f)
			}
		}
	}
}

// TestConfirmationByEmail follows a signature on a letter with the default
// settings: not counted until its signer opens the emailed link; the email
// can be sent again without a second signature; a link works once.
//
// The expired link (410 with "Send me a new link") is not exercised here:
// the store's clock can only be moved from the models package's own tests
// (models.Store.SetClock is in export_test.go), where its expiry is tested.
// Its renewal button's target, POST /confirm/:token/renew, is exercised below.
func TestConfirmationByEmail(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, letterPath := s.openLetter("c@example.org", "Org", nil)
	const email = "leyla@example.org"
	signer := s.client()
	signer.Get(seedSlug)
	signer.Post(seedSlug+"/sign", handlertest.SignForm("Leyla Yunus", "AZ", email)).Expect(t, http.StatusSeeOther)

	thanks := signer.Get(seedSlug+"/thanks").Expect(t, http.StatusOK, "Check your email", "We have sent an email to <bdi>"+email+"</bdi>",
		"until you do, it is not counted or listed.", `action="`+seedSlug+`/resend"`)
	if strings.Contains(thanks.Body, "/signature/") {
		t.Error("the thank-you page shows a private link: it travels by email only")
	}
	page := s.publicPages()
	if !strings.Contains(page["letter page"], "No one has signed yet.") || !strings.Contains(page["letter page"], "0 signatures") {
		t.Error("an unconfirmed signature is counted")
	}
	assertAbsent(t, page, "Leyla Yunus")

	mail := s.inbox(email)
	if len(mail) != 1 || !strings.Contains(mail[0].Subject, "Please confirm your signature: Joint statement on the human rights situation in Azerbaijan") {
		t.Fatalf("outbox to %s: %+v", email, mail)
	}
	firstLink := s.mailedLink(email, "/confirm/")

	// Sending the email again writes a second message with a new link, and
	// makes no second signature; the first link stops working, as the page says.
	r := signer.Post(seedSlug+"/resend", url.Values{}).Expect(t, http.StatusSeeOther)
	signer.Get(r.Location).Expect(t, http.StatusOK, "We have sent the email again. The links in earlier emails no longer work.")
	if n := len(s.inbox(email)); n != 2 {
		t.Errorf("%d emails after resending, want 2", n)
	}
	if n := s.signatures(); n != 1 {
		t.Errorf("%d signatures stored after resending, want 1", n)
	}
	link := s.mailedLink(email, "/confirm/")
	if link == firstLink {
		t.Fatal("the email sent again carries the same link")
	}
	visitor := s.client()
	visitor.Get(firstLink).Expect(t, http.StatusNotFound)

	// A mail scanner opens every link of an email: that confirms nothing.
	scanner := s.client()
	for range 2 {
		scanner.Get(link).Expect(t, http.StatusOK, "Confirm your signature", "Leyla Yunus, Azerbaijan",
			`lang="en">Joint statement on the human rights situation in Azerbaijan</a>`,
			"If you did not sign this letter, leave this page: nothing will be published.")
	}
	if l := s.letter(); l.SignatureCount() != 0 {
		t.Fatalf("opening the link counts %d signatures, want 0 until its button is pressed", l.SignatureCount())
	}
	assertAbsent(t, s.publicPages(), "Leyla Yunus")

	visitor.Confirm(link).Expect(t, http.StatusOK, "Your signature is confirmed")
	visitor.Get(seedSlug).Expect(t, http.StatusOK, "1 signature", "Leyla Yunus, Azerbaijan")
	visitor.Get(s.mailedLink(email, "/signature/")).Expect(t, http.StatusOK, "Leyla Yunus, Azerbaijan", "It is counted on the letter.")
	visitor.Get(link).Expect(t, http.StatusOK, "This link has already been used", "There is nothing more to do.")
	if again := visitor.Post(link, url.Values{}).Expect(t, http.StatusSeeOther); again.Location != link+"?confirmed=1" {
		t.Errorf("a second click leads to %q, want where the first did", again.Location)
	}
	if l := s.letter(); l.SignatureCount() != 1 {
		t.Errorf("confirming twice counts %d signatures", l.SignatureCount())
	}

	// Sending again for a confirmed signature sends its private link.
	signer.Post(seedSlug+"/resend", url.Values{}).Expect(t, http.StatusSeeOther)
	if mail := s.inbox(email); len(mail) != 3 || !strings.HasPrefix(mail[2].Subject, "You have already signed") {
		t.Errorf("resending for a confirmed signature: %d emails, want 3, the last with its private link", len(mail))
	}
	visitor.Get(s.mailedLink(email, "/signature/")).Expect(t, http.StatusOK, "It is counted on the letter.")

	// The expired page's button asks for a new link by the old link's token.
	const late = "arif@example.org"
	other := s.client()
	other.Get(seedSlug)
	other.Post(seedSlug+"/sign", handlertest.SignForm("Arif Yunus", "AZ", late)).Expect(t, http.StatusSeeOther)
	old := s.mailedLink(late, "/confirm/")
	other.Post(old+"/renew", url.Values{}).Expect(t, http.StatusOK, "A new link is on its way")
	renewed := s.mailedLink(late, "/confirm/")
	if len(s.inbox(late)) != 2 || renewed == old {
		t.Fatalf("asking for a new link sent %d emails", len(s.inbox(late)))
	}
	other.Get(old).Expect(t, http.StatusNotFound)
	other.Confirm(renewed).Expect(t, http.StatusOK, "Your signature is confirmed")
	visitor.Get(seedSlug).Expect(t, http.StatusOK, "2 signatures", "Arif Yunus, Azerbaijan")

	// Once the letter has closed, its list no longer changes: a link opened
	// late says so and counts nothing.
	const slow = "nicolas@example.org"
	other.Get(seedSlug)
	other.Post(seedSlug+"/sign", handlertest.SignForm("Nicolas Tenzer", "FR", slow)).Expect(t, http.StatusSeeOther)
	coord.Get(letterPath)
	coord.Post(letterPath+"/state", url.Values{"state": {"closed"}}).Expect(t, http.StatusSeeOther)
	tooLate := s.mailedLink(slow, "/confirm/")
	other.Get(tooLate).Expect(t, http.StatusGone, "This letter no longer takes signatures")
	other.Post(tooLate, url.Values{}).Expect(t, http.StatusGone, "This letter no longer takes signatures")
	visitor.Get(seedSlug).Expect(t, http.StatusOK, "2 signatures")
	assertAbsent(t, s.publicPages(), "Tenzer")
}

// TestResendingIsLimited keeps the resend button from flooding a mailbox:
// past the limit the thank-you page says how long to wait, in its error
// summary and titled "Error:" as every refused form's page, and no email is
// written.
func TestResendingIsLimited(t *testing.T) {
	s := newSite(t, handlers.Config{Limits: handlers.Limits{Resend: handlers.RateLimit{Max: 2, Window: time.Hour}}})
	s.openLetter("c@example.org", "Org", nil)
	const email = "target@example.org"
	visitor := s.client()
	visitor.Get(seedSlug)
	visitor.Post(seedSlug+"/sign", handlertest.SignForm("Jessica Ludwig", "US", email)).Expect(t, http.StatusSeeOther)
	visitor.Get(seedSlug + "/thanks")
	for range 2 {
		visitor.Post(seedSlug+"/resend", url.Values{}).Expect(t, http.StatusSeeOther)
	}
	r := visitor.Post(seedSlug+"/resend", url.Values{}).Expect(t, http.StatusTooManyRequests, append(refusedMarks,
		"<h2 id=\"error-summary-title\">There is a problem</h2>\n  <p>The email has been sent several times already. Please wait 60 minutes before asking again.</p>")...)
	if r.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	if n := len(s.inbox(email)); n != 3 {
		t.Errorf("%d emails to %s, want the first and 2 resent", n, email)
	}
}

// TestReviewQueue: confirmed signatures of a letter that reviews them wait
// for a coordinator, who filters the queue, approves in bulk or one by one,
// and rejects; a rejected signer cannot sign again, and the log says who did what.
func TestReviewQueue(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, letterPath := s.openLetter("c@example.org", "Org", withSettings("confirm_email", "review_individuals", "review_organisations"))
	type signer struct{ kind, name, affiliation, country, email, entry string }
	signers := []signer{
		{"organisation", "Tinatin Khidasheli", "Civic IDEA", "GE", "office@civicidea.example", "Civic IDEA, Georgia"},
		{"organisation", "Stevan Dojcinovic", "KRIK", "RS", "office@krik.example", "KRIK, Serbia"},
		{"organisation", "Baia Pataraia", "Sapari", "GE", "info@sapari.example", "Sapari, Georgia"},
		{"individual", "Ucha Nanuashvili", "", "GE", "ucha@example.org", "Ucha Nanuashvili, Georgia"},
	}
	for _, sg := range signers {
		visitor := s.client()
		visitor.Get(seedSlug)
		f := handlertest.SignForm(sg.name, sg.country, sg.email)
		f.Set("kind", sg.kind)
		f.Set("affiliation", sg.affiliation)
		visitor.Post(seedSlug+"/sign", f).Expect(t, http.StatusSeeOther)
		visitor.Confirm(s.mailedLink(sg.email, "/confirm/")).Expect(t, http.StatusOK, "yours will appear once reviewed")
	}
	unconfirmed := handlertest.SignForm("Someone", "GE", "late@example.org")
	unconfirmed.Set("kind", "organisation")
	unconfirmed.Set("affiliation", "Not Yet Confirmed")
	late := s.client()
	late.Get(seedSlug)
	late.Post(seedSlug+"/sign", unconfirmed).Expect(t, http.StatusSeeOther)

	public := s.publicPages()
	assertAbsent(t, public, "Civic IDEA", "KRIK", "Sapari", "Nanuashvili", "Not Yet Confirmed")
	if !strings.Contains(public["letter page"], "0 signatures") {
		t.Error("signatures in review are counted")
	}

	queue := coord.Get(letterPath+"/review").Expect(t, http.StatusOK, "Waiting: 4", `<label for="f-filter_kind">Kind`, `<label for="f-filter_country">Country`)
	ids := reviewIDs(queue.Body)
	for _, sg := range signers {
		if ids[sg.entry] == "" {
			t.Fatalf("the queue lacks %s: %v", sg.entry, ids)
		}
	}
	if len(ids) != len(signers) {
		t.Fatalf("the queue lists %v, want the confirmed signatures only", ids)
	}
	filters := []struct {
		query string
		want  []string
	}{
		{"filter_kind=organisation", []string{"Civic IDEA, Georgia", "KRIK, Serbia", "Sapari, Georgia"}},
		{"filter_kind=individual", []string{"Ucha Nanuashvili, Georgia"}},
		{"filter_country=GE", []string{"Civic IDEA, Georgia", "Sapari, Georgia", "Ucha Nanuashvili, Georgia"}},
		{"filter_country=ge&filter_kind=organisation", []string{"Civic IDEA, Georgia", "Sapari, Georgia"}},
		{"filter_country=RS&filter_kind=individual", nil},
	}
	for _, f := range filters {
		r := coord.Get(letterPath+"/review?"+f.query).Expect(t, http.StatusOK, "Waiting: "+strconv.Itoa(len(f.want)))
		got := reviewIDs(r.Body)
		if len(got) != len(f.want) {
			t.Errorf("?%s lists %v, want %v", f.query, got, f.want)
		}
		for _, entry := range f.want {
			if _, ok := got[entry]; !ok {
				t.Errorf("?%s lacks %s", f.query, entry)
			}
		}
	}

	// Approve the two Georgian organisations together, from the filtered
	// queue; the queue comes back with its filter.
	coord.Get(letterPath + "/review?filter_kind=organisation&filter_country=GE")
	r := coord.Post(letterPath+"/review", url.Values{"ids": {ids["Civic IDEA, Georgia"], ids["Sapari, Georgia"]}, "action": {"approve"},
		"filter_kind": {"organisation"}, "filter_country": {"GE"}}).Expect(t, http.StatusSeeOther)
	coord.Get(r.Location).Expect(t, http.StatusOK, "Approved: 2.", "Waiting: 0", `<option value="organisation" selected>`, `<option value="GE" selected>`)
	r = coord.Post(letterPath+"/review", url.Values{"reject": {ids["KRIK, Serbia"]}}).Expect(t, http.StatusSeeOther)
	coord.Get(r.Location).Expect(t, http.StatusOK, "Rejected: 1.", "Waiting: 1", "Ucha Nanuashvili, Georgia")

	public = s.publicPages()
	for _, want := range []string{"2 signatures", "Organisations (2)", "Civic IDEA, Georgia", "Sapari, Georgia"} {
		if !strings.Contains(public["letter page"], want) {
			t.Errorf("the letter page lacks %q after approval", want)
		}
	}
	assertAbsent(t, public, "KRIK", "Nanuashvili")

	// The rejected organisation cannot come back with the same address,
	// and is answered as any signer, not told so.
	again := s.client()
	again.Get(seedSlug)
	f := handlertest.SignForm("Stevan Dojcinovic", "RS", "Office@KRIK.example")
	f.Set("kind", "organisation")
	f.Set("affiliation", "KRIK")
	before := s.signatures()
	again.Post(seedSlug+"/sign", f).Expect(t, http.StatusSeeOther)
	if n := s.signatures(); n != before {
		t.Errorf("a rejected address signed again: %d signatures, want %d", n, before)
	}
	assertAbsent(t, s.publicPages(), "KRIK")

	coord.Get(letterPath+"/signatures").Expect(t, http.StatusOK, "1 signature waits for review", "Rejected", "Waiting for email confirmation",
		`Coordinator Org (Org): approved: Civic IDEA, Georgia`, `Coordinator Org (Org): approved: Sapari, Georgia`,
		`Coordinator Org (Org): rejected: KRIK, Serbia`)
}

// TestDisplayChoices checks every output of the list against each signer's
// choice, first as they signed, then after they changed it through their
// private links: a full signer is named; an anonymous one reads "Anonymous,
// Country" and sorts last; a counted one is counted and named nowhere. A
// hidden name is in no public page and not in the coordinators' CSV.
func TestDisplayChoices(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, letterPath := s.publishedLetter("c@example.org", "Org")
	type signer struct {
		first, last, country, countryName, email string
		link                                     string
	}
	signers := []*signer{
		{first: "Zoe", last: "Zimmer", country: "FR", countryName: "France", email: "zoe@example.org"},
		{first: "Aida", last: "Abbasova", country: "AZ", countryName: "Azerbaijan", email: "aida@example.org"},
		{first: "Cora", last: "Quist", country: "BY", countryName: "Belarus", email: "cora@example.org"},
		{first: "Maria", last: "Mendes", country: "PT", countryName: "Portugal", email: "maria@example.org"},
	}
	rounds := []struct {
		name     string
		displays []string // of each signer, in order
		order    []string // of the individuals on the list
	}{
		// Abbasova would sort first: anonymous, she goes last.
		{"as signed", []string{"full", "anonymous", "counted", "full"},
			[]string{"Maria Mendes, Portugal", "Zoe Zimmer, France", "Anonymous, Azerbaijan"}},
		// Named again, she takes her place by name.
		{"after changing through the private links", []string{"counted", "full", "anonymous", "full"},
			[]string{"Aida Abbasova, Azerbaijan", "Maria Mendes, Portugal", "Anonymous, Belarus"}},
	}
	for i, round := range rounds {
		for j, sg := range signers {
			if i == 0 {
				f := handlertest.SignForm(sg.first+" "+sg.last, sg.country, sg.email)
				f.Set("display", round.displays[j])
				sg.link = s.signAndKeepLink(f)
				continue
			}
			visitor := s.client()
			visitor.Get(sg.link).Expect(t, http.StatusOK, "How your signature appears")
			r := visitor.Post(sg.link+"/display", url.Values{"display": {round.displays[j]}}).Expect(t, http.StatusSeeOther)
			visitor.Get(r.Location).Expect(t, http.StatusOK, "Saved.", `value="`+round.displays[j]+`" checked`)
		}

		public := s.publicPages()
		csv := coord.Get(letterPath+"/signatures.csv").Expect(t, http.StatusOK).Body
		outputs := map[string]string{"CSV": csv}
		for name, body := range public {
			outputs[name] = body
		}
		for _, page := range []string{"letter page", "full list"} {
			if !strings.Contains(public[page], "4 signatures") || !strings.Contains(public[page], "1 more person signed without being named.") {
				t.Errorf("%s: the %s has a wrong count or lacks the line for the unnamed signer", round.name, page)
			}
			assertOrder(t, public[page], append([]string{"Individuals (3)"}, round.order...)...)
		}
		for j, sg := range signers {
			display := round.displays[j]
			row := "individual," + display + "," + sg.first + " " + sg.last + ",,," + sg.country + ",," + sg.email
			switch display {
			case "anonymous":
				row = "individual,anonymous,Anonymous,,," + sg.country + ",," + sg.email
			case "counted":
				row = "individual,counted,,,," + sg.country + ",," + sg.email
			}
			if !strings.Contains(csv, row) {
				t.Errorf("%s: the CSV lacks the row %q", round.name, row)
			}
			if display != "full" {
				// Neither the first name nor the family name (the sort name) shows.
				assertAbsent(t, outputs, sg.first, sg.last)
			}
		}
	}
}

// TestWithdrawal: a signer withdraws through their private link; the
// signature leaves every page, the count and the CSV, the coordinators'
// log names no one, and the link no longer works.
func TestWithdrawal(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, letterPath := s.publishedLetter("c@example.org", "Org")
	s.signAndKeepLink(handlertest.SignForm("Igor Blazevic", "CZ", "igor@example.org"))
	link := s.signAndKeepLink(handlertest.SignForm("Maiko Ichihara", "JP", "maiko@example.org"))
	s.client().Get(seedSlug).Expect(t, http.StatusOK, "2 signatures", "Maiko Ichihara, Japan")

	visitor := s.client()
	visitor.Get(link).Expect(t, http.StatusOK, "Maiko Ichihara, Japan", "It is counted on the letter.", "Withdraw my signature")
	visitor.Post(link+"/withdraw", url.Values{}).Expect(t, http.StatusOK, "Your signature has been withdrawn")

	outputs := s.publicPages()
	if !strings.Contains(outputs["letter page"], "1 signature") || !strings.Contains(outputs["letter page"], "Igor Blazevic, Czechia") {
		t.Error("the letter page does not show the remaining signature and count")
	}
	outputs["CSV"] = coord.Get(letterPath+"/signatures.csv").Expect(t, http.StatusOK, "Igor Blazevic").Body
	signatures := coord.Get(letterPath+"/signatures").Expect(t, http.StatusOK, "What was done", "<bdi>A signer</bdi>: withdrew one signature").Body
	outputs["coordinators' page"] = signatures
	assertAbsent(t, outputs, "Ichihara", "Maiko", "maiko@example.org")
	if n := strings.Count(signatures[strings.Index(signatures, "What was done"):], "<li>"); n != 2 {
		t.Errorf("the log has %d entries, want the download and the withdrawal", n)
	}

	for _, r := range []handlertest.Response{
		visitor.Get(link),
		visitor.Post(link+"/display", url.Values{"display": {"full"}}),
		visitor.Post(link+"/withdraw", url.Values{}),
	} {
		r.Expect(t, http.StatusNotFound, "Page not found")
	}
}

// TestSigningFloodIsLimited: one address sending 100 valid signatures in a
// minute gets its first 5 through and the rest refused with the form kept;
// forms refused as invalid do not count, so a person fixing typos is never
// locked out.
func TestSigningFloodIsLimited(t *testing.T) {
	s := newSite(t, handlers.Config{Limits: handlers.Limits{SignBurst: handlers.RateLimit{Max: 5, Window: time.Minute}}})
	s.publishedLetter("c@example.org", "Org")
	visitor := s.client()
	visitor.Get(seedSlug)
	for range 10 {
		visitor.Post(seedSlug+"/sign", handlertest.SignForm("Typo", "XX", "typo@example.org")).Expect(t, http.StatusUnprocessableEntity)
	}
	statuses := map[int]int{}
	var last handlertest.Response
	for i := range 100 {
		last = visitor.Post(seedSlug+"/sign", handlertest.SignForm("Flood "+strconv.Itoa(i), "FR", "flood"+strconv.Itoa(i)+"@example.org"))
		statuses[last.Status]++
	}
	if statuses[http.StatusSeeOther] != 5 || statuses[http.StatusTooManyRequests] != 95 || len(statuses) != 2 {
		t.Errorf("statuses %v, want 5 × 303 and 95 × 429", statuses)
	}
	last.Expect(t, http.StatusTooManyRequests, "please try again in ", `value="Flood 99"`, `value="flood99@example.org"`, `<option value="FR" selected>`)
	if n := s.signatures(); n != 5 {
		t.Errorf("%d signatures stored, want 5", n)
	}
}

// TestBotsAreShownSuccessAndNothingIsStored: a form that fills the hidden
// honeypot, or comes faster than a person can fill it, or with a forged or
// missing "started" stamp, gets the same redirect as a real signature and
// stores nothing, and sends no email; a person who took their time signs.
func TestBotsAreShownSuccessAndNothingIsStored(t *testing.T) {
	s := newSite(t, handlers.Config{MinSignTime: 2 * time.Second})
	s.openLetter("c@example.org", "Org", nil)
	visitor := s.client()
	visitor.Get(seedSlug)
	tests := []struct {
		name      string
		afterWait bool // sent once MinSignTime has passed since the page was shown
		change    func(url.Values)
		stored    bool
	}{
		{"sent at once", false, func(url.Values) {}, false},
		{"started stamp forged an hour back", false, func(f url.Values) {
			f.Set("started", strconv.FormatInt(time.Now().Add(-time.Hour).Unix(), 10)+".AAAAAAAAAAAAAAAAAAAAAA")
		}, false},
		{"started stamp missing", false, func(f url.Values) { f.Set("started", "") }, false},
		{"honeypot filled after a person's pause", true, func(f url.Values) { f.Set("referral_code", "http://spam.example") }, false},
		{"a person who took their time", true, func(url.Values) {}, true},
	}
	waited := false
	for i, tt := range tests {
		if tt.afterWait && !waited {
			time.Sleep(2 * time.Second)
			waited = true
		}
		email := "signer" + strconv.Itoa(i) + "@example.org"
		before := s.signatures()
		f := handlertest.SignForm("Signer "+strconv.Itoa(i), "FR", email)
		tt.change(f)
		r := visitor.Post(seedSlug+"/sign", f).Expect(t, http.StatusSeeOther)
		if r.Location != seedSlug+"/thanks#top" {
			t.Errorf("%s: redirected to %q, want the thank-you page", tt.name, r.Location)
		}
		stored := s.signatures() > before
		if stored != tt.stored || (len(s.inbox(email)) > 0) != tt.stored {
			t.Errorf("%s: stored %v with %d emails, want stored %v", tt.name, stored, len(s.inbox(email)), tt.stored)
		}
	}
}

// TestGmailAddressesSignOnce: Gmail ignores dots, case and "+tags", so
// those variants of one address sign once; elsewhere a dot is a different person.
func TestGmailAddressesSignOnce(t *testing.T) {
	s := newSite(t, handlers.Config{})
	s.publishedLetter("c@example.org", "Org")
	visitor := s.client()
	visitor.Get(seedSlug)
	visitor.Post(seedSlug+"/sign", handlertest.SignForm("Jane Doe", "GB", "janedoe@gmail.com")).Expect(t, http.StatusSeeOther)
	visitor.Post(seedSlug+"/sign", handlertest.SignForm("Jane Doe", "GB", "janedoe@example.org")).Expect(t, http.StatusSeeOther)
	// Every variant is answered as a signature; only the last one is new.
	for _, email := range []string{"Jane.Doe+x@GMAIL.com", "j.a.n.e.d.o.e@googlemail.com", " JANEDOE@gmail.com ", "jane.doe@example.org"} {
		visitor.Post(seedSlug+"/sign", handlertest.SignForm("Jane Doe", "GB", email)).Expect(t, http.StatusSeeOther)
	}
	if n := s.signatures(); n != 3 {
		t.Errorf("%d signatures stored, want 3", n)
	}
	// The Gmail address's owner hears of it once, however often it is tried.
	if mail := s.inbox("janedoe@gmail.com"); len(mail) != 2 || !strings.HasPrefix(mail[1].Subject, "You have already signed") {
		t.Errorf("%d emails to janedoe@gmail.com, want her signature's and one saying she had signed", len(mail))
	}
}

// TestPagesNamingSignersAreNotIndexed: the public pages that name signers
// ask search engines not to index them, in the page and in a header, unless
// the letter allows it; a signer's private page never allows it.
func TestPagesNamingSignersAreNotIndexed(t *testing.T) {
	for name, settings := range map[string]url.Values{"by default": listAtOnce(), "with allow_indexing": withSettings("allow_indexing")} {
		t.Run(name, func(t *testing.T) {
			s := newSite(t, handlers.Config{})
			s.openLetter("c@example.org", "Org", settings)
			link := s.signAndKeepLink(handlertest.SignForm("Igor Blazevic", "CZ", "igor@example.org"))
			v := s.client()
			want := settings.Get("allow_indexing") == ""
			for _, path := range []string{seedSlug, seedSlug + "/signatories"} {
				r := v.Get(path).Expect(t, http.StatusOK, "Igor Blazevic")
				meta := strings.Contains(r.Body, `<meta name="robots" content="noindex">`)
				header := r.Header.Get("X-Robots-Tag") == "noindex"
				if meta != want || header != want {
					t.Errorf("%s: meta noindex %v, X-Robots-Tag %q; want noindex %v", path, meta, r.Header.Get("X-Robots-Tag"), want)
				}
			}
			v.Get(link).Expect(t, http.StatusOK, "Igor Blazevic", `<meta name="robots" content="noindex">`)
		})
	}
}

// TestPrivacyPageIsLinkedFromTheSignForm: a signer can read what is kept
// before signing.
func TestPrivacyPageIsLinkedFromTheSignForm(t *testing.T) {
	s := newSite(t, handlers.Config{})
	s.publishedLetter("c@example.org", "Org")
	v := s.client()
	page := v.Get(seedSlug).Expect(t, http.StatusOK).Body
	form := page[strings.Index(page, `<section class="sign"`):]
	form = form[:strings.Index(form, "</section>")]
	if !strings.Contains(form, `<a href="/privacy">What we keep, and for how long</a>`) {
		t.Error("the signing form does not link the privacy page")
	}
	v.Get("/privacy").Expect(t, http.StatusOK, "What we publish, what we keep, and for how long", "Your IP address is not kept with your signature")
}
