package models

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"undersigned/models/mail"
)

// Addressee is a line of a letter's addressees (Letter.AddresseeList) with
// what the public text leaves out: the role it is delivered to, and an
// email address, which is never public. The details are kept by the
// line's text: a line moved in the editor keeps them, one rewritten or
// removed loses them.
type Addressee struct {
	LetterID int64 `gorm:"primaryKey;autoIncrement:false"`
	Position int   `gorm:"primaryKey;autoIncrement:false"` // the line's 0-based index
	Line     string
	Role     string
	Email    string
}

// TableName is the addressees' table.
func (Addressee) TableName() string { return "letter_addressees" }

// Name is how a delivery names the addressee in public: its role, or else
// its line.
func (a Addressee) Name() string {
	if a.Role != "" {
		return a.Role
	}
	return a.Line
}

// AddresseeDetails are the role and address of one addressee line, as a
// coordinator enters them.
type AddresseeDetails struct {
	Role  string `field:"role" validate:"max=200,text"`
	Email string `field:"email" validate:"omitempty,max=254,email,visible_email"`
}

// Addressees returns one Addressee per line of l's addressees, in order,
// with the role and address kept for it, if any. The caller has
// authorised access to l.
func (s *Store) Addressees(ctx context.Context, l *Letter) ([]Addressee, error) {
	return addresseesOf(s.read.WithContext(ctx), l)
}

// addresseesOf is Addressees, read through db.
func addresseesOf(db *gorm.DB, l *Letter) ([]Addressee, error) {
	lines := l.AddresseeList()
	out := make([]Addressee, len(lines))
	for i, line := range lines {
		out[i] = Addressee{LetterID: l.ID, Position: i, Line: line}
	}
	var kept []Addressee // a row per line with details: the letter's text holds at most a few dozen
	if err := db.Where("letter_id = ?", l.ID).Find(&kept).Error; err != nil {
		return nil, fmt.Errorf("addressees of letter %d: %w", l.ID, err)
	}
	for _, a := range kept {
		if i := slices.IndexFunc(out, func(o Addressee) bool { return o.Line == a.Line && o.Role == "" && o.Email == "" }); i >= 0 {
			out[i].Role, out[i].Email = a.Role, a.Email
		}
	}
	return out, nil
}

// SaveAddressees keeps the role and address of each of l's addressee
// lines, details[i] for line i, replacing what was kept. The caller has
// validated details and authorised access to l.
func (s *Store) SaveAddressees(ctx context.Context, l *Letter, details []AddresseeDetails) error {
	lines := l.AddresseeList()
	return s.privateTransaction(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("letter_id = ?", l.ID).Delete(&Addressee{}).Error; err != nil {
			return err
		}
		var rows []Addressee
		for i, d := range details {
			if i < len(lines) && (d.Role != "" || d.Email != "") {
				rows = append(rows, Addressee{LetterID: l.ID, Position: i, Line: lines[i], Role: d.Role, Email: d.Email})
			}
		}
		if len(rows) == 0 {
			return nil
		}
		return tx.Create(&rows).Error
	})
}

// Delivery is a letter's dated list delivered to some of its addressees:
// emailed through the outbox, or recorded as delivered by hand.
type Delivery struct {
	ID          int64
	LetterID    int64
	SnapshotID  int64
	Versions    string // the language tags sent, separated by spaces
	Message     string // the covering message
	Attach      string // AttachPDF or AttachLink; "" by hand
	ByHand      string // how it was delivered by hand ("in person"); "" when emailed
	DeliveredOn time.Time
	CreatedAt   time.Time

	Recipients []DeliveryRecipient `gorm:"foreignKey:DeliveryID"`
	// Read with it: the dated list's date, and its letter's slug and title.
	AsOf  time.Time `gorm:"->"`
	Slug  string    `gorm:"->"`
	Title string    `gorm:"->"`
}

// What a delivery's email carries of the letter: its PDF packet, or links.
const (
	AttachPDF  = "pdf"
	AttachLink = "link"
)

// The outcomes of a delivery to an addressee.
const (
	OutcomePending  = "pending"  // in the outbox, not yet tried
	OutcomeSent     = "sent"     // the mail server took it
	OutcomeDeferred = "deferred" // refused for now: it is tried again
	OutcomeBounced  = "bounced"  // refused for good
	OutcomeByHand   = "by_hand"  // delivered by hand, no email
)

// VersionList is the delivery's language tags.
func (d *Delivery) VersionList() []string { return strings.Fields(d.Versions) }

// DeliveryRecipient is an addressee a delivery went to, as its line and
// role read then, and what became of its email.
type DeliveryRecipient struct {
	DeliveryID int64 `gorm:"primaryKey;autoIncrement:false"`
	Position   int   `gorm:"primaryKey;autoIncrement:false"`
	Addressee  string
	Role       string
	OutboxID   *int64
	Outcome    string
}

// Name is how the recipient is named in public: its role, or else its line.
func (r DeliveryRecipient) Name() string {
	return Addressee{Line: r.Addressee, Role: r.Role}.Name()
}

// NewDelivery is a coordinator's delivery of a dated list.
type NewDelivery struct {
	Snapshot  *Snapshot
	Versions  []string
	Positions []int // the addressee lines chosen
	Message   string
	Attach    string
	// ByHand, when set, records a delivery made by hand on DeliveredOn,
	// and sends nothing.
	ByHand      string
	DeliveredOn time.Time
	// Again confirms delivering the list to addressees it was delivered to.
	Again bool
}

// ErrNoAddressee says a delivery names no addressee of the letter.
var ErrNoAddressee = errors.New("no addressee chosen")

// NoAddress refuses an email delivery to addressees without an address.
type NoAddress struct{ Addressees []string }

func (e *NoAddress) Error() string {
	return fmt.Sprintf("%d addressees have no email address", len(e.Addressees))
}

// DeliveredBefore says the dated list was delivered to some of the
// addressees (by their lines' text) already: a second delivery needs
// NewDelivery.Again.
type DeliveredBefore struct{ Addressees []string }

func (e *DeliveredBefore) Error() string {
	return fmt.Sprintf("the list was delivered to %d of the addressees already", len(e.Addressees))
}

// CheckDelivery returns the addressees d goes to, or why it may not go:
// ErrNoAddressee, *NoAddress, *DeliveredBefore. Deliver checks again, in
// its transaction; this lets the caller check before it makes the files.
func (s *Store) CheckDelivery(ctx context.Context, l *Letter, d *NewDelivery) ([]Addressee, error) {
	return checkDelivery(s.read.WithContext(ctx), l, d)
}

// checkDelivery is CheckDelivery, read through db.
func checkDelivery(db *gorm.DB, l *Letter, d *NewDelivery) ([]Addressee, error) {
	all, err := addresseesOf(db, l)
	if err != nil {
		return nil, err
	}
	var chosen []Addressee
	var noAddress []string
	for i, a := range all {
		if !slices.Contains(d.Positions, i) {
			continue
		}
		chosen = append(chosen, a)
		if a.Email == "" {
			noAddress = append(noAddress, a.Name())
		}
	}
	switch {
	case len(chosen) == 0:
		return nil, ErrNoAddressee
	case d.ByHand == "" && len(noAddress) > 0:
		return nil, &NoAddress{Addressees: noAddress}
	case d.Again:
		return chosen, nil
	}
	lines := make([]string, len(chosen))
	for i, a := range chosen {
		lines[i] = a.Line
	}
	var before []string
	err = db.Model(&DeliveryRecipient{}).Joins("JOIN deliveries d ON d.id = delivery_recipients.delivery_id").
		Where("d.snapshot_id = ? AND delivery_recipients.addressee IN ?", d.Snapshot.ID, lines).
		Distinct().Pluck("addressee", &before).Error
	if err != nil {
		return nil, fmt.Errorf("earlier deliveries: %w", err)
	}
	var names []string
	for _, a := range chosen {
		if slices.Contains(before, a.Line) {
			names = append(names, a.Name())
		}
	}
	if len(names) > 0 {
		return nil, &DeliveredBefore{Addressees: names}
	}
	return chosen, nil
}

// Deliver records d, a delivery of l's dated list by the coordinator
// userID, and for one not made by hand writes the email mail composes for
// each addressee to the outbox, in one transaction; a public page shows
// it, and the audit log says who delivered, with detail's words for how
// many addressees. It refuses as CheckDelivery does. The caller has
// authorised access to l.
func (s *Store) Deliver(ctx context.Context, l *Letter, userID int64, d NewDelivery, mail func(Addressee) Message, detail func(addressees int) string) (*Delivery, error) {
	out := &Delivery{LetterID: l.ID, SnapshotID: d.Snapshot.ID, Versions: strings.Join(d.Versions, " "), Message: d.Message,
		Attach: d.Attach, ByHand: d.ByHand, DeliveredOn: Day(d.DeliveredOn), CreatedAt: s.now(), AsOf: d.Snapshot.AsOf}
	if d.ByHand == "" {
		out.DeliveredOn = Day(s.now())
	} else {
		out.Attach = ""
	}
	err := s.transaction(ctx, func(tx *gorm.DB) error {
		to, err := checkDelivery(tx, l, &d)
		if err != nil {
			return err
		}
		if err := tx.Omit("Recipients").Create(out).Error; err != nil {
			return fmt.Errorf("record the delivery: %w", err)
		}
		out.Recipients = make([]DeliveryRecipient, len(to))
		for i, a := range to {
			r := DeliveryRecipient{DeliveryID: out.ID, Position: a.Position, Addressee: a.Line, Role: a.Role, Outcome: OutcomeByHand}
			if d.ByHand == "" {
				id, err := s.enqueued(tx, mail(a))
				if err != nil {
					return fmt.Errorf("email the delivery: %w", err)
				}
				r.OutboxID, r.Outcome = &id, OutcomePending
			}
			out.Recipients[i] = r
		}
		if err := tx.Create(&out.Recipients).Error; err != nil {
			return err
		}
		return s.audit(tx, l.ID, &userID, nil, AuditDeliver, detail(len(to)))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Deliveries returns up to limit of a letter's deliveries, newest first,
// each with its recipients and its list's date, in two queries.
func (s *Store) Deliveries(ctx context.Context, letterID int64, limit int) ([]Delivery, error) {
	var out []Delivery
	err := deliveries(s.read.WithContext(ctx)).Where("deliveries.letter_id = ?", letterID).Limit(limit).Find(&out).Error
	return out, err
}

// PublicDeliveries returns the newest deliveries of published, listed
// letters whose list is out, newest first, with the letters' addresses
// and titles: what the feed announces besides new letters.
func (s *Store) PublicDeliveries(ctx context.Context, limit int) ([]Delivery, error) {
	var out []Delivery
	err := deliveries(s.read.WithContext(ctx)).
		Where("letters.state IN ? AND letters.listed AND (letters.list_hidden_until IS NULL OR letters.list_hidden_until <= ?)",
			[]LetterState{StateOpen, StateClosed}, s.now()).
		Limit(limit).Find(&out).Error
	return out, err
}

// deliveries selects deliveries, newest first, with their recipients, the
// date of their list and their letter's address and title.
func deliveries(db *gorm.DB) *gorm.DB {
	return db.Model(&Delivery{}).Select("deliveries.*, snapshots.as_of, letters.slug, letters.title").
		Joins("JOIN snapshots ON snapshots.id = deliveries.snapshot_id").
		Joins("JOIN letters ON letters.id = deliveries.letter_id").
		Preload("Recipients", func(db *gorm.DB) *gorm.DB { return db.Order("position") }).
		Order("deliveries.delivered_on DESC, deliveries.id DESC")
}

// recordOutcome copies what became of outbox message id to the delivery
// it carries, if it carries one.
func recordOutcome(tx *gorm.DB, id int64, d mail.Delivery, givenUp bool) error {
	outcome := OutcomeSent
	switch {
	case givenUp:
		outcome = OutcomeBounced
	case d.Err != nil:
		outcome = OutcomeDeferred
	}
	if err := tx.Model(&DeliveryRecipient{}).Where("outbox_id = ?", id).Update("outcome", outcome).Error; err != nil {
		return fmt.Errorf("record the outcome of message %d: %w", id, err)
	}
	return nil
}
