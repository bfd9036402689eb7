// Package pdf writes PDF documents of paragraphs in any direction and
// script: text is split into directional runs by the Unicode
// Bidirectional Algorithm, shaped, wrapped and ordered by go-text's
// typesetting (a port of HarfBuzz and of the reference bidi
// implementation), and drawn as glyphs of embedded subset TrueType fonts
// whose ToUnicode maps give text extraction and copying the words typed.
package pdf

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"math"
	"slices"
	"strconv"
	"unicode"

	"github.com/go-text/typesetting/bidi"
	"github.com/go-text/typesetting/di"
	"github.com/go-text/typesetting/font"
	ot "github.com/go-text/typesetting/font/opentype"
	"github.com/go-text/typesetting/language"
	"github.com/go-text/typesetting/shaping"
	"golang.org/x/image/math/fixed"
)

// PageWidth and PageHeight are the size of the document's pages, A4, in
// points.
const PageWidth, PageHeight = 595.28, 841.89

// Config is a document's language, direction and page margins (points).
type Config struct {
	Lang   string // its BCP 47 tag: the shaper's language and the PDF's /Lang
	RTL    bool   // paragraphs run right to left and are set from the right margin
	Title  string
	Margin float64 // left and right
	Top    float64 // from the top of the page to the first line
	Bottom float64 // from the bottom of the page below the last line
}

// Span is a stretch of a paragraph in one font.
type Span struct {
	Text string
	Font *Font
}

// Style is how a paragraph is set, in points.
type Style struct {
	Size    float64 // of the font
	Leading float64 // from one line's baseline to the next
	After   float64 // space below the paragraph
	Indent  float64 // from the margin where lines start
	Marker  string  // a list item's bullet, set in the indent before its first line
	Gray    float64 // the text's gray level: 0 black, 1 white
	Center  bool    // lines centred rather than set from their start margin
}

// Document is a PDF being written, page after page. It holds the pages
// written so far as compressed streams, and the fonts' glyphs used.
type Document struct {
	cfg     Config
	dir     di.Direction
	lang    language.Language
	out     bytes.Buffer
	offsets []int // of each object, by number; object 0 is unused
	pages   []int // each page's content stream
	fonts   []*fontUse
	page    bytes.Buffer // the current page's content, when begun
	shapes  bytes.Buffer // the current line's glyphs drawn as outlines
	begun   bool
	fixed   bool    // writing a running head or footer, which turns no page
	y       float64 // the baseline of the next line
	head    func(*Document)

	bidi       bidi.Paragraph
	zip        *zlib.Writer
	seg        shaping.Segmenter
	shaper     shaping.HarfbuzzShaper
	wrapper    shaping.LineWrapper
	fixedWrap  shaping.LineWrapper // for a running head written within a paragraph
	uncovered  []string
	seenScript map[string]bool
}

// fontUse is a font of the document: its shaping face and the glyphs drawn
// with it, each with the text it stands for.
type fontUse struct {
	*Font
	name   string // its resource name in the pages: /F0, /F1...
	ref    int    // its object number
	face   *font.Face
	text   map[font.GID][]rune
	widths map[font.GID]float64 // of the glyphs drawn, read once
}

// New starts a document whose text is set in fonts. head, if not nil, is
// called at the top of each page, to write its running head.
func New(cfg Config, head func(*Document), fonts ...*Font) *Document {
	d := &Document{cfg: cfg, dir: di.DirectionLTR, lang: language.NewLanguage(cfg.Lang), head: head, offsets: []int{0}, seenScript: map[string]bool{}}
	if cfg.RTL {
		d.dir = di.DirectionRTL
	}
	d.out.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	d.newRef() // the page tree, written last
	for i, f := range fonts {
		d.fonts = append(d.fonts, &fontUse{Font: f, name: "/F" + strconv.Itoa(i), ref: d.newRef(), face: font.NewFace(f.font), text: map[font.GID][]rune{}, widths: map[font.GID]float64{}})
	}
	return d
}

// Uncovered returns the scripts, by their Unicode names ("Han"), of the
// letters written so far that no font of the document has a glyph for.
func (d *Document) Uncovered() []string { return d.uncovered }

// NewPage ends the page being written, if any, and starts the next.
func (d *Document) NewPage() {
	if d.begun {
		d.pages = append(d.pages, d.writeStream(d.page.Bytes()))
		d.page.Reset()
	}
	d.begun = true
	if d.head != nil {
		d.fixed = true
		d.head(d)
		d.fixed = false
	}
	d.y = PageHeight - d.cfg.Top
}

// At moves the next line's baseline to y points from the top of the page.
func (d *Document) At(y float64) { d.y = PageHeight - y }

// Space leaves a gap of h points before the next line.
func (d *Document) Space(h float64) { d.y -= h }

// Paragraph writes spans as one paragraph, wrapped to the width between
// the margins, turning the page where it is full.
func (d *Document) Paragraph(st Style, spans ...Span) {
	if !d.begun {
		d.NewPage()
	}
	var marker *shaped
	if st.Marker != "" {
		text, runs, _ := d.shape(st.Size, []Span{{Text: st.Marker, Font: spans[0].Font}})
		marker = &shaped{text, runs[0]}
	}
	text, runs, levels := d.shape(st.Size, spans)
	if len(text) > 0 {
		width := PageWidth - 2*d.cfg.Margin - st.Indent
		wrapper := &d.wrapper
		if d.fixed { // a running head, maybe written while a paragraph's lines are
			wrapper = &d.fixedWrap
		}
		lines, _ := wrapper.WrapParagraphF(shaping.WrapConfig{Direction: d.dir}, fixed.Int26_6(width*64), text, shaping.NewSliceIterator(runs))
		for _, line := range lines {
			if d.y < d.cfg.Bottom && !d.fixed {
				d.NewPage()
			}
			d.drawLine(st, visualOrder(line, levels), text, marker)
			marker = nil
			d.y -= st.Leading
		}
	}
	d.y -= st.After
}

// shape splits the paragraph's text into runs of one direction, script
// and font, and shapes them.
func (d *Document) shape(size float64, spans []Span) ([]rune, []shaping.Output, []bidi.Level) {
	var text []rune
	var ends []int
	for _, s := range spans {
		text = append(text, []rune(s.Text)...)
		ends = append(ends, len(text))
	}
	if len(text) == 0 {
		return nil, nil, nil
	}
	text = withinIsolateDepth(text)
	levels := d.levelsOf(text)
	in := shaping.Input{Text: text, RunEnd: len(text), Direction: d.dir, Face: d.face(spans[0].Font), Size: fixed.Int26_6(size * 64), Language: d.lang}
	var out []shaping.Output
	for _, run := range d.seg.Split(in, oneFace{in.Face}) {
		for span, end := range ends { // a run may cross spans of other fonts
			start := 0
			if span > 0 {
				start = ends[span-1]
			}
			part := run
			part.RunStart, part.RunEnd = max(run.RunStart, start), min(run.RunEnd, end)
			if part.RunStart >= part.RunEnd {
				continue
			}
			part.Face = d.face(spans[span].Font)
			out = append(out, d.shaper.Shape(part))
		}
	}
	return text, out, levels
}

// levelsOf resolves the embedding level of each character of a paragraph
// by the Unicode Bidirectional Algorithm: go-text's line wrapper orders a
// line's runs by their direction alone, which puts the parts of a number
// inside Arabic text in a left-to-right line in the wrong order, so lines
// are ordered here by their levels (rule L2).
func (d *Document) levelsOf(text []rune) []bidi.Level {
	base := bidi.LeftToRight
	if d.cfg.RTL {
		base = bidi.RightToLeft
	}
	runs := d.bidi.Segment(text, base)
	levels := make([]bidi.Level, len(text))
	for i := range runs.NumRuns() {
		run := runs.Run(i)
		for j := run.Start; j < run.End; j++ {
			levels[j] = run.Level
		}
	}
	return levels
}

// maxIsolateDepth is the deepest nesting of directional isolates and
// embeddings the Unicode Bidirectional Algorithm resolves (max_depth, rule
// BD2); an isolate deeper than that overflows and changes no level.
const maxIsolateDepth = 125

// overflowIsolate stands for an overflowing isolate in withinIsolateDepth:
// ZERO WIDTH SPACE, invisible too, which the algorithm ignores.
const overflowIsolate = '\u200b'

// withinIsolateDepth returns text, or a copy of it whose isolate
// initiators nested deeper than maxIsolateDepth, and the terminators
// matching them, are overflowIsolate. The algorithm would change no level
// for them, but the bidi package (in levelsOf and in the shaper's
// segmenter) looks for each initiator's terminator from the initiator on:
// a paragraph of thousands of unmatched initiators, which a coordinator's
// text may hold, costs it seconds, quadratically, where bounded nesting
// costs it at most maxIsolateDepth passes.
func withinIsolateDepth(text []rune) []rune {
	out, depth, copied := text, 0, false
	for i, r := range text {
		switch {
		case r >= '\u2066' && r <= '\u2068': // LRI, RLI, FSI
			depth++
		case r == '\u2069' && depth > 0: // PDI, closing the innermost open isolate
			depth--
		default:
			continue
		}
		if depth > maxIsolateDepth || r == '\u2069' && depth >= maxIsolateDepth {
			if !copied {
				out, copied = slices.Clone(text), true
			}
			out[i] = overflowIsolate
		}
	}
	return out
}

// visualOrder orders a line's runs from left to right by rule L2 of the
// Unicode Bidirectional Algorithm: from the highest level to the lowest
// odd one, each sequence of runs at that level or higher is reversed.
func visualOrder(line shaping.Line, levels []bidi.Level) []shaping.Output {
	runs := slices.Clone(line)
	slices.SortFunc(runs, func(a, b shaping.Output) int { return a.Runes.Offset - b.Runes.Offset })
	level := func(r shaping.Output) bidi.Level { return levels[r.Runes.Offset] }
	highest, lowestOdd := bidi.Level(0), bidi.Level(127)
	for _, r := range runs {
		highest = max(highest, level(r))
		if level(r)%2 == 1 {
			lowestOdd = min(lowestOdd, level(r))
		}
	}
	for l := highest; l >= lowestOdd && l > 0; l-- {
		for i := 0; i < len(runs); {
			if level(runs[i]) < l {
				i++
				continue
			}
			j := i
			for j < len(runs) && level(runs[j]) >= l {
				j++
			}
			slices.Reverse(runs[i:j])
			i = j
		}
	}
	return runs
}

// shaped is a one-run text shaped, as a list item's marker.
type shaped struct {
	text []rune
	run  shaping.Output
}

// oneFace is the fontmap of a paragraph shaped in one face at first.
type oneFace struct{ face *font.Face }

func (f oneFace) ResolveFace(rune) *font.Face { return f.face }

// face is the document's shaping face of f.
func (d *Document) face(f *Font) *font.Face { return d.use(f).face }

// use is the document's use of f, one of the fonts given to New.
func (d *Document) use(f *Font) *fontUse {
	for _, u := range d.fonts {
		if u.Font == f {
			return u
		}
	}
	panic("pdf: a font not given to New")
}

// useFace is the document's use of the font of a face it shaped with.
func (d *Document) useFace(face *font.Face) *fontUse {
	for _, u := range d.fonts {
		if u.face == face {
			return u
		}
	}
	panic("pdf: a face not of the document")
}

// drawLine draws a line's runs left to right in their visual order, from
// the margin where the paragraph's lines start.
func (d *Document) drawLine(st Style, line []shaping.Output, text []rune, marker *shaped) {
	var width float64
	for _, run := range line {
		width += float64(run.Advance) / 64
	}
	x := d.cfg.Margin + st.Indent
	switch {
	case st.Center:
		x = (PageWidth - width) / 2
	case d.cfg.RTL:
		x = PageWidth - d.cfg.Margin - st.Indent - width
	}
	fmt.Fprintf(&d.page, "BT %s g\n", num(st.Gray))
	t := &tj{page: &d.page, shapes: &d.shapes, size: st.Size, y: d.y}
	if marker != nil {
		mx := d.cfg.Margin + st.Indent - 0.6*st.Size - float64(marker.run.Advance)/64
		if d.cfg.RTL {
			mx = PageWidth - d.cfg.Margin - st.Indent + 0.6*st.Size
		}
		d.drawRun(t, marker.run, marker.text, mx)
		t.drawn = false
	}
	for _, run := range line {
		x = d.drawRun(t, run, text, x)
	}
	t.close()
	d.page.WriteString("ET\n")
	if d.shapes.Len() > 0 {
		d.page.Write(d.shapes.Bytes())
		d.shapes.Reset()
	}
}

// drawRun draws a shaped run's glyphs from x, and returns where it ends.
func (d *Document) drawRun(t *tj, run shaping.Output, text []rune, x float64) float64 {
	u := d.useFace(run.Face)
	rtl := run.Direction.Progression() == di.TowardTopLeft
	t.close()
	fmt.Fprintf(&d.page, "%s %s Tf\n", u.name, num(t.size))
	for _, g := range run.Glyphs {
		runes := text[g.TextIndex() : g.TextIndex()+g.RunesCount()]
		switch {
		case invisible(runes):
		case rtl && g.GlyphsCount() == 1 && len(runes) > 1 && t.ligature(u, g, x, runes):
		default:
			t.glyph(u, g, x)
			d.record(u, g, runes)
		}
		x += float64(g.Advance) / 64
	}
	return x
}

// tj writes a line's glyphs as TJ arrays of glyph IDs and adjustments to
// the widths the PDF knows, starting a new array with a text matrix where
// a glyph is not where the previous one's width puts it.
type tj struct {
	page    *bytes.Buffer
	shapes  *bytes.Buffer // outlines of raised or lowered glyphs, drawn after the text
	size, y float64
	pen     float64 // where the PDF sets the next glyph of the array
	open    bool
	drawn   bool // a glyph on the baseline, ending at pen
	buf     [6]byte
}

// appendGID appends a glyph ID as a PDF hex string, as Identity-H reads it:
// a packet draws a glyph ID for each letter of the list, the writer's most
// frequent output.
func appendGID(b []byte, g font.GID) []byte {
	const hex = "0123456789ABCDEF"
	return append(b, '<', hex[g>>12&15], hex[g>>8&15], hex[g>>4&15], hex[g&15], '>')
}

// glyph writes g drawn at pen position x (its offsets still to apply).
//
// A glyph raised or lowered (an Arabic vowel mark) is drawn as its
// outline, and written as invisible text on the baseline, a little before
// the end of the glyph drawn before it: text extraction (poppler's
// pdftotext) reads a glyph off the baseline as a line of its own, and one
// at the start of the next as a duplicate. Extracted so, the mark follows
// its letter.
func (t *tj) glyph(u *fontUse, g shaping.Glyph, x float64) {
	gx, gy := x+float64(g.XOffset)/64, t.y+float64(g.YOffset)/64
	if gy != t.y {
		t.outline(u, g.GlyphID, gx, gy)
		t.close()
		at := gx
		if t.drawn {
			at = t.pen - u.width(g.GlyphID)*t.size/1000
		}
		fmt.Fprintf(t.page, "3 Tr 1 0 0 1 %s %s Tm[<%04X>]TJ 0 Tr\n", num(at), num(t.y), uint16(g.GlyphID))
		return
	}
	if !t.open {
		fmt.Fprintf(t.page, "1 0 0 1 %s %s Tm[", num(gx), num(gy))
		t.open = true
	} else if adj := (gx - t.pen) * 1000 / t.size; math.Abs(adj) > 0.05 {
		t.page.WriteString(num(-adj))
	}
	t.page.Write(appendGID(t.buf[:0], g.GlyphID))
	t.pen, t.drawn = gx+u.width(g.GlyphID)*t.size/1000, true
}

// ligature writes a glyph that stands for several characters of
// right-to-left text (lam and alef joined) as its outline, and its
// characters as invisible text, each in its share of the glyph's width,
// from right to left: text extraction (poppler's pdftotext) reverses
// right-to-left words, the characters of a ligature too, so that its
// ToUnicode entry would read backwards. It writes nothing and returns
// false if a character has no glyph of its own.
func (t *tj) ligature(u *fontUse, g shaping.Glyph, x float64, runes []rune) bool {
	glyphs := make([]font.GID, len(runes))
	for i, r := range runes {
		var ok bool
		if glyphs[i], ok = u.face.NominalGlyph(r); !ok {
			return false
		}
	}
	gx, gy := x+float64(g.XOffset)/64, t.y+float64(g.YOffset)/64
	t.outline(u, g.GlyphID, gx, gy)
	t.close()
	share := float64(g.Advance) / 64 / float64(len(runes))
	t.page.WriteString("3 Tr")
	for i := len(runes) - 1; i >= 0; i-- {
		scale := share / (u.width(glyphs[i]) * t.size / 1000) * 100
		fmt.Fprintf(t.page, " %s Tz 1 0 0 1 %s %s Tm[<%04X>]TJ", num(scale), num(gx), num(t.y), uint16(glyphs[i]))
		gx += share
		if _, ok := u.text[glyphs[i]]; !ok {
			u.text[glyphs[i]] = []rune{runes[i]}
		}
	}
	t.page.WriteString(" 100 Tz 0 Tr\n")
	t.pen, t.drawn = gx, true
	return true
}

// outline draws a glyph's outline at (x, y) as a filled path.
func (t *tj) outline(u *fontUse, g font.GID, x, y float64) {
	o, ok := u.face.GlyphData(g).(font.GlyphOutline)
	if !ok {
		return
	}
	scale := t.size / u.upem
	pt := func(p ot.SegmentPoint) (float64, float64) { return x + float64(p.X)*scale, y + float64(p.Y)*scale }
	var cx, cy float64 // the current point
	for _, s := range o.Segments {
		switch s.Op {
		case ot.SegmentOpMoveTo:
			cx, cy = pt(s.Args[0])
			fmt.Fprintf(t.shapes, "%s %s m ", num(cx), num(cy))
		case ot.SegmentOpLineTo:
			cx, cy = pt(s.Args[0])
			fmt.Fprintf(t.shapes, "%s %s l ", num(cx), num(cy))
		case ot.SegmentOpQuadTo: // as the cubic curve it is
			qx, qy := pt(s.Args[0])
			ex, ey := pt(s.Args[1])
			fmt.Fprintf(t.shapes, "%s %s %s %s %s %s c ", num(cx+2*(qx-cx)/3), num(cy+2*(qy-cy)/3), num(ex+2*(qx-ex)/3), num(ey+2*(qy-ey)/3), num(ex), num(ey))
			cx, cy = ex, ey
		case ot.SegmentOpCubeTo:
			ax, ay := pt(s.Args[0])
			bx, by := pt(s.Args[1])
			cx, cy = pt(s.Args[2])
			fmt.Fprintf(t.shapes, "%s %s %s %s %s %s c ", num(ax), num(ay), num(bx), num(by), num(cx), num(cy))
		}
	}
	t.shapes.WriteString("f\n")
}

func (t *tj) close() {
	if t.open {
		t.page.WriteString("]TJ\n")
		t.open = false
	}
}

// invisible is a cluster of format characters only (direction isolates,
// joiners), which take no place and show nothing.
func invisible(runes []rune) bool {
	for _, r := range runes {
		if !unicode.Is(unicode.Cf, r) {
			return false
		}
	}
	return true
}

// record notes a glyph drawn for the runes of its cluster: the text that
// extracting it gives, or the script the fonts cannot show when it is the
// missing glyph.
func (d *Document) record(u *fontUse, g shaping.Glyph, runes []rune) {
	if g.GlyphID == 0 {
		name := scriptName(runes[0])
		if !d.seenScript[name] {
			d.seenScript[name] = true
			d.uncovered = append(d.uncovered, name)
		}
		return
	}
	if _, ok := u.text[g.GlyphID]; !ok {
		u.text[g.GlyphID] = stands(u, g, runes)
	}
}

// stands is the text a glyph stands for in its cluster: the whole cluster
// for a glyph of its own (a joined form, a ligature); else the character
// the font maps to it (a vowel mark beside its letter), or the marks of
// the cluster for a glyph without advance (a shadda and a fatha as one),
// or its letters.
func stands(u *fontUse, g shaping.Glyph, runes []rune) []rune {
	if g.GlyphsCount() == 1 {
		return slices.Clone(runes)
	}
	for _, r := range runes {
		if nominal, ok := u.face.NominalGlyph(r); ok && nominal == g.GlyphID {
			return []rune{r}
		}
	}
	mark := g.Advance == 0
	var out []rune
	for _, r := range runes {
		if unicode.Is(unicode.Mn, r) == mark {
			out = append(out, r)
		}
	}
	return out
}

// width is a glyph's advance in thousandths of an em, as the PDF's W array
// gives it. A mark's, which is none, is given as 0.15 em: written on the
// baseline as invisible text ending where the glyph before it ends, poppler
// reads it neither as a duplicate of the glyph after it (closer than 0.1
// em) nor as a word of its own (overlapping by more than 0.2 em). Glyphs
// are placed where the shaper puts them, whatever their width in the PDF.
func (u *fontUse) width(g font.GID) float64 {
	if w, ok := u.widths[g]; ok {
		return w
	}
	w := float64(u.face.HorizontalAdvance(g)) * 1000 / u.upem
	if w == 0 {
		w = 150
	}
	u.widths[g] = w
	return w
}

// num formats a number for a content stream, to a hundredth.
func num(v float64) string {
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}

func (d *Document) newRef() int {
	d.offsets = append(d.offsets, 0)
	return len(d.offsets) - 1
}

// writeObject writes object ref with its body.
func (d *Document) writeObject(ref int, body string) {
	d.offsets[ref] = d.out.Len()
	fmt.Fprintf(&d.out, "%d 0 obj\n%s\nendobj\n", ref, body)
}

// writeStream writes data compressed as a new stream object, with extra
// entries in its dictionary, and returns its number.
func (d *Document) writeStream(data []byte, extra ...string) int {
	var z bytes.Buffer
	if d.zip == nil { // one writer for every stream: each costs a megabyte
		d.zip, _ = zlib.NewWriterLevel(&z, zlib.BestSpeed)
	} else {
		d.zip.Reset(&z)
	}
	d.zip.Write(data)
	d.zip.Close()
	ref := d.newRef()
	d.offsets[ref] = d.out.Len()
	fmt.Fprintf(&d.out, "%d 0 obj\n<</Filter/FlateDecode/Length %d", ref, z.Len())
	for _, e := range extra {
		d.out.WriteString(e)
	}
	d.out.WriteString(">>\nstream\n")
	d.out.Write(z.Bytes())
	d.out.WriteString("\nendstream\nendobj\n")
	return ref
}
