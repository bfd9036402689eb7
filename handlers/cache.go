package handlers

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/sync/singleflight"
)

// pageTTL is the longest a rendered page is served from the cache. A change
// the store records ends it at once; the time limit covers what changes
// without a write, such as a letter reaching its closing date, and changes
// made by another instance that this one has not heard of.
const pageTTL = time.Second

// quietTTL is how long a page costly to make (a letter's PDF) is kept while
// the store records no change: making it again each second for a visitor
// who asks each second would cost a core. After a change it lives pageTTL.
const quietTTL = time.Minute

// The cache's bounds: a letter's page, the first page of its list and its
// PDF, for the letters being read at the moment. Past either bound the cache
// is emptied, and the pages in demand come back at their next request.
const (
	maxCachedPages = 512
	maxCachedBytes = 64 << 20
)

// pageCache keeps the public pages a crowd reloads (a letter, the first page
// of its list) as rendered bytes, so that reading a viral letter costs a
// copy, not queries and a template. A page is rendered once per change of
// the store's generation: concurrent misses wait for one rendering.
//
// The bytes hold markers where each visitor's own values go (the CSRF token
// of their cookie, the signed time their signing form was shown), and
// serving fills them in.
type pageCache struct {
	mu      sync.Mutex
	pages   map[string]*cachedPage
	bytes   int // the size of the pages kept
	renders singleflight.Group
	// csrfMarker and startedMarker stand for a visitor's values in cached
	// bytes, formMarker for a signing form rendered for one visitor: random,
	// so no text typed into a letter can forge one.
	csrfMarker, startedMarker, formMarker string
}

// cachedPage is a rendered page, cut at its markers.
type cachedPage struct {
	generation uint64
	rendered   time.Time
	status     int
	// Headers of the response: its type, its Content-Disposition and its
	// X-Robots-Tag, when it has them.
	contentType, disposition, robots string
	parts                            [][]byte // the page between markers
	fills                            []string // the marker that follows each part but the last
	deflated                         [][]byte // the parts compressed, for a page of text
	size                             int
	letterID                         int64 // the letter whose signing form the page shows, if any
}

func newPageCache() *pageCache {
	marker := func(kind string) string {
		b := make([]byte, 16)
		if _, err := rand.Read(b); err != nil {
			panic(err)
		}
		return kind + hex.EncodeToString(b)
	}
	return &pageCache{pages: map[string]*cachedPage{}, csrfMarker: marker("csrf"), startedMarker: marker("started"), formMarker: marker("form")}
}

// cached answers a public GET with the page render would write, from the
// cache when it holds one rendered at the store's current generation less
// than pageTTL ago. render writes the page to c as usual; while it renders
// for the cache, the visitor's values are markers. The cache keeps one page
// per path and interface language: shared says the request asks for that
// page, whatever else its query holds (links shared on social media carry
// tracking parameters); other requests are rendered each time.
func (h *Handler) cached(c *fiber.Ctx, shared bool, render func(*fiber.Ctx) error) error {
	if !shared {
		return render(c)
	}
	p, err := h.cachedPage(c, inLangKey(c.Path(), h.lang(c)), true, render)
	if err != nil {
		return err
	}
	return h.serveCached(c, p.status, p, nil)
}

// inLangKey is the cache's key of a page kept in each interface language
// it is read in: its header, its menus and its messages are in that
// language. A page that is not (a PDF) is kept once, under its own key.
func inLangKey(key, lang string) string { return key + "|" + lang }

// cachedPage returns the page kept under key, rendering it with render when
// the cache holds none that is current: rendered less than pageTTL ago and,
// if everyChange, at the store's current generation. A page not made again
// on every change is also current for quietTTL while no change came.
func (h *Handler) cachedPage(c *fiber.Ctx, key string, everyChange bool, render func(*fiber.Ctx) error) (*cachedPage, error) {
	pc := h.pageCache
	gen := h.store.Generation()
	pc.mu.Lock()
	p := pc.pages[key]
	pc.mu.Unlock()
	if p != nil {
		age, unchanged := time.Since(p.rendered), p.generation == gen
		if (unchanged || !everyChange) && age < pageTTL || !everyChange && unchanged && age < quietTTL {
			return p, nil
		}
	}
	// A rendering that began before the latest change must not serve
	// those who came after it: they wait for one of their own generation.
	flight := key
	if everyChange {
		flight += "@" + strconv.FormatUint(gen, 10)
	}
	v, err, _ := pc.renders.Do(flight, func() (any, error) { return h.renderForCache(c, key, gen, render) })
	if err != nil {
		return nil, err
	}
	return v.(*cachedPage), nil
}

// renderForCache renders a page with markers for the visitor's values and
// keeps it. An error, or a page that is not 200, is not kept.
func (h *Handler) renderForCache(c *fiber.Ctx, key string, gen uint64, render func(*fiber.Ctx) error) (*cachedPage, error) {
	pc := h.pageCache
	began := time.Now()
	c.Locals(csrfCookie, pc.csrfMarker)
	c.Locals(localStartedToken, pc.startedMarker)
	defer func() {
		c.Locals(csrfCookie, nil)
		c.Locals(localStartedToken, nil)
		c.Locals(localStartedLetter, nil)
	}()
	if err := render(c); err != nil {
		return nil, err
	}
	resp := &c.Response().Header
	p := &cachedPage{
		generation: gen, rendered: began, status: c.Response().StatusCode(), size: len(c.Response().Body()),
		contentType: string(resp.ContentType()), disposition: string(resp.Peek(fiber.HeaderContentDisposition)), robots: string(resp.Peek("X-Robots-Tag")),
	}
	p.letterID, _ = c.Locals(localStartedLetter).(int64)
	p.cut(bytes.Clone(c.Response().Body()), pc.csrfMarker, pc.startedMarker, pc.formMarker)
	c.Response().ResetBody()
	if p.status != fiber.StatusOK {
		return p, nil
	}
	if compressible(p.contentType) {
		// Compressed once here, not for each of the crowd reading it.
		p.deflated = deflateParts(p.parts)
		for _, d := range p.deflated {
			p.size += len(d)
		}
	}
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if len(pc.pages) >= maxCachedPages || pc.bytes+p.size > maxCachedBytes {
		clear(pc.pages)
		pc.bytes = 0
	}
	if old := pc.pages[key]; old == nil || old.generation <= gen {
		if old != nil {
			pc.bytes -= old.size
		}
		pc.pages[key] = p
		pc.bytes += p.size
	}
	return p, nil
}

// cut splits body at every marker.
func (p *cachedPage) cut(body []byte, markers ...string) {
	for {
		at, which := -1, ""
		for _, m := range markers {
			if i := bytes.Index(body, []byte(m)); i >= 0 && (at < 0 || i < at) {
				at, which = i, m
			}
		}
		if at < 0 {
			p.parts = append(p.parts, body)
			return
		}
		p.parts = append(p.parts, body[:at])
		p.fills = append(p.fills, which)
		body = body[at+len(which):]
	}
}

// serveCached writes a cached page with status and this visitor's values in
// place of its markers: their CSRF token, a signed time for the form of the
// page's letter, and form, the signing form rendered for them.
func (h *Handler) serveCached(c *fiber.Ctx, status int, p *cachedPage, form []byte) error {
	c.Status(status).Set(fiber.HeaderContentType, p.contentType)
	if p.disposition != "" {
		c.Set(fiber.HeaderContentDisposition, p.disposition)
	}
	if p.robots != "" {
		c.Set("X-Robots-Tag", p.robots)
	}
	w := c.Response().BodyWriter()
	part, fill := func(i int) { w.Write(p.parts[i]) }, func(b []byte) { w.Write(b) }
	if p.deflated != nil && acceptsGzip(c) {
		c.Set(fiber.HeaderContentEncoding, "gzip")
		z := newGzipJoin(w)
		defer z.close()
		part, fill = func(i int) { z.compressed(p.deflated[i], p.parts[i]) }, z.stored
	}
	for i := range p.parts {
		part(i)
		if i == len(p.fills) {
			break
		}
		switch p.fills[i] {
		case h.pageCache.csrfMarker:
			fill([]byte(h.csrfToken(c)))
		case h.pageCache.startedMarker:
			fill([]byte(h.startedToken(p.letterID, time.Now())))
		default:
			fill(form)
		}
	}
	return nil
}
