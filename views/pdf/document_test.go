package pdf

import (
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"undersigned/models/modeltest"
	"undersigned/models/modeltest/suites"
)

// TestMain says at the end which tests were skipped for a missing tool.
func TestMain(m *testing.M) { os.Exit(suites.Run(m)) }

func testFont(t testing.TB) *Font {
	t.Helper()
	data, err := os.ReadFile("../../public/fonts/DejaVuSans.ttf")
	if err != nil {
		t.Fatal(err)
	}
	f, err := ParseFont("DejaVuSans", data)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestLinesReadInTheirOrderLeftToRight: a line's runs are laid out left to
// right as the Unicode Bidirectional Algorithm orders them (rule L2),
// whatever the nesting of directions: a number inside Arabic text in an
// English line keeps the Arabic words around it in right-to-left order,
// which ordering runs by their direction alone does not.
func TestLinesReadInTheirOrderLeftToRight(t *testing.T) {
	f := testFont(t)
	for _, tc := range []struct {
		rtl  bool
		text string
		want []string // the runs, left to right
	}{
		{false, "ليلى 2 يونس", []string{" يونس", "2", "ليلى "}},
		{false, "Leyla ليلى 2 يونس Yunus", []string{"Leyla ", " يونس", "2", "ليلى ", " Yunus"}},
		{true, "ليلى Leyla 2 يونس", []string{" يونس", "Leyla 2", "ليلى "}},
	} {
		d := New(Config{Lang: "en", RTL: tc.rtl, Margin: 50, Top: 50, Bottom: 50}, nil, f)
		text, runs, levels := d.shape(10, []Span{{Text: tc.text, Font: f}})
		var got []string
		for _, run := range visualOrder(runs, levels) {
			got = append(got, string(text[run.Runes.Offset:run.Runes.Offset+run.Runes.Count]))
		}
		if len(got) != len(tc.want) {
			t.Errorf("%q (rtl %v) is laid out as %q, want %q", tc.text, tc.rtl, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%q (rtl %v) is laid out as %q, want %q", tc.text, tc.rtl, got, tc.want)
				break
			}
		}
	}
}

// TestSubsetKeepsTheGlyphsUsed: the embedded font keeps the outlines of
// the glyphs drawn and of the glyphs they are made of, and is a fraction
// of the whole font.
func TestSubsetKeepsTheGlyphsUsed(t *testing.T) {
	f := testFont(t)
	a, _ := f.font.Cmap.Lookup('A')
	aacute, _ := f.font.Cmap.Lookup('Á') // a composite of A and an accent
	sub, err := subsetTrueType(f.data, map[uint16]bool{uint16(a): true, uint16(aacute): true})
	if err != nil {
		t.Fatal(err)
	}
	if len(sub) > len(f.data)/4 {
		t.Errorf("the subset is %d bytes, the font %d", len(sub), len(f.data))
	}
	glyphs := func(data []byte) func(g uint16) int { // a glyph's outline's length
		tables, err := sfntTables(data)
		if err != nil {
			t.Fatal(err)
		}
		loca := tables["loca"]
		long := binary.BigEndian.Uint16(tables["head"][50:]) == 1
		return func(g uint16) int {
			if long {
				return int(binary.BigEndian.Uint32(loca[4*g+4:]) - binary.BigEndian.Uint32(loca[4*g:]))
			}
			return 2 * int(binary.BigEndian.Uint16(loca[2*g+2:])-binary.BigEndian.Uint16(loca[2*g:]))
		}
	}
	whole, kept := glyphs(f.data), glyphs(sub)
	b, _ := f.font.Cmap.Lookup('B')
	for _, g := range []uint16{uint16(a), uint16(aacute)} {
		if kept(g) == 0 || kept(g) < whole(g) {
			t.Errorf("glyph %d has %d bytes of outline, %d in the font", g, kept(g), whole(g))
		}
	}
	if kept(uint16(b)) != 0 {
		t.Error("a glyph not used kept its outline")
	}
}

// TestEveryPageHasItsHeadAndFoot: a paragraph longer than a page turns
// pages, each with its running head, and every page is numbered out of the
// whole.
func TestEveryPageHasItsHeadAndFoot(t *testing.T) {
	pdftotext := modeltest.Tool(t, "pdftotext", "apt-get install poppler-utils")
	f := testFont(t)
	d := New(Config{Lang: "en", Margin: 50, Top: 60, Bottom: 60}, func(d *Document) {
		d.At(30)
		d.Paragraph(Style{Size: 8, Leading: 10}, Span{Text: "Running head", Font: f})
	}, f)
	d.Paragraph(Style{Size: 10, Leading: 14}, Span{Text: strings.Repeat("A long paragraph of words. ", 1500), Font: f})
	out, err := d.Finish(func(d *Document, page, total int) {
		d.At(820)
		d.Paragraph(Style{Size: 8, Leading: 10, Center: true}, Span{Text: fmt.Sprintf("Page %d of %d", page, total), Font: f})
	})
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "long.pdf")
	if err := os.WriteFile(file, out, 0o644); err != nil {
		t.Fatal(err)
	}
	text, err := exec.Command(pdftotext, "-enc", "UTF-8", file, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	pages := strings.Count(string(text), "\f")
	if pages < 3 || strings.Count(string(text), "Running head") != pages || !strings.Contains(string(text), fmt.Sprintf("Page %d of %d", pages, pages)) {
		t.Errorf("%d pages, %d running heads, last page numbered %v", pages, strings.Count(string(text), "Running head"),
			strings.Contains(string(text), fmt.Sprintf("Page %d of %d", pages, pages)))
	}
}

// TestThousandsOfIsolatesCostLittle: a paragraph of a letter's text full
// of unmatched directional isolates (any coordinator may paste one) is set
// in a fraction of a second, not in the seconds the bidi package's search
// for each isolate's end takes, quadratically; isolates nested as text
// nests them still order their runs.
func TestThousandsOfIsolatesCostLittle(t *testing.T) {
	f := testFont(t)
	d := New(Config{Lang: "en", Margin: 50, Top: 50, Bottom: 50}, nil, f)
	set := func(text string) time.Duration {
		start := time.Now()
		d.Paragraph(Style{Size: 10, Leading: 12}, Span{Text: text, Font: f})
		return time.Since(start)
	}
	// Against a paragraph as long without them, so that the race detector
	// or a busy machine slows both: unbounded, the isolates cost 20 times
	// as much and more; bounded, about as much.
	plain := set(strings.Repeat("yx", 60000))
	if took := set(strings.Repeat("\u2067x", 60000)); took > 10*plain {
		t.Errorf("a paragraph of 60,000 isolates took %v to set, one as long without them %v", took, plain)
	}
	levels := d.levelsOf([]rune("Leyla \u2067ليلى 2\u2069 Yunus"))
	if levels[7] != 1 || levels[0] != 0 {
		t.Errorf("an English line with an Arabic isolate resolves to levels %v", levels)
	}
}
