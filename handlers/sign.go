package handlers

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"undersigned/models"
	"undersigned/views"
)

// signatureCookie keeps the private management token of the signature this
// browser just made, so that the thank-you page can say what happens next
// and resend the confirmation; for 20 minutes only, as the browser may be a
// shared one.
const signatureCookie = "undersigned_signature"

// SignView is the signing form beside an open letter.
type SignView struct {
	Action    string
	Form      *SignForm
	Kinds     []views.Option // empty when the letter takes one kind only
	Kind      string         // that one kind
	Displays  []views.Option
	Countries *views.Options
	// AffiliationRule and AffiliationHint are the affiliation field's flags
	// (see views.Page.Field): required for organisations, optional for
	// individuals, and which the hint says when a letter takes both.
	AffiliationRule, AffiliationHint string
	// HTML, when set, is the form already rendered: the page shows it as is.
	HTML template.HTML
}

// countryOptions are the choices of the country selects, built once.
var countryOptions = func() *views.Options {
	var out []views.Option
	for _, c := range models.Countries() {
		out = append(out, views.Option{Value: c.Code, Label: c.Name})
	}
	return views.NewOptions(out)
}()

func (h *Handler) signView(c *fiber.Ctx, l *models.Letter, form *SignForm) *SignView {
	v := &SignView{Action: "/letters/" + l.Slug + "/sign", Form: form, Countries: countryOptions}
	switch l.Signers {
	case models.SignersIndividuals:
		v.Kind = string(models.KindIndividual)
		v.AffiliationHint = "hint=affiliation_person"
	case models.SignersOrganisations:
		v.Kind = string(models.KindOrganisation)
		v.AffiliationRule, v.AffiliationHint = "required", "hint=affiliation_org"
	default:
		v.AffiliationRule = "optional="
		v.Kinds = []views.Option{
			{Value: string(models.KindIndividual), Label: h.msg("sign.kind.individual")},
			{Value: string(models.KindOrganisation), Label: h.msg("sign.kind.organisation")},
		}
	}
	v.Displays = h.displayOptions()
	if form.Kind == "" {
		form.Kind = string(models.KindIndividual)
		if v.Kind != "" {
			form.Kind = v.Kind
		}
	}
	if form.Display == "" {
		form.Display = string(models.DisplayFull)
	}
	if _, ok := h.startedAt(form.Started); !ok {
		form.Started = h.formStarted(c)
	}
	return v
}

// formStarted is the started token of a signing form shown now: the page
// cache's marker while a page renders for the cache, which then gives each
// visitor their own.
func (h *Handler) formStarted(c *fiber.Ctx) string {
	if marker, ok := c.Locals(localStartedToken).(string); ok {
		return marker
	}
	return h.startedToken(time.Now())
}

// displayOptions are the choices of how a signature appears.
func (h *Handler) displayOptions() []views.Option {
	var out []views.Option
	for _, d := range []models.Display{models.DisplayFull, models.DisplayAnonymous, models.DisplayCounted} {
		out = append(out, views.Option{Value: string(d), Label: h.msg("display." + string(d))})
	}
	return out
}

// startedToken signs the time a signing form was shown, so that a bot cannot
// claim it saw the form earlier than it did.
func (h *Handler) startedToken(t time.Time) string {
	unix := strconv.FormatInt(t.Unix(), 10)
	return unix + "." + h.startedMAC(unix)
}

func (h *Handler) startedMAC(unix string) string {
	m := hmac.New(sha256.New, h.csrfKey)
	m.Write([]byte("form-started:" + unix))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}

// startedAt reads a startedToken back.
func (h *Handler) startedAt(token string) (time.Time, bool) {
	unix, mac, ok := strings.Cut(token, ".")
	n, err := strconv.ParseInt(unix, 10, 64)
	if !ok || err != nil || !hmac.Equal([]byte(mac), []byte(h.startedMAC(unix))) {
		return time.Time{}, false
	}
	return time.Unix(n, 0), true
}

// looksAutomated reports whether a signing form was sent by a bot: it filled
// the hidden honeypot, or sent the form faster than a person can.
func (h *Handler) looksAutomated(form *SignForm) bool {
	if form.Code != "" {
		return true
	}
	if h.cfg.MinSignTime <= 0 {
		return false
	}
	started, ok := h.startedAt(form.Started)
	return !ok || time.Since(started) < h.cfg.MinSignTime
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
	thanks := "/letters/" + l.Slug + "/thanks"
	if h.looksAutomated(&form) {
		// The bot is shown success and nothing is stored.
		h.log.Info("signature dropped as automated", "letter", l.ID)
		return c.Redirect(thanks, fiber.StatusSeeOther)
	}
	if errs.For("kind") == "" && !l.AllowsKind(models.SignatureKind(form.Kind)) {
		errs = append(h.fieldError("kind", "error.choice"), errs...)
	}
	if len(errs) > 0 {
		return h.renderLetter(c, fiber.StatusUnprocessableEntity, l, &form, errs, "")
	}
	in := models.NewSignature{
		Kind: models.SignatureKind(form.Kind), Display: models.Display(form.Display), Name: form.Name, Affiliation: form.Affiliation,
		Role: form.Role, Country: form.Country, Country2: form.Country2, Email: form.Email,
	}
	signed, err := h.store.AddSignature(c.UserContext(), l.ID, in, h.confirmationMail)
	switch {
	case errors.Is(err, models.ErrAlreadySigned):
		return h.renderLetter(c, fiber.StatusConflict, l, &form, h.fieldError("email", "sign.already_signed"), "")
	case errors.Is(err, models.ErrLetterClosed), errors.Is(err, models.ErrLetterNotOpen):
		return h.renderNotTaking(c, l, err)
	case errors.Is(err, models.ErrNotSaved):
		h.log.Error("signature not saved", "id", c.GetRespHeader(fiber.HeaderXRequestID), "letter", l.ID, "err", err)
		c.Set(fiber.HeaderRetryAfter, "5")
		return h.renderLetter(c, fiber.StatusServiceUnavailable, l, &form, nil, h.msg("sign.not_saved"))
	case err != nil:
		return err
	}
	h.rememberSignature(c, l, signed.ManageToken)
	return c.Redirect(thanks, fiber.StatusSeeOther)
}

// rememberSignature keeps the management token of the signature this
// browser made, for the thank-you page, on the letter's paths only.
func (h *Handler) rememberSignature(c *fiber.Ctx, l *models.Letter, token string) {
	c.Cookie(&fiber.Cookie{
		Name: signatureCookie, Value: token, Path: "/letters/" + l.Slug, MaxAge: 20 * 60,
		HTTPOnly: true, Secure: h.secure, SameSite: fiber.CookieSameSiteLaxMode,
	})
}

// confirmationMail writes the email that asks a signer to confirm, with the
// private link to change or withdraw the signature.
func (h *Handler) confirmationMail(l *models.Letter, s *models.Signed) models.Message {
	return models.Message{
		To:      s.Signature.Email,
		Subject: h.msg("mail.confirm.subject", l.Title),
		Body: h.msg("mail.confirm.body", l.Title, h.absolute("/confirm/"+s.ConfirmToken), views.FormatDate(uiLang, time.Now().Add(models.ConfirmationTTL)),
			h.absolute("/signature/"+s.ManageToken)),
	}
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
	// It answers a signer's form or emailed link: it is theirs alone.
	p := h.privatePage(c, h.msg("closed.title"), ClosedView{Letter: h.letterView(l), Reason: h.msg("closed.text")})
	status := fiber.StatusGone
	if errors.Is(why, models.ErrLetterNotOpen) {
		status = fiber.StatusConflict
	}
	return h.render(c, status, "closed", p)
}

// ThanksView is the page after signing: what happens next to the signature
// this browser made, when it knows of one.
type ThanksView struct {
	Letter    LetterView
	Status    models.SignatureStatus
	Email     string
	ManageURL string
	Resent    bool
	Problem   string
}

func (h *Handler) thanks(c *fiber.Ctx) error {
	return h.renderThanks(c, fiber.StatusOK, "")
}

func (h *Handler) renderThanks(c *fiber.Ctx, status int, problem string) error {
	l, err := h.store.PublicLetter(c.UserContext(), c.Params("slug"))
	if err != nil {
		return err
	}
	v := ThanksView{Letter: h.letterView(l), Resent: c.Query("resent") != "", Problem: problem}
	if token := c.Cookies(signatureCookie); token != "" {
		sig, _, err := h.store.SignatureByManageToken(c.UserContext(), token)
		if err == nil && sig.LetterID == l.ID {
			v.Status, v.Email, v.ManageURL = sig.Status, sig.Email, "/signature/"+token
		}
	}
	return h.render(c, status, "thanks", h.privatePage(c, h.msg("thanks.title"), v))
}

// resend sends the confirmation email of this browser's signature again.
func (h *Handler) resend(c *fiber.Ctx) error {
	l, err := h.store.PublicLetter(c.UserContext(), c.Params("slug"))
	if err != nil {
		return err
	}
	token, err := h.store.ResendConfirmation(c.UserContext(), c.Cookies(signatureCookie), h.confirmationMail)
	switch {
	case errors.Is(err, models.ErrNotFound), errors.Is(err, models.ErrAlreadyConfirmed):
		return c.Redirect("/letters/"+l.Slug+"/thanks", fiber.StatusSeeOther)
	case err != nil:
		return err
	}
	h.rememberSignature(c, l, token)
	return c.Redirect("/letters/"+l.Slug+"/thanks?resent=1", fiber.StatusSeeOther)
}

// resendRateLimited answers a resend over the limit on the thank-you page.
func (h *Handler) resendRateLimited(c *fiber.Ctx) error {
	return h.renderThanks(c, fiber.StatusTooManyRequests, h.msg("thanks.resend_limited", retryMinutes(c)))
}

// LinkView is the page a signer's emailed link leads to.
type LinkView struct {
	Letter  LetterView
	Heading string
	Text    string
	Entry   string // the list entry the confirmation form would confirm
	Confirm string // where that form goes
	Renew   string // where to ask for a new link, for an expired one
}

// confirmPage opens a confirmation link. It confirms nothing, since mail
// scanners open links too and must not confirm a signature for someone who
// did not sign: it shows the entry as the list would show it, and a button
// that confirms it. A link that can no longer confirm says why, and the
// link with ?confirmed, where confirming leads, what became of the
// signature.
func (h *Handler) confirmPage(c *fiber.Ctx) error {
	sig, l, err := h.store.Confirmation(c.UserContext(), c.Params("token"))
	switch {
	case err == nil:
		return h.renderLink(c, fiber.StatusOK, LinkView{
			Letter: h.letterView(l), Heading: h.msg("link.confirm.heading"), Text: h.msg("link.confirm.text"),
			Entry: h.entry(sig), Confirm: "/confirm/" + c.Params("token"),
		})
	case errors.Is(err, models.ErrAlreadyConfirmed) && c.Query("confirmed") != "":
		return h.confirmed(c, l, sig.Status, nil)
	}
	return h.confirmed(c, l, "", err)
}

// confirm confirms the signature of a confirmation link: it goes onto the
// list, or to review, and the signer to the page that says which.
func (h *Handler) confirm(c *fiber.Ctx) error {
	l, to, err := h.store.Confirm(c.UserContext(), c.Params("token"))
	if err != nil && !errors.Is(err, models.ErrAlreadyConfirmed) { // a second click leads where the first did
		return h.confirmed(c, l, to, err)
	}
	return c.Redirect("/confirm/"+c.Params("token")+"?confirmed=1", fiber.StatusSeeOther)
}

// confirmed shows what came of a confirmation link: the signature's status
// once confirmed, or why the link can no longer confirm.
func (h *Handler) confirmed(c *fiber.Ctx, l *models.Letter, status models.SignatureStatus, err error) error {
	code, key := fiber.StatusOK, "confirmed"
	switch {
	case errors.Is(err, models.ErrAlreadyConfirmed):
		key = "already_confirmed"
	case errors.Is(err, models.ErrLinkExpired):
		code, key = fiber.StatusGone, "expired"
	case errors.Is(err, models.ErrLetterClosed):
		return h.renderNotTaking(c, l, err)
	case err != nil:
		return err
	case status == models.StatusInReview:
		key = "confirmed_review"
	case status != models.StatusListed: // rejected since
		key = "already_confirmed"
	}
	v := LinkView{Letter: h.letterView(l), Heading: h.msg("link." + key + ".heading"), Text: h.msg("link." + key + ".text")}
	if code == fiber.StatusGone {
		v.Renew = "/confirm/" + c.Params("token") + "/renew"
	}
	return h.renderLink(c, code, v)
}

// renderLink shows the page of a signer's emailed link, to them alone.
func (h *Handler) renderLink(c *fiber.Ctx, status int, v LinkView) error {
	return h.render(c, status, "link", h.privatePage(c, v.Heading, v))
}

// renewConfirmation sends a new link for an expired one.
func (h *Handler) renewConfirmation(c *fiber.Ctx) error {
	_, err := h.store.ResendConfirmation(c.UserContext(), c.Params("token"), h.confirmationMail)
	if err != nil && !errors.Is(err, models.ErrAlreadyConfirmed) {
		return err
	}
	return h.renderLink(c, fiber.StatusOK, LinkView{Heading: h.msg("link.renewed.heading"), Text: h.msg("link.renewed.text")})
}

// ManageView is a signer's private page for their signature.
type ManageView struct {
	Letter   LetterView
	Entry    string
	Status   models.SignatureStatus
	Form     DisplayForm
	Displays []views.Option
	Action   string
	Saved    bool
	// Signed is the revision of the text the signer agreed to, Current the
	// letter's, and RevisionURL shows the first and what changed since.
	Signed, Current int
	RevisionURL     string
}

func (h *Handler) manageSignature(c *fiber.Ctx) error {
	sig, l, err := h.store.SignatureByManageToken(c.UserContext(), c.Params("token"))
	if err != nil {
		return err
	}
	v := ManageView{
		Letter: h.letterView(l), Entry: h.entry(sig), Status: sig.Status, Form: DisplayForm{Display: string(sig.Display)},
		Displays: h.displayOptions(), Action: "/signature/" + c.Params("token"), Saved: c.Query("saved") != "",
		Signed: sig.Revision, Current: l.Revision, RevisionURL: revisionPath(l.Slug, sig.Revision),
	}
	return h.render(c, fiber.StatusOK, "manage", h.privatePage(c, h.msg("manage.title"), v))
}

func (h *Handler) setDisplay(c *fiber.Ctx) error {
	var form DisplayForm
	errs, err := h.parseForm(c, &form)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return fiber.ErrUnprocessableEntity
	}
	if err := h.store.SetDisplay(c.UserContext(), c.Params("token"), models.Display(form.Display), h.entry); err != nil {
		return err
	}
	return c.Redirect("/signature/"+c.Params("token")+"?saved=1", fiber.StatusSeeOther)
}

func (h *Handler) withdraw(c *fiber.Ctx) error {
	l, err := h.store.Withdraw(c.UserContext(), c.Params("token"))
	if err != nil {
		return err
	}
	return h.renderWithdrawn(c, l)
}

// renderWithdrawn says that a signature of l has been withdrawn.
func (h *Handler) renderWithdrawn(c *fiber.Ctx, l *models.Letter) error {
	return h.renderLink(c, fiber.StatusOK, LinkView{Letter: h.letterView(l), Heading: h.msg("link.withdrawn.heading"), Text: h.msg("link.withdrawn.text")})
}

// privacy says what is public, what is kept, for how long and who sees it.
func (h *Handler) privacy(c *fiber.Ctx) error {
	return h.render(c, fiber.StatusOK, "privacy", h.page(c, h.msg("privacy.title"), nil))
}
