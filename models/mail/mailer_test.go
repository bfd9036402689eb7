package mail

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// memoryOutbox is an outbox in memory, shared by other instances or not,
// in which a message is due until an outcome is recorded for it: a failure
// waits for a retry later than the test.
type memoryOutbox struct {
	shared   bool
	mu       sync.Mutex
	messages []Message
	claimed  map[int64]bool
	printed  map[int64]bool
	outcomes map[int64][]Delivery
}

func newMemoryOutbox(shared bool, n int) *memoryOutbox {
	o := &memoryOutbox{shared: shared, claimed: map[int64]bool{}, printed: map[int64]bool{}, outcomes: map[int64][]Delivery{}}
	for i := range n {
		o.messages = append(o.messages, Message{ID: int64(i + 1), To: fmt.Sprintf("s%d@example.org", i)})
	}
	return o
}

func (o *memoryOutbox) SharedOutbox() bool { return o.shared }

func (o *memoryOutbox) DueMail(_ context.Context, limit int) ([]Message, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.due(limit), nil
}

// due is DueMail, with o.mu held.
func (o *memoryOutbox) due(limit int) []Message {
	var due []Message
	for _, m := range o.messages {
		if len(o.outcomes[m.ID]) == 0 && !o.claimed[m.ID] && len(due) < limit {
			due = append(due, m)
		}
	}
	return due
}

func (o *memoryOutbox) RecordDelivery(_ context.Context, id int64, d Delivery) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.outcomes[id] = append(o.outcomes[id], d)
	delete(o.claimed, id)
	return nil
}

func (o *memoryOutbox) DeliverClaimed(ctx context.Context, send func(Message) Delivery) (Delivery, bool, error) {
	o.mu.Lock()
	due := o.due(1)
	if len(due) == 0 {
		o.mu.Unlock()
		return Delivery{}, false, nil
	}
	o.claimed[due[0].ID] = true
	o.mu.Unlock()
	d := send(due[0])
	return d, true, o.RecordDelivery(ctx, due[0].ID, d)
}

func (o *memoryOutbox) UnprintedMessages(_ context.Context, limit int) ([]Message, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []Message
	for _, m := range o.messages {
		if !o.printed[m.ID] && len(o.outcomes[m.ID]) == 0 && len(out) < limit {
			out = append(out, m)
		}
	}
	return out, nil
}

func (o *memoryOutbox) MarkPrinted(_ context.Context, ids ...int64) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, id := range ids {
		o.printed[id] = true
	}
	return nil
}

// sent and failed are the messages the outbox recorded as sent, and as
// failed, each as many times as it was recorded so.
func (o *memoryOutbox) sent() (sent, failed []int64) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for id, ds := range o.outcomes {
		for _, d := range ds {
			if d.Err == nil {
				sent = append(sent, id)
			} else {
				failed = append(failed, id)
			}
		}
	}
	slices.Sort(sent)
	slices.Sort(failed)
	return sent, failed
}

// mailServer takes each email after a millisecond, or refuses it as refuse
// says, and keeps the ids of those it took, and how many it was taking at
// once at most.
type mailServer struct {
	refuse     func(Message) error
	mu         sync.Mutex
	took       []int64
	busy, most int
}

func (s *mailServer) Send(_ context.Context, m Message) error {
	s.mu.Lock()
	s.busy++
	s.most = max(s.most, s.busy)
	s.mu.Unlock()
	time.Sleep(time.Millisecond)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.busy--
	if s.refuse != nil {
		if err := s.refuse(m); err != nil {
			return err
		}
	}
	s.took = append(s.took, m.ID)
	return nil
}

// taken are the ids of the emails s took, in order, as many times as it
// took each.
func (s *mailServer) taken() []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Sorted(slices.Values(s.took))
}

// testMailer delivers o through s with senders at once.
func testMailer(o Outbox, s Sender, senders int) *Mailer {
	return &Mailer{Outbox: o, Sender: s, Senders: senders, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Retry: time.Second}
}

// forEachOutbox runs test on an outbox of n messages that the mailer reads
// a round at a time (SQLite's), and on one it claims message by message
// (PostgreSQL's).
func forEachOutbox(t *testing.T, n int, test func(t *testing.T, o *memoryOutbox)) {
	for _, shared := range []bool{false, true} {
		t.Run(fmt.Sprintf("shared=%v", shared), func(t *testing.T) { test(t, newMemoryOutbox(shared, n)) })
	}
}

// A busy outbox goes out in rounds of at most 50 emails, each sent once,
// several at once but never more than the mailer's senders.
func TestMailerSendsEachEmailOnce(t *testing.T) {
	const messages, senders = 120, 4
	forEachOutbox(t, messages, func(t *testing.T, o *memoryOutbox) {
		s := &mailServer{}
		m := testMailer(o, s, senders)
		var rounds []int
		for n := m.Deliver(context.Background()); n > 0; n = m.Deliver(context.Background()) {
			rounds = append(rounds, n)
		}
		if want := []int{50, 50, 20}; !slices.Equal(rounds, want) {
			t.Errorf("rounds of %v emails, want %v", rounds, want)
		}
		took := s.taken()
		if len(took) != messages || len(slices.Compact(slices.Clone(took))) != messages {
			t.Errorf("the server took %d emails, %d different; want each of the %d once", len(took), len(slices.Compact(slices.Clone(took))), messages)
		}
		if sent, failed := o.sent(); !slices.Equal(sent, took) || len(failed) != 0 {
			t.Errorf("%d emails recorded sent, %d failed; want the %d the server took", len(sent), len(failed), len(took))
		}
		if s.most < 2 || s.most > senders {
			t.Errorf("%d emails at once at most; want several, and at most the %d senders", s.most, senders)
		}
	})
}

// A sender whose server cannot be used stops at its first failure, while
// the others carry on with the rest of the round; the next round waits for
// the poll interval.
func TestMailerCarriesOnWithoutASenderThatStopped(t *testing.T) {
	forEachOutbox(t, 10, func(t *testing.T, o *memoryOutbox) {
		s := &mailServer{refuse: func(m Message) error {
			if m.ID == 1 {
				return sessionError{"connect to the SMTP server: connection refused"}
			}
			return nil
		}}
		if n := testMailer(o, s, 2).Deliver(context.Background()); n != 0 {
			t.Errorf("the round says %d, want 0: the next round must wait", n)
		}
		took := s.taken()
		if want := []int64{2, 3, 4, 5, 6, 7, 8, 9, 10}; !slices.Equal(took, want) {
			t.Errorf("the server took %v, want the 9 others, once each", took)
		}
		if _, failed := o.sent(); !slices.Equal(failed, []int64{1}) {
			t.Errorf("failures recorded for %v, want the first email's alone", failed)
		}
	})
}

// An SMTP server that cannot be reached costs each sender one attempt a
// round, not one per email: the others wait, with no failure recorded.
func TestMailerUnreachableServerStopsTheRound(t *testing.T) {
	forEachOutbox(t, 10, func(t *testing.T, o *memoryOutbox) {
		s := &mailServer{refuse: func(Message) error { return sessionError{"connect to the SMTP server: connection refused"} }}
		testMailer(o, s, 3).Deliver(context.Background())
		if sent, failed := o.sent(); len(sent) != 0 || len(failed) != 3 {
			t.Errorf("%d emails sent, %d failed; want none sent, and 3 failed, one per sender", len(sent), len(failed))
		}
	})
}

// Without an SMTP server, the console shows an email's recipient only to
// whoever reaches the site on this machine; a site reached from elsewhere
// hides it, and the operator is warned that no email is sent.
func TestNewPrintsOnTheConsoleWithoutSMTP(t *testing.T) {
	for _, tt := range []struct {
		site     string
		shown    bool
		warnings int
	}{
		{"http://127.0.0.1:8080", true, 0},
		{"http://localhost:8080", true, 0},
		{"https://letters.example", false, 1},
	} {
		var console, log bytes.Buffer
		site, _ := url.Parse(tt.site)
		m := New(Config{Log: slog.New(slog.NewTextHandler(&log, nil)), Site: site, Console: &console})
		msg := Message{ID: 7, To: "leyla@example.org", Subject: "Confirm", ReplyTo: "office@icdr.example",
			Attachments: []Attachment{{Filename: "letter.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.7 data")}}}
		if err := m.Sender.Send(context.Background(), msg); err != nil {
			t.Fatal(err)
		}
		out := console.String()
		if shown := strings.Contains(out, "To: leyla@example.org") && strings.Contains(out, "Reply-To: office@icdr.example"); shown != tt.shown {
			t.Errorf("%s: recipient and Reply-To shown %v, want %v; console %q", tt.site, shown, tt.shown, out)
		}
		// A file is named, not printed.
		if !strings.Contains(out, "Attached: letter.pdf (application/pdf, 13 bytes)") || strings.Contains(out, "%PDF") {
			t.Errorf("%s: the console shows the file as %q", tt.site, out)
		}
		if n := strings.Count(log.String(), "no SMTP server configured"); n != tt.warnings {
			t.Errorf("%s: %d warnings, want %d; log %q", tt.site, n, tt.warnings, log.String())
		}
	}
}

// A crowd of 20,000 signing in a minute on a server without SMTP fills no
// disk: the console prints the first emails whole, links and all, then a
// few a minute, and says how many it left out, every one accounted for.
// Each is marked printed, none sent, as when each was printed.
func TestConsolePrintsACrowdWithinBounds(t *testing.T) {
	const crowd, rounds = 20_000, 20
	o := newMemoryOutbox(false, crowd)
	for i := range o.messages {
		o.messages[i].Subject = "Please confirm your signature: Free them all"
		o.messages[i].Body = fmt.Sprintf("Thank you for signing.\n\nConfirm your signature here:\nhttp://127.0.0.1:8080/confirm/token-%d\n\nIf you did not sign, ignore this email.\n", i+1)
	}
	now := time.Date(2026, 12, 5, 2, 0, 0, 0, time.UTC)
	var out bytes.Buffer
	console := &Console{W: &out, Local: true, now: func() time.Time { return now }}
	m := testMailer(o, console, 1)
	for range rounds { // a round of 1,000 emails every 3 seconds: a minute
		m.Deliver(context.Background())
		now = now.Add(3 * time.Second)
	}
	now = now.Add(ConsolePace)
	m.Deliver(context.Background()) // the crowd is gone

	first := "To: s0@example.org\nSubject: Please confirm your signature: Free them all\n\n" + o.messages[0].Body
	if !strings.Contains(out.String(), first) {
		t.Errorf("the first email is not printed whole with its link; the console begins %.400q", out.String())
	}
	printed := strings.Count(out.String(), "not sent: no SMTP server is configured")
	most := ConsoleBurst + rounds*3*int(time.Second)/int(ConsolePace) + 1
	if printed > most {
		t.Errorf("%d emails printed in a minute, want at most %d", printed, most)
	}
	// An email's header line is shorter than the rest of it.
	if size := out.Len(); size > 2*most*len(first) {
		t.Errorf("the console holds %d bytes after a minute's crowd, want at most %d", size, 2*most*len(first))
	}
	omitted := 0
	for _, m := range regexp.MustCompile(`(?m)^(\d+) more emails not printed`).FindAllStringSubmatch(out.String(), -1) {
		n, _ := strconv.Atoi(m[1])
		omitted += n
	}
	if printed+omitted != crowd {
		t.Errorf("%d emails printed and %d said left out, want the %d of the crowd", printed, omitted, crowd)
	}
	if !strings.Contains(out.String(), "set UNDERSIGNED_SMTP_URL to send them") {
		t.Error("the console does not say how to send the emails it left out")
	}
	if unprinted, _ := o.UnprintedMessages(context.Background(), crowd); len(unprinted) != 0 {
		t.Errorf("%d emails left unprinted in the outbox, to be printed later", len(unprinted))
	}
	if sent, failed := o.sent(); len(sent)+len(failed) != 0 {
		t.Errorf("%d emails recorded sent and %d failed; the console sends none", len(sent), len(failed))
	}
}
