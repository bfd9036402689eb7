package handlers_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"undersigned/handlers"
	"undersigned/models"
	"undersigned/models/modeltest"
)

// BenchmarkLetterPage renders the page of a letter with 1,000 signatories.
func BenchmarkLetterPage(b *testing.B) {
	t := &testing.T{}
	s := newSite(t, handlers.Config{})
	s.t = t
	_, _ = s.publishedLetter("c@example.org", "Org")
	ctx := context.Background()
	l, err := s.store.PublicLetter(ctx, strings.TrimPrefix(seedSlug, "/letters/"))
	if err != nil {
		b.Fatal(err)
	}
	for i := range 1000 {
		kind := models.KindIndividual
		if i%10 == 0 {
			kind = models.KindOrganisation
		}
		_, err := s.store.AddSignature(ctx, l.ID, models.NewSignature{Kind: kind, Name: "Signer " + strconv.Itoa(i), Affiliation: "Organisation " + strconv.Itoa(i%37), Country: "FR", Email: strconv.Itoa(i) + "@example.org"}, modeltest.Mail)
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		resp, err := s.app.Test(httptest.NewRequest(http.MethodGet, seedSlug, nil), -1)
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("status %v, %v", resp, err)
		}
		resp.Body.Close()
	}
}
