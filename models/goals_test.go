package models_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"undersigned/models"
	"undersigned/models/modeltest"
)

// setGoals sets a letter's goals, 0 for none, and returns what the store answered.
func setGoals(s *models.Store, l *models.Letter, signatures, organisations int64) error {
	st := models.LetterSettings{Lang: l.Lang, ClosesOn: l.ClosesOn, Signers: l.Signers, Listed: l.Listed, ListOrder: l.ListOrder,
		ConfirmEmail: l.ConfirmEmail, ReviewIndividuals: l.ReviewIndividuals, ReviewOrganisations: l.ReviewOrganisations,
		RetentionDays: l.RetentionDays}
	if signatures != 0 {
		st.SignatureGoal = &signatures
	}
	if organisations != 0 {
		st.OrganisationGoal = &organisations
	}
	return s.UpdateLetterSettings(context.Background(), l, st)
}

// milestones lists a letter's milestones, newest first, as "kind goal".
func milestones(t *testing.T, s *models.Store, l *models.Letter) []string {
	t.Helper()
	updates, err := s.LetterUpdates(context.Background(), l.ID)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, u := range updates {
		if u.Milestone != "" {
			out = append(out, fmt.Sprintf("%s %d", u.Milestone, u.Goal))
		}
	}
	return out
}

func TestAGoalChangedMustBeAboveTheCount(t *testing.T) {
	s := modeltest.Open(t)
	_, l := openLetter(t, s)
	modeltest.ListAtOnce(t, s, l)
	for i := range 3 {
		sign(t, s, l, person(fmt.Sprintf("Signer %d", i), "CZ", modeltest.SignerEmail(i)))
	}
	sign(t, s, l, organisation("Forum 2000", "CZ", "forum@example.org"))
	for _, tt := range []struct {
		name                      string
		signatures, organisations int64
		field                     string
		count                     int64
	}{
		{"signatures under the count", 3, 0, "goal_signatures", 4},
		{"signatures at the count", 4, 0, "goal_signatures", 4},
		{"organisations at the count", 0, 1, "goal_organisations", 1},
		{"both above", 5, 2, "", 0},
		{"raised", 10, 3, "", 0},
		{"lowered, still above", 6, 3, "", 0},
		{"lowered to the count", 4, 3, "goal_signatures", 4},
		{"removed", 0, 0, "", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			l := reload(t, s, l.Slug)
			err := setGoals(s, l, tt.signatures, tt.organisations)
			var low *models.GoalTooLow
			switch {
			case tt.field == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.field != "" && (!errors.As(err, &low) || low.Field != tt.field || low.Count != tt.count):
				t.Fatalf("answered %v, want the %s refused under %d", err, tt.field, tt.count)
			}
			if got := reload(t, s, l.Slug); tt.field == "" && (got.SignatureGoal != tt.signatures || got.OrganisationGoal != tt.organisations) {
				t.Errorf("goals kept: %d and %d", got.SignatureGoal, got.OrganisationGoal)
			}
		})
	}

	// A goal reached stays as it is when other settings are saved.
	l = reload(t, s, l.Slug)
	if err := setGoals(s, l, 5, 0); err != nil {
		t.Fatal(err)
	}
	sign(t, s, l, person("Fifth", "CZ", "fifth@example.org"))
	l = reload(t, s, l.Slug)
	modeltest.ChangeSettings(t, s, l, func(st *models.LetterSettings) { st.AllowIndexing = true })
	if l = reload(t, s, l.Slug); l.SignatureGoal != 5 {
		t.Errorf("goal after saving other settings: %d, want 5", l.SignatureGoal)
	}
}

func TestAGoalReachedInOneBatchIsRecordedOnce(t *testing.T) {
	s := modeltest.Open(t)
	_, l := openLetter(t, s)
	modeltest.ListAtOnce(t, s, l)
	sign(t, s, l, person("Leyla Yunus", "AZ", "leyla@example.org"))
	if err := setGoals(s, l, 4, 1); err != nil {
		t.Fatal(err)
	}
	errs := signTogether(t, s, l,
		person("Arif Yunus", "AZ", "arif@example.org"),
		organisation("Forum 2000", "CZ", "forum@example.org"),
		person("Jakub Klepal", "CZ", "jakub@example.org"),
		person("Igor Blazevic", "CZ", "igor@example.org"),
		person("Andreas Bummel", "FR", "andreas@example.org"),
	)
	for i, err := range errs {
		if err != nil {
			t.Fatalf("signature %d: %v", i, err)
		}
	}
	sign(t, s, l, person("Ketevan Chachava", "GE", "ketevan@example.org"))
	got := fmt.Sprint(milestones(t, s, l))
	if got != "[signatures 4 organisations 1]" && got != "[organisations 1 signatures 4]" {
		t.Errorf("milestones after a batch past both goals: %s, want one of each", got)
	}

	// Raised after being reached, the goal is reached anew.
	l = reload(t, s, l.Slug)
	if err := setGoals(s, l, 8, 1); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		sign(t, s, l, person(fmt.Sprintf("Signer %d", i), "CZ", modeltest.SignerEmail(i)))
	}
	if got := milestones(t, s, l); len(got) != 3 || got[0] != "signatures 8" {
		t.Errorf("milestones after the raised goal: %q, want signatures 8 on top of the two", got)
	}
}

func TestAGoalReachedByAnImportIsRecordedOnce(t *testing.T) {
	ctx := context.Background()
	s := modeltest.Open(t)
	u, l := openLetter(t, s)
	if err := setGoals(s, l, 20, 0); err != nil {
		t.Fatal(err)
	}
	rows, err := models.ParseImport(models.ImportLines, modeltest.AzerbaijanListText, models.KindIndividual)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ImportSignatures(ctx, l, u.ID, models.KindIndividual, models.DisplayFull, "", rows); err != nil {
		t.Fatal(err)
	}
	if got := milestones(t, s, l); len(got) != 1 || got[0] != "signatures 20" {
		t.Errorf("milestones after importing 22 signatures towards 20: %q", got)
	}
}
