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
	"undersigned/models"
	"undersigned/models/modeltest"
)

// TestTokensNeverReachTheLog: a private link's token is its holder's key
// to their signature or account. Whatever becomes of a request on such a
// link (answered, refused for CSRF before routing, reaching no route, the
// wrong method, a server error) and however its path is written, the log
// never holds the token, nor the query string.
func TestTokensNeverReachTheLog(t *testing.T) {
	var log lockedBuffer
	store, err := models.Open(context.Background(), modeltest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	s := newSiteLogging(t, store, handlers.Config{}, &log)
	setup, err := s.h.SetupLink(context.Background())
	if err != nil || setup == "" {
		t.Fatalf("setup link %q: %v", setup, err)
	}
	setup = strings.TrimPrefix(setup, "http://undersigned.test")
	s.openLetter("c@example.org", "Org", withSettings("confirm_email"))
	signer := s.browser()
	signer.get(seedSlug)
	signer.post(seedSlug+"/sign", signForm("Leyla Yunus", "AZ", "leyla@example.org")).expect(t, http.StatusSeeOther)
	confirm := s.mailedLink("leyla@example.org", "/confirm/")

	const fake = "Qm9ndXNUb2tlbk9mRm9ydHlUaHJlZUNoYXJhY3Rlcn"
	tokens := map[string]string{"setup": setup, "confirm": confirm}
	for _, prefix := range []string{"confirm", "signature", "reconfirm", "setup", "join"} {
		tokens[prefix+" (made up)"] = "/" + prefix + "/" + fake + prefix
	}
	b := s.browser()
	b.get("/login")
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
				b.do(httptest.NewRequest(method, "http://undersigned.test"+target, nil))
			}
			b.postRaw(target, "_csrf=forged")                                        // refused for CSRF before routing
			b.post(target, url.Values{"password": {"correct horse battery staple"}}) // with the right CSRF token
		}
		if strings.Contains(log.String(), token) {
			t.Errorf("%s: the log holds the token of %s", name, link)
		}
	}

	// A server error logs the path too.
	store.Close()
	b.get("/signature/"+fake).expect(t, http.StatusInternalServerError)
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
	for _, kept := range []string{"path=/signature/:token/withdraw", "path=/confirm/:token status=200", "path=/Signature/:token", "status=403"} {
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
			r := s.browser().do(httptest.NewRequest(method, "http://undersigned.test"+from, nil))
			if r.status != http.StatusMovedPermanently || r.location != to {
				t.Errorf("%s %s: %d to %q, want 301 to %q", method, from, r.status, r.location, to)
			}
		}
	}
	if n := made(); n != 0 {
		t.Errorf("other spellings of the PDF's address had it made %d times, want none", n)
	}
	s.browser().get(seedSlug+"/packet.pdf").expect(t, http.StatusOK, "%PDF-")
	if n := made(); n != 1 {
		t.Errorf("the PDF was made %d times, want once", n)
	}

	// No other spelling reaches a page's handler, whatever the method.
	b := s.browser()
	b.get(seedSlug)
	before := s.signatures()
	b.post(strings.ToUpper(seedSlug)+"/sign", signForm("Anar Mammadli", "AZ", "anar@example.org")).expect(t, http.StatusNotFound)
	b.post(seedSlug+"/sign/", signForm("Anar Mammadli", "AZ", "anar@example.org")).expect(t, http.StatusNotFound)
	if s.signatures() != before {
		t.Error("a signature sent to another spelling of the form's address was stored")
	}
	// Nor does a redirect lead off the site.
	for _, from := range []string{"/\\evil.example/", "/%5Cevil.example/", "/./evil.example/"} {
		r := s.browser().get(from)
		if strings.HasPrefix(r.location, "//") || strings.HasPrefix(r.location, "/\\") || strings.Contains(r.location, "evil.example") && r.location[0] != '/' {
			t.Errorf("GET %s leads to %q", from, r.location)
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
		b := s.browser()
		plain := b.get(path)
		r, gzipped := gzipGet(t, b, path)
		if !gzipped {
			t.Errorf("GET %s accepting gzip: not compressed (Content-Encoding %q)", path, r.header.Get("Content-Encoding"))
			continue
		}
		if r.status != plain.status || startedValue.ReplaceAllString(r.body, "") != startedValue.ReplaceAllString(plain.body, "") {
			t.Errorf("GET %s: the compressed answer (%d) is not the plain one (%d):\n%.500s", path, r.status, plain.status, r.body)
		}
		for _, h := range []http.Header{r.header, plain.header} {
			if !strings.Contains(h.Get("Vary"), "Accept-Encoding") {
				t.Errorf("GET %s: Vary %q", path, h.Get("Vary"))
			}
		}
		if plain.header.Get("Content-Encoding") != "" {
			t.Errorf("GET %s not accepting gzip: Content-Encoding %q", path, plain.header.Get("Content-Encoding"))
		}
	}

	// The cached letter page carries each visitor's own token.
	one, two := s.browser(), s.browser()
	gzipGet(t, one, seedSlug)
	gzipGet(t, two, seedSlug)
	if one.csrf == "" || one.csrf == two.csrf {
		t.Errorf("two visitors of the compressed page got tokens %q and %q", one.csrf, two.csrf)
	}
	// So does a refused form, and the typed values come back.
	req := httptest.NewRequest(http.MethodPost, seedSlug+"/sign", strings.NewReader(url.Values{
		"_csrf": {one.csrf}, "name": {"Ketevan Chachava"}, "email": {"not an address"}, "kind": {"individual"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept-Encoding", "gzip")
	r := one.do(req)
	zr, err := gzip.NewReader(strings.NewReader(r.body))
	if err != nil {
		t.Fatalf("a refused form, accepting gzip: status %d, %v", r.status, err)
	}
	body, err := io.ReadAll(zr)
	if err != nil || r.status != http.StatusUnprocessableEntity || !strings.Contains(string(body), `value="Ketevan Chachava"`) {
		t.Errorf("a refused form, accepting gzip: status %d, %v:\n%.500s", r.status, err, body)
	}

	// The CSV is streamed: compressed as written, its length unknown
	// beforehand, rather than compressed whole in memory.
	csv, _ := gzipGet(t, s.browser(), seedSlug + "/signatories.csv")
	if csv.header.Get("Content-Length") != "" || !strings.Contains(csv.body, "Leyla Yunus") {
		t.Errorf("the compressed CSV has Content-Length %q:\n%.300s", csv.header.Get("Content-Length"), csv.body)
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
	b := s.browser()
	linked := regexp.MustCompile(`href="(/static/style\.[0-9a-f]{10}\.css)"`)
	var stylesheet string
	for _, path := range []string{"/", seedSlug, seedSlug + "/embed"} {
		m := linked.FindStringSubmatch(b.get(path).body)
		if m == nil {
			t.Fatalf("%s links no stylesheet with a hash in its address", path)
		}
		stylesheet = m[1]
	}
	plain := b.get("/static/style.css").expect(t, http.StatusOK, ".skip-link")
	for path, cache := range map[string]string{
		stylesheet:                     "public, max-age=31536000, immutable",
		"/static/style.css":            "public, max-age=3600",
		"/static/style.0123456789.css": "public, max-age=3600",
	} {
		r, gzipped := gzipGet(t, b, path)
		if r.status != http.StatusOK || !gzipped || r.body != plain.body {
			t.Errorf("GET %s: %d, compressed %v, %d bytes, want the stylesheet compressed", path, r.status, gzipped, len(r.body))
		}
		if got := r.header.Get("Cache-Control"); got != cache {
			t.Errorf("GET %s: Cache-Control %q, want %q", path, got, cache)
		}
		if !strings.HasPrefix(r.header.Get("Content-Type"), "text/css") {
			t.Errorf("GET %s: Content-Type %q", path, r.header.Get("Content-Type"))
		}
	}
	if icon := regexp.MustCompile(`href="(/static/icon\.[0-9a-f]{10}\.svg)"`).FindStringSubmatch(b.get("/").body); icon == nil {
		t.Error("the page links no icon with a hash in its address")
	} else if r := b.get(icon[1]); r.status != http.StatusOK || r.header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
		t.Errorf("GET %s: %d, Cache-Control %q", icon[1], r.status, r.header.Get("Cache-Control"))
	}
	b.get("/static/nothing.css").expect(t, http.StatusNotFound)
	b.get("/static/../public.go").expect(t, http.StatusNotFound)
}
