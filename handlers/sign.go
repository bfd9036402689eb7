package handlers

import (
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"

	"undersigned/models"
	"undersigned/views"
)

// SignView is the signing form beside an open letter.
type SignView struct {
	Action    string
	Form      *SignForm
	Kinds     []views.Option // empty when the letter takes one kind only
	Kind      string         // that one kind
	Countries *views.Options
	Problem   string // a message for the whole form
}

// countryOptions are the choices of the country selects, built once.
var countryOptions = func() *views.Options {
	var out []views.Option
	for _, c := range models.Countries() {
		out = append(out, views.Option{Value: c.Code, Label: c.Name})
	}
	return views.NewOptions(out)
}()

func (h *Handler) signView(l *models.Letter, form *SignForm, problem string) *SignView {
	v := &SignView{Action: "/letters/" + l.Slug + "/sign", Form: form, Countries: countryOptions, Problem: problem}
	switch l.Signers {
	case models.SignersIndividuals:
		v.Kind = string(models.KindIndividual)
	case models.SignersOrganisations:
		v.Kind = string(models.KindOrganisation)
	default:
		v.Kinds = []views.Option{
			{Value: string(models.KindIndividual), Label: h.msg("sign.kind.individual")},
			{Value: string(models.KindOrganisation), Label: h.msg("sign.kind.organisation")},
		}
	}
	if form.Kind == "" {
		form.Kind = string(models.KindIndividual)
		if v.Kind != "" {
			form.Kind = v.Kind
		}
	}
	return v
}

func (h *Handler) sign(c *fiber.Ctx) error {
	l, err := h.store.PublicLetter(c.UserContext(), c.Params("slug"))
	if err != nil {
		return err
	}
	if err := l.AcceptsSignatures(time.Now()); err != nil {
		return h.renderNotTaking(c, l, err)
	}
	var form SignForm
	errs, err := h.parseForm(c, &form)
	if err != nil {
		return err
	}
	if form.Website != "" {
		// A bot filled the hidden field: it is shown success and nothing is stored.
		return c.Redirect("/letters/"+l.Slug+"/thanks", fiber.StatusSeeOther)
	}
	if errs.For("kind") == "" && !l.AllowsKind(models.SignatureKind(form.Kind)) {
		errs = append(h.fieldError("kind", "error.choice"), errs...)
	}
	if len(errs) > 0 {
		return h.renderLetter(c, fiber.StatusUnprocessableEntity, l, &form, errs, "")
	}
	in := models.NewSignature{
		Kind: models.SignatureKind(form.Kind), Name: form.Name, Affiliation: form.Affiliation, Role: form.Role,
		Country: form.Country, Country2: form.Country2, Email: form.Email,
	}
	_, err = h.store.AddSignature(c.UserContext(), l.ID, in)
	switch {
	case errors.Is(err, models.ErrAlreadySigned):
		return h.renderLetter(c, fiber.StatusConflict, l, &form, h.fieldError("email", "sign.already_signed"), "")
	case errors.Is(err, models.ErrLetterClosed), errors.Is(err, models.ErrLetterNotOpen):
		return h.renderNotTaking(c, l, err)
	case err != nil:
		return err
	}
	return c.Redirect("/letters/"+l.Slug+"/thanks", fiber.StatusSeeOther)
}

// signRateLimited answers a signature over the limit with the letter, the
// form as it was typed and a message that says when to try again.
func (h *Handler) signRateLimited(c *fiber.Ctx) error {
	l, err := h.store.PublicLetter(c.UserContext(), c.Params("slug"))
	if err != nil {
		return err
	}
	var form SignForm
	if err := c.BodyParser(&form); err != nil {
		return fiber.ErrBadRequest
	}
	form.normalize()
	return h.renderLetter(c, fiber.StatusTooManyRequests, l, &form, nil, h.msg("sign.rate_limited", retryMinutes(c)))
}

// ClosedView is the page a letter shows when it takes no more signatures.
type ClosedView struct {
	Letter LetterView
	Reason string
}

// renderNotTaking answers a signature a letter does not take: 410 Gone once
// it has closed.
func (h *Handler) renderNotTaking(c *fiber.Ctx, l *models.Letter, why error) error {
	p := h.page(c, h.msg("closed.title"), ClosedView{Letter: h.letterView(l), Reason: h.msg("closed.text")})
	status := fiber.StatusGone
	if errors.Is(why, models.ErrLetterNotOpen) {
		status = fiber.StatusConflict
	}
	return h.render(c, status, "closed", p)
}

// ThanksView is the page after signing.
type ThanksView struct {
	Letter LetterView
}

func (h *Handler) thanks(c *fiber.Ctx) error {
	l, err := h.store.PublicLetter(c.UserContext(), c.Params("slug"))
	if err != nil {
		return err
	}
	p := h.page(c, h.msg("thanks.title"), ThanksView{Letter: h.letterView(l)})
	p.Robots = "noindex"
	return h.render(c, fiber.StatusOK, "thanks", p)
}
