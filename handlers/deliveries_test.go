package handlers_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"undersigned/handlers"
	"undersigned/models/mail"
	"undersigned/views"
)

// A coordinator gives the letter's addressees roles and addresses (an
// invalid address is refused, values kept), then delivers the dated list:
// the email to the addressee with an address carries the PDF packet and
// answers go to the coordinator; an addressee without an address is
// refused unless the delivery was by hand; the same list to the same
// addressee again asks to confirm. The public letter says "Delivered on …
// to …" with a link to the list, by role and never by address, as do its
// JSON and the feed. Another organisation's coordinator sees none of it.
func TestDeliveringTheLetter(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, letterPath := s.publishedLetter("c@icdr.example", "ICDR")
	signSeedList(t, s)
	addressees, deliveries := letterPath+"/addressees", letterPath+"/deliveries"

	coord.Get(addressees).Expect(t, http.StatusOK, "Members of the Parliamentary Assembly of the Council of Europe", "Delegations to COP29")
	form := url.Values{"role_0": {"President of PACE"}, "email_0": {"not-an-address"}, "role_1": {""}, "email_1": {""}}
	coord.Post(addressees, form).Expect(t, http.StatusUnprocessableEntity, "Enter an email address like name@example.org",
		`value="not-an-address"`, `value="President of PACE"`, `href="#f-email_0"`, `id="f-email_0-error"`)
	form.Set("email_0", "pace@coe.example")
	coord.Post(addressees, form).Expect(t, http.StatusSeeOther)
	coord.Get(addressees+"?saved=1").Expect(t, http.StatusOK, `value="pace@coe.example"`, "The addressees are saved.")

	coord.Get(deliveries).Expect(t, http.StatusOK, "The letter has not been delivered yet.")
	deliver := url.Values{"snapshot": {"now"}, "versions": {"en"}, "message": {"Excellencies, please find our letter."}, "attach": {"pdf"}}
	coord.Post(deliveries, deliver).Expect(t, http.StatusUnprocessableEntity, "Choose at least one addressee.", "Excellencies, please find our letter.")
	deliver.Set("addressee", "1")
	coord.Post(deliveries, deliver).Expect(t, http.StatusUnprocessableEntity, "No email address for Delegations to COP29")
	deliver.Set("addressee", "0")
	coord.Post(deliveries, deliver).Expect(t, http.StatusSeeOther)

	today := time.Now().UTC().Format(time.DateOnly)
	due, err := s.store.DueMail(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	var sent []mail.Message
	for _, m := range due {
		if m.To == "pace@coe.example" {
			sent = append(sent, m)
		}
	}
	if len(sent) != 1 {
		t.Fatalf("%d emails to the addressee, want 1", len(sent))
	}
	m := sent[0]
	if m.ReplyTo != "c@icdr.example" || !strings.HasPrefix(m.Subject, "Joint statement") || !strings.Contains(m.Body, "Excellencies, please find our letter.") ||
		!strings.Contains(m.Body, seedSlug+"/as-of/"+today) {
		t.Errorf("the email: Reply-To %q, subject %q, body\n%s", m.ReplyTo, m.Subject, m.Body)
	}
	if len(m.Attachments) != 1 || !bytes.HasPrefix(m.Attachments[0].Data, []byte("%PDF")) || m.Attachments[0].ContentType != "application/pdf" {
		t.Errorf("the email's files: %d, want the PDF packet", len(m.Attachments))
	}

	// Once more to the same addressee: asked to confirm, values kept.
	coord.Post(deliveries, deliver).Expect(t, http.StatusConflict, "This dated list was already delivered to President of PACE.",
		`name="confirm" value="1"`, "Excellencies, please find our letter.")
	deliver.Set("confirm", "1")
	coord.Post(deliveries, deliver).Expect(t, http.StatusSeeOther)
	// By hand, an addressee needs no address, but how and when it went.
	hand := url.Values{"snapshot": {today}, "versions": {"en"}, "addressee": {"1"}, "by_hand": {"1"}, "delivered_on": {today}}
	coord.Post(deliveries, hand).Expect(t, http.StatusUnprocessableEntity, "Say how the letter was delivered.")
	hand.Set("hand_how", "In person at COP29")
	coord.Post(deliveries, hand).Expect(t, http.StatusSeeOther)
	coord.Get(deliveries).Expect(t, http.StatusOK, "By hand: In person at COP29", "By email, with the PDF", "waiting to be sent", "delivered by hand")
	// The audit log says who delivered which list, to how many and how; never to which address.
	asOf := views.FormatDate("en", time.Now().UTC())
	auditLog := coord.Get(letterPath+"/signatures").Expect(t, http.StatusOK,
		"delivered the letter: the list as of "+asOf+", to 1 addressee, by email",
		"delivered the letter: the list as of "+asOf+", to 1 addressee, by hand")
	if strings.Contains(auditLog.Body, "pace@coe.example") {
		t.Errorf("the audit log shows an addressee's address")
	}

	v := s.client()
	page := v.Get(seedSlug).Expect(t, http.StatusOK).Shows(t, "Delivered on", "President of PACE", "Delegations to COP29")
	page.ExpectMarkup(t, `href="`+seedSlug+`/as-of/`+today+`"`)
	json := v.Get(seedSlug+".json").Expect(t, http.StatusOK, `"deliveries":[{"delivered_on":"`+today+`","to":["Delegations to COP29"],"by_hand":true`,
		`"to":["President of PACE"],"by_hand":false,"versions":["en"],"list_as_of":"`+today+`"`)
	feed := v.Get("/feed.atom").Expect(t, http.StatusOK, "Delivered: Joint statement on the human rights situation in Azerbaijan")
	for _, public := range []string{page.Body, json.Body, feed.Body} {
		if strings.Contains(public, "pace@coe.example") {
			t.Errorf("an addressee's address is public")
		}
	}

	other := s.coordinator("o@other.example", "Other")
	for _, path := range []string{addressees, deliveries} {
		other.Get(path).Expect(t, http.StatusNotFound)
		other.Get("/dashboard") // for its form's token
		other.Post(path, url.Values{"snapshot": {"now"}, "versions": {"en"}, "addressee": {"0"}, "attach": {"pdf"}, "confirm": {"1"}}).Expect(t, http.StatusNotFound)
	}
}
