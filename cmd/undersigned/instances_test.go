package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"undersigned/handlers/handlertest"
	"undersigned/models/modeltest"
	"undersigned/models/modeltest/suites"
)

// TestTwoInstancesShareState runs the binary twice, on two loopback ports,
// against one PostgreSQL database, as two instances behind a load balancer:
// a coordinator logged in on one is logged in on the other; the signing
// limit counts signatures made on both; a signature confirmed on one is
// counted on the other's page and API; and the mail both instances deliver
// from the one outbox, at the same time, arrives once per message.
func TestTwoInstancesShareState(t *testing.T) {
	if os.Getenv(modeltest.TestDBEnv) == "" {
		suites.Skip(t, "skipped on SQLite: several instances share one database on PostgreSQL only (SQLite is one process's file); "+
			"set UNDERSIGNED_TEST_DB=postgres://… to run it, as the PostgreSQL run of .ci/run does")
	}
	const (
		burst  = 10
		slug   = "free-them-all"
		letter = "/letters/" + slug
	)
	mx := startSMTP(t, "", "")
	// Each message takes the relay longer than a batch of them takes to
	// queue, and a batch takes longer than the mailers' pause between two
	// looks at the outbox: both instances are sending at once.
	mx.slow.Store(int64(300 * time.Millisecond))
	db := modeltest.DSN(t)
	newCoordinator(t, db)
	// The instances agree on the key that hashes client addresses, which
	// no database holds: the operator gives it to both.
	flags := []string{"-client-key", "a secret both instances share", "-smtp-url", mx.url(), "-mail-retry", "200ms", "-sign-burst", fmt.Sprintf("%d/1m", burst)}
	addrA, addrB := freeAddr(t), freeAddr(t)
	// The sender's address tells which instance sent an email.
	start(t, db, addrA, append(flags, "-mail-from", "a@undersigned.example")...)
	start(t, db, addrB, append(flags, "-mail-from", "b@undersigned.example")...)

	// A session made on A is one on B: the cookie jar sends it to both,
	// since cookies do not depend on the port.
	coord := loggedIn(t, addrA, coordEmail, coordPassword)
	coord.OpenLetter(draft("Free them all", slug), nil)
	coord.At(addrB).Get("/dashboard").Expect(t, http.StatusOK, "Free them all")
	if handlertest.OverServer(t, addrB).Get("/dashboard").Status == http.StatusOK {
		t.Fatal("B shows the dashboard without a session: the check above proves nothing")
	}

	// The signing limit counts on both: half the burst on A, half on B,
	// and B turns the next one away although it took only half itself.
	signers := map[string]*handlertest.Client{"A": handlertest.OverServer(t, addrA), "B": handlertest.OverServer(t, addrB)}
	var recipients []string
	for i := range burst {
		on := "A"
		if i >= burst/2 {
			on = "B"
		}
		to := fmt.Sprintf("signer%d@example.org", i)
		signers[on].Get(letter)
		signers[on].Post(letter+"/sign", handlertest.SignForm(fmt.Sprintf("Signer %d", i), "FR", to)).Expect(t, http.StatusSeeOther)
		recipients = append(recipients, to)
	}
	signers["B"].Get(letter)
	signers["B"].Post(letter+"/sign", handlertest.SignForm("One too many", "FR", "toomany@example.org")).Expect(t, http.StatusTooManyRequests)

	// Both instances deliver the outbox: every email arrives, once.
	waitFor(t, fmt.Sprintf("%d emails at the relay", burst), func() bool { return len(mx.received.all()) >= burst })
	waitFor(t, "the outbox to mark every email sent", func() bool { unsent, _ := outboxState(t, db); return unsent == 0 })
	byID, byRecipient, bySender := map[string]int{}, map[string]int{}, map[string]int{}
	for _, e := range mx.received.all() {
		byID[e.ID]++
		byRecipient[e.To]++
		bySender[e.From]++
	}
	if len(bySender) != 2 {
		t.Errorf("emails by sender %v; want both instances to have sent some, or the check proves nothing", bySender)
	}
	for id, n := range byID {
		if n != 1 {
			t.Errorf("message %s arrived %d times", id, n)
		}
	}
	for _, to := range recipients {
		if byRecipient[to] != 1 {
			t.Errorf("%s got %d emails, want 1", to, byRecipient[to])
		}
	}

	// A signature confirmed on A is counted on B, and one confirmed on B on
	// A: at once on the instance that confirmed it, and on the other as soon
	// as PostgreSQL's notice of the commit reaches it, within a second in
	// any case (the longest a page or letter is cached).
	public := map[string]*handlertest.Client{"A": handlertest.OverServer(t, addrA), "B": handlertest.OverServer(t, addrB)}
	for n, confirmOn := range []string{"A", "B"} {
		e := mx.received.next(t, recipients[n])
		public[confirmOn].Confirm(linkPath(t, e.link("/confirm/"))).Expect(t, http.StatusOK, "Your signature is confirmed")
		want := int64(n + 1)
		wantPage := fmt.Sprintf("%d signature", want)
		agrees := func(on string) bool {
			page := public[on].Get(letter).Body
			return apiTotal(t, public[on], slug) == want && strings.Contains(page, wantPage) && strings.Contains(page, fmt.Sprintf("Signer %d", n))
		}
		if !agrees(confirmOn) {
			t.Errorf("after %d confirmations, %s, which confirmed the last, does not show %d signatures", n+1, confirmOn, want)
		}
		other := map[string]string{"A": "B", "B": "A"}[confirmOn]
		began := time.Now()
		for !agrees(other) {
			if time.Since(began) > 2*time.Second {
				t.Fatalf("after %d confirmations, %s still does not show %d signatures after %v", n+1, other, want, time.Since(began))
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Logf("confirmed on %s, counted on %s %v later", confirmOn, other, time.Since(began).Round(time.Millisecond))
	}
}

// apiTotal reads a letter's count of signatures from its JSON API.
func apiTotal(t *testing.T, c *handlertest.Client, slug string) int64 {
	t.Helper()
	body := c.Get("/letters/" + slug + ".json").Body
	var letter struct {
		Counts struct {
			Total int64 `json:"total"`
		} `json:"counts"`
	}
	if err := json.Unmarshal([]byte(body), &letter); err != nil {
		t.Fatalf("letter API: %v: %s", err, body)
	}
	return letter.Counts.Total
}
