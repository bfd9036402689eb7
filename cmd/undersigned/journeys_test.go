package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"undersigned/models/modeltest"
)

const (
	coordinatorEmail    = "jakub@forum2000.example"
	coordinatorPassword = "correct horse battery staple"
)

// TestBrowserJourneys walks the product in Chromium as its people do, on
// one server: a coordinator publishes seed 003's letter, signers sign it by
// keyboard, without JavaScript and on a phone, the public reads it, and
// hostile text is shown as text. Every key page passes axe and html-validate.
func TestBrowserJourneys(t *testing.T) {
	base, setupLink := serveFresh(t)
	b := startBrowser(t, base)
	addr := strings.TrimPrefix(base, "http://")
	letter := modeltest.Azerbaijan
	var letterPath, editorPath string

	t.Run("1 coordinator sets up, drafts two demand groups, previews, publishes", func(t *testing.T) {
		c := b.newTab(t)
		c.navigate(http.StatusOK, chromedp.Navigate(setupLink))
		c.check("setup")
		c.do(
			chromedp.SendKeys(field("Full name"), "Jakub Klepal"),
			chromedp.SendKeys(field("Email address"), coordinatorEmail),
			chromedp.SendKeys(field("Password"), coordinatorPassword),
			chromedp.SendKeys(field("Organisation"), "Forum 2000"),
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
		editorPath = eval[string](c, `location.pathname`)

		c.navigate(http.StatusOK, chromedp.Click(link("Preview")))
		c.expectText("Preview: this is how the letter will look", letter.Title, "To:", "RE: Political prisoners in Azerbaijan",
			"Excellencies,", letter.Groups[0].LeadIn, letter.Groups[1].LeadIn, "Sincerely,")
		if n := eval[int](c, `document.querySelectorAll('.demand-group').length * 100 + document.querySelectorAll('.demands li').length`); n != 210 {
			t.Errorf("preview shows %d groups and %d demands, want 2 and 10", n/100, n%100)
		}
		c.check("preview")

		c.open(editorPath, http.StatusOK)
		c.navigate(http.StatusOK, chromedp.Click(button("Publish the letter")))
		c.expectText("Open for signatures")
		c.navigate(http.StatusOK, chromedp.Click(link("Public page")))
		letterPath = eval[string](c, `location.pathname`)
		c.expectText(letter.Title, "An initiative of International Coalition for Democratic Renewal (ICDR) and Forum 2000 Foundation",
			"To: Members of the Parliamentary Assembly", "RE: Political prisoners in Azerbaijan", "Signatories as of", "0 signatures")
		c.check("letter-open")
	})
	if letterPath == "" {
		t.Fatal("no letter was published; the other journeys need one")
	}

	t.Run("2 signer signs by keyboard only, with a mistake first", func(t *testing.T) {
		s := b.newTab(t)
		s.open(letterPath, http.StatusOK)
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
		s.expectText("Thank you for signing", letter.Title)
		s.check("thanks")
	})

	// The rest of seed 003's list, and an organisation, signed over HTTP.
	signer := newClient(t, addr)
	signer.get(letterPath)
	for i, sig := range modeltest.AzerbaijanSignatories {
		if sig.Name == "Leyla Yunus" {
			continue // signed in the browser above
		}
		signer.mustPost(letterPath+"/sign", url.Values{"kind": {"individual"}, "name": {sig.Name}, "affiliation": {sig.Affiliation},
			"role": {sig.Role}, "country": {sig.Country}, "country2": {sig.Country2}, "email": {modeltest.SignerEmail(i)}, "agree": {"true"}}, http.StatusSeeOther)
	}
	signer.mustPost(letterPath+"/sign", url.Values{"kind": {"organisation"}, "name": {"Jakub Klepal"}, "affiliation": {"Forum 2000 Foundation"},
		"country": {"CZ"}, "email": {"office@forum2000.example"}, "agree": {"true"}}, http.StatusSeeOther)

	t.Run("3 visitor reads the index, the letter and the full list", func(t *testing.T) {
		v := b.newTab(t)
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
	})

	t.Run("4 signer signs with JavaScript disabled", func(t *testing.T) {
		noScript := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
			return err
		})
		s := b.newTab(t, noScript)
		s.noScript = true
		s.open(letterPath, http.StatusOK)
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
		s.expectText("Thank you for signing")
		s.check("thanks-no-javascript")
		s.open(letterPath+"/signatories", http.StatusOK)
		s.expectText("Андрей Сахаров, Russia", "24 signatures")
	})

	t.Run("5 phone-sized viewport scrolls only vertically", func(t *testing.T) {
		p := b.newTab(t, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
		shot := func(name string) {
			t.Helper()
			if over := p.horizontalOverflow(); over > 0 {
				t.Errorf("%s is %d px wider than a 390 px phone", name, over)
			}
			p.screenshot("phone-" + name)
		}
		p.open("/", http.StatusOK)
		shot("index")
		p.open(letterPath, http.StatusOK)
		shot("letter")
		p.navigate(http.StatusUnprocessableEntity, chromedp.Click(button("Sign the letter")))
		shot("sign-errors")
		p.open(letterPath+"/signatories", http.StatusOK)
		shot("signatories")
		p.login()
		shot("dashboard")
		p.open(editorPath, http.StatusOK)
		shot("editor")
		p.open(editorPath+"/signatures", http.StatusOK)
		shot("signatures")
	})

	t.Run("coordinator curates and closes; login and 404 pages", func(t *testing.T) {
		c := b.newTab(t)
		c.open("/login", http.StatusOK)
		c.check("login")
		c.login()
		c.expectText(letter.Title, "24")
		c.check("dashboard")
		c.open(editorPath+"/signatures", http.StatusOK)
		c.expectText("leyla@example.org", "Download as CSV")
		c.check("signatures")
		c.open(editorPath, http.StatusOK)
		c.navigate(http.StatusOK, chromedp.Click(button("Close signatures")))
		c.open(letterPath, http.StatusOK)
		c.expectText("Closed", "24 signatures")
		if n := eval[int](c, `document.querySelectorAll('form[action$="/sign"]').length`); n != 0 {
			t.Error("a closed letter still shows its signing form")
		}
		c.check("letter-closed")
		c.open("/letters/no-such-letter", http.StatusNotFound)
		c.expectText("Page not found")
		c.check("404")
	})

	t.Run("hostile text is shown as text, never run", func(t *testing.T) {
		testHostileText(t, b, addr)
	})

	t.Run("every key page is valid HTML", func(t *testing.T) {
		b.validateHTML(t)
	})
	t.Logf("axe: %d key pages without serious or critical WCAG 2.1 A/AA violations", b.axeRan)
	t.Logf("screenshots and page sources: %s", b.artefacts)
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

// testHostileText fills every text field a coordinator or a signer can with
// hostile payloads, then opens every page that shows them in the browser:
// no dialog may open, no element may be injected, and the payloads must
// read as the text that was typed.
func testHostileText(t *testing.T, b *browser, addr string) {
	payload := strings.Join(hostile, " ")
	coord := loggedIn(t, addr, coordinatorEmail, coordinatorPassword)
	coord.get("/dashboard/letters/new")
	editor := strings.TrimSuffix(coord.mustPost("/dashboard/letters", url.Values{
		"title": {hostile[1] + " " + hostile[4]}, "slug": {"hostile"}, "summary": {payload}, "initiators": {payload},
		"addressees": {payload}, "subject": {payload}, "salutation": {hostile[0]}, "closing": {payload},
		"body":          {payload + "\n\n[click me](javascript:alert('xss-md')) <iframe src=\"javascript:alert(1)\" data-xss></iframe>"},
		"group_lead_in": {payload}, "group_demands": {strings.Join(hostile, "\n")}, "action": {"save"},
	}, http.StatusSeeOther), "?saved=1")
	coord.get(editor)
	coord.mustPost(editor+"/state", url.Values{"state": {"open"}}, http.StatusSeeOther)
	signer := newClient(t, addr)
	signer.get("/letters/hostile")
	for i, p := range hostile {
		signer.mustPost("/letters/hostile/sign", url.Values{"kind": {"organisation"}, "name": {p}, "affiliation": {p}, "role": {p},
			"country": {"FR"}, "email": {fmt.Sprintf("hostile%d@example.org", i)}, "agree": {"true"}}, http.StatusSeeOther)
	}

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
	for _, path := range []string{"/", "/letters/hostile", "/letters/hostile/signatories", editor, editor + "/preview", editor + "/signatures"} {
		v.open(path, http.StatusOK)
		injected := eval[string](v, `(() => {
			const bad = [...document.querySelectorAll('[data-xss], script, iframe, svg, img, a[href^="javascript:"]')]
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
