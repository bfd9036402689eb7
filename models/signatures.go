package models

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// SignatureKind says whether a person signs for themself or on behalf of an organisation.
type SignatureKind string

// The kinds of signature.
const (
	KindIndividual   SignatureKind = "individual"
	KindOrganisation SignatureKind = "organisation"
)

// Signature is one entry on a letter's signatory list. Email is private: it
// never leaves the coordinators' pages.
type Signature struct {
	ID          int64
	LetterID    int64
	Kind        SignatureKind
	Name        string
	Affiliation string
	Role        string
	Country     string // ISO 3166-1 alpha-2
	Country2    string `gorm:"column:country2"` // optional second country
	Email       string
	EmailKey    string
	SortName    string
	SortKey     string
	CreatedAt   time.Time
}

// NewSignature is what a signer submits.
type NewSignature struct {
	Kind        SignatureKind
	Name        string
	Affiliation string
	Role        string
	Country     string
	Country2    string
	Email       string
}

// Countries reads "Azerbaijan/Netherlands": the country names joined by a slash.
func (s Signature) Countries() string {
	names := []string{CountryName(s.Country)}
	if s.Country2 != "" {
		names = append(names, CountryName(s.Country2))
	}
	return strings.Join(names, "/")
}

// Entry is the signature as a list reads it, in seed letters' form: "Name,
// Role, Affiliation, Country" for a person, "Organisation, Country" for an
// organisation; empty parts are left out.
func (s Signature) Entry() string {
	parts := []string{s.Name, s.Role, s.Affiliation, s.Countries()}
	if s.Kind == KindOrganisation {
		parts = []string{s.Affiliation, s.Countries()}
	}
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, ", ")
}

// publicColumns are the columns a public list may read: never the email.
var publicColumns = []string{"id", "kind", "name", "affiliation", "role", "country", "country2"}

// AddSignature puts a signature on a published letter's list, if the letter
// takes it: ErrLetterNotOpen, ErrLetterClosed, ErrKindNotAllowed and
// ErrAlreadySigned say why not.
func (s *Store) AddSignature(ctx context.Context, letterID int64, in NewSignature) (*Signature, error) {
	now := s.now()
	sortName := DefaultSortName(in.Kind, in.Name)
	if in.Kind == KindOrganisation {
		sortName = DefaultSortName(in.Kind, in.Affiliation)
	}
	sig := &Signature{
		LetterID: letterID, Kind: in.Kind, Name: in.Name, Affiliation: in.Affiliation, Role: in.Role,
		Country: in.Country, Country2: in.Country2, Email: strings.TrimSpace(in.Email), EmailKey: EmailKey(in.Email),
		SortName: sortName, SortKey: SortKey(sortName), CreatedAt: now,
	}
	err := s.transaction(ctx, func(tx *gorm.DB) error {
		var l Letter
		if err := tx.Select("id", "state", "closes_on", "signers").Take(&l, letterID).Error; err != nil {
			return notFound(err)
		}
		if err := l.AcceptsSignatures(now); err != nil {
			return err
		}
		if !l.AllowsKind(in.Kind) {
			return ErrKindNotAllowed
		}
		if err := tx.Create(sig).Error; err != nil {
			if isDuplicate(err) {
				return ErrAlreadySigned
			}
			return fmt.Errorf("insert signature: %w", err)
		}
		return tx.Model(&Letter{}).Where("id = ?", letterID).Updates(map[string]any{
			counterColumn(in.Kind): gorm.Expr(counterColumn(in.Kind) + " + 1"),
			"list_changed_at":      now,
		}).Error
	})
	if err != nil {
		return nil, err
	}
	return sig, nil
}

func counterColumn(k SignatureKind) string {
	if k == KindOrganisation {
		return "organisation_count"
	}
	return "individual_count"
}

// Signatories returns a page of a letter's public list, in the letter's
// order. The list reads organisations first, then individuals; offset and
// limit count across both.
func (s *Store) Signatories(ctx context.Context, l *Letter, offset, limit int) ([]Signature, error) {
	var out []Signature
	for _, part := range []struct {
		kind  SignatureKind
		count int64
	}{{KindOrganisation, l.OrganisationCount}, {KindIndividual, l.IndividualCount}} {
		if limit <= 0 {
			break
		}
		if int64(offset) >= part.count {
			offset -= int(part.count)
			continue
		}
		page, err := s.signatoriesOfKind(ctx, l, part.kind, offset, limit)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		offset, limit = 0, limit-len(page)
	}
	return out, nil
}

// SignatoriesOfKind returns a page of one section of a letter's public list.
func (s *Store) signatoriesOfKind(ctx context.Context, l *Letter, kind SignatureKind, offset, limit int) ([]Signature, error) {
	order := "sort_key, id"
	if l.ListOrder == OrderSigned {
		order = "id"
	}
	var page []Signature
	err := s.read.WithContext(ctx).Select(publicColumns).
		Where("letter_id = ? AND kind = ?", l.ID, kind).Order(order).Offset(offset).Limit(limit).Find(&page).Error
	return page, err
}

// SectionSignatories returns the first limit entries of one section, for the letter page.
func (s *Store) SectionSignatories(ctx context.Context, l *Letter, kind SignatureKind, limit int) ([]Signature, error) {
	return s.signatoriesOfKind(ctx, l, kind, 0, limit)
}

// CoordinatorSignatures returns a page of a letter's signatures with their
// private fields, newest first. The caller has authorised access to l.
func (s *Store) CoordinatorSignatures(ctx context.Context, l *Letter, offset, limit int) ([]Signature, error) {
	var page []Signature
	err := s.read.WithContext(ctx).Where("letter_id = ?", l.ID).Order("id DESC").Offset(offset).Limit(limit).Find(&page).Error
	return page, err
}

// EachSignature calls fn for every signature of a letter in list order,
// reading one row at a time so that a large list is never held in memory.
func (s *Store) EachSignature(ctx context.Context, l *Letter, fn func(*Signature) error) error {
	order := "kind DESC, sort_key, id"
	if l.ListOrder == OrderSigned {
		order = "kind DESC, id"
	}
	db := s.read.WithContext(ctx)
	rows, err := db.Model(&Signature{}).Where("letter_id = ?", l.ID).Order(order).Rows()
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

// SignatureRemoval records that a coordinator took an entry off the list.
type SignatureRemoval struct {
	ID        int64
	LetterID  int64
	RemovedBy *int64
	Entry     string
	Reason    string
	RemovedAt time.Time
}

// RemoveSignature takes a signature off the list and the count, recording
// who removed it and why. The caller has authorised access to l.
func (s *Store) RemoveSignature(ctx context.Context, l *Letter, userID, signatureID int64, reason string) error {
	now := s.now()
	return s.transaction(ctx, func(tx *gorm.DB) error {
		var sig Signature
		if err := tx.Where("letter_id = ?", l.ID).Take(&sig, signatureID).Error; err != nil {
			return notFound(err)
		}
		if err := tx.Delete(&sig).Error; err != nil {
			return err
		}
		removal := &SignatureRemoval{LetterID: l.ID, RemovedBy: &userID, Entry: sig.Entry(), Reason: reason, RemovedAt: now}
		if err := tx.Create(removal).Error; err != nil {
			return err
		}
		return tx.Model(&Letter{}).Where("id = ?", l.ID).Updates(map[string]any{
			counterColumn(sig.Kind): gorm.Expr(counterColumn(sig.Kind) + " - 1"),
			"list_changed_at":       now,
		}).Error
	})
}

// SignatureRemovals returns the removals from a letter's list, newest first.
func (s *Store) SignatureRemovals(ctx context.Context, l *Letter) ([]SignatureRemoval, error) {
	var out []SignatureRemoval
	err := s.read.WithContext(ctx).Where("letter_id = ?", l.ID).Order("removed_at DESC, id DESC").Limit(200).Find(&out).Error
	return out, err
}

// SetSortName corrects the name a signature is sorted by ("El-Hage" rather
// than "Hage"). The caller has authorised access to l.
func (s *Store) SetSortName(ctx context.Context, l *Letter, signatureID int64, sortName string) error {
	return s.transaction(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&Signature{}).Where("id = ? AND letter_id = ?", signatureID, l.ID).
			Updates(map[string]any{"sort_name": sortName, "sort_key": SortKey(sortName)})
		if res.Error == nil && res.RowsAffected == 0 {
			return ErrNotFound
		}
		return res.Error
	})
}
