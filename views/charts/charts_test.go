package charts

import (
	"strings"
	"testing"
	"time"
)

// TestCountryChartNamesEightCountriesAndSumsTheRest: a reader sees the
// eight countries with most entries by name and the rest as one bar,
// unless the rest is one country, which then has its own bar; the longest
// bar is the most entries, even the others', and the description says
// every bar's figure.
func TestCountryChartNamesEightCountriesAndSumsTheRest(t *testing.T) {
	names := []string{"Azerbaijan", "Czechia", "Georgia", "Armenia", "France", "Norway", "Poland", "Russia", "Spain", "Italy"}
	var counts []Country
	for i, name := range names {
		counts = append(counts, Country{name, int64(20 - i)})
	}
	for _, tc := range []struct {
		countries int
		want      []string // the bars' labels
		longest   string
	}{
		{10, append(names[:8:8], "Other countries (2)"), "Other countries (2)"}, // 12 and 11
		{9, names[:9], "Azerbaijan"},
		{1, names[:1], "Azerbaijan"},
	} {
		c := Countries("en", counts[:tc.countries])
		var labels []string
		for _, b := range c.Bars {
			labels = append(labels, b.Label)
		}
		if strings.Join(labels, "|") != strings.Join(tc.want, "|") {
			t.Errorf("%d countries are drawn as bars %q, want %q", tc.countries, labels, tc.want)
		}
		longest := c.Bars[0]
		for _, b := range c.Bars {
			if b.W > longest.W {
				longest = b
			}
			if b.FigureX > c.Width-40 {
				t.Errorf("%d countries: the figure of %s's bar is at x=%d, no room left in the chart %d wide", tc.countries, b.Label, b.FigureX, c.Width)
			}
		}
		if longest.Label != tc.longest {
			t.Errorf("%d countries: the longest bar is %s's, want %s's", tc.countries, longest.Label, tc.longest)
		}
		if len(c.Rows) != len(c.Bars) || !strings.Contains(c.Desc, "Azerbaijan 20") {
			t.Errorf("%d countries: the table has %d rows for %d bars, or the description lacks the first: %q", tc.countries, len(c.Rows), len(c.Bars), c.Desc)
		}
	}
	if c := Countries("en", counts); !strings.Contains(c.Desc, "Other countries (2) 23") {
		t.Errorf("the description does not sum the other countries' 12 and 11: %q", c.Desc)
	}
}

// TestTimeChartStepsUpOnTheDaysPeopleSigned: the running total rises on
// each day people signed and stays flat across a day nobody did, from
// the foot of the plot to its top; the table lists the days people
// signed with the total so far, and the description names the busiest.
func TestTimeChartStepsUpOnTheDaysPeopleSigned(t *testing.T) {
	first := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	c := Time("en", []Day{{first, 30}, {first.AddDate(0, 0, 2), 10}})
	points := strings.Fields(c.Line)
	// Each day is a step: its start at the total before, its end at the total after.
	if len(points) != 4 || points[1] == points[2] || strings.Split(points[1], ",")[1] != strings.Split(points[2], ",")[1] {
		t.Fatalf("the line %q is not two steps with a flat day between them", c.Line)
	}
	bottom, top := strings.Split(points[0], ",")[1], strings.Split(points[3], ",")[1]
	if bottom != "204" || top != "16" {
		t.Errorf("the line runs from y=%s to y=%s, want from the plot's foot (204) to its top (16)", bottom, top)
	}
	if len(c.Rows) != 2 || strings.Join(c.Rows[1], "|") != "November 4, 2026|10|40" {
		t.Errorf("the table's rows are %q, want the two days people signed with the total so far", c.Rows)
	}
	if !strings.Contains(c.Desc, "The most in one day were 30, on November 2, 2026") {
		t.Errorf("the description does not name the busiest day: %q", c.Desc)
	}
}
