package models_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"undersigned/models"
	"undersigned/models/modeltest"
)

// openLetter drafts seed 003's letter for a new coordinator and publishes it.
func openLetter(t *testing.T, s *models.Store) (*models.User, *models.Letter) {
	t.Helper()
	ctx := context.Background()
	u, org := modeltest.Coordinator(t, s, "coordinator@icdr.example", "ICDR")
	l, err := s.CreateLetter(ctx, u.ID, org, modeltest.Azerbaijan)
	if err != nil {
		t.Fatalf("create letter: %v", err)
	}
	if err := s.SetLetterState(ctx, l, models.StateOpen); err != nil {
		t.Fatalf("publish: %v", err)
	}
	return u, l
}

func reload(t *testing.T, s *models.Store, slug string) *models.Letter {
	t.Helper()
	l, err := s.PublicLetter(context.Background(), slug)
	if err != nil {
		t.Fatalf("load %s: %v", slug, err)
	}
	return l
}

// listEntry is a signature as an English list reads it.
func listEntry(sig *models.Signature) string { return sig.Entry("en", "Anonymous") }

// auditLines reads a letter's audit log oldest first, one "who|action|detail"
// line per entry, as a coordinator reading it would tell the entries apart.
func auditLines(t *testing.T, s *models.Store, l *models.Letter) []string {
	t.Helper()
	log, err := s.AuditLog(context.Background(), l, 100)
	if err != nil {
		t.Fatalf("audit log: %v", err)
	}
	lines := make([]string, len(log))
	for i, e := range log {
		lines[len(log)-1-i] = e.UserName + "|" + string(e.Action) + "|" + e.Detail
	}
	return lines
}

func TestMigrationsAreRecordedOnceAndDatabaseUsesWAL(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "u.db")
	for range 2 { // the second open must find everything applied
		s, err := models.Open(ctx, path)
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		s.Close()
	}
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, version := range []string{"0001_init", "0002_trust"} {
		var times int
		if err := db.QueryRow("SELECT COUNT(*) FROM schema_migrations WHERE version = ?", version).Scan(&times); err != nil || times != 1 {
			t.Fatalf("%s recorded %d times (%v), want once", version, times, err)
		}
	}
	var mode string
	if err := db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode = %q (%v), want wal", mode, err)
	}
}

func TestLetterKeepsItsStructure(t *testing.T) {
	s := modeltest.Open(t)
	_, l := openLetter(t, s)
	got := reload(t, s, l.Slug)
	if got.Slug != "joint-statement-on-the-human-rights-situation-in-azerbaijan" {
		t.Errorf("slug = %q", got.Slug)
	}
	if len(got.DemandGroups) != 2 {
		t.Fatalf("%d demand groups, want 2", len(got.DemandGroups))
	}
	if d := got.DemandGroups[0].DemandList(); len(d) != 5 || !strings.HasPrefix(d[0], "Unconditionally release") {
		t.Errorf("first group's demands = %q", d)
	}
	if got.DemandGroups[1].LeadIn != "We further call on the international community to:" {
		t.Errorf("second lead-in = %q", got.DemandGroups[1].LeadIn)
	}
	if got.PublishedAt == nil || got.State != models.StateOpen {
		t.Errorf("published letter: state %s, published_at %v", got.State, got.PublishedAt)
	}
	if got.Body != modeltest.Azerbaijan.Body || got.Closing != modeltest.Azerbaijan.Closing {
		t.Errorf("body and closing stored as %q and %q, not as written", got.Body, got.Closing)
	}
}

func TestSlugsStayUnique(t *testing.T) {
	ctx := context.Background()
	s := modeltest.Open(t)
	u, org := modeltest.Coordinator(t, s, "a@example.org", "A")
	first, err := s.CreateLetter(ctx, u.ID, org, models.LetterText{Title: "Free them all"})
	if err != nil {
		t.Fatal(err)
	}
	second, err := s.CreateLetter(ctx, u.ID, org, models.LetterText{Title: "Free them all!"})
	if err != nil {
		t.Fatal(err)
	}
	if first.Slug != "free-them-all" || second.Slug != "free-them-all-2" {
		t.Errorf("slugs %q and %q, want free-them-all and free-them-all-2", first.Slug, second.Slug)
	}
	_, err = s.CreateLetter(ctx, u.ID, org, models.LetterText{Title: "Other", Slug: "free-them-all"})
	if !errors.Is(err, models.ErrSlugTaken) {
		t.Errorf("chosen slug already in use: err = %v, want ErrSlugTaken", err)
	}
}

func TestWhoMaySignWhen(t *testing.T) {
	ctx := context.Background()
	yesterday := time.Now().UTC().AddDate(0, 0, -1).Truncate(24 * time.Hour)
	today := time.Now().UTC().Truncate(24 * time.Hour)
	person := models.NewSignature{Kind: models.KindIndividual, Name: "Leyla Yunus", Country: "AZ", Email: "leyla@example.org"}
	org := models.NewSignature{Kind: models.KindOrganisation, Name: "Anar M.", Affiliation: "Election Monitoring Centre", Country: "AZ", Email: "emc@example.org"}
	tests := []struct {
		name     string
		state    models.LetterState
		settings func(*models.LetterSettings)
		sig      models.NewSignature
		want     error
	}{
		{"draft refuses", models.StateDraft, nil, person, models.ErrLetterNotOpen},
		{"open accepts a person", models.StateOpen, nil, person, nil},
		{"open accepts an organisation", models.StateOpen, nil, org, nil},
		{"closed refuses", models.StateClosed, nil, person, models.ErrLetterClosed},
		{"past its closing date refuses", models.StateOpen, func(st *models.LetterSettings) { st.ClosesOn = &yesterday }, person, models.ErrLetterClosed},
		{"on its closing day accepts", models.StateOpen, func(st *models.LetterSettings) { st.ClosesOn = &today }, person, nil},
		{"individuals only refuses an organisation", models.StateOpen, func(st *models.LetterSettings) { st.Signers = models.SignersIndividuals }, org, models.ErrKindNotAllowed},
		{"organisations only refuses a person", models.StateOpen, func(st *models.LetterSettings) { st.Signers = models.SignersOrganisations }, person, models.ErrKindNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := modeltest.Open(t)
			u, orgID := modeltest.Coordinator(t, s, "c@example.org", "Org")
			l, err := s.CreateLetter(ctx, u.ID, orgID, modeltest.Azerbaijan)
			if err != nil {
				t.Fatal(err)
			}
			modeltest.ListAtOnce(t, s, l)
			if tt.settings != nil {
				modeltest.ChangeSettings(t, s, l, tt.settings)
			}
			for _, step := range map[models.LetterState][]models.LetterState{models.StateOpen: {models.StateOpen}, models.StateClosed: {models.StateOpen, models.StateClosed}}[tt.state] {
				if err := s.SetLetterState(ctx, l, step); err != nil {
					t.Fatal(err)
				}
			}
			_, err = s.AddSignature(ctx, l.ID, tt.sig, modeltest.Mail)
			if !errors.Is(err, tt.want) {
				t.Fatalf("AddSignature: err = %v, want %v", err, tt.want)
			}
			l, _ = s.CoordinatorLetter(ctx, u.ID, l.ID)
			if want := map[bool]int64{true: 1, false: 0}[tt.want == nil]; l.SignatureCount() != want {
				t.Errorf("count = %d, want %d", l.SignatureCount(), want)
			}
		})
	}
}

// One mailbox signs once: case, spaces, and the dots and +tag Gmail ignores
// do not make a second signature, while other providers' distinct addresses
// stay distinct.
func TestOneSignaturePerEmail(t *testing.T) {
	tests := []struct {
		name          string
		first, second string
		refused       bool
	}{
		{"case and spaces", "Arif@Example.org", "  arif@example.ORG ", true},
		{"gmail dots and tag", "arif.yunus@gmail.com", "ArifYunus+letters@googlemail.com", true},
		{"other providers keep dots and tags", "arif.yunus@example.org", "arifyunus+letters@example.org", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s := modeltest.Open(t)
			_, l := openLetter(t, s)
			modeltest.ListAtOnce(t, s, l)
			sig := models.NewSignature{Kind: models.KindIndividual, Name: "Arif Yunus", Country: "AZ", Email: tt.first}
			if _, err := s.AddSignature(ctx, l.ID, sig, modeltest.Mail); err != nil {
				t.Fatal(err)
			}
			sig.Email, sig.Name = tt.second, "Arif Yunus again"
			_, err := s.AddSignature(ctx, l.ID, sig, modeltest.Mail)
			wantErr, wantCount := error(nil), int64(2)
			if tt.refused {
				wantErr, wantCount = models.ErrAlreadySigned, 1
			}
			if !errors.Is(err, wantErr) {
				t.Fatalf("second signature from %q after %q: err = %v, want %v", tt.second, tt.first, err, wantErr)
			}
			if got := reload(t, s, l.Slug).SignatureCount(); got != wantCount {
				t.Errorf("count = %d, want %d", got, wantCount)
			}
		})
	}
}

func TestSeedListReadsInFamilyNameOrder(t *testing.T) {
	ctx := context.Background()
	s := modeltest.Open(t)
	_, l := openLetter(t, s)
	modeltest.ListAtOnce(t, s, l)
	for i, sig := range modeltest.AzerbaijanSignatories {
		sig.Sign(t, s, l.ID, i)
	}
	if _, err := s.AddSignature(ctx, l.ID, models.NewSignature{Kind: models.KindOrganisation, Name: "Someone", Affiliation: "Civic IDEA", Country: "GE", Email: "org@example.org"}, modeltest.Mail); err != nil {
		t.Fatal(err)
	}
	l = reload(t, s, l.Slug)
	if l.IndividualCount != 22 || l.OrganisationCount != 1 {
		t.Fatalf("counts: %d individuals, %d organisations; want 22 and 1", l.IndividualCount, l.OrganisationCount)
	}
	page, err := s.Signatories(ctx, l, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var entries []string
	for _, sig := range page {
		if sig.Email != "" {
			t.Fatalf("public list read an email: %q", sig.Email)
		}
		entries = append(entries, listEntry(&sig))
	}
	want := []string{
		"Civic IDEA, Georgia", // organisations come first
		"Igor Blazevic, Prague Civil Society Centre, Czechia",
		"Andreas Bummel, Democracy Without Borders, France",
		"Ketevan Chachava, Center for Development and Democracy, Georgia",
		"Stevan Dojcinovic, KRIK, Serbia",
		"Javier El-Hage, Human Rights Foundation, Bolivia/United States",
		"Carl Gershman, formerly NED, United States",
	}
	if strings.Join(entries[:len(want)], "\n") != strings.Join(want, "\n") {
		t.Errorf("list starts\n%s\nwant\n%s", strings.Join(entries[:len(want)], "\n"), strings.Join(want, "\n"))
	}
	// Pšeja sorts as Pseja, between Pataraia and Sahoo; the Yunuses by given
	// name, Arif before Leyla, though Leyla signed first.
	tail := strings.Join(entries[len(entries)-6:], "\n")
	wantTail := strings.Join([]string{
		"Baia Pataraia, Sapari, Georgia",
		"Pavel Pšeja, CEVRO University, Czechia",
		"Niranjan Sahoo, Observer Research Foundation, India",
		"Nicolas Tenzer, CERAP, France",
		"Arif Yunus, Institute for Peace and Democracy, Azerbaijan/Netherlands",
		"Leyla Yunus, Institute for Peace and Democracy, Azerbaijan/Netherlands",
	}, "\n")
	if tail != wantTail {
		t.Errorf("list ends\n%s\nwant\n%s", tail, wantTail)
	}
	// Pages count across both sections.
	second, err := s.Signatories(ctx, l, 20, 100)
	if err != nil || len(second) != 3 || second[0].Name != "Nicolas Tenzer" {
		t.Errorf("entries from 20: %d, first %+v (%v)", len(second), second, err)
	}
}

func TestEditAfterFirstSignatureMakesARevisionAndSettingsStayEditable(t *testing.T) {
	ctx := context.Background()
	s := modeltest.Open(t)
	u, l := openLetter(t, s)
	modeltest.ListAtOnce(t, s, l)
	text := modeltest.Azerbaijan
	text.Title = "Corrected title"
	if err := s.UpdateLetterText(ctx, u.ID, l, text); err != nil {
		t.Fatalf("edit before signatures: %v", err)
	}
	if got := reload(t, s, "corrected-title"); got.Revision != 1 {
		t.Errorf("an edit before anyone signed made revision %d, want 1 (edited in place)", got.Revision)
	}
	first := modeltest.AzerbaijanSignatories[0].Sign(t, s, l.ID, 0)
	text.Title = "Changed after signing"
	if err := s.UpdateLetterText(ctx, u.ID, l, text); err != nil {
		t.Fatalf("edit after a signature: %v", err)
	}
	got := reload(t, s, "corrected-title") // the address stays once signed
	if got.Title != "Changed after signing" || got.Revision != 2 || got.RevisedAt == nil {
		t.Errorf("after the edit: title %q, revision %d, revised at %v", got.Title, got.Revision, got.RevisedAt)
	}
	old, err := s.LetterRevisionByNumber(ctx, got, 1)
	if err != nil || old.Title != "Corrected title" {
		t.Fatalf("revision 1: %+v (%v), want the title signed", old, err)
	}
	if first.Revision != 1 {
		t.Errorf("the first signature agreed to revision %d, want 1", first.Revision)
	}
	if err := s.UpdateLetterText(ctx, u.ID, l, text); err != nil || reload(t, s, "corrected-title").Revision != 2 {
		t.Errorf("saving the same text again made a revision (%v)", err)
	}
	st := models.DefaultLetterSettings()
	st.ListOrder = models.OrderSigned
	if err := s.UpdateLetterSettings(ctx, l, st); err != nil {
		t.Errorf("settings after signatures: %v", err)
	}
	if err := s.SetLetterState(ctx, l, models.StateClosed); err != nil {
		t.Errorf("close: %v", err)
	}
	if err := s.SetLetterState(ctx, l, models.StateDraft); !errors.Is(err, models.ErrInvalidTransition) {
		t.Errorf("back to draft: err = %v, want ErrInvalidTransition", err)
	}
}

func TestRemovedSignatureLeavesListAndCount(t *testing.T) {
	ctx := context.Background()
	s := modeltest.Open(t)
	u, l := openLetter(t, s)
	modeltest.ListAtOnce(t, s, l)
	keep := modeltest.AzerbaijanSignatories[0].Sign(t, s, l.ID, 0)
	fake := modeltest.AzerbaijanSignatories[1].Sign(t, s, l.ID, 1)
	if err := s.RemoveSignature(ctx, l, u.ID, fake.ID, listEntry, "Not a real person"); err != nil {
		t.Fatal(err)
	}
	l = reload(t, s, l.Slug)
	page, _ := s.Signatories(ctx, l, 0, 100)
	if l.SignatureCount() != 1 || len(page) != 1 || page[0].ID != keep.ID {
		t.Fatalf("after removal: count %d, list %v", l.SignatureCount(), page)
	}
	want := []string{"Coordinator ICDR|remove|Andreas Bummel, Democracy Without Borders, France — Not a real person"}
	if got := auditLines(t, s, l); !slices.Equal(got, want) {
		t.Errorf("audit log = %q, want %q", got, want)
	}
}

func TestOrganisationsAreWalledOff(t *testing.T) {
	ctx := context.Background()
	s := modeltest.Open(t)
	owner, l := openLetter(t, s)
	other, otherOrg := modeltest.Coordinator(t, s, "other@example.org", "Other")
	if _, err := s.CoordinatorLetter(ctx, other.ID, l.ID); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("other organisation's coordinator loads the letter: err = %v", err)
	}
	if _, err := s.CreateLetter(ctx, owner.ID, otherOrg, models.LetterText{Title: "x"}); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("drafting for an organisation one is not in: err = %v", err)
	}
	if _, err := s.CreateInvitation(ctx, owner.ID, otherOrg); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("inviting to an organisation one is not in: err = %v", err)
	}
}
