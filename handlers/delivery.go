package handlers

import (
	"context"
	"errors"
	"fmt"
	"html"
	"html/template"
	"io"
	"iter"
	"strings"
	"unicode"

	"github.com/gofiber/fiber/v2"

	"undersigned/models"
	"undersigned/views"
)

// PrintView is the view of a letter's delivery packet: the letter, then its
// whole dated list, streamed section by section as the page is written.
type PrintView struct {
	Letter   LetterView
	Sections iter.Seq[StreamedSection]
}

// StreamedSection is one section of a streamed list; its entries are read
// from the database while the page is written.
type StreamedSection struct {
	Kind    models.SignatureKind
	Count   int64
	Entries iter.Seq[string]
}

// Items are the section's entries as the list's items (see listItems).
func (s StreamedSection) Items() iter.Seq[template.HTML] { return listItems(s.Entries) }

// printLetter streams the delivery packet (see stream). The page is written
// after the handler returns, so the view holds nothing of the request.
func (h *Handler) printLetter(c *fiber.Ctx) error {
	l, err := h.publicVersion(c)
	if err != nil {
		return err
	}
	var p *views.Page
	var failed error
	lang := h.mainLang(c, l) // read now: the request is gone while the list is written
	return h.stream(c, func() error {
		v := &PrintView{Letter: h.letterView(c, l)}
		v.Letter.HiddenUntil = h.hiddenUntil(c, l)
		if v.Letter.Earlier, err = h.earlierNote(c, c.UserContext(), l); err != nil {
			return err
		}
		p = h.versionPage(c, l, v, "print.title", "title", l.Title)
		p.CSRFToken = nil // the page has no form, and the request is gone while it is written
		p.Canonical, p.Summary, p.Article = h.absolute(c.Path()), l.Summary, true
		p.Stylesheet = c.Path() + ".css"
		h.protectNames(c, p, l)
		c.Status(fiber.StatusOK).Type("html", "utf-8")
		return nil
	}, func(ctx context.Context, w io.Writer) error {
		if v := p.Data.(*PrintView); v.Letter.HiddenUntil == nil {
			v.Sections = h.streamSections(ctx, l, func(s *models.Signature) string { return h.publicEntry(l, lang, s) }, &failed)
		}
		if err := h.views.Stream(w, "print", p); err != nil {
			return err
		}
		return failed
	})
}

// streamSections yields the sections of a letter's list that have entries,
// each reading its entries as EachInSection does, each written by entry.
// A failed read ends the list and is kept in *failed.
func (h *Handler) streamSections(ctx context.Context, l *models.Letter, entry func(*models.Signature) string, failed *error) iter.Seq[StreamedSection] {
	return func(yield func(StreamedSection) bool) {
		for _, part := range []struct {
			kind  models.SignatureKind
			count int64
		}{{models.KindOrganisation, l.OrganisationCount}, {models.KindIndividual, l.IndividualCount}} {
			if part.count == 0 {
				continue
			}
			if !yield(StreamedSection{Kind: part.kind, Count: part.count, Entries: h.streamEntries(ctx, l, part.kind, entry, failed)}) {
				return
			}
		}
	}
}

// errEnough stops reading a list whose reader has read enough.
var errEnough = errors.New("enough entries read")

func (h *Handler) streamEntries(ctx context.Context, l *models.Letter, kind models.SignatureKind, entry func(*models.Signature) string, failed *error) iter.Seq[string] {
	return func(yield func(string) bool) {
		if *failed != nil {
			return
		}
		err := h.store.EachInSection(ctx, l, kind, func(s *models.Signature) error {
			if !yield(entry(s)) {
				return errEnough
			}
			return nil
		})
		if err != nil && !errors.Is(err, errEnough) {
			*failed = fmt.Errorf("%s entries: %w", kind, err)
		}
	}
}

// printStylesheet is the delivery packet's own print stylesheet: its
// running header names the letter and the date of its list (mirrored for a
// letter written right to left), and its footer numbers the pages, in the
// page margins of browsers that print them. It is
// a stylesheet of the site rather than an inline style, which the
// Content-Security-Policy forbids.
func (h *Handler) printStylesheet(c *fiber.Ctx) error {
	l, err := h.publicVersion(c)
	if err != nil {
		return err
	}
	c.Locals(localLang, h.mainLang(c, l)) // the page margins are the letter's: in its version's language
	const box = "font: 8pt/1.3 system-ui, \"DejaVu Sans\", sans-serif; color: #333;"
	// Page-margin boxes have no logical names: the title heads the side a
	// line of the letter starts from, the date the other.
	start, end := "left", "right"
	if views.Dir(l.Lang) == "rtl" {
		start, end = end, start
	}
	css := "@page {\n" +
		"  @top-" + start + " { content: " + cssString(l.Title) + "; " + box + " vertical-align: bottom; }\n" +
		"  @top-" + end + " { content: " + cssString(h.msg(c, "list.as_of", "date", h.date(c, l.AsOf()))) + "; " + box + " vertical-align: bottom; }\n" +
		"  @bottom-center { content: " + cssCounters(h.msg(c, "packet.page")) + "; " + box + " }\n" +
		"}\n"
	c.Set(fiber.HeaderCacheControl, "no-cache")
	c.Type("css", "utf-8")
	return c.SendString(css)
}

// cssCounters is the CSS content of a message that numbers the pages,
// "Page {page} of {pages}": its text as CSS strings, each parameter as the
// counter of that name, in the order the language puts them.
func cssCounters(message string) string {
	var parts []string
	for message != "" {
		open := strings.IndexByte(message, '{')
		end := strings.IndexByte(message[max(open, 0):], '}')
		name := ""
		if open >= 0 && end >= 0 {
			name = message[open+1 : open+end]
		}
		if name != "page" && name != "pages" {
			parts = append(parts, cssString(message))
			break
		}
		if open > 0 {
			parts = append(parts, cssString(message[:open]))
		}
		parts = append(parts, "counter("+name+")")
		message = message[open+end+1:]
	}
	return strings.Join(parts, " ")
}

// cssString quotes s as a CSS string: letters, digits and spaces as they
// are, everything else as a hex escape, so that no text can end the string
// or the rule.
func cssString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == ' ' {
			b.WriteRune(r)
		} else {
			fmt.Fprintf(&b, "\\%x ", r) // the space ends the escape, and is not part of the text
		}
	}
	b.WriteByte('"')
	return b.String()
}

// EmbedView is the view of a letter's counter, framed by other sites.
type EmbedView struct {
	Letter LetterView
	Open   bool // the letter takes signatures: its link says "Sign"
}

// embed is a letter's counter for other sites to frame: the only page that
// may be framed.
func (h *Handler) embed(c *fiber.Ctx) error {
	l, err := h.publicVersion(c)
	if err != nil {
		return err
	}
	allowFraming(c)
	// The frame is all the letter's: wholly in its version's language.
	p := h.versionPage(c, l, EmbedView{Letter: h.letterView(c, l), Open: h.stateOf(c, l) == models.StateOpen}, "").Main()
	p.CSRFToken = nil
	p.Robots = "noindex" // the letter's own page is the one to find
	return h.render(c, fiber.StatusOK, "embed", p)
}

// ShareView is the letter page's share panel: the link, a plain text to
// paste anywhere, and the code that frames the counter on another site.
type ShareView struct {
	URL, Text, Embed, Print, PDF string
}

func (h *Handler) shareView(c *fiber.Ctx, l *models.Letter, v LetterView) *ShareView {
	lines := []string{l.Title}
	if l.Summary != "" {
		lines = append(lines, l.Summary)
	}
	if l.AcceptsSignatures(h.cfg.Now()) == nil {
		lines = append(lines, h.msg(c, "share.read_sign", "url", v.URL))
	} else {
		lines = append(lines, h.msg(c, "share.read", "url", v.URL))
	}
	frame := fmt.Sprintf(`<iframe src="%s/embed" title="%s" width="320" height="240" loading="lazy"></iframe>`,
		v.URL, html.EscapeString(h.msg(c, "embed.frame", "title", l.Title)))
	return &ShareView{URL: v.URL, Text: strings.Join(lines, "\n\n"), Embed: frame, Print: v.Path + "/print", PDF: v.Path + "/packet.pdf"}
}
