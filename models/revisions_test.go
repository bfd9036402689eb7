package models_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"undersigned/models"
	"undersigned/models/modeltest"
)

// revisedDemands is seed 003's text with its first demand rewritten.
func revisedDemands() models.LetterText {
	text := modeltest.Azerbaijan
	text.Groups = slices.Clone(text.Groups)
	text.Groups[0].Demands = strings.Replace(text.Groups[0].Demands,
		"Unconditionally release and drop the charges against all political prisoners;",
		"Unconditionally release all political prisoners and drop every charge against them;", 1)
	return text
}

// reviseLetter makes revision 2 of l by rewriting its first demand.
func reviseLetter(t *testing.T, s *models.Store, u *models.User, l *models.Letter) *models.Letter {
	t.Helper()
	if err := s.UpdateLetterText(context.Background(), u.ID, l, revisedDemands()); err != nil {
		t.Fatalf("revise: %v", err)
	}
	return reload(t, s, l.Slug)
}

// supersededMarks reads the public list as "entry|revision signed" for the
// entries marked as signed to an earlier revision, "entry" for the others.
func supersededMarks(t *testing.T, s *models.Store, l *models.Letter) []string {
	t.Helper()
	page, err := s.Signatories(context.Background(), l, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for _, sig := range page {
		e := listEntry(&sig)
		if sig.Superseded {
			e += fmt.Sprintf("|%d", sig.Revision)
		}
		out = append(out, e)
	}
	return out
}

// An edit after the first signature keeps what was signed as revision 1,
// readable as it was; new signatures agree to revision 2; the list marks the
// entries of revision 1, and a dated list freezes the marks beside entries
// that read as the live list's do.
func TestRevisionKeepsWhatWasSigned(t *testing.T) {
	ctx := context.Background()
	s := modeltest.Open(t)
	u, l := openLetter(t, s)
	modeltest.ListAtOnce(t, s, l)
	before := reload(t, s, l.Slug)
	sign(t, s, l, person("Igor Blazevic", "CZ", "igor@example.org"))

	l = reviseLetter(t, s, u, reload(t, s, l.Slug))
	if l.Revision != 2 || l.Slug != before.Slug || !strings.HasPrefix(l.DemandGroups[0].DemandList()[0], "Unconditionally release all") {
		t.Fatalf("revised letter: revision %d, slug %q, first demand %q", l.Revision, l.Slug, l.DemandGroups[0].DemandList()[0])
	}
	r, err := s.LetterRevisionByNumber(ctx, l, 1)
	if err != nil {
		t.Fatal(err)
	}
	old, err := r.AsLetter(l)
	if err != nil {
		t.Fatal(err)
	}
	if old.Title != before.Title || old.Body != before.Body || old.Closing != before.Closing || len(old.DemandGroups) != 2 ||
		old.DemandGroups[0].Demands != before.DemandGroups[0].Demands || old.DemandGroups[1].LeadIn != before.DemandGroups[1].LeadIn {
		t.Errorf("revision 1 does not read as signed: %+v", old)
	}
	if _, err := s.LetterRevisionByNumber(ctx, l, 3); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("revision 3: err = %v, want ErrNotFound", err)
	}

	var changed []string
	for _, p := range models.DiffLetters(old, l) {
		if p.Op != models.DiffSame {
			changed = append(changed, fmt.Sprintf("%d %s", p.Op, p.Text))
		}
	}
	want := []string{
		fmt.Sprintf("%d Unconditionally release and drop the charges against all political prisoners;", models.DiffDelete),
		fmt.Sprintf("%d Unconditionally release all political prisoners and drop every charge against them;", models.DiffInsert),
	}
	if !slices.Equal(changed, want) {
		t.Errorf("difference %q, want %q", changed, want)
	}

	ketevan := sign(t, s, l, person("Ketevan Chachava", "GE", "ketevan@example.org"))
	if ketevan.Signature.Revision != 2 {
		t.Errorf("a signature after the revision agreed to revision %d, want 2", ketevan.Signature.Revision)
	}
	l = reload(t, s, l.Slug)
	if got, want := supersededMarks(t, s, l), []string{"Igor Blazevic, Czechia|1", "Ketevan Chachava, Georgia"}; !slices.Equal(got, want) {
		t.Errorf("list %q, want %q", got, want)
	}

	snap, err := s.PublishSnapshot(ctx, l, "Anonymous")
	if err != nil {
		t.Fatal(err)
	}
	frozen, err := s.SnapshotEntries(ctx, snap, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range frozen {
		line := e.Entry
		if e.SignedRevision != nil {
			line += fmt.Sprintf("|%d", *e.SignedRevision)
		}
		got = append(got, line)
	}
	if want := supersededMarks(t, s, l); !slices.Equal(got, want) {
		t.Errorf("dated list %q, want the live list %q", got, want)
	}
}

// Signers of an earlier revision who can be reached are asked once per
// revision to agree to the current one; the link records their agreement
// and can withdraw the signature instead.
func TestAskReconfirmation(t *testing.T) {
	ctx := context.Background()
	s := modeltest.Open(t)
	u, l := openLetter(t, s)
	modeltest.ListAtOnce(t, s, l)
	sign(t, s, l, person("Igor Blazevic", "CZ", "igor@example.org"))
	sign(t, s, l, person("Andreas Bummel", "FR", "andreas@example.org"))
	if _, err := s.ImportSignatures(ctx, l, u.ID, models.KindIndividual, models.DisplayFull, "",
		[]models.ImportRow{{Line: 1, Name: "Paper Signer", Country: "CZ"}}); err != nil {
		t.Fatal(err)
	}
	modeltest.ChangeSettings(t, s, l, func(st *models.LetterSettings) { st.ReviewIndividuals = true })
	sign(t, s, l, person("Rita Review", "PL", "rita@example.org"))
	rejected := sign(t, s, l, person("Rex Rejected", "PL", "rex@example.org"))
	if _, err := s.Moderate(ctx, l, u.ID, []int64{rejected.Signature.ID}, false, listEntry); err != nil {
		t.Fatal(err)
	}
	modeltest.ChangeSettings(t, s, l, func(st *models.LetterSettings) { st.ConfirmEmail = true })
	sign(t, s, l, person("Una Unconfirmed", "UA", "una@example.org"))

	none, err := s.AskReconfirmation(ctx, l, u.ID, reconfirmMail, reconfirmDetail)
	if err != nil || none != 0 {
		t.Fatalf("asked %d before any revision (%v)", none, err)
	}
	l = reviseLetter(t, s, u, l)
	asked, err := s.AskReconfirmation(ctx, l, u.ID, reconfirmMail, reconfirmDetail)
	if err != nil || asked != 3 {
		t.Fatalf("asked %d (%v), want 3: the two listed and the one in review", asked, err)
	}
	for _, who := range []string{"rex@example.org", "una@example.org"} {
		if slices.ContainsFunc(mailTo(t, s, who), isReconfirmation) {
			t.Errorf("%s, rejected or unconfirmed, was asked", who)
		}
	}
	if again, err := s.AskReconfirmation(ctx, l, u.ID, reconfirmMail, reconfirmDetail); err != nil || again != 0 {
		t.Errorf("asked again: %d (%v), want 0", again, err)
	}
	if got := auditLines(t, s, l); got[len(got)-1] != "Coordinator ICDR|reconfirm|3 signers, revision 2" {
		t.Errorf("audit log ends %q", got[len(got)-1])
	}

	igor := reconfirmToken(t, s, "igor@example.org")
	sig, _, agreed, err := s.Reconfirm(ctx, igor)
	if err != nil || !agreed || sig.Revision != 1 {
		t.Fatalf("reconfirm: agreed %v, had signed %d (%v)", agreed, sig.Revision, err)
	}
	if _, _, agreed, err := s.Reconfirm(ctx, igor); err != nil || agreed {
		t.Errorf("reconfirm twice: agreed %v (%v), want false", agreed, err)
	}
	l = reload(t, s, l.Slug)
	if got, want := supersededMarks(t, s, l), []string{"Igor Blazevic, Czechia", "Andreas Bummel, France|1", "Paper Signer, Czechia|1"}; !slices.Equal(got, want) {
		t.Errorf("list after agreeing %q, want %q", got, want)
	}
	if _, err := s.WithdrawByReconfirmToken(ctx, reconfirmToken(t, s, "andreas@example.org")); err != nil {
		t.Fatal(err)
	}
	l = reload(t, s, l.Slug)
	if l.SignatureCount() != 2 {
		t.Errorf("count after a withdrawal %d, want 2", l.SignatureCount())
	}
	if _, _, _, err := s.Reconfirm(ctx, "unknown"); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("unknown link: err = %v", err)
	}

	// Revision 3: whoever has not agreed to it is asked again, once.
	text := revisedDemands()
	text.Closing = "Sincerely, the undersigned."
	if err := s.UpdateLetterText(ctx, u.ID, l, text); err != nil {
		t.Fatal(err)
	}
	// A link about revision 2 opened after revision 3 agrees to what its email showed.
	if _, _, agreed, err := s.Reconfirm(ctx, reconfirmToken(t, s, "rita@example.org")); err != nil || !agreed {
		t.Fatalf("Rita agrees to revision 2: %v (%v)", agreed, err)
	}
	if sig, _, agreed, _ := s.Reconfirm(ctx, reconfirmToken(t, s, "rita@example.org")); agreed || sig.Revision != 2 {
		t.Errorf("Rita's signature stands for revision %d, want 2", sig.Revision)
	}
	if asked, err := s.AskReconfirmation(ctx, l, u.ID, reconfirmMail, reconfirmDetail); err != nil || asked != 2 {
		t.Errorf("asked about revision 3: %d (%v), want 2 (Igor and Rita)", asked, err)
	}
}

func reconfirmMail(l *models.Letter, sig *models.Signature, token string) models.Message {
	return models.Message{To: sig.Email, Subject: "Revised: " + l.Title, Body: "reconfirm " + token}
}

func reconfirmDetail(asked, revision int) string {
	return fmt.Sprintf("%d signers, revision %d", asked, revision)
}

func isReconfirmation(m models.OutboxMessage) bool { return strings.HasPrefix(m.Body, "reconfirm ") }

// reconfirmToken reads the token of the newest reconfirmation email to an address.
func reconfirmToken(t *testing.T, s *models.Store, to string) string {
	t.Helper()
	msgs := mailTo(t, s, to)
	for i := len(msgs) - 1; i >= 0; i-- {
		if token, ok := strings.CutPrefix(msgs[i].Body, "reconfirm "); ok {
			return token
		}
	}
	t.Fatalf("no reconfirmation email to %s", to)
	return ""
}
