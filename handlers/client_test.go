package handlers_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"undersigned/handlers"
	"undersigned/handlers/handlertest"
	"undersigned/models"
	"undersigned/models/modeltest"
	"undersigned/models/modeltest/suites"
)

// site is the app under test on a fresh database.
type site struct {
	t     *testing.T
	app   *fiber.App
	h     *handlers.Handler
	store *models.Store
}

func newSite(t *testing.T, cfg handlers.Config) *site {
	t.Helper()
	return newSiteOn(t, modeltest.Open(t), cfg)
}

// newSiteOn is newSite on a store the test opened itself.
func newSiteOn(t *testing.T, store *models.Store, cfg handlers.Config) *site {
	t.Helper()
	return newSiteLogging(t, store, cfg, io.Discard)
}

// newSiteLogging is newSiteOn with the site's log written to log.
func newSiteLogging(t *testing.T, store *models.Store, cfg handlers.Config, log io.Writer) *site {
	t.Helper()
	if cfg.BaseURL == "" {
		cfg.BaseURL = handlertest.AppBase
	}
	if cfg.Limits.SignBurst.Max == 0 {
		many := handlers.RateLimit{Max: 1000, Window: time.Minute}
		cfg.Limits.SignBurst, cfg.Limits.SignSustained, cfg.Limits.SignOverall = many, many, many
	}
	app, h, err := handlers.New(context.Background(), store, slog.New(slog.NewTextHandler(log, nil)), cfg)
	if err != nil {
		t.Fatalf("new app: %v", err)
	}
	return &site{t: t, app: app, h: h, store: store}
}

// client returns a new visitor of the site.
func (s *site) client() *handlertest.Client { return handlertest.OverApp(s.t, s.app) }

// coordinator creates a coordinator with their organisation and a client logged in as them.
func (s *site) coordinator(email, org string) *handlertest.Client {
	s.t.Helper()
	modeltest.Coordinator(s.t, s.store, email, org)
	c := s.client()
	c.LogIn(email, modeltest.Password)
	return c
}

// publishedLetter drafts and publishes seed 003's letter, listing
// signatures at once; it returns the coordinator's client and the letter's
// dashboard path.
func (s *site) publishedLetter(email, org string) (*handlertest.Client, string) {
	s.t.Helper()
	return s.openLetter(email, org, listAtOnce())
}

// openLetter drafts seed 003's letter, saves settings unless they are nil
// (a new letter's defaults: confirmation by email, review of
// organisations), and publishes it. It returns the coordinator's client
// and the letter's dashboard path.
func (s *site) openLetter(email, org string, settings url.Values) (*handlertest.Client, string) {
	s.t.Helper()
	c := s.coordinator(email, org)
	return c, c.OpenLetter(handlertest.LetterForm("save"), settings)
}

// listAtOnce are letter settings without confirmation by email or review,
// for the tests of the list itself.
func listAtOnce() url.Values { return handlertest.Settings("listed") }

// withSettings returns listAtOnce with some settings ticked, such as
// "confirm_email" or "allow_indexing".
func withSettings(ticked ...string) url.Values {
	return handlertest.Settings(append([]string{"listed"}, ticked...)...)
}

const seedSlug = "/letters/joint-statement-on-the-human-rights-situation-in-azerbaijan"

// signatures returns how many signatures of the seed letter are stored, in
// any status: what a bot or a refused form must not add to.
func (s *site) signatures() int64 {
	s.t.Helper()
	l := s.letter()
	counts, err := s.store.StatusCounts(context.Background(), l.ID)
	if err != nil {
		s.t.Fatal(err)
	}
	var n int64
	for _, c := range counts {
		n += c
	}
	return n
}

// letter returns the seed letter as stored, with its counters.
func (s *site) letter() *models.Letter {
	s.t.Helper()
	l, err := s.store.PublicLetter(context.Background(), strings.TrimPrefix(seedSlug, "/letters/"))
	if err != nil {
		s.t.Fatal(err)
	}
	return l
}

// mailedLinkPattern finds the site's links in an email.
var mailedLinkPattern = regexp.MustCompile(`http://undersigned\.test(/(?:confirm|signature)/[A-Za-z0-9_-]+)`)

// inbox returns the emails the site has written to address and not yet
// sent, oldest first: in tests nothing sends them, so this is all of them.
func (s *site) inbox(address string) []models.OutboxMessage {
	s.t.Helper()
	all, err := s.store.DueMessages(context.Background(), 10000)
	if err != nil {
		s.t.Fatal(err)
	}
	var out []models.OutboxMessage
	for _, m := range all {
		if m.Recipient == address {
			out = append(out, m)
		}
	}
	return out
}

// mailedLink returns the path of the link starting with prefix ("/confirm/"
// or "/signature/") in the newest email to address that has one.
func (s *site) mailedLink(address, prefix string) string {
	s.t.Helper()
	msgs := s.inbox(address)
	if len(msgs) == 0 {
		s.t.Fatalf("no email to %s in the outbox", address)
	}
	for i := len(msgs) - 1; i >= 0; i-- {
		for _, m := range mailedLinkPattern.FindAllStringSubmatch(msgs[i].Body, -1) {
			if strings.HasPrefix(m[1], prefix) {
				return m[1]
			}
		}
	}
	s.t.Fatalf("no email to %s has a %s link; the last one:\n%s", address, prefix, msgs[len(msgs)-1].Body)
	return ""
}

// reviewRow finds a signature's checkbox in the review queue by its entry.
var reviewRow = regexp.MustCompile(`name="ids" value="(\d+)"><label for="pick-\d+" class="visually-hidden">[^:<]+: ([^<]+)</label>`)

// reviewIDs returns the ids of the signatures a review page lists, by their entries.
func reviewIDs(body string) map[string]string {
	out := map[string]string{}
	for _, m := range reviewRow.FindAllStringSubmatch(body, -1) {
		out[m[2]] = m[1]
	}
	return out
}

// overLoopback posts body to the app served on a loopback port: fasthttp
// answers some errors, such as an oversized body, before app.Test sees them.
// It writes the request while it reads the answer, as a browser does: the
// server rightly answers a too-large body and hangs up before reading it
// all, and a client that insists on writing first sees only the hang-up.
func (s *site) overLoopback(t *testing.T, path, body string) handlertest.Response {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.app.Listener(ln)
	defer s.app.Shutdown()
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	go func() {
		// An error here is the server hanging up after it answered.
		fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: undersigned.test\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s",
			path, len(body), body)
	}()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	r, err := handlertest.ReadResponse(resp)
	if err != nil {
		t.Fatalf("POST %s: reading the answer: %v", path, err)
	}
	return r
}

// TestMain runs the tests and says which were skipped, and why.
func TestMain(m *testing.M) { os.Exit(suites.Run(m)) }
