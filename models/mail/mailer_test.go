package mail

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
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
	outcomes map[int64][]Delivery
}

func newMemoryOutbox(shared bool, n int) *memoryOutbox {
	o := &memoryOutbox{shared: shared, claimed: map[int64]bool{}, outcomes: map[int64][]Delivery{}}
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

func (o *memoryOutbox) UnprintedMessages(context.Context, int) ([]Message, error) { return nil, nil }
func (o *memoryOutbox) MarkPrinted(context.Context, ...int64) error               { return nil }

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
// says, and counts the emails it was taking at once.
type mailServer struct {
	refuse     func(Message) error
	mu         sync.Mutex
	busy, most int
}

func (s *mailServer) Send(_ context.Context, m Message) error {
	s.mu.Lock()
	s.busy++
	s.most = max(s.most, s.busy)
	s.mu.Unlock()
	time.Sleep(time.Millisecond)
	s.mu.Lock()
	s.busy--
	s.mu.Unlock()
	if s.refuse != nil {
		return s.refuse(m)
	}
	return nil
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
		sent, failed := o.sent()
		if len(sent) != messages || len(failed) != 0 || len(slices.Compact(sent)) != messages {
			t.Errorf("%d emails recorded sent, %d different, %d failed; want each of the %d once", len(sent), len(slices.Compact(sent)), len(failed), messages)
		}
		if s.most < 2 || s.most > senders {
			t.Errorf("%d emails at once at most; want several, and at most the %d senders", s.most, senders)
		}
	})
}

// A sender whose server cannot be used stops at its first failure, while
// the others carry on with the rest of the round; the next round waits for
// the poll interval.
func TestMailerSenderThatStopsTakesNoMore(t *testing.T) {
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
		sent, failed := o.sent()
		if len(sent) != 9 || len(slices.Compact(sent)) != 9 || !slices.Equal(failed, []int64{1}) {
			t.Errorf("sent %v, failed %v; want the 9 others sent once, and the first failed once", sent, failed)
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
