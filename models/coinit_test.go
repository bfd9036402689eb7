package models_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"undersigned/models"
	"undersigned/models/modeltest"
)

// coInvite invites a co-initiator of l as u and returns the link's token.
func coInvite(t *testing.T, s *models.Store, l *models.Letter, u *models.User, email string) string {
	t.Helper()
	var token string
	err := s.InviteCoInitiator(context.Background(), l, u.ID, email, func(tok, org string) models.Message {
		token = tok
		return models.Message{To: email, Subject: "co-initiate", Body: tok}
	})
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// TestInitiatingOrganisationsComeInOrderOfAcceptance: a letter's
// initiating organisations are its own, then its co-initiators as they
// accepted (not as they were invited); the initiators shown above the
// letter are their names, then the free-text initiators not among them;
// a co-initiator's coordinator reads the letter as its own, a third
// organisation's does not; and an expired invitation adds no one.
func TestInitiatingOrganisationsComeInOrderOfAcceptance(t *testing.T) {
	ctx := context.Background()
	s := modeltest.Open(t)
	now := time.Now().UTC()
	s.SetClock(func() time.Time { return now })
	a, l := openLetter(t, s) // ICDR
	b, bOrg := modeltest.Coordinator(t, s, "b@forum2000.example", "FORUM-2000 Foundation ")
	c, cOrg := modeltest.Coordinator(t, s, "c@civicus.example", "CIVICUS")
	d, _ := modeltest.Coordinator(t, s, "d@third.example", "Third")

	toB, toC := coInvite(t, s, l, a, "b@forum2000.example"), coInvite(t, s, l, a, "c@civicus.example")
	toD := coInvite(t, s, l, a, "d@third.example")
	if err := s.AcceptCoInitiation(ctx, toC, c.ID, cOrg); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Minute)
	if err := s.AcceptCoInitiation(ctx, toB, b.ID, bOrg); err != nil {
		t.Fatal(err)
	}
	if err := s.AcceptCoInitiation(ctx, toB, b.ID, bOrg); !errors.Is(err, models.ErrCoInitiationAccepted) {
		t.Errorf("a second acceptance: %v", err)
	}
	if err := s.AcceptCoInitiation(ctx, toC, a.ID, l.OrganisationID); !errors.Is(err, models.ErrCoInitiationAccepted) {
		t.Errorf("an accepted invitation accepted again by another organisation: %v", err)
	}
	now = now.Add(models.InvitationTTL)
	if err := s.AcceptCoInitiation(ctx, toD, d.ID, 0); !errors.Is(err, models.ErrLinkExpired) {
		t.Errorf("an expired invitation: %v", err)
	}

	orgs, err := s.InitiatingOrganisations(ctx, l)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, o := range orgs {
		names = append(names, o.Name)
	}
	if want := []string{"ICDR", "CIVICUS", "FORUM-2000 Foundation "}; !slices.Equal(names, want) {
		t.Errorf("initiating organisations %q, want %q", names, want)
	}
	public, err := s.PublicLetter(ctx, l.Slug)
	if err != nil {
		t.Fatal(err)
	}
	// The free text names "International Coalition for Democratic Renewal
	// (ICDR)" and "Forum 2000 Foundation": the latter is B, by NameKey.
	got := strings.Join(public.InitiatorNames(), "|")
	if want := "ICDR|CIVICUS|FORUM-2000 Foundation |International Coalition for Democratic Renewal (ICDR)"; got != want {
		t.Errorf("initiators shown %q, want %q", got, want)
	}

	for _, u := range []*models.User{a, b, c} {
		if _, err := s.CoordinatorLetter(ctx, u.ID, l.ID); err != nil {
			t.Errorf("%s cannot read the letter: %v", u.Email, err)
		}
		all, err := s.CoordinatorLetters(ctx, u.ID)
		if err != nil || len(all) != 1 || len(all[0].Letters) != 1 || all[0].Letters[0].ID != l.ID {
			t.Errorf("%s's dashboard: %+v, %v", u.Email, all, err)
		}
	}
	if _, err := s.CoordinatorLetter(ctx, d.ID, l.ID); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("a third organisation's coordinator reads the letter: %v", err)
	}
	if all, err := s.CoordinatorLetters(ctx, d.ID); err != nil || len(all[0].Letters) != 0 {
		t.Errorf("a third organisation's dashboard lists %+v, %v", all, err)
	}

	// The audit log names the organisation each coordinator acted for.
	if err := s.LogExport(ctx, l, c.ID); err != nil {
		t.Fatal(err)
	}
	entries, err := s.AuditLog(ctx, l, 10)
	if err != nil {
		t.Fatal(err)
	}
	var audit []string
	for _, e := range entries {
		audit = append(audit, string(e.Action)+" by "+e.UserName+" ("+e.OrganisationName+")")
	}
	want := []string{"export by Coordinator CIVICUS (CIVICUS)", "co_initiate by Coordinator FORUM-2000 Foundation  (FORUM-2000 Foundation )",
		"co_initiate by Coordinator CIVICUS (CIVICUS)"}
	if !slices.Equal(audit, want) {
		t.Errorf("audit log %q, want %q", audit, want)
	}
	if locked, err := s.TextLocked(ctx, l.ID); err != nil || locked {
		t.Errorf("co-initiators locked the text of a letter no one signed: %v %v", locked, err)
	}
}

// TestTheIndexReadsInitiatorsInOneQuery: the list of letters reads the
// initiating organisations of all its letters at once, not one query per
// letter.
func TestTheIndexReadsInitiatorsInOneQuery(t *testing.T) {
	ctx := context.Background()
	s := modeltest.Open(t)
	u, org := modeltest.Coordinator(t, s, "a@icdr.example", "ICDR")
	n := s.CountStatements(t)
	count := func() int64 {
		n.Store(0)
		letters, _, err := s.PublicLetters(ctx, 0, 20)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range letters {
			if len(l.Initiating) == 0 || l.Initiating[0].Name != "ICDR" {
				t.Errorf("letter %d lists initiators %v", l.ID, l.Initiating)
			}
		}
		return n.Load()
	}
	var one int64
	for i := range 5 {
		text := modeltest.Azerbaijan
		text.Slug = "letter-" + string(rune('a'+i))
		l, err := s.CreateLetter(ctx, u.ID, org, text)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetLetterState(ctx, l, models.StateOpen); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			one = count()
		}
	}
	if five := count(); five != one {
		t.Errorf("the index of five letters sends %d statements, of one %d", five, one)
	}
}
