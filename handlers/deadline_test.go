package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"undersigned/handlers"
)

// movableClock is the site's clock, which a test moves past a closing moment.
type movableClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *movableClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *movableClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// A letter closing in three days in Prague says so on its page, in the
// index, the JSON API, the feed, the embed and the dashboard; once the
// closing moment passes, with no write at all, every one of them says
// closed, the pages the cache kept while it was open included, and its
// editor offers to publish the final list.
func TestDeadlinePassesEverywhereAtOnce(t *testing.T) {
	prague, err := time.LoadLocation("Europe/Prague")
	if err != nil {
		t.Fatal(err)
	}
	clock := &movableClock{now: time.Now()}
	s := newSite(t, handlers.Config{Now: clock.Now})
	y, m, d := time.Now().In(prague).Date()
	lastDay := time.Date(y, m, d+3, 0, 0, 0, 0, time.UTC)
	closes := time.Date(y, m, d+4, 0, 0, 0, 0, prague)
	settings := listAtOnce()
	settings.Set("closes_on", lastDay.Format(time.DateOnly))
	settings.Set("timezone", "Europe/Prague")
	coord, editor := s.openLetter("coord@example.org", "Coalition", settings)
	visitor := s.client()
	zone := time.Date(y, m, d+3, 23, 59, 0, 0, prague).Format("MST")
	closing := "Signatures close on " + lastDay.Format("January 2, 2006") + " at 23:59 " + zone
	slug := strings.TrimPrefix(seedSlug, "/letters/")

	visitor.Get(seedSlug).Expect(t, http.StatusOK, closing, "Closes in 3 days", `name="email"`)
	visitor.Get("/").Expect(t, http.StatusOK, "Open for signatures", closing)
	visitor.Get("/api/letters/"+slug).Expect(t, http.StatusOK, `"state":"open"`, `"closes_at":"`+closes.UTC().Format(time.RFC3339)+`"`)
	visitor.Get("/feed.atom").Expect(t, http.StatusOK, `term="open"`, closing)
	visitor.Get(seedSlug+"/embed").Expect(t, http.StatusOK, "Sign the letter", "Closes in 3 days")
	coord.Get("/dashboard").Expect(t, http.StatusOK, "Open for signatures")

	// 22:00 in Prague on the last day; the embed is not cached (the
	// cached letter page says so within a second).
	clock.set(closes.Add(-2 * time.Hour))
	visitor.Get(seedSlug+"/embed").Expect(t, http.StatusOK, closing, "Closes today", "Sign the letter")

	clock.set(closes)
	open := []string{"Open for signatures", "Closes in", "Signatures close on", "Sign the letter", `name="email"`}
	for _, c := range []struct {
		path string
		want string
	}{
		{seedSlug, "Closed"},
		{"/", "Closed"},
		{"/api/letters/" + slug, `"state":"closed"`},
		{seedSlug + ".json", `"state":"closed"`},
		{"/feed.atom", `term="closed"`},
		{seedSlug + "/embed", "Closed"},
	} {
		page := visitor.Get(c.path).Expect(t, http.StatusOK, c.want).Body
		for _, o := range open {
			if strings.Contains(page, o) {
				t.Errorf("%s past its closing moment still says %q", c.path, o)
			}
		}
	}
	dashboard := coord.Get("/dashboard").Expect(t, http.StatusOK, "Closed").Body
	if strings.Contains(dashboard, "Open for signatures") {
		t.Error("the dashboard past the closing moment still says open")
	}
	coord.Get(editor).Expect(t, http.StatusOK, "Closed", "Publish the final list")
}

// A timezone the system does not know is refused beside its field, with
// the value kept.
func TestBadTimezoneRefused(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, editor := s.publishedLetter("coord@example.org", "Coalition")
	settings := listAtOnce()
	settings.Set("timezone", "Mars/Olympus")
	coord.Post(editor+"/settings", settings).Expect(t, http.StatusUnprocessableEntity,
		"Enter a timezone name such as Europe/Prague", `value="Mars/Olympus"`, "Timezone of the closing date")
	if got := s.letter().Timezone; got != "UTC" {
		t.Errorf("timezone stored %q, want UTC kept", got)
	}
}

// A letter closed by hand offers, on its editor, to publish the final list,
// with the dated lists' own form; once published, the offer goes.
func TestClosingOffersFinalList(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, editor := s.publishedLetter("coord@example.org", "Coalition")
	if strings.Contains(coord.Get(editor).Body, "Publish the final list") {
		t.Fatal("an open letter offers a final list")
	}
	coord.Post(editor+"/state", url.Values{"state": {"closed"}}).Expect(t, http.StatusSeeOther)
	page := coord.Get(editor).Expect(t, http.StatusOK, "Publish the final list").Body
	if !strings.Contains(page, `action="`+editor+`/snapshots"`) {
		t.Error("the final list is not published by the dated lists' form")
	}
	coord.Post(editor+"/snapshots", url.Values{}).Expect(t, http.StatusSeeOther)
	if strings.Contains(coord.Get(editor).Body, "Publish the final list") {
		t.Error("the editor still offers a final list once one is published")
	}
}
