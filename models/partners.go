package models

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"gorm.io/gorm"
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
	Name      string
	Role      string
	Email     string
	Lang      string     // a language of the interface, or empty for the letter's
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
// meet (see Validate). Countries, domains and tags are one per line.
type PartnerInput struct {
	Name      string `field:"name" validate:"required,max=200,text,visible"`
	Countries string `field:"countries" validate:"max=1000,multiline"`
	Website   string `field:"website" validate:"omitempty,max=500,url"`
	Domains   string `field:"domains" validate:"max=2000,multiline"`
	Tags      string `field:"tags" validate:"max=1000,multiline"`
}

// ErrDuplicatePartner is adding a partner whose normalised name, or one of
// whose domains, is already in the directory.
var ErrDuplicatePartner = errors.New("a partner with this name or domain is already in the directory")

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

// AddPartner adds a partner to an organisation's directory, with its
// domains. A partner whose NameKey or a domain is already there is
// ErrDuplicatePartner, and nothing is written.
func (s *Store) AddPartner(ctx context.Context, orgID int64, in PartnerInput) (*Partner, error) {
	p := &Partner{
		OrganisationID: orgID, Name: NormalizeText(in.Name), NameKey: NameKey(in.Name),
		Countries: strings.Join(Lines(strings.ToUpper(in.Countries)), "\n"), Website: strings.TrimSpace(in.Website),
		Tags: strings.Join(Lines(in.Tags), "\n"), CreatedAt: s.now(),
	}
	for _, d := range Lines(strings.ToLower(in.Domains)) {
		p.Domains = append(p.Domains, PartnerDomain{OrganisationID: orgID, Domain: strings.TrimPrefix(d, "@")})
	}
	err := s.transaction(ctx, func(tx *gorm.DB) error {
		var clash int64
		q := tx.Model(&Partner{}).Where("organisation_id = ? AND name_key = ?", orgID, p.NameKey)
		if err := q.Count(&clash).Error; err != nil {
			return err
		}
		for _, d := range p.Domains {
			var n int64
			if err := tx.Model(&PartnerDomain{}).Where("organisation_id = ? AND domain = ?", orgID, d.Domain).Count(&n).Error; err != nil {
				return err
			}
			clash += n
		}
		if clash > 0 {
			return ErrDuplicatePartner
		}
		return tx.Create(p).Error
	})
	if err != nil {
		return nil, fmt.Errorf("add partner: %w", err)
	}
	return p, nil
}

// AddPartnerContact adds a person to a partner's contacts.
func (s *Store) AddPartnerContact(ctx context.Context, partnerID int64, c PartnerContact) (*PartnerContact, error) {
	c.ID, c.PartnerID, c.CreatedAt = 0, partnerID, s.now()
	c.Email = EmailKey(c.Email)
	if err := s.write.WithContext(ctx).Create(&c).Error; err != nil {
		return nil, fmt.Errorf("add partner contact: %w", err)
	}
	return &c, nil
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

// unanswered narrows invitations (the sign_invitations table) to those
// neither signed nor declined, to a contact whose mail has not bounced:
// those a reminder goes to, and the overview counts.
func unanswered(db *gorm.DB) *gorm.DB {
	return db.Where("sign_invitations.signed_at IS NULL AND sign_invitations.declined_at IS NULL").
		Where("NOT EXISTS (SELECT 1 FROM partner_contacts c WHERE c.id = sign_invitations.contact_id AND c.bounced_at IS NOT NULL)")
}
