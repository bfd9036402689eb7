package handlers_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"undersigned/handlers"
	"undersigned/models/modeltest"
)

// csrfValue is the per-browser token a page carries, which two probers'
// pages may differ by.
var csrfValue = regexp.MustCompile(`name="_csrf" value="[^"]+"`)

// cookieShapes are the cookies a response sets, without their values.
func cookieShapes(h http.Header) []string {
	var out []string
	for _, c := range (&http.Response{Header: h}).Cookies() {
		c.Value = ""
		out = append(out, c.String())
	}
	slices.Sort(out)
	return out
}

// TestSigningTellsNothingOfWhoSigned is the attack of finding 1: a prober
// signs with an address known to have signed, and with one that has not,
// and compares what comes back. Both get the same status, redirect,
// cookies and thank-you page (but for the address typed), neither page
// shows a private link, and nothing new is listed for the known address;
// its owner alone hears of it, by email, with their private link, once an
// hour however often it is tried.
func TestSigningTellsNothingOfWhoSigned(t *testing.T) {
	for name, settings := range map[string]url.Values{"listed at once": listAtOnce(), "confirmed by email": nil} {
		t.Run(name, func(t *testing.T) {
			s := newSite(t, handlers.Config{})
			s.openLetter("c@example.org", "Org", settings)
			const known = "leyla@example.org"
			owner := s.browser()
			owner.get(seedSlug)
			owner.post(seedSlug+"/sign", signForm("Leyla Yunus", "AZ", known)).expect(t, http.StatusSeeOther)
			if settings == nil {
				s.browser().confirm(s.mailedLink(known, "/confirm/"))
			}
			before, mailed := s.signatures(), len(s.inbox(known))

			probe := func(email string) (sign, thanks, resend, resent response) {
				b := s.browser()
				b.get(seedSlug)
				sign = b.post(seedSlug+"/sign", signForm("Prober", "FR", email))
				thanks = b.get(seedSlug + "/thanks")
				resend = b.post(seedSlug+"/resend", url.Values{})
				resent = b.get(seedSlug + "/thanks?resent=1")
				return
			}
			for attempt := range 3 {
				unknown := "nobody" + strconv.Itoa(attempt) + "@example.org"
				ks, kt, kr, kd := probe(known)
				us, ut, ur, ud := probe(unknown)
				for _, pair := range []struct {
					what     string
					got, ref response
				}{{"signing", ks, us}, {"thank-you page", kt, ut}, {"resending", kr, ur}, {"page after resending", kd, ud}} {
					if pair.got.status != pair.ref.status || pair.got.location != pair.ref.location {
						t.Errorf("attempt %d, %s: known address %d %q, unknown %d %q", attempt, pair.what, pair.got.status, pair.got.location, pair.ref.status, pair.ref.location)
					}
					if got, ref := cookieShapes(pair.got.header), cookieShapes(pair.ref.header); !slices.Equal(got, ref) {
						t.Errorf("attempt %d, %s: cookies %q for the known address, %q for the unknown", attempt, pair.what, got, ref)
					}
					got := csrfValue.ReplaceAllString(strings.ReplaceAll(pair.got.body, known, "ADDRESS"), "CSRF")
					ref := csrfValue.ReplaceAllString(strings.ReplaceAll(pair.ref.body, unknown, "ADDRESS"), "CSRF")
					if got != ref {
						t.Errorf("attempt %d, %s: the pages differ:\nknown:\n%s\nunknown:\n%s", attempt, pair.what, excerpt(got), excerpt(ref))
					}
					if strings.Contains(pair.got.body, "/signature/") || strings.Contains(pair.ref.body, "/signature/") {
						t.Errorf("attempt %d, %s: a private link on the page", attempt, pair.what)
					}
				}
				kt.expect(t, http.StatusOK, "We have sent an email to <bdi>"+known+"</bdi>")
			}
			if n := s.signatures(); n != before+3 {
				t.Errorf("%d signatures stored, want the %d before and the 3 unknown addresses'", n, before)
			}
			s.browser().get(seedSlug+"/signatories").expect(t, http.StatusOK)

			// The owner got one email from the repeated signatures, with a
			// private link that works, and the three resends, each counted
			// per address: none is lost to the prober.
			mail := s.inbox(known)
			if len(mail) != mailed+4 {
				t.Fatalf("%d emails to the owner after 3 repeated signatures and 3 resends, want %d", len(mail), mailed+4)
			}
			if !strings.HasPrefix(mail[mailed].Subject, "You have already signed") || !strings.Contains(mail[mailed].Body, "someone, perhaps you") {
				t.Errorf("the owner's email: %s\n%s", mail[mailed].Subject, mail[mailed].Body)
			}
			s.browser().get(s.mailedLink(known, "/signature/")).expect(t, http.StatusOK, "Leyla Yunus, Azerbaijan")
		})
	}
}

// TestRefusedSignerWhoWaitsSignsAfterward is finding 10: only stored
// signatures count, a refused one counts nothing, and the time it is told
// to wait (the Retry-After header and the message agree) is when it can
// sign. Invalid forms and dropped bot forms count nothing either.
func TestRefusedSignerWhoWaitsSignsAfterward(t *testing.T) {
	const window = 3 * time.Second
	s := newSite(t, handlers.Config{MinSignTime: time.Millisecond, Limits: handlers.Limits{SignBurst: handlers.RateLimit{Max: 2, Window: window}}})
	s.publishedLetter("c@example.org", "Org")
	b := s.browser()
	b.get(seedSlug)
	time.Sleep(2 * time.Millisecond)
	for range 5 {
		b.post(seedSlug+"/sign", signForm("Typo", "XX", "typo@example.org")).expect(t, http.StatusUnprocessableEntity)
		bot := signForm("Bot", "FR", "bot@example.org")
		bot.Set("referral_code", "X7")
		b.post(seedSlug+"/sign", bot).expect(t, http.StatusSeeOther)
	}
	b.post(seedSlug+"/sign", signForm("One", "FR", "one@example.org")).expect(t, http.StatusSeeOther)
	b.post(seedSlug+"/sign", signForm("Two", "FR", "two@example.org")).expect(t, http.StatusSeeOther)

	var wait int
	for i := range 4 {
		r := b.post(seedSlug+"/sign", signForm("Three", "FR", "three@example.org")).expect(t, http.StatusTooManyRequests, `value="Three"`)
		n, err := strconv.Atoi(r.header.Get(fiber.HeaderRetryAfter))
		if err != nil || n < 1 || n > 3 {
			t.Fatalf("Retry-After %q, want 1 to 3 seconds", r.header.Get(fiber.HeaderRetryAfter))
		}
		unit := " seconds."
		if n == 1 {
			unit = " second."
		}
		r.expect(t, http.StatusTooManyRequests, "please try again in "+strconv.Itoa(n)+unit)
		if i > 0 && n > wait {
			t.Fatalf("trying again while refused pushed the time back: %d s, then %d s", wait, n)
		}
		wait = n
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(time.Duration(wait) * time.Second)
	b.post(seedSlug+"/sign", signForm("Three", "FR", "three@example.org")).expect(t, http.StatusSeeOther)
	if n := s.signatures(); n != 3 {
		t.Errorf("%d signatures stored, want 3", n)
	}
}

// TestRetryTimesReadAsPeopleSay: the message in minutes agrees with
// Retry-After, with real plurals.
func TestRetryTimesReadAsPeopleSay(t *testing.T) {
	for _, tt := range []struct {
		window time.Duration
		phrase string
		header string
	}{
		{time.Minute, "please try again in 1 minute.", "60"},
		{2 * time.Minute, "please try again in 2 minutes.", "120"},
	} {
		_, b := limitedSigner(t, 1, tt.window)
		b.post(seedSlug+"/sign", signForm("One", "FR", "one@example.org")).expect(t, http.StatusSeeOther)
		r := b.post(seedSlug+"/sign", signForm("Two", "FR", "two@example.org")).expect(t, http.StatusTooManyRequests, tt.phrase)
		if got := r.header.Get(fiber.HeaderRetryAfter); got != tt.header {
			t.Errorf("Retry-After %q with %q, want %q", got, tt.phrase, tt.header)
		}
	}
}

// TestResendIsLimitedPerAddress: colleagues behind one office address each
// get their emails sent again; one address asking too often is refused.
func TestResendIsLimitedPerAddress(t *testing.T) {
	s := newSite(t, handlers.Config{Limits: handlers.Limits{Resend: handlers.RateLimit{Max: 3, Window: time.Hour}}})
	s.openLetter("c@example.org", "Org", nil)
	var first *browser
	for i := range 5 {
		email := "colleague" + strconv.Itoa(i) + "@office.example"
		b := s.browser()
		b.get(seedSlug)
		b.post(seedSlug+"/sign", signForm("Colleague "+strconv.Itoa(i), "FR", email)).expect(t, http.StatusSeeOther)
		b.get(seedSlug + "/thanks")
		for range 3 {
			b.post(seedSlug+"/resend", url.Values{}).expect(t, http.StatusSeeOther)
		}
		if n := len(s.inbox(email)); n != 4 {
			t.Errorf("colleague %d: %d emails, want 4", i, n)
		}
		if i == 0 {
			first = b
		}
	}
	first.post(seedSlug+"/resend", url.Values{}).expect(t, http.StatusTooManyRequests, "Please wait 60 minutes before asking again.")
	if n := len(s.inbox("colleague0@office.example")); n != 4 {
		t.Errorf("%d emails after a refused resend, want still 4", n)
	}
}

// recordingStorage is the limits' storage in memory, recording the keys set.
type recordingStorage struct {
	fiber.Storage
	mu   sync.Mutex
	keys []string
}

func (r *recordingStorage) Set(key string, val []byte, exp time.Duration) error {
	r.mu.Lock()
	r.keys = append(r.keys, key)
	r.mu.Unlock()
	return r.Storage.Set(key, val, exp)
}

// TestUnknownLettersLeaveNoLimitState is finding 3 at its source: forms
// sent to letters that do not exist keep nothing, and a signature's
// counters are keyed by the letter's id, not by the path it came by.
func TestUnknownLettersLeaveNoLimitState(t *testing.T) {
	db := modeltest.Open(t)
	store := &recordingStorage{Storage: handlers.SharedRateLimits(db)}
	s := newSiteOn(t, db, handlers.Config{Limits: handlers.Limits{Storage: store}})
	s.publishedLetter("c@example.org", "Org")
	store.keys = nil // the coordinator's login
	b := s.browser()
	b.get(seedSlug)
	long := strings.Repeat("x", 2000)
	for i := range 50 {
		b.post("/letters/"+long+strconv.Itoa(i)+"/sign", signForm("Prober", "FR", "p@example.org")).expect(t, http.StatusNotFound)
		b.post("/letters/"+long+strconv.Itoa(i)+"/resend", url.Values{}).expect(t, http.StatusNotFound)
	}
	if len(store.keys) != 0 {
		t.Fatalf("forms to unknown letters stored %d counters, such as %.80q", len(store.keys), store.keys[0])
	}
	b.post(seedSlug+"/sign", signForm("Igor Blazevic", "CZ", "igor@example.org")).expect(t, http.StatusSeeOther)
	for _, k := range store.keys {
		if strings.Contains(k, "azerbaijan") || len(k) > 100 {
			t.Errorf("counter key %q holds the path", k)
		}
	}
	if len(store.keys) == 0 {
		t.Error("a signature counted nowhere")
	}
}

// TestStartedTokenIsBoundToItsLetterAndExpires is the anti-bot part of
// finding 9: a form's started token taken from another letter's page is a
// bot's (dropped, answered as success, nothing stored); one over a day old
// is a person's form left open, shown again with its values and a fresh
// token, which then signs. The page cache gives each letter's visitors a
// token of that letter.
func TestStartedTokenIsBoundToItsLetterAndExpires(t *testing.T) {
	s := newSite(t, handlers.Config{MinSignTime: time.Millisecond})
	coord, _ := s.publishedLetter("c@example.org", "Org")
	coord.get("/dashboard/letters/new")
	other := strings.TrimSuffix(coord.post("/dashboard/letters", url.Values{"title": {"Another letter"}, "slug": {"another"}, "action": {"save"}}).
		expect(t, http.StatusSeeOther).location, "?saved=1")
	coord.get(other)
	coord.post(other+"/state", url.Values{"state": {"open"}}).expect(t, http.StatusSeeOther)

	b := s.browser()
	for range 2 { // rendered, then from the cache
		b.get("/letters/another").expect(t, http.StatusOK)
	}
	foreign := b.started
	b.get(seedSlug).expect(t, http.StatusOK)
	time.Sleep(2 * time.Millisecond)
	f := signForm("Foreign Token", "FR", "foreign@example.org")
	f.Set("started", foreign)
	b.post(seedSlug+"/sign", f).expect(t, http.StatusSeeOther)
	if n := s.signatures(); n != 0 || len(s.inbox("foreign@example.org")) != 0 {
		t.Fatalf("a form with another letter's token stored %d signatures", n)
	}

	f = signForm("Left Open", "FR", "open@example.org")
	f.Set("started", s.h.StartedTokenAt(s.letter().ID, time.Now().Add(-25*time.Hour)))
	r := b.post(seedSlug+"/sign", f).expect(t, http.StatusUnprocessableEntity, "more than a day ago", `value="Left Open"`, `value="open@example.org"`)
	fresh := startedInput.FindStringSubmatch(r.body)
	if fresh == nil || fresh[1] == f.Get("started") {
		t.Fatal("the form shown again has no fresh token")
	}
	time.Sleep(2 * time.Millisecond)
	f.Set("started", fresh[1])
	b.post(seedSlug+"/sign", f).expect(t, http.StatusSeeOther)
	if n := s.signatures(); n != 1 {
		t.Fatalf("%d signatures after sending the form again, want 1", n)
	}

	// The seed letter's cached page gives a token of its own letter.
	for range 2 {
		b.get(seedSlug).expect(t, http.StatusOK)
		time.Sleep(2 * time.Millisecond)
		b.post(seedSlug+"/sign", signForm("Cached", "FR", "cached"+strconv.Itoa(int(s.signatures()))+"@example.org")).expect(t, http.StatusSeeOther)
	}
	if n := s.signatures(); n != 3 {
		t.Errorf("%d signatures with tokens from the cached page, want 3", n)
	}
}

// TestConcurrentFloodStoresNoMoreThanTheLimit: signatures sent at once
// take their places in the limit before they are stored, so that a crowd
// of them from one client cannot all pass while none is stored yet.
func TestConcurrentFloodStoresNoMoreThanTheLimit(t *testing.T) {
	s, b := limitedSigner(t, 5, time.Minute)
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	for i := range 40 {
		wg.Go(func() {
			f := signForm("Crowd", "FR", "crowd"+strconv.Itoa(i)+"@example.org")
			f.Set("_csrf", b.csrf)
			req := httptest.NewRequest(http.MethodPost, seedSlug+"/sign", strings.NewReader(f.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.AddCookie(&http.Cookie{Name: "undersigned_csrf", Value: b.cookies["undersigned_csrf"]})
			resp, err := s.app.Test(req, -1)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			mu.Lock()
			statuses[resp.StatusCode]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if statuses[http.StatusSeeOther] != 5 || statuses[http.StatusTooManyRequests] != 35 {
		t.Errorf("statuses %v, want 5 × 303 and 35 × 429", statuses)
	}
	if n := s.signatures(); n != 5 {
		t.Errorf("%d signatures stored, want 5", n)
	}
}

// TestRepeatedSignaturesCountAgainstTheLimit: a signature with an address
// that had signed looks stored, so it counts as one; were it free, the
// limit would tell it apart.
func TestRepeatedSignaturesCountAgainstTheLimit(t *testing.T) {
	s, b := limitedSigner(t, 3, time.Minute)
	b.post(seedSlug+"/sign", signForm("Leyla Yunus", "AZ", "leyla@example.org")).expect(t, http.StatusSeeOther)
	b.post(seedSlug+"/sign", signForm("Prober", "FR", "leyla@example.org")).expect(t, http.StatusSeeOther)
	b.post(seedSlug+"/sign", signForm("Prober", "FR", "leyla@example.org")).expect(t, http.StatusSeeOther)
	b.post(seedSlug+"/sign", signForm("Prober", "FR", "someone@example.org")).expect(t, http.StatusTooManyRequests, `value="someone@example.org"`)
	if n := s.signatures(); n != 1 {
		t.Errorf("%d signatures stored, want 1", n)
	}
}

// limitedSigner is a browser on the seed letter, listing at once, of a site
// that takes max signatures per window from one client.
func limitedSigner(t *testing.T, max int, window time.Duration) (*site, *browser) {
	t.Helper()
	s := newSite(t, handlers.Config{Limits: handlers.Limits{SignBurst: handlers.RateLimit{Max: max, Window: window}}})
	s.publishedLetter("c@example.org", "Org")
	b := s.browser()
	b.get(seedSlug)
	return s, b
}
