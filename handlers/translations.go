package handlers

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"undersigned/models"
	"undersigned/views"
)

// TranslationView is the editor of one translation of a letter: its form,
// beside what the original says, group by group.
type TranslationView struct {
	LetterID    int64
	Lang        string
	State       models.LetterState // the letter's: a published translation is public once the letter is
	Form        LetterForm
	Groups      []TranslationGroupView
	PublishedAt *time.Time // nil for a draft
	Path        string     // the translation's public address
	Saved       bool
	Original    LetterView // the original's text, for the translator
	// Originals are what the original says in each field a translation
	// shares, shown under it, by the field's name.
	Originals map[string]*views.Original
}

// TranslationGroupView is one demand group of a translation's form, with
// the original's to translate.
type TranslationGroupView struct {
	models.DemandGroupText
	OriginalLeadIn  string
	OriginalDemands int // 0 for a group the original lacks
}

// translationLang is the :lang of a translation's editor: a language the
// interface is written in, other than the original's.
func translationLang(c *fiber.Ctx, l *models.Letter) (string, error) {
	lang := c.Params("lang")
	if !translatable(l, lang) {
		return "", fiber.ErrNotFound
	}
	return lang, nil
}

// translationView shows form, the translation of l into lang, group by
// group beside the original's: as many groups as the original has, or as
// the form, when it has more (which publishing refuses).
func (h *Handler) translationView(c *fiber.Ctx, l *models.Letter, lang string, form LetterForm) TranslationView {
	v := TranslationView{LetterID: l.ID, Lang: lang, State: l.State, Form: form, Path: versionPath(l, lang), Original: h.letterView(c, l)}
	v.Originals = map[string]*views.Original{}
	for name, text := range map[string]string{"title": l.Title, "summary": l.Summary, "addressees": strings.Join(l.AddresseeList(), " · "),
		"subject": l.Subject, "salutation": l.Salutation} {
		if text != "" {
			v.Originals[name] = &views.Original{Label: h.msg(c, "translation.in_original"), Lang: l.Lang, Text: text}
		}
	}
	groups := form.Groups()
	for i := range max(len(groups), len(l.DemandGroups)) {
		var g TranslationGroupView
		if i < len(groups) {
			g.DemandGroupText = groups[i]
		}
		if i < len(l.DemandGroups) {
			g.OriginalLeadIn, g.OriginalDemands = l.DemandGroups[i].LeadIn, len(l.DemandGroups[i].DemandList())
		}
		v.Groups = append(v.Groups, g)
	}
	return v
}

// renderTranslation renders a translation's editor; the page is in the
// interface's language, the form's fields in the translation's.
func (h *Handler) renderTranslation(c *fiber.Ctx, status int, l *models.Letter, v TranslationView, errs views.FormErrors, problem string) error {
	p := h.page(c, h.msg(c, "translation.title", "language", views.LanguageNameIn(h.lang(c), v.Lang), "title", l.Title), v)
	p.Errors, p.Problem = errs, problem
	return h.render(c, status, "translation", p)
}

// editTranslation shows the editor of l's translation into :lang, blank
// for a new one.
func (h *Handler) editTranslation(c *fiber.Ctx, l *models.Letter) error {
	lang, err := translationLang(c, l)
	if err != nil {
		return err
	}
	var form LetterForm
	var published *time.Time
	t, err := h.store.Translation(c.UserContext(), l, lang)
	switch {
	case err == nil:
		v, err := l.Reading(t.Lang, &t.TranslatedText, t.CorrectedAt)
		if err != nil {
			return err
		}
		form, published = letterFormOf(v), t.PublishedAt
	case !errors.Is(err, models.ErrNotFound):
		return err
	}
	v := h.translationView(c, l, lang, form)
	v.PublishedAt, v.Saved = published, c.Query("saved") != ""
	return h.renderTranslation(c, fiber.StatusOK, l, v, nil, "")
}

// saveTranslation saves the draft of a translation, or publishes it
// ("publish"). A translation that lacks a part of the original is not
// published, nor saved: the editor says what it lacks, beside each part
// and at its top, and keeps everything typed.
func (h *Handler) saveTranslation(c *fiber.Ctx, l *models.Letter) error {
	lang, err := translationLang(c, l)
	if err != nil {
		return err
	}
	var form LetterForm
	errs, err := h.parseForm(c, &form)
	if err != nil {
		return err
	}
	form.Slug, form.Initiators = l.Slug, l.Initiators // the letter's: a translation has neither of its own
	v := h.translationView(c, l, lang, form)
	switch t, err := h.store.Translation(c.UserContext(), l, lang); {
	case err == nil:
		v.PublishedAt = t.PublishedAt
	case !errors.Is(err, models.ErrNotFound): // a new translation has none
		return err
	}
	if form.Action == "edit" || len(errs) > 0 {
		return h.renderTranslation(c, statusOf(errs), l, v, errs, "")
	}
	if form.Action == "confirm" {
		return h.saveSignedTranslation(c, l, lang, form, v)
	}
	_, err = h.store.SaveTranslation(c.UserContext(), l, lang, form.text(), form.Action == "publish")
	var incomplete *models.IncompleteError
	switch {
	case errors.As(err, &incomplete):
		return h.renderIncomplete(c, l, v, incomplete)
	case errors.Is(err, models.ErrTranslationSigned):
		// A change of a signed translation is saved only once the
		// coordinator has seen what it changes and said whether it is a
		// correction, as for the original.
		return h.renderReviseTranslation(c, fiber.StatusOK, l, lang, form, nil)
	case err != nil:
		return err
	}
	return c.Redirect(translationEditorPath(l, lang)+"?saved=1", fiber.StatusSeeOther)
}

// statusOf is a re-rendered form's status: 422 when it was refused.
func statusOf(errs views.FormErrors) int {
	if len(errs) > 0 {
		return fiber.StatusUnprocessableEntity
	}
	return fiber.StatusOK
}

// renderIncomplete refuses a translation that lacks parts of the original,
// saying which beside each, with everything typed kept.
func (h *Handler) renderIncomplete(c *fiber.Ctx, l *models.Letter, v TranslationView, incomplete *models.IncompleteError) error {
	return h.renderTranslation(c, fiber.StatusUnprocessableEntity, l, v, h.gapErrors(c, incomplete.Gaps), h.msg(c, "translation.incomplete"))
}

// renderReviseTranslation shows what form changes in l's signed translation
// into lang, for the coordinator to confirm as a correction or a change of
// substance, or to take back to the editor.
func (h *Handler) renderReviseTranslation(c *fiber.Ctx, status int, l *models.Letter, lang string, form LetterForm, errs views.FormErrors) error {
	t, err := h.store.Translation(c.UserContext(), l, lang)
	if err != nil {
		return err
	}
	cur, err := l.Reading(lang, &t.TranslatedText, t.CorrectedAt)
	if err != nil {
		return err
	}
	return h.renderRevise(c, status, cur, form, errs)
}

// saveSignedTranslation saves a confirmed change of l's translation into
// lang, which people have signed through, as the coordinator chose: a
// correction in place, or a change of substance as the letter's next
// revision, whose earlier signers through this version are asked at once
// to agree to it, as saveSignedText does for the original.
func (h *Handler) saveSignedTranslation(c *fiber.Ctx, l *models.Letter, lang string, form LetterForm, v TranslationView) error {
	ctx, userID := c.UserContext(), coordinator(c).ID
	var err error
	switch form.Change {
	case changeCorrection:
		if err = h.store.CorrectTranslation(ctx, userID, l, lang, form.text(), h.msg(c, "audit.correct_detail", "revision", l.Revision)); err == nil {
			return c.Redirect(translationEditorPath(l, lang)+"?saved=1", fiber.StatusSeeOther)
		}
	case changeSubstance:
		var n int
		if n, err = h.store.ReviseTranslation(ctx, userID, l, lang, form.text(), h.reconfirmationMail, h.reconfirmDetail); err == nil {
			return c.Redirect(editorPath(l)+"?saved=1&asked="+strconv.Itoa(n)+"#reconfirm", fiber.StatusSeeOther)
		}
	default:
		return h.renderReviseTranslation(c, fiber.StatusUnprocessableEntity, l, lang, form, h.fieldError(c, "change", "error.change"))
	}
	var incomplete *models.IncompleteError
	if errors.As(err, &incomplete) {
		return h.renderIncomplete(c, l, v, incomplete)
	}
	return err
}

// editorPath is the address of l's editor, the coordinators' page of the letter.
func editorPath(l *models.Letter) string { return "/dashboard/letters/" + strconv.FormatInt(l.ID, 10) }

// translationEditorPath is the address of the editor of l's translation into lang.
func translationEditorPath(l *models.Letter, lang string) string {
	return editorPath(l) + "/translations/" + lang
}

// gapErrors says what a translation lacks of its original, each beside
// its field: a demand group's beside its lead-in or its demands.
func (h *Handler) gapErrors(c *fiber.Ctx, gaps []models.TranslationGap) views.FormErrors {
	var out views.FormErrors
	for _, g := range gaps {
		at := strconv.Itoa(g.Group - 1) // the form's groups count from 0
		group := h.msg(c, "editor.group", "number", g.Group)
		switch g.Field {
		case "group":
			msg := h.msg(c, "translation.missing_group", "group", g.Group, "count", g.Original)
			if g.Original == 0 {
				msg = h.msg(c, "translation.extra_group", "group", g.Group)
			}
			out = append(out, views.FieldError{Field: "group_lead_in-" + at, Label: group, Message: msg})
		case "group_lead_in":
			out = append(out, views.FieldError{Field: "group_lead_in-" + at, Label: group, Message: h.msg(c, "translation.missing_lead_in", "group", g.Group)})
		case "group_demands":
			out = append(out, views.FieldError{Field: "group_demands-" + at, Label: group,
				Message: h.msg(c, "translation.demands_count", "group", g.Group, "count", g.Original, "here", g.Here)})
		default:
			out = append(out, views.FieldError{Field: g.Field, Label: h.summaryLabel(c, g.Field), Message: h.msg(c, "translation.missing")})
		}
	}
	return out
}

// previewTranslation shows a translation exactly as its public page will,
// draft or not, with a banner and a form that cannot be sent.
func (h *Handler) previewTranslation(c *fiber.Ctx, l *models.Letter) error {
	lang, err := translationLang(c, l)
	if err != nil {
		return err
	}
	t, err := h.store.Translation(c.UserContext(), l, lang)
	if err != nil {
		return err
	}
	v, err := l.Reading(t.Lang, &t.TranslatedText, t.CorrectedAt)
	if err != nil {
		return err
	}
	return h.renderPreview(c, v)
}
