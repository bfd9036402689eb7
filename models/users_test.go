package models_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"undersigned/models"
	"undersigned/models/modeltest"
)

func TestPasswordsAreArgon2idAndChecked(t *testing.T) {
	ctx := context.Background()
	s := modeltest.Open(t)
	u, _ := modeltest.Coordinator(t, s, "Maria@Example.org", "Org")
	if !strings.HasPrefix(u.PasswordHash, "$argon2id$v=19$") || strings.Contains(u.PasswordHash, modeltest.Password) {
		t.Fatalf("stored hash %q is not an argon2id hash", u.PasswordHash)
	}
	tests := []struct {
		email, password string
		ok              bool
	}{
		{"maria@example.org", modeltest.Password, true},
		{" MARIA@example.org ", modeltest.Password, true},
		{"maria@example.org", modeltest.Password + "x", false},
		{"nobody@example.org", modeltest.Password, false},
	}
	for _, tt := range tests {
		got, err := s.Authenticate(ctx, tt.email, tt.password)
		if tt.ok && (err != nil || got.ID != u.ID) {
			t.Errorf("Authenticate(%q): %v", tt.email, err)
		}
		if !tt.ok && !errors.Is(err, models.ErrBadCredentials) {
			t.Errorf("Authenticate(%q, wrong): err = %v, want ErrBadCredentials", tt.email, err)
		}
	}
}

func TestInvitationWorksOnceAndOnlyForItsOrganisation(t *testing.T) {
	ctx := context.Background()
	s := modeltest.Open(t)
	u, org := modeltest.Coordinator(t, s, "lead@example.org", "Forum 2000")
	token, err := s.CreateInvitation(ctx, u.ID, org)
	if err != nil {
		t.Fatal(err)
	}
	colleague, err := s.AcceptInvitation(ctx, token, 0, models.NewAccount{Email: "colleague@example.org", Name: "Colleague", Password: modeltest.Password})
	if err != nil {
		t.Fatalf("accept: %v", err)
	}
	if member, _ := s.IsMember(ctx, colleague.ID, org); !member {
		t.Error("colleague did not join the organisation")
	}
	_, err = s.AcceptInvitation(ctx, token, 0, models.NewAccount{Email: "third@example.org", Name: "Third", Password: modeltest.Password})
	if !errors.Is(err, models.ErrInvitationInvalid) {
		t.Errorf("second use: err = %v, want ErrInvitationInvalid", err)
	}
	if n, _ := s.UserCount(ctx); n != 2 {
		t.Errorf("%d accounts after a refused second use, want 2", n)
	}
}

func TestFirstUserOnlyOnce(t *testing.T) {
	ctx := context.Background()
	s := modeltest.Open(t)
	a := models.NewAccount{Email: "first@example.org", Name: "First", Password: modeltest.Password}
	if _, err := s.CreateFirstUser(ctx, a, "Org"); err != nil {
		t.Fatal(err)
	}
	a.Email = "second@example.org"
	if _, err := s.CreateFirstUser(ctx, a, "Org 2"); !errors.Is(err, models.ErrSetupAlreadyDone) {
		t.Errorf("second setup: err = %v, want ErrSetupAlreadyDone", err)
	}
}
