package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"undersigned/handlers"
	"undersigned/handlers/handlertest"
	"undersigned/models/modeltest"
	"undersigned/views"
)

// TestJourney walks the whole product with a new letter's defaults: set up,
// log in, draft seed 003's letter with its two demand groups, preview,
// publish, sign as several people who confirm by email, approve the
// organisation, refuse a duplicate and an invalid form, read the dated list,
// close.
func TestJourney(t *testing.T) {
	s := newSite(t, handlers.Config{})
	ctx := context.Background()

	// First run: the one-time setup link creates the first coordinator.
	link, err := s.h.SetupLink(ctx)
	if err != nil || !strings.HasPrefix(link, siteURL+"/setup/") {
		t.Fatalf("setup link %q (%v)", link, err)
	}
	setupPath := strings.TrimPrefix(link, siteURL)
	coord := s.client()
	coord.Get(setupPath).Expect(t, http.StatusOK, "Organisation")
	coord.Post(setupPath, url.Values{"name": {"Jakub Klepal"}, "email": {"jakub@forum2000.example"}, "password": {"short"}, "organisation": {"Forum 2000 Foundation"}}).Expect(t, http.StatusUnprocessableEntity, "Choose a password of at least 12 characters.", `value="Jakub Klepal"`)
	coord.Post(setupPath, url.Values{"name": {"Jakub Klepal"}, "email": {"jakub@forum2000.example"}, "password": {modeltest.Password}, "organisation": {"Forum 2000 Foundation"}}).Expect(t, http.StatusSeeOther)
	if again, _ := s.h.SetupLink(ctx); again != "" {
		t.Fatalf("setup link still offered after setup: %q", again)
	}
	coord.Get(setupPath).Expect(t, http.StatusNotFound)

	// Log out and back in: the session ends and a new one starts.
	coord.Get("/dashboard").Expect(t, http.StatusOK, "Forum 2000")
	oldSession := coord.Cookies["undersigned_session"]
	coord.Post("/logout", url.Values{}).Expect(t, http.StatusSeeOther)
	coord.Get("/dashboard").Expect(t, http.StatusSeeOther)
	coord.Get("/login")
	coord.Post("/login", url.Values{"email": {"jakub@forum2000.example"}, "password": {modeltest.Password}}).Expect(t, http.StatusSeeOther)
	if s := coord.Cookies["undersigned_session"]; s == "" || s == oldSession {
		t.Fatalf("login kept the session id %q", s)
	}

	// Draft seed 003's letter: add a second group without JavaScript, then save.
	coord.Get("/dashboard/letters/new").Expect(t, http.StatusOK, "Draft a new letter")
	first := handlertest.LetterForm("add_group")
	first["group_lead_in"], first["group_demands"] = first["group_lead_in"][:1], first["group_demands"][:1]
	r := coord.Post("/dashboard/letters", first).Expect(t, http.StatusOK, "Demand group 3")
	if strings.Contains(r.Body, "Demand group 4") {
		t.Fatal("add group added more than one group")
	}
	r = coord.Post("/dashboard/letters", handlertest.LetterForm("save")).Expect(t, http.StatusSeeOther)
	editor := strings.TrimSuffix(r.Location, "?saved=1")
	coord.Get(r.Location).Expect(t, http.StatusOK, "Saved.", "Publish the letter")

	// The draft is not public; its preview looks like the public page.
	visitor := s.client()
	visitor.Get(seedSlug).Expect(t, http.StatusNotFound)
	preview := coord.Get(editor+"/preview").Expect(t, http.StatusOK, "Preview:", "We further call on the international community to:", "disabled")
	coord.Post(editor+"/state", url.Values{"state": {"open"}}).Expect(t, http.StatusSeeOther)
	public := visitor.Get(seedSlug).Expect(t, http.StatusOK,
		"An initiative of Forum 2000 Foundation and International Coalition for Democratic Renewal (ICDR)",
		"<h1 id=\"letter-title\">Joint statement on the human rights situation in Azerbaijan</h1>",
		"To:", "Members of the Parliamentary Assembly of the Council of Europe", "RE:", "Excellencies,",
		"demand that the Azerbaijani authorities:</p>", "<li>Unconditionally release and drop the charges against all political prisoners;</li>",
		"Sign the letter", "No one has signed yet.")
	if letterText(preview.Body) != letterText(public.Body) {
		t.Error("the preview's letter differs from the public page's")
	}
	assertOrder(t, public.Body, "The International Coalition for Democratic Renewal", "We, the undersigned members of ICDR", "Unconditionally release", "We further call on", "Unwaveringly stand", "Sincerely,")

	// Sign as the 22 signatories of seed 003, an Arabic name and an
	// organisation. A new letter asks signers to confirm by email: until they
	// do, no one is counted.
	signer := s.client()
	signer.Get(seedSlug)
	var emails []string
	for i, sig := range modeltest.AzerbaijanSignatories {
		f := handlertest.SignForm(sig.Name, sig.Country, modeltest.SignerEmail(i))
		f.Set("affiliation", sig.Affiliation)
		f.Set("role", sig.Role)
		f.Set("country2", sig.Country2)
		r := signer.Post(seedSlug+"/sign", f).Expect(t, http.StatusSeeOther)
		if r.Location != seedSlug+"/thanks#top" {
			t.Fatalf("signing redirected to %q", r.Location)
		}
		emails = append(emails, modeltest.SignerEmail(i))
	}
	signer.Post(seedSlug+"/sign", handlertest.SignForm("ليلى يوسف", "EG", "layla@example.org")).Expect(t, http.StatusSeeOther)
	org := url.Values{"kind": {"organisation"}, "name": {"Anna Novak"}, "affiliation": {"Civic IDEA"}, "country": {"GE"}, "email": {"office@civicidea.example"},
		"display": {"full"}, "agree": {"true"}}
	signer.Post(seedSlug+"/sign", org).Expect(t, http.StatusSeeOther)
	emails = append(emails, "layla@example.org", "office@civicidea.example")
	signer.Get(seedSlug+"/thanks").Expect(t, http.StatusOK, "Check your email", "We have sent an email to <bdi>office@civicidea.example</bdi>",
		siteURL+seedSlug)
	visitor.Get(seedSlug).Expect(t, http.StatusOK, "0 signatures", "No one has signed yet.")

	// Each signer opens the link emailed to them. The organisation then waits
	// for the coordinator, who approves it from the review queue.
	for _, email := range emails {
		s.client().Confirm(s.mailedLink(email, "/confirm/")).Expect(t, http.StatusOK, "Your signature is confirmed")
	}
	visitor.Get(seedSlug).Expect(t, http.StatusOK, "23 signatures")
	queue := coord.Get(editor+"/review").Expect(t, http.StatusOK, "Waiting: 1", "Civic IDEA, Georgia", "office@civicidea.example")
	r = coord.Post(editor+"/review", url.Values{"approve": {reviewIDs(queue.Body)["Civic IDEA, Georgia"]}}).Expect(t, http.StatusSeeOther)
	coord.Get(r.Location).Expect(t, http.StatusOK, "Approved: 1.", "Waiting: 0")

	// A duplicate is answered as a signature and adds none; an invalid form
	// comes back with its values.
	dup := handlertest.SignForm("Arif Yunus", "AZ", "  SIGNER21@example.org ")
	signer.Post(seedSlug+"/sign", dup).Expect(t, http.StatusSeeOther)
	visitor.Get(seedSlug).Expect(t, http.StatusOK, "24 signatures")
	bad := url.Values{"kind": {"individual"}, "name": {"Vladimir Kara\x07Murza"}, "affiliation": {"Free Russia Foundation"}, "email": {"not-an-email"}}
	r = signer.Post(seedSlug+"/sign", bad).Expect(t, http.StatusUnprocessableEntity,
		"Please correct the following", `href="#f-country"`, "Choose the country you live or work in",
		"control characters", "name@example.org", "Please confirm that you agree",
		`value="Free Russia Foundation"`, `value="not-an-email"`, `aria-describedby="f-email-hint f-email-error"`)

	// The list: dated, counted, in sections, in family-name order.
	today := views.FormatDate("en", time.Now())
	list := visitor.Get(seedSlug).Expect(t, http.StatusOK, "Signatories as of <time datetime=\""+time.Now().UTC().Format("2006-01-02")+"\">"+today+"</time>",
		"24 signatures", "Organisations (1)", "Individuals (23)", "Civic IDEA, Georgia",
		"Leyla Yunus, Institute for Peace and Democracy, Azerbaijan/Netherlands", "Javier El-Hage, Human Rights Foundation, Bolivia/United States",
		"Carl Gershman, formerly NED, United States", "Nyaradzo Mashayamombe, Zimbabwe", "ليلى يوسف, Egypt", "Pavel Pšeja, CEVRO University, Czechia")
	assertOrder(t, list.Body, "Organisations (1)", "Civic IDEA", "Individuals (23)", "Igor Blazevic", "Andreas Bummel", "Stevan Dojcinovic", "Javier El-Hage", "Pavel Pšeja", "Niranjan Sahoo", "Arif Yunus", "Leyla Yunus", "ليلى يوسف")
	if strings.Contains(list.Body, "@example.org") || strings.Contains(list.Body, "Anna Novak") {
		t.Error("the public page shows a signer's email or an organisation's private contact")
	}
	visitor.Get(seedSlug+"/signatories").Expect(t, http.StatusOK, "Igor Blazevic", "Civic IDEA, Georgia")

	// The coordinator sees emails. The text people signed no longer changes
	// unawares: saving it unchanged makes nothing new, and an edit shows
	// what changes; confirmed as a change of substance, it makes revision 2,
	// under the same address, with the signatures so far marked.
	coord.Get(editor+"/signatures").Expect(t, http.StatusOK, "signer0@example.org", "office@civicidea.example")
	coord.Get(editor).Expect(t, http.StatusOK, "it becomes revision 2")
	coord.Post(editor, handlertest.LetterForm("save")).Expect(t, http.StatusSeeOther)
	visitor.Get(seedSlug+"/revisions/2").Expect(t, http.StatusNotFound)
	revised := handlertest.LetterForm("save")
	revised.Set("subject", "Political prisoners in Azerbaijan after COP29")
	confirm := coord.Post(editor, revised).Expect(t, http.StatusOK, "<ins><span class=\"visually-hidden\">Added: </span>Political prisoners in Azerbaijan after COP29</ins>")
	coord.Post(editor, keptForm(confirm.Body, "confirm", "substance")).Expect(t, http.StatusSeeOther)
	visitor.Get(seedSlug).Expect(t, http.StatusOK, "Revision 2 of this letter", "RE:</span> Political prisoners in Azerbaijan after COP29",
		"24 signatures", "Igor Blazevic, Prague Civil Society Centre, Czechia *", "Signed an earlier version of the text")

	// Close: the letter stays public and refuses signatures.
	coord.Get(editor)
	coord.Post(editor+"/state", url.Values{"state": {"closed"}}).Expect(t, http.StatusSeeOther)
	r = visitor.Get(seedSlug).Expect(t, http.StatusOK, "Closed", "24 signatures")
	if strings.Contains(r.Body, "Sign the letter") {
		t.Error("a closed letter still shows the signing form")
	}
	signer.Post(seedSlug+"/sign", handlertest.SignForm("Late Signer", "FR", "late@example.org")).Expect(t, http.StatusGone, "no longer takes signatures")
	visitor.Get(seedSlug).Expect(t, http.StatusOK, "24 signatures")
}

// letterText cuts the letter article out of a page.
func letterText(body string) string {
	start, end := strings.Index(body, `<article class="letter"`), strings.Index(body, "</article>")
	if start < 0 || end < start {
		return ""
	}
	text := body[start:end]
	// The count and the sign button under the title are the page's, not the
	// letter's: their lines go.
	if at := strings.Index(text, `<div class="letter-call"`); at >= 0 {
		from := strings.LastIndex(text[:at], "\n")
		to := at + strings.Index(text[at:], "</div>") + len("</div>")
		text = text[:from] + text[to:]
	}
	return text
}

// assertOrder fails unless the fragments appear in body in this order.
func assertOrder(t *testing.T, body string, fragments ...string) {
	t.Helper()
	at := 0
	for _, f := range fragments {
		i := strings.Index(body[at:], f)
		if i < 0 {
			t.Fatalf("%q does not follow the earlier fragments in the page", f)
		}
		at += i + len(f)
	}
}
