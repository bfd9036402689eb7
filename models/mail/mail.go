// Package mail delivers the emails the outbox holds: through an SMTP relay,
// or printed on the console of a server that has none. It knows nothing of
// letters or signatures: the models package writes each email, composed in
// its reader's language, to the outbox in the transaction that causes it,
// and this package carries it from there. It imports nothing of the
// project, so that models can use its types.
package mail

import (
	"context"
	"time"
)

// Message is an email to deliver, as the outbox keeps it.
type Message struct {
	ID        int64 // the outbox's, which makes the Message-ID
	To        string
	Lang      string // the language it is written in, a BCP 47 tag
	Subject   string
	Body      string // plain text, lines ending in \n
	CreatedAt time.Time
	Attempts  int // failed attempts so far
	// ReplyTo, when set, is where answers go instead of the site's sender.
	ReplyTo string
	// ListUnsubscribe, when set, is the one-click unsubscribe address
	// (RFC 8058): the message carries List-Unsubscribe and
	// List-Unsubscribe-Post headers for it.
	ListUnsubscribe string
	// Attachments are files sent with the text, as a multipart message.
	Attachments []Attachment
}

// Attachment is a file sent with a message.
type Attachment struct {
	Filename    string
	ContentType string // as "application/pdf"
	Data        []byte
}

// Sender delivers one email. A Sender is used by several goroutines at once.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Delivery is what became of one attempt to deliver a message.
type Delivery struct {
	// Err is why the attempt failed; nil when the server took the message.
	Err error
	// RetryIn is when to try a failed message again; zero gives it up for
	// good, as after a server's permanent refusal.
	RetryIn time.Duration
	// Stop says the sender can take no more messages this round, as when
	// the mail server cannot be reached: the others wait for the next one
	// rather than each fail the same way.
	Stop bool
}

// Outbox is where messages wait to be delivered: the database, which keeps
// them across restarts and records what became of each attempt. It deals
// in one message at a time; the Mailer decides how many go at once.
type Outbox interface {
	// SharedOutbox reports whether other instances deliver the same
	// outbox, so that each message must be claimed with DeliverClaimed;
	// if not, a round reads its messages with DueMail and records each
	// with RecordDelivery, and no write waits for the mail server.
	SharedOutbox() bool
	// DueMail returns up to limit messages due to be sent, oldest first.
	DueMail(ctx context.Context, limit int) ([]Message, error)
	// RecordDelivery writes down what became of message id, even once
	// ctx ended: a message sent but not recorded would be sent again.
	RecordDelivery(ctx context.Context, id int64, d Delivery) error
	// DeliverClaimed claims the oldest due message no one else holds,
	// hands it to send and records the outcome, which it returns, before
	// anyone else may see the message, and even once ctx ended; ok is
	// false when none was due.
	DeliverClaimed(ctx context.Context, send func(Message) Delivery) (d Delivery, ok bool, err error)
	// UnprintedMessages returns up to limit messages never shown on the console.
	UnprintedMessages(ctx context.Context, limit int) ([]Message, error)
	// MarkPrinted records that messages were shown on the console.
	MarkPrinted(ctx context.Context, ids ...int64) error
}
