package models

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"
)

// exportChunk is how many entries a whole list's reader takes from the
// database at a time. Each chunk is a query of its own, whose connection
// is back in the pool before the chunk's entries are handed on: a client
// reading an export slowly holds its socket, never the database.
const exportChunk = 2000

// keyset is where a list read in chunks has got to: the sort key and id of
// the last entry handed on. The next chunk starts after it in the list's
// order, which is unique, so an entry that stays on the list while it is
// read is read once, whatever is added or removed meanwhile.
type keyset struct {
	alphabetical bool // by sort key then id; by id otherwise
	started      bool
	sortKey      string
	id           int64
}

func newKeyset(l *Letter) *keyset { return &keyset{alphabetical: l.ListOrder != OrderSigned} }

// order is the list's order, as SQL.
func (k *keyset) order() string {
	if k.alphabetical {
		return "sort_key, id"
	}
	return "id"
}

// next narrows q to the chunk after the cursor, in the list's order.
func (k *keyset) next(q *gorm.DB) *gorm.DB {
	if k.started && k.alphabetical {
		// A row value, which SQLite and PostgreSQL both compare and seek in
		// the (…, sort_key, id) indexes.
		q = q.Where("(sort_key, id) > (?, ?)", k.sortKey, k.id)
	} else if k.started {
		q = q.Where("id > ?", k.id)
	}
	return q.Order(k.order()).Limit(exportChunk)
}

// passed moves the cursor past an entry.
func (k *keyset) passed(sortKey string, id int64) { k.started, k.sortKey, k.id = true, sortKey, id }

// eachInChunks calls fn for every entry of a list, reading them chunk by
// chunk with read, which returns the entries after k and moves k past them.
func eachInChunks(k *keyset, read func(*keyset) ([]Signature, error), fn func(*Signature) error) error {
	for {
		chunk, err := read(k)
		if err != nil {
			return err
		}
		for i := range chunk {
			if err := fn(&chunk[i]); err != nil {
				return err
			}
		}
		if len(chunk) < exportChunk {
			return nil
		}
	}
}

// publicSection selects, in db, the public columns of one section of a
// letter's public list, and its sort key last (scanSection scans them in this
// order). Its condition is the partial indexes' one, so each section is
// read in index order without sorting.
func publicSection(db *gorm.DB, l *Letter, kind SignatureKind) *gorm.DB {
	// An entry whose signer agreed to an earlier revision than the current one says so.
	return db.Model(&Signature{}).Select(strings.Join(publicColumns, ", ")+", revision < ? AS superseded, sort_key", l.Revision).
		Where("letter_id = ? AND kind = ? AND "+onList, l.ID, kind)
}

// hidePrivate blanks what a public list does not show: what an anonymous
// signer hid (and where they signed, when offline), and the name and role
// of the person who signed on behalf of an organisation (the list names
// the organisation only).
func (sig *Signature) hidePrivate() {
	switch {
	case sig.Display == DisplayAnonymous:
		// Whether an anonymous organisation was verified, or at which
		// event a signer signed, says nothing to the reader, and could
		// help to tell who it is.
		sig.Name, sig.Affiliation, sig.Role, sig.Verified, sig.OfflineSource = "", "", "", NotVerified, ""
	case sig.Kind == KindOrganisation:
		sig.Name, sig.Role = "", ""
	}
}

// EachPublicSignatory calls fn for every entry of a letter's public list, in
// list order (organisations, then individuals), as EachInSection does.
func (s *Store) EachPublicSignatory(ctx context.Context, l *Letter, fn func(*Signature) error) error {
	for _, kind := range []SignatureKind{KindOrganisation, KindIndividual} {
		if err := s.EachInSection(ctx, l, kind, fn); err != nil {
			return err
		}
	}
	return nil
}

// EachInSection calls fn for every entry of one section of a letter's
// public list, in list order, exportChunk entries read at a time: the list
// is never held in memory, and no connection is held while fn runs, however
// long it takes. fn must not keep the entry: its memory serves the next
// chunk. It reads only the public columns; an anonymous signer's name,
// affiliation and role are blanked, and signatures counted but not listed
// are not among the entries.
func (s *Store) EachInSection(ctx context.Context, l *Letter, kind SignatureKind, fn func(*Signature) error) error {
	chunk := make([]Signature, 0, exportChunk)
	return eachInChunks(newKeyset(l), func(k *keyset) ([]Signature, error) {
		chunk = chunk[:0]
		err := scanSection(k.next(publicSection(s.read.WithContext(ctx), l, kind)), func(sig *Signature, sortKey string) error {
			chunk = append(chunk, *sig)
			k.passed(sortKey, sig.ID)
			return nil
		})
		return chunk, err
	}, fn)
}

// scanSection calls fn for the entries a publicSection finds, with what they
// hide blanked, and each one's sort key, which is not part of the entry.
func scanSection(q *gorm.DB, fn func(sig *Signature, sortKey string) error) error {
	rows, err := q.Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		// Scanned by hand, in the order of publicSection's columns: on a page
		// of a long list, gorm's scanning by reflection cost more than the
		// query itself.
		var sig Signature
		var sortKey string
		err := rows.Scan(&sig.ID, &sig.Kind, &sig.Display, &sig.Name, &sig.Affiliation, &sig.Role,
			&sig.Country, &sig.Country2, &sig.Revision, &sig.Verified, &sig.OfflineSource, &sig.Superseded, &sortKey)
		if err != nil {
			return err
		}
		sig.hidePrivate()
		if err := fn(&sig, sortKey); err != nil {
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
// counted, so the counts add up to the number of entries. It reads the
// counts kept as signatures come and go, not the signatures.
func (s *Store) CountryCounts(ctx context.Context, l *Letter) ([]CountryCount, error) {
	rows, err := s.letterCounts(ctx, l, byCountry, "n DESC, key")
	if err != nil {
		return nil, fmt.Errorf("counts by country: %w", err)
	}
	out := make([]CountryCount, len(rows))
	for i, r := range rows {
		out[i] = CountryCount{Country: r.Key, Count: r.N}
	}
	return out, nil
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
	err := s.read.WithContext(ctx).Table("letter_updates").Select(withFileSize+", letters.slug, letters.title").
		Joins("JOIN letters ON letters.id = letter_updates.letter_id").
		Where("letters.state IN ? AND letters.listed", []LetterState{StateOpen, StateClosed}).
		Order("letter_updates.posted_on DESC, letter_updates.id DESC").Limit(limit).Scan(&out).Error
	return out, err
}
