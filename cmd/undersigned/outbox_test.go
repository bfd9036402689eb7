package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"undersigned/models"
	"undersigned/models/mail"
	"undersigned/models/modeltest"
)

// TestMailerKeepsItsConnections delivers a busy outbox over a few
// connections, each carrying message after message, and carries on when the
// relay has closed the connections it kept: every email arrives once, none
// is recorded as failed, and the relay sees no more connections than the
// mailer has, per round.
func TestMailerKeepsItsConnections(t *testing.T) {
	const connections = 3
	mx := startSMTP(t, "", "")
	s, db, fill := outboxFiller(t)
	m := testMailer(s, mx, connections)
	ctx := context.Background()

	fill(40)
	for m.Deliver(ctx) > 0 {
	}
	if got := len(mx.received.all()); got != 40 {
		t.Fatalf("%d emails at the relay, want 40", got)
	}
	if got := mx.connections(); got > connections {
		t.Errorf("40 emails took %d connections; want at most %d", got, connections)
	}

	// The relay closes the kept connections; the next emails go all the same.
	mx.hangUpAll()
	fill(10)
	for m.Deliver(ctx) > 0 {
	}
	if got := len(mx.received.all()); got != 50 {
		t.Fatalf("%d emails at the relay after it closed the connections, want 50", got)
	}
	if got := mx.connections(); got > 2*connections {
		t.Errorf("%d connections in all; want at most %d, the mailer's twice", got, 2*connections)
	}
	byID := map[string]int{}
	for _, e := range mx.received.all() {
		byID[e.ID]++
	}
	for id, n := range byID {
		if n != 1 {
			t.Errorf("message %s arrived %d times", id, n)
		}
	}
	if unsent, failed := outboxState(t, db); unsent != 0 || failed != 0 {
		t.Errorf("%d emails unsent, %d with a failure recorded; want none", unsent, failed)
	}
}

// A relay that cannot be reached costs each connection one attempt a
// round, not one per email: the other emails wait, with no failure
// recorded, for the next round, which does not follow at once.
func TestUnreachableRelayIsTriedOncePerConnection(t *testing.T) {
	mx := startSMTP(t, "", "")
	s, db, fill := outboxFiller(t)
	m := testMailer(s, mx, 2)
	through(m, "smtp://"+freeAddr(t)) // nothing listens there
	fill(10)
	if n := m.Deliver(context.Background()); n != 0 {
		t.Errorf("the round says %d, want 0: the next round must wait", n)
	}
	if unsent, failed := outboxState(t, db); unsent != 10 || failed != 2 {
		t.Errorf("%d emails unsent, %d with a failure recorded; want 10 and 2", unsent, failed)
	}
}

// Stopping the server does not wait for a slow relay: the email it was
// taking is left unsent, to be sent after the restart.
func TestStopDoesNotWaitForASlowRelay(t *testing.T) {
	mx := startSMTP(t, "", "")
	mx.slow.Store(int64(time.Minute))
	s, db, fill := outboxFiller(t)
	m := testMailer(s, mx, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	fill(1)
	go func() { m.Run(ctx); close(done) }()
	waitFor(t, "the relay to take the email", func() bool { return mx.taking.Load() == 1 })
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the mailer still waits for the relay 5 s after the stop")
	}
	if unsent, _ := outboxState(t, db); unsent != 1 {
		t.Errorf("%d emails unsent after the interrupted delivery, want 1", unsent)
	}
}

// BenchmarkDeliverOutbox drains an outbox of confirmation emails, as a
// crowd signing a letter fills it, through an SMTP relay on loopback, and
// through one whose every command takes 5 ms to arrive, as over a network,
// with one connection and with the default four.
func BenchmarkDeliverOutbox(b *testing.B) {
	for _, connections := range []int{1, 4} {
		b.Run(fmt.Sprintf("loopback/%d connections", connections), func(b *testing.B) { benchmarkDeliverOutbox(b, 2000, 0, connections) })
		b.Run(fmt.Sprintf("5ms away/%d connections", connections), func(b *testing.B) { benchmarkDeliverOutbox(b, 200, 5*time.Millisecond, connections) })
	}
}

func benchmarkDeliverOutbox(b *testing.B, messages int, away time.Duration, connections int) {
	mx := startSMTP(b, "", "")
	mx.away.Store(int64(away))
	s, _, fill := outboxFiller(b)
	m := testMailer(s, mx, connections)
	ctx := context.Background()
	sent := 0
	for b.Loop() {
		b.StopTimer()
		fill(messages)
		b.StartTimer()
		for m.Deliver(ctx) > 0 {
		}
		sent += messages
	}
	b.ReportMetric(float64(sent)/b.Elapsed().Seconds(), "emails/s")
	if got := len(mx.received.all()); got != sent {
		b.Fatalf("%d emails at the relay, want %d", got, sent)
	}
}

// outboxFiller opens a store with an open letter, and returns it, its
// database and a function that signs the letter n times at once, each
// signature putting its confirmation email in the outbox.
func outboxFiller(tb testing.TB) (*models.Store, string, func(n int)) {
	s, db := modeltest.OpenDSN(tb)
	ctx := context.Background()
	u, org := modeltest.Coordinator(tb, s, "c@example.org", "Org")
	l, err := s.CreateLetter(ctx, u.ID, org, modeltest.Azerbaijan)
	if err != nil {
		tb.Fatal(err)
	}
	if err := s.SetLetterState(ctx, l, models.StateOpen); err != nil {
		tb.Fatal(err)
	}
	signed := 0
	return s, db, func(n int) {
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				in := models.NewSignature{Kind: models.KindIndividual, Name: "Signer", Country: "FR", Email: "s" + strconv.Itoa(signed+i) + "@example.org"}
				if _, err := s.AddSignature(ctx, l.ID, in, modeltest.Mail); err != nil {
					tb.Error(err)
				}
			})
		}
		wg.Wait()
		signed += n
	}
}

// testSender is the address test mailers send from.
const testSender = "a@undersigned.example"

// testMailer is a mailer of s through mx, with connections at once.
func testMailer(s *models.Store, mx *smtpServer, connections int) *mail.Mailer {
	m := &mail.Mailer{Outbox: s, Senders: connections, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Poll: time.Second, Retry: time.Second}
	through(m, mx.url())
	return m
}

// through makes m send through the SMTP server at smtpURL.
func through(m *mail.Mailer, smtpURL string) {
	server, _ := url.Parse(smtpURL)
	m.Sender = mail.NewSMTP(server, testSender, "undersigned.example", m.Senders)
}

// A connection count the mailer cannot use stops the server at once, with
// the setting named, whether it came as a flag or from the environment; on
// PostgreSQL, so does one that would hold too many database connections.
func TestSMTPConnectionsMustBeUsable(t *testing.T) {
	db := filepath.Join(t.TempDir(), "u.db")
	cases := []struct{ flag, env, want string }{
		{flag: "0", want: `-smtp-connections (UNDERSIGNED_SMTP_CONNECTIONS): "0" is not a number from 1 to`},
		{env: "lots", want: `UNDERSIGNED_SMTP_CONNECTIONS (-smtp-connections): "lots" is not a number from 1 to`},
	}
	if os.Getenv(modeltest.TestDBEnv) != "" {
		db = modeltest.DSN(t)
		cases = append(cases, struct{ flag, env, want string }{flag: "5", want: `-smtp-connections (UNDERSIGNED_SMTP_CONNECTIONS): "5" is not a number from 1 to 4 (on PostgreSQL`})
	}
	for _, tt := range cases {
		args := []string{"-db", db, "-addr", "127.0.0.1:0"}
		if tt.flag != "" {
			args = append(args, "-smtp-connections", tt.flag)
		}
		cmd := exec.Command(binary, args...)
		if tt.env != "" {
			cmd.Env = append(os.Environ(), "UNDERSIGNED_SMTP_CONNECTIONS="+tt.env)
		}
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), tt.want) {
			t.Errorf("with %+v: %v, output %q; want a failure saying %q", tt, err, out, tt.want)
		}
	}
}

// A relay refusing the mailer's login, or its sender address, refuses no
// email, though it answers with a permanent code: each connection stops at
// its first refusal, the emails wait, and go once the setting is put right.
func TestRefusedLoginOrSenderGivesUpNoEmail(t *testing.T) {
	withPassword := func(mx *smtpServer, password string) string {
		return "smtp://undersigned:" + url.PathEscape(password) + "@" + mx.addr
	}
	for _, tt := range []struct {
		name       string
		wrong, fix func(*mail.Mailer, *smtpServer)
	}{
		{
			"login",
			func(m *mail.Mailer, mx *smtpServer) { through(m, withPassword(mx, "wrong password")) },
			func(m *mail.Mailer, mx *smtpServer) { through(m, withPassword(mx, "right password")) },
		},
		{
			"sender",
			func(_ *mail.Mailer, mx *smtpServer) { mx.notSender.Store(testSender) },
			func(_ *mail.Mailer, mx *smtpServer) { mx.notSender.Store("") },
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			mx := startSMTP(t, "undersigned", "right password")
			s, db, fill := outboxFiller(t)
			m := testMailer(s, mx, 2)
			through(m, withPassword(mx, "right password"))
			tt.wrong(m, mx)
			ctx := context.Background()
			fill(3)
			m.Deliver(ctx)
			if unsent, failed := outboxState(t, db); unsent != 3 || failed != 2 {
				t.Fatalf("after the refusal: %d emails unsent, %d with the failure recorded; want 3, and 2, one per connection", unsent, failed)
			}
			tt.fix(m, mx)
			time.Sleep(m.Retry + 100*time.Millisecond)
			m.Deliver(ctx)
			if got := len(mx.received.all()); got != 3 {
				t.Errorf("%d emails at the relay once the %s is right, want 3: the others were given up", got, tt.name)
			}
		})
	}
}
