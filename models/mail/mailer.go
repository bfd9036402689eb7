package mail

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"regexp"
	"sync/atomic"
	"time"

	"github.com/emersion/go-smtp"
	"golang.org/x/sync/errgroup"
)

// Mailer delivers an outbox through a Sender, every poll interval, and at
// once again after a full round, so that a busy letter's mail does not
// queue up.
type Mailer struct {
	Outbox Outbox
	Sender Sender
	// Senders is how many messages are sent at once: the SMTP sender's
	// connections.
	Senders int
	Log     *slog.Logger
	Poll    time.Duration
	// Retry is the wait after a message's first failure, doubled after
	// each further one, at most an hour.
	Retry time.Duration
}

// Config is what New needs to know to build a Mailer.
type Config struct {
	Outbox Outbox
	Log    *slog.Logger
	// SMTP is the relay's URL, as ParseURL reads it; nil prints the
	// emails on Console instead, and sends none.
	SMTP *url.URL
	// Connections is how many the SMTP sender keeps, and so how many
	// messages are sent at once.
	Connections int
	// From is the address the emails are sent from.
	From string
	// Site is the site's base URL: its host ends the Message-IDs, and the
	// console shows recipients only when it is this machine.
	Site    *url.URL
	Console io.Writer
	Poll    time.Duration
	Retry   time.Duration
}

// New returns the Mailer cfg describes: through the SMTP relay, or without
// one, printing the emails on the console, which it warns of in the log
// when the site is reached from other machines, whose users see no email.
func New(cfg Config) *Mailer {
	m := &Mailer{Outbox: cfg.Outbox, Log: cfg.Log, Poll: cfg.Poll, Retry: cfg.Retry}
	host := cfg.Site.Hostname()
	if cfg.SMTP != nil {
		m.Sender, m.Senders = NewSMTP(cfg.SMTP, cfg.From, host, cfg.Connections), cfg.Connections
		return m
	}
	local := host == "localhost" || net.ParseIP(host).IsLoopback()
	if !local {
		m.Log.Warn("no SMTP server configured: confirmation emails are printed on the console, without their recipients, and never sent; set UNDERSIGNED_SMTP_URL")
	}
	m.Sender = &Console{W: cfg.Console, Local: local}
	return m
}

// The messages the mailer reads from the outbox in a round: for the SMTP
// server, and for the console, where a round is one write marking them
// printed; every signature has an email, and a crowd's rounds must be few
// enough not to take turns with the signatures for SQLite's write lock.
const (
	smtpBatch    = 50
	consoleBatch = 1000
)

// roundSize is how many messages a round reads at most.
func (m *Mailer) roundSize() int {
	if _, ok := m.Sender.(*Console); ok {
		return consoleBatch
	}
	return smtpBatch
}

// Run delivers what is due every poll interval until ctx ends, and at once
// again after a full round. A sender that keeps connections open (an
// io.Closer, as SMTP is) is closed whenever the outbox is not busy.
func (m *Mailer) Run(ctx context.Context) {
	t := time.NewTicker(m.Poll)
	defer t.Stop()
	for {
		if m.Deliver(ctx) == m.roundSize() && ctx.Err() == nil {
			continue
		}
		if c, ok := m.Sender.(io.Closer); ok {
			c.Close()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Deliver sends, or prints, what the outbox holds now, and returns how many
// messages it read, or 0 when the round should not be followed at once (a
// failure, or a server that could not be used). A message is marked sent
// right after the server accepts it; one that fails waits longer before
// each new attempt.
func (m *Mailer) Deliver(ctx context.Context) int {
	if c, ok := m.Sender.(*Console); ok {
		return m.print(ctx, c)
	}
	n, stopped, err := m.round(ctx, smtpBatch)
	if err != nil && ctx.Err() == nil {
		m.Log.Error("delivering the outbox", "err", err)
		return 0 // wait for the next round rather than go on at once
	}
	if stopped {
		return 0 // the server cannot be used: wait for the next round
	}
	return n
}

// round hands up to limit due messages, oldest first, to m.Senders
// goroutines, each sending one message at a time so that each can keep a
// connection to the mail server busy, and returns how many it handed over
// and whether a sender stopped (Delivery.Stop): that one takes no more
// messages, the others carry on. It stops handing out messages when ctx
// ends or a record fails.
func (m *Mailer) round(ctx context.Context, limit int) (int, bool, error) {
	next, err := m.deliverer(ctx, limit)
	if err != nil {
		return 0, false, err
	}
	var handed, left atomic.Int64
	var stopped atomic.Bool
	left.Store(int64(limit))
	g, gctx := errgroup.WithContext(ctx)
	for range max(m.Senders, 1) {
		g.Go(func() error {
			for gctx.Err() == nil && left.Add(-1) >= 0 {
				d, ok, err := next()
				if ok {
					handed.Add(1)
				}
				if d.Stop {
					stopped.Store(true)
				}
				if err != nil || !ok || d.Stop {
					return err
				}
			}
			return nil
		})
	}
	err = g.Wait()
	if err == nil {
		err = ctx.Err() // the senders stopped for it
	}
	return int(handed.Load()), stopped.Load(), err
}

// deliverer returns a function that sends the round's next message, if any
// is left, and records its outcome, which it returns: on an outbox that
// other instances share, it claims each message as it sends it; otherwise
// it reads the round's messages, up to limit, first.
func (m *Mailer) deliverer(ctx context.Context, limit int) (func() (Delivery, bool, error), error) {
	send := func(msg Message) Delivery { return m.outcome(msg, m.Sender.Send(ctx, msg)) }
	if m.Outbox.SharedOutbox() {
		return func() (Delivery, bool, error) { return m.Outbox.DeliverClaimed(ctx, send) }, nil
	}
	due, err := m.Outbox.DueMail(ctx, limit)
	if err != nil {
		return nil, fmt.Errorf("read the outbox: %w", err)
	}
	msgs := make(chan Message, len(due))
	for _, msg := range due {
		msgs <- msg
	}
	close(msgs)
	return func() (Delivery, bool, error) {
		msg, ok := <-msgs
		if !ok {
			return Delivery{}, false, nil
		}
		d := send(msg)
		return d, true, m.Outbox.RecordDelivery(ctx, msg.ID, d)
	}, nil
}

// print shows the messages never printed on the console, which sends
// nothing: they stay unsent in the outbox, marked printed in one write for
// the round, as a write per email would take turns with the signatures for
// SQLite's write lock. Those the console leaves out, past its share, are
// marked printed too: a crowd's emails are not printed later either.
func (m *Mailer) print(ctx context.Context, c *Console) int {
	msgs, err := m.Outbox.UnprintedMessages(ctx, consoleBatch)
	if err != nil && ctx.Err() == nil {
		m.Log.Error("reading the outbox", "err", err)
	}
	ids := make([]int64, 0, len(msgs))
	for _, msg := range msgs {
		c.Send(ctx, msg)
		ids = append(ids, msg.ID)
	}
	if err := m.Outbox.MarkPrinted(ctx, ids...); err != nil && ctx.Err() == nil {
		m.Log.Error("marking emails printed", "emails", len(ids), "first", ids[0], "err", err)
	}
	c.ReportOmitted()
	return len(msgs)
}

// Permanent reports whether err is a relay's refusal of an email for good,
// which no retry can change. The enhanced status code (RFC 3463) decides
// when the relay gives one: class 5 is permanent, class 4 temporary, even
// where the basic code says otherwise, as in "552 4.2.2 mailbox full" (RFC
// 5321 asks clients to take 552 to a recipient as temporary), for it is the
// more specific of the two. Without one, a 5xx code is permanent. Anything
// else (a 4xx reply, a dropped connection, a timeout) is temporary.
func Permanent(err error) bool {
	var reply *smtp.SMTPError
	if !errors.As(err, &reply) {
		return false
	}
	switch reply.EnhancedCode[0] {
	case 4:
		return false
	case 5:
		return true
	}
	return reply.Code/100 == 5
}

// emailAddress matches an email address in a relay's reply.
var emailAddress = regexp.MustCompile(`[^\s<>"'(),;:]+@[^\s<>"'(),;:]+`)

// withoutAddresses is err's text for the log, its email addresses hidden:
// a relay's refusal often names the recipient, and the recipient is a
// signer.
func withoutAddresses(err error) string {
	return emailAddress.ReplaceAllString(err.Error(), "(address)")
}

// outcome is what becomes of a message the server took, or refused with err.
func (m *Mailer) outcome(msg Message, err error) Delivery {
	if err == nil {
		return Delivery{}
	}
	if Permanent(err) {
		m.Log.Warn("email refused for good; not retrying", "id", msg.ID, "err", withoutAddresses(err))
		return Delivery{Err: err}
	}
	retry := m.backoff(msg.Attempts)
	m.Log.Warn("email not sent; will retry", "id", msg.ID, "attempt", msg.Attempts+1, "retry_in", retry.String(), "err", withoutAddresses(err))
	// A server this session cannot reach, or that refuses its login or
	// sender, will do the same with the next email: it waits for the next
	// round.
	return Delivery{Err: err, RetryIn: retry, Stop: errors.As(err, new(sessionError))}
}

// backoff is how long to wait after a message's failed attempt, given the
// attempts that failed before it: the retry interval, doubling, at most an hour.
func (m *Mailer) backoff(attempts int) time.Duration {
	d := m.Retry << min(attempts, 7)
	return min(d, time.Hour)
}
