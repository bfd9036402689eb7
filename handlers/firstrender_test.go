package handlers_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"undersigned/handlers"
	"undersigned/models"
	"undersigned/models/modeltest"
	"undersigned/models/modeltest/suites"
)

// The first rendering of a letter's page, and of its JSON, costs what a
// short list's does however long the list: nothing at render reads every
// signature (the counts and charts come from counts kept as people sign).
// Each rendering is a server's first, on a new site over the same
// database, with no page or chart cached yet; the fastest of several is
// compared, which a busy machine slows least.
func TestTheFirstRenderingOfALongListsLetterCostsWhatAShortOnesDoes(t *testing.T) {
	if testing.Short() {
		suites.Skip(t, "skipped in -short: fills a letter with 100,000 signatures")
	}
	for name, page := range map[string]string{"page": seedSlug, "json": seedSlug + ".json"} {
		t.Run(name, func(t *testing.T) {
			short, long := fastestFirstRendering(t, page, 1000), fastestFirstRendering(t, page, 100_000)
			// A scan of 100,000 signatures, even on an index, takes a few
			// milliseconds more; the rest of a rendering, slower under -race,
			// may vary by a quarter.
			if long > short+short/4+2*time.Millisecond {
				t.Errorf("%s of a letter of 100,000 signatures is first rendered in %v, of 1,000 in %v: the rendering grows with the list", page, long, short)
			}
		})
	}
}

// fastestFirstRendering publishes seed 003's letter with n signatures and
// returns the fastest of 12 first renderings of page.
func fastestFirstRendering(t *testing.T, page string, n int) time.Duration {
	ctx := context.Background()
	store, dsn := modeltest.OpenDSN(t)
	s := newSiteOn(t, store, handlers.Config{})
	s.publishedLetter("coordinator"+strconv.Itoa(n)+"@icdr.example", "ICDR") // a database per test, not per call
	l, err := s.store.PublicLetter(ctx, strings.TrimPrefix(seedSlug, "/letters/"))
	if err != nil {
		t.Fatal(err)
	}
	countries := []string{"FR", "CZ", "GE", "US", "AZ"}
	signer := func(i int) models.NewSignature {
		kind := models.KindIndividual
		if i%10 == 0 {
			kind = models.KindOrganisation
		}
		return models.NewSignature{Kind: kind, Display: models.DisplayFull, Name: "Signer " + strconv.Itoa(i),
			Affiliation: "Organisation " + strconv.Itoa(i%37), Country: countries[i%len(countries)], Email: "bulk" + strconv.Itoa(i) + "@example.org"}
	}
	if added, err := s.store.AddSignaturesInBatches(ctx, l.ID, n, 1000, signer); err != nil || added != n {
		t.Fatalf("added %d of %d: %v", added, n, err)
	}
	if models.IsPostgres(dsn) {
		// PostgreSQL plans by statistics that autovacuum gathers on a
		// live server, not yet on a table filled a moment ago: without
		// them, the first page of a section reads the whole list.
		if _, err := modeltest.RawDB(t, dsn).Exec("ANALYZE"); err != nil {
			t.Fatal(err)
		}
	}
	fastest := time.Hour
	for range 12 {
		fresh := newSiteOn(t, s.store, handlers.Config{})
		start := time.Now()
		resp, err := fresh.app.Test(httptest.NewRequest(http.MethodGet, page, nil), -1)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %v %v", page, resp, err)
		}
		_, err = io.Copy(io.Discard, resp.Body)
		took := time.Since(start)
		if err != nil {
			t.Fatal(err)
		}
		fastest = min(fastest, took)
	}
	t.Logf("%s, %d signatures: %v", page, n, fastest)
	return fastest
}
