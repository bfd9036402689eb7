package pdf

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf16"

	"github.com/go-text/typesetting/font"
)

// Finish ends the last page, writes on each page its footer (foot is
// called with the page's number and the number of pages, to write it with
// Paragraph at a place it chooses with At) and the fonts, and returns the
// PDF.
func (d *Document) Finish(foot func(d *Document, page, total int)) ([]byte, error) {
	if !d.begun {
		d.NewPage()
	}
	d.head = nil
	d.NewPage() // ends the last page; the one begun is not written
	d.fixed = true
	bodies := d.pages
	d.pages = nil
	feet := make([]int, len(bodies))
	for i := range bodies {
		d.page.Reset()
		if foot != nil {
			foot(d, i+1, len(bodies))
		}
		feet[i] = d.writeStream(d.page.Bytes())
	}
	resources := d.newRef()
	var fonts strings.Builder
	for _, u := range d.fonts {
		fmt.Fprintf(&fonts, "%s %d 0 R", u.name, u.ref)
		if err := d.writeFont(u); err != nil {
			return nil, err
		}
	}
	d.writeObject(resources, "<</Font<<"+fonts.String()+">>>>")
	var kids strings.Builder
	for i := range bodies {
		page := d.newRef()
		d.writeObject(page, fmt.Sprintf("<</Type/Page/Parent 1 0 R/MediaBox[0 0 %s %s]/Contents[%d 0 R %d 0 R]/Resources %d 0 R>>",
			num(PageWidth), num(PageHeight), bodies[i], feet[i], resources))
		fmt.Fprintf(&kids, "%d 0 R ", page)
	}
	d.writeObject(1, fmt.Sprintf("<</Type/Pages/Kids[%s]/Count %d>>", kids.String(), len(bodies)))
	info := d.newRef()
	d.writeObject(info, "<</Title"+textString(d.cfg.Title)+"/Producer(Undersigned)>>")
	catalog := d.newRef()
	prefs := ""
	if d.cfg.RTL {
		prefs = "/ViewerPreferences<</Direction/R2L>>"
	}
	d.writeObject(catalog, fmt.Sprintf("<</Type/Catalog/Pages 1 0 R/Lang%s%s>>", textString(d.cfg.Lang), prefs))
	xref := d.out.Len()
	fmt.Fprintf(&d.out, "xref\n0 %d\n0000000000 65535 f \n", len(d.offsets))
	for _, off := range d.offsets[1:] {
		fmt.Fprintf(&d.out, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&d.out, "trailer\n<</Size %d/Root %d 0 R/Info %d 0 R>>\nstartxref\n%d\n%%%%EOF\n", len(d.offsets), catalog, info, xref)
	return d.out.Bytes(), nil
}

// writeFont writes a font as a Type 0 font of the glyphs used, by glyph ID,
// with its subset program, its widths and its map to Unicode.
func (d *Document) writeFont(u *fontUse) error {
	gids := slices.Sorted(maps.Keys(u.text))
	used := map[uint16]bool{}
	for _, g := range gids {
		used[uint16(g)] = true
	}
	program, err := subsetTrueType(u.data, used)
	if err != nil {
		return fmt.Errorf("subset %s: %w", u.name, err)
	}
	file := d.writeStream(program, fmt.Sprintf("/Length1 %d", len(program)))
	unicode := d.writeStream(toUnicode(u.text, gids))

	tables, err := sfntTables(u.data)
	if err != nil {
		return err
	}
	head, hhea := tables["head"], tables["hhea"]
	em := func(b []byte) int { return int(int16(binary.BigEndian.Uint16(b))) * 1000 / int(u.upem) }
	name := fmt.Sprintf("UNDRS%c+%s", 'A'+u.ref%26, u.Font.name) // a subset's name is tagged
	descriptor := d.newRef()
	d.writeObject(descriptor, fmt.Sprintf("<</Type/FontDescriptor/FontName/%s/Flags 32/FontBBox[%d %d %d %d]/ItalicAngle 0/Ascent %d/Descent %d/CapHeight %d/StemV 80/FontFile2 %d 0 R>>",
		name, em(head[36:]), em(head[38:]), em(head[40:]), em(head[42:]), em(hhea[4:]), em(hhea[6:]), em(hhea[4:]), file))
	var w strings.Builder
	for _, g := range gids {
		fmt.Fprintf(&w, "%d[%d]", g, int(u.width(g)+0.5))
	}
	cid := d.newRef()
	d.writeObject(cid, fmt.Sprintf("<</Type/Font/Subtype/CIDFontType2/BaseFont/%s/CIDSystemInfo<</Registry(Adobe)/Ordering(Identity)/Supplement 0>>/FontDescriptor %d 0 R/DW 0/W[%s]/CIDToGIDMap/Identity>>",
		name, descriptor, w.String()))
	d.writeObject(u.ref, fmt.Sprintf("<</Type/Font/Subtype/Type0/BaseFont/%s/Encoding/Identity-H/DescendantFonts[%d 0 R]/ToUnicode %d 0 R>>", name, cid, unicode))
	return nil
}

// toUnicode is the CMap that gives each glyph drawn the text it stands for.
func toUnicode(text map[font.GID][]rune, gids []font.GID) []byte {
	var b bytes.Buffer
	b.WriteString("/CIDInit/ProcSet findresource begin 12 dict begin begincmap/CIDSystemInfo<</Registry(Adobe)/Ordering(UCS)/Supplement 0>>def/CMapName/Adobe-Identity-UCS def/CMapType 2 def\n1 begincodespacerange<0000><FFFF>endcodespacerange\n")
	for chunk := range slices.Chunk(gids, 100) {
		fmt.Fprintf(&b, "%d beginbfchar\n", len(chunk))
		for _, g := range chunk {
			fmt.Fprintf(&b, "<%04X><", uint16(g))
			for _, c := range utf16.Encode(text[g]) {
				fmt.Fprintf(&b, "%04X", c)
			}
			b.WriteString(">\n")
		}
		b.WriteString("endbfchar\n")
	}
	b.WriteString("endcmap CMapName currentdict/CMap defineresource pop end end")
	return b.Bytes()
}

// textString is s as a PDF text string, in UTF-16.
func textString(s string) string {
	var b strings.Builder
	b.WriteString("<FEFF")
	for _, c := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04X", c)
	}
	b.WriteString(">")
	return b.String()
}
