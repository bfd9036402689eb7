// Command worldgen draws the world map's countries, once, from Natural
// Earth's boundaries: it reads the TopoJSON of npm's world-atlas package
// (Natural Earth 1:110m Admin 0 countries, public domain) and writes each
// country's outline as SVG path data, in the Equal Earth projection, in
// whole units of a drawing 1000 wide, for views/charts to embed. From
// views/charts:
//
//	npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
//	go run ./worldgen -in package/countries-110m.json -out world.txt
//
// Countries are named by ISO 3166-1 alpha-2 code, as signatures give them;
// world-atlas names them by ISO 3166-1 numeric code, which x/text reads.
// The three features without a code are given the country ISO 3166 counts
// them in (Northern Cyprus, Somaliland) or Kosovo's XK, which signers may
// choose. Antarctica is left out: nobody signs from it, and it would take
// a fifth of the height.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"maps"
	"math"
	"os"
	"slices"
	"strings"

	"golang.org/x/text/language"
)

// width is the drawing's width; its height follows from the projection.
const width = 1000

// tolerance is how far, in the drawing's units, a simplified border may
// stray from Natural Earth's: under a pixel wherever the map is shown.
const tolerance = 0.5

// unnamed are the features world-atlas gives no numeric code, by name.
var unnamed = map[string]string{"N. Cyprus": "CY", "Somaliland": "SO", "Kosovo": "XK"}

// topology is the part of a TopoJSON file the map reads.
type topology struct {
	Transform struct {
		Scale     [2]float64 `json:"scale"`
		Translate [2]float64 `json:"translate"`
	} `json:"transform"`
	Arcs    [][][2]float64 `json:"arcs"`
	Objects struct {
		Countries struct {
			Geometries []geometry `json:"geometries"`
		} `json:"countries"`
	} `json:"objects"`
}

type geometry struct {
	Type       string          `json:"type"`
	ID         string          `json:"id"`
	Arcs       json.RawMessage `json:"arcs"`
	Properties struct {
		Name string `json:"name"`
	} `json:"properties"`
}

type point struct{ x, y float64 }

func main() {
	in := flag.String("in", "", "world-atlas's countries-110m.json")
	out := flag.String("out", "world.txt", "the file to write")
	flag.Parse()
	raw, err := os.ReadFile(*in)
	if err != nil {
		log.Fatal(err)
	}
	var topo topology
	if err := json.Unmarshal(raw, &topo); err != nil {
		log.Fatalf("%s: %v", *in, err)
	}
	rings, err := countryRings(topo.Objects.Countries.Geometries)
	if err != nil {
		log.Fatal(err)
	}
	arcs := decodeArcs(&topo)
	for code, rs := range rings {
		var cut [][]int
		for _, r := range rs {
			cut = append(cut, cutAtAntimeridian(&arcs, r)...)
		}
		rings[code] = cut
	}
	for _, arc := range arcs {
		for j, p := range arc {
			arc[j] = equalEarth(p.x, p.y)
		}
	}
	if err := os.WriteFile(*out, []byte(draw(arcs, rings)), 0o644); err != nil {
		log.Fatal(err)
	}
}

// countryRings is each country's rings, each ring a list of arc indices,
// by alpha-2 code.
func countryRings(geometries []geometry) (map[string][][]int, error) {
	rings := map[string][][]int{}
	for _, g := range geometries {
		code, err := alpha2(g.ID, g.Properties.Name)
		if err != nil {
			return nil, err
		}
		var polygons [][][]int
		switch g.Type {
		case "Polygon":
			var p [][]int
			err = json.Unmarshal(g.Arcs, &p)
			polygons = [][][]int{p}
		case "MultiPolygon":
			err = json.Unmarshal(g.Arcs, &polygons)
		default:
			err = fmt.Errorf("geometry %s", g.Type)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", g.Properties.Name, err)
		}
		if code != "AQ" {
			rings[code] = append(rings[code], slices.Concat(polygons...)...)
		}
	}
	return rings, nil
}

// alpha2 is the ISO 3166-1 alpha-2 code of a feature's numeric id.
func alpha2(id, name string) (string, error) {
	if code, ok := unnamed[name]; ok && id == "" {
		return code, nil
	}
	r, err := language.ParseRegion(id)
	if err != nil || len(r.String()) != 2 {
		return "", fmt.Errorf("%s: no ISO 3166-1 alpha-2 code for id %q", name, id)
	}
	return r.String(), nil
}

// decodeArcs decodes the topology's arcs (quantised, delta-encoded) into
// longitudes and latitudes.
func decodeArcs(topo *topology) [][]point {
	t := topo.Transform
	out := make([][]point, len(topo.Arcs))
	for i, arc := range topo.Arcs {
		var qx, qy float64
		for _, d := range arc {
			qx, qy = qx+d[0], qy+d[1]
			out[i] = append(out[i], point{qx*t.Scale[0] + t.Translate[0], qy*t.Scale[1] + t.Translate[1]})
		}
	}
	return out
}

// cutAtAntimeridian returns a ring that crosses the 180th meridian (in
// Russia's east and in Fiji, a step from 180° to -180°) cut there into
// two rings, each a new arc of its own, so that neither is drawn across
// the whole map; any other ring as it is.
func cutAtAntimeridian(arcs *[][]point, ring []int) [][]int {
	pts := joinArcs(*arcs, ring)
	lo, hi := pts[0].x, pts[0].x
	for i := 1; i < len(pts); i++ {
		// Unwrapped, the ring runs on past ±180° instead of jumping.
		if d := pts[i].x - pts[i-1].x; d > 180 {
			pts[i].x -= 360
		} else if d < -180 {
			pts[i].x += 360
		}
		lo, hi = min(lo, pts[i].x), max(hi, pts[i].x)
	}
	edge, shift := 180.0, -360.0
	switch {
	case lo < -180:
		edge, shift = -180, 360
	case hi <= 180:
		return [][]int{ring}
	}
	inside, outside := clip(pts, func(p point) bool { return (p.x-edge)*shift >= 0 }, edge), clip(pts, func(p point) bool { return (p.x-edge)*shift <= 0 }, edge)
	for i := range outside {
		outside[i].x += shift
	}
	var out [][]int
	for _, part := range [][]point{inside, outside} {
		if len(part) > 3 {
			*arcs = append(*arcs, part)
			out = append(out, []int{len(*arcs) - 1})
		}
	}
	return out
}

// clip is the part of a closed ring on the side of the meridian at edge
// where keep holds (Sutherland–Hodgman), closed.
func clip(ring []point, keep func(point) bool, edge float64) []point {
	var out []point
	cross := func(a, b point) point { return point{edge, a.y + (b.y-a.y)*(edge-a.x)/(b.x-a.x)} }
	for i, cur := range ring[1:] {
		prev := ring[i]
		switch {
		case keep(cur) && !keep(prev):
			out = append(out, cross(prev, cur), cur)
		case keep(cur):
			out = append(out, cur)
		case keep(prev):
			out = append(out, cross(prev, cur))
		}
	}
	if len(out) > 0 {
		out = append(out, out[0])
	}
	return out
}

// equalEarth projects a longitude and latitude in degrees (Šavrič, Patterson
// and Jenny, 2018): equal-area, so that a country's colour covers its size.
// y grows northwards.
func equalEarth(lon, lat float64) point {
	const a1, a2, a3, a4 = 1.340264, -0.081106, 0.000893, 0.003796
	m := math.Sqrt(3) / 2
	l, p := lon*math.Pi/180, lat*math.Pi/180
	t := math.Asin(m * math.Sin(p))
	t2 := t * t
	t6 := t2 * t2 * t2
	x := l * math.Cos(t) / (m * (a1 + 3*a2*t2 + t6*(7*a3+9*a4*t2)))
	y := t * (a1 + a2*t2 + t6*(a3+a4*t2))
	return point{x, y}
}

// draw writes the map file: a header saying where it came from, its size,
// then a line per country, its code and its path data.
func draw(arcs [][]point, rings map[string][][]int) string {
	// Scale the countries drawn (not Antarctica's arcs) to the width.
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, rs := range rings {
		for _, r := range rs {
			for _, i := range r {
				for _, p := range arcs[max(i, ^i)] {
					minX, minY, maxX, maxY = min(minX, p.x), min(minY, p.y), max(maxX, p.x), max(maxY, p.y)
				}
			}
		}
	}
	scale := width / (maxX - minX)
	for i, arc := range arcs {
		for j, p := range arc {
			arc[j] = point{(p.x - minX) * scale, (maxY - p.y) * scale}
		}
		// Each arc is simplified once, so that a border two countries
		// share stays one line.
		arcs[i] = simplify(arc)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# Natural Earth 1:110m Admin 0 countries (public domain, naturalearthdata.com) version 4.1.0,\n")
	fmt.Fprintf(&b, "# from npm's world-atlas@2.0.2 countries-110m.json, drawn by views/charts/worldgen: Equal\n")
	fmt.Fprintf(&b, "# Earth projection, whole units, simplified within %.1f unit, Antarctica left out. Do not edit.\n", tolerance)
	fmt.Fprintf(&b, "size %d %d\n", width, int(math.Ceil((maxY-minY)*scale)))
	for _, code := range slices.Sorted(maps.Keys(rings)) {
		var d strings.Builder
		for _, r := range rings[code] {
			d.WriteString(pathData(joinArcs(arcs, r)))
		}
		if d.Len() > 0 {
			fmt.Fprintf(&b, "%s %s\n", code, d.String())
		}
	}
	return b.String()
}

// joinArcs is a ring from its arcs; a negative index is the arc ^i reversed.
func joinArcs(arcs [][]point, ring []int) []point {
	var out []point
	for _, i := range ring {
		arc := arcs[max(i, ^i)]
		if i < 0 {
			arc = slices.Clone(arc)
			slices.Reverse(arc)
		}
		if len(out) > 0 {
			arc = arc[1:] // each arc starts where the last ended
		}
		out = append(out, arc...)
	}
	return out
}

// simplify drops the points of a line that lie within tolerance of the
// line without them (Douglas–Peucker), keeping its ends.
func simplify(line []point) []point {
	if len(line) < 3 {
		return line
	}
	first, last := line[0], line[len(line)-1]
	far, at := 0.0, 0
	for i, p := range line[1 : len(line)-1] {
		if d := distance(p, first, last); d > far {
			far, at = d, i+1
		}
	}
	if far <= tolerance {
		return []point{first, last}
	}
	return append(simplify(line[:at+1]), simplify(line[at:])[1:]...)
}

// distance is how far p lies from the segment a–b.
func distance(p, a, b point) float64 {
	dx, dy := b.x-a.x, b.y-a.y
	if dx == 0 && dy == 0 {
		return math.Hypot(p.x-a.x, p.y-a.y)
	}
	t := max(0, min(1, ((p.x-a.x)*dx+(p.y-a.y)*dy)/(dx*dx+dy*dy)))
	return math.Hypot(p.x-a.x-t*dx, p.y-a.y-t*dy)
}

// pathData is a ring as SVG path data: a move to its first point, then
// lines relative to each last point, in whole units, dropping those that
// round to the last; a ring that rounds to less than a triangle is left
// out.
func pathData(ring []point) string {
	at := func(p point) (int, int) { return int(math.Round(p.x)), int(math.Round(p.y)) }
	x0, y0 := at(ring[0])
	b := []byte(fmt.Sprintf("M%d %dl", x0, y0))
	px, py, n := x0, y0, 0
	for _, p := range ring[1:] {
		x, y := at(p)
		if x == px && y == py {
			continue
		}
		for _, d := range []int{x - px, y - py} {
			if d >= 0 && b[len(b)-1] != 'l' {
				b = append(b, ' ')
			}
			b = fmt.Append(b, d)
		}
		px, py, n = x, y, n+1
	}
	if n < 3 {
		return ""
	}
	return string(b) + "z"
}
