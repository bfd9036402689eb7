package handlers

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"undersigned/models"
)

// Deadline is when an open letter stops taking signatures, as its pages,
// the index, the JSON API and the feed say it.
type Deadline struct {
	At   time.Time // the closing moment
	Text string    // "Signatures close on 11 December 2026 at 23:59 CET"
	Soon string    // "Closes in 3 days", "Closes today"; empty before models.ClosingSoonDays
}

// stateOf is l's state at the handler's clock (see models.Letter.StateAt),
// as every output shows it. A page rendered for the page cache meanwhile
// expires at the closing moment: kept while the letter was open, it must
// not be served as open after.
func (h *Handler) stateOf(c *fiber.Ctx, l *models.Letter) models.LetterState {
	now := h.cfg.Now()
	if at := l.ClosesAt(); at != nil && now.Before(*at) {
		if r := renderingForCache(c); r != nil {
			r.expireBy(*at)
		}
	}
	return l.StateAt(now)
}

// deadline is when l closes, in the request's language and l's timezone,
// or nil when it is not open or has no closing date.
func (h *Handler) deadline(c *fiber.Ctx, l *models.Letter) *Deadline {
	at := l.ClosesAt()
	if at == nil || h.stateOf(c, l) != models.StateOpen {
		return nil
	}
	y, m, d := l.ClosesOn.UTC().Date()
	lastMinute := time.Date(y, m, d, 23, 59, 0, 0, l.Location())
	dl := &Deadline{At: *at, Text: h.msg(c, "deadline.closes_on", "date", h.date(c, *l.ClosesOn), "zone", lastMinute.Format("MST"))}
	switch days := l.DaysLeft(h.cfg.Now()); {
	case days == 0:
		dl.Soon = h.msg(c, "deadline.closes_today")
	case days > 0:
		dl.Soon = h.msg(c, "deadline.closes_in", "count", days)
	}
	return dl
}
