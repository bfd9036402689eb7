package handlers

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"undersigned/models"
)

// RateLimit allows Max requests per Window from one client.
type RateLimit struct {
	Max    int
	Window time.Duration
}

// Limits are the rate limits of the public and login forms, kept in a
// fiber.Storage: this process's memory by default, or the database's table
// that instances sharing it count in together (SharedRateLimits).
//
// The limits of signing count per client, that is per IP address: an
// office or a university whose people sign from one shared address shares
// them. Higher limits let such a place sign together, and let a script on
// one address add more signatures, which confirmation by email then has to
// stop; lower limits do the opposite.
type Limits struct {
	// SignBurst and SignSustained limit signatures of one letter from one IP
	// address: a short burst, and a longer sustained rate. Only signatures
	// stored count (and signatures with an address that had signed, which
	// are answered as if stored).
	SignBurst, SignSustained RateLimit
	// SignOverall limits signatures of all letters from one IP address.
	SignOverall RateLimit
	// Resend limits the emails sent again from the thank-you page, per
	// address that signed a letter; ResendPerClient limits them per IP
	// address, for every address together, above what a shared office
	// needs.
	Resend, ResendPerClient RateLimit
	// Login throttles failed logins (throttle.go): Max failures per
	// account, three times as many per IP address, before each further
	// attempt waits a delay that doubles up to Window.
	Login RateLimit
	// Storage keeps the counters; nil keeps them in this process's memory.
	// Its keys hold keyed hashes of IP addresses (clientkey.go) and hashes
	// of the emails logins try. The database's (SharedRateLimits) keeps the
	// counters of signing by IP address only with a ClientKey, which other
	// instances may share; without one, memory keeps them.
	Storage fiber.Storage
	// perClient keeps the counters by client address: Storage when other
	// instances hash addresses with the same key, else memory.
	perClient fiber.Storage
}

// DefaultLimits are generous enough for a coalition's office, where dozens
// of people sign from one shared address, and tight enough that a script
// cannot flood a list; confirmation by email is the real gate for fakes.
func DefaultLimits() Limits {
	return Limits{
		SignBurst:       RateLimit{Max: 10, Window: time.Minute},
		SignSustained:   RateLimit{Max: 60, Window: time.Hour},
		SignOverall:     RateLimit{Max: 120, Window: time.Hour},
		Resend:          RateLimit{Max: 3, Window: time.Hour},
		ResendPerClient: RateLimit{Max: 60, Window: time.Hour},
		Login:           RateLimit{Max: 10, Window: 15 * time.Minute},
	}
}

// The bounds of the counters kept in memory: entries of a few hundred
// bytes at most, and a ceiling in bytes for keys that callers do not bound.
const (
	maxLimitEntries = 50_000
	maxLimitBytes   = 16 << 20
)

// withDefaults fills the limits left zero with the defaults. keyShared
// says whether client addresses are hashed with a key other instances
// share: with this process's own key, no other instance counts under the
// same keys, and memory keeps the counters by client as well as a shared
// storage would, without its round trips.
func (l Limits) withDefaults(keyShared bool) Limits {
	d := DefaultLimits()
	for _, p := range []struct{ got, def *RateLimit }{
		{&l.SignBurst, &d.SignBurst}, {&l.SignSustained, &d.SignSustained}, {&l.SignOverall, &d.SignOverall},
		{&l.Resend, &d.Resend}, {&l.ResendPerClient, &d.ResendPerClient}, {&l.Login, &d.Login},
	} {
		if p.got.Max == 0 {
			*p.got = *p.def
		}
	}
	memory := newMemoryStorage(maxLimitEntries, maxLimitBytes)
	if l.Storage == nil {
		l.Storage = memory
	}
	l.perClient = l.Storage
	if !keyShared {
		l.perClient = memory
	}
	return l
}

// setupLimits builds the limiters of the public forms. Signing and
// resending count what succeeded (see counter): a person correcting a typo
// is never locked out. Logins are throttled apart (throttle.go).
func (h *Handler) setupLimits() {
	l := h.cfg.Limits
	locks := newKeyLocks()
	newCounter := func(name string, rl RateLimit, storage fiber.Storage) *counter {
		return &counter{name: name, limit: rl, storage: storage, locks: locks}
	}
	h.limits = signLimits{
		burst:           newCounter("sign-burst", l.SignBurst, l.perClient),
		sustained:       newCounter("sign-sustained", l.SignSustained, l.perClient),
		overall:         newCounter("sign-overall", l.SignOverall, l.perClient),
		resend:          newCounter("resend", l.Resend, l.Storage),
		resendPerClient: newCounter("resend-client", l.ResendPerClient, l.perClient),
	}
}

// signLimits are the limiters of signing and of sending emails again.
type signLimits struct {
	burst, sustained, overall *counter
	resend, resendPerClient   *counter
}

// signKeys are what a signature of l counts against: the letter's limits
// for this client, by the letter's id (the slug is the client's to choose),
// and the client's limit over all letters.
func (h *Handler) signKeys(c *fiber.Ctx, l *models.Letter) []limitKey {
	client := h.ipHash(c)
	perLetter := strconv.FormatInt(l.ID, 10) + ":" + client
	return []limitKey{{h.limits.burst, perLetter}, {h.limits.sustained, perLetter}, {h.limits.overall, client}}
}

// resendKeys are what an email sent again counts against: the limit of
// the signature it goes to (named by key, of fixed length), and the
// client's ceiling.
func (h *Handler) resendKeys(c *fiber.Ctx, key string) []limitKey {
	return []limitKey{{h.limits.resend, key}, {h.limits.resendPerClient, h.ipHash(c)}}
}

// retryAfter tells a refused client when to try again: it sets Retry-After
// and returns the same time in words, "40 seconds", "1 minute", "2
// minutes". Past a minute both are in whole minutes, rounded up, so that
// they agree and trying again at the time told works. Every message it
// goes into uses it as a duration ("try again in {wait}", "wait {wait}"),
// which all our languages decline alike (the Russian accusative: "через
// 1 минуту", "подождите 1 минуту"); a use in another case would need
// messages of its own.
func (h *Handler) retryAfter(c *fiber.Ctx, wait time.Duration) string {
	secs := int64((wait + time.Second - 1) / time.Second)
	if secs < 60 {
		c.Set(fiber.HeaderRetryAfter, strconv.FormatInt(max(secs, 1), 10))
		return h.msg(c, "time.seconds", "count", int(max(secs, 1)))
	}
	mins := (secs + 59) / 60
	c.Set(fiber.HeaderRetryAfter, strconv.FormatInt(mins*60, 10))
	return h.msg(c, "time.minutes", "count", int(mins))
}
