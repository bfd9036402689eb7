package handlers

import (
	"context"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"undersigned/models"
	"undersigned/views/charts"
)

// chartKey names a letter's charts in one language.
type chartKey struct {
	letterID int64
	lang     string
}

// chartCache keeps each letter's charts: drawn again when the list has
// changed and the drawing is over a minute old, so that a letter page made
// again at each change, while a crowd signs, does not draw them each time.
// The figures themselves are a few rows of counts kept as signatures come
// and go (models.Store.CountryCounts), whatever the length of the list.
type chartCache struct {
	mu      sync.Mutex
	entries map[chartKey]chartEntry
}

type chartEntry struct {
	asOf   time.Time // the list's last change when drawn
	drawn  time.Time
	charts []charts.Chart
}

// chartsMaxAge is how stale a letter's charts may be while its list changes.
const chartsMaxAge = time.Minute

// charts returns the letter page's charts, or none before anyone signed.
func (h *Handler) charts(c *fiber.Ctx, ctx context.Context, l *models.Letter) ([]charts.Chart, error) {
	if l.SignatureCount() == 0 {
		return nil, nil
	}
	cc := &h.chartCache
	cc.mu.Lock()
	key := chartKey{l.ID, h.lang(c)}
	e, ok := cc.entries[key]
	cc.mu.Unlock()
	if ok && (e.asOf.Equal(l.AsOf()) || time.Since(e.drawn) < chartsMaxAge) {
		return e.charts, nil
	}
	drawn, err := h.drawCharts(ctx, l, key.lang)
	if err != nil {
		return nil, err
	}
	cc.mu.Lock()
	if cc.entries == nil || len(cc.entries) >= 1000 {
		cc.entries = map[chartKey]chartEntry{} // a bound, not an eviction policy: letters read at once are few
	}
	cc.entries[key] = chartEntry{asOf: l.AsOf(), drawn: time.Now(), charts: drawn}
	cc.mu.Unlock()
	return drawn, nil
}

// drawCharts reads a letter's counts by day and by country and has them
// drawn, in lang.
func (h *Handler) drawCharts(ctx context.Context, l *models.Letter, lang string) ([]charts.Chart, error) {
	days, err := h.store.SignaturesByDay(ctx, l)
	if err != nil {
		return nil, err
	}
	countries, err := h.store.CountryCounts(ctx, l)
	if err != nil {
		return nil, err
	}
	var out []charts.Chart
	if len(days) > 0 {
		perDay := make([]charts.Day, len(days))
		for i, d := range days {
			perDay[i] = charts.Day(d)
		}
		out = append(out, charts.Time(lang, perDay))
	}
	if len(countries) > 0 {
		named := make([]charts.Country, len(countries))
		for i, cc := range countries {
			named[i] = charts.Country{Name: models.CountryNameIn(lang, cc.Country), Count: cc.Count}
		}
		out = append(out, charts.Countries(lang, named))
	}
	return out, nil
}
