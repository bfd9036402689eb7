package handlers

import (
	"context"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"undersigned/models"
	"undersigned/views"
)

// updateExcerptLength is how much of its latest update a letter's card on
// the index shows.
const updateExcerptLength = 200

// UpdateView is a dated update on a letter.
type UpdateView struct {
	ID      int64
	Date    time.Time
	Body    string // Markdown, rendered by the template (views.RenderMarkdown)
	Excerpt string
	// Milestone and Goal name the goal a milestone says was reached (see
	// models.LetterUpdate): the template words it in the page's language.
	Milestone string
	Goal      int64
	// ResponseFrom names who answered, for a response to the letter; Link
	// is where it can be read elsewhere, and PDF the address of the PDF
	// kept of it ("" for none).
	ResponseFrom string
	Link         string
	PDF          string
}

func updateView(u *models.LetterUpdate) UpdateView {
	return UpdateView{ID: u.ID, Date: u.PostedOn, Body: u.Body, Milestone: u.Milestone, Goal: u.Goal, ResponseFrom: u.ResponseFrom, Link: u.Link}
}

// letterUpdates returns the letter's updates, newest first.
func (h *Handler) letterUpdates(ctx context.Context, l *models.Letter) ([]UpdateView, error) {
	updates, err := h.store.LetterUpdates(ctx, l.ID)
	out := make([]UpdateView, len(updates))
	for i := range updates {
		out[i] = updateView(&updates[i])
		if updates[i].FileSize > 0 {
			out[i].PDF = responsePDFPath(l.Slug, updates[i].ID)
		}
	}
	return out, err
}

// setLatestUpdates gives each letter card its newest update, in one query.
func (h *Handler) setLatestUpdates(ctx context.Context, letters []models.Letter, cards []LetterView) error {
	ids := make([]int64, len(letters))
	for i := range letters {
		ids[i] = letters[i].ID
	}
	latest, err := h.store.LatestUpdates(ctx, ids)
	for i := range letters {
		if u, ok := latest[letters[i].ID]; ok {
			uv := updateView(&u)
			uv.Excerpt = views.Excerpt(u.Body, updateExcerptLength) // only the index shows it
			cards[i].LatestUpdate = &uv
		}
	}
	return err
}

// postUpdate posts a dated update on the letter.
func (h *Handler) postUpdate(c *fiber.Ctx, l *models.Letter) error {
	var form UpdateForm
	errs, err := h.parseForm(c, &form)
	if err != nil {
		return err
	}
	if len(errs) == 0 {
		on, _ := time.Parse(time.DateOnly, form.On) // validated
		if _, err := h.store.AddUpdate(c.UserContext(), l, on, form.Body); err != nil {
			return err
		}
		return c.Redirect(editorPath(l)+"?saved=1#updates", fiber.StatusSeeOther)
	}
	v, err := h.letterEditorView(c, c.UserContext(), l, letterFormOf(l), settingsFormOf(l))
	if err != nil {
		return err
	}
	v.Update = form
	return h.renderEditor(c, fiber.StatusUnprocessableEntity, l, v, errs)
}

// deleteUpdate deletes one of the letter's updates.
func (h *Handler) deleteUpdate(c *fiber.Ctx, l *models.Letter) error {
	id, err := strconv.ParseInt(c.Params("update"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	if err := h.store.DeleteUpdate(c.UserContext(), l, id); err != nil {
		return err
	}
	return c.Redirect(editorPath(l)+"?saved=1#updates", fiber.StatusSeeOther)
}
