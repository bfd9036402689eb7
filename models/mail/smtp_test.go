package mail

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"io"
	"log"
	"log/slog"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/http/httptest"
	netmail "net/mail"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// relay is an SMTP server in the test process that answers each recipient
// as its answers say, and keeps the messages it takes.
type relay struct {
	addr   string
	scheme string         // smtp for STARTTLS, smtps for TLS from the start
	roots  *x509.CertPool // holds the relay's certificate
	// answers maps a recipient to the relay's refusal of it; a nil error
	// drops the connection instead of answering.
	answers map[string]error

	mu       sync.Mutex
	received [][]byte
}

// startRelay starts a relay on a loopback port, offering STARTTLS (or
// speaking TLS from the start, for the scheme smtps), closed when the test
// ends.
func startRelay(t *testing.T, scheme string, answers map[string]error) *relay {
	t.Helper()
	// httptest's certificate is for 127.0.0.1.
	https := httptest.NewTLSServer(nil)
	https.Close()
	r := &relay{scheme: scheme, roots: x509.NewCertPool(), answers: answers}
	r.roots.AddCert(https.Certificate())
	s := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &relaySession{relay: r, conn: c}, nil }))
	s.Domain = "mx.test"
	s.ErrorLog = log.New(io.Discard, "", 0)
	s.TLSConfig = https.TLS
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if scheme == "smtps" {
		ln = tls.NewListener(ln, https.TLS)
	}
	r.addr = ln.Addr().String()
	go s.Serve(ln)
	t.Cleanup(func() { s.Close() })
	return r
}

// sender is an SMTP sender through r with one connection, logged in, in TLS.
func (r *relay) sender() *SMTP {
	s := NewSMTP(&url.URL{Scheme: r.scheme, Host: r.addr, User: url.UserPassword("letters", "relay pass: wörd")}, "letters@undersigned.example", "undersigned.example", 1)
	s.roots = r.roots
	return s
}

type relaySession struct {
	relay *relay
	conn  *smtp.Conn
	user  string // who logged in
}

func (s *relaySession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *relaySession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, password string) error {
		if password != "relay pass: wörd" {
			return smtp.ErrAuthFailed
		}
		s.user = user
		return nil
	}), nil
}

// Mail takes mail from whoever logged in, over TLS.
func (s *relaySession) Mail(string, *smtp.MailOptions) error {
	if _, encrypted := s.conn.TLSConnectionState(); !encrypted || s.user == "" {
		return smtp.ErrAuthRequired
	}
	return nil
}

func (s *relaySession) Rcpt(to string, _ *smtp.RcptOptions) error {
	answer, ok := s.relay.answers[to]
	if ok && answer == nil {
		s.conn.Conn().Close()
		return errors.New("gone")
	}
	return answer
}

func (s *relaySession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	s.relay.mu.Lock()
	defer s.relay.mu.Unlock()
	s.relay.received = append(s.relay.received, raw)
	return err
}

func (s *relaySession) Reset()        {}
func (s *relaySession) Logout() error { return nil }

// TestRefusalsToldApart sends to recipients a relay refuses in each way it
// may, and checks which the mailer gives up and which it retries: the
// enhanced status code decides where the relay gives one, even against the
// basic code ("552 4.2.2" is a full mailbox, which may empty), and a
// dropped connection is tried again.
func TestRefusalsToldApart(t *testing.T) {
	cases := []struct {
		to        string
		answer    error
		permanent bool
	}{
		{"busy@example.org", &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Try again later"}, false},
		{"unknown@example.org", &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user"}, true},
		{"full@example.org", &smtp.SMTPError{Code: 552, EnhancedCode: smtp.EnhancedCode{4, 2, 2}, Message: "Mailbox full"}, false},
		{"over@example.org", &smtp.SMTPError{Code: 552, EnhancedCode: smtp.EnhancedCode{5, 2, 2}, Message: "Mailbox full for good"}, true},
		{"plain5@example.org", &smtp.SMTPError{Code: 554, EnhancedCode: smtp.NoEnhancedCode, Message: "Transaction failed"}, true},
		{"plain4@example.org", &smtp.SMTPError{Code: 450, EnhancedCode: smtp.NoEnhancedCode, Message: "Mailbox busy"}, false},
		{"dropped@example.org", nil, false},
	}
	answers := map[string]error{}
	for _, c := range cases {
		answers[c.to] = c.answer
	}
	r := startRelay(t, "smtp", answers)
	sender := r.sender()
	defer sender.Close()
	m := &Mailer{Sender: sender, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Retry: time.Second}
	for _, c := range cases {
		msg := Message{ID: 1, To: c.to, Subject: "Test", Body: "Test\n", CreatedAt: time.Now()}
		err := sender.Send(context.Background(), msg)
		if err == nil {
			t.Errorf("%s: the relay's refusal came back as no error", c.to)
			continue
		}
		d := m.outcome(msg, err)
		if got := Permanent(err); got != c.permanent || (d.RetryIn == 0) != c.permanent {
			t.Errorf("%s (%v): permanent %v, retry in %v; want permanent %v", c.to, err, got, d.RetryIn, c.permanent)
		}
	}
	// After each refusal, answered or not, the sender still delivers.
	if err := sender.Send(context.Background(), Message{ID: 2, To: "ok@example.org", Subject: "Test", Body: "Test\n", CreatedAt: time.Now()}); err != nil {
		t.Errorf("after the refusals, a good email fails: %v", err)
	}
}

// TestSubjectInAnyScriptArrivesIntact sends an email whose subject holds a
// long Arabic title, logged in over STARTTLS and over TLS from the start:
// the relay gets a message of 7-bit lines of at most 998 bytes, whose
// subject and body a mail program decodes back to the text, and which says
// its language.
func TestSubjectInAnyScriptArrivesIntact(t *testing.T) {
	title := strings.Repeat("الإفراج عن المدافعين عن حقوق الإنسان في أذربيجان، ", 4)
	subject, body := "يرجى تأكيد توقيعك: "+title, "مرحباً،\n\nلقد وقّع أحدهم على الرسالة «"+title+"».\n"
	for _, scheme := range []string{"smtp", "smtps"} {
		r := startRelay(t, scheme, nil)
		sender := r.sender()
		msg := Message{ID: 7, To: "layla@example.org", Lang: "ar", Subject: subject, Body: body, CreatedAt: time.Now()}
		if err := sender.Send(context.Background(), msg); err != nil {
			t.Fatalf("%s: %v", scheme, err)
		}
		sender.Close()
		r.mu.Lock()
		if len(r.received) != 1 {
			t.Fatalf("%s: the relay got %d messages, want 1", scheme, len(r.received))
		}
		checkArrived(t, r.received[0], subject, body)
		r.mu.Unlock()
	}
}

// checkArrived checks a message as it arrived: in 7-bit lines of at most
// 998 bytes, in Arabic and saying so, with subject and body intact.
func checkArrived(t *testing.T, raw []byte, subject, body string) {
	t.Helper()
	for i, line := range strings.Split(string(raw), "\r\n") {
		if len(line) > 998 || strings.ContainsFunc(line, func(r rune) bool { return r > 126 }) {
			t.Errorf("line %d is not 7-bit text of at most 998 bytes: %.100q…", i+1, line)
		}
	}
	got, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if s, err := new(mime.WordDecoder).DecodeHeader(got.Header.Get("Subject")); err != nil || s != subject {
		t.Errorf("subject reads %q (%v), want %q", s, err, subject)
	}
	if lang := got.Header.Get("Content-Language"); lang != "ar" {
		t.Errorf("Content-Language %q, want ar", lang)
	}
	text, err := io.ReadAll(quotedprintable.NewReader(got.Body))
	if err != nil || strings.ReplaceAll(string(text), "\r\n", "\n") != body {
		t.Errorf("body reads %q (%v), want %q", text, err, body)
	}
}

// TestRelayRefusalsLogNoAddress: relays name the recipient in their
// refusals ("550 5.1.1 <ana@example.org>: Recipient address rejected"), and
// the recipient is a signer, whose address must not reach the server's
// log. The reason stays, for the operator.
func TestRelayRefusalsLogNoAddress(t *testing.T) {
	var logged bytes.Buffer
	m := &Mailer{Log: slog.New(slog.NewTextHandler(&logged, nil)), Retry: time.Second}
	msg := Message{ID: 7, To: "ana.ruiz+letters@example.org"}
	const reason = "<ana.ruiz+letters@example.org>: Recipient address rejected"
	for _, refusal := range []*smtp.SMTPError{
		{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: reason},
		{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 4, 5}, Message: reason},
	} {
		m.outcome(msg, refusal)
	}
	out := logged.String()
	for _, secret := range []string{"ana.ruiz", "example.org"} {
		if strings.Contains(out, secret) {
			t.Errorf("the log holds %q:\n%s", secret, out)
		}
	}
	if strings.Count(out, "Recipient address rejected") != 2 {
		t.Errorf("the log lacks the relay's reasons:\n%s", out)
	}
}

// A subject cannot add a header, whatever it holds: a line break in it
// becomes a space.
func TestSubjectAddsNoHeader(t *testing.T) {
	msg := Message{ID: 1, To: "ana@example.org", Subject: "Sign\r\nBcc: everyone@example.org", Body: "Text\n", CreatedAt: time.Now()}
	got, err := netmail.ReadMessage(bytes.NewReader((&SMTP{}).compose(msg)))
	if err != nil {
		t.Fatal(err)
	}
	if bcc, subject := got.Header.Get("Bcc"), got.Header.Get("Subject"); bcc != "" || subject != "Sign  Bcc: everyone@example.org" {
		t.Errorf("Bcc %q, subject %q; want no Bcc, the subject on one line", bcc, subject)
	}
}

// A malformed relay URL is refused without its password in the error,
// which the server prints and a deployment's logs keep.
func TestMalformedURLErrorHoldsNoPassword(t *testing.T) {
	for _, bad := range []string{"smtp://user:s3cret-pw@", "http://user:s3cret-pw@mail.example.org", "smtp://user:s3cret-pw@mail.example.org:x%zz"} {
		_, err := ParseURL(bad)
		if err == nil {
			t.Errorf("ParseURL(%q) accepted it", bad)
		} else if strings.Contains(err.Error(), "s3cret-pw") {
			t.Errorf("ParseURL(%q): %v", bad, err)
		}
	}
}

// TestAttachmentsArriveDecodable sends a delivery's email through the
// relay: answers go to the organisation (Reply-To), a mail program can
// unsubscribe in one click (RFC 8058), and the PDF arrives as a
// multipart/mixed message whose file decodes to the very bytes sent,
// under its name, with the text beside it intact. A message without files
// stays a single plain text.
func TestAttachmentsArriveDecodable(t *testing.T) {
	pdf := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte{0, 0xff, '\r', '\n', 0x80}, 4000)...)
	body := "Dear Commissioner,\n\nPlease find the letter attached: «الإفراج».\n"
	msg := Message{ID: 9, To: "commissioner@example.org", Lang: "en", Subject: "Joint letter", Body: body, CreatedAt: time.Now(),
		ReplyTo: "coalition@example.org", ListUnsubscribe: "https://letters.example/news/unsubscribe/tok",
		Attachments: []Attachment{{Filename: "lettre-été.pdf", ContentType: "application/pdf", Data: pdf}}}
	r := startRelay(t, "smtp", nil)
	sender := r.sender()
	for _, m := range []Message{msg, {ID: 10, To: "plain@example.org", Subject: "Plain", Body: body, CreatedAt: time.Now()}} {
		if err := sender.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	sender.Close()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.received) != 2 {
		t.Fatalf("the relay got %d messages, want 2", len(r.received))
	}
	for i, line := range strings.Split(string(r.received[0]), "\r\n") {
		if len(line) > 998 || strings.ContainsFunc(line, func(r rune) bool { return r > 126 }) {
			t.Errorf("line %d is not 7-bit text of at most 998 bytes: %.100q…", i+1, line)
		}
	}
	got, err := netmail.ReadMessage(bytes.NewReader(r.received[0]))
	if err != nil {
		t.Fatal(err)
	}
	for header, want := range map[string]string{
		"Reply-To":              "coalition@example.org",
		"List-Unsubscribe":      "<https://letters.example/news/unsubscribe/tok>",
		"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
	} {
		if v := got.Header.Get(header); v != want {
			t.Errorf("%s: %q, want %q", header, v, want)
		}
	}
	media, params, err := mime.ParseMediaType(got.Header.Get("Content-Type"))
	if err != nil || media != "multipart/mixed" {
		t.Fatalf("Content-Type %q (%v), want multipart/mixed", got.Header.Get("Content-Type"), err)
	}
	parts := multipart.NewReader(got.Body, params["boundary"])
	text, err := parts.NextPart() // decodes quoted-printable itself
	if err != nil {
		t.Fatal(err)
	}
	if read, _ := io.ReadAll(text); strings.ReplaceAll(string(read), "\r\n", "\n") != body {
		t.Errorf("the text reads %q, want %q", read, body)
	}
	file, err := parts.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	if file.FileName() != "lettre-été.pdf" || file.Header.Get("Content-Type") != "application/pdf" {
		t.Errorf("the file is %q, %q; want lettre-été.pdf, application/pdf", file.FileName(), file.Header.Get("Content-Type"))
	}
	data, err := io.ReadAll(base64.NewDecoder(base64.StdEncoding, file))
	if err != nil || !bytes.Equal(data, pdf) {
		t.Errorf("the file decodes to %d bytes (%v), want the %d sent", len(data), err, len(pdf))
	}
	if _, err := parts.NextPart(); err != io.EOF {
		t.Errorf("after the file: %v, want the end of the message", err)
	}
	plain, err := netmail.ReadMessage(bytes.NewReader(r.received[1]))
	if err != nil {
		t.Fatal(err)
	}
	if ct, rt := plain.Header.Get("Content-Type"), plain.Header.Get("Reply-To"); ct != "text/plain; charset=utf-8" || rt != "" {
		t.Errorf("a message without files: Content-Type %q, Reply-To %q; want plain text, no Reply-To", ct, rt)
	}
}
