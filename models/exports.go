package models

import (
	"context"
	"strings"

	"gorm.io/gorm"
)

// sectionQuery selects the public columns of one section of a letter's
// public list, in the letter's order (eachInSection scans them in theirs),
// from offset on and at most limit of them (all when limit is 0). Its
// condition is the partial indexes' one, so each section is read in index
// order without sorting.
func (s *Store) sectionQuery(ctx context.Context, l *Letter, kind SignatureKind, offset, limit int) *gorm.DB {
	order := "sort_key, id"
	if l.ListOrder == OrderSigned {
		order = "id"
	}
	// An entry whose signer agreed to an earlier revision than the current one says so.
	q := s.read.WithContext(ctx).Model(&Signature{}).Select(strings.Join(publicColumns, ", ")+", revision < ? AS superseded", l.Revision).
		Where("letter_id = ? AND kind = ? AND "+onList, l.ID, kind).Order(order)
	if limit > 0 {
		q = q.Offset(offset).Limit(limit)
	}
	return q
}

// hidePrivate blanks what a public list does not show: what an anonymous
// signer hid, and the name and role of the person who signed on behalf of
// an organisation (the list names the organisation only).
func (sig *Signature) hidePrivate() {
	switch {
	case sig.Display == DisplayAnonymous:
		sig.Name, sig.Affiliation, sig.Role = "", "", ""
	case sig.Kind == KindOrganisation:
		sig.Name, sig.Role = "", ""
	}
}

// EachPublicSignatory calls fn for every entry of a letter's public list, in
// list order (organisations, then individuals), reading one row at a time
// so that a large list is never held in memory. It reads only the public
// columns; an anonymous signer's name, affiliation and role are blanked,
// and signatures counted but not listed are not among the entries.
func (s *Store) EachPublicSignatory(ctx context.Context, l *Letter, fn func(*Signature) error) error {
	for _, kind := range []SignatureKind{KindOrganisation, KindIndividual} {
		if err := s.eachInSection(ctx, l, kind, 0, 0, fn); err != nil {
			return err
		}
	}
	return nil
}

// eachInSection calls fn for the entries of one section of a letter's
// public list, in list order, from offset on and at most limit of them (all
// when limit is 0), with what they hide blanked.
func (s *Store) eachInSection(ctx context.Context, l *Letter, kind SignatureKind, offset, limit int, fn func(*Signature) error) error {
	rows, err := s.sectionQuery(ctx, l, kind, offset, limit).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		// Scanned by hand, in the order of sectionQuery's columns: on a page
		// of a long list, gorm's scanning by reflection cost more than the
		// query itself.
		var sig Signature
		err := rows.Scan(&sig.ID, &sig.Kind, &sig.Display, &sig.Name, &sig.Affiliation, &sig.Role,
			&sig.Country, &sig.Country2, &sig.Revision, &sig.Superseded)
		if err != nil {
			return err
		}
		sig.hidePrivate()
		if err := fn(&sig); err != nil {
			return err
		}
	}
	return rows.Err()
}

// eachRow calls fn for every signature the query finds, reading one row at
// a time, so that a large list is never held in memory.
func eachRow(db *gorm.DB, fn func(*Signature) error) error {
	rows, err := db.Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var sig Signature
		if err := db.ScanRows(rows, &sig); err != nil {
			return err
		}
		if err := fn(&sig); err != nil {
			return err
		}
	}
	return rows.Err()
}

// CountryCount is how many entries of a public list give a country first.
type CountryCount struct {
	Country string // ISO 3166-1 alpha-2
	Count   int64
}

// CountryCounts returns how many entries of a letter's public list give each
// country as their first, most first, then by code. Signatures counted but
// not listed are left out: their signers chose not to be shown, and a count
// by country could single them out. A signer's second country is not
// counted, so the counts add up to the number of entries.
func (s *Store) CountryCounts(ctx context.Context, l *Letter) ([]CountryCount, error) {
	var out []CountryCount
	err := s.read.WithContext(ctx).Model(&Signature{}).Select("country, COUNT(*) AS count").
		Where("letter_id = ? AND "+onList, l.ID).Group("country").Order("count DESC, country").Scan(&out).Error
	return out, err
}

// PublicUpdate is an update posted on a published, listed letter, with the
// letter's address and title.
type PublicUpdate struct {
	LetterUpdate
	Slug  string
	Title string
}

// PublicUpdates returns the newest updates posted on published, listed
// letters, newest first: what the feed of new letters announces besides them.
func (s *Store) PublicUpdates(ctx context.Context, limit int) ([]PublicUpdate, error) {
	var out []PublicUpdate
	err := s.read.WithContext(ctx).Table("letter_updates").Select("letter_updates.*, letters.slug, letters.title").
		Joins("JOIN letters ON letters.id = letter_updates.letter_id").
		Where("letters.state IN ? AND letters.listed", []LetterState{StateOpen, StateClosed}).
		Order("letter_updates.posted_on DESC, letter_updates.id DESC").Limit(limit).Scan(&out).Error
	return out, err
}
