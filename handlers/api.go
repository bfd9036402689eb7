package handlers

import (
	"context"
	"encoding/xml"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"undersigned/models"
	"undersigned/views"
)

// Exports and feeds: the public list as CSV and JSON, a read-only JSON API
// of published letters, and an Atom feed of new letters. Everything here is
// what the public pages show, no more: each signer appears as they chose
// (an anonymous one as "Anonymous" with their country, one counted but not
// listed only in the counts), and no email or unlisted status ever leaves.

const (
	jsonType    = "application/json; charset=utf-8"
	localJSON   = "json" // set on routes whose errors are answered in JSON
	feedEntries = 50
	// feedSummaryLength is how much of an update the feed's summary shows.
	feedSummaryLength = 400
)

// jsonAPI marks a route as part of the JSON API: its errors are answered as
// {"error": "..."}, and, being public data, any site may read it.
func (h *Handler) jsonAPI(c *fiber.Ctx) error {
	c.Locals(localJSON, true)
	if c.Method() == fiber.MethodGet || c.Method() == fiber.MethodHead {
		c.Set(fiber.HeaderAccessControlAllowOrigin, "*")
	}
	return c.Next()
}

// APIError is the body of every error the JSON API answers.
type APIError struct {
	Error string `json:"error"`
}

// APICounts are a letter's signature counts, from its counters: Total is
// every signature counted, Organisations and Individuals the entries on the
// list, Unlisted the signatures counted but not listed.
type APICounts struct {
	Total         int64 `json:"total"`
	Organisations int64 `json:"organisations"`
	Individuals   int64 `json:"individuals"`
	Unlisted      int64 `json:"unlisted"`
}

// APILetterURLs are the absolute addresses of a letter and its exports.
type APILetterURLs struct {
	HTML            string `json:"html"`
	Signatories     string `json:"signatories"`
	SignatoriesCSV  string `json:"signatories_csv"`
	SignatoriesJSON string `json:"signatories_json"`
	API             string `json:"api"`
}

// APILetterSummary is a letter as the API's index lists it.
type APILetterSummary struct {
	Slug        string        `json:"slug"`
	Title       string        `json:"title"`
	Summary     string        `json:"summary"`
	Lang        string        `json:"lang"`
	State       string        `json:"state"`
	PublishedAt string        `json:"published_at"` // RFC 3339, UTC
	ClosesOn    *string       `json:"closes_on"`    // the last day signatures are taken, 2006-01-02; null for none
	ClosesAt    *string       `json:"closes_at"`    // when signatures close: the end of closes_on in the letter's timezone, RFC 3339, UTC
	AsOf        string        `json:"as_of"`        // when the list last changed, RFC 3339, UTC
	Counts      APICounts     `json:"counts"`
	URLs        APILetterURLs `json:"urls"`

	// SentOn is the date the letter was sent, 2006-01-02, when it differs
	// from its publication's; ListHiddenUntil is when its list is
	// published, RFC 3339, UTC, while it is embargoed (its signatories are
	// empty meanwhile). Each null otherwise.
	SentOn          *string `json:"sent_on"`
	ListHiddenUntil *string `json:"list_hidden_until"`
}

// APILetter is a letter with what its public page shows.
type APILetter struct {
	APILetterSummary
	Initiators   []string         `json:"initiators"`
	Addressees   []string         `json:"addressees"`
	Subject      string           `json:"subject"`
	Salutation   string           `json:"salutation"`
	BodyHTML     string           `json:"body_html"` // rendered and sanitised as on the page
	DemandGroups []APIDemandGroup `json:"demand_groups"`
	ClosingHTML  string           `json:"closing_html"`
	Countries    []APICountry     `json:"countries"`
	Goals        APIGoals         `json:"goals"`
	Offline      APIOffline       `json:"offline"`
	Deliveries   []APIDelivery    `json:"deliveries"` // newest first
	Responses    []APIResponse    `json:"responses"`  // newest first
}

// APIOffline is how many of a letter's signatures counted (counts.total)
// were gathered offline, and where: "paper", or an event's name, most
// first. A letter signed on the site only has a count of 0 and no sources.
type APIOffline struct {
	Count    int64             `json:"count"`
	BySource []APIOfflineCount `json:"by_source"`
}

// APIOfflineCount is how many signatures were gathered at one offline source.
type APIOfflineCount struct {
	Source string `json:"source"`
	Count  int64  `json:"count"`
}

// APIDelivery is a delivery of the letter: when, to whom (roles, never
// addresses), and the dated list delivered.
type APIDelivery struct {
	DeliveredOn string   `json:"delivered_on"` // 2006-01-02
	To          []string `json:"to"`
	ByHand      bool     `json:"by_hand"`
	Versions    []string `json:"versions"`
	ListAsOf    string   `json:"list_as_of"` // 2006-01-02
	List        string   `json:"list"`       // the dated list's page
}

// APIResponse is a response to the letter, as its page shows it: its date
// (2006-01-02), who answered, its text rendered as on the page, the
// address of it elsewhere and of its PDF (each null for none), and its
// place on the letter's page.
type APIResponse struct {
	PostedOn string  `json:"posted_on"`
	From     string  `json:"from"`
	BodyHTML string  `json:"body_html"`
	Link     *string `json:"link"`
	PDF      *string `json:"pdf"`
	URL      string  `json:"url"`
}

// apiResponses are the responses among l's updates, newest first.
func (h *Handler) apiResponses(ctx context.Context, l *models.Letter) ([]APIResponse, error) {
	updates, err := h.letterUpdates(ctx, l)
	out := []APIResponse{}
	for _, u := range updates {
		if u.ResponseFrom == "" {
			continue
		}
		r := APIResponse{PostedOn: u.Date.Format(time.DateOnly), From: u.ResponseFrom, BodyHTML: string(views.RenderMarkdown(u.Body)),
			URL: h.absolute(letterPath(l) + "#update-" + strconv.FormatInt(u.ID, 10))}
		if u.Link != "" {
			r.Link = &u.Link
		}
		if u.PDF != "" {
			pdf := h.absolute(u.PDF)
			r.PDF = &pdf
		}
		out = append(out, r)
	}
	return out, err
}

// APIGoals are a letter's goals: of signatures counted (counts.total) and
// of organisations listed (counts.organisations); each null for none.
type APIGoals struct {
	Signatures    *int64 `json:"signatures"`
	Organisations *int64 `json:"organisations"`
}

// apiGoals are l's goals as the API gives them.
func apiGoals(l *models.Letter) APIGoals {
	var g APIGoals
	if l.SignatureGoal > 0 {
		g.Signatures = &l.SignatureGoal
	}
	if l.OrganisationGoal > 0 {
		g.Organisations = &l.OrganisationGoal
	}
	return g
}

// APIDemandGroup is one lead-in and its demands.
type APIDemandGroup struct {
	LeadIn  string   `json:"lead_in"`
	Demands []string `json:"demands"`
}

// APICountry is how many entries of the list give a country first.
type APICountry struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Count int64  `json:"count"`
}

// APISignatory is one entry of a public list, as its signer chose to
// appear: an anonymous one has the name "Anonymous" and no affiliation or
// role; an organisation has its name as Name, and no affiliation or role
// (the person who signed for it is not public).
type APISignatory struct {
	Kind        string `json:"kind"`
	Anonymous   bool   `json:"anonymous"`
	Name        string `json:"name"`
	Affiliation string `json:"affiliation"`
	Role        string `json:"role"`
	Country     string `json:"country"`
	Country2    string `json:"country2"`
	Countries   string `json:"countries"` // "Azerbaijan/Netherlands"
	Entry       string `json:"entry"`     // as the list reads
	// SignedRevision is the revision of the text the signer agreed to; the
	// letter's current one is its revision.
	SignedRevision int `json:"signed_revision"`
	// Verified marks a verified organisation, when the letter marks them.
	Verified bool `json:"verified"`
	// Source is where a signature gathered offline was given: "paper",
	// or an event's name; "" for one signed online, and for an anonymous
	// signer, whom it could help to tell.
	Source string `json:"source"`
}

// signatoryColumns head the public CSV; csvRow fills them. A new column
// goes last, where it moves none that a reader's script picks by place.
var signatoryColumns = []string{"kind", "name", "affiliation", "role", "country", "country2", "countries", "entry", "verified", "source"}

func (s APISignatory) csvRow() []string {
	return []string{s.Kind, s.Name, s.Affiliation, s.Role, s.Country, s.Country2, s.Countries, s.Entry, strconv.FormatBool(s.Verified), s.Source}
}

// APILinks are the addresses of a paginated answer's pages; Prev and Next
// are null on the first and last page.
type APILinks struct {
	Self  string  `json:"self"`
	First string  `json:"first"`
	Last  string  `json:"last"`
	Prev  *string `json:"prev"`
	Next  *string `json:"next"`
}

// APISignatoriesPage is one page of a letter's public list.
type APISignatoriesPage struct {
	Letter      string         `json:"letter"` // its slug
	AsOf        string         `json:"as_of"`
	Page        int            `json:"page"`
	Pages       int            `json:"pages"`
	PerPage     int            `json:"per_page"`
	Counts      APICounts      `json:"counts"`
	Signatories []APISignatory `json:"signatories"`
	Links       APILinks       `json:"links"`
}

// APILettersPage is one page of the index of published, listed letters.
type APILettersPage struct {
	Page    int                `json:"page"`
	Pages   int                `json:"pages"`
	PerPage int                `json:"per_page"`
	Total   int64              `json:"total"`
	Letters []APILetterSummary `json:"letters"`
	Links   APILinks           `json:"links"`
}

func isoTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// nonNil keeps an empty list a list in JSON, never null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (h *Handler) apiLetterSummary(c *fiber.Ctx, l *models.Letter) APILetterSummary {
	path := letterPath(l)
	v := APILetterSummary{
		Slug: l.Slug, Title: l.Title, Summary: l.Summary, Lang: l.Lang, State: string(h.stateOf(c, l)),
		PublishedAt: isoTime(l.Date(time.Now())), AsOf: isoTime(l.AsOf()),
		Counts: APICounts{Total: l.SignatureCount(), Organisations: l.OrganisationCount, Individuals: l.IndividualCount, Unlisted: l.UnlistedCount},
		URLs: APILetterURLs{
			HTML: h.absolute(path), Signatories: h.absolute(path + "/signatories"), SignatoriesCSV: h.absolute(path + "/signatories.csv"),
			SignatoriesJSON: h.absolute(path + "/signatories.json"), API: h.absolute("/api" + path),
		},
	}
	v.ClosesOn, v.SentOn = apiDate(l.ClosesOn), apiDate(l.SentOn)
	if at := l.ClosesAt(); at != nil {
		iso := isoTime(*at)
		v.ClosesAt = &iso
	}
	if l.ListHidden(time.Now()) {
		launch := isoTime(*l.ListHiddenUntil)
		v.ListHiddenUntil = &launch
	}
	return v
}

// apiDate is a day as the API writes it, 2006-01-02, or nil.
func apiDate(t *time.Time) *string {
	if t == nil {
		return nil
	}
	day := t.UTC().Format(time.DateOnly)
	return &day
}

func (h *Handler) apiSignatory(l *models.Letter, s *models.Signature) APISignatory {
	lang := l.Lang
	v := APISignatory{
		Kind: string(s.Kind), Anonymous: s.Display == models.DisplayAnonymous, Name: s.Name, Affiliation: s.Affiliation, Role: s.Role,
		Country: s.Country, Country2: s.Country2, Countries: s.Countries(lang), Entry: h.entry(lang, s),
		SignedRevision: s.Revision, Verified: l.MarkVerified && s.Verified != models.NotVerified, Source: s.OfflineSource,
	}
	switch {
	case v.Anonymous:
		v.Name = views.Message(lang, "list.anonymous")
	case s.Kind == models.KindOrganisation:
		v.Name, v.Affiliation, v.Role = s.Affiliation, "", ""
	}
	return v
}

// apiLinks are the absolute links of a page of a paginated list.
func (h *Handler) apiLinks(p Pagination) APILinks {
	link := func(n int) *string { s := h.absolute(p.Link(n)); return &s }
	v := APILinks{Self: *link(p.Page), First: *link(1), Last: *link(p.Pages)}
	if n := p.Prev(); n > 0 {
		v.Prev = link(n)
	}
	if n := p.Next(); n > 0 {
		v.Next = link(n)
	}
	return v
}

// apiLetters answers GET /api/letters?page=N: published, listed letters,
// newest first, 20 a page. Unlisted letters are reachable by their address
// only.
func (h *Handler) apiLetters(c *fiber.Ctx) error {
	letters, p, err := h.publicLetters(c, c.Path())
	if err != nil {
		return err
	}
	v := APILettersPage{Page: p.Page, Pages: p.Pages, PerPage: lettersPerPage, Total: p.Total, Letters: []APILetterSummary{},
		Links: h.apiLinks(p)}
	for i := range letters {
		v.Letters = append(v.Letters, h.apiLetterSummary(c, &letters[i]))
	}
	return c.JSON(v, jsonType)
}

// apiLetter answers GET /api/letters/{slug} and /letters/{slug}.json: a
// published letter (listed or not) with its counts by kind and by country.
func (h *Handler) apiLetter(c *fiber.Ctx) error {
	l, err := h.publicVersion(c)
	if err != nil {
		return err
	}
	var countries []models.CountryCount
	var deliveries []models.Delivery
	if h.hiddenUntil(c, l) == nil { // by country, a lone signer could be told
		if countries, err = h.store.CountryCounts(c.UserContext(), l); err != nil {
			return err
		}
		if deliveries, err = h.store.Deliveries(c.UserContext(), l.ID, deliveriesKept); err != nil {
			return err
		}
	}
	v := APILetter{
		APILetterSummary: h.apiLetterSummary(c, l), Initiators: nonNil(l.InitiatorNames()), Addressees: nonNil(l.AddresseeList()),
		Subject: l.Subject, Salutation: l.Salutation,
		BodyHTML: string(views.RenderMarkdown(l.Body)), ClosingHTML: string(views.RenderMarkdown(l.Closing)),
		DemandGroups: []APIDemandGroup{}, Countries: []APICountry{}, Goals: apiGoals(l), Deliveries: []APIDelivery{},
	}
	for _, d := range deliveries {
		v.Deliveries = append(v.Deliveries, h.apiDelivery(l, &d))
	}
	for _, g := range l.DemandGroups {
		v.DemandGroups = append(v.DemandGroups, APIDemandGroup{LeadIn: g.LeadIn, Demands: nonNil(g.DemandList())})
	}
	for _, cc := range countries {
		v.Countries = append(v.Countries, APICountry{Code: cc.Country, Name: models.CountryNameIn(l.Lang, cc.Country), Count: cc.Count})
	}
	if v.Offline, err = h.apiOffline(c, l); err != nil {
		return err
	}
	if v.Responses, err = h.apiResponses(c.UserContext(), l); err != nil {
		return err
	}
	return c.JSON(v, jsonType)
}

// apiOffline is how many of l's signatures were gathered offline, as the
// API gives it.
func (h *Handler) apiOffline(c *fiber.Ctx, l *models.Letter) (APIOffline, error) {
	counts, err := h.store.OfflineCounts(c.UserContext(), l)
	v := APIOffline{BySource: make([]APIOfflineCount, len(counts))}
	for i, sc := range counts {
		v.Count += sc.Count
		v.BySource[i] = APIOfflineCount{Source: sc.Source, Count: sc.Count}
	}
	return v, err
}

// apiDelivery is d, a delivery of l, as the API gives it.
func (h *Handler) apiDelivery(l *models.Letter, d *models.Delivery) APIDelivery {
	return APIDelivery{DeliveredOn: d.DeliveredOn.Format(time.DateOnly), To: recipientNames(*d), ByHand: d.ByHand != "", Versions: nonNil(d.VersionList()),
		ListAsOf: d.AsOf.Format(time.DateOnly), List: h.absolute(datedListPath(l, d.AsOf))}
}

// apiSignatories answers GET /api/letters/{slug}/signatories?page=N and
// /letters/{slug}/signatories.json: a page of the public list, 100 a page
// as on the full list's page.
func (h *Handler) apiSignatories(c *fiber.Ctx) error {
	return h.listPage(c, func(c *fiber.Ctx, l *models.Letter, sigs []models.Signature, p Pagination, _ *time.Time) error {
		summary := h.apiLetterSummary(c, l)
		v := APISignatoriesPage{
			Letter: l.Slug, AsOf: summary.AsOf, Page: p.Page, Pages: p.Pages, PerPage: signatoriesPerPage, Counts: summary.Counts,
			Signatories: make([]APISignatory, 0, len(sigs)), Links: h.apiLinks(p),
		}
		for i := range sigs {
			v.Signatories = append(v.Signatories, h.apiSignatory(l, &sigs[i]))
		}
		keepNamesUnindexed(c, l)
		return c.JSON(v, jsonType)
	})
}

// signatoriesCSV streams a letter's public list as CSV, entry by entry,
// with the columns of APISignatory.
func (h *Handler) signatoriesCSV(c *fiber.Ctx) error {
	l, err := h.publicVersion(c)
	if err != nil {
		return err
	}
	keepNamesUnindexed(c, l)
	hidden := h.hiddenUntil(c, l) != nil
	return h.streamCSV(c, l.Slug+"-signatories.csv", signatoryColumns, nil, func(ctx context.Context, write func(...string) error) error {
		if hidden { // the columns, and no one yet: the list exists, it is not out
			return nil
		}
		return h.store.EachPublicSignatory(ctx, l, func(s *models.Signature) error {
			return write(h.apiSignatory(l, s).csvRow()...)
		})
	})
}

// The Atom 1.0 feed (RFC 4287), as much of it as the feed of letters uses.
type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Author  atomPerson  `xml:"author"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel      string `xml:"rel,attr"`
	Type     string `xml:"type,attr,omitempty"`
	Href     string `xml:"href,attr"`
	Hreflang string `xml:"hreflang,attr,omitempty"`
	Title    string `xml:"title,attr,omitempty"`
	Length   int64  `xml:"length,attr,omitempty"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomEntry struct {
	ID        string       `xml:"id"`
	Title     string       `xml:"title"`
	Updated   string       `xml:"updated"`
	Published string       `xml:"published"`
	Links     []atomLink   `xml:"link"`
	Authors   []atomPerson `xml:"author"`
	// Categories say a letter's state, open or closed, and, while it is
	// open with a closing date, when it closes.
	Categories []atomCategory `xml:"category"`
	Summary    string         `xml:"summary,omitempty"`
}

type atomCategory struct {
	Term  string `xml:"term,attr"`
	Label string `xml:"label,attr,omitempty"`
}

// responseEntry makes e, a feed's entry of an update, that of the
// response u: titled as one, with links to where it was published and to
// its PDF.
func (h *Handler) responseEntry(c *fiber.Ctx, e *atomEntry, u *models.PublicUpdate) {
	e.Title = h.msg(c, "response.feed_title", "from", u.ResponseFrom, "title", u.Title)
	e.Categories = append(e.Categories, atomCategory{Term: "response", Label: h.msg(c, "response.mark")})
	if u.Link != "" {
		e.Links = append(e.Links, atomLink{Rel: "related", Type: "text/html", Href: u.Link})
	}
	if u.FileSize > 0 {
		pdf := h.absolute(responsePDFPath(u.Slug, u.ID))
		e.Links = append(e.Links, atomLink{Rel: "enclosure", Type: "application/pdf", Href: pdf, Length: u.FileSize})
	}
}

// feed answers GET /feed.atom: the newest published, listed letters and
// the updates posted on them, newest first. A letter's entry is identified
// by its permanent address, an update's by that address and its anchor.
func (h *Handler) feed(c *fiber.Ctx) error {
	letters, _, err := h.store.PublicLetters(c.UserContext(), 0, feedEntries)
	if err != nil {
		return err
	}
	updates, err := h.store.PublicUpdates(c.UserContext(), feedEntries)
	if err != nil {
		return err
	}
	var entries []atomEntry
	for i := range letters {
		l := &letters[i]
		url := h.absolute("/letters/" + l.Slug)
		e := atomEntry{ID: url, Title: l.Title, Summary: l.Summary, Links: []atomLink{{Rel: "alternate", Type: "text/html", Href: url, Hreflang: l.Lang}}}
		for _, t := range l.Translations { // each version, in its language
			e.Links = append(e.Links, atomLink{Rel: "alternate", Type: "text/html", Href: h.absolute(versionPath(l, t.Lang)), Hreflang: t.Lang, Title: t.Title})
		}
		e.Published = isoTime(l.Date(time.Now()))
		e.Updated = e.Published
		state := h.stateOf(c, l)
		e.Categories = append(e.Categories, atomCategory{Term: string(state), Label: h.msg(c, "state."+string(state))})
		if d := h.deadline(c, l); d != nil {
			e.Categories = append(e.Categories, atomCategory{Term: "closes-at:" + isoTime(d.At), Label: d.Text})
		}
		for _, name := range l.InitiatorNames() {
			e.Authors = append(e.Authors, atomPerson{Name: name})
		}
		entries = append(entries, e)
	}
	if entries, err = h.deliveryEntries(c, entries); err != nil {
		return err
	}
	for _, u := range updates {
		url := h.absolute("/letters/" + u.Slug + "#update-" + strconv.FormatInt(u.ID, 10))
		e := atomEntry{ID: url, Title: h.msg(c, "feed.update_title", "title", u.Title), Summary: views.Excerpt(u.Body, feedSummaryLength),
			Links: []atomLink{{Rel: "alternate", Type: "text/html", Href: url}}}
		if u.Milestone != "" {
			e.Summary = h.msg(c, "goal.reached."+u.Milestone, "count", u.Goal)
		}
		if u.ResponseFrom != "" {
			h.responseEntry(c, &e, &u)
		}
		e.Published = isoTime(u.PostedOn)
		e.Updated = e.Published
		entries = append(entries, e)
	}
	// RFC 3339 times in UTC sort as text.
	slices.SortStableFunc(entries, func(a, b atomEntry) int { return strings.Compare(b.Updated, a.Updated) })
	f := atomFeed{
		ID: h.absolute("/feed.atom"), Title: h.msg(c, "feed.title"), Updated: isoTime(time.Now()),
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: h.absolute("/feed.atom")},
			{Rel: "alternate", Type: "text/html", Href: h.absolute("/")},
		},
		Author:  atomPerson{Name: h.msg(c, "site.name")},
		Entries: entries[:min(len(entries), feedEntries)],
	}
	if len(entries) > 0 {
		f.Updated = entries[0].Updated
	}
	body, err := xml.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/atom+xml; charset=utf-8")
	return c.Send(append([]byte(xml.Header), body...))
}
