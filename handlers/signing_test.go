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
	"undersigned/handlers/handlertest"
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
			owner := s.client()
			owner.Get(seedSlug)
			owner.Post(seedSlug+"/sign", handlertest.SignForm("Leyla Yunus", "AZ", known)).Expect(t, http.StatusSeeOther)
			if settings == nil {
				s.client().Confirm(s.mailedLink(known, "/confirm/"))
			}
			before, mailed := s.signatures(), len(s.inbox(known))

			probe := func(email string) (sign, thanks, resend, resent handlertest.Response) {
				visitor := s.client()
				visitor.Get(seedSlug)
				sign = visitor.Post(seedSlug+"/sign", handlertest.SignForm("Prober", "FR", email))
				thanks = visitor.Get(seedSlug + "/thanks")
				resend = visitor.Post(seedSlug+"/resend", url.Values{})
				resent = visitor.Get(seedSlug + "/thanks?resent=1")
				return
			}
			for attempt := range 3 {
				unknown := "nobody" + strconv.Itoa(attempt) + "@example.org"
				ks, kt, kr, kd := probe(known)
				us, ut, ur, ud := probe(unknown)
				for _, pair := range []struct {
					what     string
					got, ref handlertest.Response
				}{{"signing", ks, us}, {"thank-you page", kt, ut}, {"resending", kr, ur}, {"page after resending", kd, ud}} {
					if pair.got.Status != pair.ref.Status || pair.got.Location != pair.ref.Location {
						t.Errorf("attempt %d, %s: known address %d %q, unknown %d %q", attempt, pair.what, pair.got.Status, pair.got.Location, pair.ref.Status, pair.ref.Location)
					}
					if got, ref := cookieShapes(pair.got.Header), cookieShapes(pair.ref.Header); !slices.Equal(got, ref) {
						t.Errorf("attempt %d, %s: cookies %q for the known address, %q for the unknown", attempt, pair.what, got, ref)
					}
					got := csrfValue.ReplaceAllString(strings.ReplaceAll(pair.got.Body, known, "ADDRESS"), "CSRF")
					ref := csrfValue.ReplaceAllString(strings.ReplaceAll(pair.ref.Body, unknown, "ADDRESS"), "CSRF")
					if got != ref {
						t.Errorf("attempt %d, %s: the pages differ:\nknown:\n%s\nunknown:\n%s", attempt, pair.what, handlertest.Excerpt(got), handlertest.Excerpt(ref))
					}
					if strings.Contains(pair.got.Body, "/signature/") || strings.Contains(pair.ref.Body, "/signature/") {
						t.Errorf("attempt %d, %s: a private link on the page", attempt, pair.what)
					}
				}
				kt.Expect(t, http.StatusOK, "We have sent an email to <bdi>"+known+"</bdi>")
			}
			if n := s.signatures(); n != before+3 {
				t.Errorf("%d signatures stored, want the %d before and the 3 unknown addresses'", n, before)
			}
			s.client().Get(seedSlug+"/signatories").Expect(t, http.StatusOK)

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
			s.client().Get(s.mailedLink(known, "/signature/")).Expect(t, http.StatusOK, "Leyla Yunus, Azerbaijan")
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
	visitor := s.client()
	visitor.Get(seedSlug)
	time.Sleep(2 * time.Millisecond)
	for range 5 {
		visitor.Post(seedSlug+"/sign", handlertest.SignForm("Typo", "XX", "typo@example.org")).Expect(t, http.StatusUnprocessableEntity)
		bot := handlertest.SignForm("Bot", "FR", "bot@example.org")
		bot.Set("referral_code", "X7")
		visitor.Post(seedSlug+"/sign", bot).Expect(t, http.StatusSeeOther)
	}
	visitor.Post(seedSlug+"/sign", handlertest.SignForm("One", "FR", "one@example.org")).Expect(t, http.StatusSeeOther)
	visitor.Post(seedSlug+"/sign", handlertest.SignForm("Two", "FR", "two@example.org")).Expect(t, http.StatusSeeOther)

	var wait int
	for i := range 4 {
		r := visitor.Post(seedSlug+"/sign", handlertest.SignForm("Three", "FR", "three@example.org")).Expect(t, http.StatusTooManyRequests, `value="Three"`)
		n, err := strconv.Atoi(r.Header.Get(fiber.HeaderRetryAfter))
		if err != nil || n < 1 || n > 3 {
			t.Fatalf("Retry-After %q, want 1 to 3 seconds", r.Header.Get(fiber.HeaderRetryAfter))
		}
		unit := " seconds."
		if n == 1 {
			unit = " second."
		}
		r.Expect(t, http.StatusTooManyRequests, "please try again in "+strconv.Itoa(n)+unit)
		if i > 0 && n > wait {
			t.Fatalf("trying again while refused pushed the time back: %d s, then %d s", wait, n)
		}
		wait = n
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(time.Duration(wait) * time.Second)
	visitor.Post(seedSlug+"/sign", handlertest.SignForm("Three", "FR", "three@example.org")).Expect(t, http.StatusSeeOther)
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
		_, signer := limitedSigner(t, 1, tt.window)
		signer.Post(seedSlug+"/sign", handlertest.SignForm("One", "FR", "one@example.org")).Expect(t, http.StatusSeeOther)
		r := signer.Post(seedSlug+"/sign", handlertest.SignForm("Two", "FR", "two@example.org")).Expect(t, http.StatusTooManyRequests, tt.phrase)
		if got := r.Header.Get(fiber.HeaderRetryAfter); got != tt.header {
			t.Errorf("Retry-After %q with %q, want %q", got, tt.phrase, tt.header)
		}
	}
}

// TestResendIsLimitedPerAddress: colleagues behind one office address each
// get their emails sent again; one address asking too often is refused.
func TestResendIsLimitedPerAddress(t *testing.T) {
	s := newSite(t, handlers.Config{Limits: handlers.Limits{Resend: handlers.RateLimit{Max: 3, Window: time.Hour}}})
	s.openLetter("c@example.org", "Org", nil)
	var first *handlertest.Client
	for i := range 5 {
		email := "colleague" + strconv.Itoa(i) + "@office.example"
		visitor := s.client()
		visitor.Get(seedSlug)
		visitor.Post(seedSlug+"/sign", handlertest.SignForm("Colleague "+strconv.Itoa(i), "FR", email)).Expect(t, http.StatusSeeOther)
		visitor.Get(seedSlug + "/thanks")
		for range 3 {
			visitor.Post(seedSlug+"/resend", url.Values{}).Expect(t, http.StatusSeeOther)
		}
		if n := len(s.inbox(email)); n != 4 {
			t.Errorf("colleague %d: %d emails, want 4", i, n)
		}
		if i == 0 {
			first = visitor
		}
	}
	first.Post(seedSlug+"/resend", url.Values{}).Expect(t, http.StatusTooManyRequests, "Please wait 60 minutes before asking again.")
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
	// A key instances share: only then do the counters by client go to the shared storage.
	s := newSiteOn(t, db, handlers.Config{ClientKey: []byte("a key the instances share"), Limits: handlers.Limits{Storage: store}})
	s.publishedLetter("c@example.org", "Org")
	store.keys = nil // the coordinator's login
	visitor := s.client()
	visitor.Get(seedSlug)
	long := strings.Repeat("x", 2000)
	for i := range 50 {
		visitor.Post("/letters/"+long+strconv.Itoa(i)+"/sign", handlertest.SignForm("Prober", "FR", "p@example.org")).Expect(t, http.StatusNotFound)
		visitor.Post("/letters/"+long+strconv.Itoa(i)+"/resend", url.Values{}).Expect(t, http.StatusNotFound)
	}
	if len(store.keys) != 0 {
		t.Fatalf("forms to unknown letters stored %d counters, such as %.80q", len(store.keys), store.keys[0])
	}
	visitor.Post(seedSlug+"/sign", handlertest.SignForm("Igor Blazevic", "CZ", "igor@example.org")).Expect(t, http.StatusSeeOther)
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
	coord.Get("/dashboard/letters/new")
	other := strings.TrimSuffix(coord.Post("/dashboard/letters", url.Values{"title": {"Another letter"}, "slug": {"another"}, "action": {"save"}}).Expect(t, http.StatusSeeOther).Location, "?saved=1")
	coord.Get(other)
	coord.Post(other+"/state", url.Values{"state": {"open"}}).Expect(t, http.StatusSeeOther)

	visitor := s.client()
	for range 2 { // rendered, then from the cache
		visitor.Get("/letters/another").Expect(t, http.StatusOK)
	}
	foreign := visitor.Started
	visitor.Get(seedSlug).Expect(t, http.StatusOK)
	time.Sleep(2 * time.Millisecond)
	f := handlertest.SignForm("Foreign Token", "FR", "foreign@example.org")
	f.Set("started", foreign)
	visitor.Post(seedSlug+"/sign", f).Expect(t, http.StatusSeeOther)
	if n := s.signatures(); n != 0 || len(s.inbox("foreign@example.org")) != 0 {
		t.Fatalf("a form with another letter's token stored %d signatures", n)
	}

	f = handlertest.SignForm("Left Open", "FR", "open@example.org")
	f.Set("started", s.h.StartedTokenAt(s.letter().ID, time.Now().Add(-25*time.Hour)))
	visitor.Started = "" // the form shown again must bring its own
	visitor.Post(seedSlug+"/sign", f).Expect(t, http.StatusUnprocessableEntity, "more than a day ago", `value="Left Open"`, `value="open@example.org"`)
	fresh := visitor.Started
	if fresh == "" || fresh == f.Get("started") {
		t.Fatal("the form shown again has no fresh token")
	}
	time.Sleep(2 * time.Millisecond)
	f.Set("started", fresh)
	visitor.Post(seedSlug+"/sign", f).Expect(t, http.StatusSeeOther)
	if n := s.signatures(); n != 1 {
		t.Fatalf("%d signatures after sending the form again, want 1", n)
	}

	// The seed letter's cached page gives a token of its own letter.
	for range 2 {
		visitor.Get(seedSlug).Expect(t, http.StatusOK)
		time.Sleep(2 * time.Millisecond)
		visitor.Post(seedSlug+"/sign", handlertest.SignForm("Cached", "FR", "cached"+strconv.Itoa(int(s.signatures()))+"@example.org")).Expect(t, http.StatusSeeOther)
	}
	if n := s.signatures(); n != 3 {
		t.Errorf("%d signatures with tokens from the cached page, want 3", n)
	}
}

// TestConcurrentFloodStoresNoMoreThanTheLimit: signatures sent at once
// take their places in the limit before they are stored, so that a crowd
// of them from one client cannot all pass while none is stored yet.
func TestConcurrentFloodStoresNoMoreThanTheLimit(t *testing.T) {
	s, signer := limitedSigner(t, 5, time.Minute)
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	for i := range 40 {
		wg.Go(func() {
			f := handlertest.SignForm("Crowd", "FR", "crowd"+strconv.Itoa(i)+"@example.org")
			f.Set("_csrf", signer.CSRF)
			req := httptest.NewRequest(http.MethodPost, seedSlug+"/sign", strings.NewReader(f.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.AddCookie(&http.Cookie{Name: "undersigned_csrf", Value: signer.Cookies["undersigned_csrf"]})
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
	s, signer := limitedSigner(t, 3, time.Minute)
	signer.Post(seedSlug+"/sign", handlertest.SignForm("Leyla Yunus", "AZ", "leyla@example.org")).Expect(t, http.StatusSeeOther)
	signer.Post(seedSlug+"/sign", handlertest.SignForm("Prober", "FR", "leyla@example.org")).Expect(t, http.StatusSeeOther)
	signer.Post(seedSlug+"/sign", handlertest.SignForm("Prober", "FR", "leyla@example.org")).Expect(t, http.StatusSeeOther)
	signer.Post(seedSlug+"/sign", handlertest.SignForm("Prober", "FR", "someone@example.org")).Expect(t, http.StatusTooManyRequests, `value="someone@example.org"`)
	if n := s.signatures(); n != 1 {
		t.Errorf("%d signatures stored, want 1", n)
	}
}

// limitedSigner is a client on the seed letter, listing at once, of a site
// that takes max signatures per window from one client.
func limitedSigner(t *testing.T, max int, window time.Duration) (*site, *handlertest.Client) {
	t.Helper()
	s := newSite(t, handlers.Config{Limits: handlers.Limits{SignBurst: handlers.RateLimit{Max: max, Window: window}}})
	s.publishedLetter("c@example.org", "Org")
	visitor := s.client()
	visitor.Get(seedSlug)
	return s, visitor
}
