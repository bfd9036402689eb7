package handlers

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"

	"undersigned/models"
)

// RateLimit allows Max requests per Window from one client.
type RateLimit struct {
	Max    int
	Window time.Duration
}

// Limits are the rate limits of the public and login forms. Every limit is
// enforced here, by Fiber's limiter over a fiber.Storage: this process's
// memory by default, or the database's table that instances sharing it
// count in together (models.Store.RateLimits).
type Limits struct {
	// SignBurst and SignSustained limit signatures of one letter from one IP
	// address: a short burst, and a longer sustained rate.
	SignBurst, SignSustained RateLimit
	// SignOverall limits signatures of all letters from one IP address.
	SignOverall RateLimit
	// Resend limits confirmation emails sent again, per IP address.
	Resend RateLimit
	// Login limits failed logins per account; per IP address it allows three times as many.
	Login RateLimit
	// Storage keeps the counters; nil keeps them in this process's memory.
	// Its keys hold keyed hashes of IP addresses and the emails logins try.
	Storage fiber.Storage
}

// DefaultLimits are generous enough for a coalition's office, where dozens
// of people sign from one shared address, and tight enough that a script
// cannot flood a list; confirmation by email is the real gate for fakes.
func DefaultLimits() Limits {
	return Limits{
		SignBurst:     RateLimit{Max: 10, Window: time.Minute},
		SignSustained: RateLimit{Max: 60, Window: time.Hour},
		SignOverall:   RateLimit{Max: 120, Window: time.Hour},
		Resend:        RateLimit{Max: 3, Window: time.Hour},
		Login:         RateLimit{Max: 10, Window: 15 * time.Minute},
	}
}

// withDefaults fills the limits left zero with the defaults.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	for _, p := range []struct{ got, def *RateLimit }{
		{&l.SignBurst, &d.SignBurst}, {&l.SignSustained, &d.SignSustained}, {&l.SignOverall, &d.SignOverall},
		{&l.Resend, &d.Resend}, {&l.Login, &d.Login},
	} {
		if p.got.Max == 0 {
			*p.got = *p.def
		}
	}
	return l
}

// ipHash is the keyed hash that stands for the client's IP address in rate
// limits and on its signatures: the address itself is never stored.
func (h *Handler) ipHash(c *fiber.Ctx) string {
	m := hmac.New(sha256.New, h.ipKey)
	m.Write([]byte(c.IP()))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// setupLimits builds the limiters of the public and login forms. Signing
// and resending count what succeeded: a person correcting a typo is never
// locked out. Logins count what failed: a coordinator who logs in often is
// never locked out, a password guesser is.
func (h *Handler) setupLimits() {
	l := h.cfg.Limits.withDefaults()
	limit := func(name string, rl RateLimit, key func(*fiber.Ctx) string, reached fiber.Handler) fiber.Handler {
		login := reached == nil
		if login {
			reached = h.loginRateLimited
		}
		return limiter.New(limiter.Config{
			Max: rl.Max, Expiration: rl.Window, Storage: l.Storage, LimiterMiddleware: limiter.SlidingWindow{},
			SkipFailedRequests: !login, SkipSuccessfulRequests: login,
			KeyGenerator: func(c *fiber.Ctx) string { return name + ":" + key(c) }, LimitReached: reached,
		})
	}
	perLetter := func(c *fiber.Ctx) string { return h.ipHash(c) + ":" + c.Params("slug") }
	h.signLimits = []fiber.Handler{
		limit("sign-burst", l.SignBurst, perLetter, h.signRateLimited),
		limit("sign-sustained", l.SignSustained, perLetter, h.signRateLimited),
		limit("sign-overall", l.SignOverall, h.ipHash, h.signRateLimited),
	}
	h.resendLimit = limit("resend", l.Resend, h.ipHash, h.resendRateLimited)
	h.loginLimitPerIP = limit("login-ip", RateLimit{Max: l.Login.Max * 3, Window: l.Login.Window}, h.ipHash, nil)
	h.loginLimitPerAccount = limit("login-account", l.Login, func(c *fiber.Ctx) string { return models.EmailKey(c.FormValue("email")) }, nil)
}
