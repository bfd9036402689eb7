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
	"regexp"
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
	// sessions are the connections to the SMTP server that deliver at the
	// same time, kept open from one message to the next while the outbox
	// is busy.
	sessions []*session
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

// The messages the mailer reads from the outbox in a round: for the SMTP
// server, and for the console, where a round is one write marking them
// printed; every signature has an email, and a crowd's rounds must be few
// enough not to take turns with the signatures for SQLite's write lock.
const (
	smtpBatch    = 50
	consoleBatch = 1000
)

// roundSize is how many messages a round reads at most.
func (m *mailer) roundSize() int {
	if m.server == nil {
		return consoleBatch
	}
	return smtpBatch
}

// run delivers what is due every poll interval until ctx ends, and at once
// again after a full batch, so that a busy letter's mail does not queue up.
// Its connections to the SMTP server stay open while the outbox is busy, and
// are closed once it is not.
func (m *mailer) run(ctx context.Context) {
	t := time.NewTicker(m.poll)
	defer t.Stop()
	for {
		if m.deliver(ctx) == m.roundSize() && ctx.Err() == nil {
			continue
		}
		for _, s := range m.sessions {
			s.close()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// deliver sends, or prints, what the outbox holds now, and returns how many
// messages it read, or 0 when the round should not be followed at once (a
// failure, or a server that could not be used). A message is marked sent right after the server accepts
// it; one that fails waits longer before each new attempt.
func (m *mailer) deliver(ctx context.Context) int {
	if m.server == nil {
		msgs, err := m.store.UnprintedMessages(ctx, consoleBatch)
		if err != nil && ctx.Err() == nil {
			m.log.Error("reading the outbox", "err", err)
		}
		ids := make([]int64, 0, len(msgs))
		for _, msg := range msgs {
			// The recipient is printed so that whoever reads the console knows whom to pass the links to.
			to := msg.Recipient
			if !m.local {
				to = "(hidden: this site is not on this machine alone)"
			}
			fmt.Fprintf(m.console, "\nEmail %d, not sent: no SMTP server is configured (UNDERSIGNED_SMTP_URL).\nTo: %s\nSubject: %s\n\n%s\n", msg.ID, to, msg.Subject, msg.Body)
			ids = append(ids, msg.ID)
		}
		// One write for the round: every signature now has an email, and a
		// write per email would take turns with the signatures for SQLite's
		// write lock.
		if err := m.store.MarkPrinted(ctx, ids...); err != nil && ctx.Err() == nil {
			m.log.Error("marking emails printed", "emails", len(ids), "first", ids[0], "err", err)
		}
		return len(msgs)
	}
	senders := make([]func(models.OutboxMessage) models.Delivery, len(m.sessions))
	for i, s := range m.sessions {
		senders[i] = func(msg models.OutboxMessage) models.Delivery { return m.outcome(msg, s.send(ctx, msg)) }
	}
	n, stopped, err := m.store.DeliverDue(ctx, smtpBatch, senders)
	if err != nil && ctx.Err() == nil {
		m.log.Error("delivering the outbox", "err", err)
		return 0 // wait for the next round rather than go on at once
	}
	if stopped {
		return 0 // the server cannot be used: wait for the next round
	}
	return n
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
func (m *mailer) outcome(msg models.OutboxMessage, err error) models.Delivery {
	if err == nil {
		return models.Delivery{}
	}
	var reply *textproto.Error
	if errors.As(err, &reply) && reply.Code >= 500 {
		// A permanent refusal, such as an unknown mailbox: retrying cannot help.
		m.log.Warn("email refused for good; not retrying", "id", msg.ID, "err", withoutAddresses(err))
		return models.Delivery{Err: err}
	}
	retry := m.backoff(msg.Attempts)
	m.log.Warn("email not sent; will retry", "id", msg.ID, "attempt", msg.Attempts+1, "retry_in", retry.String(), "err", withoutAddresses(err))
	// A server this session cannot reach, or that refuses its login or
	// sender, will do the same with the next email: it waits for the next
	// round.
	return models.Delivery{Err: err, RetryIn: retry, Stop: errors.As(err, new(sessionError))}
}

// backoff is how long to wait after a message's failed attempt, given the
// attempts that failed before it: the retry interval, doubling, at most an hour.
func (m *mailer) backoff(attempts int) time.Duration {
	d := m.retry << min(attempts, 7)
	return min(d, time.Hour)
}

// session is one connection to the SMTP server, which carries message
// after message: a relay far away costs a round trip per command, and a
// new connection several more, with its TLS handshake and login.
type session struct {
	m      *mailer
	conn   net.Conn
	client *smtp.Client
}

// send delivers msg, on the session's connection if it has one, or else on
// a new one. A connection kept from an earlier message may have been closed
// by the server meanwhile: when its first command finds it closed, send
// connects again, once, as nothing of msg was sent yet.
func (s *session) send(ctx context.Context, msg models.OutboxMessage) error {
	kept := s.client != nil
	if !kept {
		if err := s.connect(ctx); err != nil {
			return err
		}
	}
	err := s.transact(ctx, msg)
	if kept && errors.Is(err, errClosed) {
		if err := s.connect(ctx); err != nil {
			return err
		}
		err = s.transact(ctx, msg)
	}
	return err
}

// interruptible makes the end of ctx, when the server stops, interrupt
// whatever conn waits for, rather than wait for a slow mail server; the
// email is tried again after the restart. Call the returned stop when done.
func interruptible(ctx context.Context, conn net.Conn) (stop func() bool) {
	return context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
}

// sessionError is a failure of the session rather than of an email: the
// server could not be reached, or refused the login or the sender. It keeps
// the server's words, not its code, which refused no email.
type sessionError struct{ why string }

func (e sessionError) Error() string { return e.why }

// errClosed marks a transaction whose first command found the connection
// failed, or being closed by the server: nothing of the email was sent.
var errClosed = errors.New("the connection to the SMTP server failed before the email was sent")

// connect opens a connection to the server, with STARTTLS when the server
// offers it and authentication when the URL has a user. A failure here is
// no refusal of an email, even when the server answered it with a permanent
// code (a refused login, say): the error it returns does not read as one,
// so that the emails wait and are tried again rather than given up.
func (s *session) connect(ctx context.Context) (err error) {
	defer func() {
		if err != nil {
			err = sessionError{"connect to the SMTP server: " + err.Error()}
		}
	}()
	server := s.m.server
	host, port := server.Hostname(), server.Port()
	if port == "" {
		port = "25"
		if server.Scheme == "smtps" {
			port = "465"
		}
	}
	conn, err := (&net.Dialer{Timeout: 15 * time.Second}).DialContext(ctx, "tcp", net.JoinHostPort(host, port))
	if err != nil {
		return err
	}
	conn.SetDeadline(time.Now().Add(time.Minute))
	if server.Scheme == "smtps" {
		conn = tls.Client(conn, &tls.Config{ServerName: host})
	}
	defer interruptible(ctx, conn)()
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return err
	}
	s.conn, s.client = conn, c
	// The greeting, said here so that a server refusing it fails the
	// connection rather than the email after it.
	if err := c.Hello("localhost"); err != nil {
		s.drop()
		return fmt.Errorf("ehlo: %w", err)
	}
	if ok, _ := c.Extension("STARTTLS"); ok && server.Scheme == "smtp" {
		if err := c.StartTLS(&tls.Config{ServerName: host}); err != nil {
			s.drop()
			return fmt.Errorf("starttls: %w", err)
		}
	}
	if u := server.User; u != nil {
		password, _ := u.Password()
		if err := c.Auth(smtp.PlainAuth("", u.Username(), password, host)); err != nil {
			s.drop()
			return fmt.Errorf("auth: %w", err)
		}
	}
	return nil
}

// transact sends msg as one mail transaction. After a refusal the server
// answered, the connection is made ready for the next message; after any
// other failure it is dropped, and the next message gets a new one.
func (s *session) transact(ctx context.Context, msg models.OutboxMessage) error {
	c := s.client
	s.conn.SetDeadline(time.Now().Add(time.Minute))
	defer interruptible(ctx, s.conn)()
	if err := c.Mail(s.m.from); err != nil {
		var reply *textproto.Error
		if !errors.As(err, &reply) || reply.Code == 421 { // 421: the server is closing the connection
			s.drop()
			return fmt.Errorf("%w: %w", errClosed, err)
		}
		// A refused sender is no refusal of the email, whatever the code:
		// it waits for the setting to be put right.
		return sessionError{"sender refused: " + s.refused(err).Error()}
	}
	if err := c.Rcpt(msg.Recipient); err != nil {
		return s.refused(err)
	}
	w, err := c.Data()
	if err != nil {
		return s.refused(err)
	}
	if _, err := w.Write(s.m.compose(msg)); err != nil {
		s.drop()
		return err
	}
	// The server took the message when it answered the end of the data.
	if err := w.Close(); err != nil {
		return s.refused(err)
	}
	return nil
}

// refused ends a transaction that failed with err: after a refusal the
// server answered, RSET clears it for the next message; otherwise, or if
// that fails, the connection is dropped.
func (s *session) refused(err error) error {
	var reply *textproto.Error
	if !errors.As(err, &reply) || s.client.Reset() != nil {
		s.drop()
	}
	return err
}

// close says goodbye to the server, if connected. Every message the
// session carried was taken when the server answered its data: a failed
// goodbye changes nothing.
func (s *session) close() {
	if s.client != nil {
		s.client.Quit()
		s.drop()
	}
}

// drop closes the connection without a word.
func (s *session) drop() {
	s.client.Close()
	s.conn, s.client = nil, nil
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
