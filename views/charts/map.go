package charts

import (
	_ "embed"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"

	"undersigned/views"
)

// To draw world.txt again, unpack npm's world-atlas here (npm pack
// world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz), then go generate.
// The file is committed: building needs neither.
//
//go:generate go run ./worldgen -in package/countries-110m.json -out world.txt

// worldFile is every country's outline as SVG path data, by ISO 3166-1
// alpha-2 code, drawn by worldgen from Natural Earth's 1:110m boundaries
// (public domain): see its header and worldgen's doc comment.
//
//go:embed world.txt
var worldFile string

// steps is at most how many shades the map gives countries with entries:
// few enough to tell apart, and to say in a legend.
const steps = 5

// Map is the world map of a letter's entries by country: every country
// drawn, those with entries shaded by a step of the legend, and the table
// of every country's figure that the map stands for.
type Map struct {
	ID            string // prefix of the map's element ids
	Title, Desc   string
	Width, Height int        // the drawing's units
	Countries     []Shape    // those without entries first, so that borders of the shaded are drawn over theirs
	Legend        []Step     // the steps that have countries, first "no entries"
	LegendLabel   string     // what the legend shows
	Undrawn       string     // the countries with entries too small to draw at the map's scale, or ""
	TableLabel    string     // what opens the table
	Head          []string   // the table's column headings
	Rows          [][]string // each country and its figure
}

// Shape is one country on the map.
type Shape struct {
	Path  string // SVG path data
	Step  int    // its step of the legend; 0 for no entries
	Label string // its name and figure, for those with entries
}

// Step is one shade of the map's legend and the figures it stands for.
type Step struct {
	Step int
	Text string // "2–4"
}

// Place is how many entries give a country: its ISO 3166-1 alpha-2 code
// and its name in the map's language.
type Place struct {
	Code, Name string
	Count      int64
}

// outlines is the world file read: each country's path data by code, and
// the drawing's size.
type outlines struct {
	paths         map[string]string
	codes         []string // sorted, so that the map is drawn alike each time
	width, height int
}

// world reads the embedded outlines once.
var world = sync.OnceValue(func() outlines {
	w := outlines{paths: map[string]string{}}
	for line := range strings.Lines(worldFile) {
		line = strings.TrimSuffix(line, "\n")
		if strings.HasPrefix(line, "#") {
			continue
		}
		if _, err := fmt.Sscanf(line, "size %d %d", &w.width, &w.height); err == nil {
			continue
		}
		code, d, _ := strings.Cut(line, " ")
		w.paths[code] = d
		w.codes = append(w.codes, code)
	}
	return w
})

// World draws the world map of counts, the entries by country (at least
// one), in lang: it costs a pass over the world's countries and one over counts,
// whatever the length of the list.
func World(lang string, counts []Place) Map {
	in := words(lang)
	w := world()
	top := counts[0]
	for _, c := range counts {
		if c.Count > top.Count {
			top = c
		}
	}
	bounds := stepBounds(top.Count)
	m := Map{
		ID: "chart-map", Title: in.T("map.title"), Width: w.width, Height: w.height,
		LegendLabel: in.T("map.legend"), TableLabel: in.T("map.table"),
		Head: []string{in.T("charts.country.country"), in.T("charts.country.count")},
	}
	shaded := map[string]Shape{}
	var undrawn []string
	for _, c := range counts {
		figure := in.number(c.Count)
		m.Rows = append(m.Rows, []string{c.Name, figure})
		d, ok := w.paths[c.Code]
		if !ok {
			undrawn = append(undrawn, in.T("charts.country.item", "country", c.Name, "count", c.Count))
			continue
		}
		shaded[c.Code] = Shape{Path: d, Step: stepOf(bounds, c.Count), Label: in.T("charts.country.item", "country", c.Name, "count", c.Count)}
	}
	for _, code := range w.codes {
		if _, ok := shaded[code]; !ok {
			m.Countries = append(m.Countries, Shape{Path: w.paths[code]})
		}
	}
	for _, c := range counts {
		if s, ok := shaded[c.Code]; ok {
			m.Countries = append(m.Countries, s)
		}
	}
	m.Legend = append(m.Legend, Step{0, in.T("map.none")})
	for i, lo := range bounds {
		hi := top.Count
		if i+1 < len(bounds) {
			hi = bounds[i+1] - 1
		}
		text := in.number(lo)
		if hi > lo {
			text = in.T("map.range", "from", in.number(lo), "to", in.number(hi))
		}
		m.Legend = append(m.Legend, Step{i + 1, text})
	}
	if len(undrawn) > 0 {
		m.Undrawn = in.T("map.undrawn", "countries", views.List(lang, undrawn))
	}
	m.Desc = in.T("map.desc", "count", len(counts), "most", in.number(top.Count), "top", top.Name)
	return m
}

// stepBounds is the least count of each step of a map whose most entries
// in a country are most: one step per figure up to five, then steps
// growing geometrically up to most, each starting at a round figure (1, 2
// or 5 times a power of ten) so that the legend reads easily.
func stepBounds(most int64) []int64 {
	if most <= steps {
		bounds := make([]int64, most)
		for i := range bounds {
			bounds[i] = int64(i + 1)
		}
		return bounds
	}
	bounds := []int64{1}
	for i := 1; i < steps; i++ {
		b := roundUp(math.Pow(float64(most), float64(i)/steps))
		if b > bounds[len(bounds)-1] && b <= most {
			bounds = append(bounds, b)
		}
	}
	return bounds
}

// roundUp is the least of 1, 2 and 5 times a power of ten that is at
// least v.
func roundUp(v float64) int64 {
	for p := int64(1); ; p *= 10 {
		for _, f := range []int64{1, 2, 5} {
			if float64(f*p) >= v {
				return f * p
			}
		}
	}
}

// stepOf is the step, from 1, of the bounds that count falls in.
func stepOf(bounds []int64, count int64) int {
	i, found := slices.BinarySearch(bounds, count)
	if found {
		return i + 1
	}
	return i
}
