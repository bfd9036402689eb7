package main

// Email end to end: the confirmation a signer needs reaches them, through a
// real SMTP server in the test process or printed on the console of a server
// that has none, and the links in it work.

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"undersigned/handlers/handlertest"
	"undersigned/models/modeltest"
)

// email is one message as its recipient reads it.
type email struct {
	ID      string // the Message-ID header, or the number the console gives it
	To      string
	Subject string
	Body    string      // the decoded text, lines ending in \n
	Header  mail.Header // nil for an email read from a console
	Raw     []byte      // the message as it came over SMTP
	From    string      // the envelope's sender, over SMTP
	Rcpt    []string    // the envelope's recipients, over SMTP
	Problem string      // why the message could not be read, if it could not
}

var emailURL = regexp.MustCompile(`https?://\S+`)

// link returns the first URL of the body whose path starts with prefix, or "".
func (e email) link(prefix string) string {
	for _, s := range emailURL.FindAllString(e.Body, -1) {
		if u, err := url.Parse(s); err == nil && strings.HasPrefix(u.Path, prefix) {
			return s
		}
	}
	return ""
}

// linkPath is the path of an absolute link, for a client that knows the server.
func linkPath(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil || u.Path == "" {
		t.Fatalf("not a link: %q", link)
	}
	return u.Path
}

// mailWait bounds every wait for an email; the mailer looks at the outbox
// every 2 s.
const mailWait = 15 * time.Second

// waitFor polls cond until it holds, failing the test after mailWait.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(mailWait); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", mailWait, what)
		}
	}
}

// mailbox holds the emails a server sent or printed, as they come.
type mailbox struct {
	mu     sync.Mutex
	emails []*email
	taken  map[string]int // per recipient, how many emails next has returned
	setup  string         // the one-time setup link, from a console
}

func newMailbox() *mailbox { return &mailbox{taken: map[string]int{}} }

// add files a complete email.
func (mb *mailbox) add(e email) {
	mb.mu.Lock()
	defer mb.mu.Unlock()
	mb.emails = append(mb.emails, &e)
}

// all returns copies of the emails so far.
func (mb *mailbox) all() []email {
	mb.mu.Lock()
	defer mb.mu.Unlock()
	out := make([]email, len(mb.emails))
	for i, e := range mb.emails {
		out[i] = *e
	}
	return out
}

// next waits for the next email to to, one that next has not returned
// before, with its management link (and its confirmation link, which comes
// first, when it has one), and returns it.
func (mb *mailbox) next(t *testing.T, to string) email {
	t.Helper()
	var got email
	waitFor(t, "an email with links to "+to, func() bool {
		mb.mu.Lock()
		defer mb.mu.Unlock()
		seen := 0
		for _, e := range mb.emails {
			if e.To != to {
				continue
			}
			if seen == mb.taken[to] {
				// A console email grows line by line: its links are in once the
				// management link, the last, is.
				if e.link("/signature/") == "" {
					return false
				}
				got = *e
				mb.taken[to]++
				return true
			}
			seen++
		}
		return false
	})
	return got
}

// sentTo counts the emails to to so far.
func (mb *mailbox) sentTo(to string) int {
	n := 0
	for _, e := range mb.all() {
		if e.To == to {
			n++
		}
	}
	return n
}

// setupLink waits for the one-time setup link the server prints at its first start.
func (mb *mailbox) setupLink(t *testing.T) string {
	t.Helper()
	var link string
	waitFor(t, "the setup link on the console", func() bool {
		mb.mu.Lock()
		defer mb.mu.Unlock()
		link = mb.setup
		return link != ""
	})
	return link
}

// consoleReader reads a server's standard output into a mailbox, line by
// line: the setup link, and each email printed for want of SMTP, which is a
// line "Email N, not sent: …", then To:, Subject:, a blank line and the body.
type consoleReader struct {
	mail    *mailbox
	partial []byte
	current *email // the email being printed; it grows under the mailbox's lock
}

var consoleEmail = regexp.MustCompile(`^Email (\d+), not sent`)

func (r *consoleReader) Write(p []byte) (int, error) {
	r.partial = append(r.partial, p...)
	for {
		line, rest, ok := bytes.Cut(r.partial, []byte("\n"))
		if !ok {
			return len(p), nil
		}
		r.partial = rest
		r.line(string(line))
	}
}

func (r *consoleReader) line(l string) {
	mb := r.mail
	mb.mu.Lock()
	defer mb.mu.Unlock()
	e := r.current
	switch m := consoleEmail.FindStringSubmatch(l); {
	case m != nil:
		r.current = &email{ID: m[1]}
		mb.emails = append(mb.emails, r.current)
	case e == nil:
		if strings.Contains(l, "/setup/") {
			mb.setup = strings.TrimSpace(l)
		}
	case e.To == "" && strings.HasPrefix(l, "To: "):
		e.To = strings.TrimPrefix(l, "To: ")
	case e.Subject == "" && strings.HasPrefix(l, "Subject: "):
		e.Subject = strings.TrimPrefix(l, "Subject: ")
	default:
		e.Body += l + "\n"
	}
}

// smtpServer is an SMTP relay on a loopback port, in the test process, that
// keeps every message it accepts in its mailbox. While refusing is set it
// turns every recipient away with a temporary error, as a relay that is
// down does, and counts them.
type smtpServer struct {
	addr           string
	received       *mailbox
	user, password string // when set, a client must log in with them
	refusing       atomic.Bool
	// hangUp drops each connection when the client says QUIT, after the
	// message was taken, as a relay that crashes at that moment does.
	hangUp atomic.Bool
	// unknown is a recipient the relay refuses for good, as it does an address that does not exist.
	unknown string
	// notSender is a sender the relay refuses for good, as one not allowed to send through it.
	notSender atomic.Value
	// slow is how long the relay takes to accept each message, as a busy
	// relay does; time.Duration, 0 for at once.
	slow atomic.Int64
	// taking counts the messages whose data the relay has begun to take.
	taking atomic.Int64
	// away is how long each of the client's commands takes to reach the
	// relay, as over a network rather than loopback; time.Duration.
	away atomic.Int64

	mu      sync.Mutex
	refused map[string]int
	conns   []net.Conn // every connection clients opened
}

// connections is how many connections clients have opened.
func (mx *smtpServer) connections() int {
	mx.mu.Lock()
	defer mx.mu.Unlock()
	return len(mx.conns)
}

// hangUpAll closes every connection, as a relay does with those idle too long.
func (mx *smtpServer) hangUpAll() {
	mx.mu.Lock()
	defer mx.mu.Unlock()
	for _, c := range mx.conns {
		c.Close()
	}
}

// relayListener hands the relay its connections, each able to hang up on QUIT.
type relayListener struct {
	net.Listener
	relay *smtpServer
}

func (l relayListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.relay.mu.Lock()
		l.relay.conns = append(l.relay.conns, c)
		l.relay.mu.Unlock()
	}
	return relayConn{c, l.relay}, err
}

type relayConn struct {
	net.Conn
	relay *smtpServer
}

// Read passes on what the client sends, but for a QUIT while the relay hangs up.
func (c relayConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		time.Sleep(time.Duration(c.relay.away.Load()))
	}
	if c.relay.hangUp.Load() && bytes.HasPrefix(bytes.ToUpper(p[:n]), []byte("QUIT")) {
		c.Conn.Close()
		return 0, io.EOF
	}
	return n, err
}

// startSMTP starts a relay that wants user and password, or no login if they are empty.
func startSMTP(t testing.TB, user, password string) *smtpServer {
	t.Helper()
	mx := &smtpServer{received: newMailbox(), user: user, password: password, refused: map[string]int{}}
	s := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &smtpSession{relay: mx}, nil }))
	s.Domain = "mx.test"
	s.AllowInsecureAuth = true // PLAIN without TLS, which net/smtp allows to 127.0.0.1 only
	s.ReadTimeout, s.WriteTimeout = 10*time.Second, 10*time.Second
	s.ErrorLog = log.New(io.Discard, "", 0)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mx.addr = ln.Addr().String()
	go s.Serve(relayListener{ln, mx})
	t.Cleanup(func() { s.Close() })
	return mx
}

// url is the server's -smtp-url.
func (mx *smtpServer) url() string {
	u := url.URL{Scheme: "smtp", Host: mx.addr}
	if mx.user != "" {
		u.User = url.UserPassword(mx.user, mx.password)
	}
	return u.String()
}

// refusedAtLeast reports whether each of recipients was refused at least n times.
func (mx *smtpServer) refusedAtLeast(recipients []string, n int) bool {
	mx.mu.Lock()
	defer mx.mu.Unlock()
	for _, r := range recipients {
		if mx.refused[r] < n {
			return false
		}
	}
	return true
}

// smtpSession is one client's conversation with the relay.
type smtpSession struct {
	relay    *smtpServer
	loggedIn bool
	from     string
	rcpt     []string
}

func (s *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *smtpSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, password string) error {
		if user != s.relay.user || password != s.relay.password {
			return smtp.ErrAuthFailed
		}
		s.loggedIn = true
		return nil
	}), nil
}

func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.relay.user != "" && !s.loggedIn {
		return smtp.ErrAuthRequired
	}
	if from == s.relay.notSender.Load() {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "Sender not allowed"}
	}
	s.from = from
	return nil
}

func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if to == s.relay.unknown {
		s.relay.mu.Lock()
		s.relay.refused[to]++
		s.relay.mu.Unlock()
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user"}
	}
	if s.relay.refusing.Load() {
		s.relay.mu.Lock()
		s.relay.refused[to]++
		s.relay.mu.Unlock()
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 4, 5}, Message: "Try again later"}
	}
	s.rcpt = append(s.rcpt, to)
	return nil
}

func (s *smtpSession) Data(r io.Reader) error {
	s.relay.taking.Add(1)
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	time.Sleep(time.Duration(s.relay.slow.Load()))
	e := readEmail(raw)
	e.From, e.Rcpt = s.from, s.rcpt
	s.relay.received.add(e)
	return nil
}

func (s *smtpSession) Reset()        { s.from, s.rcpt = "", nil }
func (s *smtpSession) Logout() error { return nil }

// readEmail reads a message as a mail program does: headers, the subject's
// encoded words, the quoted-printable body. What it cannot read goes to
// Problem, for the test to report.
func readEmail(raw []byte) email {
	e := email{Raw: raw}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		e.Problem = err.Error()
		return e
	}
	e.Header, e.ID = msg.Header, msg.Header.Get("Message-ID")
	if to, err := mail.ParseAddress(msg.Header.Get("To")); err == nil {
		e.To = to.Address
	}
	if e.Subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil {
		e.Problem = "subject: " + err.Error()
	}
	body := msg.Body
	if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		body = quotedprintable.NewReader(body)
	}
	text, err := io.ReadAll(body)
	if err != nil {
		e.Problem = "body: " + err.Error()
	}
	e.Body = strings.ReplaceAll(string(text), "\r\n", "\n")
	return e
}

var messageID = regexp.MustCompile(`^<outbox-\d+\.\d+@127\.0\.0\.1>$`)

// checkConfirmationEmail checks a confirmation email as it arrived over
// SMTP: addressed, dated, identified, in English and saying so, plain UTF-8
// text sent as 7-bit quoted-printable, and with both of its links on the
// server at addr.
func checkConfirmationEmail(t *testing.T, e email, from, to, title, addr string) {
	t.Helper()
	if e.Problem != "" {
		t.Fatalf("unreadable email: %s\n%s", e.Problem, e.Raw)
	}
	h := e.Header
	for name, want := range map[string]string{"From": from, "To": to, "MIME-Version": "1.0", "Content-Language": "en",
		"Content-Type": "text/plain; charset=utf-8", "Content-Transfer-Encoding": "quoted-printable"} {
		if got := h.Get(name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	if e.From != from || len(e.Rcpt) != 1 || e.Rcpt[0] != to {
		t.Errorf("envelope from %q to %q, want from %q to %q", e.From, e.Rcpt, from, to)
	}
	if want := "Please confirm your signature: " + title; e.Subject != want {
		t.Errorf("subject %q (%s), want %q", e.Subject, h.Get("Subject"), want)
	}
	if !messageID.MatchString(e.ID) {
		t.Errorf("Message-ID %q, want <outbox-ID.UNIX@127.0.0.1>", e.ID)
	}
	if date, err := h.Date(); err != nil || time.Since(date).Abs() > time.Minute {
		t.Errorf("Date %q is not about now (%v)", h.Get("Date"), err)
	}
	for i, line := range strings.Split(string(e.Raw), "\r\n") {
		if len(line) > 998 || strings.ContainsFunc(line, func(r rune) bool { return r > 126 }) {
			t.Errorf("line %d is not 7-bit text of at most 998 bytes: %q", i+1, line)
		}
	}
	if !strings.Contains(e.Body, "“"+title+"”") {
		t.Errorf("the body does not name the letter “%s”:\n%s", title, e.Body)
	}
	base := "http://" + addr
	if l := e.link("/confirm/"); !strings.HasPrefix(l, base+"/confirm/") {
		t.Errorf("confirmation link %q is not on %s", l, base)
	}
	if l := e.link("/signature/"); !strings.HasPrefix(l, base+"/signature/") {
		t.Errorf("management link %q is not on %s", l, base)
	}
}

// TestConfirmationByRealSMTP signs a letter with the default settings, which
// ask for confirmation by email, on a server that sends through an SMTP relay
// wanting a password. The email arrives well formed, in UTF-8, and its link
// puts the signature on the list, once. A second email, asked for on the
// thank-you page, replaces the first without making a second signature.
func TestConfirmationByRealSMTP(t *testing.T) {
	const (
		title, slug = "Svobodu politickým vězňům v Ázerbájdžánu", "svobodu"
		letter      = "/letters/" + slug
		sender      = "letters@undersigned.example"
	)
	mx := startSMTP(t, "letters", "relay pass: wörd")
	db, addr := modeltest.DSN(t), freeAddr(t)
	newCoordinator(t, db)
	start(t, db, addr, "-smtp-url", mx.url(), "-mail-from", sender)
	coord := loggedIn(t, addr, coordEmail, coordPassword)
	editor := coord.OpenLetter(draft(title, slug), nil)
	public := handlertest.OverServer(t, addr)

	vera := handlertest.OverServer(t, addr)
	vera.Get(letter)
	vera.Post(letter+"/sign", handlertest.SignForm("Věra Čáslavská", "CZ", "vera@example.cz")).Expect(t, http.StatusSeeOther)
	vera.Get(letter+"/thanks").Expect(t, http.StatusOK, "Check your email", "We have sent an email to vera@example.cz", "Send the email again")
	if page := public.Get(letter).Expect(t, http.StatusOK, "0 signatures").Body; strings.Contains(page, "Věra") {
		t.Error("an unconfirmed signature is listed")
	}
	first := mx.received.next(t, "vera@example.cz")
	checkConfirmationEmail(t, first, sender, "vera@example.cz", title, addr)
	confirm := linkPath(t, first.link("/confirm/"))
	public.Confirm(confirm).Expect(t, http.StatusOK, "Your signature is confirmed")
	public.Get(letter).Expect(t, http.StatusOK, "1 signature", "Věra Čáslavská, Czechia")
	public.Get(confirm).Expect(t, http.StatusOK, "This link has already been used")

	pavel := handlertest.OverServer(t, addr)
	pavel.Get(letter)
	pavel.Post(letter+"/sign", handlertest.SignForm("Pavel Novák", "CZ", "pavel@example.cz")).Expect(t, http.StatusSeeOther)
	pavel.Get(letter + "/thanks")
	lost := mx.received.next(t, "pavel@example.cz")
	if to := pavel.Post(letter+"/resend", url.Values{}).Expect(t, http.StatusSeeOther).Location; to != letter+"/thanks?resent=1" {
		t.Fatalf("resending went to %q", to)
	}
	pavel.Get(letter+"/thanks?resent=1").Expect(t, http.StatusOK, "We have sent the email again.")
	again := mx.received.next(t, "pavel@example.cz")
	checkConfirmationEmail(t, again, sender, "pavel@example.cz", title, addr)
	if again.ID == lost.ID || again.link("/confirm/") == lost.link("/confirm/") {
		t.Fatalf("the second email repeats the first: %s %s", again.ID, again.link("/confirm/"))
	}
	public.Get(linkPath(t, lost.link("/confirm/"))).Expect(t, http.StatusNotFound)
	public.Get(linkPath(t, lost.link("/signature/"))).Expect(t, http.StatusNotFound)
	public.Confirm(linkPath(t, again.link("/confirm/"))).Expect(t, http.StatusOK, "Your signature is confirmed")
	public.Get(linkPath(t, again.link("/signature/"))).Expect(t, http.StatusOK, "It is counted on the letter.")
	if page := public.Get(letter).Expect(t, http.StatusOK, "2 signatures").Body; strings.Count(page, "Pavel Novák, Czechia") != 1 {
		t.Errorf("Pavel Novák is listed %d times, want once", strings.Count(page, "Pavel Novák, Czechia"))
	}
	if n := signatureEmails(t, coord, editor)["pavel@example.cz"]; n != 1 {
		t.Errorf("the coordinator's CSV has %d signatures of pavel@example.cz, want 1", n)
	}
}

// TestOutboxSurvivesKillAndSendsOnce queues twenty confirmation emails while
// the SMTP relay turns every one away with a temporary error, twice, then
// kills the server with SIGKILL and starts it again once the relay works:
// every email must arrive, exactly once. The failures are real ones,
// recorded with their retry time in the database the new server reads;
// -mail-retry only shortens the wait after them from 30 s.
func TestOutboxSurvivesKillAndSendsOnce(t *testing.T) {
	const n = 20
	const letter = "/letters/free-the-journalists"
	mx := startSMTP(t, "", "")
	mx.refusing.Store(true)
	db, addr := modeltest.DSN(t), freeAddr(t)
	newCoordinator(t, db)
	flags := []string{"-smtp-url", mx.url(), "-mail-retry", "200ms"}
	srv := start(t, db, addr, flags...)
	loggedIn(t, addr, coordEmail, coordPassword).OpenLetter(draft("Free the journalists", "free-the-journalists"), nil)
	signer := handlertest.OverServer(t, addr)
	signer.Get(letter)
	var recipients []string
	for i := range n {
		to := fmt.Sprintf("signer%d@example.org", i)
		signer.Post(letter+"/sign", handlertest.SignForm(fmt.Sprintf("Signer %d", i), "FR", to)).Expect(t, http.StatusSeeOther)
		recipients = append(recipients, to)
	}
	// A second refusal of each comes in a later round of the mailer, after
	// the first one's failure was written down.
	waitFor(t, "the relay to refuse every email twice", func() bool { return mx.refusedAtLeast(recipients, 2) })
	if err := srv.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	srv.Wait()
	if unsent, failed := outboxState(t, db); unsent != n || failed != n {
		t.Fatalf("after the kill the outbox holds %d unsent emails, %d with failures recorded; want %d and %d", unsent, failed, n, n)
	}
	if got := len(mx.received.all()); got != 0 {
		t.Fatalf("the refusing relay accepted %d emails", got)
	}

	mx.refusing.Store(false)
	start(t, db, addr, flags...)
	waitFor(t, fmt.Sprintf("%d emails at the relay", n), func() bool { return len(mx.received.all()) >= n })
	// Once the outbox says all are sent, the mailer sends nothing more: the
	// count at the relay is final.
	waitFor(t, "the outbox to mark every email sent", func() bool { unsent, _ := outboxState(t, db); return unsent == 0 })
	byID, byRecipient := map[string]int{}, map[string]int{}
	for _, e := range mx.received.all() {
		byID[e.ID]++
		byRecipient[e.To]++
	}
	for id, k := range byID {
		if k != 1 || !messageID.MatchString(id) {
			t.Errorf("message %s arrived %d times", id, k)
		}
	}
	for _, to := range recipients {
		if byRecipient[to] != 1 {
			t.Errorf("%s got %d emails, want 1", to, byRecipient[to])
		}
	}
	if len(byID) != n {
		t.Errorf("%d different Message-IDs arrived, want %d", len(byID), n)
	}
}

// withRelay starts the binary on a fresh database, mailing through mx and
// retrying failures fast, publishes a letter with confirmation by email, and
// returns the database, a signer with the letter's page open, and the
// letter's path.
func withRelay(t *testing.T, mx *smtpServer) (db string, signer *handlertest.Client, letter string) {
	t.Helper()
	db, addr := modeltest.DSN(t), freeAddr(t)
	newCoordinator(t, db)
	start(t, db, addr, "-smtp-url", mx.url(), "-mail-retry", "200ms")
	loggedIn(t, addr, coordEmail, coordPassword).OpenLetter(draft("Free them all", "free-them-all"), nil)
	signer = handlertest.OverServer(t, addr)
	signer.Get("/letters/free-them-all")
	return db, signer, "/letters/free-them-all"
}

// TestUnknownMailboxIsNotRetried: a relay's permanent refusal (5xx) is
// recorded once and the message is not tried again, while mail to others
// goes on.
func TestUnknownMailboxIsNotRetried(t *testing.T) {
	mx := startSMTP(t, "", "")
	mx.unknown = "nobody@example.org"
	db, signer, letter := withRelay(t, mx)
	signer.Post(letter+"/sign", handlertest.SignForm("Nobody", "FR", mx.unknown)).Expect(t, http.StatusSeeOther)
	signer.Post(letter+"/sign", handlertest.SignForm("Somebody", "FR", "somebody@example.org")).Expect(t, http.StatusSeeOther)
	waitFor(t, "the email to somebody", func() bool { return mx.received.sentTo("somebody@example.org") == 1 })
	time.Sleep(3 * time.Second) // a few more rounds of the mailer, each of which would retry
	mx.mu.Lock()
	tries := mx.refused[mx.unknown]
	mx.mu.Unlock()
	if tries != 1 {
		t.Errorf("the relay refused %s %d times, want once", mx.unknown, tries)
	}
	if unsent, _ := outboxState(t, db); unsent != 1 {
		t.Errorf("%d emails unsent, want the refused one kept for the record", unsent)
	}
}

// outboxState reads the server's database beside it: how many emails wait
// unsent, and how many have failed attempts recorded.
func outboxState(t *testing.T, db string) (unsent, failed int) {
	t.Helper()
	conn := openReadOnly(t, db)
	defer conn.Close()
	err := conn.QueryRow(`SELECT count(*), count(CASE WHEN attempts > 0 THEN 1 END) FROM outbox WHERE sent_at IS NULL`).Scan(&unsent, &failed)
	if err != nil {
		t.Fatalf("reading the outbox: %v", err)
	}
	return unsent, failed
}

// TestConfirmationPrintedWithoutSMTP runs the server as it comes, with no
// SMTP server: each confirmation email is printed on its console once, with
// its recipient, and its link works, so that one person can try the whole
// flow on one machine.
func TestConfirmationPrintedWithoutSMTP(t *testing.T) {
	const letter = "/letters/free-them-all"
	db, addr := modeltest.DSN(t), freeAddr(t)
	newCoordinator(t, db)
	srv := start(t, db, addr)
	loggedIn(t, addr, coordEmail, coordPassword).OpenLetter(draft("Free them all", "free-them-all"), nil)
	signer := handlertest.OverServer(t, addr)
	signer.Get(letter)
	signer.Post(letter+"/sign", handlertest.SignForm("Ana Ruiz", "ES", "ana@example.org")).Expect(t, http.StatusSeeOther)
	printed := srv.console.next(t, "ana@example.org")
	if want := "Please confirm your signature: Free them all"; printed.Subject != want {
		t.Errorf("printed subject %q, want %q", printed.Subject, want)
	}
	public := handlertest.OverServer(t, addr)
	public.Confirm(linkPath(t, printed.link("/confirm/"))).Expect(t, http.StatusOK, "Your signature is confirmed")
	public.Get(letter).Expect(t, http.StatusOK, "1 signature", "Ana Ruiz, Spain")

	// The mailer prints in the order of the outbox, so by the time the next
	// email is out, a second copy of the first would be out too.
	signer.Post(letter+"/sign", handlertest.SignForm("Ben Ode", "NG", "ben@example.org")).Expect(t, http.StatusSeeOther)
	srv.console.next(t, "ben@example.org")
	if n := srv.console.sentTo("ana@example.org"); n != 1 {
		t.Errorf("the email to ana@example.org was printed %d times, want once", n)
	}
}

// TestRelayHangingUpAfterTakingAnEmailGetsItOnce has the relay take a
// confirmation email and then drop the connection instead of answering QUIT:
// the email was delivered all the same, so the server must mark it sent and
// never send it again.
func TestRelayHangingUpAfterTakingAnEmailGetsItOnce(t *testing.T) {
	mx := startSMTP(t, "", "")
	mx.hangUp.Store(true)
	db, signer, letter := withRelay(t, mx)
	signer.Post(letter+"/sign", handlertest.SignForm("Ana Ruiz", "ES", "ana@example.org")).Expect(t, http.StatusSeeOther)
	mx.received.next(t, "ana@example.org")
	waitFor(t, "the outbox to mark the email sent", func() bool { unsent, _ := outboxState(t, db); return unsent == 0 })
	if n := mx.received.sentTo("ana@example.org"); n != 1 {
		t.Errorf("the relay got the email %d times, want once", n)
	}
}

// TestEmailsInTheLetterLanguageBySMTP signs a letter written in French and
// confirms the signature, then has the coordinator change the substance of
// its text: the confirmation email and the one asking the signer to agree
// to the new text reach the relay in French, saying so in
// Content-Language, and their links open the pages they promise.
func TestEmailsInTheLetterLanguageBySMTP(t *testing.T) {
	const title, to = "Libérez les défenseurs des droits humains", "vera@example.cz"
	mx := startSMTP(t, "", "")
	db, addr := modeltest.DSN(t), freeAddr(t)
	newCoordinator(t, db)
	start(t, db, addr, "-smtp-url", mx.url())
	coord := loggedIn(t, addr, coordEmail, coordPassword)
	editor := coord.OpenLetter(draft(title, "liberez"), nil)
	french := url.Values{"lang": {"fr"}, "signers": {"both"}, "list_order": {"alphabetical"}, "retention_days": {"180"}, "confirm_email": {"true"}}
	coord.Post(editor+"/settings", french).Expect(t, http.StatusSeeOther)
	signer := handlertest.OverServer(t, addr)
	signer.Get("/letters/liberez")
	signer.Post("/letters/liberez/sign", handlertest.SignForm("Věra Čáslavská", "CZ", to)).Expect(t, http.StatusSeeOther)
	confirmation := mx.received.next(t, to)
	checkFrench(t, confirmation, "Veuillez confirmer votre signature", title)
	signer.Confirm(linkPath(t, confirmation.link("/confirm/"))).Expect(t, http.StatusOK, "Your signature is confirmed")

	// The editor shows what changes, with the edited text in the form's
	// hidden fields, which the coordinator sends again saying the change is
	// one of substance.
	coord.Get(editor)
	revised := url.Values{"title": {title}, "body": {"Un texte modifié sur le fond."}, "action": {"save"}}
	coord.Post(editor, revised).Expect(t, http.StatusOK) // the page asking what kind of change it is
	revised.Set("action", "confirm")
	revised.Set("change", "substance")
	coord.Post(editor, revised).Expect(t, http.StatusSeeOther)

	asked := mx.reconfirmation(t, to)
	checkFrench(t, asked, "La lettre que vous avez signée a été modifiée", title)
	signer.Get(linkPath(t, asked.link("/reconfirm/"))).Expect(t, http.StatusOK, "I agree to the revised text")
}

// reconfirmation waits for the email asking to to agree to a revised text.
func (mx *smtpServer) reconfirmation(t *testing.T, to string) email {
	t.Helper()
	var asked email
	waitFor(t, "the reconfirmation email", func() bool {
		for _, e := range mx.received.all() {
			if e.To == to && e.link("/reconfirm/") != "" {
				asked = e
				return true
			}
		}
		return false
	})
	return asked
}

// checkFrench checks an email as it arrived over SMTP: readable, in French
// and saying so, its subject as the catalogue words it, naming the letter.
func checkFrench(t *testing.T, e email, subject, title string) {
	t.Helper()
	if e.Problem != "" {
		t.Fatalf("unreadable email: %s\n%s", e.Problem, e.Raw)
	}
	if lang := e.Header.Get("Content-Language"); lang != "fr" {
		t.Errorf("Content-Language %q, want fr, the letter's:\n%s", lang, e.Raw)
	}
	if !strings.HasPrefix(e.Subject, subject) || !strings.HasSuffix(e.Subject, title) {
		t.Errorf("subject %q, want %q then the title", e.Subject, subject)
	}
	if !strings.Contains(e.Body, "Bonjour") || !strings.Contains(e.Body, title) {
		t.Errorf("the body is not the French email naming the letter:\n%s", e.Body)
	}
}
