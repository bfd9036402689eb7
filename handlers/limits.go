package handlers

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"
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
	// Login throttles failed logins (throttle.go): Max failures per
	// account, three times as many per IP address, before each further
	// attempt waits a delay that doubles up to Window.
	Login RateLimit
	// Storage keeps the counters; nil keeps them in this process's memory.
	// Its keys hold keyed hashes of IP addresses (clientkey.go) and hashes
	// of the emails logins try.
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

// setupLimits builds the limiters of the public forms. Signing and
// resending count what succeeded: a person correcting a typo is never
// locked out. Logins are throttled apart (throttle.go).
func (h *Handler) setupLimits() {
	l := h.cfg.Limits.withDefaults()
	limit := func(name string, rl RateLimit, key func(*fiber.Ctx) string, reached fiber.Handler) fiber.Handler {
		return limiter.New(limiter.Config{
			Max: rl.Max, Expiration: rl.Window, Storage: l.Storage, LimiterMiddleware: limiter.SlidingWindow{},
			SkipFailedRequests: true, LimitReached: reached,
			KeyGenerator: func(c *fiber.Ctx) string { return name + ":" + key(c) },
		})
	}
	perLetter := func(c *fiber.Ctx) string { return h.ipHash(c) + ":" + c.Params("slug") }
	h.signLimits = []fiber.Handler{
		limit("sign-burst", l.SignBurst, perLetter, h.signRateLimited),
		limit("sign-sustained", l.SignSustained, perLetter, h.signRateLimited),
		limit("sign-overall", l.SignOverall, h.ipHash, h.signRateLimited),
	}
	h.resendLimit = limit("resend", l.Resend, h.ipHash, h.resendRateLimited)
}
