package handlers

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"unicode"
	"unicode/utf16"

	"github.com/go-pdf/fpdf"
	"github.com/go-text/typesetting/di"
	"github.com/go-text/typesetting/font"
	"github.com/go-text/typesetting/language"
	"github.com/go-text/typesetting/shaping"
	"golang.org/x/image/math/fixed"
	"golang.org/x/text/unicode/bidi"

	"undersigned/models"
	"undersigned/public"
)

// errUnfaithful is text the server's PDF cannot show as it reads: a
// character its fonts lack, Arabic with its vowel marks (whose placing
// fpdf cannot do), a right-to-left script other than Arabic, or a mix of
// directions it cannot order with certainty. A PDF that garbles a name is
// worse than none, so the packet is not made.
var errUnfaithful = errors.New("text the PDF cannot show faithfully")

// pdfFont is one of the packet's embedded fonts, as fpdf embeds it and as
// the shaper reads it.
type pdfFont struct {
	data  []byte
	font  *font.Font        // safe for concurrent use, unlike a font.Face
	chars map[font.GID]rune // each glyph's code point, Arabic presentation forms first
}

// pdfFonts are the regular and bold fonts, read once: parsing a font and
// its cmap costs more than a packet's text.
var pdfFonts = sync.OnceValues(func() (map[string]*pdfFont, error) {
	out := map[string]*pdfFont{}
	for style, file := range map[string]string{"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"} {
		data, err := public.Fonts.ReadFile("fonts/" + file)
		if err != nil {
			return nil, err
		}
		face, err := font.ParseTTF(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", file, err)
		}
		f := &pdfFont{data: data, font: face.Font, chars: map[font.GID]rune{}}
		for it := face.Cmap.Iter(); it.Next(); {
			r, g := it.Char()
			// The shaper answers with the glyphs of joined forms, which the
			// cmap names by their presentation forms; the PDF writes those.
			if old, ok := f.chars[g]; !ok || (presentationForm(r) && !presentationForm(old)) {
				f.chars[g] = r
			}
		}
		out[style] = f
	}
	return out, nil
})

func presentationForm(r rune) bool { return r >= 0xFB50 && r <= 0xFEFF }

// textRun is a stretch of a line in one direction. An RTL run's visual
// text is its shaped glyphs, as code points in the order they are drawn.
type textRun struct {
	logical, visual string
	rtl             bool
}

// runs splits a line into its directional runs in visual order, for a
// left-to-right paragraph with no explicit embeddings: a neutral between
// two Arabic letters belongs to their run, any other to the paragraph.
// Right-to-left runs are shaped with f; a line the PDF cannot show
// faithfully is errUnfaithful.
func (f *pdfFont) runs(line string) ([]textRun, error) {
	rs := []rune(line)
	rtl := make([]bool, len(rs))
	strong := make([]int, len(rs)) // +1 LTR, -1 RTL, 0 neutral
	hasRTL, hasDigits := false, false
	for i, r := range rs {
		if _, ok := f.font.Cmap.Lookup(r); !ok {
			return nil, fmt.Errorf("%w: U+%04X is not in the font", errUnfaithful, r)
		}
		p, _ := bidi.LookupRune(r)
		switch p.Class() {
		case bidi.L:
			strong[i] = 1
		case bidi.AL:
			if !unicode.Is(unicode.Arabic, r) {
				return nil, fmt.Errorf("%w: U+%04X is not Arabic", errUnfaithful, r)
			}
			strong[i], hasRTL = -1, true
		case bidi.R, bidi.LRE, bidi.LRO, bidi.RLE, bidi.RLO, bidi.PDF, bidi.LRI, bidi.RLI, bidi.FSI, bidi.PDI:
			return nil, fmt.Errorf("%w: U+%04X is right-to-left or a direction control", errUnfaithful, r)
		case bidi.EN, bidi.AN:
			hasDigits = true
		case bidi.NSM:
			if unicode.Is(unicode.Arabic, r) {
				return nil, fmt.Errorf("%w: U+%04X is an Arabic mark", errUnfaithful, r)
			}
		}
	}
	if hasRTL && hasDigits {
		return nil, fmt.Errorf("%w: digits beside Arabic", errUnfaithful)
	}
	prev := 1 // the paragraph's direction
	for i := range rs {
		if strong[i] != 0 {
			prev = strong[i]
			rtl[i] = prev < 0
			continue
		}
		next := 1
		for _, s := range strong[i+1:] {
			if s != 0 {
				next = s
				break
			}
		}
		rtl[i] = prev < 0 && next < 0
	}
	var out []textRun
	for start := 0; start < len(rs); {
		end := start + 1
		for end < len(rs) && rtl[end] == rtl[start] {
			end++
		}
		run := textRun{logical: string(rs[start:end]), visual: string(rs[start:end]), rtl: rtl[start]}
		if run.rtl {
			visual, err := f.shape(rs[start:end])
			if err != nil {
				return nil, err
			}
			run.visual = visual
		}
		out = append(out, run)
		start = end
	}
	return out, nil
}

// shape shapes an Arabic run and names its glyphs, in the order they are
// drawn, by the code points that map to them.
func (f *pdfFont) shape(rs []rune) (string, error) {
	out := (&shaping.HarfbuzzShaper{}).Shape(shaping.Input{
		Text: rs, RunStart: 0, RunEnd: len(rs), Direction: di.DirectionRTL, Face: font.NewFace(f.font),
		Size: fixed.I(12), Script: language.Arabic, Language: language.NewLanguage("ar"),
	})
	visual := make([]rune, 0, len(out.Glyphs))
	for _, g := range out.Glyphs {
		r, ok := f.chars[g.GlyphID]
		if !ok || g.GlyphID == 0 {
			return "", fmt.Errorf("%w: a shaped glyph has no code point", errUnfaithful)
		}
		visual = append(visual, r)
	}
	return string(visual), nil
}

// pdfText writes text into a PDF: left-to-right text flows and wraps at
// spaces as fpdf wraps it; an Arabic run is drawn whole, in its shaped
// visual order, marked with its logical text so that copying it or
// extracting it (pdftotext) gives the words rather than their glyphs. The
// first text the PDF cannot show faithfully is kept in err, and the rest
// is left out.
type pdfText struct {
	pdf   *fpdf.Fpdf
	fonts map[string]*pdfFont
	style string
	err   error
}

// font sets the font's style ("" or "B") and size in points.
func (t *pdfText) font(style string, size float64) {
	t.style = style
	t.pdf.SetFont("DejaVu", style, size)
}

// write writes s from the current position, lines lh high.
func (t *pdfText) write(lh float64, s string) {
	if t.err != nil {
		return
	}
	runs, err := t.fonts[t.style].runs(s)
	if err != nil {
		t.err = err
		return
	}
	for _, run := range runs {
		if !run.rtl {
			t.pdf.Write(lh, run.visual)
			continue
		}
		t.writeWhole(lh, run)
	}
}

// line writes s and ends the line.
func (t *pdfText) line(lh float64, s string) {
	t.write(lh, s)
	t.pdf.Ln(lh)
}

// paragraph writes s as a paragraph, with a gap after it.
func (t *pdfText) paragraph(lh float64, s string) {
	t.line(lh, s)
	t.pdf.Ln(lh / 2)
}

// item writes a list item: its marker in the margin of its text, which
// wraps with a hanging indent.
func (t *pdfText) item(lh float64, b models.PlainBlock) {
	indent := packetMargin + 7*float64(b.Depth)
	t.pdf.SetX(indent - 5)
	t.write(lh, b.Marker)
	t.pdf.SetLeftMargin(indent)
	t.pdf.SetX(indent)
	t.line(lh, b.Text)
	t.pdf.SetLeftMargin(packetMargin)
	t.pdf.Ln(lh / 4)
}

// markdown writes a letter's Markdown as plain paragraphs and list items.
func (t *pdfText) markdown(lh float64, src string) {
	for _, b := range models.PlainBlocks(src) {
		if b.Depth == 0 {
			t.paragraph(lh, b.Text)
		} else {
			t.item(lh, b)
		}
	}
}

// writeWhole draws an Arabic run on one line, starting a line or a page
// first if it does not fit: a run split across lines would read in the
// wrong order, and its marked content cannot span pages.
func (t *pdfText) writeWhole(lh float64, run textRun) {
	width := t.pdf.GetStringWidth(run.visual)
	left, _, right, _ := t.pdf.GetMargins()
	pageWidth, pageHeight := t.pdf.GetPageSize()
	_, bottom := t.pdf.GetAutoPageBreak()
	if width > pageWidth-left-right {
		t.err = fmt.Errorf("%w: an Arabic run longer than a line", errUnfaithful)
		return
	}
	if t.pdf.GetX()+width > pageWidth-right {
		t.pdf.Ln(lh)
	}
	if t.pdf.GetY()+lh > pageHeight-bottom {
		t.pdf.AddPage()
	}
	t.pdf.RawWriteStr("/Span <</ActualText " + actualText(run.logical) + ">> BDC")
	t.pdf.CellFormat(width, lh, run.visual, "", 0, "L", false, 0, "")
	t.pdf.RawWriteStr("EMC")
}

// actualText is a run's text as a PDF string in UTF-16. It is reversed:
// poppler (pdftotext, and the viewers built on it) reorders an Arabic
// ActualText as it reorders drawn glyphs, as if it were in visual order,
// and so reads the reversed text back in logical order.
func actualText(logical string) string {
	rs := []rune(logical)
	for i, j := 0, len(rs)-1; i < j; i, j = i+1, j-1 {
		rs[i], rs[j] = rs[j], rs[i]
	}
	var b bytes.Buffer
	b.WriteString("<FEFF")
	for _, u := range utf16.Encode(rs) {
		fmt.Fprintf(&b, "%04X", u)
	}
	b.WriteString(">")
	return b.String()
}
