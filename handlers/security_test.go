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
	coord.get(seedSlug)
	coord.post(seedSlug+"/sign", signForm("Igor Blazevic", "CZ", "igor@example.org")).expect(t, http.StatusSeeOther)
	other := s.browser()
	other.get("/login") // a token valid for another browser's cookie

	posts := 0
	for _, r := range s.app.GetRoutes(true) {
		if r.Method != http.MethodPost {
			continue
		}
		posts++
		path := routePath(r.Path, letterPath, 1)
		for name, token := range map[string]string{"no token": "", "another browser's token": other.csrf, "forged token": "AAAA"} {
			form := url.Values{"state": {"closed"}, "reason": {"spam"}, "sort_name": {"x"}, "title": {"Hijacked"}}
			if token != "" {
				form.Set("_csrf", token)
			}
			resp := coord.postRaw(path, form.Encode())
			if resp.status != http.StatusForbidden {
				t.Errorf("POST %s with %s: status %d, want 403", path, name, resp.status)
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
	owner.get(seedSlug)
	owner.post(seedSlug+"/sign", signForm("Igor Blazevic", "CZ", "igor@example.org")).expect(t, http.StatusSeeOther)
	owner.get(letterPath)
	owner.post(letterPath+"/settings", withSettings("review_organisations")).expect(t, http.StatusSeeOther)
	owner.get(seedSlug)
	waiting := url.Values{"kind": {"organisation"}, "name": {"Anna Novak"}, "affiliation": {"Civic IDEA"}, "country": {"GE"},
		"email": {"office@civicidea.example"}, "display": {"full"}, "agree": {"true"}}
	owner.post(seedSlug+"/sign", waiting).expect(t, http.StatusSeeOther) // signature 2, in review
	// A draft French translation, which the translation routes (at :lang
	// "fr") would show or change.
	owner.get(letterPath + "/translations/fr")
	owner.post(letterPath+"/translations/fr", translationForm(seedFrench, "save")).expect(t, http.StatusSeeOther)

	intruder := s.coordinator("intruder@example.org", "Intruder org")
	intruder.get("/dashboard").expect(t, http.StatusOK)
	walked := map[string]bool{}
	for _, r := range s.app.GetRoutes(true) {
		if !strings.HasPrefix(r.Path, "/dashboard/letters/:id") && !strings.HasPrefix(r.Path, "/dashboard/organisations/") {
			continue
		}
		path := routePath(r.Path, letterPath, 1) // organisation 1 is the owner's
		var resp response
		switch r.Method {
		case http.MethodGet:
			resp = intruder.get(path)
		case http.MethodPost:
			resp = intruder.post(path, url.Values{"state": {"closed"}, "reason": {"x"}, "sort_name": {"x"}, "title": {"Hijacked"},
				"action": {"approve"}, "ids": {"1", "2"}, "approve": {"2"}})
		default:
			continue
		}
		walked[r.Method+" "+r.Path] = true
		if resp.status != http.StatusNotFound {
			t.Errorf("%s %s as another organisation: status %d, want 404", r.Method, path, resp.status)
		}
		for _, private := range []string{"igor@example.org", "office@civicidea.example", "Azerbaijan", seedFrench.Title} {
			if strings.Contains(resp.body, private) {
				t.Errorf("%s %s shows the other organisation's %q", r.Method, path, private)
			}
		}
	}
	if len(walked) < 12 || !walked["GET /dashboard/letters/:id/review"] || !walked["POST /dashboard/letters/:id/review"] ||
		!walked["POST /dashboard/letters/:id/translations/:lang"] {
		t.Fatalf("walked only %v", walked)
	}
	if r := intruder.get("/dashboard"); strings.Contains(r.body, "Azerbaijan") {
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
	visitor := s.browser()
	r := visitor.get("/dashboard/letters/new").expect(t, http.StatusSeeOther)
	if r.location != "/login?next=%2Fdashboard%2Fletters%2Fnew" {
		t.Fatalf("redirect to %q", r.location)
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
		b := s.browser()
		b.get("/login?next=" + url.QueryEscape(next))
		r := b.post("/login", url.Values{"email": {"c@example.org"}, "password": {"correct horse battery staple"}, "next": {next}}).expect(t, http.StatusSeeOther)
		if r.location != want {
			t.Errorf("next=%q: redirected to %q, want %q", next, r.location, want)
		}
	}
}

func TestLoginAttemptsAreLimitedPerAccount(t *testing.T) {
	s := newSite(t, handlers.Config{Limits: handlers.Limits{Login: handlers.RateLimit{Max: 3, Window: time.Minute}}})
	s.coordinator("c@example.org", "Org")
	b := s.browser()
	b.get("/login")
	for range 3 {
		b.post("/login", url.Values{"email": {"c@example.org"}, "password": {"wrong password"}}).expect(t, http.StatusUnauthorized, "not right")
	}
	r := b.post("/login", url.Values{"email": {"C@example.org"}, "password": {"correct horse battery staple"}})
	r.expect(t, http.StatusTooManyRequests, "Too many attempts", "try again in 1 second.", `value="C@example.org"`)
	if r.header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	// Another account from the same address is not locked out by this one.
	s.coordinator("d@example.org", "Org 2")
}

func TestSigningIsRateLimitedAndKeepsTheForm(t *testing.T) {
	_, b := limitedSigner(t, 2, time.Minute)
	b.post(seedSlug+"/sign", signForm("One", "FR", "one@example.org")).expect(t, http.StatusSeeOther)
	b.post(seedSlug+"/sign", signForm("Two", "FR", "two@example.org")).expect(t, http.StatusSeeOther)
	b.post(seedSlug+"/sign", signForm("Ketevan Chachava", "GE", "ketevan@example.org")).
		expect(t, http.StatusTooManyRequests, "try again in ", `value="Ketevan Chachava"`, `value="ketevan@example.org"`, `<option value="GE" selected>`)
}

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	s := newSite(t, handlers.Config{})
	b := s.browser()
	b.get("/login")
	responses := map[string]response{
		"page":         b.get("/"),
		"not found":    b.get("/nowhere"),
		"static file":  b.get("/static/style.css"),
		"csrf failure": b.postRaw("/login", "email=a"),
		"too large":    s.overLoopback(t, "/login", strings.Repeat("a", 300<<10)),
		"health":       b.get("/healthz"),
	}
	for name, r := range responses {
		csp := r.header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: Content-Security-Policy %q", name, csp)
		}
		if r.header.Get("X-Content-Type-Options") != "nosniff" || r.header.Get("Referrer-Policy") == "" {
			t.Errorf("%s: headers %v", name, r.header)
		}
	}
	responses["too large"].expect(t, http.StatusRequestEntityTooLarge, "Too much text")
	responses["not found"].expect(t, http.StatusNotFound, "Page not found", `class="site-header"`)
	responses["csrf failure"].expect(t, http.StatusForbidden, "This form has expired")
}

func TestHostileInputIsShownAsText(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord := s.coordinator("c@example.org", "Org")
	coord.get("/dashboard/letters/new")
	form := url.Values{
		"title":         {`<script>alert("title")</script>`},
		"body":          {"<script>alert(1)</script>\n\n[click](javascript:alert(2)) <img src=x onerror=alert(3)>\n\n<svg onload=alert(4)>"},
		"group_lead_in": {`<b onmouseover=alert(5)>We demand:</b>`},
		"group_demands": {"'; DROP TABLE signatures; --\n<iframe src=//evil.example>"},
		"action":        {"save"},
	}
	r := coord.post("/dashboard/letters", form).expect(t, http.StatusSeeOther)
	path := strings.TrimSuffix(r.location, "?saved=1")
	coord.get(path)
	coord.post(path+"/settings", listAtOnce()).expect(t, http.StatusSeeOther) // the hostile name goes straight onto the page
	coord.post(path+"/state", url.Values{"state": {"open"}}).expect(t, http.StatusSeeOther)
	l, err := s.store.CoordinatorLetter(context.Background(), 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	page := "/letters/" + l.Slug
	signer := s.browser()
	signer.get(page)
	hostile := url.Values{"kind": {"individual"}, "name": {`<script>alert("name")</script>`}, "affiliation": {`"><img src=x onerror=alert(6)>`},
		"country": {"FR"}, "email": {"x@example.org"}, "display": {"full"}, "agree": {"true"}}
	signer.post(page+"/sign", hostile).expect(t, http.StatusSeeOther)
	r = signer.get(page).expect(t, http.StatusOK, "&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;", "&lt;script&gt;alert(&#34;name&#34;)&lt;/script&gt;",
		"&#39;; DROP TABLE signatures; --", "&lt;iframe")
	// The page draws its own charts as SVG; the payload is the one with an onload.
	for _, bad := range []string{"<script>", `href="javascript:`, "<img", "<b ", "<iframe", "<svg onload"} {
		if strings.Contains(r.body, bad) {
			t.Errorf("the public page contains %q", bad)
		}
	}
}

func TestMalformedTextIsRefusedWithAMessage(t *testing.T) {
	s := newSite(t, handlers.Config{})
	s.publishedLetter("c@example.org", "Org")
	b := s.browser()
	b.get(seedSlug)
	for name, value := range map[string]string{"invalid UTF-8": "Igor \xff\xfe", "control character": "Igor\x00Blazevic", "too long": strings.Repeat("a", 201)} {
		t.Run(name, func(t *testing.T) {
			b.post(seedSlug+"/sign", signForm(value, "CZ", "igor@example.org")).expect(t, http.StatusUnprocessableEntity, `href="#f-name"`)
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
	b := s.browser()
	b.get("/login")
	req := b.post("/login", url.Values{"email": {"c@example.org"}, "password": {"correct horse battery staple"}})
	cookie := req.header.Values("Set-Cookie")
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
	stolen := b.cookies["undersigned_session"]
	b.get("/dashboard").expect(t, http.StatusOK)
	b.post("/logout", url.Values{}).expect(t, http.StatusSeeOther)
	replay := s.browser()
	replay.cookies["undersigned_session"] = stolen
	replay.get("/dashboard").expect(t, http.StatusSeeOther)
}

func TestCoordinatorCurationAndCSV(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, letterPath := s.publishedLetter("c@example.org", "Org")
	b := s.browser()
	b.get(seedSlug)
	b.post(seedSlug+"/sign", signForm("Javier El-Hage", "BO", "javier@example.org")).expect(t, http.StatusSeeOther)
	b.post(seedSlug+"/sign", signForm("=HYPERLINK(\"http://evil.example\")", "FR", "formula@example.org")).expect(t, http.StatusSeeOther)

	csv := coord.get(letterPath+"/signatures.csv").expect(t, http.StatusOK, "javier@example.org", "'=HYPERLINK")
	if !strings.HasPrefix(csv.body, "\ufeffkind,display,name,affiliation") {
		t.Errorf("CSV starts %q, want a byte-order mark and the header", csv.body[:min(40, len(csv.body))])
	}
	if !strings.HasPrefix(csv.header.Get("Content-Type"), "text/csv") {
		t.Errorf("CSV content type %q", csv.header.Get("Content-Type"))
	}

	coord.get(letterPath+"/signatures").expect(t, http.StatusOK, "javier@example.org")
	coord.post(letterPath+"/signatures/1/sort-name", url.Values{"sort_name": {"Hage"}}).expect(t, http.StatusSeeOther)
	coord.get(letterPath + "/signatures")
	coord.post(letterPath+"/signatures/2/remove", url.Values{"reason": {""}}).expect(t, http.StatusUnprocessableEntity, "Reason for removal")
	coord.post(letterPath+"/signatures/2/remove", url.Values{"reason": {"Formula spam"}}).expect(t, http.StatusSeeOther)
	coord.get(letterPath+"/signatures").expect(t, http.StatusOK, "What was done", "Coordinator Org: removed:", "Formula spam",
		"Coordinator Org: corrected the sort name: Javier El-Hage, Bolivia — Hage", "Coordinator Org: downloaded the list")
	r := b.get(seedSlug).expect(t, http.StatusOK, "1 signature", "Javier El-Hage, Bolivia")
	if strings.Contains(r.body, "HYPERLINK") {
		t.Error("a removed signature is still listed")
	}
}

func TestIndexShowsPublishedListedLettersOnly(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, letterPath := s.publishedLetter("c@example.org", "Org")
	coord.get("/dashboard/letters/new")
	coord.post("/dashboard/letters", url.Values{"title": {"A draft nobody sees"}, "action": {"save"}}).expect(t, http.StatusSeeOther)
	visitor := s.browser()
	visitor.get("/").expect(t, http.StatusOK, "Joint statement on the human rights situation in Azerbaijan", "0 signatures", "Open for signatures")
	if strings.Contains(visitor.get("/").body, "A draft nobody sees") {
		t.Error("the index lists a draft")
	}
	coord.get(letterPath)
	unlisted := listAtOnce()
	unlisted.Del("listed")
	coord.post(letterPath+"/settings", unlisted).expect(t, http.StatusSeeOther)
	if strings.Contains(visitor.get("/").body, "Azerbaijan") {
		t.Error("the index lists an unlisted letter")
	}
	visitor.get(seedSlug).expect(t, http.StatusOK, "Sign the letter")
	coord.post(letterPath+"/settings", url.Values{"lang": {"not a tag!"}, "closes_on": {"tomorrow"}, "signers": {"both"}, "list_order": {"alphabetical"}, "retention_days": {"180"}}).
		expect(t, http.StatusUnprocessableEntity, "language tag", "YYYY-MM-DD", `value="not a tag!"`)
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
	v := s.browser()
	v.get(seedSlug).expect(t, http.StatusOK, "See all 230 signatories", "Signer 1099")
	if strings.Contains(v.get(seedSlug).body, "Signer 1100") {
		t.Error("the letter page shows more than 100 signatories")
	}
	r := v.get(seedSlug+"/signatories?page=3").expect(t, http.StatusOK, "Page 3 of 3", "Signer 1229", "rel=\"prev\"")
	if strings.Count(r.markup, "<li><bdi>") != 30 {
		t.Errorf("page 3 lists %d entries, want 30", strings.Count(r.markup, "<li><bdi>"))
	}
	v.get(seedSlug+"/signatories?page=4").expect(t, http.StatusNotFound)
}
