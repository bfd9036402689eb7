package models_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"undersigned/models"
	"undersigned/models/modeltest"
)

// TestAMembersOnlyLetterTakesItsDomainsOnly: the public form of a letter
// signed by invitation takes an address at one of its listed domains,
// whatever its case, and nothing else: not a subdomain, not webmail, and
// nothing at all when it lists none.
func TestAMembersOnlyLetterTakesItsDomainsOnly(t *testing.T) {
	for _, tc := range []struct {
		only    bool
		domains string
		email   string
		takes   bool
	}{
		{false, "", "leyla@gmail.com", true},
		{true, "", "leyla@icdr.org", false},
		{true, "icdr.org\nforum2000.cz", "leyla@icdr.org", true},
		{true, "icdr.org\nforum2000.cz", "Jakub.Klepal@FORUM2000.cz", true},
		{true, "icdr.org", "leyla@mail.icdr.org", false},
		{true, "icdr.org", "leyla@gmail.com", false},
		{true, "icdr.org", "not an address", false},
	} {
		l := &models.Letter{InvitationsOnly: tc.only, SignerDomains: tc.domains}
		err := l.AcceptsPublicSigner(tc.email)
		if tc.takes && err != nil || !tc.takes && !errors.Is(err, models.ErrInvitationOnly) {
			t.Errorf("invitations only %v, domains %q: %s gives %v, want taken %v", tc.only, tc.domains, tc.email, err, tc.takes)
		}
	}
}

// TestTheCampaignSettingsRules: the signer domains are domains, 50 at most;
// a letter was not sent after today, anywhere on Earth; the settings saved
// are those read back.
func TestTheCampaignSettingsRules(t *testing.T) {
	many := make([]string, 51)
	for i := range many {
		many[i] = "ngo" + strconv.Itoa(i) + ".org"
	}
	for _, tc := range []struct {
		domains []string
		code    string
	}{
		{[]string{"icdr.org", "xn--80ak6aa92e.com", "forum-2000.cz"}, ""},
		{[]string{"icdr.org", "gmail"}, "domain"},
		{[]string{"icdr org"}, "domain"},
		{[]string{"-icdr.org"}, "domain"},
		{[]string{"icdr.123"}, "domain"},
		{[]string{"фонд.рф"}, "domain"},
		{many, "too_many"},
	} {
		st := models.DefaultLetterSettings()
		st.SignerDomains = tc.domains
		invalid := models.Validate(st)
		var code string
		if len(invalid) > 0 {
			code = invalid[0].Code
		}
		if code != tc.code || len(invalid) > 0 && invalid[0].Field != "signer_domains" {
			t.Errorf("domains %q: %+v, want code %q on signer_domains", tc.domains, invalid, tc.code)
		}
	}

	s := modeltest.Open(t)
	ctx := context.Background()
	now := time.Date(2024, 11, 11, 20, 0, 0, 0, time.UTC) // the 12th already in Auckland
	s.SetClock(func() time.Time { return now })
	_, l := openLetter(t, s)
	st := models.DefaultLetterSettings()
	st.SentOn = ptr(time.Date(2024, 11, 13, 0, 0, 0, 0, time.UTC))
	if err := s.UpdateLetterSettings(ctx, l, st); !errors.Is(err, models.ErrSentOnFuture) {
		t.Fatalf("a letter sent the day after tomorrow: %v, want ErrSentOnFuture", err)
	}
	st.InvitationsOnly, st.SignerDomains, st.MarkVerified = true, []string{"icdr.org", "forum2000.cz"}, true
	st.SentOn, st.ListHiddenUntil = ptr(time.Date(2024, 11, 12, 0, 0, 0, 0, time.UTC)), ptr(time.Date(2024, 11, 20, 9, 30, 0, 0, time.UTC))
	if err := s.UpdateLetterSettings(ctx, l, st); err != nil {
		t.Fatalf("a letter sent today in Auckland: %v", err)
	}
	got := reload(t, s, l.Slug)
	if !got.InvitationsOnly || got.SignerDomains != "icdr.org\nforum2000.cz" || !got.MarkVerified ||
		got.SentOn == nil || !got.SentOn.Equal(*st.SentOn) || got.ListHiddenUntil == nil || !got.ListHiddenUntil.Equal(*st.ListHiddenUntil) {
		t.Errorf("saved %+v, read back invitations only %v, domains %q, mark verified %v, sent on %v, hidden until %v",
			st, got.InvitationsOnly, got.SignerDomains, got.MarkVerified, got.SentOn, got.ListHiddenUntil)
	}
}

// TestNoDatedListIsPublishedBeforeTheLaunch: while a list is embargoed, it
// cannot be published as of a date, which would name its signers; once
// the launch has passed, it can.
func TestNoDatedListIsPublishedBeforeTheLaunch(t *testing.T) {
	s := modeltest.Open(t)
	ctx := context.Background()
	now := time.Date(2024, 11, 11, 8, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	_, l := openLetter(t, s)
	launch := now.Add(time.Hour)
	modeltest.ChangeSettings(t, s, l, func(st *models.LetterSettings) { st.ListHiddenUntil = &launch })
	if !l.ListHidden(now) || l.ListHidden(launch) {
		t.Errorf("hidden at %v: %v, at the launch %v: %v; want hidden before the launch only", now, l.ListHidden(now), launch, l.ListHidden(launch))
	}
	if _, err := s.PublishSnapshot(ctx, l, "Anonymous"); !errors.Is(err, models.ErrListHidden) {
		t.Fatalf("publishing a dated list before the launch: %v, want ErrListHidden", err)
	}
	now = launch
	if _, err := s.PublishSnapshot(ctx, l, "Anonymous"); err != nil {
		t.Fatalf("publishing a dated list at the launch: %v", err)
	}
}

func ptr[T any](v T) *T { return &v }
