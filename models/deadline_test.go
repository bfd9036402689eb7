package models_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"undersigned/models"
	"undersigned/models/modeltest"
)

// A letter closing on 11 December 2026 in Prague (CET, UTC+1) takes
// signatures until 23:59 there, 22:59 UTC: every output and the signing
// form agree on that moment, which a reader of the page would check.
func TestClosingMomentInLetterTimezone(t *testing.T) {
	s := modeltest.Open(t)
	_, l := openLetter(t, s)
	day := time.Date(2026, 12, 11, 0, 0, 0, 0, time.UTC)
	modeltest.ChangeSettings(t, s, l, func(st *models.LetterSettings) { st.ClosesOn, st.Timezone = &day, "Europe/Prague" })
	stored, err := s.PublicLetter(context.Background(), l.Slug)
	if err != nil {
		t.Fatal(err)
	}
	closes := time.Date(2026, 12, 11, 23, 0, 0, 0, time.UTC) // midnight in Prague
	if at := stored.ClosesAt(); at == nil || !at.Equal(closes) || at.Format("MST") != "CET" {
		t.Fatalf("closes at %v, want %v CET", at, closes)
	}
	for _, c := range []struct {
		name  string
		at    time.Time
		state models.LetterState
		err   error
	}{
		{"a second before midnight in Prague", closes.Add(-time.Second), models.StateOpen, nil},
		{"at midnight in Prague, still the 11th in UTC", closes, models.StateClosed, models.ErrLetterClosed},
		{"the next morning", closes.Add(9 * time.Hour), models.StateClosed, models.ErrLetterClosed},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := stored.StateAt(c.at); got != c.state {
				t.Errorf("state %s, want %s", got, c.state)
			}
			if err := stored.AcceptsSignatures(c.at); !errors.Is(err, c.err) {
				t.Errorf("accepts: %v, want %v", err, c.err)
			}
		})
	}
}

// A timezone the system does not know is refused, with the field named.
func TestTimezoneSettingValidated(t *testing.T) {
	for _, tz := range []string{"Europe/Prague", "UTC", "America/Argentina/Buenos_Aires"} {
		st := models.DefaultLetterSettings()
		st.Timezone = tz
		if inv := models.Validate(st); len(inv) != 0 {
			t.Errorf("%s refused: %v", tz, inv)
		}
	}
	for _, tz := range []string{"Mars/Olympus", "Local", "CET+1", "../../etc/passwd"} {
		st := models.DefaultLetterSettings()
		st.Timezone = tz
		if inv := models.Validate(st); len(inv) != 1 || inv[0].Field != "timezone" {
			t.Errorf("%s: %v, want one failure of timezone", tz, inv)
		}
	}
}
