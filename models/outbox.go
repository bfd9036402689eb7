package models

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
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
	if err := s.read.WithContext(ctx).Where("sent_at IS NULL AND printed_at IS NULL").Order("id").Limit(limit).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]mail.Message, len(rows))
	for i, row := range rows {
		out[i] = row.message()
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

// DeliverDue hands up to limit due messages, oldest first, to the senders,
// records what each sender says became of its message, and returns how many
// it handed over and whether a sender stopped (mail.Delivery.Stop). Each
// sender gets one message at a time, in a goroutine of its own, so that
// each can keep a connection to the mail server busy. It stops handing out
// messages when ctx ends or a record fails.
//
// On PostgreSQL, where several instances deliver the same outbox, each
// message is claimed with SELECT … FOR UPDATE SKIP LOCKED in a transaction
// that stays open while it is sent and its outcome recorded: no other
// sender, here or in another instance, sees the message until it is
// recorded, and if this instance dies half-way, the lock goes with its
// connection and another one sends it. On SQLite, one process, the messages
// are read and handed out, and each outcome is recorded in a transaction of
// its own, so that no write waits for the mail server.
//
// Once the server took a message, its record is written even if ctx ends
// meanwhile: a message not recorded as sent would be sent again.
func (s *Store) DeliverDue(ctx context.Context, limit int, senders []func(mail.Message) mail.Delivery) (int, bool, error) {
	var msgs chan OutboxMessage
	if s.dialect != Postgres {
		due, err := s.DueMessages(ctx, limit)
		if err != nil {
			return 0, false, fmt.Errorf("read the outbox: %w", err)
		}
		msgs = make(chan OutboxMessage, len(due))
		for _, msg := range due {
			msgs <- msg
		}
		close(msgs)
	}
	deliverOne := func(send func(mail.Message) mail.Delivery) (*mail.Delivery, error) {
		if msgs != nil {
			return s.deliverRead(msgs, send)
		}
		return s.deliverClaimed(send)
	}
	var handed, left atomic.Int64
	var stopped atomic.Bool
	left.Store(int64(limit))
	g, gctx := errgroup.WithContext(ctx)
	for _, send := range senders {
		g.Go(func() error {
			for gctx.Err() == nil && left.Add(-1) >= 0 {
				d, err := deliverOne(send)
				if d != nil {
					handed.Add(1)
				}
				if d != nil && d.Stop {
					stopped.Store(true)
				}
				if err != nil || d == nil || d.Stop {
					return err
				}
			}
			return nil
		})
	}
	err := g.Wait()
	if err == nil {
		err = ctx.Err() // the senders stopped for it
	}
	return int(handed.Load()), stopped.Load(), err
}

// deliverRead sends the next message read from the outbox, if any is left,
// and records its outcome, which it returns; nil when none was left.
func (s *Store) deliverRead(msgs <-chan OutboxMessage, send func(mail.Message) mail.Delivery) (*mail.Delivery, error) {
	msg, ok := <-msgs
	if !ok {
		return nil, nil
	}
	d := send(msg.message())
	return &d, s.privateTransaction(context.Background(), func(tx *gorm.DB) error { return s.record(tx, msg.ID, d) })
}

// deliverClaimed claims the oldest due message no one else holds, if any,
// sends it and records its outcome, in one transaction. It returns the
// outcome; nil when no message was due.
func (s *Store) deliverClaimed(send func(mail.Message) mail.Delivery) (*mail.Delivery, error) {
	var d *mail.Delivery
	err := s.write.Transaction(func(tx *gorm.DB) error {
		var msgs []OutboxMessage
		err := s.dueMessages(tx).Clauses(clause.Locking{Strength: "UPDATE", Options: "SKIP LOCKED"}).Limit(1).Find(&msgs).Error
		if err != nil || len(msgs) == 0 {
			return err
		}
		sent := send(msgs[0].message())
		d = &sent
		return s.record(tx, msgs[0].ID, sent)
	})
	if err != nil {
		return d, fmt.Errorf("deliver the outbox: %w", err)
	}
	return d, nil
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
	return nil
}
