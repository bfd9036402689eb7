package handlers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/go-pdf/fpdf"
	"github.com/gofiber/fiber/v2"

	"undersigned/models"
	"undersigned/views"
)

const (
	// packetMaxEntries caps the named entries of a PDF the server makes:
	// the list is read a chunk at a time, but fpdf holds the document
	// in memory until it is written. Longer lists are saved as PDF from
	// the print page, which the browser lays out.
	packetMaxEntries = 20000

	packetMargin = 20.0   // mm, left and right
	pageTotal    = "{nb}" // fpdf's stand-in for the number of pages
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
// shows it. A list the PDF cannot show faithfully, or too long to hold,
// gets a page pointing to the print page instead.
//
// A PDF of a long list takes the server a good part of a second and much
// memory to make, and the link is public: the answer comes from the page
// cache, at most a second old whatever changed meanwhile, and the server
// makes one PDF at a time. A crowd asking for it costs one PDF a second.
// The cache keeps it by letter, whatever address asked for it.
func (h *Handler) packetPDF(c *fiber.Ctx) error {
	l, err := h.store.PublicLetter(c.UserContext(), c.Params("slug"))
	if err != nil {
		return err
	}
	p, err := h.cachedPage(c, "packet:"+strconv.FormatInt(l.ID, 10), false, func(c *fiber.Ctx) error { return h.makePacket(c, l) })
	if err != nil {
		return err
	}
	return h.serveCached(c, p.status, p, nil)
}

// makePacket answers for packetPDF, making the PDF of l.
func (h *Handler) makePacket(c *fiber.Ctx, l *models.Letter) error {
	if l.NamedCount() > packetMaxEntries {
		return h.renderNoPacket(c, l, h.msg(c, "packet.too_long", "max", packetMaxEntries))
	}
	h.packetSlot <- struct{}{}
	defer func() { <-h.packetSlot }()
	began := time.Now()
	fonts, err := pdfFonts()
	if err != nil {
		return fmt.Errorf("packet fonts: %w", err)
	}
	t := h.newPacket(c, l, fonts)
	h.writePacketLetter(c, t, l)
	if err := h.writePacketList(c, c.UserContext(), t, l); err != nil {
		return err
	}
	if errors.Is(t.err, errUnfaithful) {
		h.log.Info("no PDF of the packet", "letter", l.ID, "why", t.err)
		return h.renderNoPacket(c, l, h.msg(c, "packet.unfaithful"))
	}
	var buf bytes.Buffer
	if err := t.pdf.Output(&buf); err != nil {
		return fmt.Errorf("PDF of letter %d: %w", l.ID, err)
	}
	h.log.Info("delivery packet made", "letter", l.ID, "entries", l.NamedCount(), "bytes", buf.Len(), "took", time.Since(began).Round(time.Millisecond).String())
	keepNamesUnindexed(c, l)
	c.Attachment(l.Slug + ".pdf")
	return c.Send(buf.Bytes())
}

// renderNoPacket answers a request for a PDF the server will not make with
// a page saying why, and linking the print page. It is 200: the page is
// the answer to the visitor's request, the way to their PDF.
func (h *Handler) renderNoPacket(c *fiber.Ctx, l *models.Letter, why string) error {
	v := NoPacketView{Letter: h.letterView(l), Why: why, Print: "/letters/" + l.Slug + "/print"}
	p := h.page(c, h.msg(c, "packet.title", "title", l.Title), v)
	p.CSRFToken = nil
	p.Robots = "noindex"
	return h.render(c, fiber.StatusOK, "packet", p)
}

// newPacket starts an A4 PDF with the packet's fonts, its running header
// (the title and the date of the list) and its numbered pages.
func (h *Handler) newPacket(c *fiber.Ctx, l *models.Letter, fonts map[string]*pdfFont) *pdfText {
	pdf := fpdf.New("P", "mm", "A4", "")
	for style, f := range fonts {
		pdf.AddUTF8FontFromBytes("DejaVu", style, f.data)
	}
	pdf.SetMargins(packetMargin, 22, packetMargin)
	pdf.SetAutoPageBreak(true, 20)
	pdf.SetCellMargin(0)
	pdf.SetTitle(l.Title, true)
	pdf.AliasNbPages(pageTotal)
	t := &pdfText{pdf: pdf, fonts: fonts}
	head := h.msg(c, "packet.running_head", "title", l.Title, "date", h.date(c, l.AsOf()))
	// fpdf restores its font, colour and position after these; the style
	// the shaper reads and a list item's indent are restored here.
	pdf.SetHeaderFunc(func() {
		style := t.style
		left, _, _, _ := pdf.GetMargins()
		pdf.SetLeftMargin(packetMargin)
		pdf.SetXY(packetMargin, 10)
		pdf.SetTextColor(80, 80, 80)
		t.font("", 8)
		t.write(4, head)
		pdf.SetLeftMargin(left)
		pdf.SetY(22)
		t.style = style
	})
	pdf.SetFooterFunc(func() {
		pdf.SetY(-14)
		pdf.SetTextColor(80, 80, 80)
		pdf.SetFont("DejaVu", "", 8)
		pdf.CellFormat(0, 4, h.msg(c, "packet.page", "page", pdf.PageNo(), "pages", pageTotal), "", 0, "C", false, 0, "")
	})
	return t
}

// writePacketLetter writes the letter as its page reads: its Markdown as
// plain paragraphs and list items, since the PDF shows no HTML.
func (h *Handler) writePacketLetter(c *fiber.Ctx, t *pdfText, l *models.Letter) {
	t.pdf.AddPage()
	if in := l.InitiatorList(); len(in) > 0 {
		t.font("", 10)
		t.paragraph(5, h.msg(c, "letter.initiators")+" "+views.List(h.lang(c), in))
	}
	t.font("B", 16)
	t.paragraph(7.5, l.Title)
	t.font("", 10)
	t.paragraph(5, h.date(c, l.Date(time.Now())))
	if to := l.AddresseeList(); len(to) > 0 {
		t.font("B", 11)
		t.line(5.5, h.msg(c, "letter.to"))
		t.font("", 11)
		for _, a := range to {
			t.line(5.5, a)
		}
		t.pdf.Ln(3)
	}
	if l.Subject != "" {
		t.font("B", 11)
		t.write(5.5, h.msg(c, "letter.re")+" ")
		t.font("", 11)
		t.paragraph(5.5, l.Subject)
	}
	t.font("", 11)
	if l.Salutation != "" {
		t.paragraph(5.5, l.Salutation)
	}
	t.markdown(5.5, l.Body)
	for _, g := range l.DemandGroups {
		t.paragraph(5.5, g.LeadIn)
		for _, d := range g.DemandList() {
			t.item(5.5, models.PlainBlock{Text: d, Marker: "•", Depth: 1})
		}
		t.pdf.Ln(2)
	}
	t.markdown(5.5, l.Closing)
}

// writePacketList writes the list on a page of its own, reading it
// a chunk of entries at a time with the entries the print page shows.
func (h *Handler) writePacketList(c *fiber.Ctx, ctx context.Context, t *pdfText, l *models.Letter) error {
	t.pdf.AddPage()
	t.font("B", 14)
	t.paragraph(7, h.msg(c, "list.as_of")+" "+h.date(c, l.AsOf()))
	t.font("", 10)
	t.paragraph(5, h.msg(c, "list.count", "count", l.SignatureCount()))
	earlier, err := h.earlierNote(c, ctx, l)
	if err != nil {
		return err
	}
	if earlier != nil {
		t.paragraph(5, earlier.Text)
	}
	var failed error
	for section := range h.streamSections(ctx, l, &failed) {
		t.font("B", 11)
		if section.Kind == models.KindOrganisation {
			t.paragraph(6, h.msg(c, "list.organisations", "count", section.Count))
		} else {
			t.paragraph(6, h.msg(c, "list.individuals", "count", section.Count))
		}
		t.font("", 10)
		for e := range section.Entries {
			if t.err != nil {
				break
			}
			t.line(5, e)
		}
		t.pdf.Ln(3)
	}
	if failed != nil {
		return failed
	}
	if l.UnlistedCount > 0 {
		t.paragraph(5, h.msg(c, "list.unlisted", "count", l.UnlistedCount))
	}
	return nil
}
