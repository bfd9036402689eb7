package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"undersigned/handlers"
	"undersigned/handlers/handlertest"
	"undersigned/models"
	"undersigned/models/modeltest"
)

// routePath fills a route's parameters with values that exist on the site.
func routePath(route, letterPath string, orgID int64) string {
	id := strings.TrimPrefix(letterPath, "/dashboard/letters/")
	r := strings.NewReplacer(":slug", strings.TrimPrefix(seedSlug, "/letters/"), ":id", id, ":org", strconv.FormatInt(orgID, 10), ":sig", "1", ":token", "x", ":lang", "fr")
	return r.Replace(route)
}

func TestEveryStateChangingRouteRefusesRequestsWithoutCSRFToken(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, letterPath := s.publishedLetter("a@example.org", "A")
	coord.Get(seedSlug)
	coord.Post(seedSlug+"/sign", handlertest.SignForm("Igor Blazevic", "CZ", "igor@example.org")).Expect(t, http.StatusSeeOther)
	other := s.client()
	other.Get("/login") // a token valid for another browser's cookie

	posts := 0
	for _, r := range s.app.GetRoutes(true) {
		if r.Method != http.MethodPost {
			continue
		}
		if r.Path == "/news/unsubscribe/:token" {
			// The one exception: a mail program's one-click unsubscribe
			// (RFC 8058) has no cookie, and the link's token is the
			// credential (see TestUnsubscribeInOneClick).
			continue
		}
		posts++
		path := routePath(r.Path, letterPath, 1)
		for name, token := range map[string]string{"no token": "", "another browser's token": other.CSRF, "forged token": "AAAA"} {
			form := url.Values{"state": {"closed"}, "reason": {"spam"}, "sort_name": {"x"}, "title": {"Hijacked"}}
			if token != "" {
				form.Set("_csrf", token)
			}
			resp := coord.PostRaw(path, form.Encode())
			if resp.Status != http.StatusForbidden {
				t.Errorf("POST %s with %s: status %d, want 403", path, name, resp.Status)
			}
		}
	}
	if posts < 12 {
		t.Fatalf("walked only %d POST routes", posts)
	}
	l, err := s.store.PublicLetter(context.Background(), strings.TrimPrefix(seedSlug, "/letters/"))
	if err != nil || l.State != models.StateOpen || l.SignatureCount() != 1 || l.Title == "Hijacked" {
		t.Errorf("refused requests changed the letter: %+v (%v)", l, err)
	}
}

// TestCoordinatorsSeeNothingOfOtherOrganisations walks every route of a
// letter's dashboard as a coordinator of another organisation, with a form
// that would close the letter, remove or approve a signature if it got
// through: each answers 404, shows nothing of the letter and changes nothing.
func TestCoordinatorsSeeNothingOfOtherOrganisations(t *testing.T) {
	s := newSite(t, handlers.Config{})
	owner, letterPath := s.publishedLetter("owner@example.org", "Owner org")
	owner.Get(seedSlug)
	owner.Post(seedSlug+"/sign", handlertest.SignForm("Igor Blazevic", "CZ", "igor@example.org")).Expect(t, http.StatusSeeOther)
	owner.Get(letterPath)
	owner.Post(letterPath+"/settings", withSettings("review_organisations")).Expect(t, http.StatusSeeOther)
	owner.Get(seedSlug)
	waiting := url.Values{"kind": {"organisation"}, "name": {"Anna Novak"}, "affiliation": {"Civic IDEA"}, "country": {"GE"},
		"email": {"office@civicidea.example"}, "display": {"full"}, "agree": {"true"}}
	owner.Post(seedSlug+"/sign", waiting).Expect(t, http.StatusSeeOther) // signature 2, in review
	// A draft French translation, which the translation routes (at :lang
	// "fr") would show or change.
	owner.Get(letterPath + "/translations/fr")
	owner.Post(letterPath+"/translations/fr", translationForm(seedFrench, "save")).Expect(t, http.StatusSeeOther)

	intruder := s.coordinator("intruder@example.org", "Intruder org")
	intruder.Get("/dashboard").Expect(t, http.StatusOK)
	walked := map[string]bool{}
	for _, r := range s.app.GetRoutes(true) {
		if !strings.HasPrefix(r.Path, "/dashboard/letters/:id") && !strings.HasPrefix(r.Path, "/dashboard/organisations/") {
			continue
		}
		path := routePath(r.Path, letterPath, 1) // organisation 1 is the owner's
		var resp handlertest.Response
		switch r.Method {
		case http.MethodGet:
			resp = intruder.Get(path)
		case http.MethodPost:
			resp = intruder.Post(path, url.Values{"state": {"closed"}, "reason": {"x"}, "sort_name": {"x"}, "title": {"Hijacked"},
				"action": {"approve"}, "ids": {"1", "2"}, "approve": {"2"}})
		default:
			continue
		}
		walked[r.Method+" "+r.Path] = true
		if resp.Status != http.StatusNotFound {
			t.Errorf("%s %s as another organisation: status %d, want 404", r.Method, path, resp.Status)
		}
		for _, private := range []string{"igor@example.org", "office@civicidea.example", "Azerbaijan", seedFrench.Title} {
			if strings.Contains(resp.Body, private) {
				t.Errorf("%s %s shows the other organisation's %q", r.Method, path, private)
			}
		}
	}
	if len(walked) < 12 || !walked["GET /dashboard/letters/:id/review"] || !walked["POST /dashboard/letters/:id/review"] ||
		!walked["POST /dashboard/letters/:id/translations/:lang"] {
		t.Fatalf("walked only %v", walked)
	}
	if r := intruder.Get("/dashboard"); strings.Contains(r.Body, "Azerbaijan") {
		t.Error("the dashboard lists another organisation's letter")
	}
	l := s.letter()
	if fr, err := s.store.Translation(context.Background(), l, "fr"); err != nil || fr.Title != seedFrench.Title || fr.Published() {
		t.Errorf("another organisation changed the draft translation: %v, %+v", err, fr)
	}
	counts, _ := s.store.StatusCounts(context.Background(), l.ID)
	if l.State != models.StateOpen || l.SignatureCount() != 1 || counts[models.StatusInReview] != 1 {
		t.Errorf("another organisation changed the letter: state %s, count %d, statuses %v", l.State, l.SignatureCount(), counts)
	}
}

func TestLoginRedirectsOnlyWithinTheSite(t *testing.T) {
	s := newSite(t, handlers.Config{})
	s.coordinator("c@example.org", "Org")
	visitor := s.client()
	r := visitor.Get("/dashboard/letters/new").Expect(t, http.StatusSeeOther)
	if r.Location != "/login?next=%2Fdashboard%2Fletters%2Fnew" {
		t.Fatalf("redirect to %q", r.Location)
	}
	tests := map[string]string{
		"/dashboard/letters/new":   "/dashboard/letters/new",
		"//evil.example/x":         "/dashboard",
		"https://evil.example/":    "/dashboard",
		"/\\evil.example":          "/dashboard",
		"javascript:alert(1)":      "/dashboard",
		"/dashboard\r\nSet-Cookie": "/dashboard",
	}
	for next, want := range tests {
		coordinator := s.client()
		coordinator.Get("/login?next=" + url.QueryEscape(next))
		r := coordinator.Post("/login", url.Values{"email": {"c@example.org"}, "password": {"correct horse battery staple"}, "next": {next}}).Expect(t, http.StatusSeeOther)
		if r.Location != want {
			t.Errorf("next=%q: redirected to %q, want %q", next, r.Location, want)
		}
	}
}

func TestLoginAttemptsAreLimitedPerAccount(t *testing.T) {
	s := newSite(t, handlers.Config{Limits: handlers.Limits{Login: handlers.RateLimit{Max: 3, Window: time.Minute}}})
	s.coordinator("c@example.org", "Org")
	visitor := s.client()
	visitor.Get("/login")
	for range 3 {
		visitor.Post("/login", url.Values{"email": {"c@example.org"}, "password": {"wrong password"}}).Expect(t, http.StatusUnauthorized, "not right")
	}
	r := visitor.Post("/login", url.Values{"email": {"C@example.org"}, "password": {"correct horse battery staple"}})
	r.Expect(t, http.StatusTooManyRequests, "Too many attempts", "try again in 1 second.", `value="C@example.org"`)
	if r.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	// Another account from the same address is not locked out by this one.
	s.coordinator("d@example.org", "Org 2")
}

func TestSigningIsRateLimitedAndKeepsTheForm(t *testing.T) {
	_, signer := limitedSigner(t, 2, time.Minute)
	signer.Post(seedSlug+"/sign", handlertest.SignForm("One", "FR", "one@example.org")).Expect(t, http.StatusSeeOther)
	signer.Post(seedSlug+"/sign", handlertest.SignForm("Two", "FR", "two@example.org")).Expect(t, http.StatusSeeOther)
	signer.Post(seedSlug+"/sign", handlertest.SignForm("Ketevan Chachava", "GE", "ketevan@example.org")).Expect(t, http.StatusTooManyRequests, "try again in ", `value="Ketevan Chachava"`, `value="ketevan@example.org"`, `<option value="GE" selected>`)
}

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	s := newSite(t, handlers.Config{})
	visitor := s.client()
	visitor.Get("/login")
	responses := map[string]handlertest.Response{
		"page":         visitor.Get("/"),
		"not found":    visitor.Get("/nowhere"),
		"static file":  visitor.Get("/static/style.css"),
		"csrf failure": visitor.PostRaw("/login", "email=a"),
		"too large":    s.overLoopback(t, "/login", strings.Repeat("a", 300<<10)),
		"health":       visitor.Get("/healthz"),
	}
	for name, r := range responses {
		csp := r.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: Content-Security-Policy %q", name, csp)
		}
		if r.Header.Get("X-Content-Type-Options") != "nosniff" || r.Header.Get("Referrer-Policy") == "" {
			t.Errorf("%s: headers %v", name, r.Header)
		}
	}
	responses["too large"].Expect(t, http.StatusRequestEntityTooLarge, "Too much text")
	responses["not found"].Expect(t, http.StatusNotFound, "Page not found", `class="site-header"`)
	responses["csrf failure"].Expect(t, http.StatusForbidden, "This form has expired")
}

func TestHostileInputIsShownAsText(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord := s.coordinator("c@example.org", "Org")
	coord.Get("/dashboard/letters/new")
	form := url.Values{
		"title":         {`<script>alert("title")</script>`},
		"body":          {"<script>alert(1)</script>\n\n[click](javascript:alert(2)) <img src=x onerror=alert(3)>\n\n<svg onload=alert(4)>"},
		"group_lead_in": {`<b onmouseover=alert(5)>We demand:</b>`},
		"group_demands": {"'; DROP TABLE signatures; --\n<iframe src=//evil.example>"},
		"action":        {"save"},
	}
	r := coord.Post("/dashboard/letters", form).Expect(t, http.StatusSeeOther)
	path := strings.TrimSuffix(r.Location, "?saved=1")
	coord.Get(path)
	coord.Post(path+"/settings", listAtOnce()).Expect(t, http.StatusSeeOther) // the hostile name goes straight onto the page
	coord.Post(path+"/state", url.Values{"state": {"open"}}).Expect(t, http.StatusSeeOther)
	l, err := s.store.CoordinatorLetter(context.Background(), 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	page := "/letters/" + l.Slug
	signer := s.client()
	signer.Get(page)
	hostile := url.Values{"kind": {"individual"}, "name": {`<script>alert("name")</script>`}, "affiliation": {`"><img src=x onerror=alert(6)>`},
		"country": {"FR"}, "email": {"x@example.org"}, "display": {"full"}, "agree": {"true"}}
	signer.Post(page+"/sign", hostile).Expect(t, http.StatusSeeOther)
	r = signer.Get(page).Expect(t, http.StatusOK, "&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;", "&lt;script&gt;alert(&#34;name&#34;)&lt;/script&gt;",
		"&#39;; DROP TABLE signatures; --", "&lt;iframe")
	// The page draws its own charts as SVG; the payload is the one with an onload.
	for _, bad := range []string{"<script>", `href="javascript:`, "<img", "<b ", "<iframe", "<svg onload"} {
		if strings.Contains(r.Body, bad) {
			t.Errorf("the public page contains %q", bad)
		}
	}
}

func TestMalformedTextIsRefusedWithAMessage(t *testing.T) {
	s := newSite(t, handlers.Config{})
	s.publishedLetter("c@example.org", "Org")
	visitor := s.client()
	visitor.Get(seedSlug)
	for name, value := range map[string]string{"invalid UTF-8": "Igor \xff\xfe", "control character": "Igor\x00Blazevic", "too long": strings.Repeat("a", 201)} {
		t.Run(name, func(t *testing.T) {
			visitor.Post(seedSlug+"/sign", handlertest.SignForm(value, "CZ", "igor@example.org")).Expect(t, http.StatusUnprocessableEntity, `href="#f-name"`)
		})
	}
	l, _ := s.store.PublicLetter(context.Background(), strings.TrimPrefix(seedSlug, "/letters/"))
	if l.SignatureCount() != 0 {
		t.Errorf("malformed signatures stored: %d", l.SignatureCount())
	}
}

func TestSessionCookieAndLogout(t *testing.T) {
	s := newSite(t, handlers.Config{BaseURL: "https://letters.example.org"})
	modelsCoordinator := s.coordinator("c@example.org", "Org")
	_ = modelsCoordinator
	visitor := s.client()
	visitor.Get("/login")
	req := visitor.Post("/login", url.Values{"email": {"c@example.org"}, "password": {"correct horse battery staple"}})
	cookie := req.Header.Values("Set-Cookie")
	var sessionCookie string
	for _, c := range cookie {
		if strings.HasPrefix(c, "undersigned_session=") {
			sessionCookie = c
		}
	}
	for _, flag := range []string{"HttpOnly", "SameSite=Lax", "secure"} {
		if !strings.Contains(strings.ToLower(sessionCookie), strings.ToLower(flag)) {
			t.Errorf("session cookie %q lacks %s", sessionCookie, flag)
		}
	}
	stolen := visitor.Cookies["undersigned_session"]
	visitor.Get("/dashboard").Expect(t, http.StatusOK)
	visitor.Post("/logout", url.Values{}).Expect(t, http.StatusSeeOther)
	replay := s.client()
	replay.Cookies["undersigned_session"] = stolen
	replay.Get("/dashboard").Expect(t, http.StatusSeeOther)
}

func TestCoordinatorCurationAndCSV(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, letterPath := s.publishedLetter("c@example.org", "Org")
	visitor := s.client()
	visitor.Get(seedSlug)
	visitor.Post(seedSlug+"/sign", handlertest.SignForm("Javier El-Hage", "BO", "javier@example.org")).Expect(t, http.StatusSeeOther)
	visitor.Post(seedSlug+"/sign", handlertest.SignForm("=HYPERLINK(\"http://evil.example\")", "FR", "formula@example.org")).Expect(t, http.StatusSeeOther)

	csv := coord.Get(letterPath+"/signatures.csv").Expect(t, http.StatusOK, "javier@example.org", "'=HYPERLINK")
	if !strings.HasPrefix(csv.Body, "\ufeffkind,display,name,affiliation") {
		t.Errorf("CSV starts %q, want a byte-order mark and the header", csv.Body[:min(40, len(csv.Body))])
	}
	if !strings.HasPrefix(csv.Header.Get("Content-Type"), "text/csv") {
		t.Errorf("CSV content type %q", csv.Header.Get("Content-Type"))
	}

	coord.Get(letterPath+"/signatures").Expect(t, http.StatusOK, "javier@example.org")
	coord.Post(letterPath+"/signatures/1/sort-name", url.Values{"sort_name": {"Hage"}}).Expect(t, http.StatusSeeOther)
	coord.Get(letterPath + "/signatures")
	coord.Post(letterPath+"/signatures/batch", url.Values{"action": {"remove"}, "sig": {"2"}, "reason": {""}}).Expect(t, http.StatusUnprocessableEntity, "Reason for removal")
	coord.Post(letterPath+"/signatures/batch", url.Values{"action": {"remove"}, "sig": {"2"}, "reason": {"Formula spam"}}).Expect(t, http.StatusSeeOther)
	coord.Get(letterPath+"/signatures").Expect(t, http.StatusOK, "What was done", "Coordinator Org (Org): removed:", "Formula spam",
		"Coordinator Org (Org): corrected the sort name: Javier El-Hage, Bolivia — Hage", "Coordinator Org (Org): downloaded the list")
	r := visitor.Get(seedSlug).Expect(t, http.StatusOK, "1 signature", "Javier El-Hage, Bolivia")
	if strings.Contains(r.Body, "HYPERLINK") {
		t.Error("a removed signature is still listed")
	}
}

func TestIndexShowsPublishedListedLettersOnly(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, letterPath := s.publishedLetter("c@example.org", "Org")
	coord.Get("/dashboard/letters/new")
	coord.Post("/dashboard/letters", url.Values{"title": {"A draft nobody sees"}, "action": {"save"}}).Expect(t, http.StatusSeeOther)
	visitor := s.client()
	visitor.Get("/").Expect(t, http.StatusOK, "Joint statement on the human rights situation in Azerbaijan", "0 signatures", "Open for signatures")
	if strings.Contains(visitor.Get("/").Body, "A draft nobody sees") {
		t.Error("the index lists a draft")
	}
	coord.Get(letterPath)
	unlisted := listAtOnce()
	unlisted.Del("listed")
	coord.Post(letterPath+"/settings", unlisted).Expect(t, http.StatusSeeOther)
	if strings.Contains(visitor.Get("/").Body, "Azerbaijan") {
		t.Error("the index lists an unlisted letter")
	}
	visitor.Get(seedSlug).Expect(t, http.StatusOK, "Sign the letter")
	coord.Post(letterPath+"/settings", url.Values{"lang": {"not a tag!"}, "closes_on": {"tomorrow"}, "signers": {"both"}, "list_order": {"alphabetical"}, "retention_days": {"180"}}).Expect(t, http.StatusUnprocessableEntity, "language tag", "YYYY-MM-DD", `value="not a tag!"`)
}

func TestFullListIsPaginated(t *testing.T) {
	s := newSite(t, handlers.Config{})
	s.publishedLetter("c@example.org", "Org")
	l, _ := s.store.PublicLetter(context.Background(), strings.TrimPrefix(seedSlug, "/letters/"))
	for i := range 230 {
		_, err := s.store.AddSignature(context.Background(), l.ID, models.NewSignature{Kind: models.KindIndividual, Name: "Signer " + strconv.Itoa(1000+i), Country: "FR", Email: strconv.Itoa(i) + "@example.org"}, modeltest.Mail)
		if err != nil {
			t.Fatal(err)
		}
	}
	v := s.client()
	v.Get(seedSlug).Expect(t, http.StatusOK, "See all 230 signatories", "Signer 1099")
	if strings.Contains(v.Get(seedSlug).Body, "Signer 1100") {
		t.Error("the letter page shows more than 100 signatories")
	}
	r := v.Get(seedSlug+"/signatories?page=3").Expect(t, http.StatusOK, "Page 3 of 3", "Signer 1229", "rel=\"prev\"")
	if strings.Count(r.Markup, "<li><bdi>") != 30 {
		t.Errorf("page 3 lists %d entries, want 30", strings.Count(r.Markup, "<li><bdi>"))
	}
	v.Get(seedSlug+"/signatories?page=4").Expect(t, http.StatusNotFound)
}
