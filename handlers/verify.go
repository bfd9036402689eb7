package handlers

import (
	"errors"
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"undersigned/models"
)

// ReviewRow is a signature in the review queue. For an organisation's, it
// shows who signs for it (unless they hide their name), the domain of their
// address with whether it is one of the organisation's, and the other
// entries that may be the same organisation, each with a merge button.
type ReviewRow struct {
	SignatureRow
	Organisation  bool
	Person, Role  string
	Domain        string
	DomainMatches bool
	Duplicates    []DuplicateRow
}

// DuplicateRow is an entry of the letter that may be the same organisation
// as a signature in review: the signature can be merged into it.
type DuplicateRow struct {
	ID     int64
	Entry  string
	Listed bool
}

// reviewRows are a page of l's review queue as its rows, with what the
// store knows of its organisations' endorsements.
func (h *Handler) reviewRows(c *fiber.Ctx, l *models.Letter, sigs []models.Signature) ([]ReviewRow, error) {
	endorsements, err := h.store.Endorsements(c.UserContext(), l, sigs)
	if err != nil {
		return nil, err
	}
	lang := h.lang(c)
	base := h.signatureRows(c, sigs)
	rows := make([]ReviewRow, len(sigs))
	for i := range sigs {
		s := &sigs[i]
		rows[i] = ReviewRow{SignatureRow: base[i]}
		e, ok := endorsements[s.ID]
		if !ok {
			continue
		}
		rows[i].Organisation, rows[i].Domain, rows[i].DomainMatches = true, models.DomainOf(s.Email), e.DomainMatches
		if !s.Display.HidesName() {
			rows[i].Person, rows[i].Role = s.Name, s.Role
		}
		for j := range e.Duplicates {
			d := &e.Duplicates[j]
			rows[i].Duplicates = append(rows[i].Duplicates, DuplicateRow{ID: d.ID, Entry: h.entry(lang, d), Listed: d.Status == models.StatusListed})
		}
	}
	return rows, nil
}

// verifySignature verifies the :sig organisation's signature by hand, and
// returns to the review queue.
func (h *Handler) verifySignature(c *fiber.Ctx, l *models.Letter) error {
	sigID, err := strconv.ParseInt(c.Params("sig"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	n, err := h.store.VerifySignatures(c.UserContext(), l, coordinator(c).ID, []int64{sigID})
	switch {
	case errors.Is(err, models.ErrNotFound):
		return fiber.ErrNotFound
	case errors.Is(err, models.ErrNotOrganisation):
		return h.renderReview(c, fiber.StatusUnprocessableEntity, l, h.msg(c, "verify.error.not_organisation"))
	case err != nil:
		return err
	}
	return c.Redirect(editorPath(l)+"/review?"+url.Values{"verified": {strconv.Itoa(n)}}.Encode(), fiber.StatusSeeOther)
}

// mergeSignature merges the :sig organisation's signature, a duplicate,
// into the entry of the form's "into", and returns to the review queue.
func (h *Handler) mergeSignature(c *fiber.Ctx, l *models.Letter) error {
	sigID, err := strconv.ParseInt(c.Params("sig"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	into, err := strconv.ParseInt(c.FormValue("into"), 10, 64)
	if err == nil {
		err = h.store.MergeSignature(c.UserContext(), l, coordinator(c).ID, sigID, into, h.entryIn(h.lang(c)))
	} else {
		err = models.ErrCannotMerge
	}
	switch {
	case errors.Is(err, models.ErrNotFound):
		return fiber.ErrNotFound
	case errors.Is(err, models.ErrNotOrganisation):
		return h.renderReview(c, fiber.StatusUnprocessableEntity, l, h.msg(c, "verify.error.not_organisation"))
	case errors.Is(err, models.ErrCannotMerge):
		return h.renderReview(c, fiber.StatusUnprocessableEntity, l, h.msg(c, "verify.error.merge"))
	case err != nil:
		return err
	}
	return c.Redirect(editorPath(l)+"/review?merged=1", fiber.StatusSeeOther)
}
