package handlers

import (
	"context"
	"encoding/csv"
	"errors"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"undersigned/models"
	"undersigned/views"
)

const signaturesPerPage = 50

// DashboardView lists the coordinator's organisations and their letters.
type DashboardView struct {
	Organisations []models.OrganisationLetters
	Invitation    *InvitationView
	ToDo          map[int64][]ToDo // what needs doing, by letter id
}

// InvitationView is a freshly made invitation link.
type InvitationView struct {
	Organisation string
	URL          string
	Expires      time.Time
}

func (h *Handler) dashboard(c *fiber.Ctx) error {
	return h.renderDashboard(c, nil)
}

func (h *Handler) renderDashboard(c *fiber.Ctx, inv *InvitationView) error {
	orgs, err := h.store.CoordinatorLetters(c.UserContext(), coordinator(c).ID)
	if err != nil {
		return err
	}
	toDo, err := h.lettersToDo(c, orgs)
	if err != nil {
		return err
	}
	for _, o := range orgs { // each letter as its public page shows it: closed from its closing moment
		for i := range o.Letters {
			o.Letters[i].State = h.stateOf(c, &o.Letters[i])
		}
	}
	return h.render(c, fiber.StatusOK, "dashboard", h.page(c, h.msg(c, "dashboard.title"), DashboardView{Organisations: orgs, Invitation: inv, ToDo: toDo}))
}

func (h *Handler) createInvitation(c *fiber.Ctx) error {
	orgID, err := strconv.ParseInt(c.Params("org"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	token, err := h.store.CreateInvitation(c.UserContext(), coordinator(c).ID, orgID)
	if err != nil {
		return err
	}
	orgs, err := h.store.Organisations(c.UserContext(), coordinator(c).ID)
	if err != nil {
		return err
	}
	inv := &InvitationView{URL: h.absolute("/join/" + token), Expires: time.Now().Add(models.InvitationTTL)}
	for _, o := range orgs {
		if o.ID == orgID {
			inv.Organisation = o.Name
		}
	}
	return h.renderDashboard(c, inv)
}

// EditorView is the view of the letter editor.
type EditorView struct {
	LetterID      int64
	State         models.LetterState
	Slug          string
	Count         int64
	Form          LetterForm
	Groups        []models.DemandGroupText
	Settings      SettingsForm
	Locked        bool           // people have signed: a change of the text is confirmed first (see saveSignedText)
	Revision      int            // the current revision's number
	Asked         int            // signers just asked to agree to the current revision, or -1
	Organisations []views.Option // for a new letter: whose letter it is
	OrgChoices    *views.Options
	Organisation  string
	Saved         bool
	SignerChoices *views.Options
	OrderChoices  *views.Options
	DatedLists    []DatedListView // newest first
	ClosedByDate  bool            // its closing moment passed while it was open
	FreezeFinal   bool            // closed, without a dated list since: offer to publish the final one
	Published     bool            // the list was just published as of today
	Updates       []UpdateView    // newest first
	Update        UpdateForm      // the form of a new update
	Response      ResponseForm    // the form of a new response
	Translations  []TranslationRow
	Untranslated  []VersionLink // the languages it may be translated into, each linking its editor
	CoInitiation  CoInitiationSection
	ToDo          []ToDo // what needs doing on the letter
	News          NewsSection
}

// TranslationRow is one translation of a letter, on its editor.
type TranslationRow struct {
	Lang, Editor, Path string
	Published          bool
	Behind             *time.Time // when the original was revised after it
}

// editorView shows the form's demand groups and one empty group after them,
// where a new group is written; "Add a demand group" adds another.
func (h *Handler) editorView(c *fiber.Ctx, form LetterForm) EditorView {
	v := EditorView{Form: form}
	for _, g := range form.Groups() {
		if g != (models.DemandGroupText{}) {
			v.Groups = append(v.Groups, g)
		}
	}
	v.Groups = append(v.Groups, models.DemandGroupText{})
	if form.Action == "add_group" {
		v.Groups = append(v.Groups, models.DemandGroupText{})
	}
	v.SignerChoices = views.NewOptions([]views.Option{
		{Value: string(models.SignersBoth), Label: h.msg(c, "settings.signers.both")},
		{Value: string(models.SignersIndividuals), Label: h.msg(c, "settings.signers.individuals")},
		{Value: string(models.SignersOrganisations), Label: h.msg(c, "settings.signers.organisations")},
	})
	v.OrderChoices = views.NewOptions([]views.Option{
		{Value: string(models.OrderAlphabetical), Label: h.msg(c, "settings.order.alphabetical")},
		{Value: string(models.OrderSigned), Label: h.msg(c, "settings.order.signed")},
	})
	return v
}

func (h *Handler) letterEditorView(c *fiber.Ctx, ctx context.Context, l *models.Letter, form LetterForm, settings SettingsForm) (EditorView, error) {
	v := h.editorView(c, form)
	v.LetterID, v.State, v.Slug, v.Count, v.Settings = l.ID, h.stateOf(c, l), l.Slug, l.SignatureCount(), settings
	locked, err := h.store.TextLocked(ctx, l.ID)
	if err != nil {
		return v, err
	}
	v.Locked, v.Revision, v.Asked = locked, l.Revision, -1
	h.setTranslations(c, &v, l)
	v.Update = UpdateForm{On: time.Now().UTC().Format(time.DateOnly)}
	v.Response = ResponseForm{PostedOn: h.cfg.Now().UTC().Format(time.DateOnly)}
	if v.DatedLists, err = h.datedLists(ctx, l); err != nil {
		return v, err
	}
	v.ClosedByDate = l.State == models.StateOpen && v.State == models.StateClosed
	if since := l.ClosedSince(); since != nil && v.State == models.StateClosed {
		v.FreezeFinal = len(v.DatedLists) == 0 || v.DatedLists[0].AsOf.Before(models.Day(*since))
	}
	if v.CoInitiation, err = h.coInitiationSection(ctx, l); err != nil {
		return v, err
	}
	if v.Updates, err = h.letterUpdates(ctx, l); err != nil {
		return v, err
	}
	if v.News, err = h.newsSection(ctx, l); err != nil {
		return v, err
	}
	o, err := h.store.LetterOverview(ctx, l)
	v.ToDo = h.toDo(c, l, o)
	return v, err
}

// setTranslations lists l's translations on its editor, and the languages
// it may still be translated into.
func (h *Handler) setTranslations(c *fiber.Ctx, v *EditorView, l *models.Letter) {
	have := map[string]bool{l.Lang: true}
	for _, t := range l.Translations {
		have[t.Lang] = true
		v.Translations = append(v.Translations, TranslationRow{Lang: t.Lang, Editor: translationEditorPath(l, t.Lang),
			Path: versionPath(l, t.Lang), Published: t.Published(), Behind: t.BehindSince})
	}
	for _, lang := range views.Languages {
		if !have[lang] {
			v.Untranslated = append(v.Untranslated, VersionLink{Lang: lang, Name: views.LanguageNameIn(h.lang(c), lang), Path: translationEditorPath(l, lang)})
		}
	}
}

// setOrganisations offers the coordinator's organisations for a new letter.
func (h *Handler) setOrganisations(c *fiber.Ctx, v *EditorView) error {
	orgs, err := h.store.Organisations(c.UserContext(), coordinator(c).ID)
	for _, o := range orgs {
		v.Organisations = append(v.Organisations, views.Option{Value: strconv.FormatInt(o.ID, 10), Label: o.Name})
	}
	v.OrgChoices = views.NewOptions(v.Organisations)
	return err
}

func (h *Handler) newLetter(c *fiber.Ctx) error {
	v := h.editorView(c, LetterForm{})
	if err := h.setOrganisations(c, &v); err != nil {
		return err
	}
	return h.render(c, fiber.StatusOK, "editor", h.page(c, h.msg(c, "editor.new_title"), v))
}

func (h *Handler) createLetter(c *fiber.Ctx) error {
	var form LetterForm
	errs, err := h.parseForm(c, &form)
	if err != nil {
		return err
	}
	v := h.editorView(c, form)
	if err := h.setOrganisations(c, &v); err != nil {
		return err
	}
	v.Organisation = c.FormValue("organisation")
	if v.Organisation == "" && len(v.Organisations) == 1 {
		v.Organisation = v.Organisations[0].Value
	}
	if form.Action == "add_group" {
		return h.render(c, fiber.StatusOK, "editor", h.page(c, h.msg(c, "editor.new_title"), v))
	}
	orgID, _ := strconv.ParseInt(v.Organisation, 10, 64)
	if len(errs) == 0 {
		l, err := h.store.CreateLetter(c.UserContext(), coordinator(c).ID, orgID, form.text())
		switch {
		case errors.Is(err, models.ErrSlugTaken):
			errs = h.fieldError(c, "slug", "error.slug_taken")
		case errors.Is(err, models.ErrSlugNeeded):
			errs = h.fieldError(c, "slug", "error.slug_needed")
		case errors.Is(err, models.ErrNotFound):
			errs = h.fieldError(c, "organisation", "error.choice")
		case err != nil:
			return err
		default:
			return c.Redirect(editorPath(l)+"?saved=1", fiber.StatusSeeOther)
		}
	}
	p := h.page(c, h.msg(c, "editor.new_title"), v)
	p.Errors = errs
	return h.render(c, fiber.StatusUnprocessableEntity, "editor", p)
}

func (h *Handler) editLetter(c *fiber.Ctx, l *models.Letter) error {
	v, err := h.letterEditorView(c, c.UserContext(), l, letterFormOf(l), settingsFormOf(l))
	if err != nil {
		return err
	}
	v.Saved = c.Query("saved") != ""
	v.Published = c.Query("published") != ""
	v.Asked = c.QueryInt("asked", -1)
	v.CoInitiation.Sent = c.Query("co-invited") != ""
	return h.renderEditor(c, fiber.StatusOK, l, v, nil)
}

func (h *Handler) renderEditor(c *fiber.Ctx, status int, l *models.Letter, v EditorView, errs views.FormErrors) error {
	p := h.page(c, h.msg(c, "editor.title", "title", l.Title), v)
	p.Errors = errs
	return h.render(c, status, "editor", p)
}

func (h *Handler) saveLetterText(c *fiber.Ctx, l *models.Letter) error {
	var form LetterForm
	errs, err := h.parseForm(c, &form)
	if err != nil {
		return err
	}
	v, err := h.letterEditorView(c, c.UserContext(), l, form, settingsFormOf(l))
	if err != nil {
		return err
	}
	if form.Action == "add_group" || form.Action == "edit" {
		return h.renderEditor(c, fiber.StatusOK, l, v, nil)
	}
	// A change of a signed text is saved only once the coordinator has seen
	// what it changes and said whether it is a correction.
	if len(errs) == 0 && v.Locked && !l.SameText(form.text()) {
		if form.Action != "confirm" {
			return h.renderRevise(c, fiber.StatusOK, l, form, nil)
		}
		return h.saveSignedText(c, l, form)
	}
	status := fiber.StatusUnprocessableEntity
	if len(errs) == 0 {
		err := h.store.UpdateLetterText(c.UserContext(), coordinator(c).ID, l, form.text())
		switch {
		case errors.Is(err, models.ErrSlugTaken):
			errs = h.fieldError(c, "slug", "error.slug_taken")
		case errors.Is(err, models.ErrSlugNeeded):
			errs = h.fieldError(c, "slug", "error.slug_needed")
		case err != nil:
			return err
		default:
			return c.Redirect(editorPath(l)+"?saved=1", fiber.StatusSeeOther)
		}
	}
	return h.renderEditor(c, status, l, v, errs)
}

func (h *Handler) saveLetterSettings(c *fiber.Ctx, l *models.Letter) error {
	var form SettingsForm
	errs, err := h.parseForm(c, &form)
	if err != nil {
		return err
	}
	if len(errs) == 0 {
		err := h.store.UpdateLetterSettings(c.UserContext(), l, form.settings())
		var low *models.GoalTooLow
		switch {
		case errors.As(err, &low):
			errs = views.FormErrors{{Field: low.Field, Label: h.msg(c, "goal.label."+low.Field),
				Message: h.msg(c, "goal.error.low."+low.Field, "count", low.Count)}}
		case errors.Is(err, models.ErrTranslationLang):
			errs = h.fieldError(c, "lang", "error.translation_lang")
		case errors.Is(err, models.ErrSentOnFuture):
			errs = h.fieldError(c, "sent_on", "campaign.error.sent_on_future")
		case err != nil:
			return err
		default:
			return c.Redirect(editorPath(l)+"?saved=1", fiber.StatusSeeOther)
		}
	}
	v, err := h.letterEditorView(c, c.UserContext(), l, letterFormOf(l), form)
	if err != nil {
		return err
	}
	return h.renderEditor(c, fiber.StatusUnprocessableEntity, l, v, errs)
}

func (h *Handler) setLetterState(c *fiber.Ctx, l *models.Letter) error {
	err := h.store.SetLetterState(c.UserContext(), l, models.LetterState(c.FormValue("state")))
	if errors.Is(err, models.ErrInvalidTransition) {
		return fiber.NewError(fiber.StatusConflict, err.Error())
	}
	if err != nil {
		return err
	}
	return c.Redirect(editorPath(l)+"?saved=1", fiber.StatusSeeOther)
}

// previewLetter shows a letter exactly as its public page will, with a
// banner and a form that cannot be sent.
func (h *Handler) previewLetter(c *fiber.Ctx, l *models.Letter) error { return h.renderPreview(c, l) }

// renderPreview is previewLetter for l, the original or a translation.
func (h *Handler) renderPreview(c *fiber.Ctx, l *models.Letter) error {
	v, err := h.letterPage(c, l)
	if err != nil {
		return err
	}
	v.Preview = true
	v.Sign = h.signView(c, l, &SignForm{})
	p := h.versionPage(c, l, v, "preview.title", "title", l.Title)
	p.Robots = "noindex"
	return h.render(c, fiber.StatusOK, "letter", p)
}

// SignaturesView is the coordinator's view of a letter's signatures: a
// page of those the search and filters keep, each with a box to tick for
// the batch form.
type SignaturesView struct {
	LetterID   int64
	Title      string
	Slug       string
	Count      int64
	InReview   int64
	Query      SignaturesQuery
	Filtered   bool  // the search or a filter narrows the list
	Matches    int64 // how many signatures they keep
	Choices    SignaturesChoices
	Labels     map[string]string // the fields' labels, by name
	Batch      BatchForm         // as sent, when it was refused
	Done       string            // what the last batch did
	Signatures []SignatureRow
	Audit      []models.AuditEntry
	Pagination Pagination
}

// SignatureRow is one signature as coordinators see it, email included;
// without the name of a signer who hides it (models.Display.HidesName).
type SignatureRow struct {
	ID       int64
	Entry    string
	Kind     models.SignatureKind
	Status   models.SignatureStatus
	Country  string
	Email    string
	SortName string // empty when NameHidden
	// NameHidden marks an anonymous or counted signer: no sort name to correct.
	NameHidden bool
	SignedAt   time.Time
	Revision   int // the revision of the text the signer agreed to
	// AddedByCoordinators marks a signature collected elsewhere, which has
	// no email; Offline names where it was gathered offline, if it was.
	AddedByCoordinators bool
	Offline             string
	// Lang is the language of the version the signer read and signed,
	// and Version its name in that language.
	Lang, Version string
	Verified      models.Verification // how an organisation was verified, if it was
	Ticked        bool                // ticked in a batch form that was refused
}

func (h *Handler) signatureRows(c *fiber.Ctx, sigs []models.Signature) []SignatureRow {
	rows := make([]SignatureRow, len(sigs))
	for i := range sigs {
		s := &sigs[i]
		rows[i] = SignatureRow{ID: s.ID, Entry: h.entry(h.lang(c), s), Kind: s.Kind, Status: s.Status, Country: models.CountryNameIn(h.lang(c), s.Country),
			Email: s.Email, SortName: s.SortName, SignedAt: s.CreatedAt, AddedByCoordinators: s.AddedByCoordinators(), Offline: s.OfflineSource,
			Revision: s.Revision, NameHidden: s.Display.HidesName(), Lang: s.Lang, Version: views.LanguageName(s.Lang), Verified: s.Verified}
		if rows[i].NameHidden {
			rows[i].SortName = ""
		}
	}
	return rows
}

func (h *Handler) signatures(c *fiber.Ctx, l *models.Letter) error {
	q, errs := h.signaturesQuery(c, l, h.signaturesLabels(c))
	status := fiber.StatusOK
	if len(errs) > 0 {
		status = fiber.StatusUnprocessableEntity
	}
	return h.renderSignatures(c, status, l, q, nil, errs)
}

// renderSignatures shows the page of l's signatures that q keeps; a refused
// batch form comes back with its values and ticks.
func (h *Handler) renderSignatures(c *fiber.Ctx, status int, l *models.Letter, q SignaturesQuery, batch *BatchForm, errs views.FormErrors) error {
	page := pageNumber(c)
	if c.Method() == fiber.MethodPost {
		page, _ = strconv.Atoi(c.FormValue("page", "1"))
		page = max(page, 1)
	}
	filter, filtered := q.filter(h.lang(c)), len(q.values()) > 0
	for name := range q.values() {
		if errs.For(name) != "" {
			filter, filtered = models.SignatureFilter{}, false // a refused filter narrows nothing
		}
	}
	sigs, total, err := h.store.SearchSignatures(c.UserContext(), l, filter, (page-1)*signaturesPerPage, signaturesPerPage)
	if err != nil {
		return err
	}
	audit, err := h.store.AuditLog(c.UserContext(), l, 200)
	if err != nil {
		return err
	}
	_, inReview, err := h.store.ReviewQueue(c.UserContext(), l, models.ReviewFilter{}, 0, 0) // the count only
	if err != nil {
		return err
	}
	sources, err := h.sourceChoices(c, l)
	if err != nil {
		return err
	}
	v := SignaturesView{
		LetterID: l.ID, Title: l.Title, Slug: l.Slug, Count: l.SignatureCount(), InReview: inReview,
		Query: q, Filtered: filtered, Matches: total,
		Choices: h.signaturesChoices(c, l), Labels: h.signaturesLabels(c), Done: h.batchDone(c),
		Signatures: h.signatureRows(c, sigs), Audit: audit, Pagination: paginate(editorPath(l)+"/signatures", page, total, signaturesPerPage),
	}
	v.Pagination.Query = q.values()
	v.Choices.Sources = sources
	if batch != nil {
		v.Batch = *batch
		for i := range v.Signatures {
			v.Signatures[i].Ticked = slices.Contains(batch.Sig, v.Signatures[i].ID)
		}
	}
	p := h.page(c, h.msg(c, "signatures.title", "title", l.Title), v)
	p.Errors = errs
	return h.render(c, status, "signatures", p)
}

func (h *Handler) setSortName(c *fiber.Ctx, l *models.Letter) error {
	var form SortNameForm
	return h.signatureAction(c, l, &form, func(sigID int64) error {
		return h.store.SetSortName(c.UserContext(), l, coordinator(c).ID, sigID, h.entryIn(h.lang(c)), form.SortName)
	})
}

// signatureAction parses and validates form, then applies it to the :sig
// signature of l and returns to the list of signatures.
func (h *Handler) signatureAction(c *fiber.Ctx, l *models.Letter, form any, apply func(sigID int64) error) error {
	errs, err := h.parseForm(c, form)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return h.renderSignatures(c, fiber.StatusUnprocessableEntity, l, SignaturesQuery{}, nil, errs)
	}
	sigID, err := strconv.ParseInt(c.Params("sig"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	if err := apply(sigID); err != nil {
		return err
	}
	return c.Redirect(editorPath(l)+"/signatures", fiber.StatusSeeOther)
}

// ReviewView is the queue of signatures waiting for a coordinator.
type ReviewView struct {
	LetterID   int64
	Title      string
	Total      int64
	Kind       string
	Country    string
	Kinds      *views.Options
	Countries  *views.Options
	Signatures []ReviewRow
	Done       string // what the last action did
	Pagination Pagination
}

func (h *Handler) reviewQueue(c *fiber.Ctx, l *models.Letter) error {
	return h.renderReview(c, fiber.StatusOK, l, "")
}

// renderReview renders the review queue of the request's filter and page;
// problem is what was refused of the last action, if anything.
func (h *Handler) renderReview(c *fiber.Ctx, status int, l *models.Letter, problem string) error {
	f := models.ReviewFilter{Kind: models.SignatureKind(c.Query("filter_kind")), Country: strings.ToUpper(c.Query("filter_country"))}
	page := pageNumber(c)
	sigs, total, err := h.store.ReviewQueue(c.UserContext(), l, f, (page-1)*signaturesPerPage, signaturesPerPage)
	if err != nil {
		return err
	}
	rows, err := h.reviewRows(c, l, sigs)
	if err != nil {
		return err
	}
	v := ReviewView{
		LetterID: l.ID, Title: l.Title, Total: total, Kind: string(f.Kind), Country: f.Country, Countries: countryOptions[h.lang(c)],
		Kinds: views.NewOptions([]views.Option{
			{Value: string(models.KindIndividual), Label: h.msg(c, "signatures.kind.individual")},
			{Value: string(models.KindOrganisation), Label: h.msg(c, "signatures.kind.organisation")},
		}),
		Signatures: rows, Pagination: paginate(editorPath(l)+"/review", page, total, signaturesPerPage),
	}
	v.Pagination.Query = url.Values{"filter_kind": {v.Kind}, "filter_country": {v.Country}}
	if n := c.QueryInt("approved", -1); n >= 0 {
		v.Done = h.msg(c, "review.approved", "count", n)
	} else if n := c.QueryInt("rejected", -1); n >= 0 {
		v.Done = h.msg(c, "review.rejected", "count", n)
	} else if n := c.QueryInt("verified", -1); n >= 0 {
		v.Done = h.msg(c, "verify.done.verified", "count", n)
	} else if c.Query("merged") != "" {
		v.Done = h.msg(c, "verify.done.merged")
	}
	p := h.page(c, h.msg(c, "review.title", "title", l.Title), v)
	p.Problem = problem
	return h.render(c, status, "review", p)
}

// moderate approves or rejects the ticked signatures, or the one whose own
// button was pressed, and returns to the queue with its filter.
func (h *Handler) moderate(c *fiber.Ctx, l *models.Letter) error {
	var form ReviewForm
	errs, err := h.parseForm(c, &form)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return fiber.ErrUnprocessableEntity
	}
	ids, approve := form.decision()
	if len(ids) == 0 {
		return c.Redirect(editorPath(l)+"/review", fiber.StatusSeeOther)
	}
	n, err := h.store.Moderate(c.UserContext(), l, coordinator(c).ID, ids, approve, h.entryIn(h.lang(c)))
	if err != nil {
		return err
	}
	q := url.Values{"filter_kind": {c.FormValue("filter_kind")}, "filter_country": {c.FormValue("filter_country")}, "rejected": {strconv.Itoa(n)}}
	if approve {
		q.Del("rejected")
		q.Set("approved", strconv.Itoa(n))
	}
	return c.Redirect(editorPath(l)+"/review?"+q.Encode(), fiber.StatusSeeOther)
}

// exportSignatures streams the coordinator's CSV of a letter's list, as it
// is delivered: listed signatures only, each as its signer chose to appear
// (an anonymous signer's name is not in it), with the email for follow-up.
// The download goes to the audit log.
func (h *Handler) exportSignatures(c *fiber.Ctx, l *models.Letter) error {
	logExport := func() error { return h.store.LogExport(c.UserContext(), l, coordinator(c).ID) }
	anonymous := h.msg(c, "list.anonymous") // the stream outlives the request's context
	header := []string{"kind", "display", "name", "affiliation", "role", "country", "country2", "email", "sort_name", "signed_at", "version", "verified",
		"source"}
	return h.streamCSV(c, l.Slug+"-signatures.csv", header, logExport, func(ctx context.Context, write func(...string) error) error {
		return h.store.EachSignature(ctx, l, func(s *models.Signature) error {
			name, affiliation, role, sortName := s.Name, s.Affiliation, s.Role, s.SortName
			switch s.Display {
			case models.DisplayAnonymous:
				name, affiliation, role, sortName = anonymous, "", "", ""
			case models.DisplayCounted:
				name, affiliation, role, sortName = "", "", "", ""
			}
			return write(string(s.Kind), string(s.Display), name, affiliation, role, s.Country, s.Country2, s.Email, sortName,
				s.CreatedAt.UTC().Format(time.RFC3339), s.Lang, string(s.Verified), s.OfflineSource)
		})
	})
}

// streamCSV answers with a CSV download, written row by row as rows calls
// write (see stream), so that a large list is never held in memory. It is
// UTF-8 with a byte-order mark, so spreadsheets read Arabic and Czech names
// right, and every cell is formula-safe. begin, when not nil, runs before
// the download starts, as stream's does.
func (h *Handler) streamCSV(c *fiber.Ctx, filename string, header []string, begin func() error,
	rows func(ctx context.Context, write func(...string) error) error) error {
	return h.stream(c, func() error {
		if begin != nil {
			if err := begin(); err != nil {
				return err
			}
		}
		c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+filename+`"`)
		return nil
	}, func(ctx context.Context, out io.Writer) error {
		if _, err := io.WriteString(out, "\ufeff"); err != nil {
			return err
		}
		w := csv.NewWriter(out)
		w.Write(header)
		if err := rows(ctx, func(cells ...string) error { return w.Write(csvSafe(cells...)) }); err != nil {
			return err
		}
		w.Flush()
		return w.Error()
	})
}

// csvSafe defuses cells a spreadsheet would run as a formula.
func csvSafe(cells ...string) []string {
	for i, s := range cells {
		if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
			cells[i] = "'" + s
		}
	}
	return cells
}
