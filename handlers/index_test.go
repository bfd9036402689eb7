package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"undersigned/handlers"
	"undersigned/handlers/handlertest"
	"undersigned/models/modeltest"
)

// changedElsewhere changes the summary of every letter behind the store's
// back, as another instance would before its notice arrives: a page rendered
// after it shows the change, a page from the cache does not, for up to a
// second. It returns when the change was made.
func changedElsewhere(t *testing.T, dsn, summary string) time.Time {
	t.Helper()
	// A literal rather than a parameter, whose marker differs between SQLite and PostgreSQL.
	if _, err := modeltest.RawDB(t, dsn).Exec(`UPDATE letters SET summary = '` + strings.ReplaceAll(summary, "'", "''") + `'`); err != nil {
		t.Fatal(err)
	}
	return time.Now()
}

// cachedWindow is how long after a change made elsewhere a test may still
// tell a cached page from a rendered one: well within the cache's second.
const cachedWindow = 500 * time.Millisecond

// TestTheIndexIsRenderedOncePerGeneration: the front page is what a crowd
// reloads and what links shared with tracking parameters lead to. Every
// request of a generation gets the one page rendered for it, whatever its
// query says: an attacker's /?x=1, /?x=2… makes no page of its own.
func TestTheIndexIsRenderedOncePerGeneration(t *testing.T) {
	store, dsn := modeltest.OpenDSN(t)
	s := newSiteOn(t, store, handlers.Config{})
	s.publishedLetter("coordinator@icdr.example", "ICDR")
	first := s.client().Get("/").Expect(t, http.StatusOK, "Joint statement on the human rights situation in Azerbaijan")
	changed := changedElsewhere(t, dsn, "Changed elsewhere")
	checked := 0
	for i := range 30 {
		path := "/?x=" + strconv.Itoa(i)
		switch i {
		case 0:
			path = "/"
		case 1:
			path = "/?utm_source=mastodon&utm_campaign=viral"
		case 2:
			path = "/?page=1"
		}
		r := s.client().Get(path).Expect(t, http.StatusOK)
		if time.Since(changed) > cachedWindow {
			break
		}
		checked++
		if r.Markup != first.Markup {
			t.Fatalf("GET %s was rendered again, not served the page of its generation:\n%s", path, handlertest.Excerpt(r.Body))
		}
	}
	if checked == 0 {
		t.Skip("the machine is too slow to tell a cached page from a rendered one")
	}
	if m := placeholder.FindString(first.Markup); m != "" {
		t.Fatalf("the index shows the cache's placeholder %q", m)
	}
	// A page past the first is no crowd's: it is read as it is now.
	s.client().Get("/?page=2").Expect(t, http.StatusNotFound)
}

// TestTheCachedIndexShowsEachChangeAtOnce: served from the cache, the
// index still shows a signature, a newly published letter and a closed one
// on the very next request, the coordinator's own included.
func TestTheCachedIndexShowsEachChangeAtOnce(t *testing.T) {
	store, dsn := modeltest.OpenDSN(t)
	s := newSiteOn(t, store, handlers.Config{})
	coord, editor := s.publishedLetter("coordinator@icdr.example", "ICDR")
	visitor := s.client()
	visitor.Get("/").Expect(t, http.StatusOK, "0 signatures", "Open for signatures")
	changed := changedElsewhere(t, dsn, "Changed elsewhere")
	if r := visitor.Get("/"); time.Since(changed) < cachedWindow && strings.Contains(r.Body, "Changed elsewhere") {
		t.Fatal("the index was rendered again with nothing changed: not cached")
	}

	signer := s.client()
	signer.Get(seedSlug)
	signer.Post(seedSlug+"/sign", handlertest.SignForm("Leyla Yunus", "AZ", "leyla@example.org")).Expect(t, http.StatusSeeOther)
	visitor.Get("/").Expect(t, http.StatusOK, "1 signature", "Changed elsewhere")

	second := handlertest.LetterForm("save")
	second.Set("title", "Free the journalists of Abzas Media")
	coord.OpenLetter(second, listAtOnce())
	visitor.Get("/").Expect(t, http.StatusOK, "Free the journalists of Abzas Media")
	coord.Get("/").Expect(t, http.StatusOK, "Free the journalists of Abzas Media")

	coord.Get(editor)
	coord.Post(editor+"/state", url.Values{"state": {"closed"}}).Expect(t, http.StatusSeeOther)
	visitor.Get("/").Expect(t, http.StatusOK, `<span class="state state-closed">Closed</span>`)
}

// TestTheCachedIndexIsTheSameForEveryVisitor: whoever makes the cache
// render the index, a logged-in coordinator with their tokens and the query
// of their link, the page kept carries nothing of theirs: every visitor,
// and the coordinator too, reads the bytes an anonymous visitor of / reads,
// and no response sets another's cookie.
func TestTheCachedIndexIsTheSameForEveryVisitor(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, editor := s.publishedLetter("coordinator@icdr.example", "ICDR")
	coord.Get(editor)
	token := coord.CSRF
	if token == "" {
		t.Fatal("the coordinator has no CSRF token")
	}
	theirs := coord.Get("/?ref=coordinator-secret").Expect(t, http.StatusOK)

	visitor := s.client()
	r := visitor.Get("/").Expect(t, http.StatusOK)
	for _, own := range []string{"coordinator-secret", token, "Log out", "/logout"} {
		if strings.Contains(r.Markup, own) {
			t.Errorf("an anonymous visitor's index carries the coordinator's %q", own)
		}
	}
	if cookies := r.Header.Values("Set-Cookie"); len(cookies) > 0 {
		t.Errorf("an anonymous visitor's index sets cookies: %q", cookies)
	}
	if r.Markup != theirs.Markup {
		t.Errorf("the index differs between the coordinator and an anonymous visitor:\n%s\n---\n%s",
			handlertest.Excerpt(theirs.Markup), handlertest.Excerpt(r.Markup))
	}
	// Another language is another page, and the one before is unchanged.
	visitor.Get("/?lang=ar").Expect(t, http.StatusOK, `<html lang="ar" dir="rtl">`, `href="/?lang=en"`)
	if again := coord.Get("/"); again.Markup != theirs.Markup {
		t.Error("the coordinator's index changed with another visitor's language")
	}
}
