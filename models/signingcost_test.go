package models_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"undersigned/models"
	"undersigned/models/modeltest"
)

// A crowd signing a letter moves the store's generation with every batch,
// and every signer's request starts by reading the letter: the requests
// that find it stale at once read it once between them, not once each.
func TestACrowdSharesOneReadOfTheLetter(t *testing.T) {
	s := modeltest.Open(t)
	l := bigLetter(t, s, 10)
	const crowd = 64
	reads := s.CountStatements(t)
	for round := range 3 {
		s.Changed(t) // a batch of signatures was written
		reads.Store(0)
		// The database is slow to answer, as under load: the crowd has
		// come before the first read is answered.
		release, waiting := s.HoldReadConnections(t)
		var wg sync.WaitGroup
		for range crowd {
			wg.Go(func() {
				got, err := s.PublicLetter(context.Background(), l.Slug)
				if err != nil || got.Slug != l.Slug || got.SignatureCount() != 10 {
					t.Errorf("round %d: read %v, %v", round, got, err)
				}
			})
		}
		for waiting() == 0 {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(50 * time.Millisecond)
		release()
		wg.Wait()
		// The letter, its demand groups, its translations and its
		// initiating organisations.
		if n := reads.Load(); n > 4 {
			t.Errorf("round %d: %d requests at once after a change sent %d statements, want one read of the letter (4)", round, crowd, n)
		}
	}
}

// A crowd brings repeats: people who sign again with an address already
// on the list, whose owner the writer emails their links again. The writer
// is one goroutine for every signer, so a repeat must cost it a few
// statements, not a transaction's worth.
func TestRepeatsCostTheWriterFewStatements(t *testing.T) {
	ctx := context.Background()
	s := modeltest.Open(t)
	_, l := openLetter(t, s)
	modeltest.ListAtOnce(t, s, l)
	const n = 20
	signer := func(i int) models.NewSignature {
		return models.NewSignature{Kind: models.KindIndividual, Name: "Signer", Country: "FR", Email: modeltest.SignerEmail(i)}
	}
	for i := range n {
		if _, err := s.AddSignature(ctx, l.ID, signer(i), modeltest.Mail); err != nil {
			t.Fatal(err)
		}
	}
	before := len(due(t, s))
	writes := s.CountStatements(t)
	errs := together(t, s, n, func(i int) error {
		_, err := s.AddSignature(ctx, l.ID, signer(i), modeltest.Mail)
		return err
	})
	sent := writes.Load()
	for i, err := range errs {
		if !errors.Is(err, models.ErrAlreadySigned) {
			t.Fatalf("repeat %d: %v, want ErrAlreadySigned", i, err)
		}
	}
	if emailed := len(due(t, s)) - before; emailed != n {
		t.Errorf("%d repeats emailed %d owners, want %d", n, emailed, n)
	}
	// Each repeat: its row found, read and given new links; the batch: its
	// letter with its translations, its insert, its outbox, its counts.
	if most := int64(3*n + 8); sent > most {
		t.Errorf("a batch of %d repeats sent %d statements, want at most %d", n, sent, most)
	}
}

// due is the mail waiting in the outbox.
func due(t *testing.T, s *models.Store) []models.OutboxMessage {
	t.Helper()
	m, err := s.DueMessages(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// An address no letter can have costs the database nothing, and becomes
// no key of the read a crowd shares: whatever a client puts in the path,
// however long, is answered not found before it is looked up.
func TestAnAddressNoLetterCanHaveIsNotLookedUp(t *testing.T) {
	s := modeltest.Open(t)
	bigLetter(t, s, 1)
	sent := s.CountStatements(t)
	for _, slug := range []string{strings.Repeat("free-them-all-", 1000), "Free-Them-All", "free them all", "free%00them", "../admin"} {
		if _, err := s.PublicLetter(context.Background(), slug); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("letter %.40q: %v, want ErrNotFound", slug, err)
		}
	}
	if n := sent.Load(); n != 0 {
		t.Errorf("%d statements sent to look up addresses no letter can have, want none", n)
	}
}
