package handlers

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"undersigned/handlers/pagecache"
	"undersigned/models"
	"undersigned/views"
	"undersigned/views/packet"
)

// packetMaxEntries caps the named entries of a PDF the server makes: the
// list is read a chunk at a time, but the PDF is held in memory, by the
// page cache too. A longer list's PDF names its first packetMaxEntries
// entries and says, on its first page and where it stops, that the print
// page (which the browser lays out, and saves as PDF) has them all.
const packetMaxEntries = 20000

// packetPDF sends the delivery packet as a PDF made on the server: the
// letter, then on a new page its list as of its date, as the print page
// shows it. A list too long to hold in memory names its first
// packetMaxEntries entries and points to the print page for the rest.
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
	// The packet is in the version's language (see makePacket), whatever the
	// interface's: kept once per version, not once per interface language,
	// which a visitor could otherwise make it again for, up to six times.
	return h.serveFromCache(c, "packet:"+strconv.FormatInt(l.ID, 10)+":"+l.Lang, pagecache.AtMostEverySecond, func(c *fiber.Ctx) error { return h.makePacket(c, l) })
}

// makePacket answers for packetPDF, making the PDF of l. Its labels and
// dates are in the letter's language, as far as the catalogue has it.
func (h *Handler) makePacket(c *fiber.Ctx, l *models.Letter) error {
	h.packetSlot <- struct{}{}
	defer func() { <-h.packetSlot }()
	began := time.Now()
	out, err := h.packet(c.UserContext(), l, h.hiddenUntil(c, l))
	if err != nil {
		return err
	}
	h.log.Info("delivery packet made", "letter", l.ID, "entries", l.NamedCount(), "bytes", len(out), "took", time.Since(began).Round(time.Millisecond).String())
	keepNamesUnindexed(c, l)
	c.Attachment(l.Slug + ".pdf")
	c.Set(fiber.HeaderContentType, "application/pdf")
	return c.Send(out)
}

// packet is the PDF of l's delivery packet, in l's language, dated as the
// letter was sent if it says so: its list is read from the store a chunk of
// entries at a time while it is written, unless it is hidden until a
// launch, when the packet says when instead.
func (h *Handler) packet(ctx context.Context, l *models.Letter, hidden *time.Time) ([]byte, error) {
	p := h.packetLetter(l)
	if hidden != nil {
		p.Hidden = views.Message(l.Lang, "campaign.list_hidden", "date", views.FormatDateTime(l.Lang, *hidden))
		return h.writePacket(l, p)
	}
	earlier, err := h.earlierNoteIn(ctx, l.Lang, l)
	if err != nil {
		return nil, err
	}
	if earlier != nil {
		p.Earlier = earlier.Text
	}
	p.Sections = func(each func(packet.Section)) error {
		var failed error
		for s := range h.streamSections(ctx, l, h.packetEntry(l.Lang), &failed) {
			each(packet.Section{Organisations: s.Kind == models.KindOrganisation, Count: s.Count, Entries: s.Entries})
		}
		return failed
	}
	return h.writePacket(l, p)
}

// packetLetter is the packet of l, in l's language, dated as the letter
// was sent if it says so, with its live list's counts and date and no
// entries yet.
func (h *Handler) packetLetter(l *models.Letter) *packet.Letter {
	p := &packet.Letter{
		Lang: l.Lang, Title: l.Title, Initiators: l.InitiatorNames(), Date: l.Date(time.Now()), AsOf: l.AsOf(),
		Addressees: l.AddresseeList(), Subject: l.Subject, Salutation: l.Salutation,
		Body: l.Body, Closing: l.Closing,
		Signatures: l.SignatureCount(), Unlisted: l.UnlistedCount,
		PrintURL: h.absolute(letterPath(l) + "/print"), Most: packetMaxEntries,
	}
	for _, g := range l.DemandGroups {
		p.Demands = append(p.Demands, packet.DemandGroup{LeadIn: g.LeadIn, Items: g.DemandList()})
	}
	if l.SentOn != nil {
		p.Date = *l.SentOn
	}
	return p
}

// writePacket writes the PDF of p, the packet of l.
func (h *Handler) writePacket(l *models.Letter, p *packet.Letter) ([]byte, error) {
	out, err := packet.Write(p)
	if err != nil {
		return nil, fmt.Errorf("PDF of letter %d: %w", l.ID, err)
	}
	return out, nil
}

// packetEntry writes a list entry as the packet does, in lang, each part
// its signer typed isolated: in an English list an Arabic name and its
// Latin affiliation each read in their own direction, in the order typed.
func (h *Handler) packetEntry(lang string) func(*models.Signature) string {
	return func(s *models.Signature) string {
		iso := *s
		iso.Name, iso.Role, iso.Affiliation = packet.Isolate(s.Name), packet.Isolate(s.Role), packet.Isolate(s.Affiliation)
		return h.listEntry(lang, &iso)
	}
}
