package handlers_test

import (
	"context"
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
	store := modeltest.Open(t)
	if cfg.BaseURL == "" {
		cfg.BaseURL = "http://undersigned.test"
	}
	if cfg.Limits.SignBurst.Max == 0 {
		many := handlers.RateLimit{Max: 1000, Window: time.Minute}
		cfg.Limits.SignBurst, cfg.Limits.SignSustained, cfg.Limits.SignOverall = many, many, many
	}
	app, h, err := handlers.New(context.Background(), store, slog.New(slog.NewTextHandler(io.Discard, nil)), cfg)
	if err != nil {
		t.Fatalf("new app: %v", err)
	}
	return &site{t: t, app: app, h: h, store: store}
}

// browser is one visitor: it keeps its cookies and the CSRF token of the
// last page it loaded, as a browser with that page open would.
type browser struct {
	s       *site
	cookies map[string]string
	csrf    string
}

func (s *site) browser() *browser { return &browser{s: s, cookies: map[string]string{}} }

// response is what a request got back.
type response struct {
	status   int
	body     string
	location string
	header   http.Header
}

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

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
	return response{status: resp.StatusCode, body: string(body), location: resp.Header.Get("Location"), header: resp.Header}
}

func (b *browser) get(path string) response {
	return b.do(httptest.NewRequest(http.MethodGet, path, nil))
}

// post sends a form with the browser's CSRF token.
func (b *browser) post(path string, form url.Values) response {
	if form.Get("_csrf") == "" {
		form.Set("_csrf", b.csrf)
	}
	return b.postRaw(path, form.Encode())
}

func (b *browser) postRaw(path, body string) response {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// expect fails the test unless r has the status and contains every fragment.
func (r response) expect(t *testing.T, status int, fragments ...string) response {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body:\n%s", r.status, status, excerpt(r.body))
	}
	for _, f := range fragments {
		if !strings.Contains(r.body, f) {
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

// publishedLetter drafts and publishes seed 003's letter; it returns the
// coordinator's browser and the letter's dashboard path.
func (s *site) publishedLetter(email, org string) (*browser, string) {
	s.t.Helper()
	b := s.coordinator(email, org)
	b.get("/dashboard/letters/new")
	r := b.post("/dashboard/letters", letterForm("save")).expect(s.t, http.StatusSeeOther)
	path := strings.TrimSuffix(r.location, "?saved=1")
	b.get(path)
	b.post(path+"/settings", listAtOnce()).expect(s.t, http.StatusSeeOther)
	b.post(path+"/state", url.Values{"state": {"open"}}).expect(s.t, http.StatusSeeOther)
	return b, path
}

// listAtOnce are letter settings without confirmation by email or review,
// for the tests of the list itself.
func listAtOnce() url.Values {
	return url.Values{"lang": {"en"}, "signers": {"both"}, "list_order": {"alphabetical"}, "listed": {"true"}, "retention_days": {"180"}}
}

const seedSlug = "/letters/joint-statement-on-the-human-rights-situation-in-azerbaijan"

// signForm is a valid signature.
func signForm(name, country, email string) url.Values {
	return url.Values{"kind": {"individual"}, "name": {name}, "country": {country}, "email": {email}, "display": {"full"}, "agree": {"true"}}
}

// overLoopback posts body to the app served on a loopback port: fasthttp
// answers some errors, such as an oversized body, before app.Test sees them.
func (s *site) overLoopback(t *testing.T, path, body string) response {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.app.Listener(ln)
	defer s.app.Shutdown()
	resp, err := http.Post("http://"+ln.Addr().String()+path, "application/x-www-form-urlencoded", strings.NewReader(body))
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, body: string(b), header: resp.Header}
}
