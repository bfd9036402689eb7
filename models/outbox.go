package models

import (
	"context"
	"fmt"
	"maps"
	"slices"
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

// outboxAttachment is a file of a message in the outbox, kept until the
// message goes with it.
type outboxAttachment struct {
	ID          int64
	OutboxID    int64
	Filename    string
	ContentType string
	Data        []byte
}

// TableName is the attachments' table.
func (outboxAttachment) TableName() string { return "outbox_attachments" }

// message is msg as the mailer delivers it, without its files.
func (msg OutboxMessage) message() mail.Message {
	return mail.Message{ID: msg.ID, To: msg.Recipient, Lang: msg.Lang, Subject: msg.Subject, Body: msg.Body, CreatedAt: msg.CreatedAt, Attempts: msg.Attempts,
		ReplyTo: msg.ReplyTo, ListUnsubscribe: msg.ListUnsubscribe}
}

// enqueue writes a message to the outbox inside the transaction that causes
// it, so that it exists exactly when the change does, with its files.
func (s *Store) enqueue(tx *gorm.DB, m Message) error {
	_, err := s.enqueued(tx, m)
	return err
}

// enqueued is enqueue, returning the message's outbox id.
func (s *Store) enqueued(tx *gorm.DB, m Message) (int64, error) {
	msg := s.outboxMessage(m)
	if err := tx.Create(&msg).Error; err != nil {
		return 0, err
	}
	for _, a := range m.Attachments {
		row := outboxAttachment{OutboxID: msg.ID, Filename: a.Filename, ContentType: a.ContentType, Data: a.Data}
		if err := tx.Create(&row).Error; err != nil {
			return 0, fmt.Errorf("attach %s: %w", a.Filename, err)
		}
	}
	return msg.ID, nil
}

// outboxMessage is m as the outbox keeps it, due at once; its files are
// kept apart (see enqueue).
func (s *Store) outboxMessage(m Message) OutboxMessage {
	now := s.now()
	return OutboxMessage{Recipient: m.To, Lang: m.Lang, Subject: m.Subject, Body: m.Body, CreatedAt: now, NextAttemptAt: now,
		ReplyTo: m.ReplyTo, ListUnsubscribe: m.ListUnsubscribe}
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
	db := s.read.WithContext(ctx)
	var rows []OutboxMessage
	if err := db.Where("sent_at IS NULL AND printed_at IS NULL").Order("id").Limit(limit).Find(&rows).Error; err != nil {
		return nil, err
	}
	return messages(db, rows)
}

// messages are rows as the mailer delivers them, with their files, read
// in one query for all of them.
func messages(db *gorm.DB, rows []OutboxMessage) ([]mail.Message, error) {
	out := make([]mail.Message, len(rows))
	at := make(map[int64]int, len(rows))
	for i, row := range rows {
		out[i] = row.message()
		at[row.ID] = i
	}
	if len(rows) == 0 {
		return out, nil
	}
	var files []outboxAttachment
	if err := db.Where("outbox_id IN ?", slices.Collect(maps.Keys(at))).Order("id").Find(&files).Error; err != nil {
		return nil, fmt.Errorf("read the files of the outbox: %w", err)
	}
	for _, f := range files {
		m := &out[at[f.OutboxID]]
		m.Attachments = append(m.Attachments, mail.Attachment{Filename: f.Filename, ContentType: f.ContentType, Data: f.Data})
	}
	return out, nil
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
	if err != nil {
		return nil, err
	}
	return messages(s.read.WithContext(ctx), due)
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
		m, err := messages(tx, msgs)
		if err != nil {
			return err
		}
		d, ok = send(m[0]), true
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
	_, given := updates["given_up_at"]
	if err := recordOutcome(tx, id, d, given); err != nil {
		return err
	}
	if given {
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
