package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/mail"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"undersigned/handlers"
	"undersigned/handlers/handlertest"
	"undersigned/models"
	"undersigned/models/modeltest"
	"undersigned/views"
)

// The two addressees of seed 003's letter, one a line of its "To:", with
// the role the coordinator gives each and the address it is delivered to.
var addressees = []struct{ line, role, email string }{
	{"Members of the Parliamentary Assembly of the Council of Europe", "President of the Parliamentary Assembly", "president@pace.example"},
	{"Delegations to COP29", "COP29 Presidency", "presidency@cop29.example"},
}

// What the coordinator writes: the covering message of the delivery, and
// the response the Assembly sent back.
const (
	coveringMessage = "Please find attached our joint letter on political prisoners in Azerbaijan, with its signatories."
	responder       = "Secretariat of the Parliamentary Assembly"
	responseText    = "The President of the Assembly has received the letter and will raise it with the Azerbaijani delegation."
)

// follower is one of the 25 people who sign in TestFollowThroughJourney.
type follower struct {
	modeltest.Signatory
	email string
	news  bool // ticks "Email me news"
}

// followers are seed 003's 22 signatories and three more; the first ten
// ask for news.
func followers() []follower {
	sigs := append(slices.Clone(modeltest.AzerbaijanSignatories),
		modeltest.Signatory{Name: arabicName, Country: "AZ"},
		modeltest.Signatory{Name: cyrillicName, Country: "RU"},
		modeltest.Signatory{Name: "Aigerim Seitkali", Country: "KZ"})
	out := make([]follower, len(sigs))
	for i, s := range sigs {
		out[i] = follower{Signatory: s, email: modeltest.SignerEmail(i), news: i < 10}
	}
	return out
}

// shiftedClock is the server's clock: the real time, moved on by a test.
type shiftedClock struct{ ahead atomic.Int64 }

func (c *shiftedClock) Now() time.Time { return time.Now().Add(time.Duration(c.ahead.Load())) }

// moveTo sets the clock to at, from which it runs on.
func (c *shiftedClock) moveTo(at time.Time) { c.ahead.Store(int64(time.Until(at))) }

// serveAt runs the server in the test process, as serve does (its jobs,
// the news it sends and its mailer), on db with flags, but with its
// handlers on clock: the binary has no setting for a clock. It returns
// the address it listens on.
func serveAt(t *testing.T, clock func() time.Time, db string, flags ...string) string {
	t.Helper()
	addr := freeAddr(t)
	c, err := parseServeSettings(serverArgs(db, addr, flags...))
	if err != nil {
		t.Fatal(err)
	}
	c.handlers.Now = clock
	logged := &lastLines{}
	log := slog.New(slog.NewTextHandler(logged, nil))
	ctx, cancel := context.WithCancel(context.Background())
	store, err := models.Open(ctx, c.db)
	if err != nil {
		t.Fatal(err)
	}
	shareWithOtherInstances(ctx, store, c, log)
	app, h, err := handlers.New(ctx, store, log, c.handlers)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		t.Fatal(err)
	}
	startJobs(ctx, store, log)
	go h.RunNews(ctx)
	mailDone := startMailer(ctx, store, c, log)
	stopped := make(chan error, 1)
	go func() { stopped <- serveUntilStopped(ctx, app, ln, c, log, mailDone) }()
	t.Cleanup(func() {
		cancel()
		<-stopped
		store.Close()
		if t.Failed() {
			t.Logf("the server's log ends:\n%s", logged)
		}
	})
	return addr
}

// followThrough is what the steps of TestFollowThroughJourney share, over
// issue 16's campaign (its coordinator, browser and SMTP relay).
type followThrough struct {
	*campaign
	addr    string
	clock   *shiftedClock
	signers []follower

	packet      string   // the PDF delivered, saved among the artefacts
	unsubscribe []string // the List-Unsubscribe links of the news emails
}

// TestFollowThroughJourney is issue 17's journey in Chromium: Forum 2000
// opens seed 003's letter with a goal of 20 signatures and a closing date;
// 25 people sign, ten asking for news, and confirm by their emailed links;
// the milestone shows on the letter. The coordinator gives two addressees
// an address and delivers the letter with its PDF packet: the SMTP relay
// gets both emails, each with the PDF, which pdftotext reads, and Reply-To
// the organisation; the letter says "Delivered on …". A response is
// recorded and sent to the signers who asked: exactly ten emails, each with
// a one-click unsubscribe (RFC 8058) that works once and then says so.
// Then the closing date passes on the server's clock, and the index, the
// letter, its JSON and the dashboard all say closed. The new pages fit a
// 390 px phone and pass axe and html-validate.
func TestFollowThroughJourney(t *testing.T) {
	// Skipped before its server starts: a server stopped as it starts
	// would wait for a listener that has not begun.
	needBrowser(t)
	pdftotext := needPdftotext(t)
	mx := startSMTP(t, "", "")
	db := modeltest.DSN(t)
	forum2000.add(t, db)
	clock := &shiftedClock{}
	addr := serveAt(t, clock.Now, db, "-smtp-url", mx.url(), "-mail-retry", "200ms")
	j := &followThrough{campaign: &campaign{mx: mx, db: db, b: startBrowser(t, "http://"+addr)},
		addr: addr, clock: clock, signers: followers()}
	// The steps that set the stage stop the story when they fail; the
	// others report and let it go on.
	for _, s := range []struct {
		name  string
		step  func(*testing.T)
		stage bool
	}{
		{"Forum 2000 opens seed 003's letter with a closing date and a goal of 20", j.openWithGoal, true},
		{"25 people sign, ten asking for news, and confirm by email; the milestone shows", j.twentyFiveSign, true},
		{"the coordinator gives two addressees an address", j.addressAddressees, true},
		{"the letter goes to both with its PDF packet, Reply-To the organisation", func(t *testing.T) { j.deliver(t, pdftotext) }, false},
		{"a response is recorded and published as one", j.recordResponse, false},
		{"the response goes to exactly the ten who asked, each able to unsubscribe in one click", j.sendResponse, false},
		{"an unsubscribe link works once, then says so", j.unsubscribeTwice, false},
		{"the new pages fit a 390 px phone", j.onAPhone, false},
		{"past the closing date the index, letter, JSON and dashboard say closed", j.closingDatePasses, false},
	} {
		if !t.Run(s.name, s.step) && s.stage {
			t.FailNow()
		}
	}
	t.Run("every new page is valid HTML", j.b.validateHTML)
	t.Logf("axe: %d pages without serious or critical WCAG 2.1 A/AA violations", j.b.axeRan)
	t.Logf("screenshots and page sources: %s", j.b.artefacts)
}

// openWithGoal: issue 16's coordinator drafts and opens the letter with a
// closing date a month ahead, then sets a goal of 20 signatures.
func (j *followThrough) openWithGoal(t *testing.T) {
	j.draftAndOpen(t)
	c := j.as(t, forum2000)
	c.open(j.editor, http.StatusOK)
	settings := j.editor + "/settings"
	c.do(chromedp.SetValue(in(settings, "goal_signatures"), "20"))
	c.navigate(http.StatusOK, chromedp.Click(submit(settings)))
	v := j.b.newTab(t)
	v.open(j.letterPath, http.StatusOK)
	v.expectText("0 of 20 signatures", "Signatures close on "+views.FormatDate("en", j.closesOn))
}

// twentyFiveSign: two signers sign in the browser, one of them asking for
// news by the checkbox, which comes unticked and names the initiators; the
// others sign by HTTP; all confirm by the links emailed to them. The
// letter counts 25, over its goal of 20, and its updates say it was
// reached.
func (j *followThrough) twentyFiveSign(t *testing.T) {
	inBrowser := []int{0, 10} // one who asks for news, one who does not
	for _, i := range inBrowser {
		j.signInBrowser(t, j.signers[i], i == 0)
	}
	signer := handlertest.OverServer(t, j.addr)
	signer.Get(j.letterPath)
	for i, s := range j.signers {
		if slices.Contains(inBrowser, i) {
			continue
		}
		form := handlertest.SignForm(s.Name, s.Country, s.email)
		form.Set("affiliation", s.Affiliation)
		form.Set("country2", s.Country2)
		if s.news {
			form.Set("news", "1")
		}
		signer.Post(j.letterPath+"/sign", form).Expect(t, http.StatusSeeOther)
	}
	for i, s := range j.signers {
		if !slices.Contains(inBrowser, i) {
			signer.Confirm(linkPath(t, j.mx.received.next(t, s.email).link("/confirm/")))
		}
	}
	v := j.b.newTab(t)
	v.open(j.letterPath, http.StatusOK)
	v.expectText("25 signatures", "25 of 20 signatures", "Goal reached: 20 signatures")
	v.check("follow-letter-goal-reached")
}

// signInBrowser has s sign through the letter's form as an individual,
// ticking "Email me news" when s asks for it, and confirm by the emailed
// link. The first time it checks the checkbox's label and that it comes
// unticked.
func (j *followThrough) signInBrowser(t *testing.T, s follower, first bool) {
	t.Helper()
	tb := j.b.newTab(t)
	tb.open(j.letterPath, http.StatusOK)
	news := in(j.letterPath+"/sign", "news")
	if first {
		if !tb.has(news) {
			t.Fatal("the signing form has no checkbox named news")
		}
		if tb.checked(news) {
			t.Error("the news checkbox comes ticked")
		}
		label := eval[string](tb, fmt.Sprintf(`(() => { const e = document.evaluate(%q, document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue;
			return e.labels && e.labels.length ? e.labels[0].textContent.replace(/\s+/g, ' ') : ''; })()`, news))
		if !strings.Contains(label, "Email me news") || !strings.Contains(label, forum2000.org) {
			t.Errorf("the news checkbox's label reads %q, want it to offer news and name %s", label, forum2000.org)
		}
	}
	tb.do(
		chromedp.SendKeys(field("Full name"), s.Name),
		chromedp.SendKeys(field("Organisation or affiliation"), s.Affiliation),
		chromedp.SetValue(field("Country"), s.Country),
		chromedp.SendKeys(field("Email address"), s.email),
		chromedp.Click(field("I have read the letter and agree to add my name to it.")),
	)
	if s.news {
		tb.do(chromedp.Click(news))
	}
	if first {
		tb.check("follow-sign-news")
	}
	tb.navigate(http.StatusOK, chromedp.Click(button("Sign the letter")))
	tb.expectText("Check your email")
	tb.open(linkPath(t, j.mx.received.next(t, s.email).link("/confirm/")), http.StatusOK)
	tb.navigate(http.StatusOK, chromedp.Click(button("Confirm my signature")))
	tb.expectText("Your signature is confirmed")
}

// addressAddressees: from the editor, the coordinator gives each addressee
// line a role and an address; a mistyped address is refused beside its
// field, with what was typed kept.
func (j *followThrough) addressAddressees(t *testing.T) {
	c := j.as(t, forum2000)
	c.open(j.editor, http.StatusOK)
	page := j.editor + "/addressees"
	if !c.has(`//a[@href = ` + xpathString(page) + `]`) {
		t.Error("the editor does not link the addressees' page")
	}
	c.open(page, http.StatusOK)
	c.expectText(addressees[0].line, addressees[1].line)
	c.check("follow-addressees")
	for i, a := range addressees {
		c.do(chromedp.SetValue(in(page, fmt.Sprint("role_", i)), a.role), chromedp.SetValue(in(page, fmt.Sprint("email_", i)), a.email))
	}
	c.do(chromedp.SetValue(in(page, "email_1"), "presidency@"))
	c.navigate(http.StatusUnprocessableEntity, chromedp.Click(submit(page)))
	if got := c.value(in(page, "email_1")); got != "presidency@" {
		t.Errorf("the refused address came back as %q, want it as typed", got)
	}
	if got := c.value(in(page, "role_0")); got != addressees[0].role {
		t.Errorf("a role came back as %q after a refusal, want %q kept", got, addressees[0].role)
	}
	if d := run(c, "aria-describedby", chromedp.AttributeValue(in(page, "email_1"), "aria-describedby")); !strings.Contains(d.Value, "error") {
		t.Errorf("the refused address is not described by an error beside it: aria-describedby %q", d.Value)
	}
	c.check("follow-addressees-error")
	c.do(chromedp.SetValue(in(page, "email_1"), addressees[1].email))
	c.navigate(http.StatusOK, chromedp.Click(submit(page)))
	c.open(page, http.StatusOK)
	for i, a := range addressees {
		if got := c.value(in(page, fmt.Sprint("email_", i))); got != a.email {
			t.Errorf("addressee %d's address reads %q after saving, want %q", i, got, a.email)
		}
	}
	v := handlertest.OverServer(t, j.addr)
	for _, path := range []string{j.letterPath, j.letterPath + ".json", "/feed.atom"} {
		if body := v.Get(path).Body; strings.Contains(body, addressees[0].email) {
			t.Errorf("%s shows an addressee's address", path)
		}
	}
}

// deliver: the coordinator freezes the list now and delivers the English
// version to both addressees, the PDF packet attached. The relay gets one
// email for each, from the site's sender, Reply-To the organisation, with
// the covering message and a PDF in which pdftotext reads the letter's
// title. The record says each was sent; the public letter says "Delivered
// on …" to the roles, linking the dated list, and its JSON and the feed
// have the record, but no address.
func (j *followThrough) deliver(t *testing.T, pdftotext string) {
	c := j.as(t, forum2000)
	page := j.editor + "/deliveries"
	c.open(page, http.StatusOK)
	c.check("follow-deliveries")
	c.choose(page, "snapshot", "now")
	c.choose(page, "versions", "en")
	c.choose(page, "addressee", "0")
	c.choose(page, "addressee", "1")
	c.choose(page, "attach", "pdf")
	c.do(chromedp.SetValue(in(page, "message"), coveringMessage))
	c.navigate(http.StatusOK, chromedp.Click(submit(page)))

	sender := j.mx.received.all()[0].Header.Get("From") // a signer's confirmation: the site's sender
	for i, a := range addressees {
		var e email
		waitFor(t, "the letter delivered to "+a.email, func() bool {
			got := j.emailsTo(a.email)
			if len(got) > 0 {
				e = got[0]
			}
			return len(got) > 0
		})
		if n := len(j.emailsTo(a.email)); n != 1 {
			t.Errorf("%s got %d emails, want the letter once", a.email, n)
		}
		if got := e.Header.Get("From"); got != sender {
			t.Errorf("the delivery to %s is from %q, want the site's sender %q", a.email, got, sender)
		}
		if replyTo, err := mail.ParseAddress(e.Header.Get("Reply-To")); err != nil || !strings.HasSuffix(replyTo.Address, "@forum2000.example") {
			t.Errorf("the delivery to %s has Reply-To %q (%v), want Forum 2000's address", a.email, e.Header.Get("Reply-To"), err)
		}
		text, pdf := readDelivery(t, e)
		if !strings.Contains(text, coveringMessage) {
			t.Errorf("the delivery to %s lacks the covering message:\n%s", a.email, text)
		}
		file := filepath.Join(j.b.artefacts, fmt.Sprintf("delivered-%d.pdf", i))
		if err := os.WriteFile(file, pdf, 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(pdftotext, "-enc", "UTF-8", file, "-").Output()
		if err != nil {
			t.Fatalf("pdftotext of the PDF delivered to %s: %v", a.email, err)
		}
		if folded := strings.Join(strings.Fields(string(out)), " "); !strings.Contains(folded, modeltest.Azerbaijan.Title) {
			t.Errorf("pdftotext does not find the letter's title in the PDF delivered to %s:\n%.1000s", a.email, folded)
		}
		j.packet = file
	}

	// The record: each addressee's outcome, once the mailer reported it.
	outcomes := func() (out []string) {
		for _, a := range addressees {
			out = append(out, eval[string](c, fmt.Sprintf(`[...document.querySelectorAll('main li')].filter(li => li.textContent.includes(%q))
				.map(li => li.textContent.replace(/\s+/g, ' ').trim()).pop() || ''`, a.role)))
		}
		return out
	}
	waitFor(t, "the record of the delivery to say both were sent", func() bool {
		c.open(page, http.StatusOK)
		return !slices.ContainsFunc(outcomes(), func(o string) bool { return !strings.HasSuffix(o, ": sent") })
	})
	c.check("follow-deliveries-record")

	delivered := "Delivered on " + views.FormatDate("en", j.clock.Now())
	v := j.b.newTab(t)
	v.open(j.letterPath, http.StatusOK)
	v.expectText(delivered, addressees[0].role, addressees[1].role)
	if !v.has(`//main//*[starts-with(normalize-space(), "Delivered on")]//a[contains(@href, "/as-of/")]`) {
		t.Error("the letter's record of the delivery does not link the dated list delivered")
	}
	v.check("follow-letter-delivered")
	public := handlertest.OverServer(t, j.addr)
	public.Get(j.letterPath+".json").Expect(t, http.StatusOK, `"deliveries"`, addressees[0].role)
	public.Get("/feed.atom").Expect(t, http.StatusOK, addressees[0].role)
	for _, path := range []string{j.letterPath, j.letterPath + ".json", "/feed.atom"} {
		body := public.Get(path).Body
		for _, a := range addressees {
			if strings.Contains(body, a.email) {
				t.Errorf("%s shows the address %s", path, a.email)
			}
		}
	}
}

// choose sets the control named name of the form that posts to path to
// value as a person does: picks the option of a list, ticks the radio
// button or checkbox of that value, or types it into a text field.
func (tb *tab) choose(path, name, value string) {
	tb.t.Helper()
	problem := eval[string](tb, fmt.Sprintf(`(() => {
		const f = document.evaluate(%q, document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue;
		if (!f) return 'no form';
		const controls = [...f.elements].filter(e => e.name === %q);
		if (!controls.length) return 'no control of that name';
		for (const e of controls) {
			if (e.tagName === 'SELECT') {
				if (![...e.options].some(o => o.value === %[3]q)) return 'no option of that value';
				e.value = %[3]q;
				return '';
			}
			if (e.type === 'radio' || e.type === 'checkbox') {
				if (e.value === %[3]q) { if (!e.checked) e.click(); return ''; }
				continue;
			}
			if (e.type !== 'hidden') { e.value = %[3]q; return ''; }
		}
		return 'no control of that value: ' + controls.map(e => e.type + '=' + e.value).join(', ');
	})()`, form(path), name, value))
	if problem != "" {
		tb.t.Fatalf("the form at %s: cannot set %s to %q: %s", path, name, value, problem)
	}
}

// recordResponse: on the editor, the coordinator records the Assembly's
// response, with its PDF; the letter shows it among its updates, marked
// "Response", and links the PDF; its JSON and the feed have it.
func (j *followThrough) recordResponse(t *testing.T) {
	if j.packet == "" {
		t.Fatal("no PDF was delivered to send back as the response")
	}
	c := j.as(t, forum2000)
	c.open(j.editor, http.StatusOK)
	form := j.editor + "/responses"
	c.do(
		chromedp.SetValue(in(form, "posted_on"), j.clock.Now().Format(time.DateOnly)),
		chromedp.SetValue(in(form, "from"), responder),
		chromedp.SetValue(in(form, "body"), responseText),
		chromedp.SetValue(in(form, "link"), "https://pace.example/replies/2026-12"),
		chromedp.SetUploadFiles(in(form, "file"), []string{j.packet}),
	)
	c.check("follow-response-form")
	c.navigate(http.StatusOK, chromedp.Click(submit(form)))

	v := j.b.newTab(t)
	v.open(j.letterPath, http.StatusOK)
	v.expectText(responseText)
	if h := v.text(`//main//article[contains(., ` + xpathString(responseText) + `)]//h3`); !strings.HasPrefix(h, "Response") || !strings.Contains(h, responder) {
		t.Errorf("the response's heading on the letter reads %q, want it marked Response and naming %s", h, responder)
	}
	v.check("follow-letter-response")
	public := handlertest.OverServer(t, j.addr)
	uploaded, err := os.ReadFile(j.packet)
	if err != nil {
		t.Fatal(err)
	}
	if pdf := eval[string](v, `(document.querySelector('main a[href*="/responses/"][href$=".pdf"]') || {}).pathname || ''`); pdf == "" {
		t.Error("the letter does not link the response's PDF")
	} else if r := public.Get(pdf).Expect(t, http.StatusOK); r.Header.Get("Content-Type") != "application/pdf" || r.Markup != string(uploaded) {
		t.Errorf("%s sends %d bytes of %q, not the %d bytes of the PDF uploaded", pdf, len(r.Markup), r.Header.Get("Content-Type"), len(uploaded))
	}
	public.Get(j.letterPath+".json").Expect(t, http.StatusOK, responseText, responder)
	public.Get("/feed.atom").Expect(t, http.StatusOK, responseText)
}

// sendResponse: the editor offers to email the response to the ten who
// asked; sent, exactly ten emails arrive, one to each, each with a
// List-Unsubscribe link and List-Unsubscribe-Post for one click, and the
// editor says it was sent to ten.
func (j *followThrough) sendResponse(t *testing.T) {
	c := j.as(t, forum2000)
	c.open(j.editor, http.StatusOK)
	send := `//article[contains(., ` + xpathString(responseText) + `)]//form[contains(@action, "/updates/") and substring(@action, string-length(@action) - 4) = "/send"]//button`
	if !c.has(send) {
		t.Fatalf("the response in the editor offers no form to /updates/N/send:\n%.3000s", c.mainText())
	}
	if label := c.text(send); !strings.Contains(label, "10 signers who asked") {
		t.Errorf("the button to send reads %q, want the count of the 10 signers who asked", label)
	}
	c.check("follow-editor-send")
	c.navigate(http.StatusOK, chromedp.Click(send))

	var asked []string
	for _, s := range j.signers {
		if s.news {
			asked = append(asked, s.email)
		}
	}
	news := func() []email {
		var out []email
		for _, e := range j.mx.received.all() {
			if strings.Contains(e.Body, responseText) || strings.Contains(e.Subject, responder) {
				out = append(out, e)
			}
		}
		return out
	}
	for deadline := time.Now().Add(time.Minute); len(news()) < len(asked); time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("a minute after sending, %d emails of the response arrived, want %d", len(news()), len(asked))
		}
	}
	time.Sleep(5 * time.Second) // more rounds of the mailer, for any stray email
	var to []string
	for _, e := range news() {
		to = append(to, e.To)
		if got := e.Header.Get("List-Unsubscribe-Post"); got != "List-Unsubscribe=One-Click" {
			t.Errorf("the email to %s has List-Unsubscribe-Post %q, want List-Unsubscribe=One-Click", e.To, got)
		}
		link := strings.Trim(e.Header.Get("List-Unsubscribe"), "<>")
		if u, err := url.Parse(link); err != nil || !strings.HasPrefix(u.Path, "/news/unsubscribe/") {
			t.Errorf("the email to %s has List-Unsubscribe %q, want <URL of /news/unsubscribe/…>", e.To, e.Header.Get("List-Unsubscribe"))
			continue
		}
		if !strings.Contains(e.Body, link) {
			t.Errorf("the body of the email to %s does not give its unsubscribe link %s", e.To, link)
		}
		j.unsubscribe = append(j.unsubscribe, link)
	}
	slices.Sort(to)
	slices.Sort(asked)
	if !slices.Equal(to, asked) {
		t.Errorf("the response went to %q, want exactly the ten who asked, once each: %q", to, asked)
	}
	c.open(j.editor, http.StatusOK)
	c.expectText("Sent to 10 on " + views.FormatDate("en", j.clock.Now()))
}

// unsubscribeTwice: a mail program's one-click POST to a List-Unsubscribe
// link unsubscribes; a second says the address is already unsubscribed.
// Another signer opens their link in the browser: a page with a button,
// which unsubscribes them. The coordinator's count leaves them out.
func (j *followThrough) unsubscribeTwice(t *testing.T) {
	if len(j.unsubscribe) < 2 {
		t.Fatal("no two unsubscribe links arrived")
	}
	for i, already := range []bool{false, true} {
		status, body := oneClick(t, j.unsubscribe[0])
		if status != http.StatusOK || strings.Contains(body, "You are already unsubscribed") != already {
			t.Errorf("one-click POST %d to the unsubscribe link: %d, want 200 saying already unsubscribed %v:\n%s", i+1, status, already, handlertest.Excerpt(body))
		}
	}

	p := j.b.newTab(t)
	link := linkPath(t, j.unsubscribe[1])
	p.open(link, http.StatusOK)
	p.check("follow-unsubscribe")
	p.navigate(http.StatusOK, chromedp.Click(submit(link)))
	p.check("follow-unsubscribed")
	if status, body := oneClick(t, j.unsubscribe[1]); status != http.StatusOK || !strings.Contains(body, "You are already unsubscribed") {
		t.Errorf("after unsubscribing by the page, a one-click POST answers %d, want 200 saying already unsubscribed:\n%s", status, handlertest.Excerpt(body))
	}

	// The coordinator's count leaves out the two: the milestone, not sent,
	// offers itself to the eight left.
	c := j.as(t, forum2000)
	c.open(j.editor, http.StatusOK)
	c.expectText("Email this to the 8 signers who asked")
}

// oneClick sends link the POST a mail program sends for an RFC 8058
// one-click unsubscribe: no cookie, no CSRF token.
func oneClick(t *testing.T, link string) (int, string) {
	t.Helper()
	resp, err := http.Post(link, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
	if err != nil {
		t.Fatalf("POST %s: %v", link, err)
	}
	r, err := handlertest.ReadResponse(resp)
	if err != nil {
		t.Fatal(err)
	}
	return r.Status, r.Body
}

// onAPhone: the new pages, and the letter that shows what they made, fit
// a 390 px phone without sideways scrolling.
func (j *followThrough) onAPhone(t *testing.T) {
	p := j.b.newTab(t, chromedp.EmulateViewport(phoneWidth, phoneHeight, chromedp.EmulateMobile))
	pages := []string{j.letterPath}
	if len(j.unsubscribe) > 2 {
		pages = append(pages, linkPath(t, j.unsubscribe[2]))
	}
	for _, path := range pages {
		p.open(path, http.StatusOK)
		j.fits(t, p, path)
	}
	j.asIn(t, p, forum2000)
	for _, path := range []string{j.editor, j.editor + "/addressees", j.editor + "/deliveries"} {
		p.open(path, http.StatusOK)
		j.fits(t, p, path)
	}
}

// fits fails unless the page on p's screen is no wider than the phone.
func (j *followThrough) fits(t *testing.T, p *tab, path string) {
	t.Helper()
	if over := p.horizontalOverflow(); over > 0 {
		t.Errorf("%s is %d px wider than a %d px phone", path, over, phoneWidth)
	}
	p.screenshot("follow-390" + strings.NewReplacer("/", "-").Replace(path))
}

// closingDatePasses: the server's clock moves past the letter's last day;
// without a write, the index, the letter, its JSON and the coordinator's
// dashboard all say closed, and none says open.
func (j *followThrough) closingDatePasses(t *testing.T) {
	y, m, d := j.closesOn.Date()
	j.clock.moveTo(time.Date(y, m, d+1, 1, 0, 0, 0, time.UTC)) // the letter's timezone is UTC
	open := []string{"Open for signatures", "Signatures close on", "Sign the letter"}
	v := j.b.newTab(t)
	for _, path := range []string{"/", j.letterPath} {
		v.open(path, http.StatusOK)
		v.expectText("Closed")
		for _, o := range open {
			if strings.Contains(v.mainText(), o) {
				t.Errorf("%s past the closing date says %q", path, o)
			}
		}
	}
	v.check("follow-letter-closed")
	slug := strings.TrimPrefix(j.letterPath, "/letters/")
	public := handlertest.OverServer(t, j.addr)
	for _, path := range []string{j.letterPath + ".json", "/api/letters/" + slug} {
		public.Get(path).Expect(t, http.StatusOK, `"state":"closed"`)
	}
	c := j.as(t, forum2000)
	c.open("/dashboard", http.StatusOK)
	c.expectText("Closed")
	if strings.Contains(c.mainText(), "Open for signatures") {
		t.Error("the dashboard past the closing date says open for signatures")
	}
}
