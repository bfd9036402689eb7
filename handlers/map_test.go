package handlers_test

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"undersigned/handlers"
)

// worldMap is what a reader finds in the letter page's map: each shaded
// country's step by the name its title gives, the legend's text by step,
// the table's figure by country, and how many countries are drawn unshaded.
type worldMap struct {
	shaded   map[string]int    // "Georgia" → 4
	legend   map[int]string    // 4 → "4", 2 → "2–4"
	table    map[string]string // "Georgia" → "4"
	unshaded int
	markup   string
}

// readMap reads the map figure of a letter page.
func readMap(t *testing.T, page string) worldMap {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var figure *html.Node
	for n := range doc.Descendants() {
		if n.Data == "figure" && strings.Contains(attr(n, "class"), "map") {
			figure = n
		}
	}
	if figure == nil {
		t.Fatalf("the letter page has no map")
	}
	m := worldMap{shaded: map[string]int{}, legend: map[int]string{}, table: map[string]string{}, markup: outer(figure)}
	for n := range figure.Descendants() {
		step, isStep := stepClass(attr(n, "class"))
		switch {
		case n.Data == "path" && isStep && step == 0:
			m.unshaded++
		case n.Data == "path" && isStep:
			if n.FirstChild == nil || n.FirstChild.Data != "title" {
				t.Errorf("a country shaded %d has no title", step)
				continue
			}
			m.shaded[countryOf(text(n.FirstChild))] = step
		case n.Data == "rect" && isStep:
			m.legend[step] = strings.TrimSpace(text(n.Parent.Parent))
		case n.Data == "tr" && n.Parent.Data == "tbody":
			cells := strings.Split(strings.TrimSpace(text(n)), "\n")
			m.table[cells[0]] = cells[len(cells)-1]
		}
	}
	return m
}

var figure = regexp.MustCompile(`^(.*) (\d[\d,]*)$`)

// countryOf is the country named by a shaded country's title, "Georgia 4".
func countryOf(title string) string {
	if m := figure.FindStringSubmatch(title); m != nil {
		return m[1]
	}
	return title
}

func stepClass(class string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimPrefix(class, "map-"))
	return n, err == nil && strings.HasPrefix(class, "map-")
}

// text is the text within n, its cells' on lines of their own.
func text(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
		}
		if d.Data == "td" {
			b.WriteString("\n")
		}
	}
	return b.String()
}

// inRange reports whether a legend's text, "5" or "5–19", covers figure.
func inRange(legend, figure string) bool {
	n, _ := strconv.Atoi(strings.ReplaceAll(figure, ",", ""))
	lo, hi, ok := strings.Cut(strings.ReplaceAll(legend, ",", ""), "–")
	if !ok {
		hi = lo
	}
	from, err1 := strconv.Atoi(lo)
	to, err2 := strconv.Atoi(hi)
	return err1 == nil && err2 == nil && from <= n && n <= to
}

// TestMapShadesEachCountryAsTheTableCountsIt: on seed 003's letter, every
// country of the table beside the map is shaded on it, by the step of the
// legend whose range holds the table's figure, four steps for counts of
// one to four; the signer counted without being named (Kazakhstan) shades
// nothing; every other country is drawn unshaded; and the map links to no
// other host.
func TestMapShadesEachCountryAsTheTableCountsIt(t *testing.T) {
	s := newSite(t, handlers.Config{})
	s.publishedLetter("c@example.org", "Org")
	signSeedList(t, s)
	page := s.client().Get(seedSlug).Expect(t, http.StatusOK, "Map of signatories by country", "Entries per country",
		`role="img" aria-labelledby="chart-map-title chart-map-desc"`,
		"A world map shading the 14 countries that entries on the list give first, darker for more entries: the most, 4, for Czechia.")
	m := readMap(t, page.Markup)

	if len(m.table) != 14 || len(m.shaded) != len(m.table) {
		t.Errorf("the table has %d countries and the map shades %d, want 14 each: %v", len(m.table), len(m.shaded), m.shaded)
	}
	for country, count := range m.table {
		step, ok := m.shaded[country]
		if !ok {
			t.Errorf("%s (%s) is in the table but not shaded on the map", country, count)
			continue
		}
		if !inRange(m.legend[step], count) {
			t.Errorf("%s (%s) is shaded %d, whose legend says %q", country, count, step, m.legend[step])
		}
	}
	for country, want := range map[string]int{"Georgia": 4, "Czechia": 4, "Azerbaijan": 3, "Russia": 2, "France": 2, "Bolivia": 1, "Zimbabwe": 1} {
		if m.shaded[country] != want {
			t.Errorf("%s is shaded %d, want %d", country, m.shaded[country], want)
		}
	}
	if want := map[int]string{0: "None", 1: "1", 2: "2", 3: "3", 4: "4"}; len(m.legend) != len(want) {
		t.Errorf("the legend is %v, want %v", m.legend, want)
	} else {
		for step, text := range want {
			if m.legend[step] != text {
				t.Errorf("the legend says %q for step %d, want %q", m.legend[step], step, text)
			}
		}
	}
	if _, ok := m.shaded["Kazakhstan"]; ok || strings.Contains(m.markup, "Kazakhstan") {
		t.Error("the map shows the country of a signer counted without being named")
	}
	if m.unshaded < 150 {
		t.Errorf("the map draws %d countries without entries: not the world", m.unshaded)
	}
	withoutNamespace := strings.ReplaceAll(m.markup, `xmlns="http://www.w3.org/2000/svg"`, "")
	for _, link := range []string{"http:", "https:", "//", "href", "src="} {
		if strings.Contains(withoutNamespace, link) {
			t.Errorf("the map holds %q: it must load nothing from another host", link)
		}
	}
}
