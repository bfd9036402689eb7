package models

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// AuditAction names what was done to a letter's signatures.
type AuditAction string

// The actions the audit log records.
const (
	AuditApprove  AuditAction = "approve"
	AuditReject   AuditAction = "reject"
	AuditRemove   AuditAction = "remove"
	AuditSortName AuditAction = "sort_name"
	AuditExport   AuditAction = "export"
	AuditWithdraw AuditAction = "withdraw" // by the signer; the entry names no one
	AuditImport   AuditAction = "import"   // signatories collected elsewhere; the detail is how many
	// signers of earlier revisions asked to agree to the current one; the detail says how many and which revision
	AuditReconfirm AuditAction = "reconfirm"
	// a signed text corrected without a new revision; the detail says which revision
	AuditCorrect AuditAction = "correct"
	// another organisation became a co-initiator; the detail is its name
	AuditCoInitiate AuditAction = "co_initiate"
	// a dated list delivered; the detail says which, to how many addressees
	// and how, never their addresses
	AuditDeliver AuditAction = "deliver"
)

// AuditEntry is one line of a letter's audit log: who did what, and when.
type AuditEntry struct {
	ID       int64
	LetterID int64
	UserID   *int64
	UserName string `gorm:"->"` // read through the join with users
	// OrganisationID is the organisation the coordinator acted for: of a
	// letter with several initiators, the first they belong to.
	OrganisationID   *int64
	OrganisationName string `gorm:"->"` // read through the join with organisations
	SignatureID      *int64
	Action           AuditAction
	Detail           string
	CreatedAt        time.Time
}

// TableName is the audit log's table.
func (AuditEntry) TableName() string { return "audit_log" }

// audit logs an action on a letter's signatures; sig is the signature it
// names, if any. A coordinator's entry names the organisation they acted
// for.
func (s *Store) audit(tx *gorm.DB, letterID int64, userID *int64, sig *Signature, action AuditAction, detail string) error {
	e := &AuditEntry{LetterID: letterID, UserID: userID, Action: action, Detail: detail, CreatedAt: s.now()}
	if userID != nil {
		org, err := actingOrganisation(tx, letterID, *userID)
		if err != nil {
			return err
		}
		e.OrganisationID = org
	}
	if sig != nil {
		e.SignatureID = &sig.ID
	}
	return tx.Create(e).Error
}

// LogExport records that a coordinator downloaded a letter's signatures.
func (s *Store) LogExport(ctx context.Context, l *Letter, userID int64) error {
	return s.privateTransaction(ctx, func(tx *gorm.DB) error { return s.audit(tx, l.ID, &userID, nil, AuditExport, "") })
}

// AuditLog returns the newest entries of a letter's audit log, with the
// names of the coordinators who acted and of their organisations. The
// caller has authorised access to l.
func (s *Store) AuditLog(ctx context.Context, l *Letter, limit int) ([]AuditEntry, error) {
	var out []AuditEntry
	err := s.read.WithContext(ctx).Table("audit_log").
		Select("audit_log.*, COALESCE(users.name, '') AS user_name, COALESCE(organisations.name, '') AS organisation_name").
		Joins("LEFT JOIN users ON users.id = audit_log.user_id").
		Joins("LEFT JOIN organisations ON organisations.id = audit_log.organisation_id").
		Where("audit_log.letter_id = ?", l.ID).Order("audit_log.id DESC").Limit(limit).Scan(&out).Error
	return out, err
}
