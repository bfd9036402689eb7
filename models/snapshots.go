package models

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// ErrSnapshotExists says the letter's list was already published as of that
// date: a dated list is published once, so it is not taken again.
var ErrSnapshotExists = errors.New("the list was already published as of this date")

// Snapshot is a letter's public list frozen as it read on a date: the
// entries are kept as text in snapshot_entries, and only ever deleted.
//
// A signer who changes how they appear later leaves the snapshots taken
// before as they were, but for one change: a signer who withdraws, whom a
// coordinator removes, or who stops appearing by name has their entry
// deleted from every snapshot (see redactSnapshots), which then says how
// many entries went since it was published. /privacy says so.
type Snapshot struct {
	ID                int64
	LetterID          int64
	AsOf              time.Time // midnight UTC of the date
	PreviousID        *int64
	Title             string
	Lang              string
	OrganisationCount int64
	IndividualCount   int64
	UnlistedCount     int64
	AddedCount        int64 // entries not in the previous snapshot
	GoneCount         int64 // entries of the previous snapshot no longer there
	// WithdrawnCount is how many entries were deleted since publication:
	// withdrawn by their signers or removed by a coordinator. The counts
	// above no longer include them.
	WithdrawnCount int64
	CreatedAt      time.Time
}

// SignatureCount is the number of signatures counted on the date: named or not.
func (s *Snapshot) SignatureCount() int64 {
	return s.OrganisationCount + s.IndividualCount + s.UnlistedCount
}

// NamedCount is the number of entries on the frozen list.
func (s *Snapshot) NamedCount() int64 { return s.OrganisationCount + s.IndividualCount }

// SnapshotEntry is one frozen entry of a snapshot.
type SnapshotEntry struct {
	SnapshotID int64
	Position   int64
	Kind       SignatureKind
	Entry      string
	Occurrence int64
	// SignatureID is the signature the entry was copied from, so that its
	// withdrawal deletes the entry; nil for entries frozen before that was kept.
	SignatureID *int64
	// SignedRevision is the revision the signer had agreed to, when the
	// letter had been revised since on the date; it is not part of Entry.
	SignedRevision *int
}

// Day is t's date, at midnight UTC: how dates of snapshots and updates are stored.
func Day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// sqlParts is the SQL for Signature.Entry's joining of the non-empty parts
// with ", ": each present part is prefixed with ", " and the first prefix is
// cut off.
func sqlParts(parts ...string) string {
	var b strings.Builder
	b.WriteString("substr(")
	for i, p := range parts {
		if i > 0 {
			b.WriteString(" || ")
		}
		fmt.Fprintf(&b, "CASE WHEN %[1]s <> '' THEN words.sep || %[1]s ELSE '' END", p)
	}
	b.WriteString(", length(words.sep) + 1)")
	return b.String()
}

// snapshotEntrySQL computes in SQL what Signature.Entry computes in Go, so
// that a list of any length is copied without passing through memory. The
// word for "Anonymous" is words.anonymous, the separator of the parts
// words.sep (see EntrySeparator); c1 and c2 are the names of the
// signature's countries, joined from the table countryTable fills.
var snapshotEntrySQL = func() string {
	countries := "(coalesce(c1.cname, '') || CASE WHEN s.country2 <> '' THEN '/' || coalesce(c2.cname, '') ELSE '' END)"
	return "CASE WHEN s.display = 'anonymous' THEN " + sqlParts("words.anonymous", countries) +
		" WHEN s.kind = 'organisation' THEN " + sqlParts("s.affiliation", countries) +
		" ELSE " + sqlParts("s.name", "s.role", "s.affiliation", countries) + " END"
}()

// countryTable fills a temporary table with the country names in lang, for the
// copy of a snapshot's entries to join: a table with its primary key, since
// a join on a list of values reads the whole list for every signature.
func countryTable(tx *gorm.DB, lang string) error {
	create := `CREATE TEMP TABLE IF NOT EXISTS snapshot_countries (code TEXT PRIMARY KEY, cname TEXT NOT NULL)`
	if Dialect(tx.Dialector.Name()) == SQLite {
		create += " WITHOUT ROWID"
	}
	if err := tx.Exec(create).Error; err != nil {
		return err
	}
	// Unqualified, the name finds the temporary table first on SQLite and
	// on PostgreSQL alike.
	if err := tx.Exec(`DELETE FROM snapshot_countries`).Error; err != nil {
		return err
	}
	rows := make([]string, len(countries))
	args := make([]any, 0, 2*len(countries))
	for i, c := range countries {
		rows[i] = "(?, ?)"
		args = append(args, c.Code, CountryNameIn(lang, c.Code))
	}
	return tx.Exec(`INSERT INTO snapshot_countries (code, cname) VALUES `+strings.Join(rows, ", "), args...).Error
}

// PublishSnapshot freezes the letter's public list as of today, in one
// transaction: the entries are copied by INSERT … SELECT, so a list of any
// length is never held in memory. anonymous is the word anonymous signers
// appear as. A letter not yet published returns ErrLetterNotOpen; a list
// already published today, ErrSnapshotExists; a list embargoed until its
// launch, ErrListHidden. The caller has authorised access to l.
func (s *Store) PublishSnapshot(ctx context.Context, l *Letter, anonymous string) (*Snapshot, error) {
	now := s.now()
	snap := &Snapshot{LetterID: l.ID, AsOf: Day(now), CreatedAt: now}
	err := s.transaction(ctx, func(tx *gorm.DB) error {
		var cur Letter
		if err := tx.Take(&cur, l.ID).Error; err != nil {
			return notFound(err)
		}
		if !cur.IsPublic() {
			return ErrLetterNotOpen
		}
		if cur.ListHidden(now) {
			return ErrListHidden
		}
		var taken int64
		if err := tx.Model(&Snapshot{}).Where("letter_id = ? AND as_of = ?", l.ID, snap.AsOf).Count(&taken).Error; err != nil {
			return err
		}
		if taken > 0 {
			return ErrSnapshotExists
		}
		var prev []Snapshot
		if err := tx.Where("letter_id = ?", l.ID).Order("as_of DESC").Limit(1).Find(&prev).Error; err != nil {
			return err
		}
		if len(prev) == 1 {
			snap.PreviousID = &prev[0].ID
		}
		snap.Title, snap.Lang, snap.UnlistedCount = cur.Title, cur.Lang, cur.UnlistedCount
		if err := tx.Create(snap).Error; err != nil {
			if isDuplicate(err) {
				return ErrSnapshotExists
			}
			return fmt.Errorf("create snapshot: %w", err)
		}
		if err := countryTable(tx, cur.Lang); err != nil {
			return fmt.Errorf("country names: %w", err)
		}
		order := newKeyset(&cur).order() // the live list's order, ties and all
		var position int64
		for _, part := range []struct {
			kind  SignatureKind
			count *int64
		}{{KindOrganisation, &snap.OrganisationCount}, {KindIndividual, &snap.IndividualCount}} {
			res := tx.Exec(`WITH words(anonymous, sep) AS (SELECT CAST(? AS TEXT), CAST(? AS TEXT))
				INSERT INTO snapshot_entries (snapshot_id, position, kind, entry, occurrence, signed_revision, signature_id)
				SELECT ?, ? + ROW_NUMBER() OVER (ORDER BY `+order+`), kind, entry,
					ROW_NUMBER() OVER (PARTITION BY entry ORDER BY `+order+`),
					CASE WHEN revision < ? THEN revision END, id
				FROM (SELECT s.id, s.sort_key, s.kind, s.revision, `+snapshotEntrySQL+` AS entry
					FROM signatures s CROSS JOIN words
					LEFT JOIN snapshot_countries c1 ON c1.code = s.country
					LEFT JOIN snapshot_countries c2 ON c2.code = s.country2
					WHERE s.letter_id = ? AND s.kind = ? AND s.status = 'listed' AND s.display <> 'counted') AS listed`,
				anonymous, EntrySeparator(cur.Lang), snap.ID, position, cur.Revision, l.ID, part.kind)
			if res.Error != nil {
				return fmt.Errorf("copy %s entries: %w", part.kind, res.Error)
			}
			*part.count = res.RowsAffected
			position += res.RowsAffected
		}
		if err := countChanges(tx, snap); err != nil {
			return err
		}
		return tx.Model(snap).Select("organisation_count", "individual_count", "added_count", "gone_count").Updates(snap).Error
	})
	if err != nil {
		return nil, err
	}
	return snap, nil
}

// changesSQL selects the entries of one snapshot (the first parameter) that
// another (the second) lacks, entry for entry, in list order.
const changesSQL = `SELECT e.kind, e.entry, e.position, e.signed_revision FROM snapshot_entries e
	WHERE e.snapshot_id = ? AND NOT EXISTS (SELECT 1 FROM snapshot_entries p
		WHERE p.snapshot_id = ? AND p.kind = e.kind AND p.entry = e.entry AND p.occurrence = e.occurrence)`

// changesKept is how many of a dated list's changes since the one before
// are kept on each side, added and gone, for its page to show.
const changesKept = 100

// countChanges sets snap's AddedCount and GoneCount, the entries it has
// that the previous snapshot lacks and the other way round, and keeps the
// first changesKept of each in snapshot_changes, in tx.
func countChanges(tx *gorm.DB, snap *Snapshot) error {
	if snap.PreviousID == nil {
		return nil
	}
	if err := tx.Raw(`SELECT COUNT(*) FROM (`+changesSQL+`) AS changes`, snap.ID, *snap.PreviousID).Scan(&snap.AddedCount).Error; err != nil {
		return err
	}
	if err := tx.Raw(`SELECT COUNT(*) FROM (`+changesSQL+`) AS changes`, *snap.PreviousID, snap.ID).Scan(&snap.GoneCount).Error; err != nil {
		return err
	}
	if err := tx.Exec("DELETE FROM snapshot_changes WHERE snapshot_id = ?", snap.ID).Error; err != nil {
		return err
	}
	for _, side := range []struct {
		name        string
		of, against int64
	}{{"added", snap.ID, *snap.PreviousID}, {"gone", *snap.PreviousID, snap.ID}} {
		err := tx.Exec(`INSERT INTO snapshot_changes (snapshot_id, side, position, kind, entry, signed_revision)
			SELECT ?, ?, position, kind, entry, signed_revision FROM (`+changesSQL+` ORDER BY e.position LIMIT ?) AS changes`,
			snap.ID, side.name, side.of, side.against, changesKept).Error
		if err != nil {
			return fmt.Errorf("keep the changes %s: %w", side.name, err)
		}
	}
	return nil
}

// redactSnapshots deletes the entries copied from a signature from every
// snapshot, in tx, when its signer withdraws or hides their name, or a
// coordinator removes it: a
// withdrawal that left the name on the dated lists already published would
// not do what it says. Each snapshot's counts go down, its WithdrawnCount up,
// and the changes counted against or by it are counted again, so that the
// next list's "changes since" does not bring the entry back as gone.
func redactSnapshots(tx *gorm.DB, sig *Signature) error {
	var gone []SnapshotEntry
	if err := tx.Where("signature_id = ?", sig.ID).Find(&gone).Error; err != nil {
		return err
	}
	legacy, err := legacyEntries(tx, sig)
	if err != nil {
		return err
	}
	gone = append(gone, legacy...)
	if len(gone) == 0 {
		return nil
	}
	ids := make([]int64, len(gone))
	for i, e := range gone {
		if err := redactEntry(tx, &e); err != nil {
			return fmt.Errorf("redact snapshot %d: %w", e.SnapshotID, err)
		}
		ids[i] = e.SnapshotID
	}
	var affected []Snapshot
	if err := tx.Where("previous_id IS NOT NULL AND (id IN ? OR previous_id IN ?)", ids, ids).Find(&affected).Error; err != nil {
		return err
	}
	for i := range affected {
		if err := countChanges(tx, &affected[i]); err != nil {
			return err
		}
		if err := tx.Model(&affected[i]).Select("added_count", "gone_count").Updates(&affected[i]).Error; err != nil {
			return err
		}
	}
	return nil
}

// legacyEntries finds, in tx, the entries of the letter's snapshots frozen
// before entries kept their signature that read as sig reads now, one per
// snapshot: entries of the same text cannot be told apart, and any one of
// them going reads the same. Only a listed signature shown by name is
// looked for: an anonymous entry names no one, and a signer who changed how
// they appear since cannot be found by their text.
func legacyEntries(tx *gorm.DB, sig *Signature) ([]SnapshotEntry, error) {
	if sig.Status != StatusListed || sig.Display != DisplayFull {
		return nil, nil
	}
	var out []SnapshotEntry
	err := tx.Raw(`SELECT e.* FROM snapshot_entries e WHERE e.signature_id IS NULL AND e.kind = ? AND e.entry = ?
		AND e.snapshot_id IN (SELECT id FROM snapshots WHERE letter_id = ?)
		AND e.occurrence = (SELECT MAX(o.occurrence) FROM snapshot_entries o
			WHERE o.snapshot_id = e.snapshot_id AND o.kind = e.kind AND o.entry = e.entry)`,
		sig.Kind, sig.Entry("en", ""), sig.LetterID).Scan(&out).Error
	return out, err
}

// redactEntry deletes one entry from its snapshot, in tx. The later entries
// of the same text move up one occurrence, so that two lists still compare
// entry for entry; they are negated first, as the unique index is checked
// row by row. Positions keep their gap: pages are read by offset.
func redactEntry(tx *gorm.DB, e *SnapshotEntry) error {
	if err := tx.Where("snapshot_id = ? AND position = ?", e.SnapshotID, e.Position).Delete(&SnapshotEntry{}).Error; err != nil {
		return err
	}
	same := "snapshot_id = ? AND kind = ? AND entry = ?"
	if err := tx.Model(&SnapshotEntry{}).Where(same+" AND occurrence > ?", e.SnapshotID, e.Kind, e.Entry, e.Occurrence).
		UpdateColumn("occurrence", gorm.Expr("1 - occurrence")).Error; err != nil {
		return err
	}
	if err := tx.Model(&SnapshotEntry{}).Where(same+" AND occurrence < 0", e.SnapshotID, e.Kind, e.Entry).
		UpdateColumn("occurrence", gorm.Expr("- occurrence")).Error; err != nil {
		return err
	}
	count := "individual_count"
	if e.Kind == KindOrganisation {
		count = "organisation_count"
	}
	return tx.Model(&Snapshot{}).Where("id = ?", e.SnapshotID).Updates(map[string]any{
		count: gorm.Expr(count + " - 1"), "withdrawn_count": gorm.Expr("withdrawn_count + 1"),
	}).Error
}

// Snapshots returns a letter's snapshots, newest first.
func (s *Store) Snapshots(ctx context.Context, letterID int64) ([]Snapshot, error) {
	var out []Snapshot
	err := s.read.WithContext(ctx).Where("letter_id = ?", letterID).Order("as_of DESC").Find(&out).Error
	return out, err
}

// SnapshotAsOf returns the letter's snapshot of a date, or ErrNotFound.
func (s *Store) SnapshotAsOf(ctx context.Context, letterID int64, date time.Time) (*Snapshot, error) {
	var snap Snapshot
	if err := s.read.WithContext(ctx).Where("letter_id = ? AND as_of = ?", letterID, Day(date)).Take(&snap).Error; err != nil {
		return nil, notFound(err)
	}
	return &snap, nil
}

// SnapshotByID returns a snapshot of a letter, or ErrNotFound.
func (s *Store) SnapshotByID(ctx context.Context, letterID, id int64) (*Snapshot, error) {
	var snap Snapshot
	if err := s.read.WithContext(ctx).Where("letter_id = ?", letterID).Take(&snap, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &snap, nil
}

// SnapshotEntries returns a page of a snapshot's entries in list order,
// read through the primary key. Offset counts entries, not positions: a
// snapshot's positions run from 1 without a gap until an entry is
// withdrawn, and the page is then sought by position; a withdrawn entry
// leaves a gap, and the page of a snapshot with gaps is read by offset.
func (s *Store) SnapshotEntries(ctx context.Context, snap *Snapshot, offset, limit int) ([]SnapshotEntry, error) {
	var out []SnapshotEntry
	err := s.readSnapshot(ctx, func(tx *gorm.DB) error {
		var withdrawn int64 // as of this read, not of snap's
		if err := tx.Model(&Snapshot{}).Select("withdrawn_count").Where("id = ?", snap.ID).Row().Scan(&withdrawn); err != nil {
			return notFound(err)
		}
		q := tx.Where("snapshot_id = ?", snap.ID).Order("position").Limit(limit)
		if withdrawn == 0 {
			q = q.Where("position > ?", offset)
		} else {
			q = q.Offset(offset)
		}
		return q.Find(&out).Error
	})
	return out, err
}

// SnapshotChanges returns, in list order, up to limit entries added since the
// previous snapshot and up to limit of its entries no longer there (shown
// differently since: withdrawn entries are gone from both), limit being at
// most changesKept. Their counts are in snap.AddedCount and snap.GoneCount.
// They are read from those kept at publication: a few rows, however long
// the lists.
func (s *Store) SnapshotChanges(ctx context.Context, snap *Snapshot, limit int) (added, gone []SnapshotEntry, err error) {
	if snap.PreviousID == nil {
		return nil, nil, nil
	}
	read := func(side string, out *[]SnapshotEntry) error {
		return s.read.WithContext(ctx).Table("snapshot_changes").Select("kind, entry, position, signed_revision").
			Where("snapshot_id = ? AND side = ?", snap.ID, side).Order("position").Limit(limit).Scan(out).Error
	}
	if err := read("added", &added); err != nil {
		return nil, nil, err
	}
	err = read("gone", &gone)
	return added, gone, err
}
