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
