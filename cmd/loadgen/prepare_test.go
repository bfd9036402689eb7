package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"undersigned/models"
)

// TestPreparedListIsTheOneTheServerShows fills a database the fast way
// (no journal, no flush, then WAL again) with 20,000 signatories and reads
// them back through the real server: the letter's count, the counts of
// its JSON, and its list's first and last pages, as HTML and as JSON, are
// the signatories inserted, in the list's order (organisations by name;
// people by family name, given name, then order of signing).
func TestPreparedListIsTheOneTheServerShows(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the server")
	}
	const n, perPage = 20_000, 100
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "undersigned.db")
	p, err := prepare(ctx, db, n, 7_000, 0, false) // the last batch short
	if err != nil {
		t.Fatal(err)
	}
	slug := p.slug
	// SQLite's header says WAL (2, 2 at bytes 18 and 19) before any server opens the file.
	header := make([]byte, 20)
	if f, err := os.Open(db); err != nil {
		t.Fatal(err)
	} else if _, err := io.ReadFull(f, header); err != nil || f.Close() != nil {
		t.Fatal(err)
	}
	if header[18] != 2 || header[19] != 2 {
		t.Errorf("the prepared file is not in WAL mode: header bytes 18-19 are %d, %d", header[18], header[19])
	}
	bin, err := buildServer(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := startServer(ctx, bin, db, "", dir)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.stop()
	letter := srv.url() + "/letters/" + slug

	if page := getBody(t, letter, http.StatusOK); !strings.Contains(page, "20,000 signatures") {
		t.Errorf("the letter page does not count 20,000 signatures")
	}
	var first, last struct {
		listShape
		Page        int
		Signatories []struct{ Kind, Name, Affiliation, Country, Entry string }
	}
	getJSON(t, letter+"/signatories.json", &first)
	lastPage := (n + perPage - 1) / perPage
	getJSON(t, letter+"/signatories.json?page="+strconv.Itoa(lastPage), &last)
	if first.Counts.Organisations != n/10 || first.Counts.Individuals != n-n/10 || first.Pages != lastPage || last.Page != lastPage {
		t.Errorf("the list's JSON counts %d organisations and %d people on %d pages (last %d), want %d, %d, %d",
			first.Counts.Organisations, first.Counts.Individuals, first.Pages, last.Page, n/10, n-n/10, lastPage)
	}
	getBody(t, letter+"/signatories?page="+strconv.Itoa(lastPage+1), http.StatusNotFound)

	// The first page: the organisations "Civil Society Organisation {i}"
	// (every tenth signatory) whose numbers come first as text.
	var orgs []string
	for i := 0; i < n; i += 10 {
		orgs = append(orgs, seedSignatory(i).Affiliation)
	}
	slices.Sort(orgs)
	// The last page: the last people by family name, then whole name
	// (given name first), then the order they signed in.
	type person struct{ family, name, entry string }
	var people []person
	for i := range n {
		if s := seedSignatory(i); s.Kind == "individual" {
			people = append(people, person{strings.ToLower(s.Name[strings.LastIndex(s.Name, " ")+1:]), strings.ToLower(s.Name), s.Name + ", " + s.Affiliation + ", " + s.Country})
		}
	}
	slices.SortStableFunc(people, func(a, b person) int { return strings.Compare(a.family+"\x00"+a.name, b.family+"\x00"+b.name) })
	people = people[len(people)-perPage:]
	if len(first.Signatories) != perPage || len(last.Signatories) != perPage {
		t.Fatalf("%d entries on the first page and %d on the last, want %d each", len(first.Signatories), len(last.Signatories), perPage)
	}
	for i := range perPage {
		f, l := first.Signatories[i], last.Signatories[i]
		if f.Kind != "organisation" || f.Name != orgs[i] {
			t.Errorf("entry %d of the first page: %s %q, want organisation %q", i, f.Kind, f.Name, orgs[i])
		}
		if got := l.Name + ", " + l.Affiliation + ", " + l.Country; l.Kind != "individual" || got != people[i].entry {
			t.Errorf("entry %d of the last page: %s %q, want individual %q", i, l.Kind, got, people[i].entry)
		}
	}
	// The HTML pages list the same entries, in the same order (each part
	// of an entry in its own <bdi>).
	for _, p := range []struct {
		page    int
		entries []struct{ Kind, Name, Affiliation, Country, Entry string }
	}{{1, first.Signatories}, {lastPage, last.Signatories}} {
		html := strings.NewReplacer("<bdi>", "", "</bdi>", "").Replace(getBody(t, letter+"/signatories?page="+strconv.Itoa(p.page), http.StatusOK))
		if got := strings.Count(html, "\n"+string(listItem)); got != perPage {
			t.Errorf("page %d lists %d entries, want %d", p.page, got, perPage)
		}
		for _, e := range p.entries {
			at := strings.Index(html, "<li>"+e.Entry+"</li>")
			if at < 0 {
				t.Fatalf("page %d lacks %q, or lists it elsewhere than the JSON", p.page, e.Entry)
			}
			html = html[at+1:]
		}
	}
}

// getBody GETs u, wants status want, and returns the body.
func getBody(t *testing.T, u string, want int) string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != want {
		t.Fatalf("GET %s: %s, want %d (%v)", u, resp.Status, want, err)
	}
	return string(body)
}

// getJSON GETs the JSON at u into v.
func getJSON(t *testing.T, u string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(getBody(t, u, http.StatusOK)), v); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
}

// TestPreparedSignatoriesAskForNews: a run that sends news (-news) has as
// many signatories asking for it as it says, though the letter it
// prepares lists at once and the store keeps no such request on it.
func TestPreparedSignatoriesAskForNews(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "undersigned.db")
	p, err := prepare(ctx, db, 50, 20, 30, false)
	if err != nil {
		t.Fatal(err)
	}
	s, err := models.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n, err := s.NewsSubscribers(ctx, p.letterID); err != nil || n != 30 {
		t.Errorf("signatories asking for news: %d, %v; want 30", n, err)
	}
}
