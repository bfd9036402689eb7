package models_test

import (
	"context"
	"errors"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"

	"undersigned/models"
	"undersigned/models/modeltest"
)

// bulkSigner makes the i-th of many signatures: one in ten an
// organisation, one in twenty counted without being listed, five countries.
func bulkSigner(i int) models.NewSignature {
	countries := []string{"FR", "CZ", "GE", "US", "AZ"}
	sig := models.NewSignature{Kind: models.KindIndividual, Display: models.DisplayFull, Name: "Signer " + strconv.Itoa(i),
		Affiliation: "Organisation " + strconv.Itoa(i%37), Country: countries[i%len(countries)], Email: "bulk" + strconv.Itoa(i) + "@example.org"}
	switch {
	case i%10 == 0:
		sig.Kind = models.KindOrganisation
	case i%20 == 1:
		sig.Display = models.DisplayCounted
	}
	return sig
}

// bigLetter is an open letter, listing at once, with n signatures.
func bigLetter(tb testing.TB, s *models.Store, n int) *models.Letter {
	tb.Helper()
	ctx := context.Background()
	u, org := modeltest.Coordinator(tb, s, "coordinator@icdr.example", "ICDR")
	l, err := s.CreateLetter(ctx, u.ID, org, modeltest.Azerbaijan)
	if err != nil {
		tb.Fatal(err)
	}
	modeltest.ListAtOnce(tb, s, l)
	if err := s.SetLetterState(ctx, l, models.StateOpen); err != nil {
		tb.Fatal(err)
	}
	if added, err := s.AddSignaturesInBatches(ctx, l.ID, n, 1000, bulkSigner); err != nil || added != n {
		tb.Fatalf("added %d of %d: %v", added, n, err)
	}
	l, err = s.PublicLetter(ctx, l.Slug)
	if err != nil {
		tb.Fatal(err)
	}
	return l
}

func TestAddSignaturesInBatchesKeepsTheCountersRight(t *testing.T) {
	ctx := context.Background()
	s := modeltest.Open(t)
	l := bigLetter(t, s, 2500) // three batches, the last one short
	// 250 organisations (i%10 == 0); of the rest, i%20 == 1 are counted only.
	if l.SignatureCount() != 2500 || l.OrganisationCount != 250 || l.UnlistedCount != 125 || l.IndividualCount != 2125 {
		t.Errorf("counters %d organisations, %d individuals, %d unlisted", l.OrganisationCount, l.IndividualCount, l.UnlistedCount)
	}
	counts, err := s.CountryCounts(ctx, l)
	if err != nil {
		t.Fatal(err)
	}
	var named int64
	for _, c := range counts {
		named += c.Count
	}
	if named != l.NamedCount() {
		t.Errorf("countries add up to %d, the list has %d", named, l.NamedCount())
	}

	// A batch with an email already signed is refused whole; the
	// counters do not move.
	_, err = s.AddSignaturesInBatches(ctx, l.ID, 10, 10, func(i int) models.NewSignature {
		return bulkSigner(2495 + i)
	})
	if !errors.Is(err, models.ErrAlreadySigned) {
		t.Fatalf("signing again: %v, want ErrAlreadySigned", err)
	}
	again, err := s.PublicLetter(ctx, l.Slug)
	if err != nil || again.SignatureCount() != 2500 {
		t.Fatalf("after a refused batch: %v signatures, %v", again.SignatureCount(), err)
	}
}

func TestAddSignaturesInBatchesNeedsNoConfirmation(t *testing.T) {
	s := modeltest.Open(t)
	_, l := openLetter(t, s) // a new letter asks for confirmation by email
	_, err := s.AddSignaturesInBatches(context.Background(), l.ID, 1, 1, bulkSigner)
	if !errors.Is(err, models.ErrBulkNeedsNoConfirmation) {
		t.Fatalf("got %v, want ErrBulkNeedsNoConfirmation", err)
	}
}

// BenchmarkSignatureCount reads a letter with 10,000 signatures and its
// count, as every page showing the count does: the counters, not a COUNT.
func BenchmarkSignatureCount(b *testing.B) {
	ctx := context.Background()
	s := modeltest.Open(b)
	l := bigLetter(b, s, 10_000)
	for b.Loop() {
		got, err := s.PublicLetter(ctx, l.Slug)
		if err != nil || got.SignatureCount() != 10_000 {
			b.Fatalf("%v signatures, %v", got.SignatureCount(), err)
		}
	}
}

// BenchmarkCountryCounts counts the entries by country of a letter with
// 10,000 signatures, as the letter page's chart does.
func BenchmarkCountryCounts(b *testing.B) {
	ctx := context.Background()
	s := modeltest.Open(b)
	l := bigLetter(b, s, 10_000)
	for b.Loop() {
		counts, err := s.CountryCounts(ctx, l)
		if err != nil || len(counts) != 5 {
			b.Fatalf("%v, %v", counts, err)
		}
	}
}

// BenchmarkAddSignature stores one signature per transaction, as the
// signing form does.
func BenchmarkAddSignature(b *testing.B) {
	ctx := context.Background()
	s := modeltest.Open(b)
	l := bigLetter(b, s, 0)
	i := 0
	for b.Loop() {
		i++
		if _, err := s.AddSignature(ctx, l.ID, bulkSigner(1_000_000+i), modeltest.Mail); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSigningTogether stores signatures sent by 64 signers at once
// into a letter of 100,000, as a crowd does: the single writer takes them
// in batches, and what each one costs it is mostly its index entries.
func BenchmarkSigningTogether(b *testing.B) {
	ctx := context.Background()
	s := modeltest.Open(b)
	l := bigLetter(b, s, 100_000)
	var next atomic.Int64
	b.SetParallelism(64 / runtime.GOMAXPROCS(0))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.AddSignature(ctx, l.ID, bulkSigner(1_000_000+int(next.Add(1))), modeltest.Mail); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
