package models

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// LetterRevision is a letter's text as it read at one revision. Revision 1
// is the text people first signed; a revision is stored when it is made
// (and revision 1 when the first edit after a signature replaces it), and is
// changed afterwards only by a correction (CorrectLetterText: typos,
// formatting), which changes nothing its signers agreed to.
type LetterRevision struct {
	ID           int64
	LetterID     int64
	Number       int
	Title        string
	Summary      string
	Initiators   string
	Addressees   string
	Subject      string
	Salutation   string
	Body         string
	Closing      string
	DemandGroups string    // JSON: [{"lead_in": …, "demands": …}]
	CreatedAt    time.Time // when this text became the letter's current one
	CreatedBy    *int64
}

// revisionGroup is a demand group as a revision stores it.
type revisionGroup struct {
	LeadIn  string `json:"lead_in"`
	Demands string `json:"demands"`
}

// AsLetter returns cur with this revision's text in place of its own: the
// letter as it read then, for the same templates to show.
func (r *LetterRevision) AsLetter(cur *Letter) (*Letter, error) {
	var groups []revisionGroup
	if err := json.Unmarshal([]byte(r.DemandGroups), &groups); err != nil {
		return nil, fmt.Errorf("demand groups of revision %d of letter %d: %w", r.Number, r.LetterID, err)
	}
	l := *cur
	l.Title, l.Summary, l.Initiators, l.Addressees = r.Title, r.Summary, r.Initiators, r.Addressees
	l.Subject, l.Salutation, l.Body, l.Closing = r.Subject, r.Salutation, r.Body, r.Closing
	l.Revision, l.RevisedAt, l.CorrectedAt = r.Number, nil, nil
	if r.Number > 1 {
		at := r.CreatedAt
		l.RevisedAt = &at
	}
	l.DemandGroups = make([]DemandGroup, len(groups))
	for i, g := range groups {
		l.DemandGroups[i] = DemandGroup{LetterID: l.ID, Position: i + 1, LeadIn: g.LeadIn, Demands: g.Demands}
	}
	return &l, nil
}

// revisionOf freezes l's current text as its revision l.Revision.
func revisionOf(l *Letter, at time.Time, by *int64) (*LetterRevision, error) {
	groups := make([]revisionGroup, len(l.DemandGroups))
	for i, g := range l.DemandGroups {
		groups[i] = revisionGroup{LeadIn: g.LeadIn, Demands: g.Demands}
	}
	js, err := json.Marshal(groups)
	if err != nil {
		return nil, err
	}
	return &LetterRevision{
		LetterID: l.ID, Number: l.Revision, Title: l.Title, Summary: l.Summary, Initiators: l.Initiators, Addressees: l.Addressees,
		Subject: l.Subject, Salutation: l.Salutation, Body: l.Body, Closing: l.Closing,
		DemandGroups: string(js), CreatedAt: at, CreatedBy: by,
	}, nil
}

// Edited returns a copy of l reading text, for the difference a
// coordinator confirms before a signed text changes.
func (l *Letter) Edited(text LetterText) *Letter {
	e := *l
	text.apply(&e)
	e.DemandGroups = text.groups(l.ID)
	return &e
}

// SameText reports whether text would leave l's text as it reads: saving
// the form unchanged makes no new revision.
func (l *Letter) SameText(text LetterText) bool {
	if l.Title != text.Title || l.Summary != text.Summary || l.Initiators != text.Initiators || l.Addressees != text.Addressees ||
		l.Subject != text.Subject || l.Salutation != text.Salutation || l.Body != text.Body || l.Closing != text.Closing {
		return false
	}
	groups := text.groups(l.ID)
	if len(groups) != len(l.DemandGroups) {
		return false
	}
	for i, g := range groups {
		if g.LeadIn != l.DemandGroups[i].LeadIn || g.Demands != l.DemandGroups[i].Demands {
			return false
		}
	}
	return true
}

// revise makes text the letter's next revision, in tx: the current text is
// frozen first unless it is already (revision 1 is frozen only now, when it
// stops being current), the slug stays, since the letter's address is
// permanent once signed, and the new revision is stored as it is made.
func (s *Store) revise(tx *gorm.DB, userID int64, l *Letter, cur *Letter, text LetterText) error {
	if cur.SameText(text) {
		*l = *cur
		return nil
	}
	if err := freeze(tx, cur); err != nil {
		return err
	}
	now := s.now()
	*l = *cur
	text.Slug = cur.Slug
	text.apply(l)
	l.Revision, l.RevisedAt, l.CorrectedAt, l.UpdatedAt = cur.Revision+1, &now, nil, now
	if err := saveText(tx, l); err != nil {
		return err
	}
	if err := replaceGroups(tx, l, text); err != nil {
		return err
	}
	next, err := revisionOf(l, now, &userID)
	if err != nil {
		return err
	}
	if err := tx.Create(next).Error; err != nil {
		return err
	}
	// The translations no longer say what the original says, until a
	// coordinator brings them up to date.
	return tx.Model(&Translation{}).Where("letter_id = ? AND behind_since IS NULL", l.ID).Update("behind_since", now).Error
}

// freeze stores cur's current text as its revision cur.Revision, in tx,
// unless it is stored already: revision 1 is frozen only when it stops
// being current.
func freeze(tx *gorm.DB, cur *Letter) error {
	since := cur.Date(cur.CreatedAt)
	if cur.RevisedAt != nil {
		since = *cur.RevisedAt
	}
	frozen, err := revisionOf(cur, since, nil)
	if err != nil {
		return err
	}
	if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(frozen).Error; err != nil {
		return fmt.Errorf("freeze revision %d: %w", cur.Revision, err)
	}
	return nil
}

// CorrectLetterText changes a letter's text without making a new revision:
// for typos and formatting, which change nothing its signers agreed to. A
// signed letter keeps its revision and slug, its signers are not asked
// again and their entries get no mark; the letter records when it was
// corrected, for its page to say so, the stored copy of the current
// revision reads the corrected text, and the audit log records who
// corrected it. A letter no one has signed is edited as UpdateLetterText
// does. The caller has authorised access to l.
func (s *Store) CorrectLetterText(ctx context.Context, userID int64, l *Letter, text LetterText, detail func(revision int) string) error {
	return s.transaction(ctx, func(tx *gorm.DB) error {
		cur, locked, err := currentText(tx, l.ID)
		if err != nil {
			return err
		}
		if !locked {
			return s.editInPlace(tx, l, cur, text)
		}
		*l = *cur
		if cur.SameText(text) {
			return nil
		}
		now := s.now()
		text.Slug = cur.Slug
		text.apply(l)
		l.CorrectedAt, l.UpdatedAt = &now, now
		if err := saveText(tx, l); err != nil {
			return err
		}
		if err := replaceGroups(tx, l, text); err != nil {
			return err
		}
		stored, err := revisionOf(l, now, nil)
		if err != nil {
			return err
		}
		err = tx.Model(&LetterRevision{}).Where("letter_id = ? AND number = ?", l.ID, l.Revision).Updates(map[string]any{
			"title": stored.Title, "summary": stored.Summary, "initiators": stored.Initiators, "addressees": stored.Addressees,
			"subject": stored.Subject, "salutation": stored.Salutation, "body": stored.Body,
			"closing": stored.Closing, "demand_groups": stored.DemandGroups,
		}).Error
		if err != nil {
			return fmt.Errorf("correct revision %d: %w", l.Revision, err)
		}
		return s.audit(tx, l.ID, &userID, nil, AuditCorrect, detail(l.Revision))
	})
}

// saveText writes the letter's text columns only: the counters, kept by the
// transactions that add and remove signatures, are not touched.
func saveText(tx *gorm.DB, l *Letter) error {
	err := tx.Model(l).Select("title", "slug", "summary", "initiators", "addressees", "subject", "salutation", "body",
		"closing", "revision", "revised_at", "corrected_at", "updated_at").Updates(l).Error
	if err != nil {
		return fmt.Errorf("save letter text: %w", err)
	}
	return nil
}

// LetterRevisionByNumber returns revision n of a letter, or ErrNotFound. The
// current revision is stored only once it is 2 or more, or has been replaced.
func (s *Store) LetterRevisionByNumber(ctx context.Context, l *Letter, n int) (*LetterRevision, error) {
	var r LetterRevision
	if err := s.read.WithContext(ctx).Where("letter_id = ? AND number = ?", l.ID, n).Take(&r).Error; err != nil {
		return nil, notFound(err)
	}
	return &r, nil
}

// RevisionDate is when one revision of a letter became its text.
type RevisionDate struct {
	Number    int
	CreatedAt time.Time
}

// RevisionDates returns the numbers and dates of a letter's stored
// revisions, oldest first.
func (s *Store) RevisionDates(ctx context.Context, l *Letter) ([]RevisionDate, error) {
	var out []RevisionDate
	err := s.read.WithContext(ctx).Model(&LetterRevision{}).Select("number", "created_at").
		Where("letter_id = ?", l.ID).Order("number").Scan(&out).Error
	return out, err
}

// HasEarlierSigners reports whether the letter's public list has entries
// whose signers agreed to an earlier revision than the current one: the
// list then explains, once, the mark beside them.
func (s *Store) HasEarlierSigners(ctx context.Context, l *Letter) (bool, error) {
	if l.Revision < 2 {
		return false, nil
	}
	var found []int64
	err := s.read.WithContext(ctx).Model(&Signature{}).Where("letter_id = ? AND revision < ? AND "+onList, l.ID, l.Revision).
		Limit(1).Pluck("id", &found).Error
	return len(found) > 0, err
}

// reconfirmBatch is how many signers AskReconfirmation reads at a time.
const reconfirmBatch = 500

// ReconfirmationMail writes the email that asks the signer of an earlier
// revision to agree to the current one, with the link that carries token;
// l is the letter in the version they signed.
type ReconfirmationMail func(l *Letter, sig *Signature, token string) Message

// AskReconfirmation emails every signer of an earlier revision whom it can
// still reach (an email address not erased, a signature listed or in
// review) and has not asked about the current revision yet, a link to agree
// to it or to withdraw. Their signatures stay as they are, marked with the
// revision they signed, until they answer. The signers are read 500 at a
// time, and everything happens in one transaction: the links, the emails in
// the outbox and the audit log entry, whose detail says how many were asked.
// It returns how many signers it asked. The caller has authorised access to l.
func (s *Store) AskReconfirmation(ctx context.Context, l *Letter, userID int64, mail ReconfirmationMail, detail func(asked, revision int) string) (int, error) {
	asked := 0
	err := s.transaction(ctx, func(tx *gorm.DB) (err error) {
		asked, err = s.askReconfirmation(tx, l.ID, userID, mail, detail)
		return err
	})
	return asked, err
}

// ReviseLetterText saves text as the next revision of l's signed text, as
// UpdateLetterText does, and asks the signers of earlier revisions to agree
// to it, as AskReconfirmation does, in one transaction: a revision saved
// without its requests would mark its earlier signers as agreeing to an
// earlier text without asking them about the new one. It returns how many
// signers it asked. The caller has authorised access to l.
func (s *Store) ReviseLetterText(ctx context.Context, userID int64, l *Letter, text LetterText, mail ReconfirmationMail, detail func(asked, revision int) string) (int, error) {
	asked := 0
	err := s.transaction(ctx, func(tx *gorm.DB) (err error) {
		if err = s.updateText(tx, userID, l, text); err != nil {
			return err
		}
		asked, err = s.askReconfirmation(tx, l.ID, userID, mail, detail)
		return err
	})
	return asked, err
}

// askReconfirmation is AskReconfirmation in tx.
func (s *Store) askReconfirmation(tx *gorm.DB, letterID, userID int64, mail ReconfirmationMail, detail func(asked, revision int) string) (int, error) {
	var cur Letter
	if err := publishedTranslations(tx).Take(&cur, letterID).Error; err != nil {
		return 0, notFound(err)
	}
	if cur.Revision < 2 {
		return 0, nil
	}
	asked := 0
	var after int64
	for {
		var batch []Signature
		err := tx.Where(`letter_id = ? AND id > ? AND revision < ? AND email <> '' AND status IN ?
			AND (reconfirm_asked IS NULL OR reconfirm_asked < ?)`,
			cur.ID, after, cur.Revision, []SignatureStatus{StatusListed, StatusInReview}, cur.Revision).
			Order("id").Limit(reconfirmBatch).Find(&batch).Error
		if err != nil {
			return 0, err
		}
		if len(batch) == 0 {
			break
		}
		msgs := make([]OutboxMessage, len(batch))
		for i := range batch {
			sig := &batch[i]
			token, hash := NewToken()
			err := tx.Model(sig).Updates(map[string]any{"reconfirm_token_hash": hash, "reconfirm_asked": cur.Revision}).Error
			if err != nil {
				return 0, err
			}
			msgs[i] = s.outboxMessage(mail(cur.versionOf(sig), sig, token))
		}
		if err := tx.Create(&msgs).Error; err != nil {
			return 0, fmt.Errorf("write reconfirmation emails: %w", err)
		}
		asked += len(batch)
		after = batch[len(batch)-1].ID
	}
	if asked == 0 {
		return 0, nil
	}
	return asked, s.audit(tx, cur.ID, &userID, nil, AuditReconfirm, detail(asked, cur.Revision))
}

// Reconfirmation returns the signature whose reconfirmation link carries
// token, with its letter, and records nothing: the page the link opens asks
// the signer, since a mail scanner opening the link must not agree for them.
// The signature's Revision is the one they signed, ReconfirmAsked the one
// the link asks them to agree to. An unknown link returns ErrNotFound.
func (s *Store) Reconfirmation(ctx context.Context, token string) (*Signature, *Letter, error) {
	return reconfirmation(s.read.WithContext(ctx), token)
}

// reconfirmation is Reconfirmation, read in db.
func reconfirmation(db *gorm.DB, token string) (*Signature, *Letter, error) {
	sig, l, err := signatureByToken(db, "reconfirm_token_hash", token)
	if err == nil && sig.ReconfirmAsked == nil {
		err = ErrNotFound // a link is made with the revision it asks about
	}
	return sig, l, err
}

// Reconfirmed says whether the signer agreed to the revision their
// reconfirmation link asks about, or a later one.
func (sig *Signature) Reconfirmed() bool {
	return sig.ReconfirmAsked != nil && sig.Revision >= *sig.ReconfirmAsked
}

// Reconfirm records that the signer whose reconfirmation link carries token
// agrees to the revision the link's email asked about (the current one,
// unless the text was revised again since: they agree to what they were
// shown). It returns the signature as it was before, whose Revision is the
// one they had signed and ReconfirmAsked the one they now agree to, and the
// letter; agreed is false when they had agreed to it already. An unknown
// link returns ErrNotFound.
func (s *Store) Reconfirm(ctx context.Context, token string) (sig *Signature, l *Letter, agreed bool, err error) {
	err = s.transaction(ctx, func(tx *gorm.DB) error {
		if sig, l, err = reconfirmation(tx, token); err != nil {
			return err
		}
		if sig.Reconfirmed() {
			return nil
		}
		if err := tx.Model(&Signature{}).Where("id = ?", sig.ID).UpdateColumn("revision", *sig.ReconfirmAsked).Error; err != nil {
			return err
		}
		agreed = true
		if sig.Status != StatusListed {
			return nil
		}
		// The entry's mark changes: so does the list.
		return tx.Model(&Letter{}).Where("id = ?", l.ID).Update("list_changed_at", s.now()).Error
	})
	return sig, l, agreed, err
}

// WithdrawByReconfirmToken withdraws the signature whose reconfirmation
// link carries token, as Withdraw does with the private link.
func (s *Store) WithdrawByReconfirmToken(ctx context.Context, token string) (*Letter, error) {
	return s.withdraw(ctx, "reconfirm_token_hash", token)
}

// DiffOp says whether a paragraph of a difference is kept, inserted or deleted.
type DiffOp int

// The operations of a difference.
const (
	DiffSame DiffOp = iota
	DiffInsert
	DiffDelete
)

// DiffPart is one paragraph of the difference between two revisions.
type DiffPart struct {
	Op   DiffOp
	Text string
}

// paragraphs are the units a difference compares: the title, summary,
// initiators and addressees one by one, subject, salutation, the body's
// and closing's paragraphs, and each demand group's lead-in and demands.
func (l *Letter) paragraphs() []string {
	var out []string
	add := func(parts ...string) {
		for _, p := range parts {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	add(l.Title, l.Summary)
	add(l.InitiatorList()...)
	add(l.AddresseeList()...)
	add(l.Subject, l.Salutation)
	add(strings.Split(strings.ReplaceAll(l.Body, "\r\n", "\n"), "\n\n")...)
	for _, g := range l.DemandGroups {
		add(g.LeadIn)
		add(g.DemandList()...)
	}
	add(strings.Split(strings.ReplaceAll(l.Closing, "\r\n", "\n"), "\n\n")...)
	return out
}

// DiffLetters returns the difference between two texts of a letter,
// paragraph by paragraph: the longest common subsequence is kept, what only
// from has is deleted and what only to has is inserted, deletions before
// insertions where a paragraph was rewritten.
func DiffLetters(from, to *Letter) []DiffPart {
	a, b := from.paragraphs(), to.paragraphs()
	// lcs[i][j] is the length of the longest common subsequence of a[i:] and b[j:].
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []DiffPart
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			out = append(out, DiffPart{DiffSame, a[i]})
			i, j = i+1, j+1
		case i < len(a) && (j == len(b) || lcs[i+1][j] >= lcs[i][j+1]):
			out = append(out, DiffPart{DiffDelete, a[i]})
			i++
		default:
			out = append(out, DiffPart{DiffInsert, b[j]})
			j++
		}
	}
	return out
}
