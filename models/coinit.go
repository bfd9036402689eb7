package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// CoInitiator is an organisation on Undersigned that co-initiates a
// letter: its coordinators act on the letter as the drafter's do.
type CoInitiator struct {
	LetterID       int64 `gorm:"primaryKey;autoIncrement:false"`
	OrganisationID int64 `gorm:"primaryKey;autoIncrement:false"`
	AcceptedBy     *int64
	AcceptedAt     time.Time
}

// TableName is the co-initiators' table.
func (CoInitiator) TableName() string { return "letter_co_initiators" }

// CoInitiation is an invitation, emailed to a coordinator of another
// organisation, to co-initiate a letter. Its link works for any
// coordinator, once, until it expires; OrganisationID is the organisation
// that accepted it.
type CoInitiation struct {
	ID             int64
	LetterID       int64
	Email          string
	TokenHash      string
	InvitedBy      *int64
	InvitedAt      time.Time
	ExpiresAt      time.Time
	AcceptedAt     *time.Time
	OrganisationID *int64
}

// TableName is the co-initiation invitations' table.
func (CoInitiation) TableName() string { return "co_initiation_invitations" }

// Errors of accepting a co-initiation.
var (
	// ErrCoInitiationAccepted is accepting an invitation accepted before,
	// or for an organisation that co-initiates the letter already: nothing
	// changes.
	ErrCoInitiationAccepted = errors.New("the invitation to co-initiate was accepted already")
	// ErrAlreadyInitiator is accepting for the organisation that drafted
	// the letter.
	ErrAlreadyInitiator = errors.New("the organisation already initiates the letter")
	// ErrCoInitiationForAnother is accepting an invitation to co-initiate
	// from an account other than the address it was sent to: a link that
	// was forwarded, or read over a shoulder, would otherwise hand a letter
	// to whoever holds it.
	ErrCoInitiationForAnother = errors.New("the invitation to co-initiate was sent to another address")
)

// CoInitiationMail writes the email inviting a coordinator to co-initiate
// a letter, whose link carries token, from a coordinator acting for
// organisation.
type CoInitiationMail func(token, organisation string) Message

// InviteCoInitiator emails email a link to co-initiate l, through the
// outbox, in the transaction that stores the invitation: only the token's
// hash is kept. Whether the address belongs to an account changes nothing.
// The caller has authorised access to l, read with its initiating
// organisations (CoordinatorLetter).
func (s *Store) InviteCoInitiator(ctx context.Context, l *Letter, userID int64, email string, mail CoInitiationMail) error {
	token, hash := NewToken()
	now := s.now()
	inv := &CoInitiation{LetterID: l.ID, Email: EmailKey(email), TokenHash: hash, InvitedBy: &userID, InvitedAt: now, ExpiresAt: now.Add(InvitationTTL)}
	err := s.privateTransaction(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(inv).Error; err != nil {
			return err
		}
		org, err := actingOrganisation(tx, l.ID, userID)
		if err != nil {
			return err
		}
		name := ""
		if inviting := l.initiator(org); inviting != nil {
			name = inviting.Name
		}
		return s.enqueue(tx, mail(token, name))
	})
	if err != nil {
		return fmt.Errorf("invite co-initiator of letter %d: %w", l.ID, err)
	}
	return nil
}

// PendingCoInitiations returns the newest invitations to co-initiate l
// not accepted yet, expired ones included, up to limit. The caller has
// authorised access to l.
func (s *Store) PendingCoInitiations(ctx context.Context, l *Letter, limit int) ([]CoInitiation, error) {
	var out []CoInitiation
	err := s.read.WithContext(ctx).Where("letter_id = ? AND accepted_at IS NULL", l.ID).Order("id DESC").Limit(limit).Find(&out).Error
	return out, err
}

// CoInitiationOffer is an invitation to co-initiate as its link's page
// shows it: the letter (its initiating organisations read), who invites,
// and what became of it.
type CoInitiationOffer struct {
	Invitation CoInitiation
	Letter     Letter
	Inviter    string // the inviting coordinator's name
	// InvitingOrganisation is the one the inviter acted for.
	InvitingOrganisation string
	Expired              bool
	Accepted             *Organisation // the organisation that accepted it
}

// SentTo reports whether the invitation was sent to u's address: only
// that account may accept it.
func (inv *CoInitiation) SentTo(u *User) bool { return EmailKey(u.Email) == inv.Email }

// CoInitiationByToken returns the invitation a co-initiation link's token
// leads to, or ErrNotFound.
func (s *Store) CoInitiationByToken(ctx context.Context, token string) (*CoInitiationOffer, error) {
	db := s.read.WithContext(ctx)
	var o CoInitiationOffer
	if err := db.Where("token_hash = ?", TokenHash(token)).Take(&o.Invitation).Error; err != nil {
		return nil, notFound(err)
	}
	inv := &o.Invitation
	if err := db.Take(&o.Letter, inv.LetterID).Error; err != nil {
		return nil, notFound(err)
	}
	if err := loadInitiating(db, &o.Letter); err != nil {
		return nil, err
	}
	o.Expired = inv.AcceptedAt == nil && !s.now().Before(inv.ExpiresAt)
	if inv.InvitedBy != nil {
		var u User
		if err := db.Take(&u, *inv.InvitedBy).Error; err != nil {
			return nil, notFound(err)
		}
		o.Inviter = u.Name
		org, err := actingOrganisation(db, inv.LetterID, u.ID)
		if err != nil {
			return nil, err
		}
		if inviting := o.Letter.initiator(org); inviting != nil {
			o.InvitingOrganisation = inviting.Name
		}
	}
	o.Accepted = o.Letter.initiator(inv.OrganisationID)
	return &o, nil
}

// AcceptCoInitiation makes orgID, one of userID's organisations, a
// co-initiator of the letter the token's invitation names, and records it
// in the letter's audit log. An invitation accepted before, or an
// organisation co-initiating already, is ErrCoInitiationAccepted and
// changes nothing but marking the invitation accepted; the letter's own
// organisation is ErrAlreadyInitiator; an expired one ErrLinkExpired.
func (s *Store) AcceptCoInitiation(ctx context.Context, token string, userID, orgID int64) error {
	already := false
	err := s.transaction(ctx, func(tx *gorm.DB) error {
		var inv CoInitiation
		if err := tx.Where("token_hash = ?", TokenHash(token)).Take(&inv).Error; err != nil {
			return notFound(err)
		}
		switch {
		case inv.AcceptedAt != nil:
			return ErrCoInitiationAccepted
		case !s.now().Before(inv.ExpiresAt):
			return ErrLinkExpired
		}
		var u User
		if err := tx.Take(&u, userID).Error; err != nil {
			return notFound(err)
		}
		if !inv.SentTo(&u) {
			return ErrCoInitiationForAnother
		}
		var l Letter
		if err := tx.Take(&l, inv.LetterID).Error; err != nil {
			return notFound(err)
		}
		member, err := isMember(tx, userID, orgID)
		switch {
		case err != nil:
			return err
		case !member:
			return ErrNotFound
		case l.OrganisationID == orgID:
			return ErrAlreadyInitiator
		}
		now := s.now()
		if err := tx.Model(&inv).Updates(map[string]any{"accepted_at": now, "organisation_id": orgID}).Error; err != nil {
			return err
		}
		var n int64
		if err := tx.Model(&CoInitiator{}).Where("letter_id = ? AND organisation_id = ?", l.ID, orgID).Count(&n).Error; err != nil {
			return err
		}
		if already = n > 0; already {
			return nil // the invitation is marked accepted, and that is all
		}
		if err := tx.Create(&CoInitiator{LetterID: l.ID, OrganisationID: orgID, AcceptedBy: &userID, AcceptedAt: now}).Error; err != nil {
			return err
		}
		var org Organisation
		if err := tx.Take(&org, orgID).Error; err != nil {
			return err
		}
		return s.audit(tx, l.ID, &userID, nil, AuditCoInitiate, org.Name)
	})
	if err == nil && already {
		return ErrCoInitiationAccepted
	}
	return err
}

// initiatorsSQL selects, for the letters whose ids are its two parameters
// (the same list twice), their initiating organisations in order: each
// letter's own (seq 0), then its co-initiators (seq 1) by acceptance.
const initiatorsSQL = `SELECT id AS letter_id, organisation_id, 0 AS seq, created_at AS since FROM letters WHERE id IN ?
	UNION ALL SELECT letter_id, organisation_id, 1, accepted_at FROM letter_co_initiators WHERE letter_id IN ?`

// initiatingOrganisations returns the initiating organisations of each of
// the letters, in order (see initiatorsSQL), in one query.
func initiatingOrganisations(db *gorm.DB, letterIDs []int64) (map[int64][]Organisation, error) {
	var rows []struct {
		LetterID  int64
		ID        int64
		Name      string
		CreatedAt time.Time
	}
	err := db.Raw(`SELECT i.letter_id, o.id, o.name, o.created_at FROM (`+initiatorsSQL+`) i
		JOIN organisations o ON o.id = i.organisation_id ORDER BY i.letter_id, i.seq, i.since, o.id`, letterIDs, letterIDs).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("initiating organisations: %w", err)
	}
	out := make(map[int64][]Organisation, len(letterIDs))
	for _, r := range rows {
		out[r.LetterID] = append(out[r.LetterID], Organisation{ID: r.ID, Name: r.Name, CreatedAt: r.CreatedAt})
	}
	return out, nil
}

// loadInitiating reads the letters' initiating organisations into their
// Initiating, in one query.
func loadInitiating(db *gorm.DB, letters ...*Letter) error {
	if len(letters) == 0 {
		return nil
	}
	ids := make([]int64, len(letters))
	for i, l := range letters {
		ids[i] = l.ID
	}
	orgs, err := initiatingOrganisations(db, ids)
	for _, l := range letters {
		l.Initiating = orgs[l.ID]
	}
	return err
}

// actingOrganisation is the organisation userID acts for on a letter: the
// first of its initiating organisations they belong to, or nil.
func actingOrganisation(db *gorm.DB, letterID, userID int64) (*int64, error) {
	var ids []int64
	letter := []int64{letterID}
	err := db.Raw(`SELECT i.organisation_id FROM (`+initiatorsSQL+`) i
		JOIN memberships m ON m.organisation_id = i.organisation_id AND m.user_id = ? ORDER BY i.seq, i.since LIMIT 1`, letter, letter, userID).Scan(&ids).Error
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	return &ids[0], nil
}

// InitiatorNames are the initiators shown above the letter: the names of
// its initiating organisations on Undersigned (Initiating: its own, then
// its co-initiators), then its free-text initiators not among them by
// NameKey.
func (l *Letter) InitiatorNames() []string {
	var out []string
	seen := map[string]bool{}
	for _, name := range append(l.initiatingNames(), l.InitiatorList()...) {
		if key := NameKey(name); !seen[key] {
			seen[key] = true
			out = append(out, name)
		}
	}
	return out
}

func (l *Letter) initiatingNames() []string {
	out := make([]string, len(l.Initiating))
	for i, o := range l.Initiating {
		out[i] = o.Name
	}
	return out
}

// initiator is the initiating organisation of l whose id is id, or nil.
func (l *Letter) initiator(id *int64) *Organisation {
	for i := range l.Initiating {
		if id != nil && l.Initiating[i].ID == *id {
			return &l.Initiating[i]
		}
	}
	return nil
}
