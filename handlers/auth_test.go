package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"undersigned/handlers"
)

var joinLink = regexp.MustCompile(`value="http://undersigned.test(/join/[^"]+)"`)

func invite(t *testing.T, b *browser, orgID string) string {
	t.Helper()
	b.get("/dashboard")
	r := b.post("/dashboard/organisations/"+orgID+"/invitations", url.Values{}).expect(t, http.StatusOK, "Send this link to your colleague")
	m := joinLink.FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("no invitation link on the page")
	}
	return m[1]
}

func TestInvitationLetsAColleagueJoinOnce(t *testing.T) {
	s := newSite(t, handlers.Config{})
	lead := s.coordinator("lead@example.org", "Forum 2000")
	link := invite(t, lead, "1")

	colleague := s.browser()
	colleague.get(link).expect(t, http.StatusOK, "You have been invited to coordinate letters for Forum 2000.")
	colleague.post(link, url.Values{"name": {"Pavel"}, "email": {"lead@example.org"}, "password": {"correct horse battery staple"}}).
		expect(t, http.StatusUnprocessableEntity, "already exists", `value="Pavel"`)
	colleague.post(link, url.Values{"name": {"Pavel"}, "email": {"pavel@example.org"}, "password": {"correct horse battery staple"}}).expect(t, http.StatusSeeOther)
	colleague.get("/dashboard").expect(t, http.StatusOK, "Forum 2000")
	s.browser().get(link).expect(t, http.StatusNotFound)

	// A coordinator of another organisation joins with their own account.
	other := s.coordinator("other@example.org", "CIVICUS")
	link = invite(t, lead, "1")
	other.get(link).expect(t, http.StatusOK, "You are logged in as")
	other.post(link, url.Values{}).expect(t, http.StatusSeeOther)
	other.get("/dashboard").expect(t, http.StatusOK, "CIVICUS", "Forum 2000")
	other.get("/dashboard/letters/new").expect(t, http.StatusOK, `<select id="f-organisation"`)
	// Inviting to an organisation one is not in is refused.
	colleague.get("/dashboard")
	colleague.post("/dashboard/organisations/2/invitations", url.Values{}).expect(t, http.StatusNotFound)
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
	setup := strings.TrimPrefix(link, "http://undersigned.test")
	form := func(password string) url.Values {
		return url.Values{"name": {"Jakub Klepal"}, "email": {"jakub@example.org"}, "password": {password}, "organisation": {"Forum 2000"}}
	}
	b := s.browser()
	b.get(setup)
	b.post(setup, form("aaaaaaaaaa")).expect(t, http.StatusUnprocessableEntity, "Choose a password of at least 12 characters.", `value="Jakub Klepal"`)
	b.post(setup, form("1Qaz2wsx3edc")).expect(t, http.StatusUnprocessableEntity, "This password is among the most common; choose another.", `value="jakub@example.org"`)
	b.post(setup, form("Sonyericsson")).expect(t, http.StatusUnprocessableEntity, "among the most common")
	b.post(setup, form("fewer than 12 is not it")).expect(t, http.StatusSeeOther)

	join := invite(t, b, "1")
	colleague := s.browser()
	colleague.get(join)
	colleague.post(join, url.Values{"name": {"Pavel"}, "email": {"pavel@example.org"}, "password": {"qwerty123456"}}).
		expect(t, http.StatusUnprocessableEntity, "among the most common", `value="Pavel"`)
	colleague.post(join, url.Values{"name": {"Pavel"}, "email": {"pavel@example.org"}, "password": {"short pass"}}).
		expect(t, http.StatusUnprocessableEntity, "at least 12 characters")
	colleague.post(join, url.Values{"name": {"Pavel"}, "email": {"pavel@example.org"}, "password": {"a long passphrase of mine"}}).expect(t, http.StatusSeeOther)
}
