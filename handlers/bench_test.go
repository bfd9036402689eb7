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
	"undersigned/handlers/handlertest"
	"undersigned/models"
	"undersigned/models/modeltest"
)

// benchSite is a site with seed 003's letter published, for benchmarks.
func benchSite(cfg handlers.Config) *site {
	t := &testing.T{}
	s := newSite(t, cfg)
	s.t = t
	_, _ = s.publishedLetter("c@example.org", "Org")
	return s
}

// BenchmarkLetterPage renders the page of a letter with 1,000 signatories.
func BenchmarkLetterPage(b *testing.B) {
	s := benchSite(handlers.Config{})
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

// BenchmarkIndex serves the front page, a full page of 20 letters, to its
// crowd of anonymous visitors.
func BenchmarkIndex(b *testing.B) {
	s := benchSite(handlers.Config{})
	coord := s.client()
	coord.LogIn("c@example.org", modeltest.Password)
	for i := range 19 { // and benchSite's
		draft := handlertest.LetterForm("save")
		draft.Set("title", "Joint letter "+strconv.Itoa(i))
		coord.OpenLetter(draft, handlertest.Settings("listed"))
	}
	if cards := strings.Count(s.client().Get("/").Markup, `class="letter-card"`); cards != 20 {
		b.Fatalf("the index lists %d letters, want 20", cards)
	}
	for b.Loop() {
		resp, err := s.app.Test(httptest.NewRequest(http.MethodGet, "/", nil), -1)
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("status %v, %v", resp, err)
		}
		resp.Body.Close()
	}
}

// BenchmarkSign validates and stores a signature through the signing form,
// a new email each time, as a signer's POST does, under limits that never
// refuse it.
func BenchmarkSign(b *testing.B) {
	var cfg handlers.Config
	unlimited := handlers.RateLimit{Max: 1 << 30, Window: time.Minute}
	cfg.Limits.SignBurst, cfg.Limits.SignSustained, cfg.Limits.SignOverall = unlimited, unlimited, unlimited
	s := benchSite(cfg)
	visitor := s.client()
	visitor.Get(seedSlug)
	cookie := &http.Cookie{Name: "undersigned_csrf", Value: visitor.Cookies["undersigned_csrf"]}
	i := 0
	for b.Loop() {
		i++
		form := handlertest.SignForm("Signer "+strconv.Itoa(i), "FR", "bench"+strconv.Itoa(i)+"@example.org")
		form.Set("_csrf", visitor.CSRF)
		req := httptest.NewRequest(http.MethodPost, seedSlug+"/sign", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(cookie)
		resp, err := s.app.Test(req, -1)
		if err != nil || resp.StatusCode != http.StatusSeeOther {
			b.Fatalf("status %v, %v", resp, err)
		}
		resp.Body.Close()
	}
	b.StopTimer()
	if n := s.signatures(); n != int64(i) {
		b.Fatalf("%d signatures stored, %d sent", n, i) // a form taken for a bot's is answered 303 too
	}
}

// BenchmarkListPage serves page 50 of the list of a letter with 10,000
// signatories to its crowd, as the page cache keeps it.
func BenchmarkListPage(b *testing.B) {
	s := benchSite(handlers.Config{})
	l := s.letter()
	_, err := s.store.AddSignaturesInBatches(context.Background(), l.ID, 10_000, 5_000, func(i int) models.NewSignature {
		return models.NewSignature{Kind: models.KindIndividual, Name: "Signer " + strconv.Itoa(i), Affiliation: "Organisation " + strconv.Itoa(i%37), Country: "FR", Email: strconv.Itoa(i) + "@example.org"}
	})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		resp, err := s.app.Test(httptest.NewRequest(http.MethodGet, seedSlug+"/signatories?page=50", nil), -1)
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("status %v, %v", resp, err)
		}
		resp.Body.Close()
	}
}

// BenchmarkPacketPDF makes the delivery packet of a letter with 10,000
// signatories, Latin and Cyrillic, as its first visitor does: run it with
// -benchtime 1x, since the page cache keeps the PDF until the list changes.
func BenchmarkPacketPDF(b *testing.B) {
	s := benchSite(handlers.Config{})
	l := s.letter()
	_, err := s.store.AddSignaturesInBatches(context.Background(), l.ID, 10_000, 5_000, func(i int) models.NewSignature {
		name := "Signer " + strconv.Itoa(i)
		if i%4 == 0 {
			name = "Андрей Сахаров " + strconv.Itoa(i)
		}
		return models.NewSignature{Kind: models.KindIndividual, Name: name, Affiliation: "Organisation " + strconv.Itoa(i%37), Country: "FR", Email: strconv.Itoa(i) + "@example.org"}
	})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		resp, err := s.app.Test(httptest.NewRequest(http.MethodGet, seedSlug+"/packet.pdf", nil), -1)
		if err != nil || resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" {
			b.Fatalf("status %v, %v", resp, err)
		}
		pdf, err := io.ReadAll(resp.Body)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(pdf)), "bytes/pdf")
		resp.Body.Close()
	}
}
