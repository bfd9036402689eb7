package models_test

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"undersigned/models"
	"undersigned/models/mail"
	"undersigned/models/modeltest"
)

// newsMail is a news email carrying the bare unsubscribe token, for tests
// that read the outbox.
func newsMail(l *models.Letter, u *models.LetterUpdate, sig *models.Signature, token string) models.Message {
	return models.Message{To: sig.Email, Lang: l.Lang, Subject: "News: " + l.Title, Body: u.Body + "\nunsubscribe " + token,
		ListUnsubscribe: "https://letters.example/news/unsubscribe/" + token}
}

// newsTo returns the news emails in the outbox, by recipient.
func newsTo(t *testing.T, s *models.Store) map[string][]models.OutboxMessage {
	t.Helper()
	due, err := s.DueMessages(context.Background(), 10000)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]models.OutboxMessage{}
	for _, m := range due {
		if strings.HasPrefix(m.Subject, "News: ") {
			out[m.Recipient] = append(out[m.Recipient], m)
		}
	}
	return out
}

// sendAllNews runs the news job until no send is under way, moving the
// clock to each chunk's time, and returns how many chunks it took.
func sendAllNews(t *testing.T, s *models.Store, clock *testClock, perMinute int) int {
	t.Helper()
	for chunks := 0; ; chunks++ {
		wait, busy, err := s.SendNewsChunk(context.Background(), newsMail, perMinute)
		if err != nil {
			t.Fatal(err)
		}
		if !busy {
			return chunks
		}
		clock.advance(wait)
	}
}

// postAndSend posts an update on l and asks for it to be sent as news.
func postAndSend(t *testing.T, s *models.Store, l *models.Letter, body string) *models.LetterUpdate {
	t.Helper()
	u, err := s.AddUpdate(context.Background(), l, asOf, body)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SendNews(context.Background(), l, u.ID); err != nil {
		t.Fatal(err)
	}
	return u
}

// onceEach fails the test for each signer who got news more than once.
func onceEach(t *testing.T, news map[string][]models.OutboxMessage) {
	t.Helper()
	for to, msgs := range news {
		if len(msgs) != 1 {
			t.Errorf("%s got the update %d times", to, len(msgs))
		}
	}
}

// unsubscribeToken reads the token of the unsubscribe link of a news email.
func unsubscribeToken(t *testing.T, m models.OutboxMessage) string {
	t.Helper()
	_, token, ok := strings.Cut(m.Body, "\nunsubscribe ")
	if !ok || m.ListUnsubscribe != "https://letters.example/news/unsubscribe/"+token {
		t.Fatalf("news email without its unsubscribe link in the body and in List-Unsubscribe: %q, %q", m.Body, m.ListUnsubscribe)
	}
	return token
}

// askingForNews is a signer, addressed email, who ticks "Email me news".
func askingForNews(email string) models.NewSignature {
	in := person("Signer", "CZ", email)
	in.News = true
	return in
}

// subscribe signs l as n confirmed signers asking for news, addressed
// modeltest.SignerEmail(0) on, and returns their private links' tokens.
func subscribe(t *testing.T, s *models.Store, l *models.Letter, n int) []string {
	t.Helper()
	manage := make([]string, n)
	for i := range n {
		manage[i] = signAndConfirm(t, s, l, askingForNews(modeltest.SignerEmail(i)))
	}
	return manage
}

// TestNewsGoesToConfirmedSignersWhoAsked: an update sent goes, once, to
// each confirmed signer who ticked the box, whether listed by name or
// counted only; not to one who did not tick it, nor to one who has not
// confirmed, nor to one who withdrew.
func TestNewsGoesToConfirmedSignersWhoAsked(t *testing.T) {
	ctx := context.Background()
	s := modeltest.Open(t)
	clock := stoppedClock(s, asOf)
	_, l := openLetter(t, s)
	signers := []struct {
		email              string
		news, confirm      bool
		display            models.Display
		withdraw, receives bool
	}{
		{email: "named@example.org", news: true, confirm: true, display: models.DisplayFull, receives: true},
		{email: "counted@example.org", news: true, confirm: true, display: models.DisplayCounted, receives: true},
		{email: "silent@example.org", confirm: true, display: models.DisplayFull},
		{email: "unconfirmed@example.org", news: true, display: models.DisplayFull},
		{email: "withdrawn@example.org", news: true, confirm: true, display: models.DisplayFull, withdraw: true},
	}
	var want []string
	for _, sg := range signers {
		in := person("Leyla Yunus", "AZ", sg.email)
		in.News, in.Display = sg.news, sg.display
		if !sg.confirm {
			sign(t, s, l, in)
			continue
		}
		manage := signAndConfirm(t, s, l, in)
		if sg.withdraw {
			if _, err := s.Withdraw(ctx, manage); err != nil {
				t.Fatal(err)
			}
		}
		if sg.receives {
			want = append(want, sg.email)
		}
	}
	if n, err := s.NewsSubscribers(ctx, l.ID); err != nil || n != 2 {
		t.Fatalf("signers who asked for news: %d, %v; want 2", n, err)
	}
	u := postAndSend(t, s, l, "Two of the prisoners were released.")
	sendAllNews(t, s, clock, 600)
	if err := s.SendNews(ctx, l, u.ID); err != nil { // a second click sends nothing more
		t.Fatal(err)
	}
	sendAllNews(t, s, clock, 600)
	got := newsTo(t, s)
	if keys := slices.Sorted(maps.Keys(got)); !slices.Equal(keys, slices.Sorted(slices.Values(want))) {
		t.Fatalf("news went to %v, want %v", keys, want)
	}
	onceEach(t, got)
	for to, msgs := range got {
		if !strings.Contains(msgs[0].Body, "Two of the prisoners were released.") {
			t.Errorf("news to %s does not carry the update: %q", to, msgs[0].Body)
		}
		unsubscribeToken(t, msgs[0])
	}
	sends, err := s.NewsSends(ctx, l.ID)
	if err != nil || sends[u.ID].Sent != 2 || sends[u.ID].FinishedAt == nil {
		t.Fatalf("the send's record: %+v, %v; want 2 sent, finished", sends[u.ID], err)
	}
	if err := s.SendNews(ctx, l, u.ID+1000); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("sending an update of no letter: %v, want ErrNotFound", err)
	}
}

// TestNewsNeedsAProvenAddress: a letter that lists signatures without
// confirming their addresses keeps no request for news, since anyone
// could have typed the address.
func TestNewsNeedsAProvenAddress(t *testing.T) {
	s := modeltest.Open(t)
	_, l := openLetter(t, s)
	modeltest.ListAtOnce(t, s, l)
	sign(t, s, l, askingForNews("leyla@example.org"))
	if n, err := s.NewsSubscribers(context.Background(), l.ID); err != nil || n != 0 {
		t.Fatalf("signers who asked for news on a letter that proves no address: %d, %v; want 0", n, err)
	}
}

// TestNewsSendKeepsItsRateAndSurvivesARestart: at 60 emails a minute a
// send puts one email in the outbox a second, whatever the job is asked
// meanwhile; a restart of the server halfway goes on where it stopped,
// and no signer gets the update twice.
func TestNewsSendKeepsItsRateAndSurvivesARestart(t *testing.T) {
	ctx := context.Background()
	s, dsn := modeltest.OpenDSN(t)
	clock := stoppedClock(s, asOf)
	_, l := openLetter(t, s)
	const subscribers = 5
	for i := range subscribers + 2 {
		in := person("Signer", "CZ", modeltest.SignerEmail(i))
		in.News = i < subscribers
		signAndConfirm(t, s, l, in)
	}
	postAndSend(t, s, l, "The letter was delivered.")
	for range 3 { // asked three times in the same second: one chunk
		wait, busy, err := s.SendNewsChunk(ctx, newsMail, 60)
		if err != nil || !busy || wait <= 0 || wait > time.Second {
			t.Fatalf("a send under way: wait %v, busy %v, %v; want up to a second", wait, busy, err)
		}
	}
	if n := len(newsTo(t, s)); n != 1 {
		t.Fatalf("%d emails in the outbox after the first second at 60 a minute, want 1", n)
	}
	clock.advance(time.Second)
	if _, _, err := s.SendNewsChunk(ctx, newsMail, 60); err != nil {
		t.Fatal(err)
	}
	s.Close() // the server stops halfway
	s, err := models.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	s.SetClock(clock.now)
	clock.advance(time.Second)
	if chunks := sendAllNews(t, s, clock, 60); chunks != subscribers-2 {
		t.Errorf("the rest of the send took %d chunks, want %d", chunks, subscribers-2)
	}
	got := newsTo(t, s)
	if len(got) != subscribers {
		t.Fatalf("news went to %d signers, want %d", len(got), subscribers)
	}
	onceEach(t, got)
	if _, busy, err := s.SendNewsChunk(ctx, newsMail, 60); busy || err != nil {
		t.Errorf("after the send: busy %v, %v", busy, err)
	}
}

// TestUnsubscribeByLink: the link in a news email stops the signer's news
// without a login; a second click says so; a link altered or of a
// signature withdrawn since is unknown.
func TestUnsubscribeByLink(t *testing.T) {
	ctx := context.Background()
	s := modeltest.Open(t)
	clock := stoppedClock(s, asOf)
	_, l := openLetter(t, s)
	manage := subscribe(t, s, l, 2)
	postAndSend(t, s, l, "A response arrived.")
	sendAllNews(t, s, clock, 600)
	got := newsTo(t, s)
	token := unsubscribeToken(t, got[modeltest.SignerEmail(0)][0])
	other := unsubscribeToken(t, got[modeltest.SignerEmail(1)][0])

	if gotL, subscribed, err := s.NewsSubscription(ctx, token); err != nil || !subscribed || gotL.ID != l.ID {
		t.Fatalf("the link's page: subscribed %v, %v", subscribed, err)
	}
	for i, wantAlready := range []bool{false, true} {
		gotL, already, err := s.Unsubscribe(ctx, token)
		if err != nil || already != wantAlready || gotL.ID != l.ID {
			t.Fatalf("click %d: already %v, %v; want %v", i+1, already, err, wantAlready)
		}
	}
	if n, err := s.NewsSubscribers(ctx, l.ID); err != nil || n != 1 {
		t.Fatalf("signers who asked for news after one unsubscribed: %d, %v; want 1", n, err)
	}
	if waiting := newsTo(t, s)[modeltest.SignerEmail(0)]; len(waiting) != 0 {
		t.Errorf("%d news emails still wait for the signer who unsubscribed", len(waiting))
	}
	if _, err := s.Withdraw(ctx, manage[1]); err != nil {
		t.Fatal(err)
	}
	tampered := []byte(token)
	tampered[len(tampered)-1] ^= 1
	for name, bad := range map[string]string{"altered": string(tampered), "garbage": "not-a-token", "withdrawn since": other} {
		if _, _, err := s.Unsubscribe(ctx, bad); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("%s link: %v, want ErrNotFound", name, err)
		}
	}
}

// TestRetentionErasesTheRequestForNews: once a letter's retention is over,
// its signers' request for news goes with their addresses.
func TestRetentionErasesTheRequestForNews(t *testing.T) {
	ctx := context.Background()
	s := modeltest.Open(t)
	clock := stoppedClock(s, asOf)
	_, l := openLetter(t, s)
	in := person("Leyla Yunus", "AZ", "leyla@example.org")
	in.News = true
	signAndConfirm(t, s, l, in)
	if err := s.SetLetterState(ctx, l, models.StateClosed); err != nil {
		t.Fatal(err)
	}
	clock.advance(time.Duration(l.RetentionDays+1) * day)
	if _, err := s.EraseExpired(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := s.NewsSubscribers(ctx, l.ID); err != nil || n != 0 {
		t.Fatalf("signers who asked for news after retention: %d, %v; want 0", n, err)
	}
}

// newsBodies returns the updates the news emails in the outbox carry, by
// recipient, sorted.
func newsBodies(t *testing.T, s *models.Store) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for to, msgs := range newsTo(t, s) {
		for _, m := range msgs {
			body, _, _ := strings.Cut(m.Body, "\nunsubscribe ")
			out[to] = append(out[to], body)
		}
		slices.Sort(out[to])
	}
	return out
}

// TestNewsWaitingGoesWithTheSigner: news still waiting in the outbox does
// not reach a signer who withdrew, nor one whose address the letter's
// retention erased; the news of another letter they asked for still goes.
func TestNewsWaitingGoesWithTheSigner(t *testing.T) {
	ctx := context.Background()
	s := modeltest.Open(t)
	clock := stoppedClock(s, asOf)
	_, l := openLetter(t, s)
	_, other := openLetterOf(t, s, "coordinator@other.example", "Other")
	withdrawing := signAndConfirm(t, s, l, askingForNews("leyla@example.org"))
	signAndConfirm(t, s, l, askingForNews("arif@example.org"))
	signAndConfirm(t, s, other, askingForNews("leyla@example.org"))
	postAndSend(t, s, l, "Delivered.")
	postAndSend(t, s, other, "The other letter was delivered.")
	sendAllNews(t, s, clock, 600)

	if _, err := s.Withdraw(ctx, withdrawing); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{"arif@example.org": {"Delivered."}, "leyla@example.org": {"The other letter was delivered."}}
	if got := newsBodies(t, s); !maps.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("news waiting after leyla@ withdrew from the first letter: %v, want %v", got, want)
	}

	if err := s.SetLetterState(ctx, l, models.StateClosed); err != nil {
		t.Fatal(err)
	}
	clock.advance(time.Duration(l.RetentionDays+1) * day) // the outbox forgets the news above
	postAndSend(t, s, l, "A response arrived.")
	postAndSend(t, s, other, "The other letter got a response.")
	sendAllNews(t, s, clock, 600)
	if _, err := s.EraseExpired(ctx); err != nil {
		t.Fatal(err)
	}
	want = map[string][]string{"leyla@example.org": {"The other letter got a response."}}
	if got := newsBodies(t, s); !maps.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("news waiting after the first letter's retention ended: %v, want %v", got, want)
	}
}

// TestNewsWaitsForASlowRelay: when the relay takes mail slower than the
// rate, a send stops adding news to the outbox once ten chunks of it wait
// there, so that signers' own links are not queued behind a pile of it,
// and goes on as the relay catches up.
func TestNewsWaitsForASlowRelay(t *testing.T) {
	ctx := context.Background()
	s := modeltest.Open(t)
	clock := stoppedClock(s, asOf)
	_, l := openLetter(t, s)
	subscribe(t, s, l, 15)
	deliverDue(t, s, func(mail.Message) mail.Delivery { return mail.Delivery{} }) // the confirmations
	postAndSend(t, s, l, "Delivered.")
	waiting := func() int {
		n := 0
		for _, msgs := range newsTo(t, s) {
			n += len(msgs)
		}
		return n
	}
	for range 20 { // 20 seconds at 60 a minute, one email a chunk, the relay down
		wait, busy, err := s.SendNewsChunk(ctx, newsMail, 60)
		if err != nil || !busy {
			t.Fatalf("a send under way: busy %v, %v", busy, err)
		}
		clock.advance(wait)
	}
	if n := waiting(); n != 10 {
		t.Fatalf("%d news emails wait in the outbox of a relay that takes none, want 10", n)
	}
	deliverDue(t, s, func(mail.Message) mail.Delivery { return mail.Delivery{} })
	sendAllNews(t, s, clock, 60)
	if n := waiting(); n != 5 {
		t.Fatalf("%d news emails wait once the relay took the first 10, want the other 5", n)
	}
}
