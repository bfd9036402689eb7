package models

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Partner is an organisation in a coordinator's organisation's directory:
// one it asks to sign its letters.
type Partner struct {
	ID             int64
	OrganisationID int64
	Name           string
	NameKey        string // NameKey(Name): a duplicate has the same
	Countries      string // ISO 3166-1 alpha-2 codes, one per line
	Website        string
	Tags           string // one per line
	CreatedAt      time.Time

	Domains  []PartnerDomain  `gorm:"foreignKey:PartnerID"`
	Contacts []PartnerContact `gorm:"foreignKey:PartnerID"`
}

// PartnerDomain is an email domain a partner's people write from. Within a
// directory, a domain belongs to one partner.
type PartnerDomain struct {
	OrganisationID int64  `gorm:"primaryKey;autoIncrement:false"`
	Domain         string `gorm:"primaryKey"`
	PartnerID      int64
}

// PartnerContact is a person at a partner whom invitations are sent to, in
// their language.
type PartnerContact struct {
	ID        int64
	PartnerID int64
	Name      string     `field:"contact_name" validate:"required,max=200,text,visible"`
	Role      string     `field:"contact_role" validate:"max=200,text"`
	Email     string     `field:"contact_email" validate:"required,max=254,email,visible_email"`
	Lang      string     `field:"contact_lang" validate:"omitempty,max=35,bcp47"` // a language of the interface, or empty for the letter's
	BouncedAt *time.Time // mail to the address failed for good: never mailed again
	CreatedAt time.Time
}

// SignInvitation is a personal invitation, sent to one partner's contact,
// to sign one letter; its link signs for the partner without review.
type SignInvitation struct {
	ID            int64
	LetterID      int64
	PartnerID     int64
	ContactID     int64
	TokenHash     string
	InvitedBy     *int64
	InvitedAt     time.Time
	VisitedAt     *time.Time // the link was opened: no pixel, only the link
	SignedAt      *time.Time
	SignatureID   *int64
	DeclinedAt    *time.Time
	DeclineReason string
}

// PartnerInput is a partner as typed or imported, with the rules it must
// meet (see Check). Countries, domains and tags are one per line, or
// separated by ";" as a spreadsheet's cell has them.
type PartnerInput struct {
	Name      string `field:"name" validate:"required,max=200,text,visible"`
	Countries string `field:"countries" validate:"max=1000,multiline"`
	Website   string `field:"website" validate:"omitempty,max=500,http_url"`
	Domains   string `field:"domains" validate:"max=2000,multiline"`
	Tags      string `field:"tags" validate:"max=1000,multiline"`
}

// Why a partner's domains or a contact's language cannot be taken, beside
// the rules of their fields (and ProblemUnknownCountry for a country).
const (
	ProblemBadDomain = "bad_domain" // Params["domain"] is the text
	ProblemBadLang   = "bad_lang"   // a language the interface does not have: Params["lang"]
)

// Check normalises a partner as the directory keeps it (countries as
// ISO codes, domains lower-cased, each one per line) and returns what it
// breaks: the rules of its fields, a country not recognised by name (in
// English or in langs, the languages of the interface) or code, or a
// domain that is none. An email address or "@domain" is read as its domain.
func (in PartnerInput) Check(langs ...string) (PartnerInput, []Invalid) {
	in.Name, in.Website = NormalizeText(in.Name), strings.TrimSpace(in.Website)
	invalid := Validate(in)
	var codes []string
	for _, part := range listItems(in.Countries) {
		found, problem := partnerCountries(part, langs)
		if problem != nil {
			invalid = append(invalid, *problem)
			break
		}
		codes = appendNew(codes, found...)
	}
	var domains []string
	for _, d := range listItems(strings.ToLower(in.Domains)) {
		if at := strings.LastIndex(d, "@"); at >= 0 {
			d = d[at+1:]
		}
		if !validDomain(d) {
			invalid = append(invalid, Invalid{Field: "domains", Code: ProblemBadDomain, Params: map[string]any{"domain": strings.ToValidUTF8(d, "\uFFFD")}})
			break
		}
		domains = appendNew(domains, d)
	}
	in.Countries, in.Domains = strings.Join(codes, "\n"), strings.Join(domains, "\n")
	in.Tags = strings.Join(appendNew(nil, listItems(in.Tags)...), "\n")
	return in, invalid
}

// listItems splits a list written one item a line or with ";" (or the
// Arabic "؛") between items, dropping the empty ones.
func listItems(s string) []string {
	return Lines(strings.NewReplacer(";", "\n", "؛", "\n").Replace(NormalizeMultiline(s)))
}

// appendNew appends the items not in list yet.
func appendNew(list []string, items ...string) []string {
	for _, item := range items {
		if !slices.Contains(list, item) {
			list = append(list, item)
		}
	}
	return list
}

// partnerCountries reads one item of a partner's countries: a country by name
// or code, or several separated by commas ("France, Germany").
func partnerCountries(item string, langs []string) ([]string, *Invalid) {
	if code, ok := LookupCountry(item, langs...); ok {
		return []string{code}, nil
	}
	var codes []string
	for _, part := range strings.Split(commas.Replace(item), ",") {
		part = NormalizeText(part)
		if part == "" {
			continue
		}
		code, ok := LookupCountry(part, langs...)
		if !ok {
			return nil, &Invalid{Field: "countries", Code: ProblemUnknownCountry, Params: map[string]any{"country": strings.ToValidUTF8(part, "\uFFFD")}}
		}
		codes = append(codes, code)
	}
	return codes, nil
}

// validDomain reports whether d is written as an email domain: labels of
// letters, digits and inner hyphens, at least two of them, no longer than
// DNS allows.
func validDomain(d string) bool {
	labels := strings.Split(d, ".")
	if len(d) > 253 || len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			if r != '-' && !unicode.IsLetter(r) && !unicode.IsNumber(r) {
				return false
			}
		}
	}
	return true
}

// Check normalises a contact as a partner keeps it and returns the rules it
// breaks; with langs (the languages of the interface), its language must
// be one of them, or empty.
func (c PartnerContact) Check(langs ...string) (PartnerContact, []Invalid) {
	c.Name, c.Role, c.Email, c.Lang = NormalizeText(c.Name), NormalizeText(c.Role), strings.TrimSpace(c.Email), strings.TrimSpace(c.Lang)
	invalid := Validate(c)
	if c.Lang != "" && len(langs) > 0 && !slices.Contains(langs, c.Lang) {
		invalid = append(invalid, Invalid{Field: "contact_lang", Code: ProblemBadLang, Params: map[string]any{"lang": c.Lang}})
	}
	c.Email = EmailKey(c.Email)
	return c, invalid
}

// NameKey is the form of an organisation's name that duplicates share:
// folded as a sort key is (case and diacritics), its punctuation dropped
// and its spaces collapsed, so that "Forum 2000" and "FORUM-2000 " match.
func NameKey(name string) string {
	folded := SortKey(strings.TrimSpace(name))
	words := strings.FieldsFunc(folded, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
	return strings.Join(words, " ")
}

// DomainOf is the lower-cased domain of an email address, or "".
func DomainOf(email string) string {
	_, domain, ok := strings.Cut(EmailKey(email), "@")
	if !ok {
		return ""
	}
	return domain
}

// ErrDuplicatePartner is adding a partner whose normalised name, or one of
// whose domains, is already in the directory. It comes as a
// *DuplicatePartnerError, which names that partner.
var ErrDuplicatePartner = errors.New("a partner with this name or domain is already in the directory")

// ErrDuplicateContact is adding a contact whose address the partner has.
var ErrDuplicateContact = errors.New("this address is already a contact of the partner")

// ErrInvalidPartner is a partner or contact that breaks its rules (see
// Check): the handlers check first, so that a person reads which.
var ErrInvalidPartner = errors.New("partner or contact breaks its rules")

// DuplicatePartnerError is ErrDuplicatePartner with the partner already
// in the directory, so that the coordinator can open it.
type DuplicatePartnerError struct {
	Existing Partner // its ID and Name
	Domain   string  // the domain they share, or "" when it is the name
}

func (e *DuplicatePartnerError) Error() string {
	return fmt.Sprintf("%v: partner %d", ErrDuplicatePartner, e.Existing.ID)
}

func (e *DuplicatePartnerError) Unwrap() error { return ErrDuplicatePartner }

// invalidPartner is the error for input that breaks a rule, or nil.
func invalidPartner(invalid []Invalid) error {
	if len(invalid) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s %s", ErrInvalidPartner, invalid[0].Field, invalid[0].Code)
}

// newPartner is the partner in's checked input makes in a directory.
func newPartner(orgID int64, in PartnerInput, now time.Time) *Partner {
	p := &Partner{
		OrganisationID: orgID, Name: in.Name, NameKey: NameKey(in.Name), Countries: in.Countries,
		Website: in.Website, Tags: in.Tags, CreatedAt: now,
	}
	for _, d := range Lines(in.Domains) {
		p.Domains = append(p.Domains, PartnerDomain{OrganisationID: orgID, Domain: d})
	}
	return p
}

// domainsOf lists a partner's domains.
func (p *Partner) domainsOf() []string {
	out := make([]string, len(p.Domains))
	for i, d := range p.Domains {
		out[i] = d.Domain
	}
	return out
}

// duplicateOf finds the partner of a directory, other than except, that
// has nameKey or one of domains: a *DuplicatePartnerError, or nil.
func duplicateOf(tx *gorm.DB, orgID, except int64, nameKey string, domains []string) error {
	var same []Partner
	err := tx.Select("id", "name").Where("organisation_id = ? AND name_key = ? AND id <> ?", orgID, nameKey, except).Limit(1).Find(&same).Error
	if err != nil || len(same) > 0 {
		if err == nil {
			err = &DuplicatePartnerError{Existing: same[0]}
		}
		return err
	}
	if len(domains) == 0 {
		return nil
	}
	var shared []struct {
		Domain    string
		PartnerID int64
		Name      string
	}
	err = tx.Table("partner_domains").Select("partner_domains.domain, partner_domains.partner_id, partners.name").
		Joins("JOIN partners ON partners.id = partner_domains.partner_id").
		Where("partner_domains.organisation_id = ? AND partner_domains.domain IN ? AND partner_domains.partner_id <> ?", orgID, domains, except).
		Order("partner_domains.domain").Limit(1).Find(&shared).Error
	if err != nil || len(shared) == 0 {
		return err
	}
	return &DuplicatePartnerError{Existing: Partner{ID: shared[0].PartnerID, Name: shared[0].Name}, Domain: shared[0].Domain}
}

// createPartners inserts new partners, then their domains: plain inserts,
// so that a domain another partner took meanwhile fails the transaction
// rather than move to the new one.
func createPartners(tx *gorm.DB, partners []*Partner) error {
	if len(partners) == 0 {
		return nil
	}
	if err := tx.Omit(clause.Associations).CreateInBatches(partners, 200).Error; err != nil {
		return fmt.Errorf("insert partners: %w", err)
	}
	var domains []PartnerDomain
	for _, p := range partners {
		for i := range p.Domains {
			p.Domains[i].PartnerID = p.ID
		}
		domains = append(domains, p.Domains...)
	}
	if len(domains) == 0 {
		return nil
	}
	if err := tx.CreateInBatches(domains, 200).Error; err != nil {
		return fmt.Errorf("insert partner domains: %w", err)
	}
	return nil
}

// AddPartner adds a partner to an organisation's directory, with its
// domains and contacts, if any, in one transaction. A partner whose
// NameKey or a domain is already there is a *DuplicatePartnerError, and
// nothing is written; input that breaks its rules (see PartnerInput.Check
// and PartnerContact.Check) is ErrInvalidPartner, as is the same address
// twice.
func (s *Store) AddPartner(ctx context.Context, orgID int64, in PartnerInput, contacts ...PartnerContact) (*Partner, error) {
	in, invalid := in.Check()
	now := s.now()
	p := newPartner(orgID, in, now)
	for _, c := range contacts {
		c, contactInvalid := c.Check()
		invalid = append(invalid, contactInvalid...)
		if slices.ContainsFunc(p.Contacts, func(o PartnerContact) bool { return o.Email == c.Email }) {
			invalid = append(invalid, Invalid{Field: "contact_email", Code: "duplicate"})
		}
		c.ID, c.CreatedAt = 0, now
		p.Contacts = append(p.Contacts, c)
	}
	if err := invalidPartner(invalid); err != nil {
		return nil, err
	}
	err := s.transaction(ctx, func(tx *gorm.DB) error {
		if err := duplicateOf(tx, orgID, 0, p.NameKey, p.domainsOf()); err != nil {
			return err
		}
		if err := createPartners(tx, []*Partner{p}); err != nil {
			return err
		}
		for i := range p.Contacts {
			p.Contacts[i].PartnerID = p.ID
		}
		if len(p.Contacts) == 0 {
			return nil
		}
		return tx.Create(&p.Contacts).Error
	})
	if err != nil {
		return nil, fmt.Errorf("add partner: %w", err)
	}
	return p, nil
}

// UpdatePartner changes a partner of an organisation's directory, its
// domains with it: ErrNotFound when the directory has no such partner,
// and duplicates of another partner refused as AddPartner refuses them.
func (s *Store) UpdatePartner(ctx context.Context, orgID, partnerID int64, in PartnerInput) (*Partner, error) {
	in, invalid := in.Check()
	if err := invalidPartner(invalid); err != nil {
		return nil, err
	}
	p := newPartner(orgID, in, time.Time{})
	p.ID = partnerID
	err := s.transaction(ctx, func(tx *gorm.DB) error {
		var cur Partner
		if err := tx.Where("organisation_id = ?", orgID).Take(&cur, partnerID).Error; err != nil {
			return notFound(err)
		}
		if err := duplicateOf(tx, orgID, partnerID, p.NameKey, p.domainsOf()); err != nil {
			return err
		}
		p.CreatedAt = cur.CreatedAt
		err := tx.Model(&cur).Select("name", "name_key", "countries", "website", "tags").
			Updates(map[string]any{"name": p.Name, "name_key": p.NameKey, "countries": p.Countries, "website": p.Website, "tags": p.Tags}).Error
		if err != nil {
			return err
		}
		if err := tx.Where("partner_id = ?", partnerID).Delete(&PartnerDomain{}).Error; err != nil {
			return err
		}
		for i := range p.Domains {
			p.Domains[i].PartnerID = partnerID
		}
		if len(p.Domains) == 0 {
			return nil
		}
		return tx.Create(&p.Domains).Error
	})
	if err != nil {
		return nil, fmt.Errorf("update partner %d: %w", partnerID, err)
	}
	return p, nil
}

// DeletePartner removes a partner from an organisation's directory, with
// its domains, contacts and invitations: ErrNotFound when the directory
// has no such partner.
func (s *Store) DeletePartner(ctx context.Context, orgID, partnerID int64) error {
	return s.transaction(ctx, func(tx *gorm.DB) error {
		res := tx.Where("organisation_id = ?", orgID).Delete(&Partner{ID: partnerID})
		if res.Error != nil {
			return fmt.Errorf("delete partner %d: %w", partnerID, res.Error)
		}
		if res.RowsAffected == 0 {
			return ErrNotFound
		}
		return nil
	})
}

// AddPartnerContact adds a person to a partner's contacts. A contact that
// breaks its rules (see PartnerContact.Check) is ErrInvalidPartner, an
// address the partner has already ErrDuplicateContact. The caller has
// checked the partner is in a directory of the coordinator's (see Partner).
func (s *Store) AddPartnerContact(ctx context.Context, partnerID int64, c PartnerContact) (*PartnerContact, error) {
	c, invalid := c.Check()
	if err := invalidPartner(invalid); err != nil {
		return nil, err
	}
	c.ID, c.PartnerID, c.CreatedAt = 0, partnerID, s.now()
	err := s.transaction(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&PartnerContact{}).Where("partner_id = ? AND email = ?", partnerID, c.Email).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return ErrDuplicateContact
		}
		return tx.Create(&c).Error
	})
	if err != nil {
		return nil, fmt.Errorf("add partner contact: %w", err)
	}
	return &c, nil
}

// RemovePartnerContact removes a contact of a partner of an organisation's
// directory: ErrNotFound when there is no such contact there.
func (s *Store) RemovePartnerContact(ctx context.Context, orgID, partnerID, contactID int64) error {
	return s.transaction(ctx, func(tx *gorm.DB) error {
		res := tx.Where("id = ? AND partner_id = ? AND partner_id IN (?)", contactID, partnerID,
			tx.Model(&Partner{}).Select("id").Where("organisation_id = ?", orgID)).Delete(&PartnerContact{})
		if res.Error != nil {
			return fmt.Errorf("remove partner contact %d: %w", contactID, res.Error)
		}
		if res.RowsAffected == 0 {
			return ErrNotFound
		}
		return nil
	})
}

// PartnerFilter narrows a directory and picks a page of it.
type PartnerFilter struct {
	Country string // an ISO 3166-1 alpha-2 code among the partner's countries
	Tag     string // one of the partner's tags, as written
	Query   string // in the partner's name, folded as NameKey folds it
	Offset  int
	Limit   int
}

// lineIn narrows to the rows whose column, a list one item per line, has item.
func lineIn(db *gorm.DB, column, item string) *gorm.DB {
	return db.Where("(? || "+column+" || ?) LIKE ? ESCAPE '\\'", "\n", "\n", "%\n"+likeEscaper.Replace(item)+"\n%")
}

// Partners returns a page of an organisation's directory by name, each
// partner with its domains and contacts, and how many partners the filter
// finds in all.
func (s *Store) Partners(ctx context.Context, orgID int64, f PartnerFilter) ([]Partner, int64, error) {
	db := s.read.WithContext(ctx).Model(&Partner{}).Where("organisation_id = ?", orgID)
	if f.Country != "" {
		db = lineIn(db, "countries", strings.ToUpper(strings.TrimSpace(f.Country)))
	}
	if tag := strings.TrimSpace(f.Tag); tag != "" {
		db = lineIn(db, "tags", tag)
	}
	if q := NameKey(f.Query); q != "" {
		db = db.Where(`name_key LIKE ? ESCAPE '\'`, containing(q))
	}
	var total int64
	if err := db.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count partners: %w", err)
	}
	var partners []Partner
	err := withPartnerDetails(db).Order("name_key, id").Offset(f.Offset).Limit(f.Limit).Find(&partners).Error
	if err != nil {
		return nil, 0, fmt.Errorf("partners of organisation %d: %w", orgID, err)
	}
	return partners, total, nil
}

// withPartnerDetails loads partners' domains and contacts, one query each.
func withPartnerDetails(db *gorm.DB) *gorm.DB {
	return db.Preload("Domains", func(db *gorm.DB) *gorm.DB { return db.Order("domain") }).
		Preload("Contacts", func(db *gorm.DB) *gorm.DB { return db.Order("id") })
}

// Partner returns a partner of an organisation's directory with its
// domains and contacts, or ErrNotFound.
func (s *Store) Partner(ctx context.Context, orgID, partnerID int64) (*Partner, error) {
	var p Partner
	if err := withPartnerDetails(s.read.WithContext(ctx)).Where("organisation_id = ?", orgID).Take(&p, partnerID).Error; err != nil {
		return nil, notFound(err)
	}
	return &p, nil
}

// AddPartnersFromLetters adds to an organisation's directory the
// organisations that signed its letters, those it drafted and those it
// co-initiates, and are on their lists as
// themselves (listed, not anonymous), with the countries they signed
// from; those whose NameKey the directory has are skipped. It returns how
// many it added, all in one transaction.
func (s *Store) AddPartnersFromLetters(ctx context.Context, orgID int64) (int, error) {
	added := 0
	err := s.transaction(ctx, func(tx *gorm.DB) error {
		found, keys, err := letterSignatories(tx, orgID, s.now())
		if err != nil {
			return err
		}
		for chunk := range slices.Chunk(keys, 500) {
			var known []string
			if err := tx.Model(&Partner{}).Where("organisation_id = ? AND name_key IN ?", orgID, chunk).Pluck("name_key", &known).Error; err != nil {
				return err
			}
			for _, k := range known {
				delete(found, k)
			}
		}
		var partners []*Partner
		for _, k := range keys {
			if p, ok := found[k]; ok {
				partners = append(partners, p)
			}
		}
		added = len(partners)
		return createPartners(tx, partners)
	})
	if err != nil {
		return 0, fmt.Errorf("partners from the letters of organisation %d: %w", orgID, err)
	}
	return added, nil
}

// letterSignatories are the organisations on the lists of an
// organisation's letters (drafted or co-initiated), by NameKey, and their
// keys in the order they first signed.
func letterSignatories(tx *gorm.DB, orgID int64, now time.Time) (map[string]*Partner, []string, error) {
	rows, err := tx.Model(&Signature{}).Select("signatures.affiliation", "signatures.country", "signatures.country2").
		Joins("JOIN letters ON letters.id = signatures.letter_id").
		Where("(letters.organisation_id = ? OR letters.id IN (SELECT letter_id FROM letter_co_initiators WHERE organisation_id = ?))",
			orgID, orgID).
		Where("signatures.kind = ? AND signatures.status = ? AND signatures.display = ?", KindOrganisation, StatusListed, DisplayFull).
		Order("signatures.id").Rows()
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	found := map[string]*Partner{}
	var keys []string
	for rows.Next() {
		var name, country, country2 string
		if err := rows.Scan(&name, &country, &country2); err != nil {
			return nil, nil, err
		}
		key := NameKey(name)
		if key == "" {
			continue
		}
		p, ok := found[key]
		if !ok {
			p = &Partner{OrganisationID: orgID, Name: NormalizeText(name), NameKey: key, CreatedAt: now}
			found[key] = p
			keys = append(keys, key)
		}
		p.Countries = strings.Join(appendNew(Lines(p.Countries), Lines(country+"\n"+country2)...), "\n")
	}
	return found, keys, rows.Err()
}

// InitiatingOrganisations are the organisations on Undersigned that
// initiate a letter: its own, then its co-initiators. Their directories
// are where its invitations go and where its signers are verified.
func (s *Store) InitiatingOrganisations(ctx context.Context, l *Letter) ([]Organisation, error) {
	orgs, err := initiatingOrganisations(s.read.WithContext(ctx), []int64{l.ID})
	if err != nil {
		return nil, fmt.Errorf("letter %d: %w", l.ID, err)
	}
	return orgs[l.ID], nil
}

// partnerAnswered is the condition that an invitation's partner signed or
// declined the letter through one of its contacts' invitations.
const partnerAnswered = `EXISTS (SELECT 1 FROM sign_invitations a WHERE a.partner_id = sign_invitations.partner_id
	AND a.letter_id = sign_invitations.letter_id AND (a.signed_at IS NOT NULL OR a.declined_at IS NOT NULL))`

// unanswered narrows invitations (the sign_invitations table) to those
// of a partner that has neither signed nor declined through any of its
// contacts' invitations to the letter, to a contact whose mail has not
// bounced: those a reminder goes to, and the overview counts. One contact
// answers for the partner: the others' links no longer sign for it.
func unanswered(db *gorm.DB) *gorm.DB {
	return db.Where("NOT " + partnerAnswered).
		Where("NOT EXISTS (SELECT 1 FROM partner_contacts c WHERE c.id = sign_invitations.contact_id AND c.bounced_at IS NOT NULL)")
}
