package handlers

import (
	"errors"
	"runtime/debug"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"undersigned/models"
	"undersigned/views"
)

// ErrorView is the view of an error page.
type ErrorView struct {
	Status  int
	Heading string
	Text    string
}

// handleError renders every error as a page in the site's layout, or on the
// JSON API's routes as {"error": "..."}. A person reads the catalogue's text
// for the status; the internal error goes only to the log.
func (h *Handler) handleError(c *fiber.Ctx, err error) error {
	status := fiber.StatusInternalServerError
	var fe *fiber.Error
	switch {
	case errors.As(err, &fe):
		status = fe.Code
	case errors.Is(err, models.ErrNotFound):
		status = fiber.StatusNotFound
	}
	if status >= 500 {
		h.log.Error("request failed", "id", c.GetRespHeader(fiber.HeaderXRequestID), "path", h.logPath(c), "err", err)
	}
	h.setSecurityHeaders(c) // errors raised before the middleware ran need them too
	key := "error." + strconv.Itoa(status)
	if !views.Has(key + ".title") {
		key = "error.other"
	}
	c.Response().ResetBody()
	if c.Locals(localJSON) != nil {
		return c.Status(status).JSON(APIError{Error: h.msg(c, key+".title")}, jsonType)
	}
	p := h.page(c, h.msg(c, key+".title"), ErrorView{Status: status, Heading: h.msg(c, key+".title"), Text: h.msg(c, key+".text")})
	return h.render(c, status, "error", p)
}

// logPanic logs a recovered panic with its stack; the person sees the 500 page.
func (h *Handler) logPanic(c *fiber.Ctx, e any) {
	h.log.Error("panic", "id", c.GetRespHeader(fiber.HeaderXRequestID), "path", h.logPath(c), "panic", e, "stack", string(debug.Stack()))
}

// health answers 200 when the database answers.
func (h *Handler) health(c *fiber.Ctx) error {
	if err := h.store.Ping(c.UserContext()); err != nil {
		h.log.Error("health check failed", "err", err)
		return c.Status(fiber.StatusServiceUnavailable).SendString("database unavailable\n")
	}
	c.Set("Cache-Control", "no-store")
	return c.SendString("ok\n")
}
