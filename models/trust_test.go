package models_test

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"log/slog"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"undersigned/models"
	"undersigned/models/mail"
	"undersigned/models/modeltest"
)

const day = 24 * time.Hour

// testClock is a store clock that moves only when the test moves it, so
// that a test can step past a link's expiry or a letter's retention.
type testClock struct{ t time.Time }

func (c *testClock) now() time.Time          { return c.t }
func (c *testClock) advance(d time.Duration) { c.t = c.t.Add(d) }
func (c *testClock) set(t time.Time)         { c.t = t }

// stoppedClock puts the store on a testClock that starts at start.
func stoppedClock(s *models.Store, start time.Time) *testClock {
	c := &testClock{t: start}
	s.SetClock(c.now)
	return c
}

// asOf is the date of seed 003's list, where the stopped clocks start.
var asOf = time.Date(2024, 11, 11, 9, 0, 0, 0, time.UTC)

func person(name, country, email string) models.NewSignature {
	return models.NewSignature{Kind: models.KindIndividual, Name: name, Country: country, Email: email}
}

func organisation(name, country, email string) models.NewSignature {
	return models.NewSignature{Kind: models.KindOrganisation, Name: "Director", Affiliation: name, Country: country, Email: email}
}

func sign(t *testing.T, s *models.Store, l *models.Letter, in models.NewSignature) *models.Signed {
	t.Helper()
	signed, err := s.AddSignature(context.Background(), l.ID, in, modeltest.Mail)
	if err != nil {
		t.Fatalf("sign as %s: %v", in.Email, err)
	}
	return signed
}

// mailTo returns the messages due to be sent to one address, oldest first.
func mailTo(t *testing.T, s *models.Store, to string) []models.OutboxMessage {
	t.Helper()
	due, err := s.DueMessages(context.Background(), 100)
	if err != nil {
		t.Fatalf("outbox: %v", err)
	}
	var out []models.OutboxMessage
	for _, m := range due {
		if m.Recipient == to {
			out = append(out, m)
		}
	}
	return out
}

// mailedLinks reads the tokens of the links in the newest message to an
// address, as the signer would click them.
func mailedLinks(t *testing.T, s *models.Store, to string) (confirm, manage string) {
	t.Helper()
	msgs := mailTo(t, s, to)
	if len(msgs) == 0 {
		t.Fatalf("no mail to %s in the outbox", to)
	}
	for _, line := range strings.Split(msgs[len(msgs)-1].Body, "\n") {
		if v, ok := strings.CutPrefix(line, "confirm "); ok {
			confirm = v
		}
		if v, ok := strings.CutPrefix(line, "manage "); ok {
			manage = v
		}
	}
	return confirm, manage
}

// signAndConfirm signs and opens the emailed confirmation link, and returns
// the token of the signer's private link.
func signAndConfirm(t *testing.T, s *models.Store, l *models.Letter, in models.NewSignature) string {
	t.Helper()
	sign(t, s, l, in)
	confirm, manage := mailedLinks(t, s, in.Email)
	if _, _, err := s.Confirm(context.Background(), confirm); err != nil {
		t.Fatalf("confirm %s: %v", in.Email, err)
	}
	return manage
}

func statuses(t *testing.T, s *models.Store, l *models.Letter) map[models.SignatureStatus]int64 {
	t.Helper()
	got, err := s.StatusCounts(context.Background(), l.ID)
	if err != nil {
		t.Fatalf("status counts: %v", err)
	}
	return got
}

// entries reads a page of the public list as it reads in English.
func entries(t *testing.T, s *models.Store, l *models.Letter, offset int) []string {
	t.Helper()
	page, err := s.Signatories(context.Background(), l, offset, 100)
	if err != nil {
		t.Fatalf("signatories: %v", err)
	}
	out := []string{}
	for _, sig := range page {
		out = append(out, listEntry(&sig))
	}
	return out
}

func sectionEntries(t *testing.T, s *models.Store, l *models.Letter, kind models.SignatureKind) []string {
	t.Helper()
	page, err := s.SectionSignatories(context.Background(), l, kind, 0, 100)
	if err != nil {
		t.Fatalf("%s signatories: %v", kind, err)
	}
	out := []string{}
	for _, sig := range page {
		out = append(out, listEntry(&sig))
	}
	return out
}

// rawDB opens the store's file read-only beside the store, to see what is
// kept whatever the store's methods show.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// A signature reaches the list only once its signer opens the emailed link,
// and an organisation's only once a coordinator has checked it: a name typed
// by someone else never appears, nor counts.
func TestSignatureIsListedOnlyOnceConfirmed(t *testing.T) {
	tests := []struct {
		name      string
		sig       models.NewSignature
		confirmed models.SignatureStatus
		count     int64
	}{
		{"an individual is listed", person("Leyla Yunus", "AZ", "leyla@example.org"), models.StatusListed, 1},
		{"an organisation waits for review", organisation("Civic IDEA", "GE", "office@civicidea.example"), models.StatusInReview, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s := modeltest.Open(t)
			_, l := openLetter(t, s)
			signed := sign(t, s, l, tt.sig)

			if got, want := statuses(t, s, l), map[models.SignatureStatus]int64{models.StatusUnconfirmed: 1}; !maps.Equal(got, want) {
				t.Errorf("before confirmation: statuses %v, want %v", got, want)
			}
			l = reload(t, s, l.Slug)
			if l.SignatureCount() != 0 || len(entries(t, s, l, 0)) != 0 {
				t.Errorf("before confirmation: count %d, list %q; want nothing", l.SignatureCount(), entries(t, s, l, 0))
			}
			msgs := mailTo(t, s, tt.sig.Email)
			confirm, _ := mailedLinks(t, s, tt.sig.Email)
			if len(msgs) != 1 || signed.ConfirmToken == "" || confirm != signed.ConfirmToken {
				t.Fatalf("outbox holds %d messages to %s with confirm token %q, want one with %q", len(msgs), tt.sig.Email, confirm, signed.ConfirmToken)
			}

			got, _, err := s.Confirm(ctx, confirm)
			if err != nil || got.ID != l.ID {
				t.Fatalf("Confirm: letter %v, err %v", got, err)
			}
			if got, want := statuses(t, s, l), map[models.SignatureStatus]int64{tt.confirmed: 1}; !maps.Equal(got, want) {
				t.Errorf("after confirmation: statuses %v, want %v", got, want)
			}
			l = reload(t, s, l.Slug)
			if l.SignatureCount() != tt.count || int64(len(entries(t, s, l, 0))) != tt.count {
				t.Errorf("after confirmation: count %d, list %q; want %d", l.SignatureCount(), entries(t, s, l, 0), tt.count)
			}

			if _, _, err := s.Confirm(ctx, confirm); !errors.Is(err, models.ErrAlreadyConfirmed) {
				t.Errorf("second click: err = %v, want ErrAlreadyConfirmed", err)
			}
			if again := reload(t, s, l.Slug).SignatureCount(); again != tt.count {
				t.Errorf("second click changed the count to %d", again)
			}
		})
	}
}

// A link works until ConfirmationTTL has passed; an expired, unknown or
// mangled link lists nothing. Reading the link, as the page it opens does,
// tells the same and confirms nothing.
func TestConfirmationLinkExpires(t *testing.T) {
	clicked := func(token string) string { return token }
	tests := []struct {
		name  string
		after time.Duration
		link  func(token string) string
		want  error
	}{
		{"a minute before it expires", models.ConfirmationTTL - time.Minute, clicked, nil},
		{"when it expires", models.ConfirmationTTL, clicked, models.ErrLinkExpired},
		{"a month later", 30 * day, clicked, models.ErrLinkExpired},
		{"unknown", 0, func(string) string { return "bm90LWEtdG9rZW4" }, models.ErrNotFound},
		{"cut short by a mail client", 0, func(token string) string { return token[:len(token)-1] }, models.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := modeltest.Open(t)
			clock := stoppedClock(s, asOf)
			_, l := openLetter(t, s)
			signed := sign(t, s, l, person("Leyla Yunus", "AZ", "leyla@example.org"))
			clock.advance(tt.after)
			if _, _, err := s.Confirmation(context.Background(), tt.link(signed.ConfirmToken)); !errors.Is(err, tt.want) {
				t.Fatalf("Confirmation: err = %v, want %v", err, tt.want)
			}
			if got := reload(t, s, l.Slug).SignatureCount(); got != 0 {
				t.Fatalf("reading the link counts %d signatures", got)
			}
			_, _, err := s.Confirm(context.Background(), tt.link(signed.ConfirmToken))
			if !errors.Is(err, tt.want) {
				t.Fatalf("Confirm: err = %v, want %v", err, tt.want)
			}
			want := map[bool]int64{true: 1, false: 0}[tt.want == nil]
			if got := reload(t, s, l.Slug).SignatureCount(); got != want {
				t.Errorf("count = %d, want %d", got, want)
			}
		})
	}
}

// A signer whose link expired or got lost asks for another, from their
// private link or from the expired link itself: the new links work, the old
// ones no longer do, and there is still one signature.
func TestResendConfirmationReplacesTheLinks(t *testing.T) {
	tests := []struct {
		name string
		from func(confirm, manage string) string
	}{
		{"from the private link", func(_, manage string) string { return manage }},
		{"from the expired link", func(confirm, _ string) string { return confirm }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s := modeltest.Open(t)
			clock := stoppedClock(s, asOf)
			_, l := openLetter(t, s)
			leyla := person("Leyla Yunus", "AZ", "leyla@example.org")
			sign(t, s, l, leyla)
			oldConfirm, oldManage := mailedLinks(t, s, leyla.Email)
			clock.advance(models.ConfirmationTTL + day)

			returned, err := s.ResendConfirmation(ctx, tt.from(oldConfirm, oldManage), modeltest.Mail)
			if err != nil {
				t.Fatalf("resend: %v", err)
			}
			if n := len(mailTo(t, s, leyla.Email)); n != 2 {
				t.Fatalf("%d messages to the signer, want 2", n)
			}
			confirm, manage := mailedLinks(t, s, leyla.Email)
			if confirm == "" || confirm == oldConfirm || manage == oldManage || manage != returned {
				t.Fatalf("resent links confirm %q, manage %q (returned %q); old %q, %q", confirm, manage, returned, oldConfirm, oldManage)
			}
			if _, _, err := s.Confirm(ctx, oldConfirm); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("old confirmation link: err = %v, want ErrNotFound", err)
			}
			if _, _, err := s.SignatureByManageToken(ctx, oldManage); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("old private link: err = %v, want ErrNotFound", err)
			}
			if _, _, err := s.Confirm(ctx, confirm); err != nil {
				t.Fatalf("new confirmation link: %v", err)
			}
			if _, _, err := s.SignatureByManageToken(ctx, manage); err != nil {
				t.Errorf("new private link: %v", err)
			}
			l = reload(t, s, l.Slug)
			if _, total, err := s.CoordinatorSignatures(ctx, l, 0, 10); err != nil || total != 1 || l.SignatureCount() != 1 {
				t.Errorf("%d signatures stored (%v), count %d; want 1 and 1", total, err, l.SignatureCount())
			}
			if _, err := s.ResendConfirmation(ctx, manage, modeltest.Mail); !errors.Is(err, models.ErrAlreadyConfirmed) {
				t.Errorf("resend after confirmation: err = %v, want ErrAlreadyConfirmed", err)
			}
			if n := len(mailTo(t, s, leyla.Email)); n != 2 {
				t.Errorf("%d messages to the signer after a refused resend, want 2", n)
			}
		})
	}
}

// A coordinator narrows the review queue by kind and country and approves
// or rejects what it shows in one go. Approved signatures are listed and
// counted; a rejected one never is, and its email cannot sign again; each
// decision is in the audit log under the coordinator's name. Signatures of
// another organisation's letter are out of reach even by id.
func TestModerationInBulk(t *testing.T) {
	ctx := context.Background()
	s := modeltest.Open(t)
	u, l := openLetter(t, s)
	modeltest.ChangeSettings(t, s, l, func(st *models.LetterSettings) { st.ReviewIndividuals = true })
	for _, sig := range []models.NewSignature{
		organisation("Civic IDEA", "GE", "office@civicidea.example"),
		person("Ketevan Chachava", "GE", "ketevan@example.org"),
		organisation("Free Russia Foundation", "RU", "info@frf.example"),
		organisation("Sapari", "GE", "office@sapari.example"),
	} {
		signAndConfirm(t, s, l, sig)
	}
	other, otherOrg := modeltest.Coordinator(t, s, "other@example.org", "Other")
	elsewhere, err := s.CreateLetter(ctx, other.ID, otherOrg, models.LetterText{Title: "Another letter"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetLetterState(ctx, elsewhere, models.StateOpen); err != nil {
		t.Fatal(err)
	}
	signAndConfirm(t, s, elsewhere, organisation("Bystander", "GE", "office@bystander.example"))
	theirs, _, err := s.ReviewQueue(ctx, elsewhere, models.ReviewFilter{}, 0, 10)
	if err != nil || len(theirs) != 1 {
		t.Fatalf("other letter's queue: %v (%v)", theirs, err)
	}

	moderate := func(f models.ReviewFilter, approve bool, extra ...int64) (queued []string, changed int) {
		t.Helper()
		page, total, err := s.ReviewQueue(ctx, l, f, 0, 50)
		if err != nil || total != int64(len(page)) {
			t.Fatalf("queue %+v: %d of %d (%v)", f, len(page), total, err)
		}
		ids := extra
		for _, sig := range page {
			queued = append(queued, listEntry(&sig))
			ids = append(ids, sig.ID)
		}
		changed, err = s.Moderate(ctx, l, u.ID, ids, approve, listEntry)
		if err != nil {
			t.Fatalf("moderate %+v: %v", f, err)
		}
		return queued, changed
	}
	georgian := models.ReviewFilter{Kind: models.KindOrganisation, Country: "GE"}
	queued, changed := moderate(georgian, true, theirs[0].ID)
	if want := []string{"Civic IDEA, Georgia", "Sapari, Georgia"}; !slices.Equal(queued, want) || changed != 2 {
		t.Errorf("approved %q (%d changed), want %q (2)", queued, changed, want)
	}
	queued, changed = moderate(models.ReviewFilter{Country: "RU"}, false)
	if want := []string{"Free Russia Foundation, Russia"}; !slices.Equal(queued, want) || changed != 1 {
		t.Errorf("rejected %q (%d changed), want %q (1)", queued, changed, want)
	}
	if _, changed := moderate(georgian, true); changed != 0 {
		t.Errorf("approving an emptied queue changed %d", changed)
	}

	l = reload(t, s, l.Slug)
	if got, want := entries(t, s, l, 0), []string{"Civic IDEA, Georgia", "Sapari, Georgia"}; !slices.Equal(got, want) || l.SignatureCount() != 2 {
		t.Errorf("list %q, count %d; want %q, 2", got, l.SignatureCount(), want)
	}
	want := map[models.SignatureStatus]int64{models.StatusListed: 2, models.StatusRejected: 1, models.StatusInReview: 1}
	if got := statuses(t, s, l); !maps.Equal(got, want) {
		t.Errorf("statuses %v, want %v", got, want)
	}
	if _, err := s.AddSignature(ctx, l.ID, organisation("Free Russia Foundation", "RU", "info@frf.example"), modeltest.Mail); !errors.Is(err, models.ErrAlreadySigned) {
		t.Errorf("rejected email signs again: err = %v, want ErrAlreadySigned", err)
	}
	wantLog := []string{
		"Coordinator ICDR|approve|Civic IDEA, Georgia",
		"Coordinator ICDR|approve|Sapari, Georgia",
		"Coordinator ICDR|reject|Free Russia Foundation, Russia",
	}
	if got := auditLines(t, s, l); !slices.Equal(got, wantLog) {
		t.Errorf("audit log\n%q\nwant\n%q", got, wantLog)
	}
	if got := statuses(t, s, elsewhere); got[models.StatusInReview] != 1 || len(auditLines(t, s, elsewhere)) != 0 {
		t.Errorf("another organisation's letter was moderated: statuses %v, audit %q", got, auditLines(t, s, elsewhere))
	}
}

// An anonymous signer reads "Anonymous, Country" at the end of their
// section, whatever their name, so that the place tells nothing about it; a
// counted signer is in the count and on no list.
func TestAnonymousAndCountedSigners(t *testing.T) {
	ctx := context.Background()
	s := modeltest.Open(t)
	_, l := openLetter(t, s)
	modeltest.ListAtOnce(t, s, l)
	withDisplay := func(sig models.NewSignature, d models.Display) models.NewSignature {
		sig.Display = d
		return sig
	}
	var bummel string
	for _, in := range []models.NewSignature{
		withDisplay(person("Gubad Ibadoghlu", "FR", "gubad@example.org"), models.DisplayAnonymous),
		person("Nicolas Tenzer", "FR", "nicolas@example.org"),
		withDisplay(person("Carl Gershman", "US", "carl@example.org"), models.DisplayCounted),
		person("Andreas Bummel", "FR", "andreas@example.org"),
		withDisplay(organisation("Association Azerbaïdjanaise", "FR", "asso@example.org"), models.DisplayAnonymous),
		organisation("Civic IDEA", "GE", "office@civicidea.example"),
	} {
		signed := sign(t, s, l, in)
		if in.Email == "andreas@example.org" {
			bummel = signed.ManageToken
		}
	}
	organisations := []string{"Civic IDEA, Georgia", "Anonymous, France"}

	steps := []struct {
		display     models.Display
		individuals []string
		unlisted    int64
	}{
		{models.DisplayFull, []string{"Andreas Bummel, France", "Nicolas Tenzer, France", "Anonymous, France"}, 1},
		{models.DisplayCounted, []string{"Nicolas Tenzer, France", "Anonymous, France"}, 2},
		{models.DisplayAnonymous, []string{"Nicolas Tenzer, France", "Anonymous, France", "Anonymous, France"}, 1},
		{models.DisplayFull, []string{"Andreas Bummel, France", "Nicolas Tenzer, France", "Anonymous, France"}, 1},
	}
	for _, step := range steps {
		if err := s.SetDisplay(ctx, bummel, step.display, listEntry); err != nil {
			t.Fatalf("display %s: %v", step.display, err)
		}
		l = reload(t, s, l.Slug)
		if got := sectionEntries(t, s, l, models.KindIndividual); !slices.Equal(got, step.individuals) {
			t.Errorf("%s: individuals\n%q\nwant\n%q", step.display, got, step.individuals)
		}
		if got := sectionEntries(t, s, l, models.KindOrganisation); !slices.Equal(got, organisations) {
			t.Errorf("%s: organisations %q, want %q", step.display, got, organisations)
		}
		// Pages of the whole list count across sections by the named counters.
		if got, want := entries(t, s, l, len(organisations)), step.individuals; !slices.Equal(got, want) {
			t.Errorf("%s: list after the organisations %q, want %q", step.display, got, want)
		}
		named := int64(len(organisations) + len(step.individuals))
		if l.NamedCount() != named || l.UnlistedCount != step.unlisted || l.SignatureCount() != 6 {
			t.Errorf("%s: named %d, unlisted %d, count %d; want %d, %d, 6", step.display, l.NamedCount(), l.UnlistedCount, l.SignatureCount(), named, step.unlisted)
		}
	}
}

// A signature on its way to the list counts nowhere, whatever its display:
// choosing "counted" before confirming must not add to the count, and the
// coordinators' export holds only listed signatures, named ones first.
func TestPendingSignaturesCountNowhere(t *testing.T) {
	ctx := context.Background()
	s := modeltest.Open(t)
	_, l := openLetter(t, s)
	gershman := person("Carl Gershman", "US", "carl@example.org")
	sign(t, s, l, gershman)
	confirm, manage := mailedLinks(t, s, gershman.Email)
	if err := s.SetDisplay(ctx, manage, models.DisplayCounted, listEntry); err != nil {
		t.Fatal(err)
	}
	if l = reload(t, s, l.Slug); l.SignatureCount() != 0 {
		t.Errorf("unconfirmed counted signature: count %d, want 0", l.SignatureCount())
	}
	if _, _, err := s.Confirm(ctx, confirm); err != nil {
		t.Fatal(err)
	}
	signAndConfirm(t, s, l, person("Andreas Bummel", "FR", "andreas@example.org"))
	signAndConfirm(t, s, l, organisation("Civic IDEA", "GE", "office@civicidea.example")) // in review
	sign(t, s, l, person("Nicolas Tenzer", "FR", "nicolas@example.org"))                  // unconfirmed
	l = reload(t, s, l.Slug)
	if l.IndividualCount != 1 || l.OrganisationCount != 0 || l.UnlistedCount != 1 {
		t.Errorf("counts: %d individuals, %d organisations, %d unlisted; want 1, 0, 1", l.IndividualCount, l.OrganisationCount, l.UnlistedCount)
	}
	var exported []string
	err := s.EachSignature(ctx, l, func(sig *models.Signature) error {
		exported = append(exported, sig.Email)
		return nil
	})
	if want := []string{"andreas@example.org", "carl@example.org"}; err != nil || !slices.Equal(exported, want) {
		t.Errorf("export %q (%v), want %q", exported, err, want)
	}
}

// A signer withdraws through their private link, whatever became of their
// signature: it leaves the list and the count, nothing of it stays in the
// signatures, the audit log names no one, and the address may sign again.
func TestWithdrawErasesTheSignature(t *testing.T) {
	counted := person("Leyla Yunus", "AZ", "leyla@example.org")
	counted.Display = models.DisplayCounted
	tests := []struct {
		name    string
		sig     models.NewSignature
		confirm bool
	}{
		{"listed", person("Leyla Yunus", "AZ", "leyla@example.org"), true},
		{"counted, not named", counted, true},
		{"in review", organisation("Institute for Peace and Democracy", "AZ", "leyla@example.org"), true},
		{"unconfirmed", person("Leyla Yunus", "AZ", "leyla@example.org"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s, path := modeltest.OpenSQLite(t)
			_, l := openLetter(t, s)
			signAndConfirm(t, s, l, person("Andreas Bummel", "FR", "andreas@example.org"))
			sign(t, s, l, tt.sig)
			confirm, manage := mailedLinks(t, s, tt.sig.Email)
			if tt.confirm {
				if _, _, err := s.Confirm(ctx, confirm); err != nil {
					t.Fatal(err)
				}
			}

			got, err := s.Withdraw(ctx, manage)
			if err != nil || got.ID != l.ID {
				t.Fatalf("Withdraw: letter %v, err %v", got, err)
			}
			l = reload(t, s, l.Slug)
			if list := entries(t, s, l, 0); l.SignatureCount() != 1 || l.UnlistedCount != 0 || !slices.Equal(list, []string{"Andreas Bummel, France"}) {
				t.Errorf("after withdrawal: count %d (unlisted %d), list %q; want the other signer only", l.SignatureCount(), l.UnlistedCount, list)
			}
			var left int
			err = rawDB(t, path).QueryRow(`SELECT COUNT(*) FROM signatures WHERE email LIKE '%leyla%' OR email_key LIKE '%leyla%'
				OR name LIKE '%Leyla%' OR affiliation LIKE '%Institute%'`).Scan(&left)
			if err != nil || left != 0 {
				t.Errorf("%d signature rows still hold the withdrawn signer (%v)", left, err)
			}
			if got, want := auditLines(t, s, l), []string{"|withdraw|"}; !slices.Equal(got, want) {
				t.Errorf("audit log %q, want %q", got, want)
			}
			if _, err := s.Withdraw(ctx, manage); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("second withdrawal: err = %v, want ErrNotFound", err)
			}
			if _, err := s.AddSignature(ctx, l.ID, tt.sig, modeltest.Mail); err != nil {
				t.Errorf("signing again after withdrawing: %v", err)
			}
		})
	}
}

// Signers' emails and private links are erased once a letter has been
// closed for its retention days; the names stay on the list as their signers
// chose. Signatures never confirmed go a week after their link expired, and
// old mail leaves the outbox.
func TestEraseExpired(t *testing.T) {
	ctx := context.Background()
	s := modeltest.Open(t)
	now := asOf.AddDate(1, 0, 0)
	clock := stoppedClock(s, now.AddDate(-1, 0, 0))
	u, org := modeltest.Coordinator(t, s, "coordinator@icdr.example", "ICDR")
	daysAgo := func(n int) time.Time { return now.AddDate(0, 0, -n) }
	tests := []struct {
		name          string
		closedDaysAgo int // 0: not closed by hand
		closingDate   int // days ago of the last day of signing; 0: none
		reopen        bool
		retention     int // 0: the default, 180
		erased        bool
	}{
		{name: "closed 181 days ago", closedDaysAgo: 181, erased: true},
		{name: "closed 179 days ago", closedDaysAgo: 179},
		{name: "closing date 182 days ago", closingDate: 182, erased: true},
		{name: "closing date 100 days ago", closingDate: 100},
		{name: "closed 31 days ago, kept 30 days", closedDaysAgo: 31, retention: 30, erased: true},
		{name: "closed 300 days ago, reopened", closedDaysAgo: 300, reopen: true},
		{name: "open"},
	}
	letters := make([]*models.Letter, len(tests))
	manage := make([]string, len(tests))
	for i, tt := range tests {
		clock.set(now.AddDate(-1, 0, 0))
		l, err := s.CreateLetter(ctx, u.ID, org, models.LetterText{Title: tt.name})
		if err != nil {
			t.Fatal(err)
		}
		modeltest.ChangeSettings(t, s, l, func(st *models.LetterSettings) {
			if tt.closingDate > 0 {
				last := daysAgo(tt.closingDate).Truncate(day)
				st.ClosesOn = &last
			}
			if tt.retention > 0 {
				st.RetentionDays = tt.retention
			}
		})
		if err := s.SetLetterState(ctx, l, models.StateOpen); err != nil {
			t.Fatal(err)
		}
		in := person("Leyla Yunus", "AZ", "signer"+l.Slug+"@example.org")
		manage[i] = signAndConfirm(t, s, l, in)
		if tt.closedDaysAgo > 0 {
			clock.set(daysAgo(tt.closedDaysAgo))
			if err := s.SetLetterState(ctx, l, models.StateClosed); err != nil {
				t.Fatal(err)
			}
		}
		if tt.reopen {
			if err := s.SetLetterState(ctx, l, models.StateOpen); err != nil {
				t.Fatal(err)
			}
		}
		letters[i] = l
	}
	// Two signers who never confirmed: one link expired eight days ago, one six.
	pending, err := s.CreateLetter(ctx, u.ID, org, models.LetterText{Title: "Pending"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetLetterState(ctx, pending, models.StateOpen); err != nil {
		t.Fatal(err)
	}
	clock.set(daysAgo(15))
	sign(t, s, pending, person("Gone Soon", "FR", "gone@example.org"))
	clock.set(daysAgo(13))
	sign(t, s, pending, person("Still Time", "FR", "waiting@example.org"))

	clock.set(now)
	got, err := s.EraseExpired(ctx)
	// One email for each erased letter; the confirmation mails of all but the
	// last pending signer are more than 14 days old.
	want := models.Erased{Emails: 3, Unconfirmed: 1, Messages: int64(len(tests)) + 1}
	if err != nil || got != want {
		t.Fatalf("EraseExpired = %+v (%v), want %+v", got, err, want)
	}
	for i, tt := range tests {
		l := reload(t, s, letters[i].Slug)
		if list := entries(t, s, l, 0); !slices.Equal(list, []string{"Leyla Yunus, Azerbaijan"}) {
			t.Errorf("%s: list %q, want the name kept", tt.name, list)
		}
		sigs, _, err := s.CoordinatorSignatures(ctx, l, 0, 10)
		if err != nil || len(sigs) != 1 {
			t.Fatalf("%s: signatures %v (%v)", tt.name, sigs, err)
		}
		sig := sigs[0]
		private := sig.Email != "" || sig.ManageTokenHash != nil || sig.ConfirmTokenHash != nil
		if private == tt.erased {
			t.Errorf("%s: email %q, links %v %v; want erased %v", tt.name, sig.Email, sig.ManageTokenHash, sig.ConfirmTokenHash, tt.erased)
		}
		if _, _, err := s.SignatureByManageToken(ctx, manage[i]); errors.Is(err, models.ErrNotFound) != tt.erased {
			t.Errorf("%s: private link after erasure: err = %v", tt.name, err)
		}
	}
	left, _, err := s.CoordinatorSignatures(ctx, pending, 0, 10)
	if err != nil || len(left) != 1 || left[0].Email != "waiting@example.org" {
		t.Errorf("unconfirmed signatures left: %v (%v), want the one whose link expired six days ago", left, err)
	}
	if again, err := s.EraseExpired(ctx); err != nil || again != (models.Erased{}) {
		t.Errorf("second run erased %+v (%v), want nothing", again, err)
	}
}

// A message that failed waits for its retry and keeps its attempts; a sent
// message is never sent again.
func TestOutboxRetriesUntilSent(t *testing.T) {
	s := modeltest.Open(t)
	clock := stoppedClock(s, asOf)
	_, l := openLetter(t, s)
	sign(t, s, l, person("Leyla Yunus", "AZ", "leyla@example.org"))
	due := mailTo(t, s, "leyla@example.org")
	if len(due) != 1 || due[0].Attempts != 0 {
		t.Fatalf("due %+v, want one fresh message", due)
	}
	id := due[0].ID
	// deliver hands the due messages to a mail server that answers with d,
	// and checks the message was the only one handed over.
	deliver := func(d mail.Delivery) {
		t.Helper()
		var handed []int64
		n := deliverDue(t, s, func(m mail.Message) mail.Delivery {
			handed = append(handed, m.ID)
			return d
		})
		if n != 1 || !slices.Equal(handed, []int64{id}) {
			t.Fatalf("delivered %d messages %v, want message %d alone", n, handed, id)
		}
	}
	for attempt := 1; attempt <= 2; attempt++ {
		deliver(mail.Delivery{Err: errors.New("451 4.7.1 try again later"), RetryIn: 10 * time.Minute})
		clock.advance(10*time.Minute - time.Second)
		if due := mailTo(t, s, "leyla@example.org"); len(due) != 0 {
			t.Errorf("attempt %d: due again before its retry: %+v", attempt, due)
		}
		clock.advance(time.Second)
		due := mailTo(t, s, "leyla@example.org")
		if len(due) != 1 || due[0].Attempts != attempt || due[0].LastError != "451 4.7.1 try again later" {
			t.Fatalf("attempt %d: due %+v, want the message with %d attempts and the error", attempt, due, attempt)
		}
	}
	deliver(mail.Delivery{})
	clock.advance(day)
	if due := mailTo(t, s, "leyla@example.org"); len(due) != 0 {
		t.Errorf("sent message due again: %+v", due)
	}
}

// deliverDue hands every due message, one at a time, to send and records
// each outcome, with the outbox's operations the mailer uses on s's
// database; it returns how many it handed over.
func deliverDue(t *testing.T, s *models.Store, send func(mail.Message) mail.Delivery) int {
	t.Helper()
	ctx := context.Background()
	if s.SharedOutbox() {
		for n := 0; ; n++ {
			_, ok, err := s.DeliverClaimed(ctx, send)
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				return n
			}
		}
	}
	due, err := s.DueMail(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range due {
		if err := s.RecordDelivery(ctx, m.ID, send(m)); err != nil {
			t.Fatal(err)
		}
	}
	return len(due)
}

// relay is a mail server that takes every email after a few milliseconds,
// and counts the emails it took and the ones it was taking at once.
type relay struct {
	mu         sync.Mutex
	took       map[int64]int
	busy, most int
}

func (r *relay) Send(_ context.Context, m mail.Message) error {
	r.mu.Lock()
	r.busy++
	r.most = max(r.most, r.busy)
	r.mu.Unlock()
	time.Sleep(5 * time.Millisecond) // as a mail server takes its time
	r.mu.Lock()
	defer r.mu.Unlock()
	r.busy--
	r.took[m.ID]++
	return nil
}

// Senders working at once share out the outbox: each message goes to one
// of them, once, no more go at once than the mailer has senders, and every
// outcome is recorded; a round hands out at most its limit.
func TestOutboxSendersShareTheMessages(t *testing.T) {
	ctx := context.Background()
	s := modeltest.Open(t)
	_, l := openLetter(t, s)
	const messages, senders, round = 60, 4, 50
	for i := range messages {
		sign(t, s, l, person("Signer", "FR", modeltest.SignerEmail(i)))
	}
	r := &relay{took: map[int64]int{}}
	m := &mail.Mailer{Outbox: s, Sender: r, Senders: senders, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Retry: time.Second}
	if n := m.Deliver(ctx); n != round || len(r.took) != round {
		t.Fatalf("the round handed %d messages, %d different; want %d", n, len(r.took), round)
	}
	if n := m.Deliver(ctx); n != messages-round {
		t.Fatalf("the next round handed %d messages, want the %d left", n, messages-round)
	}
	for id, k := range r.took {
		if k != 1 {
			t.Errorf("message %d handed %d times", id, k)
		}
	}
	if r.most < 2 || r.most > senders {
		t.Errorf("%d messages sent at once at most; want more than one, and at most the %d senders", r.most, senders)
	}
	if due, err := s.DueMessages(ctx, messages); err != nil || len(due) != 0 {
		t.Errorf("%d messages still due after every one was sent (%v)", len(due), err)
	}
}

// A database made before confirmation and review existed keeps its list,
// its counts and its record of removals when it is upgraded.
func TestUpgradeKeepsListAndRemovals(t *testing.T) {
	ctx := context.Background()
	// The upgrade runs on the database the suite runs on: the data
	// migrations are written once per dialect.
	dsn := modeltest.DSN(t)
	dialect, timestamp := "sqlite", "DATETIME"
	if models.IsPostgres(dsn) {
		dialect, timestamp = "postgres", "TIMESTAMPTZ"
	}
	db := modeltest.RawDB(t, dsn)
	schema, err := os.ReadFile("migrations/" + dialect + "/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	at := "2024-11-11 09:00:00+00:00"
	for _, stmt := range []string{
		string(schema),
		`CREATE TABLE schema_migrations (version TEXT PRIMARY KEY, applied_at ` + timestamp + ` NOT NULL)`,
		`INSERT INTO schema_migrations VALUES ('0001_init', '` + at + `')`,
		`INSERT INTO users VALUES (1, 'c@icdr.example', 'Coordinator ICDR', 'x', '` + at + `')`,
		`INSERT INTO organisations VALUES (1, 'ICDR', '` + at + `')`,
		`INSERT INTO letters (id, organisation_id, slug, title, state, published_at, individual_count, created_at, updated_at)
			VALUES (1, 1, 'azerbaijan', 'Joint statement', 'closed', '` + at + `', 1, '` + at + `', '` + at + `')`,
		`INSERT INTO signatures (letter_id, kind, name, affiliation, country, email, email_key, sort_name, sort_key, created_at)
			VALUES (1, 'individual', 'Leyla Yunus', 'Institute for Peace and Democracy', 'AZ', 'leyla@example.org', 'leyla@example.org', 'Yunus', 'yunus', '` + at + `')`,
		`INSERT INTO signature_removals (letter_id, removed_by, entry, reason, removed_at)
			VALUES (1, 1, 'Andreas Bummel, France', 'Not a real person', '` + at + `')`,
		`INSERT INTO demand_groups (letter_id, position, lead_in, demands) VALUES (1, 2, 'We further call on:', 'Stand behind them;')`,
		"INSERT INTO demand_groups (letter_id, position, lead_in, demands) VALUES (1, 1, 'We demand:', 'Release;\nRespect;')",
	} {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("old database: %v", err)
		}
	}
	db.Close()

	s, err := models.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("upgrade: %v", err)
	}
	defer s.Close()
	l := reload(t, s, "azerbaijan")
	if got, want := entries(t, s, l, 0), []string{"Leyla Yunus, Institute for Peace and Democracy, Azerbaijan"}; !slices.Equal(got, want) || l.SignatureCount() != 1 {
		t.Errorf("upgraded list %q, count %d; want %q, 1", got, l.SignatureCount(), want)
	}
	if l.ClosedAt == nil || !l.ClosedAt.Equal(asOf) {
		t.Errorf("closed letter's closed_at = %v, want %v", l.ClosedAt, asOf)
	}
	if got, want := auditLines(t, s, l), []string{"Coordinator ICDR|remove|Andreas Bummel, France — Not a real person"}; !slices.Equal(got, want) {
		t.Errorf("audit log %q, want %q", got, want)
	}
	// What was signed before revisions existed is revision 1, groups in order.
	r, err := s.LetterRevisionByNumber(ctx, l, 1)
	if err != nil {
		t.Fatalf("revision 1 after the upgrade: %v", err)
	}
	first, err := r.AsLetter(l)
	if err != nil || l.Revision != 1 || first.Title != "Joint statement" || len(first.DemandGroups) != 2 ||
		first.DemandGroups[0].LeadIn != "We demand:" || first.DemandGroups[0].Demands != "Release;\nRespect;" {
		t.Errorf("revision 1 after the upgrade: %+v (%v), letter at revision %d", first, err, l.Revision)
	}
	if page, _ := s.Signatories(ctx, l, 0, 10); len(page) != 1 || page[0].Revision != 1 || page[0].Superseded {
		t.Errorf("upgraded signature: %+v, want revision 1, not superseded", page)
	}
}

// A coordinator's earlier actions named the signer in the audit log; once
// the signer withdraws, the log keeps that the actions happened, not whom
// they were about.
func TestWithdrawalErasesTheSignerFromTheAuditLog(t *testing.T) {
	ctx := context.Background()
	s := modeltest.Open(t)
	u, l := openLetter(t, s)
	manage := signAndConfirm(t, s, l, organisation("Institute for Peace and Democracy", "AZ", "office@ipd.example"))
	queue, _, err := s.ReviewQueue(ctx, l, models.ReviewFilter{}, 0, 10)
	if err != nil || len(queue) != 1 {
		t.Fatalf("review queue: %v (%v)", queue, err)
	}
	entry := func(sig *models.Signature) string { return sig.Entry("en", "Anonymous") }
	if _, err := s.Moderate(ctx, l, u.ID, []int64{queue[0].ID}, true, entry); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSortName(ctx, l, u.ID, queue[0].ID, entry, "Peace"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Withdraw(ctx, manage); err != nil {
		t.Fatal(err)
	}
	want := []string{u.Name + "|approve|", u.Name + "|sort_name|", "|withdraw|"}
	if got := auditLines(t, s, l); !slices.Equal(got, want) {
		t.Errorf("audit log after withdrawal %q, want %q", got, want)
	}
}
