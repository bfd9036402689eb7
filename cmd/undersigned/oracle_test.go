package main

import (
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"undersigned/handlers/handlertest"
	"undersigned/models/modeltest"
)

// TestSigningAgainRevealsNothingOnTheBinary is finding 1 against the real
// binary: a prober signs, twenty times each, with the address of a
// confirmed signer and with addresses that never signed, alternating. The
// answers (status, redirect, cookies, thank-you page but for the address
// typed) are the same, the time they take is the same within noise, no
// page shows a private link, and the signer alone hears of it, by one
// email on the console with a private link that works.
func TestSigningAgainRevealsNothingOnTheBinary(t *testing.T) {
	const (
		slug, known = "free-them-all", "leyla@example.org"
		letter      = "/letters/" + slug
		rounds      = 20
	)
	db, addr := modeltest.DSN(t), freeAddr(t)
	newCoordinator(t, db)
	srv := start(t, db, addr)
	coord := loggedIn(t, addr, coordEmail, coordPassword)
	coord.OpenLetter(draft("Free them all", slug), nil)
	owner := handlertest.OverServer(t, addr)
	owner.Get(letter)
	owner.Post(letter+"/sign", handlertest.SignForm("Leyla Yunus", "AZ", known)).Expect(t, http.StatusSeeOther)
	owner.Confirm(linkPath(t, srv.console.next(t, known).link("/confirm/"))).Expect(t, http.StatusOK, "Your signature is confirmed")

	type answer struct {
		status            int
		location, cookies string
		page              string
		took              time.Duration
	}
	csrf := regexp.MustCompile(`name="_csrf" value="[^"]+"`)
	probe := func(email string) answer {
		c := handlertest.OverServer(t, addr)
		c.Get(letter)
		began := time.Now()
		r := c.Post(letter+"/sign", handlertest.SignForm("Prober", "FR", email))
		took := time.Since(began)
		var cookies []string
		for _, line := range r.Header.Values("Set-Cookie") {
			ck, err := http.ParseSetCookie(line)
			if err != nil {
				t.Fatal(err)
			}
			ck.Value = ""
			cookies = append(cookies, ck.String())
		}
		page := c.Get(letter + "/thanks").Body
		if strings.Contains(page, "/signature/") {
			t.Errorf("the thank-you page of %s shows a private link", email)
		}
		page = csrf.ReplaceAllString(strings.ReplaceAll(page, email, "ADDRESS"), "")
		return answer{r.Status, r.Location, strings.Join(cookies, "; "), page, took}
	}
	var knownTimes, unknownTimes []time.Duration
	for i := range rounds {
		k, u := probe(known), probe("nobody"+strconv.Itoa(i)+"@example.org")
		if k.status != u.status || k.location != u.location || k.cookies != u.cookies || k.page != u.page {
			t.Fatalf("round %d: the known address got %d %q %q, the unknown %d %q %q; pages equal: %v",
				i, k.status, k.location, k.cookies, u.status, u.location, u.cookies, k.page == u.page)
		}
		knownTimes, unknownTimes = append(knownTimes, k.took), append(unknownTimes, u.took)
	}
	mk, mu := median(knownTimes), median(unknownTimes)
	t.Logf("median time to answer: %v with the known address, %v with unknown ones", mk, mu)
	if diff := (mk - mu).Abs(); diff > 5*time.Millisecond && diff > max(mk, mu)/2 {
		t.Errorf("a signature with a known address is answered in %v, with an unknown one in %v: the time tells", mk, mu)
	}

	// One email for the twenty attempts (an hour's worth), to the owner.
	again := srv.console.next(t, known)
	time.Sleep(3 * time.Second) // the mailer's next round, had it more to print
	if n := srv.console.sentTo(known); n != 2 {
		t.Errorf("%d emails to the owner, want her confirmation and one saying she had signed", n)
	}
	if !strings.HasPrefix(again.Subject, "You have already signed") {
		t.Errorf("the owner's email is %q", again.Subject)
	}
	if r := handlertest.OverServer(t, addr).Get(linkPath(t, again.link("/signature/"))); r.Status != http.StatusOK || !strings.Contains(r.Body, "Leyla Yunus, Azerbaijan") {
		t.Errorf("the emailed private link answers %d", r.Status)
	}
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}
