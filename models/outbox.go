package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"undersigned/models/mail"
)

// OutboxMessage is an email waiting in the outbox, or sent from it.
type OutboxMessage struct {
	ID            int64
	Recipient     string
	Lang          string // the language it is written in
	Subject       string
	Body          string
	CreatedAt     time.Time
	NextAttemptAt time.Time
	Attempts      int
	LastError     string
	SentAt        *time.Time
	PrintedAt     *time.Time
	GivenUpAt     *time.Time
	ContactID     *int64 // the partner's contact it is addressed to: a permanent failure marks them bounced
	// ReplyTo and ListUnsubscribe are as mail.Message's; the message's
	// files are rows of outbox_attachments.
	ReplyTo         string
	ListUnsubscribe string
}

// TableName is the outbox's table.
func (OutboxMessage) TableName() string { return "outbox" }

// message is msg as the mailer delivers it.
func (msg OutboxMessage) message() mail.Message {
	return mail.Message{ID: msg.ID, To: msg.Recipient, Lang: msg.Lang, Subject: msg.Subject, Body: msg.Body, CreatedAt: msg.CreatedAt, Attempts: msg.Attempts}
}

// enqueue writes a message to the outbox inside the transaction that causes
// it, so that it exists exactly when the change does.
func (s *Store) enqueue(tx *gorm.DB, m Message) error {
	msg := s.outboxMessage(m)
	return tx.Create(&msg).Error
}

// outboxMessage is m as the outbox keeps it, due at once.
func (s *Store) outboxMessage(m Message) OutboxMessage {
	now := s.now()
	return OutboxMessage{Recipient: m.To, Lang: m.Lang, Subject: m.Subject, Body: m.Body, CreatedAt: now, NextAttemptAt: now}
}

// DueMessages returns up to limit unsent messages whose next attempt is due, oldest first.
func (s *Store) DueMessages(ctx context.Context, limit int) ([]OutboxMessage, error) {
	var out []OutboxMessage
	err := s.dueMessages(s.read.WithContext(ctx)).Limit(limit).Find(&out).Error
	return out, err
}

// dueMessages selects the unsent messages whose next attempt is due, oldest first.
func (s *Store) dueMessages(db *gorm.DB) *gorm.DB {
	return db.Where("sent_at IS NULL AND given_up_at IS NULL AND next_attempt_at <= ?", s.now()).Order("next_attempt_at, id")
}

// UnprintedMessages returns up to limit unsent messages not yet shown on the
// console, for a server without SMTP.
func (s *Store) UnprintedMessages(ctx context.Context, limit int) ([]mail.Message, error) {
	var rows []OutboxMessage
	err := s.read.WithContext(ctx).Where("sent_at IS NULL AND printed_at IS NULL").Order("id").Limit(limit).Find(&rows).Error
	return messages(rows), err
}

// messages are rows as the mailer delivers them.
func messages(rows []OutboxMessage) []mail.Message {
	out := make([]mail.Message, len(rows))
	for i, row := range rows {
		out[i] = row.message()
	}
	return out
}

// MarkPrinted records that messages were shown on the console; they stay unsent.
func (s *Store) MarkPrinted(ctx context.Context, ids ...int64) error {
	if len(ids) == 0 {
		return nil
	}
	return s.privateTransaction(ctx, func(tx *gorm.DB) error {
		return tx.Model(&OutboxMessage{}).Where("id IN ?", ids).Update("printed_at", s.now()).Error
	})
}

// SharedOutbox reports whether several instances may deliver the outbox at
// once, as on PostgreSQL, so that each message must be claimed with
// DeliverClaimed. On SQLite, one process, the mailer reads a round's
// messages with DueMail and records each outcome with RecordDelivery, in a
// transaction of its own, so that no write waits for the mail server.
func (s *Store) SharedOutbox() bool { return s.dialect == Postgres }

// DueMail returns up to limit unsent messages whose next attempt is due,
// oldest first, as the mailer delivers them.
func (s *Store) DueMail(ctx context.Context, limit int) ([]mail.Message, error) {
	due, err := s.DueMessages(ctx, limit)
	return messages(due), err
}

// RecordDelivery writes down what became of an attempt to deliver message
// id, in a transaction of its own. It writes even once ctx ended: a message
// the server took but not recorded as sent would be sent again.
func (s *Store) RecordDelivery(ctx context.Context, id int64, d mail.Delivery) error {
	return s.privateTransaction(context.WithoutCancel(ctx), func(tx *gorm.DB) error { return s.record(tx, id, d) })
}

// DeliverClaimed claims the oldest due message no one else holds, with
// SELECT … FOR UPDATE SKIP LOCKED, hands it to send and records its
// outcome, in one transaction; ok is false when no message was due. The
// transaction stays open while the message is sent: no other sender, here
// or in another instance, sees the message until it is recorded, and if
// this instance dies half-way, the lock goes with its connection and
// another one sends it. As with RecordDelivery, the transaction is not
// cut short when ctx ends.
func (s *Store) DeliverClaimed(ctx context.Context, send func(mail.Message) mail.Delivery) (d mail.Delivery, ok bool, err error) {
	err = s.write.WithContext(context.WithoutCancel(ctx)).Transaction(func(tx *gorm.DB) error {
		var msgs []OutboxMessage
		err := s.dueMessages(tx).Clauses(clause.Locking{Strength: "UPDATE", Options: "SKIP LOCKED"}).Limit(1).Find(&msgs).Error
		if err != nil || len(msgs) == 0 {
			return err
		}
		d, ok = send(msgs[0].message()), true
		return s.record(tx, msgs[0].ID, d)
	})
	if err != nil {
		return d, ok, fmt.Errorf("deliver the outbox: %w", err)
	}
	return d, ok, nil
}

// record writes down what became of an attempt to deliver message id.
func (s *Store) record(tx *gorm.DB, id int64, d mail.Delivery) error {
	updates := map[string]any{"sent_at": s.now(), "last_error": ""}
	if d.Err != nil {
		updates = map[string]any{"attempts": gorm.Expr("attempts + 1"), "last_error": d.Err.Error()}
		if d.RetryIn > 0 {
			updates["next_attempt_at"] = s.now().Add(d.RetryIn)
		} else {
			updates["given_up_at"] = s.now()
		}
	}
	if err := tx.Model(&OutboxMessage{}).Where("id = ?", id).Updates(updates).Error; err != nil {
		return fmt.Errorf("record delivery of message %d: %w", id, err)
	}
	if _, given := updates["given_up_at"]; given {
		// A partner's contact whose address failed for good is not mailed
		// again: invitations and reminders skip them, and the board says so.
		err := tx.Exec("UPDATE partner_contacts SET bounced_at = ? WHERE bounced_at IS NULL AND id = (SELECT contact_id FROM outbox WHERE id = ?)",
			s.now(), id).Error
		if err != nil {
			return fmt.Errorf("mark the contact of message %d bounced: %w", id, err)
		}
	}
	return nil
}
