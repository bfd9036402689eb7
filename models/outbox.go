package models

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// OutboxMessage is an email waiting in the outbox, or sent from it.
type OutboxMessage struct {
	ID            int64
	Recipient     string
	Subject       string
	Body          string
	CreatedAt     time.Time
	NextAttemptAt time.Time
	Attempts      int
	LastError     string
	SentAt        *time.Time
	PrintedAt     *time.Time
	GivenUpAt     *time.Time
}

// TableName is the outbox's table.
func (OutboxMessage) TableName() string { return "outbox" }

// enqueue writes a message to the outbox inside the transaction that causes
// it, so that it exists exactly when the change does.
func (s *Store) enqueue(tx *gorm.DB, m Message) error {
	now := s.now()
	return tx.Create(&OutboxMessage{Recipient: m.To, Subject: m.Subject, Body: m.Body, CreatedAt: now, NextAttemptAt: now}).Error
}

// DueMessages returns up to limit unsent messages whose next attempt is due, oldest first.
func (s *Store) DueMessages(ctx context.Context, limit int) ([]OutboxMessage, error) {
	var out []OutboxMessage
	err := s.read.WithContext(ctx).Where("sent_at IS NULL AND given_up_at IS NULL AND next_attempt_at <= ?", s.now()).
		Order("next_attempt_at, id").Limit(limit).Find(&out).Error
	return out, err
}

// UnprintedMessages returns up to limit unsent messages not yet shown on the
// console, for a server without SMTP.
func (s *Store) UnprintedMessages(ctx context.Context, limit int) ([]OutboxMessage, error) {
	var out []OutboxMessage
	err := s.read.WithContext(ctx).Where("sent_at IS NULL AND printed_at IS NULL").Order("id").Limit(limit).Find(&out).Error
	return out, err
}

// MarkSent records that a message was delivered.
func (s *Store) MarkSent(ctx context.Context, id int64) error {
	return s.transaction(ctx, func(tx *gorm.DB) error {
		return tx.Model(&OutboxMessage{}).Where("id = ?", id).Updates(map[string]any{"sent_at": s.now(), "last_error": ""}).Error
	})
}

// MarkPrinted records that a message was shown on the console; it stays unsent.
func (s *Store) MarkPrinted(ctx context.Context, id int64) error {
	return s.transaction(ctx, func(tx *gorm.DB) error {
		return tx.Model(&OutboxMessage{}).Where("id = ?", id).Update("printed_at", s.now()).Error
	})
}

// MarkFailed records a failed attempt and when to try again.
func (s *Store) MarkFailed(ctx context.Context, id int64, cause error, retryIn time.Duration) error {
	return s.transaction(ctx, func(tx *gorm.DB) error {
		return tx.Model(&OutboxMessage{}).Where("id = ?", id).Updates(map[string]any{
			"attempts": gorm.Expr("attempts + 1"), "last_error": cause.Error(), "next_attempt_at": s.now().Add(retryIn),
		}).Error
	})
}

// GiveUp records that the server refused a message for good; it is not tried again.
func (s *Store) GiveUp(ctx context.Context, id int64, cause error) error {
	return s.transaction(ctx, func(tx *gorm.DB) error {
		return tx.Model(&OutboxMessage{}).Where("id = ?", id).Updates(map[string]any{
			"attempts": gorm.Expr("attempts + 1"), "last_error": cause.Error(), "given_up_at": s.now(),
		}).Error
	})
}
