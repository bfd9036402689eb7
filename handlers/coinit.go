package handlers

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"undersigned/models"
	"undersigned/views"
)

// pendingCoInitiationsShown bounds the invitations the editor lists.
const pendingCoInitiationsShown = 50

// CoInitiatorForm invites a coordinator of another organisation, by
// email, to co-initiate a letter. The address is required, with a message
// of its own (see inviteCoInitiator): the sign form's speaks of the
// signer's own address.
type CoInitiatorForm struct {
	Email string `form:"email" validate:"omitempty,max=254,email,visible_email"`
}

func (f *CoInitiatorForm) normalize() { f.Email = strings.TrimSpace(f.Email) }

// CoInitiationSection is the editor's part on co-initiators: who initiates
// the letter, the invitations not accepted yet, and the form that invites
// another organisation.
type CoInitiationSection struct {
	Initiators []string // the initiating organisations: its own, then its co-initiators
	Pending    []PendingCoInitiation
	Form       CoInitiatorForm
	Sent       bool // an invitation was just sent
}

// PendingCoInitiation is an invitation to co-initiate not accepted yet.
type PendingCoInitiation struct {
	Email              string
	InvitedAt, Expires time.Time
	Expired            bool
}

func (h *Handler) coInitiationSection(ctx context.Context, l *models.Letter) (CoInitiationSection, error) {
	var s CoInitiationSection
	for _, o := range l.Initiating {
		s.Initiators = append(s.Initiators, o.Name)
	}
	pending, err := h.store.PendingCoInitiations(ctx, l, pendingCoInitiationsShown)
	for _, p := range pending {
		s.Pending = append(s.Pending, PendingCoInitiation{Email: p.Email, InvitedAt: p.InvitedAt, Expires: p.ExpiresAt, Expired: !time.Now().Before(p.ExpiresAt)})
	}
	return s, err
}

// inviteCoInitiator emails the link that makes another organisation a
// co-initiator of l, in the inviter's language. The answer is the same
// whether the address belongs to an account or not.
func (h *Handler) inviteCoInitiator(c *fiber.Ctx, l *models.Letter) error {
	var form CoInitiatorForm
	errs, err := h.parseForm(c, &form)
	if err != nil {
		return err
	}
	if form.Email == "" {
		errs = h.fieldError(c, "email", "coinit.error_email")
	}
	if len(errs) == 0 {
		lang, inviter := h.lang(c), coordinator(c)
		err := h.store.InviteCoInitiator(c.UserContext(), l, inviter.ID, form.Email, func(token, organisation string) models.Message {
			return addressed(form.Email, views.ComposeEmail(lang, views.CoInitiationEmail, "name", inviter.Name, "organisation", organisation,
				"title", l.Title, "url", h.absolute(coInitiationPath(token)), "until", time.Now().Add(models.InvitationTTL)))
		})
		if err != nil {
			return err
		}
		return c.Redirect(editorPath(l)+"?co-invited=1#co-initiators", fiber.StatusSeeOther)
	}
	v, err := h.letterEditorView(c, c.UserContext(), l, letterFormOf(l), settingsFormOf(l))
	if err != nil {
		return err
	}
	v.CoInitiation.Form = form
	return h.renderEditor(c, fiber.StatusUnprocessableEntity, l, v, errs)
}

func coInitiationPath(token string) string { return "/dashboard/co-initiations/" + token }

// CoInitiationView is the page of an invitation to co-initiate a letter:
// the letter and who invites, then the Accept button, or what became of
// the invitation.
type CoInitiationView struct {
	Title, Lang, Inviter, InvitingOrganisation string
	Action                                     string
	Expired                                    bool
	Accepted                                   string // the organisation that accepted it
	JustAccepted                               bool
	Initiator                                  bool   // one of the coordinator's organisations initiates the letter
	ForAnother                                 bool   // sent to another address than the coordinator's: they may not accept it
	Editor                                     string // the letter's editor
	// The coordinator's organisations that may accept, if it was sent to
	// them: a choice when
	// there are several, else the one.
	Choices      *views.Options
	Organisation string
	OnlyName     string
}

// MayAccept reports whether the coordinator has an organisation that may
// accept the invitation: one that does not initiate the letter already.
func (v CoInitiationView) MayAccept() bool {
	return !v.ForAnother && (v.Choices != nil || v.OnlyName != "")
}

// coInitiationPage shows an invitation to co-initiate. Opening it changes
// nothing: mail scanners open links too.
func (h *Handler) coInitiationPage(c *fiber.Ctx) error {
	v, status, err := h.coInitiationView(c)
	if err != nil {
		return err
	}
	v.JustAccepted = c.Query("accepted") != ""
	return h.render(c, status, "coinitiation", h.privatePage(c, h.msg(c, "coinit.page_title"), v))
}

// acceptCoInitiation makes the chosen organisation of the coordinator a
// co-initiator. An invitation accepted already says so, and changes
// nothing.
func (h *Handler) acceptCoInitiation(c *fiber.Ctx) error {
	v, status, err := h.coInitiationView(c)
	if err != nil || status != fiber.StatusOK || v.Accepted != "" || !v.MayAccept() {
		if err == nil {
			err = h.render(c, status, "coinitiation", h.privatePage(c, h.msg(c, "coinit.page_title"), v))
		}
		return err
	}
	if v.Choices != nil {
		v.Organisation = c.FormValue("organisation")
	}
	orgID, _ := strconv.ParseInt(v.Organisation, 10, 64)
	err = h.store.AcceptCoInitiation(c.UserContext(), c.Params("token"), coordinator(c).ID, orgID)
	switch {
	case err == nil:
		return c.Redirect(c.Path()+"?accepted=1", fiber.StatusSeeOther)
	case errors.Is(err, models.ErrCoInitiationAccepted):
		return c.Redirect(c.Path(), fiber.StatusSeeOther)
	case errors.Is(err, models.ErrNotFound), errors.Is(err, models.ErrAlreadyInitiator):
		p := h.privatePage(c, h.msg(c, "coinit.page_title"), v)
		p.Errors = h.fieldError(c, "organisation", "error.choice")
		return h.render(c, fiber.StatusUnprocessableEntity, "coinitiation", p)
	}
	return err
}

// coInitiationView reads the invitation of the request's token for the
// coordinator, with the status its page answers with: 410 once expired.
func (h *Handler) coInitiationView(c *fiber.Ctx) (CoInitiationView, int, error) {
	ctx, u := c.UserContext(), coordinator(c)
	offer, err := h.store.CoInitiationByToken(ctx, c.Params("token"))
	if err != nil {
		return CoInitiationView{}, 0, err
	}
	orgs, err := h.store.Organisations(ctx, u.ID)
	if err != nil {
		return CoInitiationView{}, 0, err
	}
	l := &offer.Letter
	v := CoInitiationView{Title: l.Title, Lang: l.Lang, Inviter: offer.Inviter, InvitingOrganisation: offer.InvitingOrganisation,
		Action: c.Path(), Expired: offer.Expired, Editor: editorPath(l)}
	if offer.Accepted != nil {
		v.Accepted = offer.Accepted.Name
	}
	var choices []views.Option
	for _, o := range orgs {
		if slices.ContainsFunc(l.Initiating, func(i models.Organisation) bool { return i.ID == o.ID }) {
			v.Initiator = true
			continue
		}
		choices = append(choices, views.Option{Value: strconv.FormatInt(o.ID, 10), Label: o.Name})
	}
	// Sent to another address: only its account may accept. An
	// organisation that initiates the letter already is told that instead.
	v.ForAnother = len(choices) > 0 && !offer.Invitation.SentTo(u)
	switch len(choices) {
	case 0:
	case 1:
		v.Organisation, v.OnlyName = choices[0].Value, choices[0].Label
	default:
		v.Choices = views.NewOptions(choices)
	}
	switch {
	case v.Expired:
		return v, fiber.StatusGone, nil
	case v.ForAnother && v.Accepted == "":
		return v, fiber.StatusForbidden, nil
	}
	return v, fiber.StatusOK, nil
}
