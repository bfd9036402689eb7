package models_test

import (
	"context"
	"errors"
	"io"
	"log"
	"log/slog"
	"maps"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"undersigned/models"
	"undersigned/models/mail"
	"undersigned/models/modeltest"
)

// inviteMail is an invitation carrying its bare token, for tests that
// read the outbox.
func inviteMail(e models.InvitationEmail) models.Message {
	subject := "Invitation: " + e.Letter.Title
	if e.Reminder {
		subject = "Reminder: " + e.Letter.Title
	}
	return models.Message{To: e.Contact.Email, Lang: e.Letter.Lang, Subject: subject, Body: "token " + e.Token}
}

// campaign is an open letter of ICDR's with partners in its directory.
type campaign struct {
	s      *models.Store
	user   *models.User
	org    int64
	letter *models.Letter
}

func newCampaign(t *testing.T, s *models.Store) *campaign {
	t.Helper()
	u, l := openLetter(t, s)
	modeltest.ListAtOnce(t, s, l)
	return &campaign{s: s, user: u, org: l.OrganisationID, letter: reload(t, s, l.Slug)}
}

// partner adds a partner of country with a contact for each address.
func (c *campaign) partner(t *testing.T, org int64, name, country string, emails ...string) *models.Partner {
	t.Helper()
	return c.partnerWith(t, org, models.PartnerInput{Name: name, Countries: country}, emails...)
}

// partnerWith adds a partner with a contact for each address.
func (c *campaign) partnerWith(t *testing.T, org int64, in models.PartnerInput, emails ...string) *models.Partner {
	t.Helper()
	p, err := c.s.AddPartner(context.Background(), org, in)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range emails {
		if _, err := c.s.AddPartnerContact(context.Background(), p.ID, models.PartnerContact{Name: "Contact " + e, Role: "Director", Email: e}); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

func (c *campaign) invite(t *testing.T, partners ...*models.Partner) int {
	t.Helper()
	ids := make([]int64, len(partners))
	for i, p := range partners {
		ids[i] = p.ID
	}
	n, err := c.s.Invite(context.Background(), c.letter, c.user.ID, ids, inviteMail)
	if err != nil {
		t.Fatalf("invite: %v", err)
	}
	return n
}

// tokens returns the tokens of the invitations and reminders mailed to
// address, oldest first, and checks that each outbox row names its contact.
func tokens(t *testing.T, s *models.Store, address string) []string {
	t.Helper()
	msgs, err := s.DueMessages(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range msgs {
		if m.Recipient == address && strings.HasPrefix(m.Body, "token ") {
			if m.ContactID == nil {
				t.Errorf("the invitation to %s has no contact_id", address)
			}
			out = append(out, strings.TrimPrefix(m.Body, "token "))
		}
	}
	return out
}

// The picker offers the partners of the letter's organisation not invited
// yet, filtered; inviting writes one invitation per contact, with its
// email, and a partner already invited, or another organisation's, is
// skipped.
func TestInviteOncePerPartnerFromOwnDirectory(t *testing.T) {
	s := modeltest.Open(t)
	c := newCampaign(t, s)
	ctx := context.Background()
	cnis := c.partner(t, c.org, "CNIS", "AZ", "anar@cnis.example", "leyla@cnis.example")
	krik := c.partner(t, c.org, "KRIK", "RS", "stevan@krik.example")
	_, other := modeltest.Coordinator(t, s, "someone@elsewhere.example", "Elsewhere")
	foreign := c.partner(t, other, "Foreign partner", "AZ", "x@foreign.example")

	picked, total, err := s.InvitablePartners(ctx, c.letter, c.user.ID, models.PartnerPick{Country: "AZ", Limit: 10})
	if err != nil || total != 1 || len(picked) != 1 || picked[0].ID != cnis.ID || len(picked[0].Contacts) != 2 {
		t.Fatalf("partners in AZ to invite: %+v (%d), %v; want CNIS with its 2 contacts", picked, total, err)
	}
	if n := c.invite(t, cnis, foreign); n != 2 {
		t.Errorf("inviting CNIS and another organisation's partner sent %d invitations, want CNIS's 2", n)
	}
	if got := tokens(t, s, "x@foreign.example"); len(got) != 0 {
		t.Errorf("another organisation's partner was mailed")
	}
	if n := c.invite(t, cnis, krik); n != 1 {
		t.Errorf("inviting CNIS again with KRIK sent %d invitations, want KRIK's 1", n)
	}
	if got := tokens(t, s, "anar@cnis.example"); len(got) != 1 {
		t.Errorf("anar was mailed %d invitations, want 1", len(got))
	}
	_, total, err = s.InvitablePartners(ctx, c.letter, c.user.ID, models.PartnerPick{Limit: 10})
	if err != nil || total != 0 {
		t.Errorf("after inviting everyone, %d partners are still offered (%v)", total, err)
	}
	board, total, err := s.InvitationBoard(ctx, c.letter, "", 0, 10)
	if err != nil || total != 3 || len(board) != 3 || board[0].PartnerName != "CNIS" || board[0].Status() != models.InvitationInvited {
		t.Errorf("board: %+v (%d), %v", board, total, err)
	}
}

// The picker filters the partners not invited yet by country, by tag, and
// by a past letter of the organisation they signed: through its
// invitation, from one of their domains, or under their name.
func TestPickerFilters(t *testing.T) {
	s, dsn := modeltest.OpenDSN(t)
	c := newCampaign(t, s)
	ctx := context.Background()
	krik := c.partnerWith(t, c.org, models.PartnerInput{Name: "KRIK", Countries: "RS", Tags: "media\nbalkans"}, "stevan@krik.example")
	c.partnerWith(t, c.org, models.PartnerInput{Name: "Sapari", Countries: "GE\nAZ", Tags: "women_rights"})
	civic := c.partnerWith(t, c.org, models.PartnerInput{Name: "Civic IDEA", Countries: "GE"})
	// Written behind the store's back: AddPartner cannot store domains on
	// main yet (GORM upserts them on a key that is not the table's).
	_, err := modeltest.RawDB(t, dsn).Exec("INSERT INTO partner_domains (organisation_id, domain, partner_id) VALUES ($1, 'civicidea.example', $2)", c.org, civic.ID)
	if err != nil {
		t.Fatal(err)
	}
	c.partnerWith(t, c.org, models.PartnerInput{Name: "CERAP", Countries: "FR", Tags: "media%"})

	past, err := s.CreateLetter(ctx, c.user.ID, c.org, models.LetterText{Title: "An earlier letter"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetLetterState(ctx, past, models.StateOpen); err != nil {
		t.Fatal(err)
	}
	modeltest.ListAtOnce(t, s, past)
	if n, err := s.Invite(ctx, past, c.user.ID, []int64{krik.ID}, inviteMail); err != nil || n != 1 {
		t.Fatalf("invite KRIK to the earlier letter: %d, %v", n, err)
	}
	in := models.NewSignature{Name: "Stevan", Country: "RS", Email: "stevan@krik.example", Display: models.DisplayFull}
	if _, err := s.SignByInvitation(ctx, tokens(t, s, "stevan@krik.example")[0], in, modeltest.Mail); err != nil {
		t.Fatal(err)
	}
	for _, form := range []models.NewSignature{
		{Kind: models.KindOrganisation, Name: "Baia", Affiliation: "Sapari", Country: "GE", Email: "baia@mail.example", Display: models.DisplayFull},
		{Kind: models.KindOrganisation, Name: "Tinatin", Affiliation: "Civic Idea Georgia", Country: "GE", Email: "tk@civicidea.example", Display: models.DisplayFull},
		{Kind: models.KindIndividual, Name: "Nicolas Tenzer", Affiliation: "CERAP", Country: "FR", Email: "nt@mail.example", Display: models.DisplayFull},
	} {
		if _, err := s.AddSignature(ctx, past.ID, form, modeltest.Mail); err != nil {
			t.Fatal(err)
		}
	}

	// Another organisation's letter that KRIK signed: the picker does not
	// read it, until the organisation co-initiates it.
	other, elsewhere := openLetterOf(t, s, "c@third.example", "Third")
	modeltest.ListAtOnce(t, s, elsewhere)
	krikThere := models.NewSignature{Kind: models.KindOrganisation, Name: "Stevan", Affiliation: "KRIK", Country: "RS", Email: "stevan@krik.example", Display: models.DisplayFull}
	if _, err := s.AddSignature(ctx, elsewhere.ID, krikThere, modeltest.Mail); err != nil {
		t.Fatal(err)
	}
	coinitiated := coInvite(t, s, elsewhere, other, "coordinator@icdr.example")

	for _, tc := range []struct {
		name string
		pick models.PartnerPick
		want string
	}{
		{"country", models.PartnerPick{Country: "GE"}, "Civic IDEA, Sapari"},
		{"second country", models.PartnerPick{Country: "AZ"}, "Sapari"},
		{"tag", models.PartnerPick{Tag: "media"}, "KRIK"},
		{"tag with a wildcard", models.PartnerPick{Tag: "women_rights"}, "Sapari"},
		{"signed a past letter", models.PartnerPick{SignedLetter: past.ID}, "Civic IDEA, KRIK, Sapari"},
		{"another organisation's letter", models.PartnerPick{SignedLetter: elsewhere.ID}, ""},
		{"no such letter", models.PartnerPick{SignedLetter: past.ID + 100}, ""},
		{"no filter", models.PartnerPick{}, "CERAP, Civic IDEA, KRIK, Sapari"},
	} {
		tc.pick.Limit = 10
		got, total, err := s.InvitablePartners(ctx, c.letter, c.user.ID, tc.pick)
		var names []string
		for _, p := range got {
			names = append(names, p.Name)
		}
		if err != nil || strings.Join(names, ", ") != tc.want || int(total) != len(got) {
			t.Errorf("%s: %v (%d), %v; want %s", tc.name, names, total, err, tc.want)
		}
	}

	if err := s.AcceptCoInitiation(ctx, coinitiated, c.user.ID, c.org); err != nil {
		t.Fatal(err)
	}
	got, _, err := s.InvitablePartners(ctx, c.letter, c.user.ID, models.PartnerPick{SignedLetter: elsewhere.ID, Limit: 10})
	if err != nil || len(got) != 1 || got[0].Name != "KRIK" {
		t.Errorf("signed a letter the organisation co-initiates: %v, %v; want KRIK", got, err)
	}
}

// An invitation's link signs once for its partner, on a letter signed by
// invitation only: listed and counted at once, verified by the invitation;
// then the link, and the partner's other contacts' links, sign no more,
// and a declined invitation signs never.
func TestInvitationSignsOnce(t *testing.T) {
	s, dsn := modeltest.OpenDSN(t)
	c := newCampaign(t, s)
	ctx := context.Background()
	if _, err := modeltest.RawDB(t, dsn).Exec("UPDATE letters SET invitations_only = TRUE WHERE id = $1", c.letter.ID); err != nil {
		t.Fatal(err)
	}
	cnis := c.partner(t, c.org, "CNIS", "AZ", "anar@cnis.example", "leyla@cnis.example")
	krik := c.partner(t, c.org, "KRIK", "RS", "stevan@krik.example")
	c.invite(t, cnis, krik)
	anar, leyla, stevan := tokens(t, s, "anar@cnis.example")[0], tokens(t, s, "leyla@cnis.example")[0], tokens(t, s, "stevan@krik.example")[0]
	in := models.NewSignature{Name: "Anar Mammadli", Role: "Chair", Country: "AZ", Email: "anar@cnis.example", Display: models.DisplayFull, Affiliation: "Not CNIS"}

	inv, err := s.SignByInvitation(ctx, anar, in, modeltest.Mail)
	if err != nil {
		t.Fatalf("sign by invitation: %v", err)
	}
	l := reload(t, s, c.letter.Slug)
	sigs, err := s.Signatories(ctx, l, 0, 10)
	if err != nil || l.OrganisationCount != 1 || len(sigs) != 1 || sigs[0].Affiliation != "CNIS" {
		t.Fatalf("after signing by invitation the letter counts %d organisations, lists %+v (%v); want CNIS", l.OrganisationCount, sigs, err)
	}
	if inv.Invitation.SignatureID == nil || inv.Invitation.SignedAt == nil {
		t.Errorf("the invitation does not record its signature: %+v", inv.Invitation)
	}
	all, _, err := s.CoordinatorSignatures(ctx, l, 0, 10)
	if err != nil || len(all) != 1 || all[0].Verified != models.VerifiedByInvitation || all[0].ID != *inv.Invitation.SignatureID {
		t.Errorf("the signatures are %+v (%v); want one, verified by invitation", all, err)
	}

	for _, tc := range []struct {
		name, token string
		want        error
	}{
		{"the same link again", anar, models.ErrInvitationUsed},
		{"another contact of the partner", leyla, models.ErrOrganisationSigned},
	} {
		in.Email = "other@cnis.example"
		if _, err := s.SignByInvitation(ctx, tc.token, in, modeltest.Mail); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	if _, err := s.DeclineInvitation(ctx, anar, "changed our mind"); !errors.Is(err, models.ErrInvitationUsed) {
		t.Errorf("declining a used invitation: %v", err)
	}

	for range 2 { // declining twice is harmless
		if _, err := s.DeclineInvitation(ctx, stevan, "Not our topic"); err != nil {
			t.Fatalf("decline: %v", err)
		}
	}
	in.Email = "stevan@krik.example"
	if _, err := s.SignByInvitation(ctx, stevan, in, modeltest.Mail); !errors.Is(err, models.ErrInvitationDeclined) {
		t.Errorf("signing a declined invitation: %v", err)
	}
	if l := reload(t, s, c.letter.Slug); l.SignatureCount() != 1 {
		t.Errorf("the letter counts %d signatures, want 1", l.SignatureCount())
	}
	declined, _, err := s.InvitationBoard(ctx, c.letter, models.InvitationDeclined, 0, 10)
	if err != nil || len(declined) != 1 || declined[0].DeclineReason != "Not our topic" {
		t.Errorf("declined on the board: %+v, %v", declined, err)
	}
	signed, _, err := s.InvitationBoard(ctx, c.letter, models.InvitationSigned, 0, 10)
	if err != nil || len(signed) != 1 || signed[0].SignerName != "Anar Mammadli" || signed[0].SignerRole != "Chair" {
		t.Errorf("signed on the board: %+v, %v", signed, err)
	}
}

// An organisation that signed through the public form is not signed twice
// through its invitation; and a closed letter's invitation signs nothing.
func TestInvitationAfterFormOrClosing(t *testing.T) {
	s := modeltest.Open(t)
	c := newCampaign(t, s)
	ctx := context.Background()
	cnis := c.partner(t, c.org, "CNIS", "AZ", "anar@cnis.example")
	krik := c.partner(t, c.org, "KRIK", "RS", "stevan@krik.example")
	c.invite(t, cnis, krik)
	form := models.NewSignature{Kind: models.KindOrganisation, Name: "Leyla", Affiliation: "cnis ", Country: "AZ", Email: "leyla@cnis.example", Display: models.DisplayFull}
	if _, err := s.AddSignature(ctx, c.letter.ID, form, modeltest.Mail); err != nil {
		t.Fatal(err)
	}
	in := models.NewSignature{Name: "Anar", Country: "AZ", Email: "anar@cnis.example", Display: models.DisplayFull}
	if _, err := s.OpenInvitation(ctx, tokens(t, s, "anar@cnis.example")[0]); !errors.Is(err, models.ErrOrganisationSigned) {
		t.Errorf("opening the invitation of an organisation that signed through the form: %v", err)
	}
	if _, err := s.SignByInvitation(ctx, tokens(t, s, "anar@cnis.example")[0], in, modeltest.Mail); !errors.Is(err, models.ErrOrganisationSigned) {
		t.Errorf("signing for an organisation that signed through the form: %v", err)
	}
	if err := s.SetLetterState(ctx, c.letter, models.StateClosed); err != nil {
		t.Fatal(err)
	}
	in.Email = "stevan@krik.example"
	if _, err := s.SignByInvitation(ctx, tokens(t, s, "stevan@krik.example")[0], in, modeltest.Mail); !errors.Is(err, models.ErrLetterClosed) {
		t.Errorf("signing a closed letter's invitation: %v", err)
	}
	if l := reload(t, s, c.letter.Slug); l.SignatureCount() != 1 {
		t.Errorf("the letter counts %d signatures, want the form's 1", l.SignatureCount())
	}
}

// Reminders go to the unanswered invitations last mailed at least the
// interval ago, each with a new link, and say how many were too recent.
func TestReminderWindow(t *testing.T) {
	s := modeltest.Open(t)
	c := newCampaign(t, s)
	ctx := context.Background()
	start := time.Now().UTC()
	now := start
	s.SetClock(func() time.Time { return now })
	cnis := c.partner(t, c.org, "CNIS", "AZ", "anar@cnis.example")
	krik := c.partner(t, c.org, "KRIK", "RS", "stevan@krik.example")
	sapari := c.partner(t, c.org, "Sapari", "GE", "baia@sapari.example")
	c.invite(t, cnis, krik, sapari)
	in := models.NewSignature{Name: "Baia", Country: "GE", Email: "baia@sapari.example", Display: models.DisplayFull}
	if _, err := s.SignByInvitation(ctx, tokens(t, s, "baia@sapari.example")[0], in, modeltest.Mail); err != nil {
		t.Fatal(err)
	}
	const every = 3 * 24 * time.Hour
	for _, step := range []struct {
		after time.Duration
		want  models.Reminded
	}{
		{24 * time.Hour, models.Reminded{Sent: 0, TooRecent: 2}},
		{every, models.Reminded{Sent: 2, TooRecent: 0}},
		{every + time.Hour, models.Reminded{Sent: 0, TooRecent: 2}},
		{2 * every, models.Reminded{Sent: 2, TooRecent: 0}},
	} {
		now = start.Add(step.after)
		got, err := s.RemindInvitations(ctx, c.letter, c.user.ID, every, inviteMail)
		if err != nil || got != step.want {
			t.Errorf("reminding after %s: %+v, %v; want %+v", step.after, got, err, step.want)
		}
	}
	anar := tokens(t, s, "anar@cnis.example")
	if len(anar) != 3 || len(tokens(t, s, "baia@sapari.example")) != 1 {
		t.Fatalf("anar got %d emails, want the invitation and 2 reminders; baia, who signed, %d", len(anar), len(tokens(t, s, "baia@sapari.example")))
	}
	if _, err := s.OpenInvitation(ctx, anar[0]); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("the link before the reminder: %v, want it replaced", err)
	}
	if inv, err := s.OpenInvitation(ctx, anar[2]); err != nil || inv.Partner.Name != "CNIS" {
		t.Errorf("the reminder's link: %v", err)
	}
	reminded, _, err := s.InvitationBoard(ctx, c.letter, models.InvitationReminded, 0, 10)
	if err != nil || len(reminded) != 1 || len(reminded[0].Reminders) != 2 || reminded[0].PartnerName != "KRIK" {
		t.Errorf("reminded on the board: %+v, %v; want KRIK with 2 reminders (CNIS's link was opened)", reminded, err)
	}
}

// refusingRelay is an SMTP server in the test process that refuses one
// recipient for good (550 5.1.1), as for an address that does not exist,
// and takes the others.
type refusingRelay struct {
	unknown string
	mu      sync.Mutex
	taken   []string
}

func (r *refusingRelay) NewSession(*smtp.Conn) (smtp.Session, error) { return &refusingSession{r}, nil }

type refusingSession struct{ relay *refusingRelay }

func (s *refusingSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *refusingSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if to == s.relay.unknown {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user"}
	}
	s.relay.mu.Lock()
	defer s.relay.mu.Unlock()
	s.relay.taken = append(s.relay.taken, to)
	return nil
}
func (s *refusingSession) Data(r io.Reader) error { _, err := io.Copy(io.Discard, r); return err }
func (s *refusingSession) Reset()                 {}
func (s *refusingSession) Logout() error          { return nil }

// deliverThrough sends the outbox through an SMTP relay on a loopback port
// that refuses unknown for good.
func deliverThrough(t *testing.T, s *models.Store, unknown string) {
	t.Helper()
	relay := &refusingRelay{unknown: unknown}
	srv := smtp.NewServer(relay)
	srv.Domain, srv.ErrorLog = "mx.test", log.New(io.Discard, "", 0)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	m := mail.New(mail.Config{Outbox: s, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), SMTP: &url.URL{Scheme: "smtp", Host: ln.Addr().String()},
		Connections: 1, From: "letters@undersigned.example", Site: &url.URL{Scheme: "https", Host: "undersigned.example"}, Poll: time.Hour, Retry: time.Minute})
	m.Deliver(context.Background())
	if c, ok := m.Sender.(io.Closer); ok {
		c.Close()
	}
}

// A contact whose address the mail server refuses for good is marked
// bounced: the board says so, and neither reminders nor new invitations
// mail it again; the partner's other contact goes on being mailed.
func TestBouncedContactIsNotMailedAgain(t *testing.T) {
	s := modeltest.Open(t)
	c := newCampaign(t, s)
	ctx := context.Background()
	cnis := c.partner(t, c.org, "CNIS", "AZ", "gone@cnis.example", "anar@cnis.example")
	c.invite(t, cnis)
	deliverThrough(t, s, "gone@cnis.example")

	bounced, _, err := s.InvitationBoard(ctx, c.letter, models.InvitationBounced, 0, 10)
	if err != nil || len(bounced) != 1 || bounced[0].ContactEmail != "gone@cnis.example" || bounced[0].BouncedAt == nil {
		t.Fatalf("bounced on the board: %+v, %v; want gone@cnis.example", bounced, err)
	}
	s.SetClock(func() time.Time { return time.Now().UTC().Add(10 * 24 * time.Hour) })
	got, err := s.RemindInvitations(ctx, c.letter, c.user.ID, time.Hour, inviteMail)
	if err != nil || got.Sent != 1 {
		t.Errorf("reminders: %+v, %v; want anar's only", got, err)
	}
	second, err := s.CreateLetter(ctx, c.user.ID, c.org, models.LetterText{Title: "A second letter"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetLetterState(ctx, second, models.StateOpen); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Invite(ctx, second, c.user.ID, []int64{cnis.ID}, inviteMail); err != nil || n != 1 {
		t.Errorf("inviting CNIS to a second letter sent %d invitations (%v), want anar's only", n, err)
	}
	if due := tokens(t, s, "gone@cnis.example"); len(due) != 0 {
		t.Errorf("the bounced address has %d emails waiting", len(due))
	}
}

// A partner answers once for all its contacts: when one of them signs, or
// declines, the others' invitations are answered too. No reminder goes to
// them (the partner would be chased for a letter it signed, and their
// link says so), and the overview counts partners, not contacts.
func TestOneContactAnswersForThePartner(t *testing.T) {
	s := modeltest.Open(t)
	c := newCampaign(t, s)
	ctx := context.Background()
	krik := c.partner(t, c.org, "KRIK", "RS", "stevan@krik.example", "office@krik.example")
	sapari := c.partner(t, c.org, "Sapari", "GE", "baia@sapari.example", "info@sapari.example")
	cnis := c.partner(t, c.org, "CNIS", "AZ", "anar@cnis.example", "office@cnis.example")
	if n := c.invite(t, krik, sapari, cnis); n != 6 {
		t.Fatalf("sent %d invitations, want 6", n)
	}
	in := models.NewSignature{Name: "Stevan", Country: "RS", Email: "stevan@krik.example", Display: models.DisplayFull}
	if _, err := s.SignByInvitation(ctx, tokens(t, s, "stevan@krik.example")[0], in, modeltest.Mail); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeclineInvitation(ctx, tokens(t, s, "baia@sapari.example")[0], "Not our topic"); err != nil {
		t.Fatal(err)
	}
	got, err := s.RemindInvitations(ctx, c.letter, c.user.ID, 0, inviteMail)
	if err != nil || got.Sent != 2 {
		t.Errorf("reminded %+v, %v; want CNIS's two contacts only", got, err)
	}
	for _, address := range []string{"office@krik.example", "info@sapari.example"} {
		if n := len(tokens(t, s, address)); n != 1 {
			t.Errorf("%s got %d emails, want the invitation only", address, n)
		}
	}
	if o, err := s.LetterOverview(ctx, c.letter); err != nil || o.Unanswered != 1 {
		t.Errorf("the overview counts %d partners unanswered, %v; want CNIS", o.Unanswered, err)
	}
	board, _, err := s.InvitationBoard(ctx, c.letter, "", 0, 10)
	status := map[string]string{}
	for i := range board {
		status[board[i].ContactEmail] = board[i].Status()
	}
	want := map[string]string{"stevan@krik.example": "signed", "office@krik.example": "answered", "baia@sapari.example": "declined",
		"info@sapari.example": "answered", "anar@cnis.example": "reminded", "office@cnis.example": "reminded"}
	if err != nil || !maps.Equal(status, want) {
		t.Errorf("the board says %v, %v; want %v", status, err, want)
	}
}
