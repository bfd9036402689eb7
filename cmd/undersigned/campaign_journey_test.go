package main

import (
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"undersigned/handlers/handlertest"
	"undersigned/models"
	"undersigned/models/modeltest"
	"undersigned/views"
)

// A coordinator of each of the two organisations that initiate seed 003's
// letter, added from the command line as an operator does.
var (
	forum2000 = campaigner{email: "jakub@forum2000.example", name: "Jakub Klepal", org: "Forum 2000 Foundation"}
	icdr      = campaigner{email: "coordinator@icdr.example", name: "Anna Novak", org: "International Coalition for Democratic Renewal (ICDR)"}
)

// campaigner is a coordinator and the organisation they coordinate for.
type campaigner struct{ email, name, org string }

// add creates the coordinator and their organisation in db by `user add`.
func (c campaigner) add(t *testing.T, db string) {
	t.Helper()
	cmd := exec.Command(binary, "user", "add", "-db", db, "-email", c.email, "-name", c.name, "-org", c.org)
	cmd.Stdin = strings.NewReader(coordinatorPassword + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("user add %s: %v %s", c.email, err, out)
	}
}

// partner is a row of the directory Forum 2000 imports: one organisation,
// one contact.
type partner struct {
	name, country, domain string
	contact, role, local  string // local: the part of the contact's address before the domain
}

func (p partner) email() string { return p.local + "@" + p.domain }

// partners are the 20 organisations Forum 2000 invites to sign. What each
// does with its invitation is given by its place: see signers, decliners,
// bounced and silent.
var partners = []partner{
	{"Institute for Peace and Democracy", "AZ", "ipd.example", "Leyla Yunus", "Director", "leyla"},
	{"Prague Civil Society Centre", "CZ", "praguecivilsociety.example", "Igor Blazevic", "Senior Adviser", "igor"},
	{"Human Rights Foundation", "US", "hrf.example", "Javier El-Hage", "Chief Legal Officer", "javier"},
	{"Democracy Without Borders", "DE", "dwb.example", "Andreas Bummel", "Executive Director", "andreas"},
	{"Observer Research Foundation", "IN", "orf.example", "Niranjan Sahoo", "Senior Fellow", "niranjan"},
	{"Netherlands Helsinki Committee", "NL", "nhc.example", "Marieke van Dijk", "Programme Officer", "marieke"},
	{"Norwegian Helsinki Committee", "NO", "nhc-oslo.example", "Ingrid Haugen", "Policy Adviser", "ingrid"},
	{"Freedom Now", "US", "freedom-now.example", "Maran Turner", "Executive Director", "maran"},
	{"CEVRO University", "CZ", "cevro.example", "Pavel Pšeja", "Vice-Rector", "pavel"},
	{"People in Need", "CZ", "peopleinneed.example", "Tomáš Pojar", "Head of Advocacy", "tomas"},
	{"Crude Accountability", "US", "crudeaccountability.example", "Kate Watters", "Executive Director", "kate"},
	{"Index on Censorship", "GB", "indexoncensorship.example", "Ruth Anderson", "Chief Executive", "ruth"},
	{"Election Monitoring and Democracy Studies Centre", "AZ", "emds.example", "Anar Mammadli", "Chair", "anar"},
	{"Article 19", "GB", "article19.example", "Quinn McKew", "Executive Director", "quinn"},
	{"Civil Rights Defenders", "SE", "crd.example", "Anders L. Pettersson", "Executive Director", "anders"},
	{"Front Line Defenders", "IE", "frontlinedefenders.example", "Alan Glasgow", "Executive Director", "alan"},
	{"Reporters Without Borders", "FR", "rsf.example", "Jeanne Cavelier", "Head of Eastern Europe and Central Asia Desk", "jeanne"},
	{"Committee to Protect Journalists", "US", "cpj.example", "Gulnoza Said", "Programme Coordinator", "gulnoza"},
	{"Freedom Files", "PL", "freedomfiles.example", "Natalia Bronowska", "Researcher", "natalia"},
	{"Kazakhstan International Bureau for Human Rights", "KZ", "bureau.example", "Evgeniy Zhovtis", "Director", "evgeniy"},
}

// What the partners do with their invitations: ten sign, two decline, the
// mail of one bounces, and seven do not answer.
var (
	signers   = partners[:10]
	decliners = partners[10:12]
	bounced   = partners[12]
	silent    = partners[13:]
)

// People who sign the letter through its public form, for an organisation.
var (
	// writes from the domain of a partner in ICDR's directory: verified.
	byDomain = publicSigner{partner{"Human Rights House Foundation", "NO", "humanrightshouse.example", "Natalia Morozova", "Executive Director", "natalia.morozova"}}
	// writes from webmail, for an organisation in no directory: reviewed.
	byWebmail = publicSigner{partner{"Media Rights Institute", "AZ", "webmail.example", "Samira Hasanova", "Director", "samira.hasanova"}}
	// writes from webmail for an organisation that signed already: a duplicate.
	duplicate = publicSigner{partner{signers[0].name, "AZ", "webmail.example", "Arif Mammadov", "Deputy Director", "arif.mammadov"}}
)

// publicSigner is a person who signs for their organisation through the
// public form.
type publicSigner struct{ partner }

// campaign is what the steps of TestCampaignJourney share: the server,
// its SMTP relay, the browser, and the addresses the steps find.
type campaign struct {
	srv *server
	mx  *smtpServer
	db  string
	b   *browser

	editor     string            // the letter's editor, /dashboard/letters/{id}
	letterPath string            // its public page
	directory  map[string]string // each coordinator's directory, /dashboard/organisations/{id}/partners
	invited    map[string]string // each contact's invitation link (path), by email
	closesOn   time.Time         // the letter's last day for signatures
}

// TestCampaignJourney is issue 16's journey, a sign-on campaign run in
// Chromium as its coordinators run it. Forum 2000 drafts seed 003's letter
// and asks ICDR to co-initiate it; ICDR's coordinator accepts from the
// emailed link. Forum 2000 imports 20 partners from a CSV file, previewed
// first, and invites them all from the letter's board; the invitations go
// through an SMTP relay, which refuses one address for good: the board
// shows it bounced. Ten partners sign through their links and are on the
// list at once, marked verified, without review; two decline; a reminder
// reaches exactly the seven who did not answer, and a second one, at once,
// no one. Through the public form, a signer writing from the domain of a
// partner in ICDR's directory is verified once they confirm by email; one
// writing from webmail waits in the review queue, which names them and
// their role; a second signature for an organisation already listed is
// flagged there as a duplicate and merged, and the organisation is listed
// once. With a launch time set, the list hides until then and appears at
// it. The signatures page does not overflow a 390 px phone; every new page
// passes axe and html-validate.
func TestCampaignJourney(t *testing.T) {
	mx := startSMTP(t, "", "")
	mx.unknown = bounced.email()
	db := modeltest.DSN(t)
	forum2000.add(t, db)
	icdr.add(t, db)
	srv := start(t, db, freeAddr(t), "-smtp-url", mx.url(), "-mail-retry", "200ms")
	j := &campaign{srv: srv, mx: mx, db: db, b: startBrowser(t, "http://"+srv.addr),
		directory: map[string]string{}, invited: map[string]string{}}
	// The steps that set the stage stop the story when they fail; the
	// others report and let it go on.
	mustRun := func(name string, step func(*testing.T)) {
		if !t.Run(name, step) {
			t.FailNow()
		}
	}

	mustRun("Forum 2000 drafts seed 003's letter and opens it", j.draftAndOpen)
	t.Run("Forum 2000 invites ICDR to co-initiate; ICDR's coordinator accepts", j.coInitiate)
	mustRun("Forum 2000 imports 20 partners from a CSV file, previewed first", j.importPartners)
	mustRun("Forum 2000 invites all 20 from the board; one address bounces", j.invitePartners)
	t.Run("ten partners sign through their links and are listed at once, verified", j.partnersSign)
	t.Run("two partners decline", j.partnersDecline)
	t.Run("a reminder reaches exactly the seven who did not answer", j.remind)
	t.Run("a signer from a partner's domain is verified; one from webmail waits in review", j.publicSigners)
	t.Run("a duplicate organisation is flagged in the queue, merged and listed once", j.mergeDuplicate)
	t.Run("the signatures page fits a 390 px phone", j.signaturesOnAPhone)
	t.Run("the list hides until the launch time, then appears", j.embargo)
	t.Run("every new page is valid HTML", j.b.validateHTML)
	t.Logf("axe: %d pages without serious or critical WCAG 2.1 A/AA violations", j.b.axeRan)
	t.Logf("screenshots and page sources: %s", j.b.artefacts)
}

// as opens a tab for t logged in as coordinator c.
func (j *campaign) as(t *testing.T, c campaigner) *tab {
	t.Helper()
	tb := j.b.newTab(t)
	j.asIn(t, tb, c)
	return tb
}

// draftAndOpen: Forum 2000's coordinator drafts seed 003's letter, without
// free-text initiators (the initiating organisations name themselves),
// sets it to mark verified organisations, and opens it.
func (j *campaign) draftAndOpen(t *testing.T) {
	letter := modeltest.Azerbaijan
	c := j.as(t, forum2000)
	c.navigate(http.StatusOK, chromedp.Click(link("Draft a new letter")))
	editorForm := "/dashboard/letters"
	c.do(
		chromedp.SetValue(in(editorForm, "title"), letter.Title),
		chromedp.SetValue(in(editorForm, "slug"), "azerbaijan"),
		chromedp.SetValue(in(editorForm, "summary"), letter.Summary),
		chromedp.SetValue(in(editorForm, "addressees"), "Members of the Parliamentary Assembly of the Council of Europe\nDelegations to COP29"),
		chromedp.SetValue(in(editorForm, "subject"), "Political prisoners in Azerbaijan"),
		chromedp.SetValue(in(editorForm, "salutation"), "Excellencies,"),
		chromedp.SetValue(in(editorForm, "body"), letter.Body),
		chromedp.SetValue(in(editorForm, "group_lead_in"), letter.Groups[0].LeadIn),
		chromedp.SetValue(in(editorForm, "group_demands"), letter.Groups[0].Demands),
		chromedp.SetValue(in(editorForm, "closing"), "Sincerely,"),
	)
	c.navigate(http.StatusOK, chromedp.Click(submit(editorForm, "action", "save")))
	j.editor = eval[string](c, `location.pathname`)

	// The defaults stay: signatures confirmed by email, organisations
	// reviewed. A closing date, a month ahead, for the invitations to
	// give, and the verified organisations marked on the list.
	settings := j.editor + "/settings"
	if !c.checked(in(settings, "confirm_email")) || !c.checked(in(settings, "review_organisations")) {
		t.Error("a new letter does not confirm signatures by email and review organisations")
	}
	j.closesOn = time.Now().UTC().AddDate(0, 1, 0)
	c.do(chromedp.SetValue(in(settings, "closes_on"), j.closesOn.Format("2006-01-02")))
	if !c.checked(in(settings, "mark_verified")) {
		c.do(chromedp.Click(in(settings, "mark_verified")))
	}
	c.navigate(http.StatusOK, chromedp.Click(submit(settings)))
	if !c.checked(in(settings, "mark_verified")) {
		t.Error("marking verified organisations is not ticked after saving it ticked")
	}
	c.navigate(http.StatusOK, chromedp.Click(submit(j.editor+"/state")))
	c.expectText("Open for signatures")
	c.navigate(http.StatusOK, chromedp.Click(link("Public page")))
	j.letterPath = eval[string](c, `location.pathname`)
	c.expectText(letter.Title, forum2000.org, "0 signatures")
}

// coInitiate: Forum 2000 invites ICDR's coordinator by email to
// co-initiate the letter; from the emailed link, they accept for ICDR,
// and the letter names both organisations and is theirs to edit.
func (j *campaign) coInitiate(t *testing.T) {
	a := j.as(t, forum2000)
	a.open(j.editor, http.StatusOK)
	a.check("campaign-editor")
	form := j.editor + "/co-initiators"
	a.do(chromedp.SetValue(in(form, "email"), icdr.email))
	a.navigate(http.StatusOK, chromedp.Click(submit(form)))

	v := j.b.newTab(t)
	v.open(j.letterPath, http.StatusOK)
	if got := v.initiators(); !strings.Contains(got, forum2000.org) || strings.Contains(got, icdr.org) {
		t.Fatalf("before ICDR accepted, the letter's initiators read %q, want Forum 2000 alone", got)
	}

	accept := j.linkIn(t, icdr.email, "/dashboard/co-initiations/")
	b := j.as(t, icdr)
	if b.has(`//a[@href = "` + j.editor + `"]`) {
		t.Fatal("ICDR's dashboard links the letter before ICDR accepted")
	}
	b.open(accept, http.StatusOK)
	b.expectText(modeltest.Azerbaijan.Title, forum2000.org)
	b.check("campaign-co-initiation")
	b.navigate(http.StatusOK, chromedp.Click(submit(accept)))
	b.open("/dashboard", http.StatusOK)
	b.expectText(modeltest.Azerbaijan.Title)
	b.open(j.editor, http.StatusOK)
	b.open(j.editor+"/invitations", http.StatusOK)

	// Accepting twice changes nothing.
	b.open(accept, http.StatusOK)
	if b.has(submit(accept)) {
		b.navigate(http.StatusOK, chromedp.Click(submit(accept)))
	}

	v.open(j.letterPath, http.StatusOK)
	if got := v.initiators(); !strings.Contains(got, forum2000.org) || strings.Count(got, icdr.org) != 1 {
		t.Errorf("after two acceptances, the letter's initiators read %q, want Forum 2000 and ICDR once", got)
	}
}

// initiators is the line above the letter that names its initiators.
func (tb *tab) initiators() string {
	tb.t.Helper()
	return eval[string](tb, `(document.querySelector('main .initiators') || {}).textContent || ''`)
}

// linkIn waits for an email to to with a link whose path starts with
// prefix, and returns the link's path. An invitation's decline link is not
// its signing link: a path ending in /decline is taken only when prefix
// ends so.
func (j *campaign) linkIn(t *testing.T, to, prefix string) string {
	t.Helper()
	var path string
	waitFor(t, "an email to "+to+" with a link to "+prefix, func() bool {
		for _, e := range j.emailsTo(to) {
			for _, s := range emailURL.FindAllString(e.Body, -1) {
				u, err := url.Parse(s)
				if err == nil && strings.HasPrefix(u.Path, prefix) && strings.HasSuffix(u.Path, "/decline") == strings.HasSuffix(prefix, "/decline") {
					path = u.Path
					return true
				}
			}
		}
		return false
	})
	return path
}

// directoryOf finds coordinator c's directory from their dashboard, which links it.
func (j *campaign) directoryOf(t *testing.T, tb *tab, c campaigner) string {
	t.Helper()
	if d := j.directory[c.email]; d != "" {
		return d
	}
	tb.open("/dashboard", http.StatusOK)
	href := eval[string](tb, `(document.querySelector('main a[href^="/dashboard/organisations/"][href$="/partners"]') || {}).pathname || ""`)
	if !regexp.MustCompile(`^/dashboard/organisations/\d+/partners$`).MatchString(href) {
		t.Fatalf("%s's dashboard does not link their organisation's directory (found %q)", c.org, href)
	}
	j.directory[c.email] = href
	return href
}

// partnersCSV is the directory as a CSV file of the contract's columns.
func partnersCSV(t *testing.T, ps []partner) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "partners.csv")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(f)
	w.Write([]string{"name", "countries", "website", "domains", "tags", "contact_name", "contact_role", "contact_email", "contact_lang"})
	for _, p := range ps {
		w.Write([]string{p.name, p.country, "https://www." + p.domain, p.domain, "azerbaijan;cop29", p.contact, p.role, p.email(), "en"})
	}
	w.Flush()
	if err := errors.Join(w.Error(), f.Close()); err != nil {
		t.Fatal(err)
	}
	return file
}

// importPartners: Forum 2000 uploads its 20 partners as CSV, reads the
// preview, which saves nothing, and confirms.
func (j *campaign) importPartners(t *testing.T) {
	a := j.as(t, forum2000)
	dir := j.directoryOf(t, a, forum2000)
	a.open(dir+"/import", http.StatusOK)
	a.check("campaign-partners-import")
	a.do(chromedp.SetUploadFiles(in(dir+"/import/preview", "file"), []string{partnersCSV(t, partners)}))
	a.navigate(http.StatusOK, chromedp.Click(submit(dir+"/import/preview")))
	for _, p := range partners {
		a.expectText(p.name, p.email())
	}
	a.check("campaign-partners-preview")

	d := j.as(t, forum2000)
	d.open(dir, http.StatusOK)
	for _, p := range partners {
		if strings.Contains(d.mainText(), p.name) {
			t.Fatalf("the preview saved %s before the import was confirmed", p.name)
		}
	}

	a.navigate(http.StatusOK, chromedp.Click(submit(dir+"/import")))
	a.open(dir, http.StatusOK)
	a.expectText(partners[0].name)
	a.check("campaign-partners")
	for _, p := range partners {
		a.open(dir+"?q="+url.QueryEscape(p.name), http.StatusOK)
		a.expectText(p.name, p.contact)
	}
}

// asIn logs tb in as c.
func (j *campaign) asIn(t *testing.T, tb *tab, c campaigner) {
	t.Helper()
	tb.open("/login", http.StatusOK)
	tb.do(chromedp.SendKeys(field("Email address"), c.email), chromedp.SendKeys(field("Password"), coordinatorPassword))
	tb.navigate(http.StatusOK, chromedp.Click(button("Log in")))
	tb.expectText("Your letters")
}

// invitePartners: from the letter's board, Forum 2000 ticks every partner
// the picker offers, the 20 it imported, and invites them. Each contact
// gets a personal invitation with the letter's closing date, but the one
// whose address the relay refuses for good; the board shows that one
// bounced.
func (j *campaign) invitePartners(t *testing.T) {
	a := j.as(t, forum2000)
	board := j.editor + "/invitations"
	a.open(j.editor, http.StatusOK)
	if !a.has(`//a[@href = "` + board + `"]`) {
		t.Error("the letter's editor does not link its board")
	}
	a.open(board, http.StatusOK)
	ticked := eval[int](a, fmt.Sprintf(`(() => {
		const boxes = [...document.querySelectorAll('form[action=%q] input[type=checkbox][name=partner]')];
		boxes.forEach(b => { if (!b.checked) b.click(); });
		return boxes.length;
	})()`, board))
	if ticked != len(partners) {
		t.Fatalf("the picker offers %d partners, want the %d imported", ticked, len(partners))
	}
	a.check("campaign-board-picker")
	a.navigate(http.StatusOK, chromedp.Click(submit(board)))

	deadline := views.FormatDate("en", j.closesOn)
	for _, p := range partners {
		if p == bounced {
			continue
		}
		link := j.linkIn(t, p.email(), "/invited/")
		j.invited[p.email()] = link
		e := j.emailsTo(p.email())[0]
		if !strings.Contains(e.Subject+e.Body, modeltest.Azerbaijan.Title) || !strings.Contains(e.Body, deadline) || !strings.Contains(e.Body, link+"/decline") {
			t.Errorf("the invitation to %s lacks the letter's title, its closing date %q or a decline link:\n%s\n%s", p.email(), deadline, e.Subject, e.Body)
		}
	}
	waitFor(t, "the relay to refuse "+bounced.email(), func() bool { return j.mx.refusedAtLeast([]string{bounced.email()}, 1) })
	j.expectOnBoard(t, a, "bounced", []partner{bounced})
	a.check("campaign-board")
}

// emailsTo are the emails the relay took for to.
func (j *campaign) emailsTo(to string) []email {
	var out []email
	for _, e := range j.mx.received.all() {
		if e.To == to {
			out = append(out, e)
		}
	}
	return out
}

// invitationsTo counts the emails to to that invite them to sign: with a
// link to /invited/.
func (j *campaign) invitationsTo(to string) int {
	n := 0
	for _, e := range j.emailsTo(to) {
		if strings.Contains(e.Body, "/invited/") {
			n++
		}
	}
	return n
}

// expectOnBoard waits until the board filtered by status lists exactly the
// partners want, of the 20 invited.
func (j *campaign) expectOnBoard(t *testing.T, tb *tab, status string, want []partner) {
	t.Helper()
	var main string
	for deadline := time.Now().Add(mailWait); ; time.Sleep(500 * time.Millisecond) {
		tb.open(j.editor+"/invitations?status="+status, http.StatusOK)
		main = tb.boardText()
		wrong := false
		for _, p := range partners {
			wrong = wrong || strings.Contains(main, p.name) != slices.Contains(want, p)
		}
		if !wrong {
			return
		}
		if time.Now().After(deadline) {
			break
		}
	}
	var names []string
	for _, p := range want {
		names = append(names, p.name)
	}
	t.Errorf("the board's %q filter does not list exactly %q; it shows:\n%.3000s", status, names, main)
}

// boardText is the text of the board's table of invitations, without the
// picker of partners not yet invited.
func (tb *tab) boardText() string {
	tb.t.Helper()
	return eval[string](tb, `(() => {
		const m = document.querySelector('main').cloneNode(true);
		m.querySelectorAll('form[method=post] input[name=partner]').forEach(b => b.closest('tr, li, label, div')?.remove());
		return m.innerText.replace(/\s+/g, ' ');
	})()`)
}

// partnersSign: ten partners open their links: the letter, their
// organisation filled in; they sign, and each is at once on the public
// list, marked verified, with no confirmation by email nor review. A used
// link says so (409) and offers no second signature.
func (j *campaign) partnersSign(t *testing.T) {
	s := j.b.newTab(t)
	v := j.b.newTab(t)
	for i, p := range signers {
		link := j.invited[p.email()]
		s.open(link, http.StatusOK)
		s.expectText(modeltest.Azerbaijan.Title)
		if !strings.Contains(s.text(form(link)), p.name) {
			t.Errorf("%s's invitation does not fill in the organisation %q", p.email(), p.name)
		}
		if i == 0 {
			s.check("campaign-invited")
		}
		s.fillIfEmpty(link, "name", p.contact)
		s.fillIfEmpty(link, "role", p.role)
		s.fillIfEmpty(link, "country", p.country)
		s.fillIfEmpty(link, "email", p.email())
		if s.has(in(link, "agree")) && !s.checked(in(link, "agree")) {
			s.do(chromedp.Click(in(link, "agree")))
		}
		s.navigate(http.StatusOK, chromedp.Click(submit(link)))
		if i == 0 {
			s.check("campaign-invited-signed")
		}
		v.open(j.letterPath, http.StatusOK)
		if got := v.listed(p.name); got != 1 {
			t.Errorf("after signing by invitation, %s is on the list %d times, want once at once", p.name, got)
		}
		if !v.verifiedOnList(p.name) {
			t.Errorf("%s signed by invitation and is not marked verified on the list", p.name)
		}
	}
	v.expectText(fmt.Sprintf("%d signatures", len(signers)))

	c := j.as(t, forum2000)
	c.open(j.editor+"/review", http.StatusOK)
	for _, p := range signers {
		if strings.Contains(c.mainText(), p.name) {
			t.Errorf("%s signed by invitation and waits for review", p.name)
		}
	}
	j.expectOnBoard(t, c, "signed", signers)

	s.open(j.invited[signers[0].email()], http.StatusConflict)
	if s.has(submit(j.invited[signers[0].email()])) {
		t.Error("a used invitation link offers its form again")
	}
	v.open(j.letterPath, http.StatusOK)
	if got := v.listed(signers[0].name); got != 1 {
		t.Errorf("after its used link was opened again, %s is on the list %d times", signers[0].name, got)
	}
}

// fillIfEmpty types value into the control named name of the form at
// action, when it is there and empty.
func (tb *tab) fillIfEmpty(action, name, value string) {
	tb.t.Helper()
	sel := in(action, name)
	if tb.has(sel) && tb.value(sel) == "" {
		tb.do(chromedp.SetValue(sel, value))
	}
}

// has reports whether the page on screen has an element sel (XPath) finds.
func (tb *tab) has(sel string) bool {
	tb.t.Helper()
	return eval[bool](tb, fmt.Sprintf(`document.evaluate(%q, document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue !== null`, sel))
}

// listed counts the entries of the list on screen that name name.
func (tb *tab) listed(name string) int {
	tb.t.Helper()
	return eval[int](tb, fmt.Sprintf(`[...document.querySelectorAll('.signatory-list li')].filter(li => li.textContent.includes(%q)).length`, name))
}

// verifiedOnList reports whether the entry of the list on screen that
// names name is marked verified.
func (tb *tab) verifiedOnList(name string) bool {
	tb.t.Helper()
	return eval[bool](tb, fmt.Sprintf(`[...document.querySelectorAll('.signatory-list li')]
		.some(li => li.textContent.includes(%q) && (/verified/.test(li.className) || li.querySelector('[class*=verified]') !== null))`, name))
}

// partnersDecline: two partners decline from their invitation's decline
// link, one giving a reason; the board lists them as declined, with it.
func (j *campaign) partnersDecline(t *testing.T) {
	const reason = "Our board has not met before the deadline."
	d := j.b.newTab(t)
	for i, p := range decliners {
		decline := j.invited[p.email()] + "/decline"
		d.open(decline, http.StatusOK)
		if i == 0 {
			d.check("campaign-decline")
			d.do(chromedp.SetValue(in(decline, "reason"), reason))
		}
		d.navigate(http.StatusOK, chromedp.Click(submit(decline)))
	}
	c := j.as(t, forum2000)
	j.expectOnBoard(t, c, "declined", decliners)
	c.expectText(reason)
	d.open(j.invited[decliners[0].email()], http.StatusConflict)
	if d.has(submit(j.invited[decliners[0].email()])) {
		t.Error("a declined invitation's link still offers its signing form")
	}
}

// remind: four days on (the invitations are dated back), "remind" on the
// board emails the seven who neither signed nor declined, and whose mail
// did not bounce; pressed again at once, it emails no one, since they were
// reminded within three days.
func (j *campaign) remind(t *testing.T) {
	j.backdateInvitations(t, 4*24*time.Hour)
	c := j.as(t, forum2000)
	j.expectOnBoard(t, c, "unanswered", silent)
	c.check("campaign-board-unanswered")
	remind := j.editor + "/invitations/remind"
	c.navigate(http.StatusOK, chromedp.Click(submit(remind)))
	waitFor(t, "a reminder to each of the seven", func() bool {
		for _, p := range silent {
			if j.invitationsTo(p.email()) < 2 {
				return false
			}
		}
		return true
	})
	time.Sleep(3 * time.Second) // more rounds of the mailer, for any stray reminder
	j.expectEmails(t, "after the reminder", 2)

	c.open(j.editor+"/invitations", http.StatusOK)
	c.navigate(http.StatusOK, chromedp.Click(submit(remind)))
	time.Sleep(3 * time.Second)
	j.expectEmails(t, "after a second reminder at once", 2)
	j.expectOnBoard(t, c, "reminded", silent)

	// The overview, on the letter's editor and on the dashboard, counts
	// them and links the board.
	for _, page := range []string{j.editor, "/dashboard"} {
		c.open(page, http.StatusOK)
		unanswered := eval[string](c, `(document.querySelector('main a[href$="/invitations?status=unanswered"]') || {}).textContent || ""`)
		if !strings.Contains(unanswered, fmt.Sprint(len(silent))) {
			t.Errorf("%s: the overview's link to the unanswered invitations reads %q, want the count %d", page, unanswered, len(silent))
		}
	}
	c.check("campaign-dashboard-overview")

	// The board downloads as CSV: a row per invitation.
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(
		loggedIn(t, j.srv.addr, forum2000.email, coordinatorPassword).Get(j.editor+"/invitations.csv").Expect(t, http.StatusOK).Body, "\ufeff"))).ReadAll()
	if err != nil || len(rows) != len(partners)+1 {
		t.Errorf("the board's CSV has %d rows (%v), want a header and %d invitations", len(rows), err, len(partners))
	}
}

// expectEmails checks the invitations and reminders the relay took, per
// address: one to each partner who answered, silentEach to each who did
// not, none to the bounced address, which the relay refused once and was
// never sent again. (A partner who signed also has the email every signer
// gets, with the private link to their signature.)
func (j *campaign) expectEmails(t *testing.T, when string, silentEach int) {
	t.Helper()
	for _, p := range partners {
		want := 1
		switch {
		case p == bounced:
			want = 0
		case slices.Contains(silent, p):
			want = silentEach
		}
		if got := j.invitationsTo(p.email()); got != want {
			t.Errorf("%s: %s got %d emails, want %d", when, p.email(), got, want)
		}
	}
	j.mx.mu.Lock()
	refused := j.mx.refused[bounced.email()]
	j.mx.mu.Unlock()
	if refused != 1 {
		t.Errorf("%s: the relay was offered the bounced address %d times, want once", when, refused)
	}
}

// backdateInvitations moves the letter's invitations back by age, as if
// that much time had passed since they were sent.
func (j *campaign) backdateInvitations(t *testing.T, age time.Duration) {
	t.Helper()
	db := modeltest.RawDB(t, j.db)
	id, err := strconv.ParseInt(strings.TrimPrefix(j.editor, "/dashboard/letters/"), 10, 64)
	if err != nil {
		t.Fatalf("letter id of %s: %v", j.editor, err)
	}
	at := time.Now().UTC().Add(-age)
	for try := 0; ; try++ {
		_, err := db.Exec(rebind(j.db, `UPDATE sign_invitations SET invited_at = ? WHERE letter_id = ?`), at, id)
		if err == nil {
			return
		}
		if try == 50 {
			t.Fatalf("backdating the invitations: %v", err)
		}
		time.Sleep(100 * time.Millisecond) // the server's writer holds the file
	}
}

// rebind writes a query's ? placeholders as $1, $2… on PostgreSQL.
func rebind(db, query string) string {
	if !models.IsPostgres(db) {
		return query
	}
	n := 0
	return regexp.MustCompile(`\?`).ReplaceAllStringFunc(query, func(string) string { n++; return fmt.Sprintf("$%d", n) })
}

// publicSigners: ICDR adds a partner to its own directory; a person signs
// for it through the public form from its domain, confirms by email, and
// is listed at once, verified. Another signs from webmail for an
// organisation in no directory, confirms, and waits in the review queue,
// which shows who signs for it, in what role, and that their address's
// domain is not the organisation's.
func (j *campaign) publicSigners(t *testing.T) {
	b := j.as(t, icdr)
	dir := j.directoryOf(t, b, icdr)
	b.open(dir, http.StatusOK)
	p := byDomain.partner
	for name, value := range map[string]string{"name": p.name, "countries": p.country, "website": "https://" + p.domain,
		"domains": p.domain, "tags": "azerbaijan", "contact_name": "Maria Dahle", "contact_role": "Secretary General",
		"contact_email": "maria@" + p.domain, "contact_lang": "en"} {
		b.fillIfEmpty(dir, name, value)
	}
	b.navigate(http.StatusOK, chromedp.Click(submit(dir)))
	b.expectText(p.name)

	byDomain.sign(t, j, "campaign-confirmed-verified")
	v := j.b.newTab(t)
	v.open(j.letterPath, http.StatusOK)
	if v.listed(p.name) != 1 || !v.verifiedOnList(p.name) {
		t.Errorf("%s signed from its domain and confirmed, and is not listed once, marked verified", p.name)
	}

	byWebmail.sign(t, j, "campaign-confirmed-review")
	v.open(j.letterPath, http.StatusOK)
	if v.listed(byWebmail.name) != 0 {
		t.Errorf("%s signed from webmail and is listed without review", byWebmail.name)
	}
	c := j.as(t, forum2000)
	c.open(j.editor+"/review", http.StatusOK)
	row := c.reviewEntry(byWebmail.contact)
	for _, want := range []string{byWebmail.name, byWebmail.contact, byWebmail.role, byWebmail.domain, "✗"} {
		if !strings.Contains(row, want) {
			t.Errorf("the review queue's entry of %s does not show %q: %q", byWebmail.contact, want, row)
		}
	}
	if strings.Contains(c.mainText(), byDomain.contact) {
		t.Errorf("%s, verified by its domain, waits in the review queue", byDomain.name)
	}
	c.check("campaign-review")
}

// reviewEntry is the text of the review queue's entry that mentions who.
func (tb *tab) reviewEntry(who string) string {
	tb.t.Helper()
	return eval[string](tb, fmt.Sprintf(`(() => {
		const e = [...document.querySelectorAll('main tbody tr, main li, main article')].filter(e => e.textContent.includes(%q)).pop();
		return e ? e.innerText.replace(/\s+/g, ' ') : '';
	})()`, who))
}

// sign has s sign the letter for their organisation through its public
// form, and confirm by the link emailed to them; until they confirm, the
// list does not change.
func (s publicSigner) sign(t *testing.T, j *campaign, confirmed string) {
	t.Helper()
	tb := j.b.newTab(t)
	tb.open(j.letterPath, http.StatusOK)
	before := tb.listed(s.name)
	tb.do(
		chromedp.Click(field("On behalf of an organisation")),
		chromedp.SendKeys(field("Full name"), s.contact),
		chromedp.SendKeys(field("Organisation or affiliation"), s.name),
		chromedp.SendKeys(field("Title or role"), s.role),
		chromedp.SetValue(field("Country"), s.country),
		chromedp.SendKeys(field("Email address"), s.email()),
		chromedp.Click(field("I have read the letter and agree to add my name to it.")),
	)
	tb.navigate(http.StatusOK, chromedp.Click(button("Sign the letter")))
	tb.expectText("Check your email")
	tb.open(j.letterPath, http.StatusOK)
	if n := tb.listed(s.name); n != before {
		t.Errorf("before %s confirmed, %s is listed %d times, was %d", s.email(), s.name, n, before)
	}
	tb.open(linkPath(t, j.mx.received.next(t, s.email()).link("/confirm/")), http.StatusOK)
	tb.navigate(http.StatusOK, chromedp.Click(button("Confirm my signature")))
	tb.expectText("Your signature is confirmed")
	tb.check(confirmed)
}

// mergeDuplicate: a second person signs from webmail for an organisation
// already listed; the queue warns of the duplicate, and the coordinator
// merges it into the existing entry, which stays the only one.
func (j *campaign) mergeDuplicate(t *testing.T) {
	duplicate.sign(t, j, "campaign-confirmed-duplicate")
	c := j.as(t, forum2000)
	c.open(j.editor+"/review", http.StatusOK)
	row := `//*[self::tr or self::li or self::article][contains(., ` + xpathString(duplicate.contact) + `)]`
	merge := row + `//button[contains(@formaction, "/merge")] | ` + row + `//form[contains(@action, "/merge")]//button`
	if !c.has(merge) {
		t.Fatalf("the review queue offers no merge for %s's second signature:\n%s", duplicate.name, c.reviewEntry(duplicate.contact))
	}
	c.check("campaign-review-duplicate")
	c.navigate(http.StatusOK, chromedp.Click(merge))
	c.open(j.editor+"/review", http.StatusOK)
	if strings.Contains(c.mainText(), duplicate.contact) {
		t.Errorf("%s's merged signature still waits for review", duplicate.contact)
	}
	v := j.b.newTab(t)
	v.open(j.letterPath, http.StatusOK)
	if n := v.listed(duplicate.name); n != 1 {
		t.Errorf("after the merge, %s is listed %d times, want once", duplicate.name, n)
	}
}

// signaturesOnAPhone: the coordinator's signatures page, with the
// campaign's signatures, fits a 390 px phone without sideways scrolling.
func (j *campaign) signaturesOnAPhone(t *testing.T) {
	p := j.b.newTab(t, chromedp.EmulateViewport(phoneWidth, phoneHeight, chromedp.EmulateMobile))
	j.asIn(t, p, forum2000)
	p.open(j.editor+"/signatures", http.StatusOK)
	p.expectText(signers[0].name, byDomain.name)
	if over := eval[int](p, `document.documentElement.scrollWidth - document.documentElement.clientWidth`); over > 0 {
		t.Errorf("the signatures page is %d px wider than a %d px phone", over, phoneWidth)
	}
	p.check("campaign-signatures-390")
	d := j.as(t, forum2000)
	d.open(j.editor+"/signatures?q="+strings.ReplaceAll(signers[1].contact, " ", "+"), http.StatusOK)
	d.expectText(signers[1].name)
	if strings.Contains(d.mainText(), signers[2].name) {
		t.Errorf("searching the signatures for %s shows %s too", signers[1].contact, signers[2].name)
	}
	d.check("campaign-signatures")
}

// embargo: the coordinator sets the list's launch a little ahead; until
// then no public page or download names a signatory, and the letter says
// when the list will be published; at the launch the list appears.
func (j *campaign) embargo(t *testing.T) {
	c := j.as(t, forum2000)
	c.open(j.editor, http.StatusOK)
	settings := j.editor + "/settings"
	// A launch 20 s ahead, to the second, as the field takes it typed so; a
	// browser that keeps no seconds gets the next whole minute.
	launch := time.Now().UTC().Add(20 * time.Second).Truncate(time.Second)
	c.do(chromedp.SetValue(in(settings, "list_hidden_until"), launch.Format("2006-01-02T15:04:05")))
	if c.value(in(settings, "list_hidden_until")) != launch.Format("2006-01-02T15:04:05") {
		launch = launch.Truncate(time.Minute).Add(time.Minute)
		c.do(chromedp.SetValue(in(settings, "list_hidden_until"), launch.Format("2006-01-02T15:04")))
	}
	c.navigate(http.StatusOK, chromedp.Click(submit(settings)))

	names := []string{signers[0].name, byDomain.name}
	public := handlertest.OverServer(t, j.srv.addr)
	for _, path := range []string{j.letterPath, j.letterPath + "/signatories", j.letterPath + "/signatories.csv",
		j.letterPath + "/signatories.json", j.letterPath + "/print", j.letterPath + "/embed", "/feed.atom"} {
		body := public.Get(path).Expect(t, http.StatusOK).Body
		for _, name := range names {
			if strings.Contains(body, name) {
				t.Errorf("before the launch, %s names %s", path, name)
			}
		}
	}
	v := j.b.newTab(t)
	v.open(j.letterPath, http.StatusOK)
	v.expectText("The list of signatories will be published on", launch.Format(":04"))
	v.check("campaign-letter-embargoed")
	if time.Now().After(launch) {
		t.Fatal("the checks before the launch took longer than the 20 s before it: they prove nothing")
	}

	time.Sleep(time.Until(launch) + time.Second)
	v.open(j.letterPath, http.StatusOK)
	for _, name := range names {
		if v.listed(name) != 1 {
			t.Errorf("after the launch, the letter does not list %s", name)
		}
	}
	v.check("campaign-letter-launched")
}

// form is the form that posts to path (an action with a #fragment or a
// query after path counts); a form of filters, sent by GET to the same
// path, is not it.
func form(path string) string {
	p := xpathString(path)
	return fmt.Sprintf(`//form[translate(@method, "POST", "post") = "post"][@action = %[1]s or starts-with(@action, concat(%[1]s, "#")) or starts-with(@action, concat(%[1]s, "?"))]`, p)
}

// in is the control named name in the form that posts to path.
func in(path, name string) string {
	return form(path) + `//*[@name = ` + xpathString(name) + `]`
}

// submit is the submit button of the form that posts to path: the one
// with name and value when given (name, value), else its first.
func submit(path string, nameValue ...string) string {
	sel := form(path) + `//button[not(@type) or @type = "submit"]`
	if len(nameValue) == 2 {
		sel += fmt.Sprintf(`[@name = %s and @value = %s]`, xpathString(nameValue[0]), xpathString(nameValue[1]))
	}
	return "(" + sel + ")[1]"
}
