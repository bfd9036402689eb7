package handlers

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"undersigned/models"
)

const (
	sessionCookie = "undersigned_session"
	csrfCookie    = "undersigned_csrf"
	csrfField     = "_csrf"
	sessionUserID = "uid"
	localUser     = "user"
	localLang     = "lang" // the interface language of the request
	// localCacheRendering is set while a page renders for the page cache
	// (see cacheRendering).
	localCacheRendering = "cache-rendering"
)

// contentSecurityPolicy allows nothing from other hosts, no inline script or
// style, and no framing.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

// securityHeaders sets the headers every response carries, error pages and
// static files included.
func (h *Handler) securityHeaders(c *fiber.Ctx) error {
	h.setSecurityHeaders(c)
	return c.Next()
}

func (h *Handler) setSecurityHeaders(c *fiber.Ctx) {
	c.Set("Content-Security-Policy", contentSecurityPolicy)
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("Referrer-Policy", "same-origin")
	c.Set("X-Frame-Options", "DENY")
	c.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
	c.Set("Cross-Origin-Opener-Policy", "same-origin")
	if h.secure {
		c.Set("Strict-Transport-Security", "max-age=31536000")
	}
}

// allowFraming lets any site frame this response, overriding the headers
// securityHeaders set: only a letter's embeddable counter calls it. An error
// page sets every header again, unframeable.
func allowFraming(c *fiber.Ctx) {
	c.Set("Content-Security-Policy", strings.Replace(contentSecurityPolicy, "frame-ancestors 'none'", "frame-ancestors *", 1))
	c.Response().Header.Del("X-Frame-Options")
}

// tokenPaths are the shapes of the paths of private links, the routes
// with a :token: the segments of their paths before it ("signature",
// "dashboard/co-initiations"), and the words that follow the token
// ("withdraw").
type tokenPaths struct{ prefixes, words map[string]bool }

// findTokenPaths reads the shapes of the private links from the URL map, so
// that a route added there is hidden in the log without another list to
// keep.
func findTokenPaths(routes []fiber.Route) tokenPaths {
	tp := tokenPaths{prefixes: map[string]bool{}, words: map[string]bool{}}
	for _, r := range routes {
		segs := strings.Split(strings.TrimPrefix(r.Path, "/"), "/")
		at := slices.Index(segs, ":token")
		if at < 1 {
			continue
		}
		tp.prefixes[strings.ToLower(strings.Join(segs[:at], "/"))] = true
		for _, w := range segs[at+1:] {
			if !strings.HasPrefix(w, ":") {
				tp.words[w] = true
			}
		}
	}
	return tp
}

// tokenAt returns the index in segs, a path's segments, of the first one
// after a private link's prefix (its token), or -1 when the path is no
// private link's. Empty segments (doubled slashes) are skipped, and the
// prefix's segments compared unescaped, in any case.
func (tp tokenPaths) tokenAt(segs []string) int {
	var prefix []string
	for i, s := range segs {
		if s == "" {
			continue
		}
		if len(prefix) > 0 && tp.prefixes[strings.Join(prefix, "/")] {
			return i
		}
		seg, err := url.PathUnescape(s)
		if err != nil {
			return -1
		}
		prefix = append(prefix, strings.ToLower(seg))
	}
	return -1
}

// logPath is the request's path as logs show it. On a private link's path,
// every segment after its prefix is a placeholder but the words of its
// routes: a token is its holder's key to their signature or account, and
// whoever reads the log must not hold it. The rule goes by the path, not by
// the route the request reached, so that a request refused before routing
// (CSRF) or reaching no route, in any case or with any slashes, is hidden
// too.
func (h *Handler) logPath(c *fiber.Ctx) string {
	path := c.Path()
	segs := strings.Split(path, "/")
	at := h.tokenPaths.tokenAt(segs)
	if at < 0 {
		return path
	}
	for i := at; i < len(segs); i++ {
		if segs[i] != "" && !h.tokenPaths.words[segs[i]] {
			segs[i] = ":token"
		}
	}
	return strings.Join(segs, "/")
}

// canonicalPaths answers a GET or HEAD for another spelling of a path
// (other case, a trailing or doubled slash) with a permanent redirect to the
// path itself, its query kept. Each page has one address: the page cache,
// the PDF queue and a link shared around see one page, not one per
// spelling. The router is strict about case and slashes, so no other
// method reaches a handler by another spelling either.
func (h *Handler) canonicalPaths(c *fiber.Ctx) error {
	if c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead {
		return c.Next()
	}
	path := h.canonicalPath(c.Path())
	if path == c.Path() || strings.ContainsFunc(path, unsafeInLocation) {
		return c.Next()
	}
	if q := c.Request().URI().QueryString(); len(q) > 0 {
		path += "?" + string(q)
	}
	return c.Redirect(path, fiber.StatusMovedPermanently)
}

// canonicalPath is path without empty segments and in lower case, but for
// what the case of matters: a private link's token, and a static file's
// name. Slugs are lower case (models.Slugify).
func (h *Handler) canonicalPath(path string) string {
	segs := slices.DeleteFunc(strings.Split(path, "/"), func(s string) bool { return s == "" })
	if len(segs) == 0 {
		return "/"
	}
	first, token := strings.ToLower(segs[0]), h.tokenPaths.tokenAt(segs)
	for i, s := range segs {
		switch {
		case first == "static" && i > 0, i == token:
		default:
			segs[i] = strings.ToLower(s)
		}
	}
	return "/" + strings.Join(segs, "/")
}

// unsafeInLocation reports whether r may not be in a redirect's path:
// browsers read a backslash as a slash, and "/\host" as another site.
func unsafeInLocation(r rune) bool {
	return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune("/-._~%", r))
}

// csrfToken returns the token the forms of this response carry, setting the
// browser's CSRF cookie if it has none. The token is an HMAC of the cookie's
// random value, so it cannot be made without the server's key, and no state
// is kept on the server for visitors. A page rendered for the cache gets
// the placeholder of the cache's slot instead.
func (h *Handler) csrfToken(c *fiber.Ctx) string {
	if renderingForCache(c) != nil {
		return h.pages.Placeholder(slotCSRF)
	}
	if t, ok := c.Locals(csrfCookie).(string); ok {
		return t
	}
	nonce, err := base64.RawURLEncoding.DecodeString(c.Cookies(csrfCookie))
	if err != nil || len(nonce) != 32 {
		nonce = h.newCSRFCookie(c)
	}
	t := h.csrfMAC(nonce)
	c.Locals(csrfCookie, t)
	return t
}

func (h *Handler) newCSRFCookie(c *fiber.Ctx) []byte {
	nonce := make([]byte, 32)
	if _, err := rand.Read(nonce); err != nil {
		panic(err)
	}
	c.Cookie(&fiber.Cookie{
		Name: csrfCookie, Value: base64.RawURLEncoding.EncodeToString(nonce), Path: "/",
		HTTPOnly: true, Secure: h.secure, SameSite: fiber.CookieSameSiteLaxMode, SessionOnly: true,
	})
	return nonce
}

func (h *Handler) csrfMAC(nonce []byte) string {
	m := hmac.New(sha256.New, h.csrfKey)
	m.Write(nonce)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// checkCSRF refuses, with 403 and before anything is written, every request
// that may change state and does not carry the token of its CSRF cookie.
func (h *Handler) checkCSRF(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	if strings.HasPrefix(c.Path(), unsubscribePath("")) {
		// A mail program's one-click unsubscribe (RFC 8058) has no
		// cookie: the link's token is the credential, and stopping news
		// is all it can do.
		return c.Next()
	}
	nonce, err := base64.RawURLEncoding.DecodeString(c.Cookies(csrfCookie))
	given := c.FormValue(csrfField)
	if err != nil || len(nonce) != 32 || !hmac.Equal([]byte(given), []byte(h.csrfMAC(nonce))) {
		return fiber.NewError(fiber.StatusForbidden, "csrf token missing or invalid")
	}
	return c.Next()
}

// currentUser returns the logged-in coordinator, or nil.
func (h *Handler) currentUser(c *fiber.Ctx) (*models.User, error) {
	if c.Cookies(sessionCookie) == "" {
		return nil, nil
	}
	sess, err := h.sessions.Get(c)
	if err != nil {
		return nil, err
	}
	id, ok := sess.Get(sessionUserID).(int64)
	if !ok {
		return nil, nil
	}
	u, err := h.store.UserByID(c.UserContext(), id)
	if errors.Is(err, models.ErrNotFound) {
		return nil, nil
	}
	return u, err
}

// requireCoordinator lets logged-in coordinators through and sends everyone
// else to the login page, remembering where they were going.
func (h *Handler) requireCoordinator(c *fiber.Ctx) error {
	u, err := h.currentUser(c)
	if err != nil {
		return err
	}
	if u == nil {
		if c.Method() != fiber.MethodGet {
			return fiber.ErrForbidden
		}
		return c.Redirect("/login?next="+url.QueryEscape(c.OriginalURL()), fiber.StatusSeeOther)
	}
	c.Locals(localUser, u)
	c.Set("Cache-Control", "no-store")
	return c.Next()
}

func coordinator(c *fiber.Ctx) *models.User { return c.Locals(localUser).(*models.User) }

// withLetter loads the :id letter for the coordinator, answering 404 when it
// does not exist or belongs to an organisation they are not in.
func (h *Handler) withLetter(next func(*fiber.Ctx, *models.Letter) error) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := strconv.ParseInt(c.Params("id"), 10, 64)
		if err != nil {
			return fiber.ErrNotFound
		}
		l, err := h.store.CoordinatorLetter(c.UserContext(), coordinator(c).ID, id)
		if err != nil {
			return err
		}
		return next(c, l)
	}
}
