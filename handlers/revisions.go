package handlers

import (
	"errors"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"undersigned/models"
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

func revisionPath(slug string, n int) string {
	return "/letters/" + slug + "/revisions/" + strconv.Itoa(n)
}

// revision shows revision :n of a published letter's text as it read, and
// what differs in the current one.
func (h *Handler) revision(c *fiber.Ctx) error {
	ctx := c.UserContext()
	l, err := h.store.PublicLetter(ctx, c.Params("slug"))
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(c.Params("n"))
	if err != nil || n < 1 || n > l.Revision {
		return fiber.ErrNotFound
	}
	shown := l
	if n < l.Revision {
		r, err := h.store.LetterRevisionByNumber(ctx, l, n)
		if err != nil {
			return err
		}
		if shown, err = r.AsLetter(l); err != nil {
			return err
		}
	}
	v := RevisionView{Letter: h.letterView(shown), Number: n, Current: l.Revision, IsCurrent: n == l.Revision}
	if !v.IsCurrent {
		for _, p := range models.DiffLetters(shown, l) {
			v.Diff = append(v.Diff, DiffView{Inserted: p.Op == models.DiffInsert, Deleted: p.Op == models.DiffDelete, Text: p.Text})
		}
	}
	dates, err := h.store.RevisionDates(ctx, l)
	if err != nil {
		return err
	}
	for _, d := range dates {
		v.Revisions = append(v.Revisions, RevisionLink{Number: d.Number, Date: d.CreatedAt, URL: revisionPath(l.Slug, d.Number), Here: d.Number == n})
	}
	p := h.page(c, h.msg("revision.title", l.Title, n), v)
	p.Canonical, p.Summary, p.Article = h.absolute(c.Path()), l.Summary, true
	return h.render(c, fiber.StatusOK, "revision", p)
}

// reconfirmationMail writes the email that asks the signer of an earlier
// revision to agree to the current text, or to withdraw.
func (h *Handler) reconfirmationMail(l *models.Letter, sig *models.Signature, token string) models.Message {
	return models.Message{
		To:      sig.Email,
		Subject: h.msg("mail.reconfirm.subject", l.Title),
		Body: h.msg("mail.reconfirm.body", l.Title, sig.Revision, l.Revision, h.absolute(revisionPath(l.Slug, sig.Revision)),
			h.absolute("/reconfirm/"+token)),
	}
}

// askReconfirmation emails the signers of earlier revisions a link to agree
// to the current one.
func (h *Handler) askReconfirmation(c *fiber.Ctx, l *models.Letter) error {
	n, err := h.store.AskReconfirmation(c.UserContext(), l, coordinator(c).ID, h.reconfirmationMail, func(asked, revision int) string {
		if asked == 1 {
			return h.msg("audit.reconfirm_detail_one", revision)
		}
		return h.msg("audit.reconfirm_detail", asked, revision)
	})
	if err != nil {
		return err
	}
	return c.Redirect("/dashboard/letters/"+strconv.FormatInt(l.ID, 10)+"?asked="+strconv.Itoa(n), fiber.StatusSeeOther)
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
			Heading: h.msg("reconfirm.done.heading", *sig.ReconfirmAsked), Text: h.msg("reconfirm.done.text", *sig.ReconfirmAsked),
		})
	case sig.Reconfirmed():
		return h.renderReconfirm(c, l, ReconfirmView{Heading: h.msg("reconfirm.already.heading"), Text: h.msg("reconfirm.already.text", sig.Revision)})
	}
	return h.renderReconfirm(c, l, ReconfirmView{
		Heading: h.msg("reconfirm.ask.heading", *sig.ReconfirmAsked), Text: h.msg("reconfirm.ask.text", sig.Revision, *sig.ReconfirmAsked),
		Agree: "/reconfirm/" + c.Params("token"), Changes: revisionPath(l.Slug, sig.Revision),
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
	v.Letter, v.Action = h.letterView(l), "/reconfirm/"+c.Params("token")+"/withdraw"
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

// revisionNote is the mark of a list entry whose signer agreed to an
// earlier revision than the current one.
func (h *Handler) revisionNote(entry string, signed int) string {
	return entry + " " + h.msg("list.signed_revision", signed)
}
