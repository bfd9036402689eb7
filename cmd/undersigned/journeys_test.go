package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"undersigned/handlers/handlertest"
	"undersigned/models/modeltest"
)

const (
	coordinatorEmail    = "jakub@forum2000.example"
	coordinatorPassword = "correct horse battery staple"
)

// TestBrowserJourneys walks the product in Chromium as its people do, on
// one server: a coordinator publishes seed 003's letter, signers sign it by
// keyboard, without JavaScript and on a phone, the public reads it, and
// hostile text is shown as text. On seed 000's letter, left with the default
// settings, signers confirm by the link the server prints, organisations wait
// for review, signers choose how they appear, and one withdraws. Every key
// page passes axe and html-validate. Each step is a method of journeys, in
// the order the story runs: a later one reads what an earlier one made.
func TestBrowserJourneys(t *testing.T) {
	srv, setupLink := serveFresh(t)
	j := &journeys{srv: srv, setupLink: setupLink, b: startBrowser(t, "http://"+srv.addr)}
	// The steps that only set the stage for the next ones stop the story
	// when they fail; the others report and let it go on.
	mustRun := func(name string, step func(*testing.T)) {
		if !t.Run(name, step) {
			t.FailNow()
		}
	}

	t.Run("coordinator sets up, drafts two demand groups, previews, publishes", j.coordinatorPublishes)
	if j.letterPath == "" {
		t.Fatal("no letter was published; the other journeys need one")
	}
	t.Run("signer signs by keyboard only, with a mistake first", j.signerUsesTheKeyboard)
	mustRun("the rest of seed 003's signatories sign over HTTP", j.restOfTheListSigns)
	t.Run("visitor reads the index, the letter and the full list", j.visitorReads)
	t.Run("signer signs with JavaScript disabled", j.signerWithoutJavaScript)
	t.Run("phone-sized viewport scrolls only vertically", j.phoneScrollsOnlyVertically)
	t.Run("coordinator curates and closes; login and 404 pages", j.coordinatorCloses)

	mustRun("coordinator opens seed 000's letter with the default settings", j.coordinatorOpensASecondLetter)
	t.Run("organisations wait for review; the coordinator approves one and rejects another", j.organisationsWaitForReview)
	t.Run("signers appear as Anonymous with their country, or only in the count", j.signersChooseHowTheyAppear)
	t.Run("a signer withdraws by the private link emailed to them", j.signerWithdraws)
	t.Run("coordinator adds signatories collected elsewhere, publishes a dated list, posts an update, revises the text", j.coordinatorCurates)

	t.Run("hostile text is shown as text, never run", func(t *testing.T) { testHostileText(t, j.b, j.srv) })
	t.Run("every key page is valid HTML", j.b.validateHTML)
	t.Logf("axe: %d key pages without serious or critical WCAG 2.1 A/AA violations", j.b.axeRan)
	t.Logf("screenshots and page sources: %s", j.b.artefacts)
}

// journeys is what the steps of TestBrowserJourneys share: the server, the
// browser, and the letters the steps publish.
type journeys struct {
	srv       *server
	setupLink string // the link the server printed to create the first account
	b         *browser

	letterPath, editorPath string // seed 003's letter: its public page and its editor
	chinaEditor            string // seed 000's letter's editor; its public page is chinaPath
}

// chinaPath is the public page of seed 000's letter.
const chinaPath = "/letters/china"

// coordinatorPublishes: a coordinator sets up the site, drafts seed 003's
// letter with its two demand groups, previews it and publishes it.
func (j *journeys) coordinatorPublishes(t *testing.T) {
	letter := modeltest.Azerbaijan
	c := j.b.newTab(t)
	c.navigate(http.StatusOK, chromedp.Navigate(j.setupLink))
	c.check("setup")
	c.do(
		chromedp.SendKeys(field("Full name"), "Jakub Klepal"),
		chromedp.SendKeys(field("Email address"), coordinatorEmail),
		chromedp.SendKeys(field("Password"), coordinatorPassword),
		chromedp.SendKeys(field("Organisation"), "Forum 2000 Foundation"),
	)
	c.navigate(http.StatusOK, chromedp.Click(button("Create account")))
	c.expectText("Your letters", "Forum 2000", "No letters yet.")

	c.navigate(http.StatusOK, chromedp.Click(link("Draft a new letter")))
	c.check("editor-new")
	c.do(
		chromedp.SendKeys(field("Title"), letter.Title),
		chromedp.SendKeys(field("Summary"), letter.Summary),
		chromedp.SendKeys(field("Initiating organisations"), letter.Initiators),
		chromedp.SendKeys(field("Addressees (To:)"), "Members of the Parliamentary Assembly of the Council of Europe\nDelegations to COP29"),
		chromedp.SendKeys(field("Subject (RE:)"), "Political prisoners in Azerbaijan"),
		chromedp.SendKeys(field("Salutation"), "Excellencies,"),
		chromedp.SetValue(field("Text"), letter.Body),
		chromedp.SendKeys(field("Lead-in", "Demand group 1"), letter.Groups[0].LeadIn),
		chromedp.SetValue(field("Demands", "Demand group 1"), letter.Groups[0].Demands),
	)
	c.navigate(http.StatusOK, chromedp.Click(button("Add a demand group")))
	if got := c.value(field("Title")); got != letter.Title {
		t.Fatalf("adding a group lost the title: %q", got)
	}
	c.do(
		chromedp.SendKeys(field("Lead-in", "Demand group 2"), letter.Groups[1].LeadIn),
		chromedp.SetValue(field("Demands", "Demand group 2"), letter.Groups[1].Demands),
		chromedp.SendKeys(field("Closing text"), "Sincerely,"),
	)
	c.navigate(http.StatusOK, chromedp.Click(button("Create the draft")))
	c.expectText("Saved.", "Draft")
	c.check("editor")
	j.editorPath = eval[string](c, `location.pathname`)

	// Seed 003 was published with the names its coalition gathered: this
	// letter lists a signature at once, without the default confirmation
	// by email and review of organisations.
	confirm, review := field("Confirm signatures by email"), field("Review signatures of organisations before they appear")
	if !c.checked(confirm) || !c.checked(review) {
		t.Error("a new letter does not confirm signatures by email and review organisations by default")
	}
	c.do(chromedp.Click(confirm), chromedp.Click(review))
	c.navigate(http.StatusOK, chromedp.Click(button("Save the settings")))
	c.expectText("Saved.")
	if c.checked(confirm) || c.checked(review) {
		t.Error("the settings form shows confirmation or review ticked after saving them unticked")
	}

	c.navigate(http.StatusOK, chromedp.Click(link("Preview")))
	c.expectText("Preview: this is how the letter will look", letter.Title, "To:", "RE: Political prisoners in Azerbaijan",
		"Excellencies,", letter.Groups[0].LeadIn, letter.Groups[1].LeadIn, "Sincerely,")
	if n := eval[int](c, `document.querySelectorAll('.demand-group').length * 100 + document.querySelectorAll('.demands li').length`); n != 210 {
		t.Errorf("preview shows %d groups and %d demands, want 2 and 10", n/100, n%100)
	}
	c.check("preview")

	c.open(j.editorPath, http.StatusOK)
	c.navigate(http.StatusOK, chromedp.Click(button("Publish the letter")))
	c.expectText("Open for signatures")
	c.navigate(http.StatusOK, chromedp.Click(link("Public page")))
	j.letterPath = eval[string](c, `location.pathname`)
	c.expectText(letter.Title, "An initiative of Forum 2000 Foundation and International Coalition for Democratic Renewal (ICDR)",
		"To: Members of the Parliamentary Assembly", "RE: Political prisoners in Azerbaijan", "Signatories as of", "0 signatures")
	c.check("letter-open")
}

// signerUsesTheKeyboard: a signer signs by keyboard alone, and mistypes
// their email address first.
func (j *journeys) signerUsesTheKeyboard(t *testing.T) {
	letter := modeltest.Azerbaijan
	s := j.b.newTab(t)
	s.open(j.letterPath, http.StatusOK)
	s.tabTo(link("Skip to content"))
	if top := eval[float64](s, `document.activeElement.getBoundingClientRect().top`); top < 0 {
		t.Errorf("the focused skip link is off screen (top %v px)", top)
	}
	s.press(kb.Enter)
	if got := eval[string](s, `document.activeElement.id`); got != "main" {
		t.Errorf("the skip link moved the focus to %q, want main", got)
	}
	s.tabTo(field("Full name"))
	s.press("Leyla Yunus")
	s.tabTo(field("Organisation or affiliation"))
	s.press("Institute for Peace and Democracy")
	s.tabTo(field("Country"))
	s.press("Azerbaijan")
	s.tabTo(field("Second country"))
	s.press("Netherlands")
	s.tabTo(field("Email address"))
	s.press("leyla@") // the mistake
	s.tabTo(field("I have read the letter and agree to add my name to it."))
	s.press(" ")
	s.tabTo(button("Sign the letter"))
	s.navigate(http.StatusUnprocessableEntity, chromedp.KeyEvent(kb.Enter))

	s.expectText("Please correct the following")
	if msg := s.text(`//*[@id="f-email-error"]`); !strings.Contains(msg, "email address") {
		t.Errorf("message beside the email field: %q", msg)
	}
	if d := run(s, "aria-describedby", chromedp.AttributeValue(field("Email address"), "aria-describedby")); !strings.Contains(d.Value, "f-email-error") {
		t.Errorf("the email field is not described by its error: %q", d.Value)
	}
	for label, want := range map[string]string{"Full name": "Leyla Yunus", "Organisation or affiliation": "Institute for Peace and Democracy",
		"Country": "AZ", "Second country": "NL", "Email address": "leyla@"} {
		if got := s.value(field(label)); got != want {
			t.Errorf("%s came back as %q, want %q as typed", label, got, want)
		}
	}
	s.check("sign-errors")

	s.tabTo(field("Email address"))
	s.do(chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)))
	s.press("leyla@example.org")
	s.navigate(http.StatusOK, chromedp.KeyEvent(kb.Enter))
	s.expectText("Check your email", "We have sent an email to leyla@example.org", letter.Title)
	s.check("thanks")
}

// restOfTheListSigns: the rest of seed 003's list, and an organisation,
// sign over HTTP, without confirmation or review.
func (j *journeys) restOfTheListSigns(t *testing.T) {
	signer := handlertest.OverServer(t, j.srv.addr)
	signer.Get(j.letterPath)
	for i, sig := range modeltest.AzerbaijanSignatories {
		if sig.Name == "Leyla Yunus" {
			continue // signed in the browser before
		}
		form := handlertest.SignForm(sig.Name, sig.Country, modeltest.SignerEmail(i))
		form.Set("affiliation", sig.Affiliation)
		form.Set("role", sig.Role)
		form.Set("country2", sig.Country2)
		signer.Post(j.letterPath+"/sign", form).Expect(t, http.StatusSeeOther)
	}
	signer.Post(j.letterPath+"/sign", handlertest.OrgForm("Jakub Klepal", "Forum 2000 Foundation", "CZ", "office@forum2000.example")).Expect(t, http.StatusSeeOther)
}

// visitorReads: a visitor reads the index, the letter and its full list.
func (j *journeys) visitorReads(t *testing.T) {
	letter := modeltest.Azerbaijan
	v := j.b.newTab(t)
	v.open("/", http.StatusOK)
	v.expectText("Joint letters and statements", letter.Title, "23 signatures", "Open for signatures")
	v.check("index")
	v.navigate(http.StatusOK, chromedp.Click(link(letter.Title)))
	v.expectText("Signatories as of", "Organisations (1)", "Forum 2000 Foundation, Czechia", "Individuals (22)",
		"Leyla Yunus, Institute for Peace and Democracy, Azerbaijan/Netherlands", "Pavel Pšeja, CEVRO University, Czechia",
		"Carl Gershman, formerly NED, United States")
	main := v.mainText()
	if strings.Index(main, "Organisations (1)") > strings.Index(main, "Individuals (22)") ||
		strings.Index(main, "Igor Blazevic") > strings.Index(main, "Andreas Bummel") ||
		strings.Index(main, "Andreas Bummel") > strings.Index(main, "Niranjan Sahoo") {
		t.Errorf("the list is not organisations first, then individuals by family name:\n%s", main)
	}
	v.check("letter-signed")
	v.navigate(http.StatusOK, chromedp.Click(link("See all 23 signatories")))
	v.expectText("Signatories as of", "Of the letter "+letter.Title, "Arif Yunus, Institute for Peace and Democracy, Azerbaijan/Netherlands")
	v.check("signatories")
}

// signerWithoutJavaScript: a signer signs, and forgets to agree first, with
// JavaScript off.
func (j *journeys) signerWithoutJavaScript(t *testing.T) {
	noScript := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	})
	s := j.b.newTab(t, noScript)
	s.noScript = true
	s.open(j.letterPath, http.StatusOK)
	s.do(
		chromedp.Click(field("As an individual")),
		chromedp.SendKeys(field("Full name"), "Андрей Сахаров"),
		chromedp.SendKeys(field("Country"), "Russia"),
		chromedp.SendKeys(field("Email address"), "andrei@example.org"),
	)
	s.navigate(http.StatusUnprocessableEntity, chromedp.Click(button("Sign the letter"))) // the mistake: not agreeing
	s.expectText("Please confirm that you agree to sign the letter.")
	s.check("sign-errors-no-javascript")
	s.do(chromedp.Click(field("I have read the letter and agree to add my name to it.")))
	s.navigate(http.StatusOK, chromedp.Click(button("Sign the letter")))
	s.expectText("Check your email", "We have sent an email to andrei@example.org")
	s.check("thanks-no-javascript")
	s.open(j.letterPath+"/signatories", http.StatusOK)
	s.expectText("Андрей Сахаров, Russia", "24 signatures")
}

// phoneScrollsOnlyVertically: every page, on a 390 px phone, scrolls only
// vertically.
func (j *journeys) phoneScrollsOnlyVertically(t *testing.T) {
	p := j.b.newTab(t, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	shot := func(name string) {
		t.Helper()
		if over := p.horizontalOverflow(); over > 0 {
			t.Errorf("%s is %d px wider than a 390 px phone", name, over)
		}
		p.screenshot("phone-" + name)
	}
	p.open("/", http.StatusOK)
	shot("index")
	p.open(j.letterPath, http.StatusOK)
	shot("letter")
	p.navigate(http.StatusUnprocessableEntity, chromedp.Click(button("Sign the letter")))
	shot("sign-errors")
	p.open(j.letterPath+"/signatories", http.StatusOK)
	shot("signatories")
	p.login()
	shot("dashboard")
	p.open(j.editorPath, http.StatusOK)
	shot("editor")
	p.open(j.editorPath+"/signatures", http.StatusOK)
	shot("signatures")
}

// coordinatorCloses: the coordinator logs in, reads the signatures and closes
// the letter; a missing page says so.
func (j *journeys) coordinatorCloses(t *testing.T) {
	letter := modeltest.Azerbaijan
	c := j.b.newTab(t)
	c.open("/login", http.StatusOK)
	c.check("login")
	c.login()
	c.expectText(letter.Title, "24")
	c.check("dashboard")
	c.open(j.editorPath+"/signatures", http.StatusOK)
	c.expectText("leyla@example.org", "Download as CSV")
	c.check("signatures")
	c.open(j.editorPath, http.StatusOK)
	c.navigate(http.StatusOK, chromedp.Click(button("Close signatures")))
	c.open(j.letterPath, http.StatusOK)
	c.expectText("Closed", "24 signatures")
	if n := eval[int](c, `document.querySelectorAll('form[action$="/sign"]').length`); n != 0 {
		t.Error("a closed letter still shows its signing form")
	}
	c.check("letter-closed")
	c.open("/letters/no-such-letter", http.StatusNotFound)
	c.expectText("Page not found")
	c.check("404")
}

// coordinatorOpensASecondLetter: the coordinator opens seed 000's letter,
// keeping the default settings: signatures are confirmed by email, and
// organisations' reviewed.
func (j *journeys) coordinatorOpensASecondLetter(t *testing.T) {
	coord := loggedIn(t, j.srv.addr, coordinatorEmail, coordinatorPassword)
	j.chinaEditor = coord.OpenLetter(draft("More attention needed on human rights violations in China", "china"), nil)
}

// organisationsWaitForReview: organisations confirm their signatures and
// wait for review; the coordinator approves one and rejects another.
func (j *journeys) organisationsWaitForReview(t *testing.T) {
	o := j.b.newTab(t)
	o.open(chinaPath, http.StatusOK)
	o.do(
		chromedp.Click(field("On behalf of an organisation")),
		chromedp.SendKeys(field("Full name"), "Natalia Morozova"),
		chromedp.SendKeys(field("Organisation or affiliation"), "Human Rights House Foundation"),
		chromedp.SendKeys(field("Country"), "Norway"),
		chromedp.SendKeys(field("Email address"), "office@hrh.example"),
		chromedp.Click(field("I have read the letter and agree to add my name to it.")),
	)
	o.navigate(http.StatusOK, chromedp.Click(button("Sign the letter")))
	o.expectText("Check your email", "We have sent an email to office@hrh.example", "until you do, it is not counted or listed.")
	o.check("thanks-confirm")
	o.navigate(http.StatusOK, chromedp.Navigate(j.srv.console.next(t, "office@hrh.example").link("/confirm/")))
	o.expectText("Confirm your signature", "On the list it will read: Human Rights House Foundation, Norway")
	o.navigate(http.StatusOK, chromedp.Click(button("Confirm my signature")))
	o.expectText("Your signature is confirmed", "yours will appear once reviewed")
	o.check("confirmed-review")

	// A front organisation signs too, over HTTP, and confirms.
	front := handlertest.OverServer(t, j.srv.addr)
	front.Get(chinaPath)
	front.Post(chinaPath+"/sign", handlertest.OrgForm("Li Wei", "Association for Harmonious Development", "CN", "li@harmony.example")).Expect(t, http.StatusSeeOther)
	front.Confirm(linkPath(t, j.srv.console.next(t, "li@harmony.example").link("/confirm/"))).Expect(t, http.StatusOK, "Your signature is confirmed")
	o.open(chinaPath, http.StatusOK)
	o.expectText("0 signatures")

	c := j.b.newTab(t)
	c.login()
	c.open(j.chinaEditor+"/signatures", http.StatusOK)
	c.navigate(http.StatusOK, chromedp.Click(link("2 signatures wait for review")))
	c.expectText("Signatures waiting for review", "Waiting: 2", "Human Rights House Foundation, Norway", "Association for Harmonious Development, China")
	c.check("review")
	c.do(chromedp.SendKeys(field("Kind"), "Individuals"))
	c.navigate(http.StatusOK, chromedp.Click(button("Filter")))
	c.expectText("Waiting: 0")
	c.do(chromedp.SendKeys(field("Kind"), "Organisations"))
	c.navigate(http.StatusOK, chromedp.Click(button("Filter")))
	c.expectText("Waiting: 2")
	c.navigate(http.StatusOK, chromedp.Click(rowButton("Human Rights House Foundation", "Approve")))
	c.expectText("Approved: 1.", "Waiting: 1")
	if got := c.value(field("Kind")); got != "organisation" {
		t.Errorf("after approving, the queue's kind filter is %q, want organisation as it was", got)
	}
	c.navigate(http.StatusOK, chromedp.Click(rowButton("Association for Harmonious Development", "Reject")))
	c.expectText("Rejected: 1.", "Waiting: 0")

	o.open(chinaPath, http.StatusOK)
	o.expectText("1 signature", "Organisations (1)", "Human Rights House Foundation, Norway")
	if strings.Contains(o.mainText(), "Harmonious") {
		t.Error("the rejected organisation is on the letter")
	}
}

// signersChooseHowTheyAppear: signers appear as Anonymous with their
// country, or only in the count, and no page names them.
func (j *journeys) signersChooseHowTheyAppear(t *testing.T) {
	s := j.b.newTab(t)
	s.open(chinaPath, http.StatusOK)
	s.navigate(http.StatusOK, chromedp.Click(link("What we keep, and for how long")))
	s.expectText("What we publish, what we keep, and for how long")
	s.check("privacy")
	s.open(chinaPath, http.StatusOK)
	s.do(
		chromedp.SendKeys(field("Full name"), "Aigerim Seitkali"),
		chromedp.SendKeys(field("Country"), "Kazakhstan"),
		chromedp.SendKeys(field("Email address"), "aigerim@example.kz"),
		chromedp.Click(field("As “Anonymous”, with my country only")),
		chromedp.Click(field("I have read the letter and agree to add my name to it.")),
	)
	s.navigate(http.StatusOK, chromedp.Click(button("Sign the letter")))
	s.expectText("Check your email", "We have sent an email to aigerim@example.kz")
	s.navigate(http.StatusOK, chromedp.Navigate(j.srv.console.next(t, "aigerim@example.kz").link("/confirm/")))
	s.expectText("Confirm your signature", "On the list it will read: Anonymous, Kazakhstan",
		"If you did not sign this letter, leave this page: nothing will be published.")
	s.check("confirm")
	s.navigate(http.StatusOK, chromedp.Click(button("Confirm my signature")))
	s.expectText("Your signature is confirmed", "Your signature is now on the letter.")
	s.check("confirmed")

	counted := handlertest.OverServer(t, j.srv.addr)
	counted.Get(chinaPath)
	form := handlertest.SignForm("Bolat Nurlanov", "KZ", "bolat@example.kz")
	form.Set("display", "counted")
	counted.Post(chinaPath+"/sign", form).Expect(t, http.StatusSeeOther)
	counted.Confirm(linkPath(t, j.srv.console.next(t, "bolat@example.kz").link("/confirm/"))).Expect(t, http.StatusOK, "Your signature is confirmed")

	s.open(chinaPath, http.StatusOK)
	s.expectText("3 signatures", "Anonymous, Kazakhstan", "1 more person signed without being named.")
	for _, path := range []string{"/", chinaPath, chinaPath + "/signatories"} {
		page := counted.Get(path).Body
		for _, name := range []string{"Aigerim", "Seitkali", "Bolat", "Nurlanov"} {
			if strings.Contains(page, name) {
				t.Errorf("%s names %s, who chose not to be named", path, name)
			}
		}
	}
}

// signerWithdraws: a signer withdraws by the private link emailed to them.
func (j *journeys) signerWithdraws(t *testing.T) {
	w := j.b.newTab(t)
	w.open(chinaPath, http.StatusOK)
	w.do(
		chromedp.SendKeys(field("Full name"), "Tomasz Nowicki"),
		chromedp.SendKeys(field("Country"), "Poland"),
		chromedp.SendKeys(field("Email address"), "tomasz@example.pl"),
		chromedp.Click(field("I have read the letter and agree to add my name to it.")),
	)
	w.navigate(http.StatusOK, chromedp.Click(button("Sign the letter")))
	if strings.Contains(eval[string](w, `document.body.innerHTML`), "/signature/") {
		t.Error("the thank-you page shows a private link: it travels by email only")
	}
	mail := j.srv.console.next(t, "tomasz@example.pl")
	w.navigate(http.StatusOK, chromedp.Navigate(mail.link("/confirm/")))
	w.navigate(http.StatusOK, chromedp.Click(button("Confirm my signature")))
	w.open(chinaPath, http.StatusOK)
	w.expectText("4 signatures", "Tomasz Nowicki, Poland")

	w.navigate(http.StatusOK, chromedp.Navigate(mail.link("/signature/")))
	w.expectText("Your signature", "It appears as: Tomasz Nowicki, Poland", "It is counted on the letter.")
	w.check("manage")
	manage := eval[string](w, `location.pathname`)
	w.navigate(http.StatusOK, chromedp.Click(button("Withdraw my signature")))
	w.expectText("Your signature has been withdrawn")
	w.check("withdrawn")
	w.open(chinaPath, http.StatusOK)
	w.expectText("3 signatures")
	if strings.Contains(w.mainText(), "Tomasz") {
		t.Error("the withdrawn signature is still on the letter")
	}
	w.open(manage, http.StatusNotFound)
}

// coordinatorCurates: the coordinator adds signatories collected elsewhere,
// publishes a dated list, posts an update and revises the text.
func (j *journeys) coordinatorCurates(t *testing.T) {
	c := j.b.newTab(t)
	c.login()
	c.open(j.chinaEditor+"/signatures", http.StatusOK)
	c.navigate(http.StatusOK, chromedp.Click(link("Add signatories collected elsewhere")))
	c.check("import")
	c.do(chromedp.SetValue(field("Signatories, one per line"), "Igor Blazevic, Prague Civil Society Centre, Czechia\nJavier El-Hage, Human Rights Foundation, Bolivia/USA\nNobody, Atlantis"))
	c.navigate(http.StatusUnprocessableEntity, chromedp.Click(button("Preview")))
	c.expectText("Country not recognised: “Atlantis”")
	c.check("import-preview-errors")
	c.do(chromedp.SetValue(field("Signatories, one per line"), "Igor Blazevic, Prague Civil Society Centre, Czechia\nJavier El-Hage, Human Rights Foundation, Bolivia/USA"))
	c.navigate(http.StatusOK, chromedp.Click(button("Preview")))
	c.expectText("Will be added", "Bolivia/United States")
	c.check("import-preview")
	c.navigate(http.StatusOK, chromedp.Click(button("Add 2 signatories to the list")))
	c.expectText("Added to the list: 2.")

	c.open(j.chinaEditor, http.StatusOK)
	c.navigate(http.StatusOK, chromedp.Click(button("Publish the list as of today")))
	c.expectText("The list is published as of today.")
	c.do(chromedp.SendKeys(field("Update"), "The letter was delivered to the Permanent Missions."))
	c.navigate(http.StatusOK, chromedp.Click(button("Post the update")))
	c.do(chromedp.SetValue(field("Title"), "More attention needed on human rights violations in China and Hong Kong"))
	c.navigate(http.StatusOK, chromedp.Click(button("Save the text")))
	// People have signed: the change is shown, and saved only once confirmed as one of substance.
	c.expectText("What changes", "A change of substance: it becomes revision 2")
	c.check("revise")
	c.do(chromedp.Click(`//input[@id="f-change-substance"]`))
	c.navigate(http.StatusOK, chromedp.Click(button("Save the change")))
	c.expectText("Saved.")

	v := j.b.newTab(t)
	v.open(chinaPath, http.StatusOK)
	v.expectText("Update of ", "The letter was delivered to the Permanent Missions.", "Published lists", "Revision 2 of this letter",
		"Igor Blazevic, Prague Civil Society Centre, Czechia", "Javier El-Hage, Human Rights Foundation, Bolivia/United States")
	v.navigate(http.StatusOK, chromedp.Click(`//a[starts-with(normalize-space(), "List as of")]`))
	v.expectText("Igor Blazevic, Prague Civil Society Centre, Czechia")
	v.check("dated-list")
	v.open(chinaPath+"/revisions/1", http.StatusOK)
	v.expectText("This is revision 1 of this letter", "More attention needed on human rights violations in China")
	v.check("revision-1")
}

// login logs the tab in as the journeys' coordinator, by the login form.
func (tb *tab) login() {
	tb.t.Helper()
	tb.open("/login", http.StatusOK)
	tb.do(chromedp.SendKeys(field("Email address"), coordinatorEmail), chromedp.SendKeys(field("Password"), coordinatorPassword))
	tb.navigate(http.StatusOK, chromedp.Click(button("Log in")))
	tb.expectText("Your letters")
}

// hostile are payloads of stored XSS and SQL injection, each marked so that
// an element they manage to inject can be found.
var hostile = []string{
	`<script data-xss>alert("xss script")</script>`,
	`<img src=x onerror=alert("xss-img") data-xss>`,
	`<svg onload=alert("xss-svg") data-xss></svg>`,
	`"><a href="javascript:alert('xss-href')" data-xss>click</a>`,
	`Robert'); DROP TABLE signatures;--`,
}

// reviewPick finds the ids of the signatures a review queue offers.
var reviewPick = regexp.MustCompile(`name="ids" value="(\d+)"`)

// testHostileText fills every text field a coordinator or a signer can with
// hostile payloads, then opens every page that shows them in the browser:
// no dialog may open, no element may be injected, and the payloads must
// read as the text that was typed.
func testHostileText(t *testing.T, b *browser, srv *server) {
	addr := srv.addr
	payload := strings.Join(hostile, " ")
	coord := loggedIn(t, addr, coordinatorEmail, coordinatorPassword)
	coord.Get("/dashboard/letters/new")
	editor := strings.TrimSuffix(coord.Post("/dashboard/letters", url.Values{
		"title": {hostile[1] + " " + hostile[4]}, "slug": {"hostile"}, "summary": {payload}, "initiators": {payload},
		"addressees": {payload}, "subject": {payload}, "salutation": {hostile[0]}, "closing": {payload},
		"body":          {payload + "\n\n[click me](javascript:alert('xss-md')) <iframe src=\"javascript:alert(1)\" data-xss></iframe>"},
		"group_lead_in": {payload}, "group_demands": {strings.Join(hostile, "\n")}, "action": {"save"},
	}).Expect(t, http.StatusSeeOther).Location, "?saved=1")
	// Organisations' signatures are reviewed, without confirmation by email:
	// all but one are approved onto the list, and one stays in the review
	// queue, so that both show the payloads.
	coord.Post(editor+"/settings", handlertest.Settings("listed", "review_organisations")).Expect(t, http.StatusSeeOther)
	coord.Get(editor)
	coord.Post(editor+"/state", url.Values{"state": {"open"}}).Expect(t, http.StatusSeeOther)
	signer := handlertest.OverServer(t, addr)
	signer.Get("/letters/hostile")
	for i, p := range hostile {
		form := handlertest.OrgForm(p, p, "FR", fmt.Sprintf("hostile%d@example.org", i))
		form.Set("role", p)
		signer.Post("/letters/hostile/sign", form).Expect(t, http.StatusSeeOther)
	}
	queue := coord.Get(editor + "/review").Body
	var ids []string
	for _, m := range reviewPick.FindAllStringSubmatch(queue, -1) {
		ids = append(ids, m[1])
	}
	if len(ids) != len(hostile) {
		t.Fatalf("the review queue offers %d signatures, want %d", len(ids), len(hostile))
	}
	coord.Post(editor+"/review", url.Values{"action": {"approve"}, "ids": ids[1:]}).Expect(t, http.StatusSeeOther)
	// The signer's private page shows their entry too; its link is emailed.
	manage := linkPath(t, srv.console.next(t, fmt.Sprintf("hostile%d@example.org", len(hostile)-1)).link("/signature/"))

	v := b.newTab(t)
	var (
		mu     sync.Mutex
		opened []string
	)
	dialogs := chromedp.Events(v.ctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			mu.Lock()
			opened = append(opened, ev.Message)
			mu.Unlock()
			// An open dialog blocks the page: dismiss it so the test goes on and reports it.
			chromedp.Call(v.ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}()
	v.login()
	for _, path := range []string{"/", "/letters/hostile", "/letters/hostile/signatories", "/letters/hostile/print", "/letters/hostile/embed", editor, editor + "/preview", editor + "/signatures", editor + "/review", manage} {
		v.open(path, http.StatusOK)
		injected := eval[string](v, `(() => {
			// The letter page draws its charts and map as SVG: only those may be there.
			const bad = [...document.querySelectorAll('[data-xss], script, iframe, svg:not(figure.chart svg), img, a[href^="javascript:"]')]
				.concat([...document.querySelectorAll('*')].filter(e => [...e.attributes].some(a => a.name.startsWith('on'))));
			return bad.map(e => e.outerHTML.slice(0, 100)).join('\n');
		})()`)
		if injected != "" {
			t.Errorf("%s: hostile text became elements:\n%s", path, injected)
		}
		if !strings.Contains(v.mainText(), hostile[1]) {
			t.Errorf("%s does not show the payload %s as text", path, hostile[1])
		}
	}
	v.open("/letters/hostile", http.StatusOK)
	v.expectText(hostile[0], hostile[2], hostile[3], hostile[4])
	v.check("hostile-letter")
	v.do(chromedp.Sleep(200 * time.Millisecond)) // time for a dialog to open
	mu.Lock()
	defer mu.Unlock()
	for _, msg := range opened {
		t.Errorf("a JavaScript dialog opened: %q", msg)
	}
}
