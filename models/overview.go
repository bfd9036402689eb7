package models

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// ConfirmationOverdue is how long a signature may wait for its signer to
// open the emailed link before the overview counts it as overdue: by then
// the email is likely lost in a spam folder, or the address mistyped.
const ConfirmationOverdue = 48 * time.Hour

// RecentWindow is how far back the overview counts new signatures.
const RecentWindow = 24 * time.Hour

// ClosingSoonDays is how many days before a letter's last day the overview
// starts counting them down.
const ClosingSoonDays = 7

// Overview is what needs doing on a letter, as its coordinators see it at
// the top of its editor and on the dashboard.
type Overview struct {
	InReview   int64 // waiting for a coordinator's review
	Overdue    int64 // unconfirmed for more than ConfirmationOverdue
	Unanswered int64 // partners invited who neither signed nor declined, with a contact whose mail did not bounce
	// Recent is the signatures made within RecentWindow, in any status:
	// the rejected ones too, so that the count is what its link, the
	// signatures page filtered by AgeRecent, lists.
	Recent int64
	// DaysLeft is how many days the letter still takes signatures after
	// today (0: today is its last), or -1 when it has no closing date
	// within ClosingSoonDays or takes no signatures.
	DaysLeft int
}

// Age narrows signatures by when they were made, as the overview counts
// them; its values are those of the signatures page's filter.
type Age string

// The ages the overview counts.
const (
	AgeRecent  Age = "last24h"   // made within RecentWindow
	AgeOverdue Age = "before48h" // made more than ConfirmationOverdue ago
)

// since is the condition on created_at that a signature of age a meets at now.
func (a Age) since(now time.Time) (string, time.Time) {
	if a == AgeOverdue {
		return "created_at < ?", now.Add(-ConfirmationOverdue)
	}
	return "created_at >= ?", now.Add(-RecentWindow)
}

// allStatuses are every status a signature may be in. Named in a count
// by age, they let the index signatures_status_created seek each status's
// recent rows rather than read all of a letter's.
var allStatuses = []SignatureStatus{StatusUnconfirmed, StatusInReview, StatusListed, StatusRejected}

// LetterOverview is the overview of one letter.
func (s *Store) LetterOverview(ctx context.Context, l *Letter) (Overview, error) {
	all, err := s.LetterOverviews(ctx, []Letter{*l})
	return all[l.ID], err
}

// LetterOverviews returns the overview of each of letters, by letter id,
// in four queries whatever their number: each counts one thing for all of
// them through an index.
func (s *Store) LetterOverviews(ctx context.Context, letters []Letter) (map[int64]Overview, error) {
	now := s.now()
	out := make(map[int64]Overview, len(letters))
	ids := make([]int64, len(letters))
	for i := range letters {
		ids[i] = letters[i].ID
		out[ids[i]] = Overview{DaysLeft: letters[i].DaysLeft(now)}
	}
	if len(ids) == 0 {
		return out, nil
	}
	signatures := func() *gorm.DB { return s.read.WithContext(ctx).Model(&Signature{}) }
	recent, since := AgeRecent.since(now)
	overdue, before := AgeOverdue.since(now)
	counts := []struct {
		of    func(*Overview) *int64
		query *gorm.DB
		count string
	}{
		{func(o *Overview) *int64 { return &o.InReview }, signatures().Where("status = ?", StatusInReview), "*"},
		{func(o *Overview) *int64 { return &o.Overdue }, signatures().Where("status = ? AND "+overdue, StatusUnconfirmed, before), "*"},
		{func(o *Overview) *int64 { return &o.Recent }, signatures().Where("status IN ? AND "+recent, allStatuses, since), "*"},
		// Partners, not their contacts: a partner invited through two is one not answered.
		{func(o *Overview) *int64 { return &o.Unanswered }, unanswered(s.read.WithContext(ctx).Table("sign_invitations")), "DISTINCT partner_id"},
	}
	for _, c := range counts {
		var rows []struct{ LetterID, N int64 }
		err := c.query.Select("letter_id, COUNT("+c.count+") AS n").Where("letter_id IN ?", ids).Group("letter_id").Scan(&rows).Error
		if err != nil {
			return nil, fmt.Errorf("overview of letters: %w", err)
		}
		for _, r := range rows {
			o := out[r.LetterID]
			*c.of(&o) = r.N
			out[r.LetterID] = o
		}
	}
	return out, nil
}

// DaysLeft is how many days are left at now before l's closing day, in its
// timezone (0 on the day itself), while it is within ClosingSoonDays; -1
// when it is further off, has no closing date or takes no signatures.
func (l *Letter) DaysLeft(now time.Time) int {
	if l.ClosesOn == nil || l.AcceptsSignatures(now) != nil {
		return -1
	}
	y, m, d := now.In(l.Location()).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	days := int(l.ClosesOn.UTC().Truncate(24*time.Hour).Sub(today) / (24 * time.Hour))
	if days > ClosingSoonDays {
		return -1
	}
	return days
}

// SignatureFilter narrows the coordinators' list of a letter's
// signatures; its zero value keeps them all.
type SignatureFilter struct {
	// Query is what the coordinator typed: part of a signer's name or
	// organisation (of a signer listed by name only: the name of one who
	// hides it is theirs to keep, see Display.HidesName), of an email
	// address, or the start of a country's name in Lang, or its code.
	Query    string
	Lang     string
	Kind     SignatureKind
	Status   SignatureStatus
	Display  Display
	Verified *bool  // verified (in any way) or not
	Version  string // the language of the version signed
	Signed   Age
	// Source is a source key (Signature.SourceKey), or SourceOffline
	// for every offline source (see IsSourceKey).
	Source string
}

// likeEscaper makes typed text literal in a LIKE pattern: a % or _ typed
// is searched for, not a wildcard.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// containing is the LIKE pattern of the text that contains typed.
func containing(typed string) string { return "%" + likeEscaper.Replace(typed) + "%" }

// filter narrows db, a query of signatures, as f says.
func (s *Store) filter(db *gorm.DB, f SignatureFilter) *gorm.DB {
	for _, c := range []struct{ column, value string }{
		{"kind", string(f.Kind)}, {"status", string(f.Status)}, {"display", string(f.Display)}, {"lang", f.Version},
	} {
		if c.value != "" {
			db = db.Where(c.column+" = ?", c.value)
		}
	}
	switch {
	case f.Verified == nil:
	case *f.Verified:
		db = db.Where("verified <> ''")
	default:
		db = db.Where("verified = ''")
	}
	if f.Signed != "" {
		cond, at := f.Signed.since(s.now())
		db = db.Where(cond, at)
	}
	if f.Source != "" {
		db = bySourceKey(db, f.Source)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		db = s.search(db, q, f.Lang)
	}
	return db
}

// bySourceKey narrows db, a query of signatures, to those of a source, as
// SignatureFilter.Source names it.
func bySourceKey(db *gorm.DB, source string) *gorm.DB {
	imported := "email_key LIKE '" + importedKeyPrefix + "%'"
	switch source {
	case SourceForm:
		return db.Where("NOT " + imported)
	case SourceImport:
		return db.Where(imported + " AND offline_source = ''")
	case SourceOffline:
		return db.Where("offline_source <> ''")
	}
	return db.Where("offline_source = ?", strings.TrimPrefix(source, offlinePrefix))
}

// search narrows db to the signatures that match q, as
// SignatureFilter.Query says. Names are also sought in sort_key, where
// they are folded (SortKey), so that "elise" finds "Élise"; the other
// columns are compared case aside (SQLite folds ASCII letters only).
// Every match is a scan of the letter's signatures, which SQLite does for
// 10,000 of them in a few milliseconds (TestSearchOfTenThousandSignatures).
func (s *Store) search(db *gorm.DB, q, lang string) *gorm.DB {
	like := "LIKE"
	if s.dialect == Postgres {
		like = "ILIKE"
	}
	match := func(column string) string { return column + " " + like + ` @typed ESCAPE '\'` }
	cond := "(display = 'full' AND (" + match("name") + " OR " + match("affiliation") + ` OR sort_key LIKE @folded ESCAPE '\'))` +
		" OR " + match("email")
	args := map[string]any{"typed": containing(q), "folded": containing(SortKey(q))}
	if codes := CountriesMatching(lang, q); len(codes) > 0 {
		cond += " OR country IN @codes OR country2 IN @codes"
		args["codes"] = codes
	}
	return db.Where("("+cond+")", args)
}

// CountriesMatching returns the codes of the countries whose name in lang
// starts with typed, case and diacritics aside, or whose code typed is.
func CountriesMatching(lang, typed string) []string {
	start := SortKey(strings.TrimSpace(typed))
	var codes []string
	for _, c := range CountriesIn(lang) {
		if strings.HasPrefix(SortKey(c.Name), start) || strings.EqualFold(c.Code, typed) {
			codes = append(codes, c.Code)
		}
	}
	return codes
}

// BatchAction is what a coordinator does at once to the signatures they ticked.
type BatchAction string

// The actions on ticked signatures.
const (
	BatchApprove BatchAction = "approve"
	BatchReject  BatchAction = "reject"
	BatchRemove  BatchAction = "remove"
	BatchVerify  BatchAction = "verify" // organisations' signatures, by hand
)

// ActOnSignatures applies action to the signatures ids of l in one
// transaction, through the functions that change a signature's status,
// so that the counts, the list's buckets and the dated lists follow:
// approving and rejecting decide on those waiting for review, as Moderate
// does, and leave the others as they are; removing takes each off as
// RemoveSignature does, with reason in the audit log; verifying verifies
// the organisations by hand, as VerifySignatures does, and leaves the
// people and the organisations verified already. An id that is not a
// signature of l is ErrNotFound, and nothing changes. It returns how many
// signatures changed. The caller has authorised access to l.
func (s *Store) ActOnSignatures(ctx context.Context, l *Letter, userID int64, ids []int64, action BatchAction, reason string, entry func(*Signature) string) (int, error) {
	changed := 0
	err := s.transaction(ctx, func(tx *gorm.DB) error {
		var sigs []Signature
		if err := tx.Where("letter_id = ? AND id IN ?", l.ID, ids).Find(&sigs).Error; err != nil {
			return err
		}
		if len(sigs) != len(distinct(ids)) {
			return ErrNotFound
		}
		var err error
		switch action {
		case BatchApprove, BatchReject:
			changed, err = s.moderate(tx, l, userID, ids, action == BatchApprove, entry)
		case BatchRemove:
			for i := range sigs {
				if err = s.remove(tx, l, userID, &sigs[i], entry, reason); err != nil {
					break
				}
			}
			changed = len(sigs)
		case BatchVerify:
			changed, _, err = s.verify(tx, l, userID, sigs)
		default:
			err = fmt.Errorf("no such action on signatures: %q", action)
		}
		return err
	})
	return changed, err
}

// distinct returns ids without repeats.
func distinct(ids []int64) map[int64]bool {
	set := make(map[int64]bool, len(ids))
	for _, id := range ids {
		set[id] = true
	}
	return set
}
