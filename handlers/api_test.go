package handlers_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"undersigned/handlers"
	"undersigned/handlers/handlertest"
	"undersigned/models"
)

const (
	seedSlugOnly = "joint-statement-on-the-human-rights-situation-in-azerbaijan"
	siteURL      = handlertest.AppBase // the base URL newSite gives the site
)

// decodeJSON reads a JSON answer into v, failing on anything but JSON.
func decodeJSON(t *testing.T, r handlertest.Response, v any) {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Fatalf("Content-Type %q, want application/json; charset=utf-8", ct)
	}
	if err := json.Unmarshal([]byte(r.Body), v); err != nil {
		t.Fatalf("the answer is not the JSON expected: %v\n%s", err, r.Body)
	}
}

// readCSV parses a public CSV export after its byte-order mark.
func readCSV(t *testing.T, r handlertest.Response) [][]string {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Fatalf("Content-Type %q", ct)
	}
	body, ok := strings.CutPrefix(r.Body, "\ufeff")
	if !ok {
		t.Fatal("the CSV does not start with a UTF-8 byte-order mark")
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("the CSV does not parse: %v", err)
	}
	return rows
}

// atom is as much of an Atom feed as the tests read.
type atom struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string   `xml:"id"`
	Title   string   `xml:"title"`
	Updated string   `xml:"updated"`
	Links   []struct {
		Rel  string `xml:"rel,attr"`
		Href string `xml:"href,attr"`
	} `xml:"link"`
	Entries []struct {
		ID        string `xml:"id"`
		Title     string `xml:"title"`
		Updated   string `xml:"updated"`
		Published string `xml:"published"`
		Summary   string `xml:"summary"`
		Link      struct {
			Href string `xml:"href,attr"`
		} `xml:"link"`
	} `xml:"entry"`
}

func readFeed(t *testing.T, r handlertest.Response) atom {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "application/atom+xml; charset=utf-8" {
		t.Fatalf("Content-Type %q", ct)
	}
	var f atom
	if err := xml.Unmarshal([]byte(r.Body), &f); err != nil {
		t.Fatalf("the feed is not Atom: %v\n%s", err, r.Body)
	}
	if f.ID == "" || f.Title == "" || f.Updated == "" || len(f.Links) == 0 || f.Links[0].Rel != "self" || f.Links[0].Href != siteURL+"/feed.atom" {
		t.Fatalf("the feed lacks its id, title, updated or self link: %+v", f)
	}
	for _, e := range f.Entries {
		if e.ID == "" || e.Title == "" || e.Updated == "" || e.Published == "" || e.Link.Href == "" {
			t.Fatalf("an entry lacks a required element: %+v", e)
		}
	}
	return f
}

func entries(sigs []handlers.APISignatory) []string {
	var out []string
	for _, s := range sigs {
		out = append(out, s.Entry)
	}
	return out
}

// TestExportsShowOnlyWhatTheListShows signs the seed letter in every way a
// signature can end up, and reads every export and the feed: each parses,
// and shows the list as its page does. The withdrawn, the counted-not-listed
// and the unconfirmed signers appear in none, the anonymous one only as
// "Anonymous" with her countries, the person who signed for an organisation
// nowhere, and no email anywhere.
func TestExportsShowOnlyWhatTheListShows(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, letterPath := s.publishedLetter("c@example.org", "Org")
	s.signAndKeepLink(handlertest.SignForm("Igor Blazevic", "CZ", "igor@example.org"))
	org := url.Values{"kind": {"organisation"}, "name": {"Tinatin Khidasheli"}, "affiliation": {"@Risk Collective"}, "role": {"Director"},
		"country": {"GE"}, "email": {"office@risk.example"}, "display": {"full"}, "agree": {"true"}}
	s.signAndKeepLink(org)
	anonymous := handlertest.SignForm("Aida Abbasova", "AZ", "aida@example.org")
	anonymous.Set("country2", "NL")
	anonymous.Set("affiliation", "Institute for Peace")
	anonymous.Set("display", "anonymous")
	s.signAndKeepLink(anonymous)
	counted := handlertest.SignForm("Cora Quist", "BY", "cora@example.org")
	counted.Set("display", "counted")
	s.signAndKeepLink(counted)
	withdrawn := s.signAndKeepLink(handlertest.SignForm("Maiko Ichihara", "JP", "maiko@example.org"))
	signer := s.client()
	signer.Get(withdrawn)
	signer.Post(withdrawn+"/withdraw", url.Values{}).Expect(t, http.StatusOK)
	// From now on signatures wait for their signer's confirmation.
	coord.Get(letterPath)
	coord.Post(letterPath+"/settings", withSettings("confirm_email")).Expect(t, http.StatusSeeOther)
	s.signAndKeepLink(handlertest.SignForm("Uma Unconfirmed", "UA", "uma@example.org"))

	v := s.client()
	outputs := map[string]string{}
	get := func(path string) handlertest.Response {
		r := v.Get(path).Expect(t, http.StatusOK)
		outputs[path] = r.Body
		return r
	}

	// The CSV.
	rows := readCSV(t, get(seedSlug+"/signatories.csv"))
	wantRows := [][]string{
		{"kind", "name", "affiliation", "role", "country", "country2", "countries", "entry", "verified", "source"},
		{"organisation", "'@Risk Collective", "", "", "GE", "", "Georgia", "'@Risk Collective, Georgia", "false", ""},
		{"individual", "Igor Blazevic", "", "", "CZ", "", "Czechia", "Igor Blazevic, Czechia", "false", ""},
		{"individual", "Anonymous", "", "", "AZ", "NL", "Azerbaijan/Netherlands", "Anonymous, Azerbaijan/Netherlands", "false", ""},
	}
	if !reflect.DeepEqual(rows, wantRows) {
		t.Errorf("CSV rows\n%q\nwant\n%q", rows, wantRows)
	}

	// The list in JSON, at both its addresses.
	for _, path := range []string{seedSlug + "/signatories.json", "/api" + seedSlug + "/signatories"} {
		var page handlers.APISignatoriesPage
		decodeJSON(t, get(path), &page)
		want := []string{"@Risk Collective, Georgia", "Igor Blazevic, Czechia", "Anonymous, Azerbaijan/Netherlands"}
		if got := entries(page.Signatories); !reflect.DeepEqual(got, want) {
			t.Errorf("%s lists %q, want %q", path, got, want)
		}
		if anon := page.Signatories[2]; !anon.Anonymous || anon.Name != "Anonymous" || anon.Affiliation != "" || anon.Countries != "Azerbaijan/Netherlands" {
			t.Errorf("%s: the anonymous entry is %+v", path, anon)
		}
		wantCounts := handlers.APICounts{Total: 4, Organisations: 1, Individuals: 2, Unlisted: 1}
		if page.Counts != wantCounts || page.Page != 1 || page.Pages != 1 || page.PerPage != 100 || page.Links.Next != nil || page.Links.Prev != nil {
			t.Errorf("%s: counts %+v, page %d of %d, links %+v", path, page.Counts, page.Page, page.Pages, page.Links)
		}
	}

	// The letter, at both its addresses.
	for _, path := range []string{seedSlug + ".json", "/api" + seedSlug} {
		var l handlers.APILetter
		decodeJSON(t, get(path), &l)
		if l.Slug != seedSlugOnly || l.State != "open" || l.URLs.HTML != siteURL+seedSlug || len(l.DemandGroups) != 2 ||
			len(l.DemandGroups[1].Demands) != 5 || !strings.Contains(l.BodyHTML, "<p>The International Coalition") ||
			l.Addressees[1] != "Delegations to COP29" || l.Salutation != "Excellencies," || l.Counts.Total != 4 {
			t.Errorf("%s: %+v", path, l)
		}
		// By the first country of each entry on the list; the counted signer's is not public.
		want := []handlers.APICountry{{Code: "AZ", Name: "Azerbaijan", Count: 1}, {Code: "CZ", Name: "Czechia", Count: 1}, {Code: "GE", Name: "Georgia", Count: 1}}
		if !reflect.DeepEqual(l.Countries, want) {
			t.Errorf("%s: countries %+v, want %+v", path, l.Countries, want)
		}
	}

	// The index and the feed.
	var index handlers.APILettersPage
	decodeJSON(t, get("/api/letters"), &index)
	if index.Total != 1 || len(index.Letters) != 1 || index.Letters[0].Slug != seedSlugOnly || index.Letters[0].URLs.API != siteURL+"/api"+seedSlug {
		t.Errorf("API index: %+v", index)
	}
	// An update posted today, at midnight UTC, comes after the letter published since.
	if _, err := s.store.AddUpdate(context.Background(), s.letter(), time.Now(), "The authorities released **two** of the prisoners."); err != nil {
		t.Fatal(err)
	}
	feed := readFeed(t, get("/feed.atom"))
	if len(feed.Entries) != 2 || feed.Entries[0].ID != siteURL+seedSlug || feed.Entries[0].Title != "Joint statement on the human rights situation in Azerbaijan" ||
		!strings.HasPrefix(feed.Entries[0].Summary, "ICDR and Forum 2000 members") || feed.Updated != feed.Entries[0].Updated {
		t.Fatalf("feed: %+v", feed)
	}
	if u := feed.Entries[1]; !strings.HasPrefix(u.ID, siteURL+seedSlug+"#update-") || u.Link.Href != u.ID ||
		u.Title != "Update: Joint statement on the human rights situation in Azerbaijan" || u.Summary != "The authorities released two of the prisoners." {
		t.Errorf("the update's entry: %+v", u)
	}

	assertAbsent(t, outputs, "Aida", "Abbasova", "Institute for Peace", "Cora", "Quist", "Belarus", "Maiko", "Ichihara", "Japan",
		"Uma", "Ukraine", "Tinatin", "Khidasheli", "Director", "@example.org", "@risk.example", "counted", "unconfirmed")
}

// TestSignatoriesJSONPaginates: 230 entries read as 3 pages of 100, 100
// and 30, organisations first, followed by their next links; the CSV has
// them all.
func TestSignatoriesJSONPaginates(t *testing.T) {
	s := newSite(t, handlers.Config{})
	s.publishedLetter("c@example.org", "Org")
	l := s.letter()
	for i := range 230 {
		in := models.NewSignature{Kind: models.KindIndividual, Name: fmt.Sprintf("Signer %03d", i), Country: "CZ", Email: fmt.Sprintf("s%d@example.org", i)}
		if i < 30 {
			in.Kind, in.Affiliation = models.KindOrganisation, fmt.Sprintf("Organisation %03d", i)
		}
		if _, err := s.store.AddSignature(context.Background(), l.ID, in, nil); err != nil {
			t.Fatal(err)
		}
	}

	v := s.client()
	var got []string
	var sizes []int
	next := "/api" + seedSlug + "/signatories"
	for next != "" {
		var page handlers.APISignatoriesPage
		decodeJSON(t, v.Get(next).Expect(t, http.StatusOK), &page)
		if page.Pages != 3 || page.Counts.Total != 230 {
			t.Fatalf("%s: page %d of %d, counts %+v", next, page.Page, page.Pages, page.Counts)
		}
		sizes = append(sizes, len(page.Signatories))
		got = append(got, entries(page.Signatories)...)
		next = ""
		if page.Links.Next != nil {
			next = strings.TrimPrefix(*page.Links.Next, siteURL)
		}
		if page.Page > 1 && (page.Links.Prev == nil || !strings.HasSuffix(*page.Links.Prev, fmt.Sprintf("?page=%d", page.Page-1))) {
			t.Errorf("page %d: prev link %v", page.Page, page.Links.Prev)
		}
	}
	if !reflect.DeepEqual(sizes, []int{100, 100, 30}) {
		t.Fatalf("pages of %v entries, want 100, 100, 30", sizes)
	}
	if got[0] != "Organisation 000, Czechia" || got[29] != "Organisation 029, Czechia" || got[30] != "Signer 030, Czechia" || got[229] != "Signer 229, Czechia" {
		t.Errorf("the pages read %q … %q", got[:31], got[229])
	}
	r := v.Get(seedSlug+"/signatories.json?page=4").Expect(t, http.StatusNotFound)
	decodeJSON(t, r, &handlers.APIError{})
	if rows := readCSV(t, v.Get(seedSlug+"/signatories.csv").Expect(t, http.StatusOK)); len(rows) != 231 {
		t.Errorf("the CSV has %d rows, want a header and 230", len(rows))
	}
}

// TestExportsOfDraftsAndUnlistedLetters: a draft is not found at any
// export address, and the index and the feed leave it out; an unlisted
// letter is reachable by its address only.
func TestExportsOfDraftsAndUnlistedLetters(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord := s.coordinator("c@example.org", "Org")
	coord.Get("/dashboard/letters/new")
	coord.Post("/dashboard/letters", handlertest.LetterForm("save")).Expect(t, http.StatusSeeOther)
	if _, err := s.store.AddUpdate(context.Background(), &models.Letter{ID: 1}, time.Now(), "Not public yet."); err != nil {
		t.Fatal(err)
	}

	v := s.client()
	exports := []string{seedSlug + ".json", seedSlug + "/signatories.json", seedSlug + "/signatories.csv",
		"/api" + seedSlug, "/api" + seedSlug + "/signatories", "/api/letters/nowhere", "/api/nowhere"}
	for _, path := range exports {
		r := v.Get(path).Expect(t, http.StatusNotFound)
		if strings.Contains(r.Body, "Azerbaijan") {
			t.Errorf("%s shows the draft", path)
		}
		if strings.HasSuffix(path, ".csv") {
			continue // a download link: the site's error page
		}
		var e handlers.APIError
		decodeJSON(t, r, &e)
		if e.Error != "Page not found" {
			t.Errorf("%s: error %q", path, e.Error)
		}
	}
	var index handlers.APILettersPage
	decodeJSON(t, v.Get("/api/letters").Expect(t, http.StatusOK), &index)
	if index.Total != 0 || index.Letters == nil || len(index.Letters) != 0 || index.Pages != 1 {
		t.Errorf("the index of no letters: %+v", index)
	}
	if f := readFeed(t, v.Get("/feed.atom").Expect(t, http.StatusOK)); len(f.Entries) != 0 {
		t.Errorf("the feed has the draft: %+v", f.Entries)
	}

	// Published but unlisted.
	letterPath := "/dashboard/letters/1"
	unlisted := listAtOnce()
	unlisted.Del("listed")
	coord.Get(letterPath)
	coord.Post(letterPath+"/settings", unlisted).Expect(t, http.StatusSeeOther)
	coord.Post(letterPath+"/state", url.Values{"state": {"open"}}).Expect(t, http.StatusSeeOther)
	for _, path := range exports[:5] {
		v.Get(path).Expect(t, http.StatusOK)
	}
	decodeJSON(t, v.Get("/api/letters").Expect(t, http.StatusOK), &index)
	if index.Total != 0 || len(index.Letters) != 0 {
		t.Errorf("the index lists an unlisted letter: %+v", index)
	}
	if f := readFeed(t, v.Get("/feed.atom").Expect(t, http.StatusOK)); len(f.Entries) != 0 {
		t.Errorf("the feed has an unlisted letter: %+v", f.Entries)
	}
}

// TestAPIHeaders: JSON answers may be read from any site, pages and
// coordinators' routes may not; every answer keeps the security headers,
// and exports naming signers are not indexed unless the letter allows it.
func TestAPIHeaders(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, letterPath := s.publishedLetter("c@example.org", "Org")
	v := s.client()
	for path, cors := range map[string]bool{
		"/api/letters":                     true,
		"/api" + seedSlug:                  true,
		"/api" + seedSlug + "/signatories": true,
		seedSlug + ".json":                 true,
		seedSlug + "/signatories.json":     true,
		"/api/letters/nowhere":             true,
		seedSlug + "/signatories.csv":      false,
		"/feed.atom":                       false,
		seedSlug:                           false,
		seedSlug + "/signatories":          false,
		"/":                                false,
	} {
		r := v.Get(path)
		if got := r.Header.Get("Access-Control-Allow-Origin") == "*"; got != cors {
			t.Errorf("%s: Access-Control-Allow-Origin %q", path, r.Header.Get("Access-Control-Allow-Origin"))
		}
		if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || r.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: security headers missing: %v", path, r.Header)
		}
		if strings.Contains(path, "signatories.") && r.Header.Get("X-Robots-Tag") != "noindex" {
			t.Errorf("%s: X-Robots-Tag %q", path, r.Header.Get("X-Robots-Tag"))
		}
	}
	if r := coord.Get(letterPath + "/signatures.csv"); r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Error("the coordinators' CSV may be read from other sites")
	}
	coord.Post(letterPath+"/settings", withSettings("allow_indexing")).Expect(t, http.StatusSeeOther)
	if r := v.Get(seedSlug + "/signatories.csv"); r.Header.Get("X-Robots-Tag") != "" {
		t.Errorf("a letter that allows indexing: X-Robots-Tag %q", r.Header.Get("X-Robots-Tag"))
	}

	// Pages link the feed and the downloads.
	v.Get("/").Expect(t, http.StatusOK, `<link rel="alternate" type="application/atom+xml" href="/feed.atom"`)
	v.Get(seedSlug+"/signatories").Expect(t, http.StatusOK, `href="`+seedSlug+`/signatories.csv"`, `href="`+seedSlug+`/signatories.json"`)
}
