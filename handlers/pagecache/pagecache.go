// Package pagecache keeps the rendered pages a crowd reloads (a letter, the
// pages of its list, its PDF), so that reading a viral letter costs a
// copy of bytes, not queries and a template.
//
// A page is kept as a body cut at named slots: the places where each reader
// gets bytes of their own, such as the CSRF token of their cookie. The
// render writes a slot's Placeholder where those bytes go; Page.Write writes
// the page for one reader, asking a fill function for each slot's bytes.
//
// A page is current for the generation it was made at: a number that moves
// with every change that may alter a page. The cache only reads it, through
// the function given to New: the store owns the counter, since it moves it
// inside its own commits and when the other instances sharing its database
// announce theirs, and it keeps its own cache of letters by it.
//
// A page is made by one rendering at a time, however many ask for it
// meanwhile. While it is made again, those who ask get the page as it was
// (stale while revalidating), if it is under staleAge old: a crowd reading
// a letter that people sign at full rate never waits for its list to be
// read again. Only the reader whose request found no rendering under way
// makes the page, and gets it new; and with no page to give, everyone
// waits for the rendering.
//
// The cache is bounded in pages and bytes. Past either bound it lets go of
// the pages read least recently: a crawler walking the ten thousand pages
// of a long list does not push out the letter page a crowd is reading. Its
// keys are the caller's: a key must not be something a visitor varies at
// will (a query string), or any visitor could fill the cache with pages no
// one reads again.
package pagecache

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"math"
	"sync"
	"time"
)

// maxAge is the longest a page is served. A change of generation ends it at
// once (see EveryChange); the time limit covers what changes without a
// write, such as a letter reaching its closing date, and changes made by
// another instance that this one has not heard of.
const maxAge = time.Second

// quietAge is how long a page made AtMostEverySecond is kept while the
// generation stays the same: making a PDF again each second for a visitor
// who asks each second would cost a core.
const quietAge = time.Minute

// staleAge is the oldest a page is given while it is made again: at a
// rendering's usual pace, a page is one rendering behind the list; this
// bounds how far behind it can fall when renderings slow down.
const staleAge = 5 * time.Second

// Freshness says when a kept page is made again.
type Freshness int

const (
	// EveryChange pages are made again once the generation moved, and at
	// least every second: the pages that show the latest signature.
	EveryChange Freshness = iota
	// AtMostEverySecond pages are made again at most every second, whatever
	// changed, and kept a minute while nothing changes: pages costly to make
	// (a PDF), or whose readers need not see the latest change.
	AtMostEverySecond
)

// current reports whether p, made at its generation, may be served at gen
// and now.
func (f Freshness) current(p pageAge, gen uint64, now time.Time) bool {
	if p.expired(now) {
		return false
	}
	age, unchanged := time.Since(p.made), p.generation == gen
	if f == EveryChange {
		return unchanged && age < maxAge
	}
	return age < maxAge || unchanged && age < quietAge
}

// Limits bound a cache.
type Limits struct {
	Pages int // the pages kept
	Bytes int // their size, compressed copies included
}

// Slot names a place in a page where each reader gets bytes of their own.
type Slot string

// Cache keeps pages under keys, each with M, what its caller keeps beside a
// page's bytes (such as its status and headers). It is safe for concurrent
// use.
type Cache[M any] struct {
	generation   func() uint64
	now          func() time.Time // the clock Made.Expires is read by
	limits       Limits
	slots        []Slot
	placeholders []string // the placeholder of each slot

	mu      sync.Mutex
	pages   map[string]*Page[M]
	bytes   int                   // the size of the pages kept
	renders map[string]*flight[M] // the rendering under way of each key
}

// flight is a rendering under way, for those who wait for it.
type flight[M any] struct {
	generation uint64 // when it began
	done       chan struct{}
	page       *Page[M] // once done, the page made, or
	err        error    // why none was
}

// New returns an empty cache whose pages are current while generation
// returns the number they were made at, bounded by limits, with slots.
func New[M any](generation func() uint64, limits Limits, slots ...Slot) *Cache[M] {
	c := &Cache[M]{generation: generation, now: time.Now, limits: limits, slots: slots, pages: map[string]*Page[M]{}, renders: map[string]*flight[M]{}}
	for _, s := range slots {
		// Random, so that no text typed into a page can forge one.
		b := make([]byte, 16)
		if _, err := rand.Read(b); err != nil {
			panic(err)
		}
		c.placeholders = append(c.placeholders, string(s)+hex.EncodeToString(b))
	}
	return c
}

// SetClock makes now the clock the pages' Made.Expires are read by: the
// one the renders decide them by, which tests move.
func (c *Cache[M]) SetClock(now func() time.Time) { c.now = now }

// Placeholder is what a render writes where slot's bytes go.
func (c *Cache[M]) Placeholder(slot Slot) string {
	for i, s := range c.slots {
		if s == slot {
			return c.placeholders[i]
		}
	}
	panic("pagecache: no slot " + string(slot))
}

// Made is a page as a render made it.
type Made[M any] struct {
	// Body is the page, with a Placeholder wherever a slot is. The cache
	// keeps it: the render must not change it afterwards.
	Body     []byte
	Meta     M
	Compress bool // keep the page gzipped too, for readers who accept it
	// Keep is false for a page to give only to those waiting for it, such
	// as one that is not the page asked for but an error.
	Keep bool
	// Expires, when not zero, is when the page stops holding at once,
	// stale or not: a page that must not outlive a moment set in advance.
	Expires time.Time
}

// Get returns the page kept under key if it is current by fresh, or else
// the page render makes: one rendering at a time, while the others who ask
// get the page kept, if it is under staleAge old, or else wait for it. An
// error of render goes to those who waited, and nothing is kept.
func (c *Cache[M]) Get(key string, fresh Freshness, render func() (Made[M], error)) (*Page[M], error) {
	gen := c.generation()
	for {
		c.mu.Lock()
		p, f := c.pages[key], c.renders[key]
		switch {
		case p != nil && fresh.current(p.pageAge, gen, c.now()):
			c.mu.Unlock()
			return p.given(), nil
		case f == nil:
			f = &flight[M]{generation: gen, done: make(chan struct{})}
			c.renders[key] = f
			c.mu.Unlock()
			return c.make(key, f, render)
		case p != nil && time.Since(p.made) < staleAge && !p.expired(c.now()):
			c.mu.Unlock()
			return p.given(), nil
		}
		c.mu.Unlock()
		<-f.done
		// A rendering that began before the latest change must not
		// serve those who came after it: they make one of their own.
		if f.err != nil || f.generation >= gen || fresh == AtMostEverySecond {
			return f.page, f.err
		}
	}
}

// make renders the page of key for f and keeps it, then lets those
// waiting for f have it.
func (c *Cache[M]) make(key string, f *flight[M], render func() (Made[M], error)) (*Page[M], error) {
	defer func() {
		if f.page == nil && f.err == nil {
			f.err = errors.New("pagecache: the rendering panicked") // and the panic goes on, in the renderer's request
		}
		c.mu.Lock()
		delete(c.renders, key)
		c.mu.Unlock()
		close(f.done)
	}()
	began := time.Now()
	m, err := render()
	if err != nil {
		f.err = err
		return nil, err
	}
	p := &Page[M]{Meta: m.Meta, pageAge: pageAge{generation: f.generation, made: began, expires: m.Expires}, size: len(m.Body)}
	p.cut(m.Body, c.slots, c.placeholders)
	f.page = p
	if !m.Keep {
		return p, nil
	}
	if m.Compress {
		// Compressed once here, not for each of the crowd reading it.
		p.deflated = deflateParts(p.parts)
		for _, d := range p.deflated {
			p.size += len(d)
		}
	}
	c.keep(key, p)
	return p, nil
}

// keep keeps p under key, unless a page made at a later generation is
// there already, letting go first of the pages read least recently while
// p would pass the cache's limits.
func (c *Cache[M]) keep(key string, p *Page[M]) {
	p.given()
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.pages[key]; old != nil {
		if old.generation > p.generation {
			return
		}
		c.letGo(key)
	}
	for len(c.pages) > 0 && (len(c.pages) >= c.limits.Pages || c.bytes+p.size > c.limits.Bytes) {
		c.letGo(c.leastRecentlyRead())
	}
	c.pages[key] = p
	c.bytes += p.size
}

// leastRecentlyRead is the key of the page given longest ago. A scan of the
// few hundred pages kept costs less than keeping them in order at every
// read of a crowd.
func (c *Cache[M]) leastRecentlyRead() string {
	var oldest string
	when := int64(math.MaxInt64)
	for k, p := range c.pages {
		if r := p.read.Load(); r <= when {
			oldest, when = k, r
		}
	}
	return oldest
}

// letGo drops the page of key.
func (c *Cache[M]) letGo(key string) {
	c.bytes -= c.pages[key].size
	delete(c.pages, key)
}
