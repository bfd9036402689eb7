package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"undersigned/handlers"
	"undersigned/handlers/handlertest"
	"undersigned/models/modeltest"
)

// TestCoordinatorLogsInWhileAnotherClientHammers: a stranger sends hundreds
// of wrong passwords for a coordinator's account. He is slowed down,
// answered 429 with a Retry-After that grows each time he waits it out and
// fails again, and his right guess made too early is not even checked; the
// coordinator, from the browser they usually log in with, gets in all the
// while. A browser new to the account waits like the stranger.
func TestCoordinatorLogsInWhileAnotherClientHammers(t *testing.T) {
	s := newSite(t, handlers.Config{TrustedProxies: []string{"0.0.0.0"}})
	clock := time.Now()
	s.h.SetThrottleClock(func() time.Time { return clock })
	const email, coordIP, attackerIP = "c@example.org", "198.51.100.7", "203.0.113.66"
	coord := s.coordinator(email, "Org") // logs in once: this browser is now a usual one
	logout := func() {
		coord.Get("/dashboard")
		postFrom(coord, coordIP, "/logout", url.Values{}).Expect(t, http.StatusSeeOther)
	}
	logout()
	login := func(c *handlertest.Client, ip, password string) handlertest.Response {
		c.Get("/login")
		return postFrom(c, ip, "/login", url.Values{"email": {email}, "password": {password}})
	}

	attacker := s.client()
	refused := 0
	for i := range 300 {
		r := login(attacker, attackerIP, "guess "+strconv.Itoa(i))
		switch r.Status {
		case http.StatusUnauthorized:
		case http.StatusTooManyRequests:
			refused++
		default:
			t.Fatalf("attempt %d: status %d", i, r.Status)
		}
	}
	if refused < 250 {
		t.Errorf("%d of 300 wrong passwords refused unchecked; want the attacker slowed down", refused)
	}
	login(coord, coordIP, modeltest.Password).Expect(t, http.StatusSeeOther)
	logout()

	// Each wait the attacker sits out earns him one more guess and a longer wait.
	last := 0
	for range 6 {
		r := login(attacker, attackerIP, modeltest.Password)
		r.Expect(t, http.StatusTooManyRequests, "Too many attempts")
		wait, err := strconv.Atoi(r.Header.Get("Retry-After"))
		if err != nil || wait <= last {
			t.Fatalf("Retry-After %q after a wait of %ds; want it to grow", r.Header.Get("Retry-After"), last)
		}
		last = wait
		clock = clock.Add(time.Duration(wait) * time.Second)
		login(attacker, attackerIP, "another guess").Expect(t, http.StatusUnauthorized)
		login(coord, coordIP, modeltest.Password).Expect(t, http.StatusSeeOther)
		logout()
	}
	login(s.client(), "192.0.2.1", modeltest.Password).Expect(t, http.StatusTooManyRequests)
}
