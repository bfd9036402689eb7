package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"undersigned/handlers"
	"undersigned/handlers/handlertest"
	"undersigned/models"
	"undersigned/views"
)

// invitedLink finds an invitation's link in an email.
var invitedLink = regexp.MustCompile(`http://undersigned\.test(/invited/[A-Za-z0-9_-]+)\n`)

// campaign is seed 003's letter, open with the new letter's defaults
// (confirmation by email, review of organisations), and partners in its
// organisation's directory.
type campaign struct {
	*site
	coordinator *handlertest.Client
	editor      string
}

func newCampaign(t *testing.T, cfg handlers.Config) *campaign {
	t.Helper()
	s := newSite(t, cfg)
	c, editor := s.openLetter("coordinator@icdr.example", "ICDR", nil)
	return &campaign{site: s, coordinator: c, editor: editor}
}

// partner adds a partner to the letter's organisation's directory with one
// contact, and returns its id.
func (cp *campaign) partner(name, country, contact, email string) string {
	cp.t.Helper()
	ctx := context.Background()
	p, err := cp.store.AddPartner(ctx, cp.letter().OrganisationID, models.PartnerInput{Name: name, Countries: country})
	if err != nil {
		cp.t.Fatal(err)
	}
	if _, err := cp.store.AddPartnerContact(ctx, p.ID, models.PartnerContact{Name: contact, Role: "Director", Email: email}); err != nil {
		cp.t.Fatal(err)
	}
	return strconv.FormatInt(p.ID, 10)
}

// invite invites the partners from the board and returns the path of the
// link mailed to each address, in order.
func (cp *campaign) invite(ids []string, emails ...string) []string {
	cp.t.Helper()
	cp.coordinator.Get(cp.editor+"/invitations").Expect(cp.t, http.StatusOK)
	r := cp.coordinator.Post(cp.editor+"/invitations", url.Values{"partner": ids}).Expect(cp.t, http.StatusSeeOther)
	cp.coordinator.Get(r.Location).Expect(cp.t, http.StatusOK, "Invitations sent: "+strconv.Itoa(len(emails))+".")
	links := make([]string, len(emails))
	for i, e := range emails {
		msgs := cp.inbox(e)
		if len(msgs) != 1 {
			cp.t.Fatalf("%s got %d emails, want the invitation", e, len(msgs))
		}
		m := invitedLink.FindStringSubmatch(msgs[0].Body)
		if m == nil || msgs[0].ContactID == nil {
			cp.t.Fatalf("the invitation to %s has no link or no contact:\n%s", e, msgs[0].Body)
		}
		links[i] = m[1]
	}
	return links
}

// invitedForm is the invitation's signing form as a partner fills it.
func invitedForm(name, email string) url.Values {
	return url.Values{"name": {name}, "role": {"Chair"}, "country": {"AZ"}, "email": {email}, "display": {"full"}}
}

// A partner's link opens the letter with the organisation filled in; it
// signs at once, without confirmation or review, on a letter that asks
// for both: the organisation is listed and counted on the public list, the
// signer gets their private link, and the board says who signed. A second
// signature through the link is refused and stores nothing.
func TestInvitedPartnerIsListedAtOnce(t *testing.T) {
	cp := newCampaign(t, handlers.Config{})
	id := cp.partner("Center for National and International Studies", "AZ", "Anar Mammadli", "anar@cnis.example")
	link := cp.invite([]string{id}, "anar@cnis.example")[0]
	if !strings.Contains(cp.inbox("anar@cnis.example")[0].Body, link+"/decline") {
		t.Errorf("the invitation has no decline link")
	}

	public := cp.client()
	public.Get(seedSlug+"/signatories").Expect(t, http.StatusOK) // cached before the signature
	partner := cp.client()
	partner.Get(link).Expect(t, http.StatusOK, "Center for National and International Studies", `value="Anar Mammadli"`,
		`value="anar@cnis.example"`, "Joint statement on the human rights situation in Azerbaijan")
	partner.Post(link, invitedForm("", "anar@cnis.example")).Expect(t, http.StatusUnprocessableEntity, `href="#f-name"`, `value="anar@cnis.example"`)
	r := partner.Post(link, invitedForm("Anar Mammadli", "anar@cnis.example")).Expect(t, http.StatusSeeOther)
	partner.Get(r.Location).Expect(t, http.StatusOK, "is on the list of signatories")

	public.Get(seedSlug+"/signatories").Expect(t, http.StatusOK, "Center for National and International Studies, Azerbaijan")
	public.Get(seedSlug).Expect(t, http.StatusOK, "1 signature")
	if l := cp.letter(); l.OrganisationCount != 1 {
		t.Errorf("the letter counts %d organisations, want 1", l.OrganisationCount)
	}
	cp.mailedLink("anar@cnis.example", "/signature/")

	partner.Post(link, invitedForm("Someone Else", "else@cnis.example")).Expect(t, http.StatusConflict, "This invitation has been used")
	if n := cp.signatures(); n != 1 {
		t.Errorf("%d signatures stored, want 1", n)
	}
	cp.coordinator.Get(cp.editor+"/invitations?status=signed").Expect(t, http.StatusOK, "Signed by", "Anar Mammadli, Chair")
	cp.coordinator.Get(cp.editor).Expect(t, http.StatusOK, `href="`+cp.editor+`/invitations"`, "Invite partners")
}

// The board, its CSV, inviting and reminding are for the letter's
// coordinators: another organisation's coordinator finds nothing there
// (404), and a form without the CSRF token is refused (403), as is the
// partner's form without it.
func TestInvitationsAreTheCoordinatorsOnly(t *testing.T) {
	cp := newCampaign(t, handlers.Config{})
	id := cp.partner("KRIK", "RS", "Stevan Dojcinovic", "stevan@krik.example")
	other := cp.site.coordinator("someone@elsewhere.example", "Elsewhere")
	for _, path := range []string{"/invitations", "/invitations.csv", "/invitations?status=signed"} {
		other.Get(cp.editor+path).Expect(t, http.StatusNotFound)
	}
	other.Get("/dashboard")
	other.Post(cp.editor+"/invitations", url.Values{"partner": {id}}).Expect(t, http.StatusNotFound)
	other.Post(cp.editor+"/invitations/remind", url.Values{}).Expect(t, http.StatusNotFound)
	cp.coordinator.PostRaw(cp.editor+"/invitations", "partner="+id+"&_csrf=forged").Expect(t, http.StatusForbidden)
	if n := len(cp.inbox("stevan@krik.example")); n != 0 {
		t.Fatalf("refused requests sent %d invitations", n)
	}
	link := cp.invite([]string{id}, "stevan@krik.example")[0]
	partner := cp.client()
	partner.Get(link)
	partner.PostRaw(link, invitedForm("Stevan", "stevan@krik.example").Encode()+"&_csrf=forged").Expect(t, http.StatusForbidden)
	if n := cp.signatures(); n != 0 {
		t.Errorf("a forged form stored %d signatures", n)
	}
}

// Declining is a page with a button (opening it declines nothing); the
// board then shows the reason; declining twice is harmless; a declined
// invitation cannot sign. The board's CSV carries the reason, defused.
func TestDeclinedInvitation(t *testing.T) {
	cp := newCampaign(t, handlers.Config{})
	id := cp.partner("Sapari", "GE", "Baia Pataraia", "baia@sapari.example")
	link := cp.invite([]string{id}, "baia@sapari.example")[0]
	partner := cp.client()
	partner.Get(link+"/decline").Expect(t, http.StatusOK, "Decline the invitation", `action="`+link+`/decline`)
	cp.coordinator.Get(cp.editor+"/invitations?status=declined").Expect(t, http.StatusOK, "Invitations: 0")
	long := strings.Repeat("too long ", 120)
	partner.Post(link+"/decline", url.Values{"reason": {long}}).Expect(t, http.StatusUnprocessableEntity, `href="#f-reason"`, strings.TrimSpace(long))
	for range 2 {
		r := partner.Post(link+"/decline", url.Values{"reason": {"=HYPERLINK(\"x\") not our topic"}}).Expect(t, http.StatusSeeOther)
		partner.Get(r.Location).Expect(t, http.StatusOK, "Invitation declined")
	}
	partner.Post(link, invitedForm("Baia", "baia@sapari.example")).Expect(t, http.StatusConflict, "Invitation declined")
	if n := cp.signatures(); n != 0 {
		t.Errorf("a declined invitation stored %d signatures", n)
	}
	cp.coordinator.Get(cp.editor+"/invitations?status=declined").Expect(t, http.StatusOK, "Invitations: 1", "not our topic")
	csv := cp.coordinator.Get(cp.editor+"/invitations.csv").Expect(t, http.StatusOK, "Sapari", "Baia Pataraia", "declined")
	if !strings.Contains(csv.Body, `"'=HYPERLINK(""x"") not our topic"`) {
		t.Errorf("the CSV does not defuse the reason:\n%s", csv.Body)
	}
}

// A closed letter's invitation says the letter is closed (410) and stores
// nothing; reminders just sent are not sent again the same day.
func TestInvitationOfAClosedLetter(t *testing.T) {
	cp := newCampaign(t, handlers.Config{})
	id := cp.partner("KRIK", "RS", "Stevan Dojcinovic", "stevan@krik.example")
	link := cp.invite([]string{id}, "stevan@krik.example")[0]
	partner := cp.client()
	partner.Get(link).Expect(t, http.StatusOK)
	r := cp.coordinator.Post(cp.editor+"/invitations/remind", url.Values{}).Expect(t, http.StatusSeeOther)
	cp.coordinator.Get(r.Location).Expect(t, http.StatusOK, "Reminders sent: 0.", "Left out as emailed too recently: 1.")

	cp.coordinator.Post(cp.editor+"/state", url.Values{"state": {"closed"}}).Expect(t, http.StatusSeeOther)
	partner.Get(link).Expect(t, http.StatusGone)
	partner.Post(link, invitedForm("Stevan", "stevan@krik.example")).Expect(t, http.StatusGone)
	if n := cp.signatures(); n != 0 {
		t.Errorf("a closed letter's invitation stored %d signatures", n)
	}
}

// With no least time between reminders (-invitation-reminder-days 0), the
// button reminds at once: the contact gets a new link, and the old one
// no longer opens.
func TestRemindAnyTime(t *testing.T) {
	cp := newCampaign(t, handlers.Config{InvitationReminder: handlers.RemindAnyTime})
	id := cp.partner("KRIK", "RS", "Stevan Dojcinovic", "stevan@krik.example")
	first := cp.invite([]string{id}, "stevan@krik.example")[0]
	r := cp.coordinator.Post(cp.editor+"/invitations/remind", url.Values{}).Expect(t, http.StatusSeeOther)
	cp.coordinator.Get(r.Location).Expect(t, http.StatusOK, "Reminders sent: 1.", "Left out as emailed too recently: 0.")
	msgs := cp.inbox("stevan@krik.example")
	if len(msgs) != 2 || !strings.HasPrefix(msgs[1].Subject, "Reminder: ") {
		t.Fatalf("stevan got %d emails, want the invitation and a reminder", len(msgs))
	}
	second := invitedLink.FindStringSubmatch(msgs[1].Body)
	if second == nil || second[1] == first {
		t.Fatalf("the reminder has no new link:\n%s", msgs[1].Body)
	}
	cp.coordinator.Get(cp.editor+"/invitations?status=reminded").Expect(t, http.StatusOK, "Invitations: 1")
	cp.client().Get(first).Expect(t, http.StatusNotFound)
	cp.client().Get(second[1]).Expect(t, http.StatusOK, "KRIK")
	cp.coordinator.Get(cp.editor+"/invitations?status=visited").Expect(t, http.StatusOK, "Invitations: 1")
}

// Before an embargoed letter's launch, the partner's link and its thank-you
// page say when the list will be public, rather than that the organisation
// is on it at once; and no public output names it, or marks it verified.
func TestInvitedPartnerLearnsWhenAnEmbargoedListAppears(t *testing.T) {
	cp := newCampaign(t, handlers.Config{})
	launch := time.Now().Add(time.Hour).Truncate(time.Second)
	cp.coordinator.Get(cp.editor)
	settings := embargoed(launch)
	settings.Set("mark_verified", "on")
	cp.coordinator.Post(cp.editor+"/settings", settings).Expect(t, http.StatusSeeOther)
	id := cp.partner("Center for National and International Studies", "AZ", "Anar Mammadli", "anar@cnis.example")
	link := cp.invite([]string{id}, "anar@cnis.example")[0]

	when := "The list of signatories will be published on " + views.FormatDateTime("en", launch) + "."
	partner := cp.client()
	partner.Get(link).Expect(t, http.StatusOK, when)
	r := partner.Post(link, invitedForm("Anar Mammadli", "anar@cnis.example")).Expect(t, http.StatusSeeOther)
	partner.Get(r.Location).Expect(t, http.StatusOK, "is on the list of signatories. Your private link is on its way by email. "+when)

	public := cp.client()
	for _, path := range []string{seedSlug, seedSlug + "/signatories", seedSlug + "/signatories.json", seedSlug + "/signatories.csv", seedSlug + "/print"} {
		body := public.Get(path).Expect(t, http.StatusOK).Body
		if strings.Contains(body, "National and International") || strings.Contains(body, `"verified":true`) || strings.Contains(body, ",true") {
			t.Errorf("before the launch, %s names or marks the partner", path)
		}
	}
}
