package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/smtp"
	"net/textproto"
	"net/url"
	"strconv"
	"time"

	"undersigned/models"
)

// mailer delivers the outbox: through SMTP when a server is configured, or
// else by printing each message once to the console, where it stays unsent,
// so that the embedded default works end to end on one machine.
type mailer struct {
	store    *models.Store
	log      *slog.Logger
	server   *url.URL // smtp://user:pass@host:port or smtps://…; nil prints to console
	from     string
	hostname string // for Message-IDs
	console  io.Writer
	local    bool // the site is reached on loopback only: the console may show recipients
	poll     time.Duration
	retry    time.Duration // the wait after a first failure, doubled after each further one
}

// parseSMTPURL reads UNDERSIGNED_SMTP_URL; "" means no SMTP.
func parseSMTPURL(s string) (*url.URL, error) {
	if s == "" {
		return nil, nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
		return nil, fmt.Errorf("%q: want smtp://user:password@host:port or smtps://…", s)
	}
	return u, nil
}

// batch is how many messages the mailer reads from the outbox at a time.
const batch = 50

// run delivers what is due every poll interval until ctx ends, and at once
// again after a full batch, so that a busy letter's mail does not queue up.
func (m *mailer) run(ctx context.Context) {
	t := time.NewTicker(m.poll)
	defer t.Stop()
	for {
		if m.deliver(ctx) == batch && ctx.Err() == nil {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// deliver sends, or prints, what the outbox holds now, and returns how many
// messages it read. A message is marked sent right after the server accepts
// it; one that fails waits longer before each new attempt.
func (m *mailer) deliver(ctx context.Context) int {
	if m.server == nil {
		msgs, err := m.store.UnprintedMessages(ctx, batch)
		if err != nil && ctx.Err() == nil {
			m.log.Error("reading the outbox", "err", err)
		}
		for _, msg := range msgs {
			// The recipient is printed so that whoever reads the console knows whom to pass the links to.
			to := msg.Recipient
			if !m.local {
				to = "(hidden: this site is not on this machine alone)"
			}
			fmt.Fprintf(m.console, "\nEmail %d, not sent: no SMTP server is configured (UNDERSIGNED_SMTP_URL).\nTo: %s\nSubject: %s\n\n%s\n", msg.ID, to, msg.Subject, msg.Body)
			if err := m.store.MarkPrinted(ctx, msg.ID); err != nil {
				m.log.Error("marking an email printed", "id", msg.ID, "err", err)
			}
		}
		return len(msgs)
	}
	n, err := m.store.DeliverDue(ctx, batch, func(msg models.OutboxMessage) models.Delivery {
		err := m.send(ctx, msg)
		if err == nil {
			return models.Delivery{}
		}
		var reply *textproto.Error
		if errors.As(err, &reply) && reply.Code >= 500 {
			// A permanent refusal, such as an unknown mailbox: retrying cannot help.
			m.log.Warn("email refused for good; not retrying", "id", msg.ID, "err", err)
			return models.Delivery{Err: err}
		}
		retry := m.backoff(msg.Attempts)
		m.log.Warn("email not sent; will retry", "id", msg.ID, "attempt", msg.Attempts+1, "retry_in", retry.String(), "err", err)
		return models.Delivery{Err: err, RetryIn: retry}
	})
	if err != nil && ctx.Err() == nil {
		m.log.Error("delivering the outbox", "err", err)
		return 0 // wait for the next round rather than go on at once
	}
	return n
}

// backoff is how long to wait after a message's failed attempt, given the
// attempts that failed before it: the retry interval, doubling, at most an hour.
func (m *mailer) backoff(attempts int) time.Duration {
	d := m.retry << min(attempts, 7)
	return min(d, time.Hour)
}

// send delivers one message over SMTP, with STARTTLS when the server offers
// it and authentication when the URL has a user.
func (m *mailer) send(ctx context.Context, msg models.OutboxMessage) error {
	host, port := m.server.Hostname(), m.server.Port()
	if port == "" {
		port = "25"
		if m.server.Scheme == "smtps" {
			port = "465"
		}
	}
	addr := net.JoinHostPort(host, port)
	conn, err := (&net.Dialer{Timeout: 15 * time.Second}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	conn.SetDeadline(time.Now().Add(time.Minute))
	if m.server.Scheme == "smtps" {
		conn = tls.Client(conn, &tls.Config{ServerName: host})
	}
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return err
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok && m.server.Scheme == "smtp" {
		if err := c.StartTLS(&tls.Config{ServerName: host}); err != nil {
			return fmt.Errorf("starttls: %w", err)
		}
	}
	if u := m.server.User; u != nil {
		password, _ := u.Password()
		if err := c.Auth(smtp.PlainAuth("", u.Username(), password, host)); err != nil {
			return fmt.Errorf("auth: %w", err)
		}
	}
	if err := c.Mail(m.from); err != nil {
		return err
	}
	if err := c.Rcpt(msg.Recipient); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(m.compose(msg)); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	// The server took the message when it answered the end of the data: a
	// failed goodbye must not have it sent again.
	if err := c.Quit(); err != nil {
		m.log.Warn("email sent, but the SMTP server did not answer QUIT", "id", msg.ID, "err", err)
	}
	return nil
}

// compose writes a message as plain UTF-8 text, quoted-printable, with a
// Message-ID made from its outbox id so that a copy could be recognised.
func (m *mailer) compose(msg models.OutboxMessage) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <outbox-%s.%d@%s>\r\n",
		m.from, msg.Recipient, mime.QEncoding.Encode("utf-8", msg.Subject), msg.CreatedAt.Format(time.RFC1123Z),
		strconv.FormatInt(msg.ID, 10), msg.CreatedAt.Unix(), m.hostname)
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
	qp := quotedprintable.NewWriter(&b)
	qp.Write(bytes.ReplaceAll([]byte(msg.Body), []byte("\n"), []byte("\r\n")))
	qp.Close()
	return b.Bytes()
}
