package models_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"

	"github.com/emersion/go-smtp"

	"undersigned/models"
	"undersigned/models/mail"
	"undersigned/models/modeltest"
)

// addressedLetter is seed 003's letter, open, with three addressee lines,
// its list published as of the store's day.
func addressedLetter(t *testing.T, s *models.Store) (*models.User, *models.Letter, *models.Snapshot) {
	t.Helper()
	ctx := context.Background()
	u, l := openLetter(t, s)
	text := modeltest.Azerbaijan
	text.Addressees = "Commissioner for Human Rights, Council of Europe\nPermanent Representatives to the UN\nThe President of Azerbaijan"
	if err := s.UpdateLetterText(ctx, u.ID, l, text); err != nil {
		t.Fatal(err)
	}
	l = reload(t, s, l.Slug)
	snap, err := s.PublishSnapshot(ctx, l, "Anonymous")
	if err != nil {
		t.Fatal(err)
	}
	return u, l, snap
}

// dueMail is the outbox's due messages as the mailer reads them, files
// and all, each recorded with what outcome says became of it.
func dueMail(t *testing.T, s *models.Store, outcome func(mail.Message) mail.Delivery) []mail.Message {
	t.Helper()
	var got []mail.Message
	deliverDue(t, s, func(m mail.Message) mail.Delivery {
		got = append(got, m)
		return outcome(m)
	})
	return got
}

// A coordinator delivers the dated list to the addressees with an address:
// each gets an email with the packet and Reply-To, as the mailer reads it
// from the outbox; the delivery records what became of each (sent,
// bounced); an addressee without an address is refused unless the letter
// was delivered by hand; a second delivery of the list to an addressee
// needs confirming.
func TestDeliveryGoesThroughTheOutbox(t *testing.T) {
	ctx := context.Background()
	s := modeltest.Open(t)
	stoppedClock(s, asOf)
	u, l, snap := addressedLetter(t, s)
	err := s.SaveAddressees(ctx, l, []models.AddresseeDetails{
		{Role: "Commissioner", Email: "commissioner@coe.example"}, {Email: "un@mission.example"}, {Role: "President"}})
	if err != nil {
		t.Fatal(err)
	}
	addressees, err := s.Addressees(ctx, l)
	if err != nil || len(addressees) != 3 || addressees[0].Name() != "Commissioner" || addressees[1].Name() != "Permanent Representatives to the UN" || addressees[2].Email != "" {
		t.Fatalf("addressees %+v (%v)", addressees, err)
	}
	pdf := []byte("%PDF-1.7 the packet\x00\xff")
	compose := func(a models.Addressee) models.Message {
		return models.Message{To: a.Email, Subject: l.Title, Body: "Dear " + a.Name(), ReplyTo: "office@icdr.example",
			Attachments: []mail.Attachment{{Filename: "letter.pdf", ContentType: "application/pdf", Data: pdf}}}
	}
	delivery := func(positions []int, byHand string, again bool) models.NewDelivery {
		return models.NewDelivery{Snapshot: snap, Versions: []string{"en"}, Positions: positions, Attach: models.AttachPDF,
			ByHand: byHand, DeliveredOn: asOf, Again: again}
	}

	detail := func(n int) string { return strconv.Itoa(n) + " addressees" }

	var noAddress *models.NoAddress
	if _, err := s.Deliver(ctx, l, u.ID, delivery([]int{0, 2}, "", false), compose, detail); !errors.As(err, &noAddress) || !slices.Equal(noAddress.Addressees, []string{"President"}) {
		t.Errorf("emailing an addressee without an address: %v", err)
	}
	if _, err := s.Deliver(ctx, l, u.ID, delivery(nil, "", false), compose, detail); !errors.Is(err, models.ErrNoAddressee) {
		t.Errorf("a delivery to no one: %v", err)
	}
	if _, err := s.Deliver(ctx, l, u.ID, delivery([]int{0, 1}, "", false), compose, detail); err != nil {
		t.Fatal(err)
	}
	refusal := &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user"}
	sent := dueMail(t, s, func(m mail.Message) mail.Delivery {
		if m.To == "un@mission.example" {
			return mail.Delivery{Err: refusal}
		}
		return mail.Delivery{}
	})
	if len(sent) != 2 {
		t.Fatalf("the outbox held %d emails, want 2", len(sent))
	}
	for _, m := range sent {
		if m.ReplyTo != "office@icdr.example" || len(m.Attachments) != 1 || !bytes.Equal(m.Attachments[0].Data, pdf) || m.Attachments[0].Filename != "letter.pdf" {
			t.Errorf("email to %s: Reply-To %q, files %+v; want the packet and the organisation's address", m.To, m.ReplyTo, m.Attachments)
		}
	}

	var before *models.DeliveredBefore
	if _, err := s.Deliver(ctx, l, u.ID, delivery([]int{1, 2}, "by post", false), compose, detail); !errors.As(err, &before) || !slices.Equal(before.Addressees, []string{"Permanent Representatives to the UN"}) {
		t.Errorf("delivering the list again, unconfirmed: %v", err)
	}
	if _, err := s.Deliver(ctx, l, u.ID, delivery([]int{1, 2}, "by post", true), compose, detail); err != nil {
		t.Fatalf("delivering by hand, confirmed: %v", err)
	}
	if again := dueMail(t, s, func(mail.Message) mail.Delivery { return mail.Delivery{} }); len(again) != 0 {
		t.Errorf("a delivery by hand emailed %d addressees", len(again))
	}

	// The audit log has the two deliveries made, by whom; not those refused.
	entries, err := s.AuditLog(ctx, l, 10)
	if err != nil {
		t.Fatal(err)
	}
	var delivered []string
	for _, e := range entries {
		if e.Action == models.AuditDeliver && e.UserID != nil && *e.UserID == u.ID {
			delivered = append(delivered, e.Detail)
		}
	}
	if !slices.Equal(delivered, []string{"2 addressees", "2 addressees"}) {
		t.Errorf("the audit log's deliveries: %q, want two, to 2 addressees each", delivered)
	}

	got, err := s.Deliveries(ctx, l.ID, 10)
	if err != nil || len(got) != 2 {
		t.Fatalf("%d deliveries (%v), want 2", len(got), err)
	}
	var outcomes []string
	for _, d := range got {
		if !d.AsOf.Equal(snap.AsOf) {
			t.Errorf("delivery %d of the list as of %v, want %v", d.ID, d.AsOf, snap.AsOf)
		}
		for _, r := range d.Recipients {
			outcomes = append(outcomes, r.Name()+": "+r.Outcome)
		}
	}
	want := []string{"Permanent Representatives to the UN: by_hand", "President: by_hand", "Commissioner: sent", "Permanent Representatives to the UN: bounced"}
	if !slices.Equal(outcomes, want) {
		t.Errorf("outcomes %q, want %q", outcomes, want)
	}
}

// An addressee's role and address follow its line when the coordinator
// moves it in the letter's "To:", and go with it when the line is
// rewritten: no address ends up on another addressee's line.
func TestAddresseeDetailsFollowTheirLine(t *testing.T) {
	ctx := context.Background()
	s := modeltest.Open(t)
	u, l, _ := addressedLetter(t, s)
	err := s.SaveAddressees(ctx, l, []models.AddresseeDetails{{Role: "Commissioner", Email: "commissioner@coe.example"}, {}, {Email: "president@gov.example"}})
	if err != nil {
		t.Fatal(err)
	}
	text := modeltest.Azerbaijan
	text.Addressees = "The Secretary General of the UN\nCommissioner for Human Rights, Council of Europe\nThe President of the Republic of Azerbaijan"
	if err := s.UpdateLetterText(ctx, u.ID, l, text); err != nil {
		t.Fatal(err)
	}
	got, err := s.Addressees(ctx, reload(t, s, l.Slug))
	if err != nil {
		t.Fatal(err)
	}
	var emails []string
	for _, a := range got {
		emails = append(emails, a.Name()+" <"+a.Email+">")
	}
	want := []string{"The Secretary General of the UN <>", "Commissioner <commissioner@coe.example>", "The President of the Republic of Azerbaijan <>"}
	if !slices.Equal(emails, want) {
		t.Errorf("after the lines moved: %q, want %q", emails, want)
	}
}
