package handlers

import (
	"bytes"
	"time"

	"github.com/gofiber/fiber/v2"

	"undersigned/handlers/pagecache"
	"undersigned/models"
)

// The slots of a cached page: where each visitor gets values of their own.
const (
	slotCSRF    pagecache.Slot = "csrf"    // the token of their CSRF cookie
	slotStarted pagecache.Slot = "started" // the signed time their signing form was shown
	slotForm    pagecache.Slot = "form"    // a signing form rendered for them
)

// pageMeta is what the page cache keeps beside a page's bytes: the
// response's status and headers (its type, its Content-Disposition and its
// X-Robots-Tag, when it has them), and the letter whose signing form the
// page shows, if any, for the started token of its slot.
type pageMeta struct {
	status                           int
	contentType, disposition, robots string
	letterID                         int64
}

// newPageCache returns the cache of the pages a crowd reloads, current at
// the store's generation. Its bounds hold, for the letters being read at
// the moment, a letter's page, the pages of its list being read (HTML and
// JSON) and its PDF: a PDF of a million names is under 1 MB, a page a few
// dozen KB, so 16 MiB is room enough, and a quarter of the server's soft
// memory limit at most. When full, it lets go of the page read least
// recently, so that a crawler walking a long list does not push out the
// letter page a crowd is reading.
func newPageCache(store *models.Store) *pagecache.Cache[pageMeta] {
	return pagecache.New[pageMeta](store.Generation, pagecache.Limits{Pages: 512, Bytes: 16 << 20}, slotCSRF, slotStarted, slotForm)
}

// cached answers a public GET with the page render would write, from the
// cache when it holds one current (see pagecache.EveryChange). The cache
// keeps one page per path and interface language: shared says the request
// asks for that page, whatever else its query holds (links shared on social
// media carry tracking parameters); other requests are rendered each time.
func (h *Handler) cached(c *fiber.Ctx, shared bool, render func(*fiber.Ctx) error) error {
	if !shared {
		return render(c)
	}
	return h.serveFromCache(c, inLangKey(c.Path(), h.lang(c)), pagecache.EveryChange, render)
}

// inLangKey is the cache's key of a page kept in each interface language
// it is read in: its header, its menus and its messages are in that
// language. A page that is not (a PDF) is kept once, under its own key.
func inLangKey(key, lang string) string { return key + "|" + lang }

// serveFromCache answers with the page kept under key, rendered by render
// when the cache holds none current by fresh.
func (h *Handler) serveFromCache(c *fiber.Ctx, key string, fresh pagecache.Freshness, render func(*fiber.Ctx) error) error {
	p, err := h.cachedPage(c, key, fresh, render)
	if err != nil {
		return err
	}
	return h.serveCached(c, p.Meta.status, p, nil)
}

// cachedPage returns the page kept under key, rendering it with render when
// the cache holds none current by fresh. render writes the page to c as
// usual; the visitor's values come out as the cache's placeholders.
func (h *Handler) cachedPage(c *fiber.Ctx, key string, fresh pagecache.Freshness, render func(*fiber.Ctx) error) (*pagecache.Page[pageMeta], error) {
	return h.pages.Get(key, fresh, func() (pagecache.Made[pageMeta], error) { return h.renderForCache(c, render) })
}

// cacheRendering is the state of a request while it renders a page for the
// cache: csrfToken and formStarted give placeholders, and the latter notes
// the letter of the form; listHidden notes when the page's hidden list
// appears, when the page must go.
type cacheRendering struct {
	letterID int64
	expires  time.Time
}

// expireBy makes the page rendered expire at t at the latest.
func (r *cacheRendering) expireBy(t time.Time) {
	if r.expires.IsZero() || t.Before(r.expires) {
		r.expires = t
	}
}

// renderingForCache returns the state of c's rendering for the cache, or
// nil when c renders for its own visitor.
func renderingForCache(c *fiber.Ctx) *cacheRendering {
	r, _ := c.Locals(localCacheRendering).(*cacheRendering)
	return r
}

// renderForCache renders a page with placeholders for the visitor's values,
// as the cache keeps it. A page that is not 200 is not kept.
func (h *Handler) renderForCache(c *fiber.Ctx, render func(*fiber.Ctx) error) (pagecache.Made[pageMeta], error) {
	r := &cacheRendering{}
	c.Locals(localCacheRendering, r)
	defer c.Locals(localCacheRendering, nil)
	if err := render(c); err != nil {
		return pagecache.Made[pageMeta]{}, err
	}
	resp := c.Response()
	meta := pageMeta{
		status: resp.StatusCode(), letterID: r.letterID, contentType: string(resp.Header.ContentType()),
		disposition: string(resp.Header.Peek(fiber.HeaderContentDisposition)), robots: string(resp.Header.Peek("X-Robots-Tag")),
	}
	ok := meta.status == fiber.StatusOK
	made := pagecache.Made[pageMeta]{Body: bytes.Clone(resp.Body()), Meta: meta, Keep: ok, Compress: ok && compressible(meta.contentType), Expires: r.expires}
	resp.ResetBody()
	return made, nil
}

// serveCached writes a cached page with status and this visitor's values in
// its slots: their CSRF token, a signed time for the form of the page's
// letter, and form, the signing form rendered for them.
func (h *Handler) serveCached(c *fiber.Ctx, status int, p *pagecache.Page[pageMeta], form []byte) error {
	c.Status(status).Set(fiber.HeaderContentType, p.Meta.contentType)
	if p.Meta.disposition != "" {
		c.Set(fiber.HeaderContentDisposition, p.Meta.disposition)
	}
	if p.Meta.robots != "" {
		c.Set("X-Robots-Tag", p.Meta.robots)
	}
	gzipped := p.Compressed() && acceptsGzip(c)
	if gzipped {
		c.Set(fiber.HeaderContentEncoding, "gzip")
	}
	p.Write(c.Response().BodyWriter(), gzipped, func(s pagecache.Slot) []byte {
		switch s {
		case slotCSRF:
			return []byte(h.csrfToken(c))
		case slotStarted:
			return []byte(h.startedToken(p.Meta.letterID, time.Now()))
		}
		return form
	})
	return nil
}
