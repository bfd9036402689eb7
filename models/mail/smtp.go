package mail

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// ParseURL reads an SMTP server's URL, smtp://user:password@host:port
// (STARTTLS when the server offers it) or smtps://… (TLS from the start);
// "" means no SMTP server, and gives nil. Its error does not quote the
// URL, which holds the relay's password.
func ParseURL(s string) (*url.URL, error) {
	if s == "" {
		return nil, nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
		return nil, errors.New("want smtp://user:password@host:port or smtps://…")
	}
	return u, nil
}

// SMTP is the Sender through an SMTP relay. It keeps a few connections,
// each carrying message after message while the outbox is busy: a relay
// far away costs a round trip per command, and a new connection several
// more, with its TLS handshake and login.
type SMTP struct {
	server   *url.URL
	from     string
	hostname string // for Message-IDs
	// idle holds the sessions not in use; a Send waits for one.
	idle chan *session
	// starttls is set once the server offered STARTTLS: from then on a
	// connection without it is refused, not used in clear, so that whoever
	// strips the offer from the server's greeting reads no mail.
	starttls atomic.Bool
	// roots are the certificate authorities the server's certificate is
	// checked against; nil for the system's.
	roots *x509.CertPool
}

// NewSMTP returns a Sender through server, sending from the address from,
// with at most connections at once; hostname ends the Message-IDs.
func NewSMTP(server *url.URL, from, hostname string, connections int) *SMTP {
	s := &SMTP{server: server, from: from, hostname: hostname, idle: make(chan *session, connections)}
	for range connections {
		s.idle <- &session{smtp: s}
	}
	return s
}

// Send delivers m on one of the sender's connections, once one is free.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	var sess *session
	select {
	case sess = <-s.idle:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { s.idle <- sess }()
	return sess.send(ctx, m)
}

// Close says goodbye on every connection kept open. The sender can be used
// again: it connects anew.
func (s *SMTP) Close() error {
	for range cap(s.idle) {
		sess := <-s.idle
		sess.close()
		s.idle <- sess
	}
	return nil
}

// session is one connection to the SMTP server, kept open from one message
// to the next.
type session struct {
	smtp   *SMTP
	client *smtp.Client
}

// send delivers msg, on the session's connection if it has one, or else on
// a new one. A connection kept from an earlier message may have been closed
// by the server meanwhile: when its first command finds it closed, send
// connects again, once, as nothing of msg was sent yet.
func (s *session) send(ctx context.Context, msg Message) error {
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

// interruptible makes the end of ctx, when the server stops, close conn
// rather than wait for a slow mail server; the email is tried again after
// the restart. Call the returned stop when done.
func interruptible(ctx context.Context, conn interface{ Close() error }) (stop func() bool) {
	return context.AfterFunc(ctx, func() { conn.Close() })
}

// sessionError is a failure of the session rather than of an email: the
// server could not be reached, or refused the login or the sender. It keeps
// the server's words, not its code, which refused no email.
type sessionError struct{ why string }

func (e sessionError) Error() string { return e.why }

// errClosed marks a transaction whose first command found the connection
// failed, or being closed by the server: nothing of the email was sent.
var errClosed = errors.New("the connection to the SMTP server failed before the email was sent")

// timeout bounds each command, and the relay's answer to the data.
const timeout = time.Minute

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
	server := s.smtp.server
	c, err := s.dial(ctx, s.smtp.starttls.Load())
	if err != nil {
		return err
	}
	if ok, _ := c.Extension("STARTTLS"); ok && !s.smtp.starttls.Load() && server.Scheme == "smtp" {
		// go-smtp starts TLS only on a new client: the server offers it,
		// so the connection in clear makes way for one with it.
		c.Close()
		s.smtp.starttls.Store(true)
		if c, err = s.dial(ctx, true); err != nil {
			return err
		}
	}
	s.client = c
	if u := server.User; u != nil {
		if err := s.login(ctx, u); err != nil {
			s.drop()
			return fmt.Errorf("auth: %w", err)
		}
	}
	return nil
}

// dial connects to the server and greets it, in TLS from the start for
// smtps, and with STARTTLS when starttls is set, within the timeout: a
// server that takes the connection and says nothing holds no session long.
func (s *session) dial(ctx context.Context, starttls bool) (*smtp.Client, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	server := s.smtp.server
	host, port := server.Hostname(), server.Port()
	if port == "" {
		port = "25"
		if server.Scheme == "smtps" {
			port = "465"
		}
	}
	conn, err := (&net.Dialer{Timeout: 15 * time.Second}).DialContext(ctx, "tcp", net.JoinHostPort(host, port))
	if err != nil {
		return nil, err
	}
	defer interruptible(ctx, conn)()
	tlsConfig := &tls.Config{ServerName: host, RootCAs: s.smtp.roots}
	if server.Scheme == "smtps" {
		conn = tls.Client(conn, tlsConfig)
	}
	if starttls {
		c, err := smtp.NewClientStartTLS(conn, tlsConfig)
		if err != nil {
			return nil, fmt.Errorf("starttls: %w", err)
		}
		limit(c)
		return c, nil
	}
	c := smtp.NewClient(conn)
	limit(c)
	// The greeting, said here so that a server refusing it fails the
	// connection rather than the email after it.
	if err := c.Hello("localhost"); err != nil {
		c.Close()
		return nil, fmt.Errorf("ehlo: %w", err)
	}
	return c, nil
}

// limit bounds how long c waits for the server.
func limit(c *smtp.Client) { c.CommandTimeout, c.SubmissionTimeout = timeout, timeout }

// login authenticates with the URL's user and password, which it never
// sends in clear but to a server on this machine.
func (s *session) login(ctx context.Context, u *url.Userinfo) error {
	host := s.smtp.server.Hostname()
	_, encrypted := s.client.TLSConnectionState()
	if !encrypted && host != "localhost" && !net.ParseIP(host).IsLoopback() {
		return errors.New("the connection is not encrypted: the password is not sent in clear; use smtps:// or a server offering STARTTLS")
	}
	defer interruptible(ctx, s.client)()
	password, _ := u.Password()
	return s.client.Auth(sasl.NewPlainClient("", u.Username(), password))
}

// transact sends msg as one mail transaction. After a refusal the server
// answered, the connection is made ready for the next message; after any
// other failure it is dropped, and the next message gets a new one.
func (s *session) transact(ctx context.Context, msg Message) error {
	c := s.client
	defer interruptible(ctx, c)()
	if err := c.Mail(s.smtp.from, nil); err != nil {
		var reply *smtp.SMTPError
		if !errors.As(err, &reply) || reply.Code == 421 { // 421: the server is closing the connection
			s.drop()
			return fmt.Errorf("%w: %w", errClosed, err)
		}
		// A refused sender is no refusal of the email, whatever the code:
		// it waits for the setting to be put right.
		return sessionError{"sender refused: " + s.refused(err).Error()}
	}
	if err := c.Rcpt(msg.To, nil); err != nil {
		return s.refused(err)
	}
	w, err := c.Data()
	if err != nil {
		return s.refused(err)
	}
	if _, err := w.Write(s.smtp.compose(msg)); err != nil {
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
	var reply *smtp.SMTPError
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
	s.client = nil
}
