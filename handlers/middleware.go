package handlers

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"undersigned/models"
)

const (
	sessionCookie = "undersigned_session"
	csrfCookie    = "undersigned_csrf"
	csrfField     = "_csrf"
	sessionUserID = "uid"
	localUser     = "user"
	// localStartedToken, set while a page renders for the cache, is the
	// marker that stands for the signing form's started token.
	localStartedToken = "started"
	// localStartedLetter is the id of the letter whose form the page
	// rendered for the cache shows: its token is for that letter.
	localStartedLetter = "started-letter"
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

// logRequests writes one structured line per request. It logs the route
// rather than the path where the path holds a token, and never a query
// string or a form value.
func (h *Handler) logRequests(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	if err != nil {
		if herr := c.App().ErrorHandler(c, err); herr != nil {
			_ = c.SendStatus(fiber.StatusInternalServerError)
		}
	}
	path := c.Path()
	if c.Params("token") != "" {
		path = c.Route().Path
	}
	h.log.Info("request",
		"id", c.GetRespHeader(fiber.HeaderXRequestID),
		"method", c.Method(),
		"path", path,
		"status", c.Response().StatusCode(),
		"duration_ms", float64(time.Since(start).Microseconds())/1000,
	)
	return nil
}

// csrfToken returns the token the forms of this response carry, setting the
// browser's CSRF cookie if it has none. The token is an HMAC of the cookie's
// random value, so it cannot be made without the server's key, and no state
// is kept on the server for visitors.
func (h *Handler) csrfToken(c *fiber.Ctx) string {
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
