package handlers

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"undersigned/models"
	"undersigned/views"
)

// The choices of a change of a signed text.
const (
	changeCorrection = "correction" // typos, formatting: no new revision
	changeSubstance  = "substance"  // a new revision, which signers are asked to agree to
)

// RevisionView is a letter's page as one revision of its text read: the
// same letter partial, a banner, the other revisions, and what changed
// between it and the current text.
type RevisionView struct {
	Letter    LetterView // the revision's text
	Number    int
	Current   int
	IsCurrent bool
	Revisions []RevisionLink
	Diff      []DiffView // from this revision to the current one; empty for the current one
}

// RevisionLink links one revision of a letter.
type RevisionLink struct {
	Number int
	Date   time.Time
	URL    string
	Here   bool // the page shows this one
}

// DiffView is one paragraph of a difference; html/template escapes its text.
type DiffView struct {
	Inserted, Deleted bool
	Text              string
}

// revisionPath is the address of revision n of the version of a letter at path.
func revisionPath(path string, n int) string {
	return path + "/revisions/" + strconv.Itoa(n)
}

// revision shows revision :n of a published letter's text as it read, and
// what differs in the current one.
func (h *Handler) revision(c *fiber.Ctx) error {
	ctx := c.UserContext()
	l, err := h.publicVersion(c)
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(c.Params("n"))
	if err != nil || n < 1 || n > l.Revision {
		return fiber.ErrNotFound
	}
	shown := l
	if n < l.Revision {
		if shown, err = h.letterAt(ctx, l, n); err != nil {
			return err
		}
	}
	v := RevisionView{Letter: h.letterView(c, shown), Number: n, Current: l.Revision, IsCurrent: n == l.Revision}
	if !v.IsCurrent {
		v.Diff = diffView(shown, l)
	}
	dates, err := h.store.RevisionDates(ctx, l)
	if err != nil {
		return err
	}
	for _, d := range dates {
		v.Revisions = append(v.Revisions, RevisionLink{Number: d.Number, Date: d.CreatedAt, URL: revisionPath(letterPath(l), d.Number), Here: d.Number == n})
	}
	p := h.versionPage(c, l, v, "revision.title", "title", l.Title, "revision", n) // around the letter, as its page
	p.Canonical, p.Summary, p.Article = h.absolute(c.Path()), l.Summary, true
	return h.render(c, fiber.StatusOK, "revision", p)
}

// letterAt is l, a version of a letter, as it read at revision n: the
// original's text then, or the translation's.
func (h *Handler) letterAt(ctx context.Context, l *models.Letter, n int) (*models.Letter, error) {
	r, err := h.store.LetterRevisionByNumber(ctx, l, n)
	if err != nil {
		return nil, err
	}
	shown, err := r.AsLetter(l)
	if err != nil || !l.IsTranslation() {
		return shown, err
	}
	t, err := h.store.TranslationAt(ctx, l, l.Lang, n)
	switch {
	case errors.Is(err, models.ErrNotFound): // the translation reads as it did then
		v := *l
		v.Revision, v.RevisedAt, v.CorrectedAt = shown.Revision, shown.RevisedAt, nil
		return &v, nil
	case err != nil:
		return nil, err
	}
	return shown.Reading(l.Lang, &t.TranslatedText, nil)
}

// diffView is the difference between two texts of a letter, paragraph by paragraph.
func diffView(from, to *models.Letter) []DiffView {
	var out []DiffView
	for _, p := range models.DiffLetters(from, to) {
		out = append(out, DiffView{Inserted: p.Op == models.DiffInsert, Deleted: p.Op == models.DiffDelete, Text: p.Text})
	}
	return out
}

// ReviseView is the page on which a coordinator confirms a change of a
// signed text: what changes, the edited text kept in hidden fields, and the
// choice between a correction and a change of substance.
type ReviseView struct {
	LetterID int64
	Action   string     // where the form goes: the editor of the original or of a translation
	Letter   LetterView // the current text
	Form     LetterForm
	Groups   []models.DemandGroupText
	Diff     []DiffView // from the current text to the edited one
}

// renderRevise shows what form changes in l's signed text, for the
// coordinator to confirm or to take back to the editor.
func (h *Handler) renderRevise(c *fiber.Ctx, status int, l *models.Letter, form LetterForm, errs views.FormErrors) error {
	action := editorPath(l)
	if l.IsTranslation() {
		action = translationEditorPath(l, l.Lang)
	}
	v := ReviseView{LetterID: l.ID, Action: action, Letter: h.letterView(c, l), Form: form, Groups: form.Groups(), Diff: diffView(l, l.Edited(form.text()))}
	p := h.page(c, h.msg(c, "revise.title", "title", l.Title), v)
	p.Errors = errs
	return h.render(c, status, "revise", p)
}

// saveSignedText saves a confirmed change of l's signed text as the
// coordinator chose: a correction in place, or a change of substance as a
// new revision whose earlier signers are asked at once to agree to it.
func (h *Handler) saveSignedText(c *fiber.Ctx, l *models.Letter, form LetterForm) error {
	ctx, userID := c.UserContext(), coordinator(c).ID
	editor := editorPath(l) + "?saved=1"
	switch form.Change {
	case changeCorrection:
		err := h.store.CorrectLetterText(ctx, userID, l, form.text(), func(revision int) string {
			return h.msg(c, "audit.correct_detail", "revision", revision)
		})
		if err != nil {
			return err
		}
		return c.Redirect(editor, fiber.StatusSeeOther)
	case changeSubstance:
		n, err := h.store.ReviseLetterText(ctx, userID, l, form.text(), h.reconfirmationMail, h.reconfirmDetail)
		if err != nil {
			return err
		}
		return c.Redirect(editor+"&asked="+strconv.Itoa(n)+"#reconfirm", fiber.StatusSeeOther)
	}
	return h.renderRevise(c, fiber.StatusUnprocessableEntity, l, form, h.fieldError(c, "change", "error.change"))
}

// reconfirmDetail is the audit log's detail of a request to reconfirm.
func (h *Handler) reconfirmDetail(asked, revision int) string {
	return views.Message(h.cfg.Lang, "audit.reconfirm_detail", "count", asked, "revision", revision)
}

// reconfirmationMail writes the email that asks the signer of an earlier
// revision to agree to the current text, or to withdraw, in the language of
// the letter they signed.
func (h *Handler) reconfirmationMail(l *models.Letter, sig *models.Signature, token string) models.Message {
	// In the version they signed, whose revision it shows.
	return addressed(sig.Email, views.ComposeEmail(sig.Lang, views.ReconfirmEmail, "title", l.Title, "signed", sig.Revision, "current", l.Revision,
		"revision_url", h.absolute(revisionPath(versionPath(l, sig.Lang), sig.Revision)), "confirm_url", h.absolute("/reconfirm/"+token)))
}

// askReconfirmation emails the signers of earlier revisions a link to agree
// to the current one.
func (h *Handler) askReconfirmation(c *fiber.Ctx, l *models.Letter) error {
	n, err := h.store.AskReconfirmation(c.UserContext(), l, coordinator(c).ID, h.reconfirmationMail, h.reconfirmDetail)
	if err != nil {
		return err
	}
	return c.Redirect(editorPath(l)+"?asked="+strconv.Itoa(n), fiber.StatusSeeOther)
}

// ReconfirmView is the page the link asking a signer to agree to a new
// revision leads to.
type ReconfirmView struct {
	Letter  LetterView
	Heading string
	Text    string
	Agree   string // where the agreement form goes, while there is one
	Changes string // what the signer signed, and what changed since
	Action  string // where the withdrawal form goes
}

// reconfirmPage opens the link of a signer of an earlier revision. It
// records nothing, since mail scanners open links too: it asks the signer
// to agree to the revised text, or to withdraw. With ?agreed, where
// agreeing leads, it says they agree.
func (h *Handler) reconfirmPage(c *fiber.Ctx) error {
	sig, l, err := h.store.Reconfirmation(c.UserContext(), c.Params("token"))
	switch {
	case err != nil:
		return err
	case sig.Reconfirmed() && c.Query("agreed") != "":
		return h.renderReconfirm(c, l, ReconfirmView{
			Heading: h.msg(c, "reconfirm.done.heading", "revision", *sig.ReconfirmAsked), Text: h.msg(c, "reconfirm.done.text", "revision", *sig.ReconfirmAsked),
		})
	case sig.Reconfirmed():
		return h.renderReconfirm(c, l, ReconfirmView{Heading: h.msg(c, "reconfirm.already.heading"), Text: h.msg(c, "reconfirm.already.text", "revision", sig.Revision)})
	}
	return h.renderReconfirm(c, l, ReconfirmView{
		Heading: h.msg(c, "reconfirm.ask.heading", "revision", *sig.ReconfirmAsked), Text: h.msg(c, "reconfirm.ask.text", "signed", sig.Revision, "revision", *sig.ReconfirmAsked),
		Agree: "/reconfirm/" + c.Params("token"), Changes: revisionPath(versionPath(l, sig.Lang), sig.Revision),
	})
}

// reconfirm records that the signer of a reconfirmation link agrees to the
// revision it asked about, and sends them to the page that says so.
func (h *Handler) reconfirm(c *fiber.Ctx) error {
	if _, _, _, err := h.store.Reconfirm(c.UserContext(), c.Params("token")); err != nil {
		return err
	}
	return c.Redirect("/reconfirm/"+c.Params("token")+"?agreed=1", fiber.StatusSeeOther)
}

// renderReconfirm shows v, of letter l, with the form to withdraw instead.
func (h *Handler) renderReconfirm(c *fiber.Ctx, l *models.Letter, v ReconfirmView) error {
	v.Letter, v.Action = h.letterView(c, l), "/reconfirm/"+c.Params("token")+"/withdraw"
	return h.render(c, fiber.StatusOK, "reconfirm", h.privatePage(c, v.Heading, v))
}

// withdrawByReconfirmation withdraws the signature of a reconfirmation link.
func (h *Handler) withdrawByReconfirmation(c *fiber.Ctx) error {
	l, err := h.store.WithdrawByReconfirmToken(c.UserContext(), c.Params("token"))
	if errors.Is(err, models.ErrNotFound) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	return h.renderWithdrawn(c, l)
}

// earlierMark marks a list entry whose signer agreed to an earlier
// revision than the current one; the list's legend (EarlierNote) says once
// what the mark means, rather than every entry saying it.
func (h *Handler) earlierMark(lang string, entry string) string {
	return entry + " " + views.Message(lang, "list.earlier_mark")
}

// EarlierNote is a list's legend of the mark beside entries whose signers
// agreed to an earlier text, and a link to what changed, when known.
type EarlierNote struct {
	Text string
	URL  string
}

// earlierNote is the legend of l's public list, or nil when no entry of
// it is marked: in the language of the version read, as the marks it
// explains are (see listEntry in sections).
func (h *Handler) earlierNote(c *fiber.Ctx, ctx context.Context, l *models.Letter) (*EarlierNote, error) {
	return h.earlierNoteIn(ctx, h.mainLang(c, l), l)
}

// earlierNoteIn is earlierNote in lang, for the packet, in its letter's.
func (h *Handler) earlierNoteIn(ctx context.Context, lang string, l *models.Letter) (*EarlierNote, error) {
	found, err := h.store.HasEarlierSigners(ctx, l)
	if err != nil || !found {
		return nil, err
	}
	return &EarlierNote{Text: views.Message(lang, "list.earlier", "revision", l.Revision, "date", views.FormatDate(lang, *l.RevisedAt)),
		URL: revisionPath(letterPath(l), l.Revision-1)}, nil
}
