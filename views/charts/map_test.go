package charts

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestMapLegendStepsAreRoundRanges: the legend has a step per figure up to
// five, then at most five ranges starting at round figures and ending at
// the most entries; each country is shaded by the step whose range holds
// its figure, the bounds included.
func TestMapLegendStepsAreRoundRanges(t *testing.T) {
	for _, tc := range []struct {
		most   int64
		legend string
		shaded map[int64]int // a figure → its step
	}{
		{1, "None|1", map[int64]int{1: 1}},
		{4, "None|1|2|3|4", map[int64]int{1: 1, 3: 3, 4: 4}},
		{7, "None|1|2–4|5–7", map[int64]int{2: 2, 4: 2, 5: 3}},
		{10, "None|1|2–4|5–9|10", map[int64]int{9: 3, 10: 4}},
		{1000, "None|1–4|5–19|20–99|100–499|500–1,000", map[int64]int{4: 1, 5: 2, 99: 3, 100: 4, 999: 5, 1000: 5}},
	} {
		counts := []Place{{"FR", "France", tc.most}}
		for n := range tc.shaded {
			if n != tc.most {
				counts = append(counts, Place{"GE", "Georgia", n})
			}
		}
		for n, want := range tc.shaded {
			counts[len(counts)-1].Count = n
			m := World("en", counts)
			var legend []string
			for i, s := range m.Legend {
				if s.Step != i {
					t.Errorf("most %d: the legend's step %d is numbered %d", tc.most, i, s.Step)
				}
				legend = append(legend, s.Text)
			}
			if got := strings.Join(legend, "|"); got != tc.legend {
				t.Errorf("most %d: the legend is %q, want %q", tc.most, got, tc.legend)
			}
			if step := shadeOf(m, "Georgia "); n != tc.most && step != want {
				t.Errorf("most %d: %d entries are shaded %d, want %d", tc.most, n, step, want)
			}
			if step := shadeOf(m, "France "); step != len(m.Legend)-1 {
				t.Errorf("most %d: the most entries are shaded %d, want the last step, %d", tc.most, step, len(m.Legend)-1)
			}
		}
	}
}

// shadeOf is the step of the country whose label starts with prefix, or -1.
func shadeOf(m Map, prefix string) int {
	for _, c := range m.Countries {
		if strings.HasPrefix(c.Label, prefix) {
			return c.Step
		}
	}
	return -1
}

// TestMapKeepsCountriesItCannotDrawInItsTable: a country too small for
// the map's scale (Malta) is in the table and named under the map, not
// lost; the others are shaded, and drawn after the unshaded countries so
// that their borders show.
func TestMapKeepsCountriesItCannotDrawInItsTable(t *testing.T) {
	m := World("en", []Place{{"FR", "France", 3}, {"MT", "Malta", 2}, {"XK", "Kosovo", 1}})
	if len(m.Rows) != 3 || strings.Join(m.Rows[1], " ") != "Malta 2" {
		t.Errorf("the table is %v, want the three countries with their figures", m.Rows)
	}
	if m.Undrawn != "Too small to draw at this map’s scale: Malta 2." {
		t.Errorf("the map says %q of the country it cannot draw", m.Undrawn)
	}
	last := m.Countries[len(m.Countries)-2:]
	if last[0].Label != "France 3" || last[1].Label != "Kosovo 1" || m.Countries[0].Step != 0 {
		t.Errorf("the shaded countries are not drawn last: %+v", last)
	}
}

var pathToken = regexp.MustCompile(`[Mlz]|-?\d+`)

// TestWorldOutlinesFitTheDrawing: the embedded outlines are the world's
// countries by alpha-2 code, without Antarctica, with the features Natural
// Earth gives no code; every point lies within the drawing, and no
// country's outline (Russia and Fiji cross the 180th meridian) stretches
// across the map.
func TestWorldOutlinesFitTheDrawing(t *testing.T) {
	w := world()
	if len(w.codes) < 170 || w.width != 1000 || w.height < 400 || w.height > 500 {
		t.Fatalf("the world has %d countries in %d×%d", len(w.codes), w.width, w.height)
	}
	for _, code := range []string{"XK", "CY", "SO", "RU", "FJ", "US", "AZ", "GE"} {
		if w.paths[code] == "" {
			t.Errorf("the world lacks %s", code)
		}
	}
	if _, ok := w.paths["AQ"]; ok {
		t.Error("the world draws Antarctica")
	}
	for _, code := range w.codes {
		if len(code) != 2 || strings.ToUpper(code) != code {
			t.Errorf("%q is no alpha-2 code", code)
		}
		// Each ring (from an M to its z) lies within half the map's width.
		var x, y, n, minX, maxX int
		var op string
		for _, tok := range pathToken.FindAllString(w.paths[code], -1) {
			v, err := strconv.Atoi(tok)
			if err != nil {
				if tok == "z" && maxX-minX > w.width/2 {
					t.Errorf("%s has a ring from x=%d to x=%d, across the map", code, minX, maxX)
				}
				op, n = tok, 0
				continue
			}
			if n%2 == 0 {
				x = v + map[bool]int{true: x}[op == "l"]
			} else {
				y = v + map[bool]int{true: y}[op == "l"]
				if x < 0 || x > w.width || y < 0 || y > w.height {
					t.Errorf("%s has a point at %d,%d, outside the drawing", code, x, y)
				}
				if op == "M" {
					minX, maxX = x, x
				}
				minX, maxX = min(minX, x), max(maxX, x)
			}
			n++
		}
	}
}
