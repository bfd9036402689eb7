package models

import (
	"context"
	"fmt"
	"slices"

	"gorm.io/gorm"
)

// partnerColumns are the columns of a directory's CSV; several countries,
// domains or tags in one cell are separated by ";". Other columns are
// ignored.
var partnerColumns = []string{"name", "countries", "website", "domains", "tags", "contact_name", "contact_role", "contact_email", "contact_lang"}

// PartnerRow is one row of a directory's import as parsed and checked, or
// the reason it cannot be imported, and what the import does with it.
type PartnerRow struct {
	Line    int    // line of the source where the row starts
	Source  string // the row as written, for the preview
	Partner PartnerInput
	Contact *PartnerContact // nil when the row names no contact
	Problem *Invalid        // the first rule the row breaks, if any
	// Existing is the partner of the directory with the row's NameKey or
	// one of its domains: the row is skipped.
	Existing *Partner
	// SameAs is the line of an earlier row of the same organisation (by
	// NameKey): the row's contact is added to that row's partner, and the
	// rest of the row is not read.
	SameAs int
	// Repeats is the line of an earlier row the row repeats: a domain of
	// another organisation there, or the same organisation again without a
	// new contact. The row is skipped.
	Repeats int
}

// NewPartner reports whether the row adds a partner.
func (r *PartnerRow) NewPartner() bool {
	return r.Problem == nil && r.Existing == nil && r.SameAs == 0 && r.Repeats == 0
}

// ParsePartnerImport reads a directory's CSV (see partnerColumns; a
// header row with at least "name"). Each row comes back checked as a
// partner typed in the form is (see PartnerInput.Check and
// PartnerContact.Check, langs being the interface's languages), with its
// Problem if it breaks a rule; a row with any contact cell has a contact.
// The source is bounded as a signatories' import is (ImportMaxRows,
// ImportMaxBytes).
func ParsePartnerImport(src string, langs ...string) ([]PartnerRow, error) {
	if len(src) > ImportMaxBytes {
		return nil, ErrImportTooLarge
	}
	var rows []PartnerRow
	header := func(has func(string) bool) bool { return has("name") }
	err := eachCSVRecord(src, partnerColumns, header, func(rec csvRecord) {
		row := PartnerRow{Line: rec.Line, Source: rec.source()}
		if rec.Bad {
			row.Problem = &Invalid{Code: ProblemBadRecord}
			rows = append(rows, row)
			return
		}
		var invalid []Invalid
		row.Partner, invalid = PartnerInput{Name: rec.cell("name"), Countries: rec.cell("countries"), Website: rec.cell("website"),
			Domains: rec.cell("domains"), Tags: rec.cell("tags")}.Check(langs...)
		c := PartnerContact{Name: rec.cell("contact_name"), Role: rec.cell("contact_role"), Email: rec.cell("contact_email"), Lang: rec.cell("contact_lang")}
		if c != (PartnerContact{}) {
			var contactInvalid []Invalid
			c, contactInvalid = c.Check(langs...)
			row.Contact, invalid = &c, append(invalid, contactInvalid...)
		}
		if len(invalid) > 0 {
			row.Problem = &invalid[0]
		}
		rows = append(rows, row)
	})
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, ErrImportEmpty
	}
	return rows, nil
}

// MarkPartnerDuplicates finds, for a preview, what the import of rows into
// an organisation's directory would do with each: sets Existing, SameAs
// and Repeats. The caller has checked the coordinator's membership.
func (s *Store) MarkPartnerDuplicates(ctx context.Context, orgID int64, rows []PartnerRow) error {
	return markPartnerDuplicates(s.read.WithContext(ctx), orgID, rows)
}

func markPartnerDuplicates(db *gorm.DB, orgID int64, rows []PartnerRow) error {
	byKey, byDomain, err := directoryMatches(db, orgID, rows)
	if err != nil {
		return err
	}
	lineOfKey, lineOfDomain := map[string]int{}, map[string]int{}
	contacts := map[string][]string{} // the addresses each organisation of the file adds
	for i := range rows {
		r := &rows[i]
		r.Existing, r.SameAs, r.Repeats = nil, 0, 0
		if r.Problem != nil {
			continue
		}
		key, domains := NameKey(r.Partner.Name), Lines(r.Partner.Domains)
		if r.Existing = byKey[key]; r.Existing != nil {
			continue
		}
		for _, d := range domains {
			if r.Existing = byDomain[d]; r.Existing != nil {
				break
			}
		}
		if r.Existing != nil {
			continue
		}
		if line, ok := lineOfKey[key]; ok {
			if r.Contact == nil || slices.Contains(contacts[key], r.Contact.Email) {
				r.Repeats = line
			} else {
				r.SameAs = line
				contacts[key] = append(contacts[key], r.Contact.Email)
			}
			continue
		}
		for _, d := range domains {
			if line, ok := lineOfDomain[d]; ok {
				r.Repeats = line
				break
			}
		}
		if r.Repeats != 0 {
			continue
		}
		lineOfKey[key] = r.Line
		for _, d := range domains {
			lineOfDomain[d] = r.Line
		}
		if r.Contact != nil {
			contacts[key] = append(contacts[key], r.Contact.Email)
		}
	}
	return nil
}

// directoryMatches finds the partners of a directory that have the
// NameKey or a domain of one of rows, by key and by domain.
func directoryMatches(db *gorm.DB, orgID int64, rows []PartnerRow) (map[string]*Partner, map[string]*Partner, error) {
	var keys, domains []string
	for i := range rows {
		if rows[i].Problem == nil {
			keys = append(keys, NameKey(rows[i].Partner.Name))
			domains = append(domains, Lines(rows[i].Partner.Domains)...)
		}
	}
	byKey, byDomain := map[string]*Partner{}, map[string]*Partner{}
	for chunk := range slices.Chunk(keys, 500) {
		var found []Partner
		if err := db.Select("id", "name", "name_key").Where("organisation_id = ? AND name_key IN ?", orgID, chunk).Find(&found).Error; err != nil {
			return nil, nil, fmt.Errorf("partners by name: %w", err)
		}
		for i := range found {
			byKey[found[i].NameKey] = &found[i]
		}
	}
	for chunk := range slices.Chunk(domains, 500) {
		var found []struct {
			Domain    string
			PartnerID int64
			Name      string
		}
		err := db.Table("partner_domains").Select("partner_domains.domain, partner_domains.partner_id, partners.name").
			Joins("JOIN partners ON partners.id = partner_domains.partner_id").
			Where("partner_domains.organisation_id = ? AND partner_domains.domain IN ?", orgID, chunk).Find(&found).Error
		if err != nil {
			return nil, nil, fmt.Errorf("partners by domain: %w", err)
		}
		for _, f := range found {
			byDomain[f.Domain] = &Partner{ID: f.PartnerID, Name: f.Name}
		}
	}
	return byKey, byDomain, nil
}

// PartnerImportResult is what an import into a directory did.
type PartnerImportResult struct {
	Partners int // partners added
	Contacts int // contacts added, to them
	Skipped  int // rows already in the directory or repeated
}

// ImportPartners adds the rows of an import to an organisation's
// directory, all in one transaction or none: ErrImportInvalid when a row
// has a problem. What each row does is found again here (see
// MarkPartnerDuplicates): partners already in the directory and repeated
// rows are skipped, and a later row of the same organisation adds its
// contact to the partner of the first. The caller has checked the
// coordinator's membership.
func (s *Store) ImportPartners(ctx context.Context, orgID int64, rows []PartnerRow) (PartnerImportResult, error) {
	var res PartnerImportResult
	for i := range rows {
		if rows[i].Problem != nil {
			return res, ErrImportInvalid
		}
	}
	now := s.now()
	err := s.transaction(ctx, func(tx *gorm.DB) error {
		res = PartnerImportResult{}
		if err := markPartnerDuplicates(tx, orgID, rows); err != nil {
			return err
		}
		var partners []*Partner
		byLine := map[int]*Partner{}
		for i := range rows {
			if r := &rows[i]; r.NewPartner() {
				p := newPartner(orgID, r.Partner, now)
				partners, byLine[r.Line] = append(partners, p), p
			}
		}
		if err := createPartners(tx, partners); err != nil {
			return err
		}
		var contacts []PartnerContact
		for i := range rows {
			r := &rows[i]
			p := byLine[r.Line]
			if r.SameAs != 0 {
				p = byLine[r.SameAs]
			}
			if p == nil {
				res.Skipped++
				continue
			}
			if r.Contact != nil {
				c := *r.Contact
				c.PartnerID, c.CreatedAt = p.ID, now
				contacts = append(contacts, c)
			}
		}
		res.Partners, res.Contacts = len(partners), len(contacts)
		if len(contacts) == 0 {
			return nil
		}
		if err := tx.CreateInBatches(contacts, 200).Error; err != nil {
			return fmt.Errorf("insert partner contacts: %w", err)
		}
		return nil
	})
	if err != nil {
		return PartnerImportResult{}, fmt.Errorf("import partners: %w", err)
	}
	return res, nil
}
