package handlers

import (
	"bytes"
	"html/template"
	"iter"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"undersigned/handlers/pagecache"
	"undersigned/models"
	"undersigned/views"
	"undersigned/views/charts"
)

const (
	lettersPerPage     = 20
	signatoriesPerPage = 100
)

// LetterView is a letter as the public page shows it.
type LetterView struct {
	Title       string
	Slug        string
	Lang        string
	State       models.LetterState
	Date        time.Time
	AsOf        time.Time
	ClosesOn    *time.Time
	Deadline    *Deadline // while it is open, when it closes
	Summary     string
	Initiators  []string
	Addressees  []string
	Subject     string
	Salutation  string
	Body        string // Markdown, rendered by the template that shows it (views.RenderMarkdown)
	Groups      []GroupView
	Closing     string // Markdown
	Count       int64  // signatures counted
	Unlisted    int64  // of them, counted but not named, by their signers' choice
	URL         string
	Indexable   bool       // search engines may index pages that name its signers
	Revision    int        // the number of the text's revision shown
	RevisedAt   *time.Time // when it was made; nil for revision 1
	CorrectedAt *time.Time // when its text was last corrected, if it was
	// Earlier is the legend of the mark beside entries of the list shown
	// whose signers agreed to an earlier text; nil when none is marked.
	Earlier *EarlierNote

	LatestUpdate *UpdateView // on the index: the letter's newest update, if any

	// Path is the address of the version shown (see letterPath), which its
	// links build on; Original and OriginalPath name the original of a
	// translation; Versions is the language switcher, empty for a letter
	// in one language; Added dates the translations added after publication.
	Path                   string
	Original, OriginalPath string
	Behind                 *time.Time // when the original was revised after this translation
	Versions               []VersionLink
	Added                  []AddedTranslation

	// SentOn is the date the letter was sent, when it differs from Date;
	// HiddenUntil is when its list appears, while it is embargoed: the
	// pages that list signatories say so instead (see hiddenUntil).
	SentOn, HiddenUntil *time.Time

	// Goals are the letter's goals, each with its count, shown as progress
	// at the top of its page and in its frame.
	Goals []GoalView

	// Offline is how many of Count were gathered offline, on the pages
	// that say so beside the count; nil for none, and on the index.
	Offline *OfflineView
}

// OfflineView is how many of a letter's signatures were gathered offline
// and where: Source is models.OfflinePaper or an event's name when they
// all come from one source, "" when from several.
type OfflineView struct {
	Count  int64
	Source string
}

// offlineView reads how many of l's signatures were gathered offline: a
// few counts kept as signatures come and go (Store.OfflineCounts).
func (h *Handler) offlineView(c *fiber.Ctx, l *models.Letter) (*OfflineView, error) {
	counts, err := h.store.OfflineCounts(c.UserContext(), l)
	if err != nil || len(counts) == 0 {
		return nil, err
	}
	v := &OfflineView{Source: counts[0].Source}
	for _, sc := range counts {
		v.Count += sc.Count
	}
	if len(counts) > 1 {
		v.Source = ""
	}
	return v, nil
}

// GoalView is one of a letter's goals and how far it has come: Kind
// names it (models.MilestoneSignatures…), Count is the count it aims at.
type GoalView struct {
	Kind        string
	Count, Goal int64
}

// goalViews are l's goals with their counts; none when it has none.
func goalViews(l *models.Letter) []GoalView {
	var out []GoalView
	if l.SignatureGoal > 0 {
		out = append(out, GoalView{Kind: models.MilestoneSignatures, Count: l.SignatureCount(), Goal: l.SignatureGoal})
	}
	if l.OrganisationGoal > 0 {
		out = append(out, GoalView{Kind: models.MilestoneOrganisations, Count: l.OrganisationCount, Goal: l.OrganisationGoal})
	}
	return out
}

// GroupView is one demand group.
type GroupView struct {
	LeadIn  string
	Demands []string
}

// SectionView is one section of a signatory list: organisations or individuals.
type SectionView struct {
	Kind    models.SignatureKind
	Count   int64
	Entries []string
}

// Items are the section's entries as the list's items (see listItems).
func (s SectionView) Items() iter.Seq[template.HTML] { return listItems(slices.Values(s.Entries)) }

// listItems renders entries as a list's items, each part of an entry
// escaped and isolated here (see views.WriteEntry), up to a hundred at a
// time: a page of a hundred entries would otherwise cost a hundred calls of
// the template's escaper, the larger part of rendering it.
func listItems(entries iter.Seq[string]) iter.Seq[template.HTML] {
	return func(yield func(template.HTML) bool) {
		var b strings.Builder
		n := 0
		for e := range entries {
			b.WriteString("\n    <li>")
			views.WriteEntry(&b, e)
			b.WriteString("</li>")
			if n++; n == 100 {
				if !yield(template.HTML(b.String())) { // every entry escaped above
					return
				}
				b.Reset()
				n = 0
			}
		}
		if n > 0 {
			yield(template.HTML(b.String()))
		}
	}
}

func (h *Handler) letterView(c *fiber.Ctx, l *models.Letter) LetterView {
	v := LetterView{
		Title: l.Title, Slug: l.Slug, Lang: l.Lang, State: h.stateOf(c, l), Date: l.Date(time.Now()), AsOf: l.AsOf(), ClosesOn: l.ClosesOn,
		Deadline: h.deadline(c, l),
		Summary:  l.Summary, Initiators: l.InitiatorNames(), Addressees: l.AddresseeList(), Subject: l.Subject, Salutation: l.Salutation,
		Body: l.Body, Closing: l.Closing, Count: l.SignatureCount(),
		Unlisted: l.UnlistedCount, URL: h.absolute(letterPath(l)), Indexable: l.AllowIndexing,
		Revision: l.Revision, RevisedAt: l.RevisedAt, CorrectedAt: l.CorrectedAt, SentOn: l.SentOn,
		Goals: goalViews(l),
	}
	setVersions(&v, l)
	for _, g := range l.DemandGroups {
		v.Groups = append(v.Groups, GroupView{LeadIn: g.LeadIn, Demands: g.DemandList()})
	}
	return v
}

// entry is a signature as the list shows it, honouring the signer's choice.
func (h *Handler) entry(lang string, s *models.Signature) string {
	if s.Display == models.DisplayCounted {
		return views.Message(lang, "display.counted")
	}
	return s.Entry(lang, views.Message(lang, "list.anonymous"))
}

// entryIn is entry in a language, for the store methods that write an
// entry into the audit log the coordinators read.
func (h *Handler) entryIn(lang string) func(*models.Signature) string {
	return func(s *models.Signature) string { return h.entry(lang, s) }
}

// listEntry is entry as a public list's item reads: marked when its signer
// agreed to an earlier revision of the text (see earlierMark).
func (h *Handler) listEntry(lang string, s *models.Signature) string {
	if s.Superseded {
		return h.earlierMark(lang, h.entry(lang, s))
	}
	return h.entry(lang, s)
}

// publicEntry is listEntry on l's public page and print: the entry of a
// verified organisation is marked so when l marks them.
func (h *Handler) publicEntry(l *models.Letter, lang string, s *models.Signature) string {
	entry := h.listEntry(lang, s)
	if l.MarkVerified && s.Verified != models.NotVerified {
		return views.VerifiedEntry(entry, views.Message(lang, "verify.mark"))
	}
	return entry
}

// sections groups a page of signatures, in list order, into its sections.
func (h *Handler) sections(c *fiber.Ctx, l *models.Letter, sigs []models.Signature) []SectionView {
	var out []SectionView
	for _, s := range sigs {
		if len(out) == 0 || out[len(out)-1].Kind != s.Kind {
			count := l.IndividualCount
			if s.Kind == models.KindOrganisation {
				count = l.OrganisationCount
			}
			out = append(out, SectionView{Kind: s.Kind, Count: count})
		}
		out[len(out)-1].Entries = append(out[len(out)-1].Entries, h.publicEntry(l, h.mainLang(c, l), &s))
	}
	return out
}

// IndexView is the view of the list of letters.
type IndexView struct {
	Letters    []LetterView
	Pagination Pagination
}

// publicLetters reads the ?page=N page of published, listed letters, newest
// first, for the index and its API: past the last page is 404.
func (h *Handler) publicLetters(c *fiber.Ctx, path string) ([]models.Letter, Pagination, error) {
	page := pageNumber(c)
	letters, total, err := h.store.PublicLetters(c.UserContext(), (page-1)*lettersPerPage, lettersPerPage)
	if err == nil && len(letters) == 0 && page > 1 {
		err = fiber.ErrNotFound
	}
	return letters, paginate(path, page, total, lettersPerPage), err
}

// index is the list of letters. Its first page, the site's front page,
// comes from the page cache: a letter gone viral brings its crowd there
// too. It names no visitor, so each reads the same bytes.
func (h *Handler) index(c *fiber.Ctx) error {
	return h.cached(c, pageNumber(c) == 1, func(c *fiber.Ctx) error {
		letters, pagination, err := h.publicLetters(c, "/")
		if err != nil {
			return err
		}
		v := IndexView{Pagination: pagination}
		for i := range letters {
			v.Letters = append(v.Letters, h.letterView(c, &letters[i]))
		}
		if err := h.setLatestUpdates(c.UserContext(), letters, v.Letters); err != nil {
			return err
		}
		p := h.page(c, h.msg(c, "index.title"), v)
		p.Canonical = h.absolute("/")
		return h.render(c, fiber.StatusOK, "index", p)
	})
}

// LetterPageView is the view of a letter's page: the letter, the first
// entries of each section of its list (the page links the full list), and
// the signing form while it is open.
type LetterPageView struct {
	Letter   LetterView
	Sections []SectionView
	Sign     *SignView
	Preview  bool
	Charts   []charts.Chart // the public page's figures, once anyone has signed
	Map      *charts.Map    // the entries by country on a map, beside their chart
	Share    *ShareView     // the public page's share panel

	Updates    []UpdateView    // newest first, shown above the list
	DatedLists []DatedListView // the list as published on dates, newest first
	Deliveries []PublicDeliveryView
}

func (h *Handler) letter(c *fiber.Ctx) error {
	return h.cached(c, true, func(c *fiber.Ctx) error { // the page reads no query
		l, err := h.publicVersion(c)
		if err != nil {
			return err
		}
		var sign *SignView
		if l.AcceptsSignatures(h.cfg.Now()) == nil {
			sign = h.signView(c, l, &SignForm{})
		}
		return h.renderLetterPage(c, fiber.StatusOK, l, sign, false)
	})
}

// renderLetter renders a letter's page with the signing form holding form,
// refused: with errs, its invalid fields, or problem, what was wrong with it
// as a whole. The page around the form comes from the page cache: a crowd
// of signers whose forms come back, with a typo or over a limit, costs the
// form only. That page is at most a second old, and not rendered again on
// every signature meanwhile: the signer's attention is on the form, and
// their own signature is not on the list yet anyway. It is the page of a
// refused form, whatever the form's errors: its title says "Error:".
func (h *Handler) renderLetter(c *fiber.Ctx, status int, l *models.Letter, form *SignForm, errs views.FormErrors, problem string) error {
	if l.AcceptsSignatures(h.cfg.Now()) != nil {
		return h.renderLetterPage(c, status, l, nil, false)
	}
	around, err := h.cachedPage(c, inLangKey("form-around:"+letterPath(l), h.lang(c)), pagecache.AtMostEverySecond, func(c *fiber.Ctx) error {
		return h.renderLetterPage(c, fiber.StatusOK, l, &SignView{HTML: template.HTML(h.pages.Placeholder(slotForm))}, true)
	})
	if err != nil {
		return err
	}
	p := h.versionPage(c, l, &LetterPageView{Sign: h.signView(c, l, form)}, "")
	p.Errors, p.Problem = errs, problem
	var signForm bytes.Buffer
	if err := h.views.Partial(&signForm, "letter", "sign-form", p.Main()); err != nil {
		return err
	}
	return h.serveCached(c, status, around, signForm.Bytes())
}

// renderLetterPage renders a letter's whole page, with sign as its signing
// form (nil when it takes no signatures); refused says the form was.
func (h *Handler) renderLetterPage(c *fiber.Ctx, status int, l *models.Letter, sign *SignView, refused bool) error {
	v, err := h.letterPage(c, l)
	if err != nil {
		return err
	}
	v.Sign = sign
	h.inLang(c, h.mainLang(c, l), func() { // around the letter: in its version's language
		if v.Letter.HiddenUntil == nil { // by country, a lone signer could be told
			var f figures
			f, err = h.charts(c, c.UserContext(), l)
			v.Charts, v.Map = f.charts, f.world
		}
		v.Share = h.shareView(c, l, v.Letter)
	})
	if err != nil {
		return err
	}
	p := h.versionPage(c, l, v, "")
	p.Refused, p.Alternates = refused, h.alternates(l, "")
	p.Canonical, p.Summary, p.Article = v.Letter.URL, l.Summary, true
	h.protectNames(c, p, l)
	return h.render(c, status, "letter", p)
}

// letterPage is the view of l's page; while its list is embargoed, without
// the list, its dated lists and its charts.
func (h *Handler) letterPage(c *fiber.Ctx, l *models.Letter) (*LetterPageView, error) {
	v := &LetterPageView{Letter: h.letterView(c, l)}
	var err error
	if v.Updates, err = h.letterUpdates(c.UserContext(), l); err != nil {
		return nil, err
	}
	if v.Letter.Offline, err = h.offlineView(c, l); err != nil {
		return nil, err
	}
	if v.Letter.HiddenUntil = h.hiddenUntil(c, l); v.Letter.HiddenUntil != nil {
		return v, nil
	}
	for _, kind := range []models.SignatureKind{models.KindOrganisation, models.KindIndividual} {
		sigs, err := h.store.SectionSignatories(c.UserContext(), l, kind, 0, signatoriesPerPage)
		if err != nil {
			return nil, err
		}
		v.Sections = append(v.Sections, h.sections(c, l, sigs)...)
	}
	if v.Letter.Earlier, err = h.earlierNote(c, c.UserContext(), l); err != nil {
		return nil, err
	}
	if v.DatedLists, err = h.datedLists(c.UserContext(), l); err != nil {
		return nil, err
	}
	v.Deliveries, err = h.publicDeliveries(c.UserContext(), l)
	return v, err
}

// SignatoriesView is the view of the full list.
type SignatoriesView struct {
	Letter     LetterView
	Sections   []SectionView
	Pagination Pagination
}

// listPage answers the ?page=N page of a letter's public list, 100 a page,
// for the full list and its API: render shows sigs, the entries of page p of
// l, or none while the list is hidden until a launch; past the last page is
// 404. Each page comes from the page cache: a crowd reads the deep ones too
// (the last shows the latest signers). Its key holds the page's number as
// parsed, never the query as typed, and a 404 is not kept, so that the
// cache holds only pages that exist.
func (h *Handler) listPage(c *fiber.Ctx, render func(c *fiber.Ctx, l *models.Letter, sigs []models.Signature, p Pagination, hidden *time.Time) error) error {
	page := pageNumber(c)
	key := inLangKey(c.Path()+"?page="+strconv.Itoa(page), h.lang(c))
	return h.serveFromCache(c, key, pagecache.EveryChange, func(c *fiber.Ctx) error {
		l, err := h.publicVersion(c)
		if err != nil {
			return err
		}
		hidden, named := h.hiddenUntil(c, l), l.NamedCount()
		if hidden != nil {
			named = 0
		}
		p := paginate(c.Path(), page, named, signatoriesPerPage)
		if page > 1 && int64((page-1)*signatoriesPerPage) >= p.Total {
			return fiber.ErrNotFound
		}
		var sigs []models.Signature
		if hidden == nil {
			if sigs, err = h.store.Signatories(c.UserContext(), l, (page-1)*signatoriesPerPage, signatoriesPerPage); err != nil {
				return err
			}
		}
		return render(c, l, sigs, p, hidden)
	})
}

// signatories is a page of a letter's full list.
func (h *Handler) signatories(c *fiber.Ctx) error {
	return h.listPage(c, func(c *fiber.Ctx, l *models.Letter, sigs []models.Signature, pagination Pagination, hidden *time.Time) error {
		v := SignatoriesView{Letter: h.letterView(c, l), Sections: h.sections(c, l, sigs), Pagination: pagination}
		v.Letter.HiddenUntil = hidden
		var err error
		if v.Letter.Earlier, err = h.earlierNote(c, c.UserContext(), l); err != nil {
			return err
		}
		if v.Letter.Offline, err = h.offlineView(c, l); err != nil {
			return err
		}
		p := h.versionPage(c, l, v, "signatories.title", "title", l.Title)
		p.Canonical, p.Summary, p.Article = h.absolute(c.Path()), l.Summary, true
		h.protectNames(c, p, l)
		return h.render(c, fiber.StatusOK, "signatories", p)
	})
}

// hiddenUntil is when l's list appears, while it is embargoed (see
// models.Letter.ListHidden), or nil once it shows. A page rendered for the
// page cache meanwhile expires then: kept before the launch, it must not be
// served after it.
func (h *Handler) hiddenUntil(c *fiber.Ctx, l *models.Letter) *time.Time {
	if !l.ListHidden(time.Now()) {
		return nil
	}
	if r := renderingForCache(c); r != nil {
		r.expireBy(*l.ListHiddenUntil)
	}
	return l.ListHiddenUntil
}

// protectNames keeps search engines from indexing a page that names
// signers, unless the letter allows it: a name found through a search engine
// can bring reprisals.
func (h *Handler) protectNames(c *fiber.Ctx, p *views.Page, l *models.Letter) {
	if !l.AllowIndexing {
		p.Robots = "noindex"
	}
	keepNamesUnindexed(c, l)
}

// keepNamesUnindexed is protectNames for an answer that is not a page (a
// download, JSON): the header only.
func keepNamesUnindexed(c *fiber.Ctx, l *models.Letter) {
	if !l.AllowIndexing {
		c.Set("X-Robots-Tag", "noindex")
	}
}
