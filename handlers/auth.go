package handlers

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"undersigned/models"
	"undersigned/views"
)

// LoginView is the view of the login page.
type LoginView struct {
	Form LoginForm
}

func (h *Handler) loginForm(c *fiber.Ctx) error {
	return h.render(c, fiber.StatusOK, "login", h.page(c, h.msg(c, "login.title"), LoginView{Form: LoginForm{Next: safeNext(c.Query("next"))}}))
}

func (h *Handler) login(c *fiber.Ctx) error {
	var form LoginForm
	errs, err := h.parseForm(c, &form)
	if err != nil {
		return err
	}
	form.Password = "" // never sent back
	form.Next = safeNext(form.Next)
	if len(errs) > 0 {
		p := h.page(c, h.msg(c, "login.title"), LoginView{Form: form})
		p.Errors = errs
		return h.render(c, fiber.StatusUnprocessableEntity, "login", p)
	}
	wait, err := h.loginWait(c, form.Email)
	if err != nil {
		return err
	}
	if wait > 0 {
		return h.renderLoginProblem(c, fiber.StatusTooManyRequests, form, h.msg(c, "login.rate_limited", "wait", h.retryAfter(c, wait)))
	}
	u, err := h.store.Authenticate(c.UserContext(), form.Email, c.FormValue("password"))
	if errors.Is(err, models.ErrBadCredentials) {
		if err := h.loginFailed(c, form.Email); err != nil {
			return err
		}
		return h.renderLoginProblem(c, fiber.StatusUnauthorized, form, h.msg(c, "login.bad_credentials"))
	}
	if err != nil {
		return err
	}
	if err := h.startSession(c, u); err != nil {
		return err
	}
	h.rememberDevice(c, form.Email)
	next := form.Next
	if next == "" {
		next = "/dashboard"
	}
	return c.Redirect(next, fiber.StatusSeeOther)
}

// renderLoginProblem answers a login refused as a whole (wrong credentials,
// too soon after failures) with the form as typed and the problem in its
// error summary.
func (h *Handler) renderLoginProblem(c *fiber.Ctx, status int, form LoginForm, problem string) error {
	p := h.page(c, h.msg(c, "login.title"), LoginView{Form: form})
	p.Problem = problem
	return h.render(c, status, "login", p)
}

// startSession logs u in under a new session id and a new CSRF cookie, so
// that nothing set before login carries over.
func (h *Handler) startSession(c *fiber.Ctx, u *models.User) error {
	sess, err := h.sessions.Get(c)
	if err != nil {
		return err
	}
	if err := sess.Regenerate(); err != nil {
		return err
	}
	sess.Set(sessionUserID, u.ID)
	if err := sess.Save(); err != nil {
		return err
	}
	h.newCSRFCookie(c)
	return nil
}

func (h *Handler) logout(c *fiber.Ctx) error {
	sess, err := h.sessions.Get(c)
	if err != nil {
		return err
	}
	if err := sess.Destroy(); err != nil {
		return err
	}
	return c.Redirect("/", fiber.StatusSeeOther)
}

// safeNext keeps a post-login destination only when it is a path on this
// site, so the login page cannot redirect anyone elsewhere.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n\t") {
		return ""
	}
	return next
}

// AccountView is the view of the setup and invitation pages.
type AccountView struct {
	Form         AccountForm
	Organisation string // the organisation joined through an invitation
	Action       string
	SignedInAs   string // an invited coordinator who is logged in joins as themself
}

func (h *Handler) setupForm(c *fiber.Ctx) error {
	if !h.validSetupToken(c.Params("token")) {
		return fiber.ErrNotFound
	}
	return h.render(c, fiber.StatusOK, "account", h.page(c, h.msg(c, "setup.title"), AccountView{Action: c.Path()}))
}

func (h *Handler) setup(c *fiber.Ctx) error {
	if !h.validSetupToken(c.Params("token")) {
		return fiber.ErrNotFound
	}
	var form AccountForm
	errs, err := h.parseAccountForm(c, &form)
	if err != nil {
		return err
	}
	if form.Organisation == "" && errs.For("organisation") == "" {
		errs = append(errs, h.fieldError(c, "organisation", "error.required.organisation")...)
	}
	if len(errs) == 0 {
		u, err := h.store.CreateFirstUser(c.UserContext(), form.account(), form.Organisation)
		switch {
		case errors.Is(err, models.ErrSetupAlreadyDone):
			return fiber.ErrNotFound
		case err != nil:
			return err
		}
		h.setupMu.Lock()
		h.setupToken = ""
		h.setupMu.Unlock()
		if err := h.startSession(c, u); err != nil {
			return err
		}
		return c.Redirect("/dashboard", fiber.StatusSeeOther)
	}
	form.Password = ""
	p := h.page(c, h.msg(c, "setup.title"), AccountView{Form: form, Action: c.Path()})
	p.Errors = errs
	return h.render(c, fiber.StatusUnprocessableEntity, "account", p)
}

// parseAccountForm is parseForm for an account, with the rules for a new
// password: long enough, and not among the most common.
func (h *Handler) parseAccountForm(c *fiber.Ctx, form *AccountForm) (views.FormErrors, error) {
	errs, err := h.parseForm(c, form)
	if err != nil || errs.For("password") != "" {
		return errs, err
	}
	switch models.CheckNewPassword(form.Password) {
	case models.ErrPasswordTooShort:
		errs = append(errs, h.fieldError(c, "password", "error.password_short")...)
	case models.ErrPasswordCommon:
		errs = append(errs, h.fieldError(c, "password", "error.password_common")...)
	}
	return errs, nil
}

func (h *Handler) validSetupToken(token string) bool {
	h.setupMu.Lock()
	defer h.setupMu.Unlock()
	return h.setupToken != "" && len(token) == len(h.setupToken) && models.TokenHash(token) == models.TokenHash(h.setupToken)
}

func (h *Handler) joinForm(c *fiber.Ctx) error {
	org, err := h.store.InvitationOrganisation(c.UserContext(), c.Params("token"))
	if errors.Is(err, models.ErrInvitationInvalid) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	v := AccountView{Organisation: org.Name, Action: c.Path()}
	if u, err := h.currentUser(c); err == nil && u != nil {
		v.SignedInAs = u.Name
	}
	return h.render(c, fiber.StatusOK, "account", h.page(c, h.msg(c, "join.title"), v))
}

func (h *Handler) join(c *fiber.Ctx) error {
	token := c.Params("token")
	org, err := h.store.InvitationOrganisation(c.UserContext(), token)
	if errors.Is(err, models.ErrInvitationInvalid) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	u, err := h.currentUser(c)
	if err != nil {
		return err
	}
	if u != nil {
		_, err := h.store.AcceptInvitation(c.UserContext(), token, u.ID, models.NewAccount{})
		if err != nil && !errors.Is(err, models.ErrAlreadyMember) {
			return err
		}
		return c.Redirect("/dashboard", fiber.StatusSeeOther)
	}
	var form AccountForm
	errs, err := h.parseAccountForm(c, &form)
	if err != nil {
		return err
	}
	if len(errs) == 0 {
		u, err = h.store.AcceptInvitation(c.UserContext(), token, 0, form.account())
		switch {
		case errors.Is(err, models.ErrEmailTaken):
			errs = h.fieldError(c, "email", "error.email_taken")
		case err != nil:
			return err
		default:
			if err := h.startSession(c, u); err != nil {
				return err
			}
			return c.Redirect("/dashboard", fiber.StatusSeeOther)
		}
	}
	form.Password = ""
	p := h.page(c, h.msg(c, "join.title"), AccountView{Form: form, Organisation: org.Name, Action: c.Path()})
	p.Errors = errs
	return h.render(c, fiber.StatusUnprocessableEntity, "account", p)
}
