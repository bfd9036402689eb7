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
	asOf  time.Time // the list's last change when drawn
	drawn time.Time
	figures
}

// figures are what the letter page draws of its counts.
type figures struct {
	charts []charts.Chart
	world  *charts.Map // the entries by country on a map of the world
}

// chartsMaxAge is how stale a letter's charts may be while its list changes.
const chartsMaxAge = time.Minute

// charts returns the letter page's charts and map, or none before anyone
// signed.
func (h *Handler) charts(c *fiber.Ctx, ctx context.Context, l *models.Letter) (figures, error) {
	if l.SignatureCount() == 0 {
		return figures{}, nil
	}
	cc := &h.chartCache
	cc.mu.Lock()
	key := chartKey{l.ID, h.lang(c)}
	e, ok := cc.entries[key]
	cc.mu.Unlock()
	if ok && (e.asOf.Equal(l.AsOf()) || time.Since(e.drawn) < chartsMaxAge) {
		return e.figures, nil
	}
	drawn, err := h.drawCharts(ctx, l, key.lang)
	if err != nil {
		return figures{}, err
	}
	cc.mu.Lock()
	if cc.entries == nil || len(cc.entries) >= 1000 {
		cc.entries = map[chartKey]chartEntry{} // a bound, not an eviction policy: letters read at once are few
	}
	cc.entries[key] = chartEntry{asOf: l.AsOf(), drawn: time.Now(), figures: drawn}
	cc.mu.Unlock()
	return drawn, nil
}

// drawCharts reads a letter's counts by day and by country and has them
// drawn, in lang.
func (h *Handler) drawCharts(ctx context.Context, l *models.Letter, lang string) (figures, error) {
	var out figures
	days, err := h.store.SignaturesByDay(ctx, l)
	if err != nil {
		return out, err
	}
	countries, err := h.store.CountryCounts(ctx, l)
	if err != nil {
		return out, err
	}
	if len(days) > 0 {
		perDay := make([]charts.Day, len(days))
		for i, d := range days {
			perDay[i] = charts.Day(d)
		}
		out.charts = append(out.charts, charts.Time(lang, perDay))
	}
	if len(countries) > 0 {
		named := make([]charts.Country, len(countries))
		places := make([]charts.Place, len(countries))
		for i, cc := range countries {
			name := models.CountryNameIn(lang, cc.Country)
			named[i] = charts.Country{Name: name, Count: cc.Count}
			places[i] = charts.Place{Code: cc.Country, Name: name, Count: cc.Count}
		}
		out.charts = append(out.charts, charts.Countries(lang, named))
		world := charts.World(lang, places)
		out.world = &world
	}
	return out, nil
}
