// Package packet typesets a letter's delivery packet as a PDF: the letter,
// then on a new page its list as of its date, as the print page shows it.
// It is given plain data: the letter's texts, and its list as sections
// whose entries are read while they are written, so that a long list is
// never held whole in memory (the PDF is).
package packet

import (
	"fmt"
	"iter"
	"strings"
	"sync"
	"time"

	"undersigned/public"
	"undersigned/views"
	"undersigned/views/pdf"
)

const (
	mm     = 72 / 25.4 // points
	margin = 20 * mm
)

// Letter is what the packet shows of a letter, in its language.
type Letter struct {
	Lang       string // the letter's language: the packet's labels, dates and direction
	Title      string
	Initiators []string
	Date       time.Time // the letter's, under its title
	AsOf       time.Time // the list's
	Addressees []string  // the "To:" lines
	Subject    string
	Salutation string
	Body       string // Markdown
	Demands    []DemandGroup
	Closing    string // Markdown

	Signatures int64  // counted: named on the list or not
	Unlisted   int64  // counted only
	Earlier    string // the note on the entries marked as agreeing to an earlier text; "" when none is
	PrintURL   string // the print page's absolute address, which shows every script
	// Most is the most entries the packet names; 0 names them all. A
	// longer list's packet says so on its first page and where the list
	// stops, and points to the print page, which has them all.
	Most int64

	// Sections calls each with the sections of the list that have
	// entries, in order, and returns what failed in reading them. It is
	// called once for each time the packet is written.
	Sections func(each func(Section)) error
	// Hidden, when set, says when the list will be published: it is kept
	// out until its launch, and the packet says so instead of listing it.
	Hidden string
}

// DemandGroup is a group of demands and the sentence that leads into them.
type DemandGroup struct {
	LeadIn string
	Items  []string
}

// Section is a section of the list: its kind and count, for its heading,
// and its entries, read as they are written.
type Section struct {
	Organisations bool // rather than individuals
	Count         int64
	Entries       iter.Seq[string]
}

// Isolate marks s, typed by someone, as text of its own direction inside
// the text around it (U+2068 FIRST STRONG ISOLATE … U+2069 POP
// DIRECTIONAL ISOLATE), as <bdi> does on a page: an Arabic name then
// reads whole beside a Latin affiliation, each in its own direction.
func Isolate(s string) string {
	if s == "" {
		return ""
	}
	return "\u2068" + s + "\u2069"
}

// fonts are the packet's regular and bold fonts, read once.
var fonts = sync.OnceValues(func() ([2]*pdf.Font, error) {
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

// Write is the PDF of l's delivery packet. Text in a script the fonts lack
// is drawn as empty boxes: the packet is then written again, its first
// page saying which scripts it cannot show and where to find a PDF that
// does.
func Write(l *Letter) ([]byte, error) {
	out, missing, err := write(l, nil)
	if err == nil && len(missing) > 0 {
		out, _, err = write(l, missing)
	}
	return out, err
}

// writer writes one packet: its document, fonts and language.
type writer struct {
	*pdf.Document
	regular, bold *pdf.Font
	lang          string
}

// T is the catalogue's message for key in the packet's language.
func (w *writer) T(key string, args ...any) string {
	return views.Message(w.lang, key, args...)
}

// date formats t in long form in the packet's language.
func (w *writer) date(t time.Time) string { return views.FormatDate(w.lang, t) }

// text writes a paragraph in the regular font.
func (w *writer) text(st pdf.Style, s string) {
	w.Paragraph(st, pdf.Span{Text: s, Font: w.regular})
}

// strong writes a paragraph in the bold font.
func (w *writer) strong(st pdf.Style, s string) {
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

// leftOut is how many named entries the packet leaves out of a list it
// shows.
func (l *Letter) leftOut() int64 {
	if named := l.Signatures - l.Unlisted; l.Hidden == "" && l.Most > 0 && named > l.Most {
		return named - l.Most
	}
	return 0
}

// write writes the packet, with a notice of the scripts it cannot show if
// missing names them, and returns it with the scripts it lacked.
func write(l *Letter, missing []string) ([]byte, []string, error) {
	fonts, err := fonts()
	if err != nil {
		return nil, nil, fmt.Errorf("packet fonts: %w", err)
	}
	w := &writer{regular: fonts[0], bold: fonts[1], lang: l.Lang}
	head := w.T("packet.running_head", "title", Isolate(l.Title), "date", w.date(l.AsOf))
	w.Document = pdf.New(pdf.Config{Lang: l.Lang, RTL: views.Dir(l.Lang) == "rtl", Title: l.Title, Margin: margin, Top: 24 * mm, Bottom: 22 * mm},
		func(d *pdf.Document) {
			d.At(12 * mm)
			d.Paragraph(headStyle, pdf.Span{Text: head, Font: w.regular})
		}, w.regular, w.bold)
	if len(missing) > 0 {
		w.strong(smallStyle, w.T("packet.uncovered", "scripts", strings.Join(missing, ", "), "url", l.PrintURL))
	}
	if left := l.leftOut(); left > 0 {
		w.strong(smallStyle, w.T("packet.abridged", "count", l.Signatures-l.Unlisted, "shown", views.FormatNumber(l.Lang, int(l.Most)), "url", l.PrintURL))
	}
	w.writeLetter(l)
	if err := w.writeList(l); err != nil {
		return nil, nil, err
	}
	out, err := w.Finish(func(d *pdf.Document, page, total int) {
		d.At(pdf.PageHeight - 12*mm)
		d.Paragraph(footStyle, pdf.Span{Text: w.T("packet.page", "page", page, "pages", total), Font: w.regular})
	})
	if err != nil {
		return nil, nil, err
	}
	return out, w.Uncovered(), nil
}

// writeLetter writes the letter as its page reads: its Markdown as plain
// paragraphs and list items, since the PDF shows no HTML.
func (w *writer) writeLetter(l *Letter) {
	if len(l.Initiators) > 0 {
		in := make([]string, len(l.Initiators))
		for i, name := range l.Initiators {
			in[i] = Isolate(name)
		}
		w.text(smallStyle, w.T("letter.initiators", "names", views.List(w.lang, in)))
	}
	w.strong(titleStyle, l.Title)
	w.text(smallStyle, w.date(l.Date))
	if len(l.Addressees) > 0 {
		w.strong(lineStyle, w.T("letter.to"))
		for _, a := range l.Addressees {
			w.text(lineStyle, a)
		}
		w.Space(8)
	}
	if l.Subject != "" {
		w.Paragraph(bodyStyle, pdf.Span{Text: w.T("letter.re") + " ", Font: w.bold}, pdf.Span{Text: Isolate(l.Subject), Font: w.regular})
	}
	if l.Salutation != "" {
		w.text(bodyStyle, l.Salutation)
	}
	w.markdown(l.Body)
	for _, g := range l.Demands {
		w.text(bodyStyle, g.LeadIn)
		for _, d := range g.Items {
			w.item(views.PlainBlock{Text: d, Marker: "•", Depth: 1})
		}
		w.Space(6)
	}
	w.markdown(l.Closing)
}

// markdown writes a letter's Markdown as plain paragraphs and list items:
// a PDF shows no HTML.
func (w *writer) markdown(src string) {
	for _, b := range views.PlainBlocks(src) {
		if b.Depth == 0 {
			w.text(bodyStyle, b.Text)
		} else {
			w.item(b)
		}
	}
}

// item writes a list item, its marker in the margin of its text.
func (w *writer) item(b views.PlainBlock) {
	st := bodyStyle
	st.After, st.Indent, st.Marker = 3, 20*float64(b.Depth), b.Marker
	w.text(st, b.Text)
}

// writeList writes the list on a page of its own, its entries read as
// they are written.
func (w *writer) writeList(l *Letter) error {
	w.NewPage()
	w.strong(subStyle, w.T("list.as_of", "date", w.date(l.AsOf)))
	w.text(smallStyle, w.T("list.count", "count", l.Signatures))
	if l.Hidden != "" {
		w.text(smallStyle, l.Hidden)
		return nil
	}
	if l.Earlier != "" {
		w.text(smallStyle, l.Earlier)
	}
	named := int64(0)
	err := l.Sections(func(section Section) {
		if l.Most > 0 && named >= l.Most {
			return
		}
		if section.Organisations {
			w.strong(groupStyle, w.T("list.organisations", "count", section.Count))
		} else {
			w.strong(groupStyle, w.T("list.individuals", "count", section.Count))
		}
		for e := range section.Entries {
			w.text(entryStyle, e)
			if named++; named == l.Most {
				break
			}
		}
		w.Space(8)
	})
	if err != nil {
		return err
	}
	if left := l.leftOut(); left > 0 {
		w.strong(smallStyle, w.T("packet.more", "count", left, "url", l.PrintURL))
	}
	if l.Unlisted > 0 {
		key := "list.unlisted"
		if l.Signatures == l.Unlisted {
			key = "list.unlisted_only" // no "more" when nobody is named
		}
		w.text(smallStyle, w.T(key, "count", l.Unlisted))
	}
	return nil
}
