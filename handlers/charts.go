package handlers

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"undersigned/models"
	"undersigned/views"
)

// Charts are drawn on the server as inline SVG: no script, nothing from
// another host, and under the Content-Security-Policy colours are SVG
// presentation attributes (fill=, stroke=), never style attributes. Each
// chart carries a <title> and <desc>, and a table of the same figures
// follows it for those who do not see it.

const (
	chartWidth     = 640
	chartCountries = 8 // countries shown by name; the rest are summed as others
)

// ChartView is one chart: what the SVG draws and the table of its figures.
type ChartView struct {
	ID          string // prefix of the chart's element ids
	Title, Desc string
	Width       int
	Height      int
	Bars        []BarView
	Area, Line  string   // the time chart's filled area and line, as SVG points
	Labels      []Label  // axis labels
	Grid        []Rule   // horizontal grid lines
	TableLabel  string   // what opens the table
	Head        []string // the table's column headings
	Rows        [][]string
}

// BarView is one horizontal bar with its label and figure.
type BarView struct {
	X, Y, W, TextY int
	Label, Figure  string
	LabelX         int
	FigureX        int
}

// Label is a piece of text placed on a chart.
type Label struct {
	X, Y   int
	Anchor string // start, middle or end
	Text   string
}

// Rule is a horizontal line across a chart.
type Rule struct{ X1, X2, Y int }

// chartCache keeps each letter's charts, since they are counted over all of
// its signatures: drawn again when the list has changed and the drawing is
// over a minute old, so that a crowd reading a letter that many sign at
// once costs one count a minute, not one a view.
// chartKey names a letter's charts in one language.
type chartKey struct {
	letterID int64
	lang     string
}

type chartCache struct {
	mu      sync.Mutex
	entries map[chartKey]chartEntry
}

type chartEntry struct {
	asOf   time.Time // the list's last change when drawn
	drawn  time.Time
	charts []ChartView
}

// chartsMaxAge is how stale a letter's charts may be while its list changes.
const chartsMaxAge = time.Minute

// charts returns the letter page's charts, or none before anyone signed.
func (h *Handler) charts(c *fiber.Ctx, ctx context.Context, l *models.Letter) ([]ChartView, error) {
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
	charts, err := h.drawCharts(c, ctx, l)
	if err != nil {
		return nil, err
	}
	cc.mu.Lock()
	if cc.entries == nil || len(cc.entries) >= 1000 {
		cc.entries = map[chartKey]chartEntry{} // a bound, not an eviction policy: letters read at once are few
	}
	cc.entries[key] = chartEntry{asOf: l.AsOf(), drawn: time.Now(), charts: charts}
	cc.mu.Unlock()
	return charts, nil
}

// drawCharts counts a letter's signatures by day and by country and draws them.
func (h *Handler) drawCharts(c *fiber.Ctx, ctx context.Context, l *models.Letter) ([]ChartView, error) {
	days, err := h.store.SignaturesByDay(ctx, l)
	if err != nil {
		return nil, err
	}
	countries, err := h.store.CountryCounts(ctx, l)
	if err != nil {
		return nil, err
	}
	var out []ChartView
	if len(days) > 0 {
		out = append(out, h.timeChart(c, days))
	}
	if len(countries) > 0 {
		out = append(out, h.countryChart(c, countries))
	}
	return out, nil
}

// timeChart draws the running total of signatures, day by day: a step up on
// each day people signed, flat across days nobody did.
func (h *Handler) timeChart(c *fiber.Ctx, days []models.DayCount) ChartView {
	const (
		height                 = 240
		left, right, top, foot = 56, 16, 16, 36
	)
	plotW, plotH := chartWidth-left-right, height-top-foot
	// Each day is a column of the x axis, from the first day people signed to the last.
	first, last := days[0].Day, days[len(days)-1].Day
	span := last.Sub(first).Hours()/24 + 1
	var total, busiest int64
	var busiestDay time.Time
	for _, d := range days {
		total += d.Count
		if d.Count > busiest {
			busiest, busiestDay = d.Count, d.Day
		}
	}
	x := func(t time.Time) int { return left + int(float64(plotW)*t.Sub(first).Hours()/24/span+0.5) }
	y := func(n int64) int { return top + plotH - int(float64(plotH)*float64(n)/float64(total)+0.5) }

	v := ChartView{
		ID: "chart-time", Title: h.msg(c, "charts.time.title"), Width: chartWidth, Height: height, TableLabel: h.msg(c, "charts.table"),
		Desc: h.msg(c, "charts.time.desc", "from", h.date(c, first), "to", h.date(c, last), "total", total, "most", busiest, "day", h.date(c, busiestDay)),
		Head: []string{h.msg(c, "charts.time.day"), h.msg(c, "charts.time.count"), h.msg(c, "charts.time.total")},
	}
	if len(days) == 1 {
		v.Desc = h.msg(c, "charts.time.desc_one_day", "count", total, "day", h.date(c, first))
	}
	var points []string
	var sum int64
	for _, d := range days {
		points = append(points, point(x(d.Day), y(sum)))
		sum += d.Count
		points = append(points, point(x(d.Day.AddDate(0, 0, 1)), y(sum)))
		v.Rows = append(v.Rows, []string{h.date(c, d.Day), h.number(c, d.Count), h.number(c, sum)})
	}
	v.Line = strings.Join(points, " ")
	v.Area = v.Line + " " + point(x(last.AddDate(0, 0, 1)), y(0))
	for _, n := range []int64{0, total / 2, total} {
		if n == total/2 && (n == 0 || n == total) {
			continue
		}
		v.Grid = append(v.Grid, Rule{X1: left, X2: left + plotW, Y: y(n)})
		v.Labels = append(v.Labels, Label{X: left - 8, Y: y(n) + 4, Anchor: "end", Text: h.number(c, n)})
	}
	v.Labels = append(v.Labels, Label{X: left, Y: height - 12, Anchor: "start", Text: h.date(c, first)})
	if last.After(first) {
		v.Labels = append(v.Labels, Label{X: left + plotW, Y: height - 12, Anchor: "end", Text: h.date(c, last)})
	}
	return v
}

// countryChart draws a bar for each of the countries with most entries and
// one for all others together.
func (h *Handler) countryChart(c *fiber.Ctx, counts []models.CountryCount) ChartView {
	const (
		rowH, barH         = 28, 18
		labelW, figureRoom = 210, 56
	)
	type row struct {
		label string
		n     int64
	}
	var rows []row
	var others, otherCountries int64
	for i, cc := range counts {
		if i < chartCountries || len(counts) == chartCountries+1 {
			rows = append(rows, row{models.CountryNameIn(h.lang(c), cc.Country), cc.Count})
			continue
		}
		others += cc.Count
		otherCountries++
	}
	if otherCountries > 0 {
		rows = append(rows, row{h.msg(c, "charts.country.others", "count", otherCountries), others})
	}
	most := rows[0].n
	for _, r := range rows {
		most = max(most, r.n)
	}
	v := ChartView{
		ID: "chart-country", Title: h.msg(c, "charts.country.title"), Width: chartWidth, Height: len(rows)*rowH + 8, TableLabel: h.msg(c, "charts.table"),
		Head: []string{h.msg(c, "charts.country.country"), h.msg(c, "charts.country.count")},
	}
	var said []string
	plotW := chartWidth - labelW - figureRoom
	for i, r := range rows {
		w := max(int(float64(plotW)*float64(r.n)/float64(most)+0.5), 2)
		figure := h.number(c, r.n)
		v.Bars = append(v.Bars, BarView{X: labelW, Y: i*rowH + 4, W: w, TextY: i*rowH + 4 + barH - 4, Label: r.label, Figure: figure,
			LabelX: labelW - 8, FigureX: labelW + w + 6})
		v.Rows = append(v.Rows, []string{r.label, figure})
		said = append(said, h.msg(c, "charts.country.item", "country", r.label, "count", r.n))
	}
	v.Desc = h.msg(c, "charts.country.desc", "countries", views.List(h.lang(c), said))
	return v
}

func point(x, y int) string { return fmt.Sprintf("%d,%d", x, y) }
