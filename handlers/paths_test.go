package handlers_test

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"undersigned/handlers"
	"undersigned/handlers/handlertest"
	"undersigned/models"
	"undersigned/models/modeltest"
)

// requestFor is a request for target written as it stands, with the Host
// header that HTTP/1.1 requires: a target such as "//evil.example/" would
// otherwise be read as a host of its own.
func requestFor(method, target string) *http.Request {
	req := httptest.NewRequest(method, siteURL+target, nil)
	req.RequestURI = target
	return req
}

// TestTokensNeverReachTheLog: a private link's token is its holder's key
// to their signature or account. Whatever becomes of a request on such a
// link (answered, refused for CSRF before routing, reaching no route, the
// wrong method, a server error) and however its path is written, the log
// never holds the token, nor the query string. Every request is logged
// here, as -log-requests all does: by default only failed or slow ones
// are, with the same path.
func TestTokensNeverReachTheLog(t *testing.T) {
	var log lockedBuffer
	store, err := models.Open(context.Background(), modeltest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	s := newSiteLogging(t, store, handlers.Config{LogAllRequests: true}, &log)
	setup, err := s.h.SetupLink(context.Background())
	if err != nil || setup == "" {
		t.Fatalf("setup link %q: %v", setup, err)
	}
	setup = strings.TrimPrefix(setup, siteURL)
	coord, editor := s.openLetter("c@example.org", "Org", withSettings("confirm_email"))
	coord.Post(editor+"/co-initiators", url.Values{"email": {"b@example.org"}}).Expect(t, http.StatusSeeOther)
	coInitiation := coInitiationLink.FindStringSubmatch(s.inbox("b@example.org")[0].Body)[1]
	signer := s.client()
	signer.Get(seedSlug)
	signer.Post(seedSlug+"/sign", handlertest.SignForm("Leyla Yunus", "AZ", "leyla@example.org")).Expect(t, http.StatusSeeOther)
	confirm := s.mailedLink("leyla@example.org", "/confirm/")

	const fake = "Qm9ndXNUb2tlbk9mRm9ydHlUaHJlZUNoYXJhY3Rlcn"
	tokens := map[string]string{"setup": setup, "confirm": confirm, "co-initiation": coInitiation}
	for _, prefix := range []string{"confirm", "signature", "reconfirm", "setup", "join", "invited", "dashboard/co-initiations", "news/unsubscribe"} {
		tokens[prefix+" (made up)"] = "/" + prefix + "/" + fake + prefix[:4]
	}
	visitor := s.client()
	visitor.Get("/login")
	for name, link := range tokens {
		token := link[strings.LastIndexByte(link, '/')+1:]
		prefix := strings.TrimSuffix(link, token)
		upper := strings.ToUpper(prefix[:2]) + prefix[2:]
		for _, target := range []string{
			link, link + "/", link + "//", upper + token, strings.ToUpper(prefix) + token + "/WITHDRAW",
			"/" + prefix + token, strings.TrimSuffix(prefix, "/") + "//" + token, fmt.Sprintf("/%%%x%s%s", prefix[1], prefix[2:], token),
			link + "/withdraw", link + "/renew", link + "/display", link + "/x/y", link + "?secret=QueryValue",
		} {
			for _, method := range []string{http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete} {
				visitor.Do(requestFor(method, target))
			}
			visitor.PostRaw(target, "_csrf=forged")                                        // refused for CSRF before routing
			visitor.Post(target, url.Values{"password": {"correct horse battery staple"}}) // with the right CSRF token
		}
		if strings.Contains(log.String(), token) {
			t.Errorf("%s: the log holds the token of %s", name, link)
		}
	}

	// A server error logs the path too.
	store.Close()
	visitor.Get("/signature/"+fake).Expect(t, http.StatusInternalServerError)
	visitor.Get(editor) // no private link: logged as it is
	out := log.String()
	if !strings.Contains(out, "request failed") {
		t.Fatal("no server error in the log")
	}
	for _, secret := range []string{fake, "QueryValue", "secret="} {
		if strings.Contains(out, secret) {
			t.Errorf("the log holds %q:\n%s", secret, out[max(0, strings.Index(out, secret)-300):][:600])
		}
	}
	// What the operator needs is kept: the route and its outcome.
	for _, kept := range []string{"path=/signature/:token/withdraw", "path=/confirm/:token status=200", "path=/Signature/:token", "status=403",
		"path=/dashboard/co-initiations/:token status=303", "path=" + editor + " "} {
		if !strings.Contains(out, kept) {
			t.Errorf("the log lacks %q", kept)
		}
	}
}

// TestOtherSpellingsOfAPathRedirect: Fiber matched paths in any case and
// with trailing slashes, so each spelling of a public page was a page of
// its own for the page cache and the one-at-a-time PDF queue; a crowd, or
// one client, asking for /LeTters/x/ and /letters/x/packet.pdf////// had
// the pages rendered and the PDF made once per spelling. Every other
// spelling now leads to the page's one address, its query kept, and
// costs nothing.
func TestOtherSpellingsOfAPathRedirect(t *testing.T) {
	var log lockedBuffer
	s := newSiteLogging(t, modeltest.Open(t), handlers.Config{}, &log)
	s.publishedLetter("c@example.org", "Org")
	signSeedList(t, s)
	made := func() int { return strings.Count(log.String(), "delivery packet made") }
	token := "/signature/Qm9ndXNUb2tlbk9mRm9ydHlUaHJlZUNoYXJhY3Rlcn"
	upper := strings.ToUpper(seedSlug)

	for from, to := range map[string]string{
		"/LeTters/joint-statement-on-the-human-rights-situation-in-azerbaijan/": seedSlug,
		upper:                               seedSlug,
		seedSlug + "//":                     seedSlug,
		"/" + seedSlug:                      seedSlug,
		"/letters//" + seedSlug[9:]:         seedSlug,
		seedSlug + "/?utm_source=share&x=Y": seedSlug + "?utm_source=share&x=Y",
		upper + "/SIGNATORIES/?page=2":      seedSlug + "/signatories?page=2",
		seedSlug + "/packet.pdf//////":      seedSlug + "/packet.pdf",
		seedSlug + "/Packet.PDF":            seedSlug + "/packet.pdf",
		seedSlug + "/print/":                seedSlug + "/print",
		seedSlug + "/signatories.CSV":       seedSlug + "/signatories.csv",
		"/API/Letters/":                     "/api/letters",
		"/Static/style.css":                 "/static/style.css",
		"/Signature/" + token[11:] + "/":    token, // a token's case is its own
		"//":                                "/",
		"//evil.example/":                   "/evil.example",
		"/Dashboard/":                       "/dashboard",
	} {
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			r := s.client().Do(requestFor(method, from))
			if r.Status != http.StatusMovedPermanently || r.Location != to {
				t.Errorf("%s %s: %d to %q, want 301 to %q", method, from, r.Status, r.Location, to)
			}
		}
	}
	if n := made(); n != 0 {
		t.Errorf("other spellings of the PDF's address had it made %d times, want none", n)
	}
	s.client().Get(seedSlug+"/packet.pdf").Expect(t, http.StatusOK, "%PDF-")
	if n := made(); n != 1 {
		t.Errorf("the PDF was made %d times, want once", n)
	}

	// No other spelling reaches a page's handler, whatever the method.
	visitor := s.client()
	visitor.Get(seedSlug)
	before := s.signatures()
	visitor.Post(strings.ToUpper(seedSlug)+"/sign", handlertest.SignForm("Anar Mammadli", "AZ", "anar@example.org")).Expect(t, http.StatusNotFound)
	visitor.Post(seedSlug+"/sign/", handlertest.SignForm("Anar Mammadli", "AZ", "anar@example.org")).Expect(t, http.StatusNotFound)
	if s.signatures() != before {
		t.Error("a signature sent to another spelling of the form's address was stored")
	}
	// Nor does a redirect lead off the site.
	for _, from := range []string{"/\\evil.example/", "/%5Cevil.example/", "/./evil.example/"} {
		r := s.client().Get(from)
		if strings.HasPrefix(r.Location, "//") || strings.HasPrefix(r.Location, "/\\") || strings.Contains(r.Location, "evil.example") && r.Location[0] != '/' {
			t.Errorf("GET %s leads to %q", from, r.Location)
		}
	}
}

// gzipGet has c ask for path accepting gzip, and returns the answer with
// its body decompressed; gzipped says whether it came compressed.
func gzipGet(t *testing.T, c *handlertest.Client, path string) (r handlertest.Response, gzipped bool) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	r = c.Do(req)
	if r.Header.Get("Content-Encoding") != "gzip" {
		return r, false
	}
	zr, err := gzip.NewReader(strings.NewReader(r.Markup))
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	body, err := io.ReadAll(zr) // checks the length and the checksum too
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	r.Markup, r.Body = string(body), handlertest.WithoutIsolates(string(body))
	c.KeepTokens(r.Markup)
	return r, true
}

// startedValue is the signing form's stamp of the time it was shown,
// which differs from one page to the next.
var startedValue = regexp.MustCompile(`name="started" value="[^"]+"`)

// TestTextIsSentCompressed: pages, the stylesheet, JSON, CSV and the feed
// went uncompressed, four to ten times their compressed size on a phone's
// connection. They are gzipped for clients that accept it, with Vary:
// Accept-Encoding. A letter's page, read by a crowd, is compressed once
// when it enters the page cache, each visitor's own values (their CSRF
// token, their form) set in it; a streamed CSV is compressed as it is
// written, never held whole.
func TestTextIsSentCompressed(t *testing.T) {
	s := newSite(t, handlers.Config{})
	s.publishedLetter("c@example.org", "Org")
	signSeedList(t, s)

	for _, path := range []string{"/", seedSlug, seedSlug + "/signatories", seedSlug + ".json", seedSlug + "/signatories.csv", "/feed.atom", "/privacy", "/nowhere"} {
		visitor := s.client()
		plain := visitor.Get(path)
		r, gzipped := gzipGet(t, visitor, path)
		if !gzipped {
			t.Errorf("GET %s accepting gzip: not compressed (Content-Encoding %q)", path, r.Header.Get("Content-Encoding"))
			continue
		}
		if r.Status != plain.Status || startedValue.ReplaceAllString(r.Body, "") != startedValue.ReplaceAllString(plain.Body, "") {
			t.Errorf("GET %s: the compressed answer (%d) is not the plain one (%d):\n%.500s", path, r.Status, plain.Status, r.Body)
		}
		for _, h := range []http.Header{r.Header, plain.Header} {
			if !strings.Contains(h.Get("Vary"), "Accept-Encoding") {
				t.Errorf("GET %s: Vary %q", path, h.Get("Vary"))
			}
		}
		if plain.Header.Get("Content-Encoding") != "" {
			t.Errorf("GET %s not accepting gzip: Content-Encoding %q", path, plain.Header.Get("Content-Encoding"))
		}
	}

	// The cached letter page carries each visitor's own token.
	one, two := s.client(), s.client()
	gzipGet(t, one, seedSlug)
	gzipGet(t, two, seedSlug)
	if one.CSRF == "" || one.CSRF == two.CSRF {
		t.Errorf("two visitors of the compressed page got tokens %q and %q", one.CSRF, two.CSRF)
	}
	// So does a refused form, and the typed values come back.
	req := httptest.NewRequest(http.MethodPost, seedSlug+"/sign", strings.NewReader(url.Values{
		"_csrf": {one.CSRF}, "name": {"Ketevan Chachava"}, "email": {"not an address"}, "kind": {"individual"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept-Encoding", "gzip")
	r := one.Do(req)
	zr, err := gzip.NewReader(strings.NewReader(r.Body))
	if err != nil {
		t.Fatalf("a refused form, accepting gzip: status %d, %v", r.Status, err)
	}
	body, err := io.ReadAll(zr)
	if err != nil || r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(body), `value="Ketevan Chachava"`) {
		t.Errorf("a refused form, accepting gzip: status %d, %v:\n%.500s", r.Status, err, body)
	}

	// The CSV is streamed: compressed as written, its length unknown
	// beforehand, rather than compressed whole in memory.
	csv, _ := gzipGet(t, s.client(), seedSlug+"/signatories.csv")
	if csv.Header.Get("Content-Length") != "" || !strings.Contains(csv.Body, "Leyla Yunus") {
		t.Errorf("the compressed CSV has Content-Length %q:\n%.300s", csv.Header.Get("Content-Length"), csv.Body)
	}
}

// TestStaticFilesAreCachedForAYear: the stylesheet was cached for a day,
// and every visitor asked again after. Pages link it at an address with a
// hash of its content, cached for a year and never checked again; its
// plain address, and one with an old hash (a page older than the file),
// still work, cached for an hour.
func TestStaticFilesAreCachedForAYear(t *testing.T) {
	s := newSite(t, handlers.Config{})
	s.publishedLetter("c@example.org", "Org")
	visitor := s.client()
	linked := regexp.MustCompile(`href="(/static/style\.[0-9a-f]{10}\.css)"`)
	var stylesheet string
	for _, path := range []string{"/", seedSlug, seedSlug + "/embed"} {
		m := linked.FindStringSubmatch(visitor.Get(path).Body)
		if m == nil {
			t.Fatalf("%s links no stylesheet with a hash in its address", path)
		}
		stylesheet = m[1]
	}
	plain := visitor.Get("/static/style.css").Expect(t, http.StatusOK, ".skip-link")
	for path, cache := range map[string]string{
		stylesheet:                     "public, max-age=31536000, immutable",
		"/static/style.css":            "public, max-age=3600",
		"/static/style.0123456789.css": "public, max-age=3600",
	} {
		r, gzipped := gzipGet(t, visitor, path)
		if r.Status != http.StatusOK || !gzipped || r.Body != plain.Body {
			t.Errorf("GET %s: %d, compressed %v, %d bytes, want the stylesheet compressed", path, r.Status, gzipped, len(r.Body))
		}
		if got := r.Header.Get("Cache-Control"); got != cache {
			t.Errorf("GET %s: Cache-Control %q, want %q", path, got, cache)
		}
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/css") {
			t.Errorf("GET %s: Content-Type %q", path, r.Header.Get("Content-Type"))
		}
	}
	if icon := regexp.MustCompile(`href="(/static/icon\.[0-9a-f]{10}\.svg)"`).FindStringSubmatch(visitor.Get("/").Body); icon == nil {
		t.Error("the page links no icon with a hash in its address")
	} else if r := visitor.Get(icon[1]); r.Status != http.StatusOK || r.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
		t.Errorf("GET %s: %d, Cache-Control %q", icon[1], r.Status, r.Header.Get("Cache-Control"))
	}
	visitor.Get("/static/nothing.css").Expect(t, http.StatusNotFound)
	visitor.Get("/static/../public.go").Expect(t, http.StatusNotFound)
}
