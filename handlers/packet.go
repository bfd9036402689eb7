package handlers

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"undersigned/models"
	"undersigned/public"
	"undersigned/views"
	"undersigned/views/pdf"
)

const (
	// packetMaxEntries caps the named entries of a PDF the server makes:
	// the list is read a chunk at a time, but the PDF is held in memory,
	// by the page cache too. Longer lists are saved as PDF from the print
	// page, which the browser lays out.
	packetMaxEntries = 20000

	mm           = 72 / 25.4 // points
	packetMargin = 20 * mm
)

// NoPacketView is the view of the page that answers for a PDF the server
// will not make, and says why.
type NoPacketView struct {
	Letter LetterView
	Why    string
	Print  string
}

// packetPDF sends the delivery packet as a PDF made on the server: the
// letter, then on a new page its list as of its date, as the print page
// shows it. A list too long to hold gets a page pointing to the print page
// instead.
//
// A PDF of a long list takes the server a good part of a second and much
// memory to make, and the link is public: the answer comes from the page
// cache, at most a second old whatever changed meanwhile, and the server
// makes one PDF at a time. A crowd asking for it costs one PDF a second.
// The cache keeps it by letter and version, whatever address asked for it.
func (h *Handler) packetPDF(c *fiber.Ctx) error {
	l, err := h.publicVersion(c)
	if err != nil {
		return err
	}
	if l.NamedCount() > packetMaxEntries { // a page, cheap, its main part (which says why) in the version's language
		return h.renderNoPacket(c, l, views.Message(h.mainLang(c, l), "packet.too_long", "max", packetMaxEntries))
	}
	// The packet is in the version's language (see makePacket), whatever the
	// interface's: kept once per version, not once per interface language,
	// which a visitor could otherwise make it again for, up to six times.
	p, err := h.cachedPage(c, "packet:"+strconv.FormatInt(l.ID, 10)+":"+l.Lang, false, func(c *fiber.Ctx) error { return h.makePacket(c, l) })
	if err != nil {
		return err
	}
	return h.serveCached(c, p.status, p, nil)
}

// makePacket answers for packetPDF, making the PDF of l. Its labels and
// dates are in the letter's language, as far as the catalogue has it.
func (h *Handler) makePacket(c *fiber.Ctx, l *models.Letter) error {
	h.packetSlot <- struct{}{}
	defer func() { <-h.packetSlot }()
	began := time.Now()
	out, err := h.packet(c.UserContext(), l, l.Lang)
	if err != nil {
		return err
	}
	h.log.Info("delivery packet made", "letter", l.ID, "entries", l.NamedCount(), "bytes", len(out), "took", time.Since(began).Round(time.Millisecond).String())
	keepNamesUnindexed(c, l)
	c.Attachment(l.Slug + ".pdf")
	c.Set(fiber.HeaderContentType, "application/pdf")
	return c.Send(out)
}

// renderNoPacket answers a request for a PDF the server will not make with
// a page saying why, and linking the print page. It is 200: the page is
// the answer to the visitor's request, the way to their PDF.
func (h *Handler) renderNoPacket(c *fiber.Ctx, l *models.Letter, why string) error {
	v := NoPacketView{Letter: h.letterView(l), Why: why, Print: letterPath(l) + "/print"}
	p := h.versionPage(c, l, v, "packet.title", "title", l.Title)
	p.CSRFToken = nil
	p.Robots = "noindex"
	return h.render(c, fiber.StatusOK, "packet", p)
}

// packetFonts are the packet's regular and bold fonts, read once.
var packetFonts = sync.OnceValues(func() ([2]*pdf.Font, error) {
	var out [2]*pdf.Font
	for i, name := range []string{"DejaVuSans", "DejaVuSans-Bold"} {
		data, err := public.Fonts.ReadFile("fonts/" + name + ".ttf")
		if err != nil {
			return out, err
		}
		if out[i], err = pdf.ParseFont(name, data); err != nil {
			return out, err
		}
	}
	return out, nil
})

// packet is the PDF of l's delivery packet, its labels and dates in lang.
// Text in a script the fonts lack is drawn as empty boxes: the packet is
// then made again, its first page saying which scripts it cannot show and
// where to find a PDF that does.
func (h *Handler) packet(ctx context.Context, l *models.Letter, lang string) ([]byte, error) {
	out, missing, err := h.writePacket(ctx, l, lang, nil)
	if err == nil && len(missing) > 0 {
		out, _, err = h.writePacket(ctx, l, lang, missing)
	}
	return out, err
}

// packetWriter writes one packet: its document, fonts and language.
type packetWriter struct {
	*pdf.Document
	regular, bold *pdf.Font
	lang          string
}

// T is the catalogue's message for key in the packet's language.
func (w *packetWriter) T(key string, args ...any) string {
	return views.Message(w.lang, key, args...)
}

// date formats t in long form in the packet's language.
func (w *packetWriter) date(t time.Time) string { return views.FormatDate(w.lang, t) }

// text writes a paragraph in the regular font.
func (w *packetWriter) text(st pdf.Style, s string) {
	w.Paragraph(st, pdf.Span{Text: s, Font: w.regular})
}

// strong writes a paragraph in the bold font.
func (w *packetWriter) strong(st pdf.Style, s string) {
	w.Paragraph(st, pdf.Span{Text: s, Font: w.bold})
}

// The packet's paragraph styles, in points.
var (
	headStyle  = pdf.Style{Size: 8, Leading: 11, Gray: 0.3}
	footStyle  = pdf.Style{Size: 8, Leading: 11, Gray: 0.3, Center: true}
	titleStyle = pdf.Style{Size: 16, Leading: 21, After: 10}
	subStyle   = pdf.Style{Size: 14, Leading: 20, After: 10}
	smallStyle = pdf.Style{Size: 10, Leading: 14, After: 7}
	bodyStyle  = pdf.Style{Size: 11, Leading: 15.5, After: 8}
	lineStyle  = pdf.Style{Size: 11, Leading: 15.5}
	entryStyle = pdf.Style{Size: 10, Leading: 14}
	groupStyle = pdf.Style{Size: 11, Leading: 17, After: 8}
)

// writePacket writes the packet, with a notice of the scripts it cannot
// show if missing names them, and returns it with the scripts it lacked.
func (h *Handler) writePacket(ctx context.Context, l *models.Letter, lang string, missing []string) ([]byte, []string, error) {
	fonts, err := packetFonts()
	if err != nil {
		return nil, nil, fmt.Errorf("packet fonts: %w", err)
	}
	w := &packetWriter{regular: fonts[0], bold: fonts[1], lang: lang}
	head := w.T("packet.running_head", "title", isolate(l.Title), "date", w.date(l.AsOf()))
	w.Document = pdf.New(pdf.Config{Lang: l.Lang, RTL: views.Dir(l.Lang) == "rtl", Title: l.Title, Margin: packetMargin, Top: 24 * mm, Bottom: 22 * mm},
		func(d *pdf.Document) {
			d.At(12 * mm)
			d.Paragraph(headStyle, pdf.Span{Text: head, Font: w.regular})
		}, w.regular, w.bold)
	if len(missing) > 0 {
		w.strong(smallStyle, w.T("packet.uncovered", "scripts", strings.Join(missing, ", "), "url", h.absolute(letterPath(l)+"/print")))
	}
	w.writeLetter(l)
	if err := h.writeList(ctx, w, l); err != nil {
		return nil, nil, err
	}
	out, err := w.Finish(func(d *pdf.Document, page, total int) {
		d.At(pdf.PageHeight - 12*mm)
		d.Paragraph(footStyle, pdf.Span{Text: w.T("packet.page", "page", page, "pages", total), Font: w.regular})
	})
	if err != nil {
		return nil, nil, fmt.Errorf("PDF of letter %d: %w", l.ID, err)
	}
	return out, w.Uncovered(), nil
}

// isolate marks s, typed by someone, as text of its own direction inside
// the text around it (U+2068 FIRST STRONG ISOLATE … U+2069 POP
// DIRECTIONAL ISOLATE), as <bdi> does on a page: an Arabic name then
// reads whole beside a Latin affiliation, each in its own direction.
func isolate(s string) string {
	if s == "" {
		return ""
	}
	return "\u2068" + s + "\u2069"
}

// writeLetter writes the letter as its page reads: its Markdown as plain
// paragraphs and list items, since the PDF shows no HTML.
func (w *packetWriter) writeLetter(l *models.Letter) {
	if in := l.InitiatorList(); len(in) > 0 {
		for i := range in {
			in[i] = isolate(in[i])
		}
		w.text(smallStyle, w.T("letter.initiators", "names", views.List(w.lang, in)))
	}
	w.strong(titleStyle, l.Title)
	w.text(smallStyle, w.date(l.Date(time.Now())))
	if to := l.AddresseeList(); len(to) > 0 {
		w.strong(lineStyle, w.T("letter.to"))
		for _, a := range to {
			w.text(lineStyle, a)
		}
		w.Space(8)
	}
	if l.Subject != "" {
		w.Paragraph(bodyStyle, pdf.Span{Text: w.T("letter.re") + " ", Font: w.bold}, pdf.Span{Text: isolate(l.Subject), Font: w.regular})
	}
	if l.Salutation != "" {
		w.text(bodyStyle, l.Salutation)
	}
	w.markdown(l.Body)
	for _, g := range l.DemandGroups {
		w.text(bodyStyle, g.LeadIn)
		for _, d := range g.DemandList() {
			w.item(views.PlainBlock{Text: d, Marker: "•", Depth: 1})
		}
		w.Space(6)
	}
	w.markdown(l.Closing)
}

// markdown writes a letter's Markdown as plain paragraphs and list items.
func (w *packetWriter) markdown(src string) {
	for _, b := range views.PlainBlocks(src) {
		if b.Depth == 0 {
			w.text(bodyStyle, b.Text)
		} else {
			w.item(b)
		}
	}
}

// item writes a list item, its marker in the margin of its text.
func (w *packetWriter) item(b views.PlainBlock) {
	st := bodyStyle
	st.After, st.Indent, st.Marker = 3, 20*float64(b.Depth), b.Marker
	w.text(st, b.Text)
}

// writeList writes the list on a page of its own, reading it a chunk of
// entries at a time with the entries the print page shows.
func (h *Handler) writeList(ctx context.Context, w *packetWriter, l *models.Letter) error {
	w.NewPage()
	w.strong(subStyle, w.T("list.as_of", "date", w.date(l.AsOf())))
	w.text(smallStyle, w.T("list.count", "count", l.SignatureCount()))
	earlier, err := h.earlierNoteIn(ctx, w.lang, l)
	if err != nil {
		return err
	}
	if earlier != nil {
		w.text(smallStyle, earlier.Text)
	}
	var failed error
	for section := range h.streamSections(ctx, l, h.packetEntry(w.lang), &failed) {
		if section.Kind == models.KindOrganisation {
			w.strong(groupStyle, w.T("list.organisations", "count", section.Count))
		} else {
			w.strong(groupStyle, w.T("list.individuals", "count", section.Count))
		}
		for e := range section.Entries {
			w.text(entryStyle, e)
		}
		w.Space(8)
	}
	if failed != nil {
		return failed
	}
	if l.UnlistedCount > 0 {
		key := "list.unlisted"
		if l.OrganisationCount+l.IndividualCount == 0 {
			key = "list.unlisted_only" // no "more" when nobody is named
		}
		w.text(smallStyle, w.T(key, "count", l.UnlistedCount))
	}
	return nil
}

// packetEntry writes a list entry as the packet does, in lang, each part
// its signer typed isolated: in an English list an Arabic name and its
// Latin affiliation each read in their own direction, in the order typed.
func (h *Handler) packetEntry(lang string) func(*models.Signature) string {
	return func(s *models.Signature) string {
		iso := *s
		iso.Name, iso.Role, iso.Affiliation = isolate(s.Name), isolate(s.Role), isolate(s.Affiliation)
		return h.listEntry(lang, &iso)
	}
}
