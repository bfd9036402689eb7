package handlers

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"undersigned/models"
	"undersigned/views"
)

// Invitations on a page: the board's rows, and the partners the picker offers.
const (
	invitationsPerPage = 50
	partnersPicked     = 100
)

// defaultReminderInterval is Config.InvitationReminder's default.
const defaultReminderInterval = 3 * 24 * time.Hour

// RemindAnyTime is the Config.InvitationReminder that lets a reminder go
// however recently the invitation was mailed.
const RemindAnyTime time.Duration = -1

// BoardView is a letter's tracking board of invitations, with the picker
// of the partners not invited yet.
type BoardView struct {
	LetterID   int64
	Title      string
	Status     string
	Statuses   *views.Options
	Rows       []BoardRowView
	Pagination Pagination
	Done       string // what the last action did
	Days       int    // the least days between two emails of an invitation
	// The picker: the letter takes signatures (Open), the partners a
	// filter finds (Picked of Found), and the filter.
	Open                    bool
	Picked                  []PickRow
	Found                   int64
	Country, Tag, Signed    string
	Countries, PastLetters  *views.Options
	CSV, Action, RemindPath string
}

// BoardRowView is one invitation on the board.
type BoardRowView struct {
	Partner, Contact, Role, Email string
	Status                        string // its label
	Invited                       time.Time
	Reminders                     []time.Time
	Visited, Signed, Declined     *time.Time
	Bounced                       *time.Time
	Signer, SignerRole            string // empty when the signer chose not to be named
	Reason                        string
}

// PickRow is a partner the picker offers.
type PickRow struct {
	ID                   int64
	Name, Countries      string
	Contacts, Bounced    int
	ContactNames, Status string
}

// reminderInterval is the least time between two emails of an invitation.
func (h *Handler) reminderInterval() time.Duration {
	switch {
	case h.cfg.InvitationReminder == RemindAnyTime:
		return 0
	case h.cfg.InvitationReminder > 0:
		return h.cfg.InvitationReminder
	}
	return defaultReminderInterval
}

// invitationStatus reads ?status=, or "" for all.
func invitationStatus(c *fiber.Ctx) string {
	for _, s := range models.InvitationStatuses {
		if c.Query("status") == s {
			return s
		}
	}
	return ""
}

func (h *Handler) invitationBoard(c *fiber.Ctx, l *models.Letter) error {
	return h.renderBoard(c, fiber.StatusOK, l, "")
}

// renderBoard renders l's board; problem, when set, is why the last
// action was refused.
func (h *Handler) renderBoard(c *fiber.Ctx, status int, l *models.Letter, problem string) error {
	ctx := c.UserContext()
	page, filter := pageNumber(c), invitationStatus(c)
	rows, total, err := h.store.InvitationBoard(ctx, l, filter, (page-1)*invitationsPerPage, invitationsPerPage)
	if err != nil {
		return err
	}
	base := editorPath(l) + "/invitations"
	v := BoardView{
		LetterID: l.ID, Title: l.Title, Status: filter, Pagination: paginate(base, page, total, invitationsPerPage),
		Days: int(h.reminderInterval().Hours() / 24), Open: l.AcceptsSignatures(h.cfg.Now()) == nil,
		Country: strings.ToUpper(c.Query("country")), Tag: c.Query("tag"), Signed: c.Query("signed_letter"),
		Countries: countryOptions[h.lang(c)], CSV: base + ".csv?" + url.Values{"status": {filter}}.Encode(), Action: base, RemindPath: base + "/remind",
	}
	v.Pagination.Query = url.Values{"status": {filter}}
	var statuses []views.Option // the first, "—", is every status
	for _, s := range models.InvitationStatuses {
		statuses = append(statuses, views.Option{Value: s, Label: h.msg(c, "invite.status."+s)})
	}
	v.Statuses = views.NewOptions(statuses)
	for i := range rows {
		v.Rows = append(v.Rows, h.boardRow(c, &rows[i]))
	}
	if err := h.setPicker(c, ctx, l, &v); err != nil {
		return err
	}
	v.Done = h.boardDone(c)
	p := h.page(c, h.msg(c, "invite.title", "title", l.Title), v)
	p.Problem = problem
	return h.render(c, status, "invitations", p)
}

// boardDone says what the action that led to the board did.
func (h *Handler) boardDone(c *fiber.Ctx) string {
	if n := c.QueryInt("invited", -1); n >= 0 {
		return h.msg(c, "invite.done.invited", "count", n)
	}
	if n := c.QueryInt("reminded", -1); n >= 0 {
		return h.msg(c, "invite.done.reminded", "count", n) + " " + h.msg(c, "invite.done.too_recent", "count", c.QueryInt("recent"))
	}
	return ""
}

// boardRow is an invitation as the board shows it.
func (h *Handler) boardRow(c *fiber.Ctx, r *models.BoardRow) BoardRowView {
	v := BoardRowView{
		Partner: r.PartnerName, Contact: r.ContactName, Role: r.ContactRole, Email: r.ContactEmail,
		Status: h.msg(c, "invite.status."+r.Status()), Invited: r.InvitedAt, Reminders: r.Reminders,
		Visited: r.VisitedAt, Signed: r.SignedAt, Declined: r.DeclinedAt, Bounced: r.BouncedAt, Reason: r.DeclineReason,
	}
	if r.SignedAt != nil && !r.SignerDisplay.HidesName() {
		v.Signer, v.SignerRole = r.SignerName, r.SignerRole
	}
	return v
}

// setPicker fills the picker of partners not invited yet, as the query filters them.
func (h *Handler) setPicker(c *fiber.Ctx, ctx context.Context, l *models.Letter, v *BoardView) error {
	if !v.Open {
		return nil
	}
	signed, _ := strconv.ParseInt(v.Signed, 10, 64)
	partners, found, err := h.store.InvitablePartners(ctx, l, coordinator(c).ID,
		models.PartnerPick{Country: v.Country, Tag: v.Tag, SignedLetter: signed, Limit: partnersPicked})
	if err != nil {
		return err
	}
	v.Found = found
	for _, p := range partners {
		row := PickRow{ID: p.ID, Name: p.Name, Contacts: len(p.Contacts)}
		var names []string
		for _, code := range models.Lines(p.Countries) {
			names = append(names, models.CountryNameIn(h.lang(c), code))
		}
		row.Countries = strings.Join(names, ", ")
		names = nil
		for _, ct := range p.Contacts {
			names = append(names, ct.Name)
			if ct.BouncedAt != nil {
				row.Bounced++
			}
		}
		row.ContactNames = strings.Join(names, ", ")
		v.Picked = append(v.Picked, row)
	}
	orgs, err := h.store.CoordinatorLetters(ctx, coordinator(c).ID)
	if err != nil {
		return err
	}
	var past []views.Option // the first, "—", is any
	for _, o := range orgs {
		for _, pl := range o.Letters {
			if pl.ID != l.ID && pl.IsPublic() {
				past = append(past, views.Option{Value: strconv.FormatInt(pl.ID, 10), Label: pl.Title})
			}
		}
	}
	v.PastLetters = views.NewOptions(past)
	return nil
}

// InviteForm is the partners ticked on the picker.
type InviteForm struct {
	Partners []int64 `form:"partner" validate:"max=500"`
}

// invitePartners sends the ticked partners' contacts their invitations.
func (h *Handler) invitePartners(c *fiber.Ctx, l *models.Letter) error {
	var form InviteForm
	errs, err := h.parseForm(c, &form)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return h.renderBoard(c, fiber.StatusUnprocessableEntity, l, h.msg(c, "invite.too_many", "count", models.MaxInvitePartners))
	}
	n, err := h.store.Invite(c.UserContext(), l, coordinator(c).ID, form.Partners, h.invitationMail)
	if errors.Is(err, models.ErrLetterNotOpen) || errors.Is(err, models.ErrLetterClosed) {
		return h.renderBoard(c, fiber.StatusConflict, l, h.msg(c, "invite.not_open"))
	}
	if err != nil {
		return err
	}
	return c.Redirect(editorPath(l)+"/invitations?invited="+strconv.Itoa(n), fiber.StatusSeeOther)
}

// remindInvitations reminds the unanswered invitations not mailed recently.
func (h *Handler) remindInvitations(c *fiber.Ctx, l *models.Letter) error {
	done, err := h.store.RemindInvitations(c.UserContext(), l, coordinator(c).ID, h.reminderInterval(), h.invitationMail)
	if errors.Is(err, models.ErrLetterNotOpen) || errors.Is(err, models.ErrLetterClosed) {
		return h.renderBoard(c, fiber.StatusConflict, l, h.msg(c, "invite.not_open"))
	}
	if err != nil {
		return err
	}
	q := url.Values{"reminded": {strconv.Itoa(done.Sent)}, "recent": {strconv.Itoa(done.TooRecent)}}
	return c.Redirect(editorPath(l)+"/invitations?"+q.Encode(), fiber.StatusSeeOther)
}

// exportInvitations streams the board, of a status, as CSV.
func (h *Handler) exportInvitations(c *fiber.Ctx, l *models.Letter) error {
	status := invitationStatus(c)
	header := []string{"partner", "contact_name", "contact_role", "contact_email", "status", "invited_at", "reminded_at",
		"visited_at", "signed_at", "signer_name", "signer_role", "declined_at", "decline_reason", "bounced_at"}
	return h.streamCSV(c, l.Slug+"-invitations.csv", header, nil, func(ctx context.Context, write func(...string) error) error {
		return h.store.EachInvitation(ctx, l, status, func(r *models.BoardRow) error {
			reminders := make([]string, len(r.Reminders))
			for i, t := range r.Reminders {
				reminders[i] = csvTime(&t)
			}
			signer, role := r.SignerName, r.SignerRole
			if r.SignedAt == nil || r.SignerDisplay.HidesName() {
				signer, role = "", ""
			}
			return write(r.PartnerName, r.ContactName, r.ContactRole, r.ContactEmail, r.Status(), csvTime(&r.InvitedAt),
				strings.Join(reminders, ";"), csvTime(r.VisitedAt), csvTime(r.SignedAt), signer, role, csvTime(r.DeclinedAt),
				r.DeclineReason, csvTime(r.BouncedAt))
		})
	})
}

// csvTime is a time in a CSV cell, in UTC; empty for none.
func csvTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// invitationMail writes an invitation, or its reminder, in the language
// of the version of the letter the contact reads.
func (h *Handler) invitationMail(e models.InvitationEmail) models.Message {
	kind := views.InviteEmail
	if e.Reminder {
		kind = views.InviteReminderEmail
	}
	lang := views.Negotiate(e.Letter.Lang, views.DefaultLang)
	deadline := ""
	if e.Letter.ClosesOn != nil {
		deadline = " " + views.Message(lang, "invite.mail.deadline", "date", views.FormatDate(lang, *e.Letter.ClosesOn))
	}
	link := h.absolute("/invited/" + e.Token)
	return addressed(e.Contact.Email, views.ComposeEmail(lang, kind, "name", e.Contact.Name, "inviter", e.Inviter,
		"organisation", e.Organisation, "partner", e.Partner, "title", e.Letter.Title, "deadline", deadline,
		"sign_url", link, "decline_url", link+"/decline"))
}

// InvitedView is the page an invitation's link opens: the letter, and the
// form that signs it for the partner, or the one that declines.
type InvitedView struct {
	Letter    LetterView
	Partner   string
	Form      InvitedForm
	Countries *views.Options
	Displays  []views.Option
	Action    string
	Decline   string // the decline page's address
	Declining bool   // the page is the decline page
	Reason    string
}

// InvitedForm signs a letter for the invited partner, whose name is the
// organisation's (Partner, set from the invitation, not from the form).
type InvitedForm struct {
	Name    string `form:"name"`
	Role    string `form:"role"`
	Country string `form:"country"`
	Email   string `form:"email"`
	Display string `form:"display"`
	News    bool   `form:"news"`
	Partner string `form:"-" validate:"-"`
}

func (f *InvitedForm) normalize() {
	f.Name, f.Role = models.NormalizeText(f.Name), models.NormalizeText(f.Role)
	f.Country, f.Email = strings.ToUpper(strings.TrimSpace(f.Country)), strings.TrimSpace(f.Email)
}

func (f *InvitedForm) signature() models.NewSignature {
	return models.NewSignature{Kind: models.KindOrganisation, Name: f.Name, Affiliation: f.Partner, Role: f.Role,
		Country: f.Country, Email: f.Email, Display: models.Display(f.Display), News: f.News}
}

func (f *InvitedForm) input() any { return f.signature() }

// DeclineForm declines an invitation, with an optional reason.
type DeclineForm struct {
	Reason string `form:"reason" validate:"max=1000,multiline"`
}

func (f *DeclineForm) normalize() { f.Reason = models.NormalizeMultiline(f.Reason) }

// invitedPath is the address of the invitation link of the request.
func invitedPath(c *fiber.Ctx) string { return "/invited/" + c.Params("token") }

// invitedPage opens an invitation's link: the letter and the form that
// signs it for the partner, the contact's name and address suggested. It
// records the first visit, and signs nothing.
func (h *Handler) invitedPage(c *fiber.Ctx) error {
	inv, err := h.store.OpenInvitation(c.UserContext(), c.Params("token"))
	if err != nil {
		return h.invitationRefused(c, inv, err)
	}
	form := &InvitedForm{Name: inv.Contact.Name, Role: inv.Contact.Role, Email: inv.Contact.Email, Display: string(models.DisplayFull)}
	if countries := models.Lines(inv.Partner.Countries); len(countries) > 0 {
		form.Country = countries[0]
	}
	return h.renderInvited(c, fiber.StatusOK, inv, form, nil)
}

// renderInvited renders the signing page of an invitation.
func (h *Handler) renderInvited(c *fiber.Ctx, status int, inv *models.Invited, form *InvitedForm, errs views.FormErrors) error {
	v := InvitedView{
		Letter: h.letterView(c, inv.Letter), Partner: inv.Partner.Name, Countries: countryOptions[h.lang(c)],
		Form: *form, Displays: displayOptions(h.lang(c)), Action: invitedPath(c), Decline: invitedPath(c) + "/decline",
	}
	v.Letter.HiddenUntil = h.hiddenUntil(c, inv.Letter) // the page says the list appears at once: not before its launch
	p := h.privatePage(c, h.msg(c, "invite.page.title", "partner", inv.Partner.Name), v)
	p.Errors = errs
	return h.render(c, status, "invited", p)
}

// signInvited signs the letter for the invited partner: listed at once,
// verified by the invitation.
func (h *Handler) signInvited(c *fiber.Ctx) error {
	inv, err := h.store.OpenInvitation(c.UserContext(), c.Params("token"))
	if err != nil {
		return h.invitationRefused(c, inv, err)
	}
	form := &InvitedForm{Partner: inv.Partner.Name}
	errs, err := h.parseForm(c, form)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return h.renderInvited(c, fiber.StatusUnprocessableEntity, inv, form, errs)
	}
	_, err = h.store.SignByInvitation(c.UserContext(), c.Params("token"), form.signature(), h.versionMail(inv.Letter))
	switch {
	case errors.Is(err, models.ErrAlreadySigned):
		return h.renderInvited(c, fiber.StatusUnprocessableEntity, inv, form, h.fieldError(c, "email", "invite.error.email_signed"))
	case err != nil:
		return h.invitationRefused(c, inv, err)
	}
	return c.Redirect(invitedPath(c)+"?signed=1", fiber.StatusSeeOther)
}

// invitationRefused says why an invitation's link cannot sign, with a
// status that says it: 404 for a link unknown (or of a letter deleted),
// 409 for one used or declined, or an organisation that signed already,
// 410 for a letter closed. The link of an invitation just used, with
// ?signed, says it signed, and one just declined, with ?declined, that it
// was declined.
func (h *Handler) invitationRefused(c *fiber.Ctx, inv *models.Invited, err error) error {
	var key string
	switch {
	case inv == nil:
		return err
	case errors.Is(err, models.ErrLetterClosed), errors.Is(err, models.ErrLetterNotOpen):
		return h.renderNotTaking(c, inv.Letter, err)
	case errors.Is(err, models.ErrInvitationUsed) && c.Query("signed") != "":
		key = "signed"
	case errors.Is(err, models.ErrInvitationUsed):
		key = "used"
	case errors.Is(err, models.ErrInvitationDeclined):
		key = "declined"
	case errors.Is(err, models.ErrOrganisationSigned):
		key = "organisation_signed"
	case errors.Is(err, models.ErrKindNotAllowed):
		key = "individuals_only"
	default:
		return err
	}
	status := fiber.StatusConflict
	if key == "signed" || (key == "declined" && c.Query("declined") != "") {
		status = fiber.StatusOK
	}
	text := h.msg(c, "invite.link."+key+".text", "partner", inv.Partner.Name)
	if hidden := h.hiddenUntil(c, inv.Letter); key == "signed" && hidden != nil {
		// On the list, but a list no one sees yet: a signer at risk learns when it will be public.
		text += " " + h.msg(c, "campaign.list_hidden", "date", views.FormatDateTime(h.lang(c), *hidden))
	}
	return h.renderLink(c, status, LinkView{Letter: h.letterView(c, inv.Letter), Heading: h.msg(c, "invite.link."+key+".heading"), Text: text})
}

// declinePage shows the button that declines an invitation; opening it
// changes nothing, since mail scanners open links too.
func (h *Handler) declinePage(c *fiber.Ctx) error {
	inv, err := h.store.OpenInvitation(c.UserContext(), c.Params("token"))
	if err != nil {
		return h.invitationRefused(c, inv, err)
	}
	return h.renderDecline(c, fiber.StatusOK, inv, "", nil)
}

// renderDecline renders the decline page of an invitation.
func (h *Handler) renderDecline(c *fiber.Ctx, status int, inv *models.Invited, reason string, errs views.FormErrors) error {
	v := InvitedView{Letter: h.letterView(c, inv.Letter), Partner: inv.Partner.Name, Action: invitedPath(c) + "/decline", Declining: true, Reason: reason}
	p := h.privatePage(c, h.msg(c, "invite.decline.title", "partner", inv.Partner.Name), v)
	p.Errors = errs
	return h.render(c, status, "invited", p)
}

// decline declines an invitation; declining again is harmless.
func (h *Handler) decline(c *fiber.Ctx) error {
	inv, err := h.store.OpenInvitation(c.UserContext(), c.Params("token"))
	if err != nil && !errors.Is(err, models.ErrInvitationDeclined) {
		return h.invitationRefused(c, inv, err)
	}
	var form DeclineForm
	errs, err := h.parseForm(c, &form)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return h.renderDecline(c, fiber.StatusUnprocessableEntity, inv, form.Reason, errs)
	}
	if _, err := h.store.DeclineInvitation(c.UserContext(), c.Params("token"), form.Reason); err != nil {
		return h.invitationRefused(c, inv, err)
	}
	return c.Redirect(invitedPath(c)+"/decline?declined=1", fiber.StatusSeeOther)
}
