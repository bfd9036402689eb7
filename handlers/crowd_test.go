package handlers_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"undersigned/handlers"
	"undersigned/handlers/handlertest"
	"undersigned/models"
	"undersigned/models/modeltest"
)

// placeholder is what the page cache puts where a visitor's own values go
// (see pagecache.Cache.Placeholder).
var placeholder = regexp.MustCompile(`(csrf|started|form)[0-9a-f]{32}`)

func TestCachedLetterPagesCarryEachVisitorsTokensAndEveryChange(t *testing.T) {
	s := newSite(t, handlers.Config{})
	s.publishedLetter("coordinator@icdr.example", "ICDR")
	// A link checker's HEAD comes first: the page it makes the cache render
	// must still have a body for the visitors after it.
	head, err := s.app.Test(httptest.NewRequest(http.MethodHead, seedSlug, nil), -1)
	if err != nil || head.StatusCode != http.StatusOK {
		t.Fatalf("HEAD: %v %v", head, err)
	}
	first, second := s.client(), s.client()
	for _, visitor := range []*handlertest.Client{first, second} {
		r := visitor.Get(seedSlug).Expect(t, http.StatusOK, "0 signatures")
		if m := placeholder.FindString(r.Body); m != "" {
			t.Fatalf("the page shows the cache's placeholder %q", m)
		}
		if visitor.CSRF == "" || visitor.Started == "" {
			t.Fatal("the cached page has no signing form tokens")
		}
	}
	if first.CSRF == second.CSRF {
		t.Fatal("two visitors got one CSRF token")
	}
	// Each visitor's form works with the page they were served: their token
	// matches their own cookie, and the started stamp is signed.
	first.Post(seedSlug+"/sign", handlertest.SignForm("Leyla Yunus", "AZ", "leyla@example.org")).Expect(t, http.StatusSeeOther)
	second.Get(seedSlug).Expect(t, http.StatusOK, "1 signature", "Leyla Yunus")
	second.Get(seedSlug+"/signatories").Expect(t, http.StatusOK, "Leyla Yunus")
	second.Post(seedSlug+"/sign", handlertest.SignForm("Arif Yunus", "AZ", "arif@example.org")).Expect(t, http.StatusSeeOther)
	first.Get(seedSlug).Expect(t, http.StatusOK, "2 signatures", "Arif Yunus")
	first.Get(seedSlug+"/signatories").Expect(t, http.StatusOK, "Arif Yunus")
}

func TestCachedPagesExpireWithinASecond(t *testing.T) {
	store, dsn := modeltest.OpenDSN(t)
	s := newSiteOn(t, store, handlers.Config{})
	s.publishedLetter("coordinator@icdr.example", "ICDR")
	visitor := s.client()
	title := "Joint statement on the human rights situation in Azerbaijan"
	visitor.Get(seedSlug).Expect(t, http.StatusOK, title)
	visitor.Get(seedSlug+"/signatories").Expect(t, http.StatusOK, title)

	// A change the store does not know of, as another instance's would be
	// before its notice arrives: the cached pages go on for at most a second.
	changed := time.Now()
	if _, err := modeltest.RawDB(t, dsn).Exec(`UPDATE letters SET title = 'Changed elsewhere'`); err != nil {
		t.Fatal(err)
	}
	// A shared link's tracking parameters do not make a page of their own.
	for _, page := range []string{seedSlug, seedSlug + "/signatories", seedSlug + "?utm_source=mastodon"} {
		if r := visitor.Get(page); time.Since(changed) < 500*time.Millisecond && !strings.Contains(r.Body, title) {
			t.Errorf("%s was rendered again at once: not cached", page)
		}
	}
	time.Sleep(time.Second + 50*time.Millisecond)
	for _, page := range []string{seedSlug, seedSlug + "/signatories"} {
		visitor.Get(page).Expect(t, http.StatusOK, "Changed elsewhere")
	}
}

// A crowd reads the deep pages of a list too (its last page shows the
// latest signers): each page, as HTML and as JSON, comes from the page
// cache while nothing changes, and a change shows within a second.
func TestDeepPagesOfTheListAreCachedUntilAChange(t *testing.T) {
	store, dsn := modeltest.OpenDSN(t)
	s := newSiteOn(t, store, handlers.Config{})
	s.publishedLetter("coordinator@icdr.example", "ICDR")
	_, err := store.AddSignaturesInBatches(context.Background(), s.letter().ID, 250, 250, func(i int) models.NewSignature {
		return models.NewSignature{Kind: models.KindIndividual, Name: "Signer " + strconv.Itoa(i), Country: "FR", Email: strconv.Itoa(i) + "@example.org"}
	})
	if err != nil {
		t.Fatal(err)
	}
	visitor := s.client()
	pages := []string{seedSlug + "/signatories?page=2", seedSlug + "/signatories?page=3", seedSlug + "/signatories.json?page=3"}
	for _, page := range pages {
		visitor.Get(page).Expect(t, http.StatusOK, "Signer ")
	}

	// A change the store does not know of, as another instance's would be
	// before its notice arrives: the cached pages go on for at most a second.
	changed := time.Now()
	if _, err := modeltest.RawDB(t, dsn).Exec(`UPDATE signatures SET name = 'Renamed elsewhere'`); err != nil {
		t.Fatal(err)
	}
	// The page's number as parsed is its key, whatever else the query says.
	for _, page := range append(pages, seedSlug+"/signatories?page=02&utm_source=mastodon") {
		if r := visitor.Get(page); time.Since(changed) < 500*time.Millisecond && strings.Contains(r.Body, "Renamed elsewhere") {
			t.Errorf("%s was rendered again at once: not cached", page)
		}
	}
	time.Sleep(time.Second + 50*time.Millisecond)
	for _, page := range pages {
		visitor.Get(page).Expect(t, http.StatusOK, "Renamed elsewhere")
	}
	// A page past the end is not found, and is not kept for later either.
	visitor.Get(seedSlug+"/signatories?page=4").Expect(t, http.StatusNotFound)
	if _, err := store.AddSignaturesInBatches(context.Background(), s.letter().ID, 100, 100, func(i int) models.NewSignature {
		return models.NewSignature{Kind: models.KindIndividual, Name: "Late signer " + strconv.Itoa(i), Country: "FR", Email: "late" + strconv.Itoa(i) + "@example.org"}
	}); err != nil {
		t.Fatal(err)
	}
	visitor.Get(seedSlug+"/signatories?page=4").Expect(t, http.StatusOK)
}

func TestASignatureTheDatabaseFailsToSaveComesBackWithItsValues(t *testing.T) {
	store, dsn := modeltest.OpenDSN(t)
	s := newSiteOn(t, store, handlers.Config{})
	s.publishedLetter("coordinator@icdr.example", "ICDR")
	modeltest.FailInsertsNamed(t, dsn, "Disk Full")
	signer := s.client()
	signer.Get(seedSlug)
	r := signer.Post(seedSlug+"/sign", handlertest.SignForm("Disk Full", "AZ", "disk@example.org")).Expect(t, http.StatusServiceUnavailable,
		"Your signature could not be saved just now, and nothing of it was stored.", `value="Disk Full"`, `value="disk@example.org"`,
		`<option value="AZ" selected>`)
	if r.Header.Get("Retry-After") == "" {
		t.Error("503 without Retry-After")
	}
	if n := s.signatures(); n != 0 {
		t.Fatalf("%d signatures stored after the failure", n)
	}
	// The writer goes on: the next signature is saved.
	signer.Post(seedSlug+"/sign", handlertest.SignForm("Leyla Yunus", "AZ", "leyla@example.org")).Expect(t, http.StatusSeeOther)
}
