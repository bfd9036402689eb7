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

// signerCookie keeps the address this browser just signed a letter with,
// signed by the server, so that the thank-you page can say where the email
// went and send it again; for 20 minutes only, as the browser may be a
// shared one. It holds no private link: those travel by email alone.
const signerCookie = "undersigned_signature"

// startedTTL is how long a signing form's started token is taken: a form
// older than a day is shown again with a fresh one.
const startedTTL = 24 * time.Hour

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
	// Invitation, on a members-only letter, says above the form that it is
	// signed by invitation, and from which email domains if any.
	Invitation string
	// News says the form offers news by email (models.Letter.OffersNews).
	News bool
	// HTML, when set, is the form already rendered: the page shows it as is.
	HTML template.HTML
}

// countryOptions are the choices of the country selects in each language
// of the interface, named and sorted as it names and sorts them, built once.
var countryOptions = func() map[string]*views.Options {
	out := map[string]*views.Options{}
	for _, lang := range append(views.Languages, views.Pseudo) {
		var opts []views.Option
		for _, c := range models.CountriesIn(lang) {
			opts = append(opts, views.Option{Value: c.Code, Label: c.Name})
		}
		out[lang] = views.NewOptions(opts)
	}
	return out
}()

func (h *Handler) signView(c *fiber.Ctx, l *models.Letter, form *SignForm) *SignView {
	lang := h.mainLang(c, l) // the form is in the letter's version's language
	v := &SignView{Action: letterPath(l) + "/sign", Form: form, Countries: countryOptions[lang], News: l.OffersNews()}
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
			{Value: string(models.KindIndividual), Label: views.Message(lang, "sign.kind.individual")},
			{Value: string(models.KindOrganisation), Label: views.Message(lang, "sign.kind.organisation")},
		}
	}
	v.Displays = displayOptions(lang)
	if l.InvitationsOnly {
		v.Invitation = invitationRule(lang, l, "campaign.by_invitation", "campaign.by_invitation_domains")
	}
	if form.Kind == "" {
		form.Kind = string(models.KindIndividual)
		if v.Kind != "" {
			form.Kind = v.Kind
		}
	}
	if form.Display == "" {
		form.Display = string(models.DisplayFull)
	}
	if h.formAge(l, form.Started) != formFresh {
		form.Started = h.formStarted(c, l)
	}
	return v
}

// invitationRule says in lang that l is signed by invitation: by only,
// or, when it lists domains, by withDomains, which names them.
func invitationRule(lang string, l *models.Letter, only, withDomains string) string {
	if domains := l.SignerDomainList(); len(domains) > 0 {
		return views.Message(lang, withDomains, "domains", views.List(lang, domains))
	}
	return views.Message(lang, only)
}

// formStarted is the started token of a signing form of l shown now: the
// placeholder of the page cache's slot while a page renders for the cache,
// which then gives each visitor their own.
func (h *Handler) formStarted(c *fiber.Ctx, l *models.Letter) string {
	if r := renderingForCache(c); r != nil {
		r.letterID = l.ID
		return h.pages.Placeholder(slotStarted)
	}
	return h.startedToken(l.ID, time.Now())
}

// displayOptions are the choices of how a signature appears, in lang.
func displayOptions(lang string) []views.Option {
	var out []views.Option
	for _, d := range []models.Display{models.DisplayFull, models.DisplayAnonymous, models.DisplayCounted} {
		out = append(out, views.Option{Value: string(d), Label: views.Message(lang, "display."+string(d))})
	}
	return out
}

// startedToken signs the time a signing form of a letter was shown, so
// that a bot can neither claim it saw the form earlier than it did, nor
// use one token for ever or for every letter.
func (h *Handler) startedToken(letterID int64, t time.Time) string {
	unix := strconv.FormatInt(t.Unix(), 10)
	return unix + "." + h.mac("form-started", strconv.FormatInt(letterID, 10), unix)
}

// mac is the server's signature of parts, for values it gives a browser
// and must find unchanged when they come back.
func (h *Handler) mac(parts ...string) string {
	m := hmac.New(sha256.New, h.csrfKey)
	for _, p := range parts {
		m.Write([]byte(p))
		m.Write([]byte{0})
	}
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}

// formAgeVerdict is what a signing form's started token says of it.
type formAgeVerdict int

const (
	formFresh   formAgeVerdict = iota
	formExpired                // shown by us for this letter, over startedTTL ago
	formForged                 // not ours, or for another letter
)

// formAge says whether a started token of l is fresh, expired or forged
// (an empty one, for a form not shown yet, is forged too).
func (h *Handler) formAge(l *models.Letter, token string) formAgeVerdict {
	shown, ok := h.startedAt(l, token)
	switch {
	case !ok:
		return formForged
	case time.Since(shown) > startedTTL:
		return formExpired
	}
	return formFresh
}

// startedAt reads a startedToken of l back.
func (h *Handler) startedAt(l *models.Letter, token string) (time.Time, bool) {
	unix, mac, ok := strings.Cut(token, ".")
	n, err := strconv.ParseInt(unix, 10, 64)
	if !ok || err != nil || !hmac.Equal([]byte(mac), []byte(h.mac("form-started", strconv.FormatInt(l.ID, 10), unix))) {
		return time.Time{}, false
	}
	return time.Unix(n, 0), true
}

// looksAutomated reports whether a signing form of l was sent by a bot: it
// filled the hidden honeypot, sent a started token we did not give for
// this letter, or sent the form faster than a person can. An expired token
// is a person's form left open, not a bot's: see sign.
func (h *Handler) looksAutomated(l *models.Letter, form *SignForm) bool {
	if form.Code != "" {
		return true
	}
	if h.cfg.MinSignTime <= 0 {
		return false
	}
	started, ok := h.startedAt(l, form.Started)
	return !ok || time.Since(started) < h.cfg.MinSignTime
}

// sign takes a signature. A signature with an address that had signed the
// letter is answered exactly as a new one, and counts against the limits
// as one: the answer must not tell whether an address signed. The store
// emails the address's owner instead.
func (h *Handler) sign(c *fiber.Ctx) error {
	l, err := h.publicVersion(c)
	if err != nil {
		return err
	}
	if err := l.AcceptsSignatures(h.cfg.Now()); err != nil {
		return h.renderNotTaking(c, l, err)
	}
	// The form, and what it says of what was typed, is in the language of
	// the letter's version, as the page around it is.
	lang := h.mainLang(c, l)
	var form SignForm
	var errs views.FormErrors
	h.inLang(c, lang, func() { errs, err = h.parseForm(c, &form) })
	if err != nil {
		return err
	}
	// The form's address ends in #error-summary, which a redirect without a
	// fragment of its own would carry to the thank-you page; #top opens it
	// at its top, focusing nothing.
	thanks := letterPath(l) + "/thanks#top"
	if h.looksAutomated(l, &form) {
		// The bot is shown success and nothing is stored or counted. The
		// log's summary counts it: a line each would let a bot fill it.
		h.requests.dropAutomated()
		return c.Redirect(thanks, fiber.StatusSeeOther)
	}
	if h.formAge(l, form.Started) == formExpired && h.cfg.MinSignTime > 0 {
		// A person who left the form open for a day keeps what they typed,
		// and sends it again with a fresh token.
		return h.renderLetter(c, fiber.StatusUnprocessableEntity, l, &form, nil, views.Message(lang, "sign.form_expired"))
	}
	if errs.For("kind") == "" && !l.AllowsKind(models.SignatureKind(form.Kind)) {
		h.inLang(c, lang, func() { errs = append(h.fieldError(c, "kind", "error.choice"), errs...) })
	}
	// A members-only letter's public form takes its listed domains only;
	// invitations sign through their own links, not here.
	if errs.For("email") == "" && errors.Is(l.AcceptsPublicSigner(form.Email), models.ErrInvitationOnly) {
		h.inLang(c, lang, func() {
			errs = append(errs, views.FieldError{Field: "email", Label: h.summaryLabel(c, "email"), Message: invitationRule(lang, l, "campaign.error.invitation_only", "campaign.error.invitation_domains")})
		})
	}
	if len(errs) > 0 {
		return h.renderLetter(c, fiber.StatusUnprocessableEntity, l, &form, errs, "")
	}
	slots, wait, err := h.takeAll(h.signKeys(c, l)...)
	if err != nil {
		return err
	}
	if wait > 0 {
		var problem string
		h.inLang(c, lang, func() { problem = h.msg(c, "sign.rate_limited", "wait", h.retryAfter(c, wait)) })
		return h.renderLetter(c, fiber.StatusTooManyRequests, l, &form, nil, problem)
	}
	in := form.signature()
	in.Lang = l.Lang // the version read and signed
	_, err = h.store.AddSignature(c.UserContext(), l.ID, in, h.versionMail(l))
	if err != nil && !errors.Is(err, models.ErrAlreadySigned) {
		h.giveBack(slots)
	}
	switch {
	case err == nil, errors.Is(err, models.ErrAlreadySigned):
	case errors.Is(err, models.ErrLetterClosed), errors.Is(err, models.ErrLetterNotOpen):
		return h.renderNotTaking(c, l, err)
	case errors.Is(err, models.ErrNotSaved):
		h.log.Error("signature not saved", "id", c.GetRespHeader(fiber.HeaderXRequestID), "letter", l.ID, "err", err)
		c.Set(fiber.HeaderRetryAfter, "5")
		return h.renderLetter(c, fiber.StatusServiceUnavailable, l, &form, nil, views.Message(lang, "sign.not_saved"))
	default:
		return err
	}
	h.rememberSigner(c, l, form.Email)
	return c.Redirect(thanks, fiber.StatusSeeOther)
}

// rememberSigner keeps the address this browser signed l with, for the
// thank-you page, on the letter's paths only.
func (h *Handler) rememberSigner(c *fiber.Ctx, l *models.Letter, email string) {
	value := base64.RawURLEncoding.EncodeToString([]byte(email)) + "." + h.mac("signer", strconv.FormatInt(l.ID, 10), email)
	c.Cookie(&fiber.Cookie{
		Name: signerCookie, Value: value, Path: "/letters/" + l.Slug, MaxAge: 20 * 60,
		HTTPOnly: true, Secure: h.secure, SameSite: fiber.CookieSameSiteLaxMode,
	})
}

// signerAddress is the address rememberSigner kept for l, or "".
func (h *Handler) signerAddress(c *fiber.Ctx, l *models.Letter) string {
	encoded, mac, _ := strings.Cut(c.Cookies(signerCookie), ".")
	email, err := base64.RawURLEncoding.DecodeString(encoded)
	if err != nil || !hmac.Equal([]byte(mac), []byte(h.mac("signer", strconv.FormatInt(l.ID, 10), string(email)))) {
		return ""
	}
	return string(email)
}

// versionMail is signerMail naming the letter as the version v, which the
// signer read, does: the store passes the letter as stored, the original.
func (h *Handler) versionMail(v *models.Letter) models.ConfirmationMail {
	return func(_ *models.Letter, s *models.Signed) models.Message { return h.signerMail(v, s) }
}

// signerMail writes the email with a signer's private links, in the
// language of the version of the letter they signed: the one that asks
// them to confirm while the signature waits for it; else their management
// link, for a new signature or, when someone signed again with the address
// or asked for the email again, to the address's owner.
func (h *Handler) signerMail(l *models.Letter, s *models.Signed) models.Message {
	manage, lang := h.absolute("/signature/"+s.ManageToken), s.Signature.Lang
	var e views.Email
	switch {
	case s.ConfirmToken != "":
		e = views.ComposeEmail(lang, views.ConfirmEmail, "title", l.Title, "confirm_url", h.absolute("/confirm/"+s.ConfirmToken),
			"until", time.Now().Add(models.ConfirmationTTL), "manage_url", manage)
		if s.Signature.News { // what the address's owner consents to, by confirming
			e.Body += "\n" + views.Message(lang, "news.mail.confirm_note") + "\n"
		}
	case s.Again:
		e = views.ComposeEmail(lang, views.AgainEmail, "title", l.Title, "manage_url", manage)
	default:
		e = views.ComposeEmail(lang, views.SignedEmail, "title", l.Title, "manage_url", manage)
	}
	return addressed(s.Signature.Email, e)
}

// addressed is e addressed to to, for the outbox.
func addressed(to string, e views.Email) models.Message {
	return models.Message{To: to, Lang: e.Lang, Subject: e.Subject, Body: e.Body}
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
	p := inVersion(h.privatePage(c, h.msg(c, "closed.title"), ClosedView{Letter: h.letterView(c, l), Reason: views.Message(h.mainLang(c, l), "closed.text")}), l)
	status := fiber.StatusGone
	if errors.Is(why, models.ErrLetterNotOpen) {
		status = fiber.StatusConflict
	}
	return h.render(c, status, "closed", p)
}

// ThanksView is the page after signing. It reads the same whether the
// address had signed before or not: the address typed, and what the email
// sent to it holds.
type ThanksView struct {
	Letter  LetterView
	Email   string // the address this browser signed with, when it knows
	Confirm bool   // the letter asks signers to confirm by email
	Resent  bool
}

func (h *Handler) thanks(c *fiber.Ctx) error {
	return h.renderThanks(c, fiber.StatusOK, "")
}

// renderThanks renders the thank-you page; problem, when not empty, is why
// its resend form was refused, shown in the error summary as every refused
// form's is.
func (h *Handler) renderThanks(c *fiber.Ctx, status int, problem string) error {
	l, err := h.publicVersion(c)
	if err != nil {
		return err
	}
	v := ThanksView{Letter: h.letterView(c, l), Email: h.signerAddress(c, l), Confirm: l.ConfirmEmail, Resent: c.Query("resent") != ""}
	p := inVersion(h.privatePage(c, h.msg(c, "thanks.title"), v), l)
	p.Problem = problem
	return h.render(c, status, "thanks", p)
}

// resend sends the email of the address this browser signed with again:
// the confirmation while its signature is unconfirmed, else its private
// link; to an address without a signature, nothing. Every case is
// answered alike, and counts alike against the limits: per address, so
// that colleagues behind one office address do not share one, and per
// client, generously.
func (h *Handler) resend(c *fiber.Ctx) error {
	l, err := h.publicVersion(c)
	if err != nil {
		return err
	}
	email := h.signerAddress(c, l)
	if email == "" {
		return c.Redirect(letterPath(l)+"/thanks", fiber.StatusSeeOther)
	}
	address := models.TokenHash(strconv.FormatInt(l.ID, 10) + ":" + models.SignerEmailKey(email))
	slots, wait, err := h.takeAll(h.resendKeys(c, address)...)
	if err != nil {
		return err
	}
	if wait > 0 {
		var problem string // in the language of the page it shows on, as sign's
		h.inLang(c, h.mainLang(c, l), func() { problem = h.msg(c, "thanks.resend_limited", "wait", h.retryAfter(c, wait)) })
		return h.renderThanks(c, fiber.StatusTooManyRequests, problem)
	}
	// The store names the version the signer signed, which may not be the
	// one whose thank-you page asks.
	if err := h.store.RemindSigner(c.UserContext(), l.ID, email, h.signerMail); err != nil {
		h.giveBack(slots)
		return err
	}
	return c.Redirect(letterPath(l)+"/thanks?resent=1", fiber.StatusSeeOther)
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
			Letter: h.letterView(c, l), Heading: h.msg(c, "link.confirm.heading"), Text: h.msg(c, "link.confirm.text"),
			Entry: h.entry(h.lang(c), sig), Confirm: "/confirm/" + c.Params("token"),
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
	v := LinkView{Letter: h.letterView(c, l), Heading: h.msg(c, "link."+key+".heading"), Text: h.msg(c, "link."+key+".text")}
	if code == fiber.StatusGone {
		v.Renew = "/confirm/" + c.Params("token") + "/renew"
	}
	return h.renderLink(c, code, v)
}

// renderLink shows the page of a signer's emailed link, to them alone.
func (h *Handler) renderLink(c *fiber.Ctx, status int, v LinkView) error {
	return h.render(c, status, "link", h.privatePage(c, v.Heading, v))
}

// renewConfirmation sends a new link for an expired one. It counts against
// the resend limits, per link.
func (h *Handler) renewConfirmation(c *fiber.Ctx) error {
	slots, wait, err := h.takeAll(h.resendKeys(c, models.TokenHash(c.Params("token")))...)
	if err != nil {
		return err
	}
	if wait > 0 {
		return h.renderLink(c, fiber.StatusTooManyRequests, LinkView{Heading: h.msg(c, "link.renew_limited.heading"), Text: h.msg(c, "thanks.resend_limited", "wait", h.retryAfter(c, wait))})
	}
	_, err = h.store.ResendConfirmation(c.UserContext(), c.Params("token"), h.signerMail)
	if err != nil && !errors.Is(err, models.ErrAlreadyConfirmed) {
		h.giveBack(slots)
		return err
	}
	return h.renderLink(c, fiber.StatusOK, LinkView{Heading: h.msg(c, "link.renewed.heading"), Text: h.msg(c, "link.renewed.text")})
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
		Letter: h.letterView(c, l), Entry: h.entry(h.lang(c), sig), Status: sig.Status, Form: DisplayForm{Display: string(sig.Display)},
		Displays: displayOptions(h.lang(c)), Action: "/signature/" + c.Params("token"), Saved: c.Query("saved") != "",
		Signed: sig.Revision, Current: l.Revision, RevisionURL: revisionPath(versionPath(l, sig.Lang), sig.Revision),
	}
	return h.render(c, fiber.StatusOK, "manage", h.privatePage(c, h.msg(c, "manage.title"), v))
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
	if err := h.store.SetDisplay(c.UserContext(), c.Params("token"), models.Display(form.Display), h.entryIn(h.cfg.Lang)); err != nil {
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
	return h.renderLink(c, fiber.StatusOK, LinkView{Letter: h.letterView(c, l), Heading: h.msg(c, "link.withdrawn.heading"), Text: h.msg(c, "link.withdrawn.text")})
}

// privacy says what is public, what is kept, for how long and who sees it.
func (h *Handler) privacy(c *fiber.Ctx) error {
	return h.render(c, fiber.StatusOK, "privacy", h.page(c, h.msg(c, "privacy.title"), nil))
}
