package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
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
