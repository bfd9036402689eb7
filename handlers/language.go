package handlers

import (
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"

	"undersigned/views"
)

// langCookie remembers the interface language a visitor chose.
const langCookie = "lang"

// lang is the interface's language for the request: the one its query
// asks for (?lang=fr, the language switcher's links, which is then
// remembered), else the one its cookie remembers, else the one its browser
// prefers among the site's, else the site's own.
func (h *Handler) lang(c *fiber.Ctx) string {
	if code, ok := c.Locals(localLang).(string); ok {
		return code
	}
	c.Vary(fiber.HeaderAcceptLanguage, fiber.HeaderCookie)
	code := c.Query("lang")
	if views.Supported(code) {
		if c.Cookies(langCookie) != code {
			c.Cookie(&fiber.Cookie{
				Name: langCookie, Value: code, Path: "/", Expires: time.Now().AddDate(1, 0, 0),
				HTTPOnly: true, Secure: h.secure, SameSite: fiber.CookieSameSiteLaxMode,
			})
		}
	} else if code = c.Cookies(langCookie); !views.Supported(code) {
		code = views.Negotiate(c.Get(fiber.HeaderAcceptLanguage), h.cfg.Lang)
	}
	code = string([]byte(code)) // Fiber reuses the request's buffers
	c.Locals(localLang, code)
	return code
}

// languageLinks are the header's language switcher: the same page in each
// language of the interface.
func (h *Handler) languageLinks(c *fiber.Ctx) []views.LanguageLink {
	current := h.lang(c)
	// The same page: its other parameters (?page=2) kept, its language
	// changed. A page rendered for the cache is the one page of every query
	// it is served for, and the query of the visitor it is rendered for
	// (?utm_source=…, or anything an attacker typed) is not for the others.
	query := url.Values{}
	if renderingForCache(c) == nil {
		for k, v := range c.Request().URI().QueryArgs().All() {
			query.Add(string(k), string(v))
		}
	}
	links := make([]views.LanguageLink, len(views.Languages))
	for i, code := range views.Languages {
		query.Set("lang", code)
		links[i] = views.LanguageLink{Code: code, Name: views.LanguageName(code), URL: c.Path() + "?" + query.Encode(), Current: code == current}
	}
	return links
}
