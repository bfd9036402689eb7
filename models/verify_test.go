package models_test

import (
	"context"
	"errors"
	"maps"
	"slices"
	"testing"

	"undersigned/models"
	"undersigned/models/modeltest"
)

// signature reads one of a letter's signatures as coordinators see it.
func signature(t *testing.T, s *models.Store, l *models.Letter, id int64) models.Signature {
	t.Helper()
	sigs, _, err := s.CoordinatorSignatures(context.Background(), l, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, sig := range sigs {
		if sig.ID == id {
			return sig
		}
	}
	t.Fatalf("no signature %d", id)
	return models.Signature{}
}

// An organisation's signer who confirms an address at one of the domains
// the letter's initiators list for that organisation is listed at once,
// verified, though the letter reviews organisations; a webmail address,
// another organisation's name, another directory's partner, or an
// address never confirmed waits for review as before.
func TestDomainVerificationListsWithoutReview(t *testing.T) {
	tests := []struct {
		name, affiliation, email string
		confirmEmail             bool
		status                   models.SignatureStatus
		verified                 models.Verification
	}{
		{"the partner from its domain", "Civic IDEA", "office@civicidea.example", true, models.StatusListed, models.VerifiedByDomain},
		{"its name typed otherwise", "CIVIC-IDEA", "Tinatin@CivicIdea.example", true, models.StatusListed, models.VerifiedByDomain},
		{"a webmail address", "Civic IDEA", "civicidea@gmail.com", true, models.StatusInReview, models.NotVerified},
		{"another organisation from the partner's domain", "KRIK", "krik@civicidea.example", true, models.StatusInReview, models.NotVerified},
		{"a partner of someone else's directory", "Sapari", "info@sapari.example", true, models.StatusInReview, models.NotVerified},
		{"an address never confirmed", "Civic IDEA", "office@civicidea.example", false, models.StatusInReview, models.NotVerified},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s := modeltest.Open(t)
			_, l := openLetter(t, s)
			addPartner(t, s, l.OrganisationID, models.PartnerInput{Name: "Civic IDEA", Domains: "civicidea.example"})
			_, other := modeltest.Coordinator(t, s, "c@sapari.example", "Someone else")
			addPartner(t, s, other, models.PartnerInput{Name: "Sapari", Domains: "sapari.example"})
			modeltest.ChangeSettings(t, s, l, func(st *models.LetterSettings) { st.ConfirmEmail = tt.confirmEmail })

			signed := sign(t, s, l, organisation(tt.affiliation, "GE", tt.email))
			if tt.confirmEmail {
				if sig := signature(t, s, l, signed.Signature.ID); sig.Verified != models.NotVerified {
					t.Errorf("verified as %q before its address was confirmed", sig.Verified)
				}
				if _, _, err := s.Confirm(ctx, signed.ConfirmToken); err != nil {
					t.Fatal(err)
				}
			}
			sig := signature(t, s, l, signed.Signature.ID)
			if sig.Status != tt.status || sig.Verified != tt.verified || (sig.VerifiedAt != nil) != (tt.verified != models.NotVerified) {
				t.Errorf("status %s, verified %q at %v; want %s, %q", sig.Status, sig.Verified, sig.VerifiedAt, tt.status, tt.verified)
			}
			var want []string
			if tt.status == models.StatusListed {
				want = []string{tt.affiliation + ", Georgia"}
			}
			l = reload(t, s, l.Slug)
			if got := entries(t, s, l, 0); l.OrganisationCount != int64(len(want)) || !slices.Equal(got, want) {
				t.Errorf("the list reads %q with %d organisations, want %q", got, l.OrganisationCount, want)
			}
		})
	}
}

// A coordinator verifies an organisation's signature by hand: the
// signature says so and by whom, and the audit log names who and which;
// an individual's signature, or another letter's, is refused; verifying
// again changes nothing.
func TestVerifyByHandIsLogged(t *testing.T) {
	ctx := context.Background()
	s := modeltest.Open(t)
	u, l := openLetter(t, s)
	modeltest.ListAtOnce(t, s, l)
	org := sign(t, s, l, organisation("Civic IDEA", "GE", "tinatin@gmail.com")).Signature
	person := sign(t, s, l, person("Leyla Yunus", "AZ", "leyla@example.org")).Signature

	n, err := s.VerifySignatures(ctx, l, u.ID, []int64{org.ID})
	if err != nil || n != 1 {
		t.Fatalf("VerifySignatures: %d, %v", n, err)
	}
	got := signature(t, s, l, org.ID)
	if got.Verified != models.VerifiedByHand || got.VerifiedBy == nil || *got.VerifiedBy != u.ID || got.VerifiedAt == nil {
		t.Errorf("verified %q by %v at %v, want by hand by user %d", got.Verified, got.VerifiedBy, got.VerifiedAt, u.ID)
	}
	if n, err := s.VerifySignatures(ctx, l, u.ID, []int64{org.ID}); err != nil || n != 0 {
		t.Errorf("verifying again: %d, %v; want 0 and no error", n, err)
	}
	if _, err := s.VerifySignatures(ctx, l, u.ID, []int64{person.ID}); !errors.Is(err, models.ErrNotOrganisation) {
		t.Errorf("verifying an individual: %v, want ErrNotOrganisation", err)
	}
	_, otherLetter := openLetterOf(t, s, "c@other.example", "Other")
	if _, err := s.VerifySignatures(ctx, otherLetter, u.ID, []int64{org.ID}); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("verifying through another letter: %v, want ErrNotFound", err)
	}
	if lines, want := auditLines(t, s, l), []string{"Coordinator ICDR|verify|Civic IDEA"}; !slices.Equal(lines, want) {
		t.Errorf("audit log %q, want %q", lines, want)
	}
}

// openLetterOf is openLetter for another coordinator and organisation.
func openLetterOf(t *testing.T, s *models.Store, email, org string) (*models.User, *models.Letter) {
	t.Helper()
	ctx := context.Background()
	u, orgID := modeltest.Coordinator(t, s, email, org)
	text := modeltest.Azerbaijan
	text.Slug = "another-letter"
	l, err := s.CreateLetter(ctx, u.ID, orgID, text)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetLetterState(ctx, l, models.StateOpen); err != nil {
		t.Fatal(err)
	}
	return u, l
}

// Merging a duplicate organisation into its entry keeps one public entry:
// the list and its count lose the duplicate, which stays rejected (its
// address cannot sign again), and the log says into which entry. Merging
// into itself, into an individual or another letter's entry is refused.
func TestMergeKeepsOneEntry(t *testing.T) {
	ctx := context.Background()
	s := modeltest.Open(t)
	u, l := openLetter(t, s)
	modeltest.ListAtOnce(t, s, l)
	entry := func(sig *models.Signature) string { return listEntry(sig) }
	first := sign(t, s, l, organisation("Civic IDEA", "GE", "office@civicidea.example")).Signature
	again := sign(t, s, l, organisation("Civic Idea.", "GE", "tinatin@gmail.com")).Signature
	person := sign(t, s, l, person("Leyla Yunus", "AZ", "leyla@example.org")).Signature
	_, otherLetter := openLetterOf(t, s, "c@other.example", "Other")
	modeltest.ListAtOnce(t, s, otherLetter)
	elsewhere := sign(t, s, otherLetter, organisation("Civic IDEA", "GE", "office@civicidea.example")).Signature

	for _, refused := range []struct {
		name     string
		id, into int64
		want     error
	}{
		{"into itself", again.ID, again.ID, models.ErrCannotMerge},
		{"into an individual", again.ID, person.ID, models.ErrCannotMerge},
		{"into another letter's entry", again.ID, elsewhere.ID, models.ErrCannotMerge},
		{"an individual", person.ID, first.ID, models.ErrNotOrganisation},
		{"another letter's signature", elsewhere.ID, first.ID, models.ErrNotFound},
	} {
		if err := s.MergeSignature(ctx, l, u.ID, refused.id, refused.into, entry); !errors.Is(err, refused.want) {
			t.Errorf("merging %s: %v, want %v", refused.name, err, refused.want)
		}
	}
	if l = reload(t, s, l.Slug); l.OrganisationCount != 2 {
		t.Fatalf("refused merges changed the count to %d", l.OrganisationCount)
	}

	if err := s.MergeSignature(ctx, l, u.ID, again.ID, first.ID, entry); err != nil {
		t.Fatal(err)
	}
	l = reload(t, s, l.Slug)
	if got, want := entries(t, s, l, 0), []string{"Civic IDEA, Georgia", "Leyla Yunus, Azerbaijan"}; !slices.Equal(got, want) || l.SignatureCount() != 2 {
		t.Errorf("after the merge the list reads %q, %d signatures; want %q", got, l.SignatureCount(), want)
	}
	if got, want := statuses(t, s, l), map[models.SignatureStatus]int64{models.StatusListed: 2, models.StatusRejected: 1}; !maps.Equal(got, want) {
		t.Errorf("statuses %v, want %v", got, want)
	}
	if err := s.MergeSignature(ctx, l, u.ID, again.ID, first.ID, entry); !errors.Is(err, models.ErrCannotMerge) {
		t.Errorf("merging the merged duplicate again: %v, want ErrCannotMerge", err)
	}
	if lines, want := auditLines(t, s, l), []string{"Coordinator ICDR|merge|Civic Idea., Georgia → Civic IDEA, Georgia"}; !slices.Equal(lines, want) {
		t.Errorf("audit log %q, want %q", lines, want)
	}
}

// The review queue learns, for each organisation's signature of its page,
// whether its signer's domain is the organisation's, and which entries of
// the letter may be the same organisation: the same name however typed, or
// the same partner's domain (not a webmail one). A signer who hides their
// name is compared with no one.
func TestEndorsementsFlagDomainsAndDuplicates(t *testing.T) {
	ctx := context.Background()
	s := modeltest.Open(t)
	_, l := openLetter(t, s)
	addPartner(t, s, l.OrganisationID, models.PartnerInput{Name: "Civic IDEA", Domains: "civicidea.example"})
	modeltest.ChangeSettings(t, s, l, func(st *models.LetterSettings) { st.ConfirmEmail = false })
	hidden := organisation("Civic IDEA", "GE", "anon@civicidea.example")
	hidden.Display = models.DisplayAnonymous
	ids := map[string]int64{}
	for name, in := range map[string]models.NewSignature{
		"partner":   organisation("Civic IDEA", "GE", "office@civicidea.example"),
		"same name": organisation("Civic Idea.", "GE", "tinatin@gmail.com"),
		"same site": organisation("Civic Integrity Group", "GE", "cig@civicidea.example"),
		"webmail":   organisation("KRIK", "RS", "krik@gmail.com"),
		"hidden":    hidden,
		"person":    person("Leyla Yunus", "AZ", "leyla@civicidea.example"),
	} {
		ids[name] = sign(t, s, l, in).Signature.ID
	}
	queue, _, err := s.ReviewQueue(ctx, l, models.ReviewFilter{}, 0, 50)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Endorsements(ctx, l, queue)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		matches    bool
		duplicates []string
	}{
		"partner":   {true, []string{"same name", "same site"}},
		"same name": {false, []string{"partner"}},
		"same site": {false, []string{"partner"}},
		"webmail":   {false, nil},
		"hidden":    {true, nil},
	}
	if len(got) != len(want) {
		t.Errorf("endorsements of %d signatures, want the %d organisations'", len(got), len(want))
	}
	for name, w := range want {
		e := got[ids[name]]
		var dups []string
		for _, d := range e.Duplicates {
			for n, id := range ids {
				if id == d.ID {
					dups = append(dups, n)
				}
			}
		}
		slices.Sort(dups)
		if e.DomainMatches != w.matches || !slices.Equal(dups, w.duplicates) {
			t.Errorf("%s: domain matches %v, duplicates %q; want %v, %q", name, e.DomainMatches, dups, w.matches, w.duplicates)
		}
	}
}
