package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"undersigned/handlers"
	"undersigned/handlers/handlertest"
)

var joinLink = regexp.MustCompile(`value="http://undersigned.test(/join/[^"]+)"`)

func invite(t *testing.T, c *handlertest.Client, orgID string) string {
	t.Helper()
	c.Get("/dashboard")
	r := c.Post("/dashboard/organisations/"+orgID+"/invitations", url.Values{}).Expect(t, http.StatusOK, "Send this link to your colleague")
	m := joinLink.FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatalf("no invitation link on the page")
	}
	return m[1]
}

func TestInvitationLetsAColleagueJoinOnce(t *testing.T) {
	s := newSite(t, handlers.Config{})
	lead := s.coordinator("lead@example.org", "Forum 2000")
	link := invite(t, lead, "1")

	colleague := s.client()
	colleague.Get(link).Expect(t, http.StatusOK, "You have been invited to coordinate letters for Forum 2000.")
	colleague.Post(link, url.Values{"name": {"Pavel"}, "email": {"lead@example.org"}, "password": {"correct horse battery staple"}}).Expect(t, http.StatusUnprocessableEntity, "already exists", `value="Pavel"`)
	colleague.Post(link, url.Values{"name": {"Pavel"}, "email": {"pavel@example.org"}, "password": {"correct horse battery staple"}}).Expect(t, http.StatusSeeOther)
	colleague.Get("/dashboard").Expect(t, http.StatusOK, "Forum 2000")
	s.client().Get(link).Expect(t, http.StatusNotFound)

	// A coordinator of another organisation joins with their own account.
	other := s.coordinator("other@example.org", "CIVICUS")
	link = invite(t, lead, "1")
	other.Get(link).Expect(t, http.StatusOK, "You are logged in as")
	other.Post(link, url.Values{}).Expect(t, http.StatusSeeOther)
	other.Get("/dashboard").Expect(t, http.StatusOK, "CIVICUS", "Forum 2000")
	other.Get("/dashboard/letters/new").Expect(t, http.StatusOK, `<select id="f-organisation"`)
	// Inviting to an organisation one is not in is refused.
	colleague.Get("/dashboard")
	colleague.Post("/dashboard/organisations/2/invitations", url.Values{}).Expect(t, http.StatusNotFound)
}

// TestNewPasswordsAreLongAndUncommon: setting up the first account and
// joining through an invitation refuse a password under 12 characters, or
// one of the 10,000 most common in any case, with a message that says
// which, and keep what was typed.
func TestNewPasswordsAreLongAndUncommon(t *testing.T) {
	s := newSite(t, handlers.Config{})
	link, err := s.h.SetupLink(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	setup := strings.TrimPrefix(link, siteURL)
	form := func(password string) url.Values {
		return url.Values{"name": {"Jakub Klepal"}, "email": {"jakub@example.org"}, "password": {password}, "organisation": {"Forum 2000"}}
	}
	coordinator := s.client()
	coordinator.Get(setup)
	coordinator.Post(setup, form("aaaaaaaaaa")).Expect(t, http.StatusUnprocessableEntity, "Choose a password of at least 12 characters.", `value="Jakub Klepal"`)
	coordinator.Post(setup, form("1Qaz2wsx3edc")).Expect(t, http.StatusUnprocessableEntity, "This password is among the most common; choose another.", `value="jakub@example.org"`)
	coordinator.Post(setup, form("Sonyericsson")).Expect(t, http.StatusUnprocessableEntity, "among the most common")
	coordinator.Post(setup, form("fewer than 12 is not it")).Expect(t, http.StatusSeeOther)

	join := invite(t, coordinator, "1")
	colleague := s.client()
	colleague.Get(join)
	colleague.Post(join, url.Values{"name": {"Pavel"}, "email": {"pavel@example.org"}, "password": {"qwerty123456"}}).Expect(t, http.StatusUnprocessableEntity, "among the most common", `value="Pavel"`)
	colleague.Post(join, url.Values{"name": {"Pavel"}, "email": {"pavel@example.org"}, "password": {"short pass"}}).Expect(t, http.StatusUnprocessableEntity, "at least 12 characters")
	colleague.Post(join, url.Values{"name": {"Pavel"}, "email": {"pavel@example.org"}, "password": {"a long passphrase of mine"}}).Expect(t, http.StatusSeeOther)
}
