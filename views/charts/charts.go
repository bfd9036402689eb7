// Package charts lays out the letter page's charts: where each bar, line
// and label of an SVG goes, for the templates to draw, from plain counts.
//
// Charts are drawn on the server as inline SVG: no script, nothing from
// another host, and under the Content-Security-Policy colours are SVG
// presentation attributes (fill=, stroke=), never style attributes. Each
// chart carries a <title> and <desc>, and a table of the same figures
// follows it for those who do not see it.
package charts

import (
	"fmt"
	"strings"
	"time"

	"undersigned/views"
)

const (
	width     = 640
	countries = 8 // countries shown by name; the rest are summed as others
)

// Chart is one chart: what the SVG draws and the table of its figures.
type Chart struct {
	ID          string // prefix of the chart's element ids
	Title, Desc string
	Width       int
	Height      int
	Bars        []Bar
	Area, Line  string   // the time chart's filled area and line, as SVG points
	Labels      []Label  // axis labels
	Grid        []Rule   // horizontal grid lines
	TableLabel  string   // what opens the table
	Head        []string // the table's column headings
	Rows        [][]string
}

// Bar is one horizontal bar with its label and figure.
type Bar struct {
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

// Day is how many signed on a day (UTC).
type Day struct {
	Day   time.Time
	Count int64
}

// Country is how many entries give a country, by its name in the chart's
// language.
type Country struct {
	Name  string
	Count int64
}

// Time draws the running total of signatures, day by day, oldest first: a
// step up on each day people signed, flat across days nobody did. Its
// words are in lang; days holds at least one day.
func Time(lang string, days []Day) Chart {
	const (
		height                 = 240
		left, right, top, foot = 56, 16, 16, 36
	)
	plotW, plotH := width-left-right, height-top-foot
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
	in := words(lang)

	v := Chart{
		ID: "chart-time", Title: in.T("charts.time.title"), Width: width, Height: height, TableLabel: in.T("charts.table"),
		Desc: in.T("charts.time.desc", "from", in.date(first), "to", in.date(last), "total", total, "most", busiest, "day", in.date(busiestDay)),
		Head: []string{in.T("charts.time.day"), in.T("charts.time.count"), in.T("charts.time.total")},
	}
	if len(days) == 1 {
		v.Desc = in.T("charts.time.desc_one_day", "count", total, "day", in.date(first))
	}
	var points []string
	var sum int64
	for _, d := range days {
		points = append(points, point(x(d.Day), y(sum)))
		sum += d.Count
		points = append(points, point(x(d.Day.AddDate(0, 0, 1)), y(sum)))
		v.Rows = append(v.Rows, []string{in.date(d.Day), in.number(d.Count), in.number(sum)})
	}
	v.Line = strings.Join(points, " ")
	v.Area = v.Line + " " + point(x(last.AddDate(0, 0, 1)), y(0))
	for _, n := range []int64{0, total / 2, total} {
		if n == total/2 && (n == 0 || n == total) {
			continue
		}
		v.Grid = append(v.Grid, Rule{X1: left, X2: left + plotW, Y: y(n)})
		v.Labels = append(v.Labels, Label{X: left - 8, Y: y(n) + 4, Anchor: "end", Text: in.number(n)})
	}
	v.Labels = append(v.Labels, Label{X: left, Y: height - 12, Anchor: "start", Text: in.date(first)})
	if last.After(first) {
		v.Labels = append(v.Labels, Label{X: left + plotW, Y: height - 12, Anchor: "end", Text: in.date(last)})
	}
	return v
}

// Countries draws a bar for each of the countries with most entries and
// one for all others together. Its words are in lang; counts holds at
// least one country, most entries first.
func Countries(lang string, counts []Country) Chart {
	const (
		rowH, barH         = 28, 18
		labelW, figureRoom = 210, 56
	)
	in := words(lang)
	var rows []Country
	var others, otherCountries int64
	for i, c := range counts {
		if i < countries || len(counts) == countries+1 {
			rows = append(rows, c)
			continue
		}
		others += c.Count
		otherCountries++
	}
	if otherCountries > 0 {
		rows = append(rows, Country{in.T("charts.country.others", "count", otherCountries), others})
	}
	most := rows[0].Count
	for _, r := range rows {
		most = max(most, r.Count)
	}
	v := Chart{
		ID: "chart-country", Title: in.T("charts.country.title"), Width: width, Height: len(rows)*rowH + 8, TableLabel: in.T("charts.table"),
		Head: []string{in.T("charts.country.country"), in.T("charts.country.count")},
	}
	var said []string
	plotW := width - labelW - figureRoom
	for i, r := range rows {
		w := max(int(float64(plotW)*float64(r.Count)/float64(most)+0.5), 2)
		figure := in.number(r.Count)
		v.Bars = append(v.Bars, Bar{X: labelW, Y: i*rowH + 4, W: w, TextY: i*rowH + 4 + barH - 4, Label: r.Name, Figure: figure,
			LabelX: labelW - 8, FigureX: labelW + w + 6})
		v.Rows = append(v.Rows, []string{r.Name, figure})
		said = append(said, in.T("charts.country.item", "country", r.Name, "count", r.Count))
	}
	v.Desc = in.T("charts.country.desc", "countries", views.List(lang, said))
	return v
}

// words writes a chart's words in a language: the catalogue's messages,
// long dates and numbers.
type words string

func (w words) T(key string, args ...any) string { return views.Message(string(w), key, args...) }
func (w words) date(t time.Time) string          { return views.FormatDate(string(w), t) }
func (w words) number(n int64) string            { return views.FormatNumber(string(w), int(n)) }

func point(x, y int) string { return fmt.Sprintf("%d,%d", x, y) }
