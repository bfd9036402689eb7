package pagecache

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// counter is a generation the test moves, and a render that counts.
type counter struct {
	gen     atomic.Uint64
	renders atomic.Int32
}

// render returns a render making body, which takes a moment, as a page
// with queries and a template does.
func (n *counter) render(body string) func() (Made[string], error) {
	return func() (Made[string], error) {
		n.renders.Add(1)
		time.Sleep(20 * time.Millisecond)
		return Made[string]{Body: []byte(body), Meta: "meta of " + body, Keep: true}, nil
	}
}

func newTestCache(n *counter, limits Limits) *Cache[string] {
	return New[string](n.gen.Load, limits, "csrf", "form")
}

var roomy = Limits{Pages: 100, Bytes: 1 << 20}

// written is what p writes with the fills given.
func written(p *Page[string], fills map[Slot]string) string {
	var b bytes.Buffer
	p.Write(&b, false, func(s Slot) []byte { return []byte(fills[s]) })
	return b.String()
}

// A crowd reloading a letter the moment it changes costs one rendering:
// with no page yet, the readers who ask while it is made wait for it; once
// there is one, they get it as it was, while it is made again.
func TestAPageIsRenderedOncePerGenerationUnderConcurrentRequests(t *testing.T) {
	n := &counter{}
	c := newTestCache(n, roomy)
	for gen := range uint64(3) {
		n.gen.Store(gen)
		var wg sync.WaitGroup
		start := make(chan struct{})
		var current atomic.Int32
		for range 50 {
			wg.Go(func() {
				<-start
				p, err := c.Get("/letters/free-them-all|en", EveryChange, n.render("letter at "+strconv.FormatUint(gen, 10)))
				switch {
				case err != nil:
					t.Errorf("generation %d: %v", gen, err)
				case p.Meta == "meta of letter at "+strconv.FormatUint(gen, 10):
					current.Add(1)
				case gen == 0 || p.Meta != "meta of letter at "+strconv.FormatUint(gen-1, 10):
					t.Errorf("generation %d: got %q", gen, p.Meta)
				}
			})
		}
		close(start)
		wg.Wait()
		if got := n.renders.Load(); got != int32(gen+1) {
			t.Fatalf("after generation %d: %d renderings for 50 concurrent readers each, want %d", gen, got, gen+1)
		}
		if current.Load() == 0 {
			t.Errorf("generation %d: no reader got the page made for it", gen)
		}
	}
}

// While a page is made again after a change, a reader gets the page as it
// was at once, however long the rendering takes: people reading a letter
// that a crowd signs never wait for its list to be read again.
func TestReadersGetThePreviousPageWhileItIsMadeAgain(t *testing.T) {
	n := &counter{}
	c := newTestCache(n, roomy)
	if _, err := c.Get("k", EveryChange, n.render("0 signatures")); err != nil {
		t.Fatal(err)
	}
	n.gen.Add(1)
	slow, began := make(chan struct{}), make(chan struct{})
	made := make(chan string)
	go func() {
		p, err := c.Get("k", EveryChange, func() (Made[string], error) {
			close(began)
			<-slow
			return Made[string]{Body: []byte("1 signature"), Keep: true}, nil
		})
		if err != nil {
			t.Error(err)
		}
		made <- written(p, nil)
	}()
	<-began
	got := make(chan string)
	go func() {
		p, err := c.Get("k", EveryChange, n.render("a second rendering"))
		if err != nil {
			t.Error(err)
		}
		got <- written(p, nil)
	}()
	select {
	case page := <-got:
		if page != "0 signatures" {
			t.Errorf("during the rendering a reader got %q, want the page as it was", page)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a reader waited for the page to be made again")
	}
	close(slow)
	if page := <-made; page != "1 signature" {
		t.Errorf("the reader who made the page got %q", page)
	}
	if p, err := c.Get("k", EveryChange, n.render("a third rendering")); err != nil || written(p, nil) != "1 signature" {
		t.Errorf("after the rendering the page reads %q (%v)", written(p, nil), err)
	}
	if n.renders.Load() != 1 {
		t.Errorf("%d renderings by the counter, want 1: one rendering at a time", n.renders.Load())
	}
}

// A page is made again once the generation moved: the next reader sees the
// new signature, not the page as it was.
func TestAPageIsMadeAgainOnceTheGenerationMoves(t *testing.T) {
	n := &counter{}
	c := newTestCache(n, roomy)
	get := func(fresh Freshness, body string) string {
		p, err := c.Get("/letters/free-them-all|"+strconv.Itoa(int(fresh)), fresh, n.render(body))
		if err != nil {
			t.Fatal(err)
		}
		return written(p, nil)
	}
	get(EveryChange, "0 signatures")
	if got := get(EveryChange, "not rendered"); got != "0 signatures" {
		t.Fatalf("nothing changed, yet the page reads %q", got)
	}
	n.gen.Add(1)
	if got := get(EveryChange, "1 signature"); got != "1 signature" {
		t.Errorf("after a change the page reads %q, want %q", got, "1 signature")
	}
	// A page made at most every second is not made again within it.
	get(AtMostEverySecond, "the PDF")
	n.gen.Add(1)
	if got := get(AtMostEverySecond, "the PDF again"); got != "the PDF" {
		t.Errorf("a PDF made at most every second was made again at once: %q", got)
	}
	if n.renders.Load() != 3 {
		t.Errorf("%d renderings, want 3", n.renders.Load())
	}
}

// Keys a visitor varies (an attacker's query strings, were they keys) do
// not grow the cache past its bounds, in pages or in bytes, and what it
// counts is what it holds.
func TestTheBoundsHoldUnderManyDistinctKeys(t *testing.T) {
	for _, limits := range []Limits{{Pages: 8, Bytes: 1 << 20}, {Pages: 100, Bytes: 1000}} {
		n := &counter{}
		c := New[string](n.gen.Load, limits, "csrf")
		body := strings.Repeat("a letter ", 40) // 360 bytes
		for i := range 300 {
			p, err := c.Get("/letters/free-them-all?utm="+strconv.Itoa(i), EveryChange, func() (Made[string], error) {
				return Made[string]{Body: []byte(body + strconv.Itoa(i)), Keep: true, Compress: i%2 == 0}, nil
			})
			if err != nil || !strings.HasSuffix(written(p, nil), strconv.Itoa(i)) {
				t.Fatalf("key %d: %v", i, err)
			}
			// The shared page, made again after each change, takes the
			// place of the one before.
			n.gen.Add(1)
			if _, err := c.Get("/letters/free-them-all", EveryChange, func() (Made[string], error) { return Made[string]{Body: []byte(body), Keep: true}, nil }); err != nil {
				t.Fatal(err)
			}
			c.mu.Lock()
			held := 0
			for _, p := range c.pages {
				for _, b := range slices.Concat(p.parts, p.deflated) {
					held += len(b)
				}
			}
			if len(c.pages) > limits.Pages || c.bytes > limits.Bytes || held != c.bytes {
				t.Fatalf("limits %+v: after %d keys and changes the cache holds %d pages, %d bytes, and counts %d bytes", limits, i+1, len(c.pages), held, c.bytes)
			}
			c.mu.Unlock()
		}
	}
}

// Each reader gets their own values in the slots of one cached page,
// plain or gzipped, and nothing of the placeholders.
func TestASlotIsFilledForEachReader(t *testing.T) {
	n := &counter{}
	c := newTestCache(n, roomy)
	csrf, form := c.Placeholder("csrf"), c.Placeholder("form")
	body := `<form><input name="_csrf" value="` + csrf + `">` + form + `</form><footer>` + csrf + `</footer>`
	p, err := c.Get("/letters/free-them-all|en", EveryChange, func() (Made[string], error) {
		return Made[string]{Body: []byte(body), Keep: true, Compress: true}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, reader := range []string{"leyla", "arif"} {
		fills := map[Slot]string{"csrf": "token-of-" + reader, "form": "<p>form of " + reader + "</p>"}
		want := `<form><input name="_csrf" value="token-of-` + reader + `"><p>form of ` + reader + `</p></form><footer>token-of-` + reader + `</footer>`
		if got := written(p, fills); got != want {
			t.Errorf("%s reads\n%s\nwant\n%s", reader, got, want)
		}
		var z bytes.Buffer
		p.Write(&z, true, func(s Slot) []byte { return []byte(fills[s]) })
		zr, err := gzip.NewReader(&z)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := io.ReadAll(zr); err != nil || string(got) != want {
			t.Errorf("%s reads, gzipped, %q (%v)\nwant %q", reader, got, err, want)
		}
	}
	// Another cache's placeholders differ: text typed into a page, even one
	// shaped like a placeholder, is no slot.
	other := newTestCache(n, roomy)
	if other.Placeholder("csrf") == csrf || !strings.HasPrefix(csrf, "csrf") {
		t.Errorf("placeholders %q and %q", csrf, other.Placeholder("csrf"))
	}
}

// A failed rendering, or a page not for keeping (an error page), goes to
// those who waited for it and is made again for the next reader.
func TestFailedAndUnkeptPagesAreNotServedAgain(t *testing.T) {
	n := &counter{}
	c := newTestCache(n, roomy)
	failure := errors.New("database is locked")
	if _, err := c.Get("k", EveryChange, func() (Made[string], error) { return Made[string]{}, failure }); !errors.Is(err, failure) {
		t.Errorf("a failed rendering gave %v", err)
	}
	if _, err := c.Get("k", EveryChange, func() (Made[string], error) { return Made[string]{Body: []byte("error page")}, nil }); err != nil {
		t.Fatal(err)
	}
	p, err := c.Get("k", EveryChange, n.render("the letter"))
	if err != nil || written(p, nil) != "the letter" {
		t.Errorf("after a failure and an error page, the page reads %q (%v)", written(p, nil), err)
	}
}

// A crawler walking every page of a long list, each page once, does not
// push out the page a crowd keeps reading: past the cache's bounds, the
// pages read least recently go first.
func TestACrawlerDoesNotPushOutThePageACrowdReads(t *testing.T) {
	n := &counter{}
	c := New[string](n.gen.Load, Limits{Pages: 8, Bytes: 1 << 20}, "csrf")
	letter := func() (Made[string], error) {
		n.renders.Add(1)
		return Made[string]{Body: []byte("the letter"), Keep: true}, nil
	}
	for i := range 200 {
		// Kept a minute while nothing changes: a slow machine does not
		// make it again.
		if _, err := c.Get("/letters/free-them-all", AtMostEverySecond, letter); err != nil {
			t.Fatal(err)
		}
		_, err := c.Get("/letters/free-them-all/signatories?page="+strconv.Itoa(i+2), EveryChange, func() (Made[string], error) {
			return Made[string]{Body: []byte("page " + strconv.Itoa(i+2)), Keep: true}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if r := n.renders.Load(); r != 1 {
		t.Errorf("the letter page was made %d times while a crawler read 200 pages of its list, want once", r)
	}
	if len(c.pages) > 8 {
		t.Errorf("the cache holds %d pages, want at most 8", len(c.pages))
	}
}

// A page that expires at a moment (a letter's page without its list, kept
// before the list's launch) is made again from then on, whatever its
// freshness would allow, and is not given stale to the readers waiting
// meanwhile either.
func TestAPageIsNotGivenPastItsExpiry(t *testing.T) {
	n := &counter{}
	c := newTestCache(n, roomy)
	expires := time.Now().Add(50 * time.Millisecond)
	hidden := func() (Made[string], error) {
		n.renders.Add(1)
		return Made[string]{Body: []byte("hidden"), Meta: "hidden", Keep: true, Expires: expires}, nil
	}
	for _, fresh := range []Freshness{EveryChange, AtMostEverySecond} {
		key := "/letters/embargoed|en|" + strconv.Itoa(int(fresh))
		if p, err := c.Get(key, fresh, hidden); err != nil || p.Meta != "hidden" {
			t.Fatalf("before the expiry: %v %v", p, err)
		}
		if p, _ := c.Get(key, fresh, n.render("listed")); p.Meta != "hidden" {
			t.Errorf("freshness %d: before the expiry, the page was made again: %q", fresh, p.Meta)
		}
	}
	time.Sleep(time.Until(expires))
	for _, fresh := range []Freshness{EveryChange, AtMostEverySecond} {
		key := "/letters/embargoed|en|" + strconv.Itoa(int(fresh))
		// A reader arriving while the page is made again waits for it
		// rather than get the expired one.
		var stale atomic.Bool
		var wg sync.WaitGroup
		for range 5 {
			wg.Go(func() {
				if p, err := c.Get(key, fresh, n.render("listed")); err != nil || p.Meta != "meta of listed" {
					stale.Store(true)
				}
			})
		}
		wg.Wait()
		if stale.Load() {
			t.Errorf("freshness %d: a reader got the page past its expiry", fresh)
		}
	}
}
