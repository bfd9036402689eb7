package handlers_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"undersigned/handlers"
	"undersigned/models"
	"undersigned/models/modeltest"
)

// site is the app under test on a fresh database.
type site struct {
	t     *testing.T
	app   *fiber.App
	h     *handlers.Handler
	store *models.Store
}

func newSite(t *testing.T, cfg handlers.Config) *site {
	t.Helper()
	return newSiteOn(t, modeltest.Open(t), cfg)
}

// newSiteOn is newSite on a store the test opened itself.
func newSiteOn(t *testing.T, store *models.Store, cfg handlers.Config) *site {
	t.Helper()
	return newSiteLogging(t, store, cfg, io.Discard)
}

// newSiteLogging is newSiteOn with the site's log written to log.
func newSiteLogging(t *testing.T, store *models.Store, cfg handlers.Config, log io.Writer) *site {
	t.Helper()
	if cfg.BaseURL == "" {
		cfg.BaseURL = "http://undersigned.test"
	}
	if cfg.Limits.SignBurst.Max == 0 {
		many := handlers.RateLimit{Max: 1000, Window: time.Minute}
		cfg.Limits.SignBurst, cfg.Limits.SignSustained, cfg.Limits.SignOverall = many, many, many
	}
	app, h, err := handlers.New(context.Background(), store, slog.New(slog.NewTextHandler(log, nil)), cfg)
	if err != nil {
		t.Fatalf("new app: %v", err)
	}
	return &site{t: t, app: app, h: h, store: store}
}

// browser is one visitor: it keeps its cookies, and the CSRF token and the
// signing form's "started" stamp of the last page it loaded, as a browser
// with that page open would send them.
type browser struct {
	s       *site
	cookies map[string]string
	csrf    string
	started string
}

func (s *site) browser() *browser { return &browser{s: s, cookies: map[string]string{}} }

// response is what a request got back.
type response struct {
	status   int
	body     string // without <bdi> tags (see withoutIsolates)
	markup   string // as sent
	location string
	header   http.Header
}

var (
	csrfInput    = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)
	startedInput = regexp.MustCompile(`name="started" value="([^"]+)"`)
)

func (b *browser) do(req *http.Request) response {
	b.s.t.Helper()
	for k, v := range b.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	resp, err := b.s.app.Test(req, -1)
	if err != nil {
		b.s.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") && resp.Header.Get("Content-Encoding") == "" {
		checkHeadingLevels(b.s.t, req.URL.Path, body)
	}
	for _, c := range resp.Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c.Value
		}
	}
	if m := csrfInput.FindStringSubmatch(string(body)); m != nil {
		b.csrf = m[1]
	}
	if m := startedInput.FindStringSubmatch(string(body)); m != nil {
		b.started = m[1]
	}
	return response{status: resp.StatusCode, body: withoutIsolates(string(body)), markup: string(body), location: resp.Header.Get("Location"), header: resp.Header}
}

func (b *browser) get(path string) response {
	return b.do(httptest.NewRequest(http.MethodGet, path, nil))
}

// post sends a form with the browser's CSRF token and, unless the form
// sets its own, the "started" stamp of the last signing form it was shown.
func (b *browser) post(path string, form url.Values) response {
	if form.Get("_csrf") == "" {
		form.Set("_csrf", b.csrf)
	}
	if _, ok := form["started"]; !ok && b.started != "" {
		form.Set("started", b.started)
	}
	return b.postRaw(path, form.Encode())
}

func (b *browser) postRaw(path, body string) response {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// confirm follows a confirmation link as its signer does: opening it shows
// the entry and a button, and confirms nothing until the button is pressed;
// pressing it leads to the page that says what became of the signature,
// which confirm returns.
func (b *browser) confirm(link string) response {
	b.s.t.Helper()
	b.get(link).expect(b.s.t, http.StatusOK, "Confirm your signature", `action="`+link+`"`, "Confirm my signature")
	r := b.post(link, url.Values{}).expect(b.s.t, http.StatusSeeOther)
	if r.location != link+"?confirmed=1" {
		b.s.t.Fatalf("confirming leads to %q, want %q", r.location, link+"?confirmed=1")
	}
	return b.get(r.location)
}

// isolate is a <bdi> tag, which isolates a name's direction and changes
// none of its text.
var isolate = regexp.MustCompile(`</?bdi( lang="[^"]*")?>`)

// withoutIsolates is a page's markup without its <bdi> tags, for tests of
// what it says; the tests of directions read the tags in response.markup.
func withoutIsolates(body string) string { return isolate.ReplaceAllString(body, "") }

// expectMarkup fails the test unless r's markup, <bdi> tags and all,
// contains every fragment.
func (r response) expectMarkup(t *testing.T, fragments ...string) response {
	t.Helper()
	for _, f := range fragments {
		if !strings.Contains(r.markup, f) {
			os.WriteFile(os.TempDir()+"/last-failure.html", []byte(r.markup), 0o644)
			t.Fatalf("markup lacks %q (whole page in %s):\n%s", f, os.TempDir()+"/last-failure.html", excerpt(r.markup))
		}
	}
	return r
}

// expect fails the test unless r has the status and contains every fragment,
// in its text without <bdi> tags or as sent.
func (r response) expect(t *testing.T, status int, fragments ...string) response {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body:\n%s", r.status, status, excerpt(r.body))
	}
	for _, f := range fragments {
		if !strings.Contains(r.body, f) && !strings.Contains(r.markup, f) {
			os.WriteFile(os.TempDir()+"/last-failure.html", []byte(r.body), 0o644)
			t.Fatalf("body lacks %q (whole page in %s):\n%s", f, os.TempDir()+"/last-failure.html", excerpt(r.body))
		}
	}
	return r
}

func excerpt(s string) string {
	if i := strings.Index(s, "<main"); i >= 0 {
		s = s[i:]
	}
	if len(s) > 3000 {
		s = s[:3000] + "…"
	}
	return s
}

// coordinator creates a coordinator with their organisation and a browser logged in as them.
func (s *site) coordinator(email, org string) *browser {
	s.t.Helper()
	modeltest.Coordinator(s.t, s.store, email, org)
	b := s.browser()
	b.get("/login")
	b.post("/login", url.Values{"email": {email}, "password": {modeltest.Password}}).expect(s.t, http.StatusSeeOther)
	return b
}

// letterForm is seed 003's letter as the editor's form sends it.
func letterForm(action string) url.Values {
	l := modeltest.Azerbaijan
	f := url.Values{
		"title": {l.Title}, "summary": {l.Summary}, "initiators": {l.Initiators}, "body": {l.Body},
		"addressees": {"Members of the Parliamentary Assembly of the Council of Europe\nDelegations to COP29"},
		"subject":    {"Political prisoners in Azerbaijan"}, "salutation": {"Excellencies,"},
		"closing": {"Sincerely,"}, "action": {action},
	}
	for _, g := range l.Groups {
		f.Add("group_lead_in", g.LeadIn)
		f.Add("group_demands", g.Demands)
	}
	return f
}

// publishedLetter drafts and publishes seed 003's letter, listing
// signatures at once; it returns the coordinator's browser and the letter's
// dashboard path.
func (s *site) publishedLetter(email, org string) (*browser, string) {
	s.t.Helper()
	return s.openLetter(email, org, listAtOnce())
}

// openLetter drafts seed 003's letter, saves settings unless they are nil
// (a new letter's defaults: confirmation by email, review of
// organisations), and publishes it. It returns the coordinator's browser
// and the letter's dashboard path.
func (s *site) openLetter(email, org string, settings url.Values) (*browser, string) {
	s.t.Helper()
	b := s.coordinator(email, org)
	b.get("/dashboard/letters/new")
	r := b.post("/dashboard/letters", letterForm("save")).expect(s.t, http.StatusSeeOther)
	path := strings.TrimSuffix(r.location, "?saved=1")
	b.get(path)
	if settings != nil {
		b.post(path+"/settings", settings).expect(s.t, http.StatusSeeOther)
	}
	b.post(path+"/state", url.Values{"state": {"open"}}).expect(s.t, http.StatusSeeOther)
	return b, path
}

// listAtOnce are letter settings without confirmation by email or review,
// for the tests of the list itself.
func listAtOnce() url.Values {
	return url.Values{"lang": {"en"}, "signers": {"both"}, "list_order": {"alphabetical"}, "listed": {"true"}, "retention_days": {"180"}}
}

// withSettings returns listAtOnce with some settings ticked, such as
// "confirm_email" or "allow_indexing".
func withSettings(ticked ...string) url.Values {
	f := listAtOnce()
	for _, name := range ticked {
		f.Set(name, "true")
	}
	return f
}

const seedSlug = "/letters/joint-statement-on-the-human-rights-situation-in-azerbaijan"

// signForm is a valid signature.
func signForm(name, country, email string) url.Values {
	return url.Values{"kind": {"individual"}, "name": {name}, "country": {country}, "email": {email}, "display": {"full"}, "agree": {"true"}}
}

// signatures returns how many signatures of the seed letter are stored, in
// any status: what a bot or a refused form must not add to.
func (s *site) signatures() int64 {
	s.t.Helper()
	l := s.letter()
	counts, err := s.store.StatusCounts(context.Background(), l.ID)
	if err != nil {
		s.t.Fatal(err)
	}
	var n int64
	for _, c := range counts {
		n += c
	}
	return n
}

// letter returns the seed letter as stored, with its counters.
func (s *site) letter() *models.Letter {
	s.t.Helper()
	l, err := s.store.PublicLetter(context.Background(), strings.TrimPrefix(seedSlug, "/letters/"))
	if err != nil {
		s.t.Fatal(err)
	}
	return l
}

// mailedLinkPattern finds the site's links in an email.
var mailedLinkPattern = regexp.MustCompile(`http://undersigned\.test(/(?:confirm|signature)/[A-Za-z0-9_-]+)`)

// inbox returns the emails the site has written to address and not yet
// sent, oldest first: in tests nothing sends them, so this is all of them.
func (s *site) inbox(address string) []models.OutboxMessage {
	s.t.Helper()
	all, err := s.store.DueMessages(context.Background(), 10000)
	if err != nil {
		s.t.Fatal(err)
	}
	var out []models.OutboxMessage
	for _, m := range all {
		if m.Recipient == address {
			out = append(out, m)
		}
	}
	return out
}

// mailedLink returns the path of the link starting with prefix ("/confirm/"
// or "/signature/") in the newest email to address that has one.
func (s *site) mailedLink(address, prefix string) string {
	s.t.Helper()
	msgs := s.inbox(address)
	if len(msgs) == 0 {
		s.t.Fatalf("no email to %s in the outbox", address)
	}
	for i := len(msgs) - 1; i >= 0; i-- {
		for _, m := range mailedLinkPattern.FindAllStringSubmatch(msgs[i].Body, -1) {
			if strings.HasPrefix(m[1], prefix) {
				return m[1]
			}
		}
	}
	s.t.Fatalf("no email to %s has a %s link; the last one:\n%s", address, prefix, msgs[len(msgs)-1].Body)
	return ""
}

// reviewRow finds a signature's checkbox in the review queue by its entry.
var reviewRow = regexp.MustCompile(`name="ids" value="(\d+)"><label for="pick-\d+" class="visually-hidden">[^:<]+: ([^<]+)</label>`)

// reviewIDs returns the ids of the signatures a review page lists, by their entries.
func reviewIDs(body string) map[string]string {
	out := map[string]string{}
	for _, m := range reviewRow.FindAllStringSubmatch(body, -1) {
		out[m[2]] = m[1]
	}
	return out
}

// overLoopback posts body to the app served on a loopback port: fasthttp
// answers some errors, such as an oversized body, before app.Test sees them.
// It writes the request while it reads the answer, as a browser does: the
// server rightly answers a too-large body and hangs up before reading it
// all, and a client that insists on writing first sees only the hang-up.
func (s *site) overLoopback(t *testing.T, path, body string) response {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.app.Listener(ln)
	defer s.app.Shutdown()
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	go func() {
		// An error here is the server hanging up after it answered.
		fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: undersigned.test\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s",
			path, len(body), body)
	}()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("POST %s: reading the answer: %v", path, err)
	}
	return response{status: resp.StatusCode, body: withoutIsolates(string(b)), markup: string(b), header: resp.Header}
}
