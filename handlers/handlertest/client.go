// Package handlertest is the test fixture of the site's HTTP side: a
// Client that visits the site as one person's browser tab would, over the
// Fiber app in the test's process or a server on a loopback port, and the
// forms people fill in (forms.go).
package handlertest

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
)

// Client is one visitor: it keeps its cookies, and the CSRF token and the
// signing form's "started" stamp of the last page it loaded, and sends
// them back as a browser with that page open would. It follows no
// redirects: a test reads where each one leads.
type Client struct {
	t       testing.TB
	base    string
	http    *http.Client
	Cookies Cookies
	CSRF    string
	Started string
}

// AppBase is the address of the site a Client over the app visits; the
// tests give the site the same base URL.
const AppBase = "http://undersigned.test"

// OverApp returns a new visitor of app, which answers in the test's own
// process through app.Test.
func OverApp(t testing.TB, app *fiber.App) *Client {
	return newClient(t, AppBase, appTransport{app}, 0)
}

// OverServer returns a new visitor of the server listening on addr
// (host:port), such as the binary a test started.
func OverServer(t testing.TB, addr string) *Client {
	return newClient(t, "http://"+addr, http.DefaultTransport.(*http.Transport).Clone(), 10*time.Second)
}

func newClient(t testing.TB, base string, transport http.RoundTripper, timeout time.Duration) *Client {
	c := &Client{t: t, base: base, Cookies: Cookies{}}
	c.http = &http.Client{Transport: transport, Jar: c.Cookies, Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return c
}

// At returns the same visitor, cookies and all, visiting the server on
// addr instead: another instance of the site behind the same name.
func (c *Client) At(addr string) *Client {
	moved := *c
	moved.base = "http://" + addr
	return &moved
}

// appTransport sends requests to a Fiber app in the process.
type appTransport struct{ app *fiber.App }

func (a appTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	return a.app.Test(req, -1)
}

// Cookies are a visitor's cookies by name, sent with every request as a
// browser sends a site's cookies back. Tests set one (a language) or take
// one (a session, to replay it) by name.
type Cookies map[string]string

// SetCookies keeps the cookies a response set and forgets those it expired.
func (jar Cookies) SetCookies(_ *url.URL, cookies []*http.Cookie) {
	for _, c := range cookies {
		if c.MaxAge < 0 || c.Value == "" {
			delete(jar, c.Name)
		} else {
			jar[c.Name] = c.Value
		}
	}
}

// Cookies returns every cookie: a test's visitor visits one site.
func (jar Cookies) Cookies(*url.URL) []*http.Cookie {
	var out []*http.Cookie
	for name, value := range jar {
		out = append(out, &http.Cookie{Name: name, Value: value})
	}
	return out
}

// Header is the Cookie header of the visitor's cookies, for a test that
// writes its request on a socket itself.
func (jar Cookies) Header() string {
	var parts []string
	for k, v := range jar {
		parts = append(parts, k+"="+v)
	}
	return "Cookie: " + strings.Join(parts, "; ")
}

var (
	csrfInput    = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)
	startedInput = regexp.MustCompile(`name="started" value="([^"]+)"`)
)

// Try sends req and reads the answer, keeping the page's CSRF token and
// "started" stamp. It returns the transport's error instead of failing the
// test, for a server that may be killed under it; it may run in
// goroutines. A request made with a path alone (httptest.NewRequest) goes
// to the client's site.
func (c *Client) Try(req *http.Request) (Response, error) {
	if req.URL.Host == "" {
		// Parsed again whole: a path with a #fragment, such as a redirect's
		// Location, is all path to httptest.NewRequest.
		u, err := url.Parse(c.base + req.RequestURI)
		if err != nil {
			return Response{}, err
		}
		req.URL, req.Host = u, ""
	}
	req.RequestURI = ""
	resp, err := c.http.Do(req)
	if err != nil {
		return Response{}, err
	}
	r, err := ReadResponse(resp)
	if err != nil {
		return r, err
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") && r.Header.Get("Content-Encoding") == "" {
		checkHeadingLevels(c.t, req.URL.Path, r.Markup)
	}
	c.KeepTokens(r.Markup)
	return r, nil
}

// KeepTokens keeps the CSRF token and the "started" stamp of a page, as
// Try does of every page it reads; a test that unpacks a compressed page
// itself hands it here.
func (c *Client) KeepTokens(page string) {
	if m := csrfInput.FindStringSubmatch(page); m != nil {
		c.CSRF = m[1]
	}
	if m := startedInput.FindStringSubmatch(page); m != nil {
		c.Started = m[1]
	}
}

// Do is Try for a server that stays up: a transport error fails the test.
func (c *Client) Do(req *http.Request) Response {
	c.t.Helper()
	r, err := c.Try(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	return r
}

// Get loads the page at path.
func (c *Client) Get(path string) Response {
	c.t.Helper()
	return c.Do(httptest.NewRequest(http.MethodGet, path, nil))
}

// TryGet is Get for a server that may be killed under it (see Try).
func (c *Client) TryGet(path string) (Response, error) {
	return c.Try(httptest.NewRequest(http.MethodGet, path, nil))
}

// Post sends a form (see TryPost).
func (c *Client) Post(path string, form url.Values) Response {
	c.t.Helper()
	r, err := c.TryPost(path, form)
	if err != nil {
		c.t.Fatalf("POST %s: %v", path, err)
	}
	return r
}

// TryPost sends a form with the client's CSRF token and, unless the form
// sets its own, the "started" stamp of the last signing form it was shown,
// for a server that may be killed under it (see Try).
func (c *Client) TryPost(path string, form url.Values) (Response, error) {
	if form.Get("_csrf") == "" {
		form.Set("_csrf", c.CSRF)
	}
	if _, ok := form["started"]; !ok && c.Started != "" {
		form.Set("started", c.Started)
	}
	return c.Try(formRequest(path, form.Encode()))
}

// PostRaw sends body as a form, as it is: no token added.
func (c *Client) PostRaw(path, body string) Response {
	c.t.Helper()
	return c.Do(formRequest(path, body))
}

func formRequest(path, body string) *http.Request {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}

// PostMultipart sends a form as the import page does, multipart with the
// client's CSRF token, and a CSV file when name is not empty; without one
// it sends the empty file part a browser sends when no file was chosen.
func (c *Client) PostMultipart(path string, form url.Values, name, content string) Response {
	c.t.Helper()
	return c.PostFile(path, form, "csv_file", name, content)
}

// PostFile is PostMultipart with the file in the form's field named field.
func (c *Client) PostFile(path string, form url.Values, field, name, content string) Response {
	c.t.Helper()
	if form.Get("_csrf") == "" {
		form.Set("_csrf", c.CSRF)
	}
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, vs := range form {
		for _, v := range vs {
			w.WriteField(k, v)
		}
	}
	fw, err := w.CreateFormFile(field, name)
	if err != nil {
		c.t.Fatal(err)
	}
	fw.Write([]byte(content))
	w.Close()
	req := httptest.NewRequest(http.MethodPost, path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return c.Do(req)
}

// LogIn logs the client in as the coordinator with this email.
func (c *Client) LogIn(email, password string) {
	c.t.Helper()
	c.Get("/login")
	c.Post("/login", url.Values{"email": {email}, "password": {password}}).Expect(c.t, http.StatusSeeOther)
}

// OpenLetter drafts a letter from the editor's form draft (see LetterForm),
// saves settings unless they are nil (a new letter's defaults: confirmation
// by email, review of organisations; see Settings), and opens it for
// signatures, as its coordinator does. It returns the editor's path.
func (c *Client) OpenLetter(draft, settings url.Values) string {
	c.t.Helper()
	c.Get("/dashboard/letters/new")
	r := c.Post("/dashboard/letters", draft).Expect(c.t, http.StatusSeeOther)
	editor := strings.TrimSuffix(r.Location, "?saved=1")
	c.Get(editor)
	if settings != nil {
		c.Post(editor+"/settings", settings).Expect(c.t, http.StatusSeeOther)
	}
	c.Post(editor+"/state", url.Values{"state": {"open"}}).Expect(c.t, http.StatusSeeOther)
	return editor
}

// Confirm follows a confirmation link as its signer does: opening it shows
// the entry and a button, and confirms nothing until the button is pressed;
// pressing it leads to the page that says what became of the signature,
// which Confirm returns.
func (c *Client) Confirm(link string) Response {
	c.t.Helper()
	c.Get(link).Expect(c.t, http.StatusOK, "Confirm your signature", `action="`+link+`"`, "Confirm my signature")
	r := c.Post(link, url.Values{}).Expect(c.t, http.StatusSeeOther)
	if r.Location != link+"?confirmed=1" {
		c.t.Fatalf("confirming leads to %q, want %q", r.Location, link+"?confirmed=1")
	}
	return c.Get(r.Location)
}
