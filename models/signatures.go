package models

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/text/language"
	"gorm.io/gorm"

	"undersigned/models/mail"
)

// SignatureKind says whether a person signs for themself or on behalf of an organisation.
type SignatureKind string

// The kinds of signature.
const (
	KindIndividual   SignatureKind = "individual"
	KindOrganisation SignatureKind = "organisation"
)

// SignatureStatus is where a signature is on its way to the list. Only a
// listed signature is shown or counted.
type SignatureStatus string

// The statuses of a signature.
const (
	StatusUnconfirmed SignatureStatus = "unconfirmed" // waiting for the signer to open the emailed link
	StatusInReview    SignatureStatus = "in_review"   // waiting for a coordinator's approval
	StatusListed      SignatureStatus = "listed"
	StatusRejected    SignatureStatus = "rejected" // never shown; kept so the email cannot sign again
)

// Display is how a signer chose to appear.
type Display string

// The signer's display choices.
const (
	DisplayFull      Display = "full"      // name, affiliation and country
	DisplayAnonymous Display = "anonymous" // "Anonymous", with the country only
	DisplayCounted   Display = "counted"   // counted, not listed
)

// ConfirmationTTL is how long a confirmation link works.
const ConfirmationTTL = 7 * 24 * time.Hour

// anonymousSortKey sorts anonymous entries after every name, so that their
// place on the list tells nothing about the name they hide.
const anonymousSortKey = "\U0010FFFF"

// HidesName says whether a signer who chose d keeps their name, role and
// affiliation from the letter's coordinators too. The rule, stated on the
// signing form and the privacy page: coordinators see the email address,
// country, kind and date of every signature, to confirm, moderate and
// contact signers; the name, role and affiliation only of signers who
// chose to be listed by name. A signer at risk who signs anonymously is
// then named to no one, not in a coordinator's download or audit log
// either, whoever might later read those.
func (d Display) HidesName() bool { return d != DisplayFull }

// Signature is one signature of a letter. Email and the token hashes are
// private: they never leave the coordinators' pages.
type Signature struct {
	ID               int64
	LetterID         int64
	Kind             SignatureKind
	Status           SignatureStatus
	Display          Display
	Name             string
	Affiliation      string
	Role             string
	Country          string // ISO 3166-1 alpha-2
	Country2         string `gorm:"column:country2"` // optional second country
	Email            string
	EmailKey         string
	SortName         string
	SortKey          string
	ConfirmTokenHash *string
	ConfirmExpiresAt *time.Time
	ConfirmedAt      *time.Time
	ManageTokenHash  *string
	CreatedAt        time.Time
	// Revision is the revision of the letter's text the signer agreed to.
	// Superseded is set on a public list's entries when the letter has been
	// revised since: the entry then says which revision its signer signed.
	Revision   int
	Superseded bool `gorm:"->"`
	// Lang is the version of the letter the signer read and signed: the
	// original's language or a translation's. Their emails are in it.
	Lang               string
	ReconfirmTokenHash *string
	ReconfirmAsked     *int // the revision the signer was last asked to agree to
	// RemindedAt is when the signer was last emailed their links again.
	RemindedAt *time.Time
	// Verified says how an organisation's signature was verified, if it
	// was; VerifiedBy is the coordinator who verified it by hand.
	Verified   Verification
	VerifiedAt *time.Time
	VerifiedBy *int64
	// News says the signer asked for news about the letter by email.
	News bool
	// OfflineSource names where a signature gathered offline was given:
	// "paper" or an event's name; empty for one signed on the site.
	OfflineSource string
}

// Verification is how an organisation's signature was verified.
type Verification string

// The ways a signature is verified; the empty one is not verified.
const (
	NotVerified          Verification = ""
	VerifiedByInvitation Verification = "invitation" // signed through its partner's invitation
	VerifiedByDomain     Verification = "domain"     // the signer writes from one of the partner's domains
	VerifiedByHand       Verification = "hand"       // a coordinator verified it
)

// NewSignature is what a signer submits, with the rules it must meet (see
// Validate). An import checks its rows against the same rules, less those
// of what it has no use for (see ImportRow.check).
type NewSignature struct {
	Kind        SignatureKind `field:"kind" validate:"required,oneof=individual organisation"`
	Name        string        `field:"name" validate:"required,max=200,text,visible"`
	Affiliation string        `field:"affiliation" validate:"required_if=Kind organisation,max=200,text,visible"`
	Role        string        `field:"role" validate:"max=200,text,visible"`
	Country     string        `field:"country" validate:"required,country"`
	Country2    string        `field:"country2" validate:"omitempty,country,nefield=Country"`
	Email       string        `field:"email" validate:"required,max=254,email,visible_email"`
	Display     Display       `field:"display" validate:"required,oneof=full anonymous counted"`
	// Lang is the version of the letter signed, chosen by its address, not
	// typed; empty for the letter's original.
	Lang string `validate:"-"`
	// News says the signer asked for news about the letter by email.
	News bool `validate:"-"`
}

// Signed is a signature just made, or given new links, with the tokens of
// the signer's private links, which exist in clear only here.
type Signed struct {
	Signature    *Signature
	ManageToken  string
	ConfirmToken string // empty when the signature needs no confirmation
	// Again says the links are sent again, to an address that had signed:
	// someone signed with it once more, or asked for the email again.
	Again bool
}

// ReminderInterval is the least time between two emails that a signature
// made again with an address sends to the address's owner: signing is
// answered alike whether the address had signed or not, so the form must
// not become a way to flood someone's mailbox.
const ReminderInterval = time.Hour

// Message is an email to send, composed in its reader's language.
type Message struct {
	To, Lang, Subject, Body string
	// ReplyTo, ListUnsubscribe and Attachments are as mail.Message's.
	ReplyTo, ListUnsubscribe string
	Attachments              []mail.Attachment
}

// ConfirmationMail writes the email a signer receives with their private
// links: the confirmation link while the signature waits for it (Signed's
// ConfirmToken), and the management link. l is the letter in the version
// signed when the links are sent again; a new signature's is the letter as
// stored, its original (the caller knows the version read).
type ConfirmationMail func(l *Letter, s *Signed) Message

// Countries reads "Azerbaijan/Netherlands": the country names in a
// language, joined by a slash.
func (s Signature) Countries(lang string) string {
	names := []string{CountryNameIn(lang, s.Country)}
	if s.Country2 != "" {
		names = append(names, CountryNameIn(lang, s.Country2))
	}
	return strings.Join(names, "/")
}

// Entry is the signature as a list reads it, in seed letters' form: "Name,
// Role, Affiliation, Country" for a person, "Organisation, Country" for an
// organisation, "Anonymous, Country" (anonymous is the word in the list's
// language) for a signer who chose so; empty parts are left out.
// snapshotEntrySQL says the same in SQL, for dated lists: change both.
// The mark of a signer of an earlier revision is not part of the entry: it
// goes beside it (Superseded here, SnapshotEntry.SignedRevision in a dated
// list), so that agreeing to a new text is not a change of entry.
func (s Signature) Entry(lang, anonymous string) string {
	parts := []string{s.Name, s.Role, s.Affiliation, s.Countries(lang)}
	switch {
	case s.Display == DisplayAnonymous:
		parts = []string{anonymous, s.Countries(lang)}
	case s.Kind == KindOrganisation:
		parts = []string{s.Affiliation, s.Countries(lang)}
	}
	return joinNonEmpty(parts, EntrySeparator(lang))
}

// EntrySeparator is what separates the parts of an entry on a list in a
// language: the Arabic comma in languages written in Arabic script
// (Arabic, Persian, Urdu…), a Latin one otherwise.
func EntrySeparator(lang string) string {
	if script, _ := language.Make(lang).Script(); script.String() == "Arab" {
		return "، "
	}
	return ", "
}

// sortKeyTie joins a sort key's parts: below every character a name may
// hold (ValidPlainText refuses control characters), so that "Brown" with
// its tie-breaker still sorts before "Browne".
const sortKeyTie = "\x01"

// listKey is the key the alphabetical list sorts the signature by: its
// folded sort name, then, between people of one family name, their whole
// name, given name first, so that the Browns read David, Emily, Michael,
// Sarah. Every list orders by it, then by id, the order of signing: the
// pages, print, CSV, JSON and dated lists ("sort_key, id"), and the
// migration 0009_sort_ties gave rows written before the same shape.
func (s Signature) listKey() string {
	if s.Display == DisplayAnonymous {
		return anonymousSortKey
	}
	key := SortKey(s.SortName)
	if s.Kind == KindIndividual && s.Name != "" {
		key += sortKeyTie + SortKey(s.Name)
	}
	return key
}

// publicColumns are the columns a public list may read: never the email.
// scanSection scans them in this order.
var publicColumns = []string{"id", "kind", "display", "name", "affiliation", "role", "country", "country2", "revision", "verified",
	"offline_source"}

// onList is the condition of the entries a public list shows, written as the
// partial indexes' condition so that SQLite uses them.
const onList = "status = 'listed' AND display <> 'counted'"

// AddSignature signs a published letter, if it takes the signature:
// ErrLetterNotOpen, ErrLetterClosed, ErrKindNotAllowed and ErrAlreadySigned
// say why not. A letter that asks for confirmation gets the signature
// unconfirmed; a letter that reviews this kind puts it in review; otherwise
// it is listed at once. The signer's email (mail: the confirmation, or the
// private link) goes to the outbox in the same transaction. An address that
// had signed gets ErrAlreadySigned, nothing is stored of the new signature,
// and the address's owner is emailed their links again (at most once per
// ReminderInterval), in the same transaction as a new signature's email.
//
// The signature is written by the store's single signature writer, which
// commits the signatures waiting at the same moment together (see
// writer.go): AddSignature returns once that commit is durable, or with
// ErrNotSaved when it failed and nothing of the batch was written.
func (s *Store) AddSignature(ctx context.Context, letterID int64, in NewSignature, mail ConfirmationMail) (*Signed, error) {
	sig := newSignature(letterID, in, s.now())
	manage, manageHash := NewToken()
	sig.ManageTokenHash = &manageHash
	req := &signRequest{signed: &Signed{Signature: sig, ManageToken: manage}, mail: mail, done: make(chan error, 1)}
	if err := s.signatures.submit(ctx, req); err != nil {
		return nil, err
	}
	return req.signed, nil
}

// newSignature is the row a signer's submission becomes, before the letter
// it signs decides its status and revision.
func newSignature(letterID int64, in NewSignature, now time.Time) *Signature {
	sortName := DefaultSortName(in.Kind, in.Name)
	if in.Kind == KindOrganisation {
		sortName = DefaultSortName(in.Kind, in.Affiliation)
	}
	if in.Display == "" {
		in.Display = DisplayFull
	}
	sig := &Signature{
		LetterID: letterID, Kind: in.Kind, Display: in.Display, Name: in.Name, Affiliation: in.Affiliation, Role: in.Role,
		Country: in.Country, Country2: in.Country2, Email: strings.TrimSpace(in.Email), EmailKey: SignerEmailKey(in.Email),
		SortName: sortName, CreatedAt: now, Lang: in.Lang, News: in.News,
	}
	sig.SortKey = sig.listKey()
	return sig
}

// statusAfterConfirmation is where a confirmed signature of kind goes: to
// review when the letter reviews that kind, else onto the list.
func (l *Letter) statusAfterConfirmation(kind SignatureKind) SignatureStatus {
	if (kind == KindOrganisation && l.ReviewOrganisations) || (kind == KindIndividual && l.ReviewIndividuals) {
		return StatusInReview
	}
	return StatusListed
}

// countOnList adds delta to the counter and the counts a listed signature
// is counted in and marks the list changed; signatures that are not listed
// count nowhere.
func (s *Store) countOnList(tx *gorm.DB, sig *Signature, delta int) error {
	var t tally
	t.add(sig, delta)
	_, err := s.writeTally(tx, &t)
	return err
}

// countNew counts sigs, just written or listed, in their letters' counters
// and counts.
func (s *Store) countNew(tx *gorm.DB, sigs []Signature) error {
	var t tally
	for i := range sigs {
		t.add(&sigs[i], 1)
	}
	_, err := s.writeTally(tx, &t)
	return err
}

// Confirm confirms the signature whose confirmation link carries token: it
// goes onto the list, or to review, as the returned status says. A link used
// before returns ErrAlreadyConfirmed, an expired one ErrLinkExpired, one of a
// letter closed since ErrLetterClosed, all with the letter; an unknown one
// returns ErrNotFound.
//
// Confirmations go through the signature writer, as signatures do: a crowd
// confirming at once shares commits, and the letter's counters move once
// per batch.
func (s *Store) Confirm(ctx context.Context, token string) (*Letter, SignatureStatus, error) {
	req := &signRequest{confirm: &confirmation{token: token}, done: make(chan error, 1)}
	err := s.signatures.submit(ctx, req)
	if err != nil && ctx.Err() != nil {
		return nil, "", err // the writer may not have answered: req is still its
	}
	return &req.confirm.letter, req.confirm.status, err
}

// Confirmation returns the signature whose confirmation link carries
// token, with its letter, and confirms nothing: the page the link opens
// shows what confirming would publish, and a mail scanner opening the link
// must not confirm for the signer. It returns the error Confirm would
// return for the link now, with the signature and letter when known.
func (s *Store) Confirmation(ctx context.Context, token string) (*Signature, *Letter, error) {
	sig, l, err := signatureByToken(s.read.WithContext(ctx), "confirm_token_hash", token)
	if err != nil {
		return nil, nil, err
	}
	return sig, l, confirmable(sig, l, s.now())
}

// confirmable says whether sig, of l, can be confirmed at now: not once its
// link was used (ErrAlreadyConfirmed) or expired (ErrLinkExpired), nor once
// the letter stopped taking signatures, since its list no longer changes.
func confirmable(sig *Signature, l *Letter, now time.Time) error {
	switch {
	case sig.ConfirmedAt != nil:
		return ErrAlreadyConfirmed
	case sig.ConfirmExpiresAt != nil && !now.Before(*sig.ConfirmExpiresAt):
		return ErrLinkExpired
	}
	return l.AcceptsSignatures(now)
}

// SignatureByManageToken returns the signature a signer's private link leads
// to, with its letter, or ErrNotFound.
func (s *Store) SignatureByManageToken(ctx context.Context, token string) (*Signature, *Letter, error) {
	return signatureByToken(s.read.WithContext(ctx), "manage_token_hash", token)
}

// signatureByToken reads, in db, the signature whose column holds the hash
// of token, with its letter, or returns ErrNotFound.
func signatureByToken(db *gorm.DB, column, token string) (*Signature, *Letter, error) {
	var sig Signature
	if err := db.Where(column+" = ?", TokenHash(token)).Take(&sig).Error; err != nil {
		return nil, nil, notFound(err)
	}
	var l Letter
	if err := db.Take(&l, sig.LetterID).Error; err != nil {
		return nil, nil, notFound(err)
	}
	return &sig, &l, nil
}

// ResendConfirmation makes a new confirmation link for an unconfirmed
// signature and puts the email in the outbox; it creates no second
// signature. The token is the signature's private management token, or its
// (perhaps expired) confirmation token. The email carries a new management
// link too, since only hashes of the old ones are kept: the old links stop
// working, and the new management token is returned. ErrAlreadyConfirmed
// says there is nothing to confirm.
func (s *Store) ResendConfirmation(ctx context.Context, token string, mail ConfirmationMail) (manageToken string, err error) {
	// An unconfirmed signature is on no public page: the cached pages stay.
	err = s.privateTransaction(ctx, func(tx *gorm.DB) error {
		var sig Signature
		hash := TokenHash(token)
		if err := tx.Where("manage_token_hash = ? OR confirm_token_hash = ?", hash, hash).Take(&sig).Error; err != nil {
			return notFound(err)
		}
		if sig.Status != StatusUnconfirmed {
			return ErrAlreadyConfirmed
		}
		manageToken, err = s.remind(tx, &sig, mail)
		return err
	})
	return manageToken, err
}

// RemindSigner emails the signer of a letter with an address their links
// again, as the thank-you page's "send it again" asks: the confirmation
// while the signature is unconfirmed, else the private link. An address
// with no signature of the letter is sent nothing, and answered alike: the
// page must not tell whether an address signed.
func (s *Store) RemindSigner(ctx context.Context, letterID int64, email string, mail ConfirmationMail) error {
	return s.privateTransaction(ctx, func(tx *gorm.DB) error {
		var sig Signature
		err := tx.Where("letter_id = ? AND email_key = ?", letterID, SignerEmailKey(email)).Take(&sig).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		_, err = s.remind(tx, &sig, mail)
		return err
	})
}

// remind gives sig, in tx, a new management link, and a new confirmation
// link while it is unconfirmed, and puts the email that carries them in
// the outbox: only hashes of the old links are kept, so the old ones stop
// working. It returns the new management token.
func (s *Store) remind(tx *gorm.DB, sig *Signature, mail ConfirmationMail) (string, error) {
	var l Letter
	if err := publishedTranslations(tx).Take(&l, sig.LetterID).Error; err != nil {
		return "", fmt.Errorf("read letter: %w", err)
	}
	signed, err := s.renewLinks(tx, sig)
	if err != nil {
		return "", err
	}
	return signed.ManageToken, s.enqueue(tx, mail(l.versionOf(sig), signed)) // the version signed, as the first email
}

// renewLinks gives sig, in tx, a new management link, and a new
// confirmation link while it is unconfirmed, as remind says, and returns
// sig with its new links for the email.
func (s *Store) renewLinks(tx *gorm.DB, sig *Signature) (*Signed, error) {
	now := s.now()
	manage, manageHash := NewToken()
	signed := &Signed{Signature: sig, ManageToken: manage, Again: true}
	sig.ManageTokenHash, sig.RemindedAt = &manageHash, &now
	// Written raw: GORM's reflection over the row cost a repeat in a crowd
	// more than the update itself.
	set, values := "manage_token_hash = ?, reminded_at = ?", []any{manageHash, now}
	if sig.Status == StatusUnconfirmed {
		confirm, confirmHash := NewToken()
		expires := now.Add(ConfirmationTTL)
		sig.ConfirmTokenHash, sig.ConfirmExpiresAt, signed.ConfirmToken = &confirmHash, &expires, confirm
		set, values = set+", confirm_token_hash = ?, confirm_expires_at = ?", append(values, confirmHash, expires)
	}
	err := tx.Exec("UPDATE signatures SET "+set+" WHERE id = ?", append(values, sig.ID)...).Error
	return signed, err
}

// SetDisplay changes how the signature of manageToken appears. When the new
// choice hides the signer's name (Display.HidesName), what the audit log
// said of the signature before reads as entry, the signature as
// coordinators now see it, so that the log keeps no name it would not show;
// and an entry that named the signer leaves the dated lists already
// published, as on a withdrawal.
func (s *Store) SetDisplay(ctx context.Context, manageToken string, d Display, entry func(*Signature) string) error {
	return s.transaction(ctx, func(tx *gorm.DB) error {
		var sig Signature
		if err := tx.Where("manage_token_hash = ?", TokenHash(manageToken)).Take(&sig).Error; err != nil {
			return notFound(err)
		}
		if sig.Display == d {
			return nil
		}
		var t tally // the entry leaves its counts as it was, and joins them as it is
		t.add(&sig, -1)
		if d.HidesName() && !sig.Display.HidesName() {
			// A signer who now hides their name is at risk from it: the
			// dated lists already published lose the entry, as on a
			// withdrawal. Before the change, which legacyEntries reads.
			if err := redactSnapshots(tx, &sig); err != nil {
				return err
			}
		}
		sig.Display = d
		sig.SortKey = sig.listKey()
		if err := tx.Model(&sig).Select("display", "sort_key").Updates(&sig).Error; err != nil {
			return err
		}
		if d.HidesName() {
			if err := tx.Model(&AuditEntry{}).Where("signature_id = ?", sig.ID).Update("detail", entry(&sig)).Error; err != nil {
				return err
			}
		}
		t.add(&sig, 1)
		_, err := s.writeTally(tx, &t)
		return err
	})
}

// Withdraw takes the signature of manageToken off the list, the count and
// the dated lists already published, and erases it at once. The letter's
// audit log records only that one signature was withdrawn.
func (s *Store) Withdraw(ctx context.Context, manageToken string) (*Letter, error) {
	return s.withdraw(ctx, "manage_token_hash", manageToken)
}

// withdraw withdraws the signature whose tokenColumn holds the hash of token.
func (s *Store) withdraw(ctx context.Context, tokenColumn, token string) (*Letter, error) {
	newsKey, err := s.newsKey(ctx)
	if err != nil {
		return nil, err
	}
	var l Letter
	err = s.transaction(ctx, func(tx *gorm.DB) error {
		var sig Signature
		if err := tx.Where(tokenColumn+" = ?", TokenHash(token)).Take(&sig).Error; err != nil {
			return notFound(err)
		}
		if err := tx.Take(&l, sig.LetterID).Error; err != nil {
			return err
		}
		if err := s.takeOff(tx, &sig); err != nil {
			return err
		}
		// Sent mail to the signer goes too; mail not yet sent only carries
		// links that no longer work.
		if err := tx.Where("recipient = ? AND sent_at IS NOT NULL", sig.Email).Delete(&OutboxMessage{}).Error; err != nil {
			return err
		}
		// News not yet sent must not reach a signer who withdrew.
		if err := dropWaitingNews(tx, sig.Email, newsToken(newsKey, sig.ID, sig.EmailKey)); err != nil {
			return err
		}
		// What the log said of the signer goes with them.
		if err := tx.Model(&AuditEntry{}).Where("signature_id = ?", sig.ID).Updates(map[string]any{"detail": "", "signature_id": nil}).Error; err != nil {
			return err
		}
		return s.audit(tx, sig.LetterID, nil, nil, AuditWithdraw, "")
	})
	return &l, err
}

// takeOff deletes sig, in tx, from the list, the count and the dated lists
// already published.
func (s *Store) takeOff(tx *gorm.DB, sig *Signature) error {
	if err := tx.Delete(sig).Error; err != nil {
		return err
	}
	if err := s.countOnList(tx, sig, -1); err != nil {
		return err
	}
	return redactSnapshots(tx, sig)
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
		page, err := s.SectionSignatories(ctx, l, part.kind, offset, limit)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		offset, limit = 0, limit-len(page)
	}
	return out, nil
}

// SectionSignatories returns a page of one section of a letter's public
// list, as EachInSection reads it. It seeks the page from the bucket that
// holds its first entry (buckets.go), in one snapshot of the list: a deep
// page costs what the first does.
func (s *Store) SectionSignatories(ctx context.Context, l *Letter, kind SignatureKind, offset, limit int) ([]Signature, error) {
	page := make([]Signature, 0, limit)
	order := OrderAlphabetical
	if l.ListOrder == OrderSigned {
		order = OrderSigned
	}
	err := s.readSnapshot(ctx, func(tx *gorm.DB) error {
		b, skip, found, err := pageStart(tx, l, kind, order, int64(offset))
		if err != nil || !found {
			return err
		}
		q := seek(publicSection(tx, l, kind), order, b.startKey, b.startID).Offset(int(skip)).Limit(limit)
		return scanSection(q, func(sig *Signature, _ string) error {
			page = append(page, *sig)
			return nil
		})
	})
	return page, err
}

// CoordinatorSignatures returns a page of a letter's signatures in any
// status with their private fields, newest first, and how many there are.
// The caller has authorised access to l.
func (s *Store) CoordinatorSignatures(ctx context.Context, l *Letter, offset, limit int) ([]Signature, int64, error) {
	return s.SearchSignatures(ctx, l, SignatureFilter{}, offset, limit)
}

// SearchSignatures is CoordinatorSignatures of the signatures f keeps:
// the coordinators' signatures page, searched and filtered.
func (s *Store) SearchSignatures(ctx context.Context, l *Letter, f SignatureFilter, offset, limit int) ([]Signature, int64, error) {
	matching := func() *gorm.DB {
		return s.filter(s.read.WithContext(ctx).Model(&Signature{}).Where("letter_id = ?", l.ID), f)
	}
	// The page's ids with the count of all that match, in one pass over
	// the letter's signatures (a search reads each); then the page's rows:
	// sorting ids costs little, sorting whole rows to keep 50 cost most of
	// a deep page.
	var found []struct{ ID, Total int64 }
	if err := matching().Select("id, COUNT(*) OVER () AS total").Order("id DESC").Offset(offset).Limit(limit).Scan(&found).Error; err != nil {
		return nil, 0, err
	}
	if len(found) == 0 {
		var total int64
		err := matching().Count(&total).Error // past the last page, which counts none
		return nil, total, err
	}
	ids := make([]int64, len(found))
	for i, r := range found {
		ids[i] = r.ID
	}
	var page []Signature
	err := s.read.WithContext(ctx).Where("id IN ?", ids).Order("id DESC").Find(&page).Error
	return page, found[0].Total, err
}

// EachSignature calls fn for every listed signature of a letter in list
// order, named ones first, then those counted but not listed, each of them
// organisations first. It reads them exportChunk at a time, as
// EachInSection does, and holds no connection while fn runs.
func (s *Store) EachSignature(ctx context.Context, l *Letter, fn func(*Signature) error) error {
	for _, shown := range []string{"display <> 'counted'", "display = 'counted'"} {
		for _, kind := range []SignatureKind{KindOrganisation, KindIndividual} {
			err := eachInChunks(newKeyset(l), func(k *keyset) ([]Signature, error) {
				var chunk []Signature
				q := s.read.WithContext(ctx).Where("letter_id = ? AND kind = ? AND status = 'listed' AND "+shown, l.ID, kind)
				if err := k.next(q).Find(&chunk).Error; err != nil || len(chunk) == 0 {
					return chunk, err
				}
				last := chunk[len(chunk)-1]
				k.passed(last.SortKey, last.ID)
				return chunk, nil
			}, fn)
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// RemoveSignature takes a signature off the list, the count and the dated
// lists already published (a fake must not stay on them), recording
// in the audit log who removed which entry and why. The caller has
// authorised access to l.
func (s *Store) RemoveSignature(ctx context.Context, l *Letter, userID, signatureID int64, entry func(*Signature) string, reason string) error {
	return s.transaction(ctx, func(tx *gorm.DB) error {
		var sig Signature
		if err := tx.Where("letter_id = ?", l.ID).Take(&sig, signatureID).Error; err != nil {
			return notFound(err)
		}
		return s.remove(tx, l, userID, &sig, entry, reason)
	})
}

// remove is RemoveSignature of sig, in tx.
func (s *Store) remove(tx *gorm.DB, l *Letter, userID int64, sig *Signature, entry func(*Signature) string, reason string) error {
	if err := s.takeOff(tx, sig); err != nil {
		return err
	}
	return s.audit(tx, l.ID, &userID, nil, AuditRemove, entry(sig)+" — "+reason)
}

// SetSortName corrects the name a signature is sorted by ("El-Hage" rather
// than "Hage"), and logs it. The caller has authorised access to l.
func (s *Store) SetSortName(ctx context.Context, l *Letter, userID, signatureID int64, entry func(*Signature) string, sortName string) error {
	return s.transaction(ctx, func(tx *gorm.DB) error {
		var sig Signature
		if err := tx.Where("letter_id = ?", l.ID).Take(&sig, signatureID).Error; err != nil {
			return notFound(err)
		}
		var t tally // the entry moves on its list: it leaves its place and joins at its new one
		t.add(&sig, -1)
		sig.SortName = sortName
		sig.SortKey = sig.listKey()
		if err := tx.Model(&sig).Select("sort_name", "sort_key").Updates(&sig).Error; err != nil {
			return err
		}
		t.add(&sig, 1)
		if _, err := s.writeTally(tx, &t); err != nil {
			return err
		}
		return s.audit(tx, l.ID, &userID, &sig, AuditSortName, entry(&sig)+" — "+sortName)
	})
}

// ReviewFilter narrows the review queue; empty fields match everything.
type ReviewFilter struct {
	Kind    SignatureKind
	Country string
}

// ReviewQueue returns a page of a letter's signatures waiting for review,
// oldest first, and how many match the filter. The caller has authorised
// access to l.
func (s *Store) ReviewQueue(ctx context.Context, l *Letter, f ReviewFilter, offset, limit int) ([]Signature, int64, error) {
	db := s.read.WithContext(ctx).Model(&Signature{}).Where("letter_id = ? AND status = ?", l.ID, StatusInReview)
	if f.Kind != "" {
		db = db.Where("kind = ?", f.Kind)
	}
	if f.Country != "" {
		db = db.Where("country = ?", f.Country)
	}
	var total int64
	if err := db.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	if limit == 0 {
		return nil, total, nil // the count only
	}
	var page []Signature
	err := db.Order("id").Offset(offset).Limit(limit).Find(&page).Error
	return page, total, err
}

// Moderate approves (onto the list) or rejects (never shown) the given
// signatures of l that are in review, logging each; others are skipped. It
// returns how many it changed. The caller has authorised access to l.
func (s *Store) Moderate(ctx context.Context, l *Letter, userID int64, ids []int64, approve bool, entry func(*Signature) string) (int, error) {
	changed := 0
	err := s.transaction(ctx, func(tx *gorm.DB) error {
		var err error
		changed, err = s.moderate(tx, l, userID, ids, approve, entry)
		return err
	})
	return changed, err
}

// moderate is Moderate in tx.
func (s *Store) moderate(tx *gorm.DB, l *Letter, userID int64, ids []int64, approve bool, entry func(*Signature) string) (int, error) {
	to, action := StatusRejected, AuditReject
	if approve {
		to, action = StatusListed, AuditApprove
	}
	var sigs []Signature
	if err := tx.Where("letter_id = ? AND status = ? AND id IN ?", l.ID, StatusInReview, ids).Find(&sigs).Error; err != nil {
		return 0, err
	}
	for i := range sigs {
		sig := &sigs[i]
		sig.Status = to
		if err := tx.Model(sig).Update("status", to).Error; err != nil {
			return 0, err
		}
		if err := s.audit(tx, l.ID, &userID, sig, action, entry(sig)); err != nil {
			return 0, err
		}
	}
	return len(sigs), s.countNew(tx, sigs)
}

// StatusCounts returns how many of a letter's signatures are in each status.
func (s *Store) StatusCounts(ctx context.Context, letterID int64) (map[SignatureStatus]int64, error) {
	var rows []struct {
		Status SignatureStatus
		N      int64
	}
	err := s.read.WithContext(ctx).Model(&Signature{}).Select("status, COUNT(*) AS n").
		Where("letter_id = ?", letterID).Group("status").Scan(&rows).Error
	out := map[SignatureStatus]int64{}
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, err
}
