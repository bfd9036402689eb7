package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Why an invitation's link no longer signs; a letter that stopped taking
// signatures is ErrLetterClosed, as for any signer.
var (
	ErrInvitationUsed     = errors.New("the invitation was used to sign already")
	ErrInvitationDeclined = errors.New("the invitation was declined")
	// ErrOrganisationSigned is an invitation of a partner whose
	// organisation signed the letter already, through the public form.
	ErrOrganisationSigned = errors.New("the organisation signed the letter already")
)

// MaxInvitePartners bounds the partners one invitation round takes, so
// that the transaction and its emails stay small.
const MaxInvitePartners = 500

// InvitationEmail is what an invitation, or its reminder, tells one
// partner's contact: the letter in the version they read, who invites
// them, and the token of their private link, which exists in clear only here.
type InvitationEmail struct {
	Contact      PartnerContact
	Partner      string // the partner's name
	Letter       *Letter
	Inviter      string // the coordinator's name
	Organisation string // the inviting organisation's name
	Token        string
	Reminder     bool
}

// InvitationMail writes the email of an invitation or of its reminder.
type InvitationMail func(e InvitationEmail) Message

// PartnerPick filters the partners a letter may still invite: by country,
// by tag, or as signers of a past letter their organisation drafted or
// co-initiates.
type PartnerPick struct {
	Country, Tag string
	SignedLetter int64
	Offset       int
	Limit        int
}

// invitingOrganisations are the ids of the letter's initiating
// organisations the user is a member of: the directories they may invite from.
func (s *Store) invitingOrganisations(ctx context.Context, l *Letter, userID int64) ([]int64, error) {
	orgs, err := s.InitiatingOrganisations(ctx, l)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, o := range orgs {
		member, err := s.IsMember(ctx, userID, o.ID)
		if err != nil {
			return nil, err
		}
		if member {
			ids = append(ids, o.ID)
		}
	}
	return ids, nil
}

// InvitablePartners returns a page of the partners of l's initiating
// organisations (those userID is a member of) not invited to sign l yet,
// as f filters them, by name, with their contacts, and how many there are.
// A partner "signed" a past letter when its invitation to it was signed,
// or an organisation's signature of it came from one of its domains or
// under its name.
func (s *Store) InvitablePartners(ctx context.Context, l *Letter, userID int64, f PartnerPick) ([]Partner, int64, error) {
	orgs, err := s.invitingOrganisations(ctx, l, userID)
	if err != nil || len(orgs) == 0 {
		return nil, 0, err
	}
	db := s.read.WithContext(ctx).Model(&Partner{}).Where("partners.organisation_id IN ?", orgs).
		Where("NOT EXISTS (SELECT 1 FROM sign_invitations i WHERE i.letter_id = ? AND i.partner_id = partners.id)", l.ID)
	if f.Country != "" {
		db = lineIn(db, "partners.countries", f.Country)
	}
	if f.Tag != "" {
		db = lineIn(db, "partners.tags", f.Tag)
	}
	if f.SignedLetter != 0 {
		// The past letter is one the partner's organisation drafted or co-initiates: no other's list is read.
		db = db.Where(`EXISTS (SELECT 1 FROM letters pl WHERE pl.id = ? AND (pl.organisation_id = partners.organisation_id
			OR EXISTS (SELECT 1 FROM letter_co_initiators ci WHERE ci.letter_id = pl.id AND ci.organisation_id = partners.organisation_id)))`, f.SignedLetter).
			Where(`(EXISTS (SELECT 1 FROM sign_invitations i WHERE i.letter_id = ? AND i.partner_id = partners.id AND i.signed_at IS NOT NULL)
			OR EXISTS (SELECT 1 FROM signatures s WHERE s.letter_id = ? AND s.kind = 'organisation' AND s.status = 'listed'
				AND (s.affiliation = partners.name OR EXISTS (SELECT 1 FROM partner_domains d
					WHERE d.partner_id = partners.id AND s.email_key LIKE ('%@' || d.domain)))))`, f.SignedLetter, f.SignedLetter)
	}
	var total int64
	if err := db.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count invitable partners: %w", err)
	}
	var out []Partner
	err = db.Preload("Contacts", func(db *gorm.DB) *gorm.DB { return db.Order("id") }).
		Order("partners.name_key, partners.id").Offset(f.Offset).Limit(f.Limit).Find(&out).Error
	if err != nil {
		return nil, 0, fmt.Errorf("invitable partners: %w", err)
	}
	return out, total, nil
}

// Invite invites the partners partnerIDs to sign l, on behalf of userID:
// an invitation for each of their contacts whose mail has not bounced,
// with its email (mail) in the outbox, in one transaction. Partners not
// in the directories userID may invite from (see InvitablePartners), and
// partners invited to l already, are skipped. It returns how many
// invitations it sent; ErrLetterNotOpen and ErrLetterClosed say the
// letter takes no signatures.
func (s *Store) Invite(ctx context.Context, l *Letter, userID int64, partnerIDs []int64, mail InvitationMail) (int, error) {
	if err := l.AcceptsSignatures(s.now()); err != nil {
		return 0, err
	}
	allowed, err := s.invitingOrganisations(ctx, l, userID)
	if err != nil || len(allowed) == 0 || len(partnerIDs) == 0 {
		return 0, err
	}
	if len(partnerIDs) > MaxInvitePartners {
		partnerIDs = partnerIDs[:MaxInvitePartners]
	}
	sent := 0
	err = s.privateTransaction(ctx, func(tx *gorm.DB) error {
		sent = 0
		send, err := s.invitationSender(ctx, tx, l, userID, mail)
		if err != nil {
			return err
		}
		var partners []Partner
		err = tx.Preload("Contacts", "bounced_at IS NULL").Where("id IN ? AND organisation_id IN ?", partnerIDs, allowed).
			Where("NOT EXISTS (SELECT 1 FROM sign_invitations i WHERE i.letter_id = ? AND i.partner_id = partners.id)", l.ID).
			Order("id").Find(&partners).Error
		if err != nil {
			return fmt.Errorf("read partners: %w", err)
		}
		now := s.now()
		for _, p := range partners {
			for _, c := range p.Contacts {
				token, hash := NewToken()
				inv := SignInvitation{LetterID: l.ID, PartnerID: p.ID, ContactID: c.ID, TokenHash: hash, InvitedBy: &userID, InvitedAt: now}
				if err := tx.Create(&inv).Error; err != nil {
					return fmt.Errorf("create invitation: %w", err)
				}
				if err := send.send(tx, c, &p, token, false); err != nil {
					return err
				}
				sent++
			}
		}
		return nil
	})
	return sent, err
}

// contactVersion is the version of l a contact reads: in their language
// where l has it published, else the original.
func (l *Letter) contactVersion(lang string) *Letter {
	if lang == "" {
		return l
	}
	if v, err := l.Version(lang); err == nil {
		return v
	}
	return l
}

// invitationSender puts a round of invitations or reminders of a letter
// in the outbox: what their emails name, read once per round.
type invitationSender struct {
	store   *Store
	inviter User
	letter  Letter // with its published translations
	orgs    []Organisation
	mail    InvitationMail
}

// invitationSender reads, in tx, what a round of userID's invitations to
// sign l names.
func (s *Store) invitationSender(ctx context.Context, tx *gorm.DB, l *Letter, userID int64, mail InvitationMail) (*invitationSender, error) {
	send := &invitationSender{store: s, mail: mail}
	if err := tx.Take(&send.inviter, userID).Error; err != nil {
		return nil, notFound(err)
	}
	if err := publishedTranslations(tx).Take(&send.letter, l.ID).Error; err != nil {
		return nil, notFound(err)
	}
	var err error
	send.orgs, err = s.InitiatingOrganisations(ctx, l)
	return send, err
}

// send puts the invitation of the contact c of partner p, or its
// reminder, with the token of its link, in the outbox, addressed to the
// contact: a permanent failure marks them bounced.
func (send *invitationSender) send(tx *gorm.DB, c PartnerContact, p *Partner, token string, reminder bool) error {
	e := InvitationEmail{Contact: c, Partner: p.Name, Letter: send.letter.contactVersion(c.Lang), Inviter: send.inviter.Name,
		Token: token, Reminder: reminder}
	for _, o := range send.orgs {
		if o.ID == p.OrganisationID {
			e.Organisation = o.Name
		}
	}
	msg := send.store.outboxMessage(send.mail(e))
	msg.ContactID = &c.ID
	if err := tx.Create(&msg).Error; err != nil {
		return fmt.Errorf("enqueue invitation: %w", err)
	}
	return nil
}

// Invited is an invitation as its link opens it: with the partner it
// invites, the contact it was sent to and the letter, in the contact's version.
type Invited struct {
	Invitation SignInvitation
	Partner    Partner
	Contact    PartnerContact
	Letter     *Letter
}

// usable says whether an invitation can still sign at now: not once used
// or declined, nor once its letter stopped taking signatures.
func (inv *Invited) usable(now time.Time) error {
	switch {
	case inv.Invitation.SignedAt != nil:
		return ErrInvitationUsed
	case inv.Invitation.DeclinedAt != nil:
		return ErrInvitationDeclined
	}
	return inv.Letter.AcceptsSignatures(now)
}

// invitationByToken reads, in db, the invitation whose link carries token,
// or returns ErrNotFound (an unknown token, or the letter's deleted).
func invitationByToken(db *gorm.DB, token string) (*Invited, error) {
	var inv Invited
	if err := db.Where("token_hash = ?", TokenHash(token)).Take(&inv.Invitation).Error; err != nil {
		return nil, notFound(err)
	}
	if err := db.Take(&inv.Partner, inv.Invitation.PartnerID).Error; err != nil {
		return nil, notFound(err)
	}
	if err := db.Take(&inv.Contact, inv.Invitation.ContactID).Error; err != nil {
		return nil, notFound(err)
	}
	var l Letter
	if err := publishedTranslations(withGroups(db)).Take(&l, inv.Invitation.LetterID).Error; err != nil {
		return nil, notFound(err)
	}
	inv.Letter = l.contactVersion(inv.Contact.Lang)
	return &inv, nil
}

// OpenInvitation returns the invitation whose link carries token, and
// records the first time it was opened (the board's "visited": a link
// opened, no tracking pixel). It returns, with the invitation, why it can
// no longer sign, if it cannot (see SignByInvitation), its organisation's
// signature through the form included.
func (s *Store) OpenInvitation(ctx context.Context, token string) (*Invited, error) {
	var inv *Invited
	err := s.privateTransaction(ctx, func(tx *gorm.DB) error {
		var err error
		if inv, err = invitationByToken(tx, token); err != nil {
			return err
		}
		if inv.Invitation.VisitedAt != nil {
			return nil
		}
		now := s.now()
		inv.Invitation.VisitedAt = &now
		return tx.Model(&inv.Invitation).Update("visited_at", now).Error
	})
	if err != nil {
		return nil, err
	}
	if err := inv.usable(s.now()); err != nil {
		return inv, err
	}
	signed, err := organisationSigned(s.read.WithContext(ctx), inv.Letter.ID, inv.Partner.NameKey)
	if err == nil && signed {
		err = ErrOrganisationSigned
	}
	return inv, err
}

// SignByInvitation signs the letter of the invitation whose link carries
// token for its partner: an organisation's signature, listed at once,
// without review or confirmation, verified by the invitation, which
// records it. The signer's private link goes to the outbox (mail), as for
// every signer. A used or declined invitation (ErrInvitationUsed,
// ErrInvitationDeclined), a letter that takes no more signatures, an
// organisation that signed already (ErrOrganisationSigned) or an address
// that signed already (ErrAlreadySigned) store nothing. The partner's name
// is the signature's organisation, whatever in says.
func (s *Store) SignByInvitation(ctx context.Context, token string, in NewSignature, mail ConfirmationMail) (*Invited, error) {
	var inv *Invited
	err := s.transaction(ctx, func(tx *gorm.DB) error {
		var err error
		if inv, err = invitationByToken(tx, token); err != nil {
			return err
		}
		now := s.now()
		if err := inv.usable(now); err != nil {
			return err
		}
		l := inv.Letter
		if !l.AllowsKind(KindOrganisation) {
			return ErrKindNotAllowed
		}
		signed, err := organisationSigned(tx, l.ID, inv.Partner.NameKey)
		if err != nil {
			return err
		}
		if signed {
			return ErrOrganisationSigned
		}
		in.Kind, in.Affiliation, in.Lang = KindOrganisation, inv.Partner.Name, l.Lang
		// The invitation's link proves the address it went to, not one typed
		// instead: news goes only where the signer showed they read its mail.
		in.News = in.News && SignerEmailKey(in.Email) == SignerEmailKey(inv.Contact.Email)
		sig := newSignature(l.ID, in, now)
		manage, manageHash := NewToken()
		sig.ManageTokenHash, sig.Status, sig.Revision = &manageHash, StatusListed, l.Revision
		sig.Verified, sig.VerifiedAt, sig.ConfirmedAt = VerifiedByInvitation, &now, &now
		if err := tx.Create(sig).Error; err != nil {
			if isDuplicate(err) {
				return ErrAlreadySigned
			}
			return fmt.Errorf("insert signature: %w", err)
		}
		if err := s.countNew(tx, []Signature{*sig}); err != nil {
			return err
		}
		inv.Invitation.SignedAt, inv.Invitation.SignatureID = &now, &sig.ID
		err = tx.Model(&inv.Invitation).Updates(map[string]any{"signed_at": now, "signature_id": sig.ID}).Error
		if err != nil {
			return fmt.Errorf("record the invitation signed: %w", err)
		}
		return s.enqueue(tx, mail(l, &Signed{Signature: sig, ManageToken: manage}))
	})
	return inv, err
}

// organisationSigned says whether an organisation whose NameKey is key has
// a signature of the letter, listed or on its way to be.
func organisationSigned(tx *gorm.DB, letterID int64, key string) (bool, error) {
	rows, err := tx.Model(&Signature{}).Select("affiliation").
		Where("letter_id = ? AND kind = ? AND status <> ?", letterID, KindOrganisation, StatusRejected).Rows()
	if err != nil {
		return false, fmt.Errorf("read the letter's organisations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return false, err
		}
		if NameKey(name) == key {
			return true, nil
		}
	}
	return false, rows.Err()
}

// DeclineInvitation declines the invitation whose link carries token, with
// the partner's reason, if they gave one. Declining again changes nothing;
// a used invitation is ErrInvitationUsed, and a letter that takes no more
// signatures is answered as for signing.
func (s *Store) DeclineInvitation(ctx context.Context, token, reason string) (*Invited, error) {
	var inv *Invited
	err := s.privateTransaction(ctx, func(tx *gorm.DB) error {
		var err error
		if inv, err = invitationByToken(tx, token); err != nil {
			return err
		}
		switch err := inv.usable(s.now()); {
		case errors.Is(err, ErrInvitationDeclined):
			return nil
		case err != nil:
			return err
		}
		now := s.now()
		inv.Invitation.DeclinedAt, inv.Invitation.DeclineReason = &now, reason
		return tx.Model(&inv.Invitation).Updates(map[string]any{"declined_at": now, "decline_reason": reason}).Error
	})
	return inv, err
}

// Reminded says what a round of reminders did: how many invitations were
// reminded, and how many were left as invited or reminded too recently.
type Reminded struct {
	Sent, TooRecent int
}

// RemindInvitations reminds, on behalf of userID, every unanswered
// invitation of l (see unanswered) whose last email, the invitation or a
// reminder, is at least every old: a new link (only its hash is kept, so
// the old one stops working) in a reminder to its contact, recorded for
// the board. The letter must still take signatures.
func (s *Store) RemindInvitations(ctx context.Context, l *Letter, userID int64, every time.Duration, mail InvitationMail) (Reminded, error) {
	var out Reminded
	if err := l.AcceptsSignatures(s.now()); err != nil {
		return out, err
	}
	err := s.privateTransaction(ctx, func(tx *gorm.DB) error {
		out = Reminded{}
		send, err := s.invitationSender(ctx, tx, l, userID, mail)
		if err != nil {
			return err
		}
		due, err := s.remindable(tx, l.ID, every, &out)
		if err != nil {
			return err
		}
		now := s.now()
		for _, r := range due {
			token, hash := NewToken()
			if err := tx.Model(&SignInvitation{}).Where("id = ?", r.ID).Update("token_hash", hash).Error; err != nil {
				return fmt.Errorf("renew invitation link: %w", err)
			}
			if err := tx.Exec("INSERT INTO sign_invitation_reminders (invitation_id, sent_at) VALUES (?, ?)", r.ID, now).Error; err != nil {
				return fmt.Errorf("record reminder: %w", err)
			}
			partner := Partner{ID: r.PartnerID, OrganisationID: r.OrganisationID, Name: r.PartnerName}
			if err := send.send(tx, r.contact(), &partner, token, true); err != nil {
				return err
			}
			out.Sent++
		}
		return nil
	})
	return out, err
}

// remindable returns the unanswered invitations of a letter last mailed at
// least every ago, with their partners and contacts, and counts the others
// in out.TooRecent.
func (s *Store) remindable(tx *gorm.DB, letterID int64, every time.Duration, out *Reminded) ([]BoardRow, error) {
	var rows []BoardRow
	err := boardQuery(tx, letterID).Scopes(unanswered).Order("sign_invitations.id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("read unanswered invitations: %w", err)
	}
	if err := s.withReminders(tx, rows); err != nil {
		return nil, err
	}
	var due []BoardRow
	cutoff := s.now().Add(-every)
	for _, r := range rows {
		if r.LastMailed().After(cutoff) {
			out.TooRecent++
		} else {
			due = append(due, r)
		}
	}
	return due, nil
}

// The statuses of an invitation on the board, each of which filters it.
// Unanswered is the `unanswered` scope; the others are where each
// invitation is now, one each (BoardRow.Status).
const (
	InvitationInvited    = "invited" // sent, not opened, not reminded
	InvitationReminded   = "reminded"
	InvitationVisited    = "visited" // its link opened, no answer yet
	InvitationSigned     = "signed"
	InvitationDeclined   = "declined"
	InvitationBounced    = "bounced" // its contact's mail failed for good
	InvitationUnanswered = "unanswered"
	// InvitationAnswered is an invitation whose partner answered through
	// another contact's: a status, not a filter of the board.
	InvitationAnswered = "answered"
)

// InvitationStatuses are the board's filters, in its order.
var InvitationStatuses = []string{InvitationInvited, InvitationReminded, InvitationVisited, InvitationSigned,
	InvitationDeclined, InvitationBounced, InvitationUnanswered}

// hasReminder is the condition that an invitation was reminded.
const hasReminder = "EXISTS (SELECT 1 FROM sign_invitation_reminders r WHERE r.invitation_id = sign_invitations.id)"

// statusScope narrows invitations to those of a status; an unknown or
// empty status keeps them all.
func statusScope(status string) func(db *gorm.DB) *gorm.DB {
	answered := "sign_invitations.signed_at IS NULL AND sign_invitations.declined_at IS NULL"
	return func(db *gorm.DB) *gorm.DB {
		switch status {
		case InvitationSigned:
			return db.Where("sign_invitations.signed_at IS NOT NULL")
		case InvitationDeclined:
			return db.Where("sign_invitations.declined_at IS NOT NULL AND sign_invitations.signed_at IS NULL")
		case InvitationBounced:
			return db.Where(answered + " AND c.bounced_at IS NOT NULL")
		case InvitationVisited:
			return unanswered(db).Where("sign_invitations.visited_at IS NOT NULL")
		case InvitationReminded:
			return unanswered(db).Where("sign_invitations.visited_at IS NULL AND " + hasReminder)
		case InvitationInvited:
			return unanswered(db).Where("sign_invitations.visited_at IS NULL AND NOT " + hasReminder)
		case InvitationUnanswered:
			return unanswered(db)
		}
		return db
	}
}

// BoardRow is one invitation on a letter's tracking board: to whom it
// went, and what became of it.
type BoardRow struct {
	SignInvitation
	OrganisationID int64 // whose directory the partner is in
	PartnerName    string
	ContactName    string
	ContactRole    string
	ContactEmail   string
	ContactLang    string
	BouncedAt      *time.Time
	// The signature it made: who signed, in what role, unless the signer
	// chose not to be named (Display.HidesName).
	SignerName, SignerRole string
	SignerDisplay          Display
	// PartnerAnswered: the partner signed or declined, through this
	// invitation or another contact's.
	PartnerAnswered bool
	Reminders       []time.Time `gorm:"-"` // oldest first
}

// contact is the contact the invitation went to.
func (r *BoardRow) contact() PartnerContact {
	return PartnerContact{ID: r.ContactID, PartnerID: r.PartnerID, Name: r.ContactName, Role: r.ContactRole,
		Email: r.ContactEmail, Lang: r.ContactLang, BouncedAt: r.BouncedAt}
}

// LastMailed is when the invitation's contact was last emailed: its last
// reminder, or the invitation.
func (r *BoardRow) LastMailed() time.Time {
	if n := len(r.Reminders); n > 0 {
		return r.Reminders[n-1]
	}
	return r.InvitedAt
}

// Status is where the invitation is now (see InvitationStatuses).
func (r *BoardRow) Status() string {
	switch {
	case r.SignedAt != nil:
		return InvitationSigned
	case r.DeclinedAt != nil:
		return InvitationDeclined
	case r.BouncedAt != nil:
		return InvitationBounced
	case r.PartnerAnswered:
		return InvitationAnswered
	case r.VisitedAt != nil:
		return InvitationVisited
	case len(r.Reminders) > 0:
		return InvitationReminded
	}
	return InvitationInvited
}

// boardQuery selects a letter's invitations as BoardRows, without their reminders.
func boardQuery(db *gorm.DB, letterID int64) *gorm.DB {
	return db.Table("sign_invitations").
		Select(`sign_invitations.*, p.organisation_id, p.name AS partner_name, c.name AS contact_name, c.role AS contact_role,
			c.email AS contact_email, c.lang AS contact_lang, c.bounced_at,
			COALESCE(s.name, '') AS signer_name, COALESCE(s.role, '') AS signer_role, COALESCE(s.display, '') AS signer_display,
			`+partnerAnswered+` AS partner_answered`).
		Joins("JOIN partners p ON p.id = sign_invitations.partner_id").
		Joins("JOIN partner_contacts c ON c.id = sign_invitations.contact_id").
		Joins("LEFT JOIN signatures s ON s.id = sign_invitations.signature_id").
		Where("sign_invitations.letter_id = ?", letterID)
}

// withReminders reads the reminders of rows, in one query.
func (s *Store) withReminders(db *gorm.DB, rows []BoardRow) error {
	if len(rows) == 0 {
		return nil
	}
	index := make(map[int64]int, len(rows))
	ids := make([]int64, len(rows))
	for i, r := range rows {
		index[r.ID], ids[i] = i, r.ID
	}
	var reminders []struct {
		InvitationID int64
		SentAt       time.Time
	}
	err := db.Table("sign_invitation_reminders").Where("invitation_id IN ?", ids).Order("sent_at").Scan(&reminders).Error
	if err != nil {
		return fmt.Errorf("read reminders: %w", err)
	}
	for _, r := range reminders {
		i := index[r.InvitationID]
		rows[i].Reminders = append(rows[i].Reminders, r.SentAt)
	}
	return nil
}

// InvitationBoard returns a page of a letter's invitations of a status
// (all of them for ""), by partner, and how many there are. The caller
// has authorised access to l.
func (s *Store) InvitationBoard(ctx context.Context, l *Letter, status string, offset, limit int) ([]BoardRow, int64, error) {
	db := s.read.WithContext(ctx)
	var total int64
	if err := boardQuery(db, l.ID).Scopes(statusScope(status)).Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count invitations: %w", err)
	}
	rows, err := s.boardPage(db, l.ID, status, 0, "p.name_key, sign_invitations.id", offset, limit)
	return rows, total, err
}

// boardPage reads one page of the board, of the invitations after the id
// after, in an order, with its reminders.
func (s *Store) boardPage(db *gorm.DB, letterID int64, status string, after int64, order string, offset, limit int) ([]BoardRow, error) {
	var rows []BoardRow
	err := boardQuery(db, letterID).Scopes(statusScope(status)).Where("sign_invitations.id > ?", after).
		Order(order).Offset(offset).Limit(limit).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("read invitations: %w", err)
	}
	return rows, s.withReminders(db, rows)
}

// boardChunk is how many invitations EachInvitation reads at a time.
const boardChunk = 500

// EachInvitation calls fn with each invitation of a letter of a status,
// in the order of sending, a page at a time, never holding the whole board.
func (s *Store) EachInvitation(ctx context.Context, l *Letter, status string, fn func(*BoardRow) error) error {
	db := s.read.WithContext(ctx)
	for after := int64(0); ; {
		rows, err := s.boardPage(db, l.ID, status, after, "sign_invitations.id", 0, boardChunk)
		if err != nil {
			return err
		}
		for i := range rows {
			if err := fn(&rows[i]); err != nil {
				return err
			}
		}
		if len(rows) < boardChunk {
			return nil
		}
		after = rows[len(rows)-1].ID
	}
}
