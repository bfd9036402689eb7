package models_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"undersigned/models"
	"undersigned/models/modeltest"
)

// together runs do(0) … do(n-1) at the same moment, while the writer is
// held, so that the writer takes them in one batch, and returns each one's
// answer.
func together(t *testing.T, s *models.Store, n int, do func(i int) error) []error {
	t.Helper()
	waitQueued, release := s.HoldWriter(t, n-1)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = do(i) })
	}
	waitQueued()
	release()
	wg.Wait()
	return errs
}

// signTogether signs with ins together (see together).
func signTogether(t *testing.T, s *models.Store, l *models.Letter, ins ...models.NewSignature) []error {
	t.Helper()
	return together(t, s, len(ins), func(i int) error {
		_, err := s.AddSignature(context.Background(), l.ID, ins[i], modeltest.Mail)
		return err
	})
}

func TestSignaturesWaitingTogetherAreCommittedTogether(t *testing.T) {
	s := modeltest.Open(t)
	_, l := openLetter(t, s)
	modeltest.ListAtOnce(t, s, l)
	sign(t, s, l, person("Leyla Yunus", "AZ", "leyla@example.org"))

	errs := signTogether(t, s, l,
		person("Arif Yunus", "AZ", "arif@example.org"),
		person("Leyla Yunus again", "AZ", "LEYLA@example.org"), // signed before
		organisation("Forum 2000", "CZ", "forum@example.org"),
		person("Arif, twice in one batch", "AZ", "arif@example.org"),
		person("Jakub Klepal", "CZ", "jakub@example.org"),
	)
	// Of the two signatures with one email, whichever reached the writer
	// first is taken.
	if errs[3] == nil {
		errs[0], errs[3] = errs[3], errs[0]
	}
	want := []error{nil, models.ErrAlreadySigned, nil, models.ErrAlreadySigned, nil}
	for i := range want {
		if !errors.Is(errs[i], want[i]) || (want[i] == nil && errs[i] != nil) {
			t.Errorf("signature %d: got %v, want %v", i, errs[i], want[i])
		}
	}
	l = reload(t, s, l.Slug)
	if l.IndividualCount != 3 || l.OrganisationCount != 1 {
		t.Errorf("counts after the batch: %d individuals, %d organisations; want 3 and 1", l.IndividualCount, l.OrganisationCount)
	}
	if got := liveList(t, s, l); len(got) != 4 {
		t.Errorf("list after the batch: %q, want 4 entries", got)
	}
}

func TestAFailedBatchAnswersEverySignerAndWritesNothing(t *testing.T) {
	s, dsn := modeltest.OpenDSN(t)
	_, l := openLetter(t, s) // asks for confirmation: each signature queues an email too
	modeltest.FailInsertsNamed(t, dsn, "Disk Full")
	before := len(mailTo(t, s, "arif@example.org"))

	errs := signTogether(t, s, l,
		person("Arif Yunus", "AZ", "arif@example.org"),
		person("Disk Full", "AZ", "disk@example.org"),
		person("Jakub Klepal", "CZ", "jakub@example.org"),
	)
	for i, err := range errs {
		if !errors.Is(err, models.ErrNotSaved) {
			t.Errorf("signature %d: got %v, want ErrNotSaved", i, err)
		}
	}
	if n := len(mailTo(t, s, "arif@example.org")); n != before {
		t.Errorf("a failed batch left %d confirmation emails", n-before)
	}
	ctx := context.Background()
	for _, email := range []string{"arif@example.org", "jakub@example.org"} {
		// Nothing was written: sending the form again works, and the writer
		// goes on after the failure.
		if _, err := s.AddSignature(ctx, l.ID, person("Again", "AZ", email), modeltest.Mail); err != nil {
			t.Errorf("signing again as %s after the failed batch: %v", email, err)
		}
	}
	if n := len(mailTo(t, s, "arif@example.org")); n != before+1 {
		t.Errorf("after signing again: %d confirmation emails, want 1", n-before)
	}
}

func TestACrowdOfSignersKeepsEveryRule(t *testing.T) {
	s := modeltest.Open(t)
	_, l := openLetter(t, s)
	modeltest.ListAtOnce(t, s, l)
	const signers, each = 32, 20
	var mu sync.Mutex
	outcomes := map[string]int{}
	var wg sync.WaitGroup
	for w := range signers {
		wg.Go(func() {
			for i := range each {
				// Every signer also sends one email another signer sends,
				// so that some duplicates meet in one batch.
				email := fmt.Sprintf("signer-%d-%d@example.org", w, i)
				if i == 0 {
					email = fmt.Sprintf("shared-%d@example.org", w/2)
				}
				_, err := s.AddSignature(context.Background(), l.ID, person(fmt.Sprintf("Signer %d %d", w, i), "FR", email), modeltest.Mail)
				mu.Lock()
				outcomes[fmt.Sprint(err)]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	wantOK := signers*(each-1) + signers/2
	if outcomes["<nil>"] != wantOK || outcomes[models.ErrAlreadySigned.Error()] != signers/2 || len(outcomes) != 2 {
		t.Fatalf("outcomes %v, want %d signed and %d already signed", outcomes, wantOK, signers/2)
	}
	if l = reload(t, s, l.Slug); l.IndividualCount != int64(wantOK) {
		t.Errorf("counter %d, want %d", l.IndividualCount, wantOK)
	}
}

func TestConfirmationsWaitingTogetherAreCommittedTogether(t *testing.T) {
	s := modeltest.Open(t)
	_, l := openLetter(t, s) // asks for confirmation by email
	var tokens []string
	for _, email := range []string{"arif@example.org", "leyla@example.org", "jakub@example.org"} {
		sign(t, s, l, person("Signer "+email, "AZ", email))
		confirm, _ := mailedLinks(t, s, email)
		tokens = append(tokens, confirm)
	}
	tokens = append(tokens, tokens[0], "no-such-token")
	errs := together(t, s, len(tokens), func(i int) error {
		_, _, err := s.Confirm(context.Background(), tokens[i])
		return err
	})
	// Of the two clicks on one link, whichever reached the writer first
	// confirms.
	if errs[3] == nil {
		errs[0], errs[3] = errs[3], errs[0]
	}
	want := []error{nil, nil, nil, models.ErrAlreadyConfirmed, models.ErrNotFound}
	for i := range want {
		if !errors.Is(errs[i], want[i]) || (want[i] == nil && errs[i] != nil) {
			t.Errorf("confirmation %d: got %v, want %v", i, errs[i], want[i])
		}
	}
	if l = reload(t, s, l.Slug); l.IndividualCount != 3 {
		t.Errorf("counter after the batch: %d, want 3", l.IndividualCount)
	}
}

func TestSigningAfterCloseIsAnsweredAtOnce(t *testing.T) {
	s := modeltest.Open(t)
	_, l := openLetter(t, s)
	s.Close()
	for i := range 40 {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err := s.AddSignature(ctx, l.ID, person("Late", "FR", fmt.Sprintf("late%d@example.org", i)), modeltest.Mail)
		cancel()
		if err == nil || errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("signature %d after Close: %v, want an answer that the store is closed", i, err)
		}
	}
}
