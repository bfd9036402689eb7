package handlers

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"undersigned/models"
	"undersigned/views"
)

// publicVersion reads the published letter of the path's :slug in the
// version its :lang names, the original without one. A language the
// interface is not written in, the original's own, and a translation not
// published are 404: every version has one address.
func (h *Handler) publicVersion(c *fiber.Ctx) (*models.Letter, error) {
	l, err := h.store.PublicLetter(c.UserContext(), c.Params("slug"))
	if err != nil {
		return nil, err
	}
	lang := c.Params("lang")
	if lang == "" {
		return l, nil
	}
	if !translatable(l, lang) {
		return nil, fiber.ErrNotFound
	}
	return l.Version(lang)
}

// translatable reports whether l may have a translation into lang: a
// language the interface is written in, other than the original's.
func translatable(l *models.Letter, lang string) bool {
	return lang != l.Lang && views.LetterLanguage(lang)
}

// letterPath is the address of the version of its letter l reads:
// /letters/{slug} for the original, /letters/{slug}/{lang} for a translation.
func letterPath(l *models.Letter) string {
	if l.IsTranslation() {
		return "/letters/" + l.Slug + "/" + l.Lang
	}
	return "/letters/" + l.Slug
}

// versionPath is the address of l's version in lang.
func versionPath(l *models.Letter, lang string) string {
	if lang == l.OriginalLang() {
		return "/letters/" + l.Slug
	}
	return "/letters/" + l.Slug + "/" + lang
}

// inVersion sets the main part of a page about l in l's language,
// whatever the visitor's interface language: "To:", the form, the list's
// headings and its dates read in the language of the version read (see
// views.Page.Main). A letter in a language a letter cannot be translated
// into keeps the interface's.
func inVersion(p *views.Page, l *models.Letter) *views.Page {
	if views.LetterLanguage(l.Lang) {
		p.Version = l.Lang
	}
	return p
}

// mainLang is the language of the main part of a page about l (see inVersion).
func (h *Handler) mainLang(c *fiber.Ctx, l *models.Letter) string {
	if views.LetterLanguage(l.Lang) {
		return l.Lang
	}
	return h.lang(c)
}

// inLang runs fn with the request's language set to lang, so that what
// fn writes through h.msg is in lang, then sets it back: for the parts of
// a page about a letter (its figures, its share panel) that are written
// apart from its templates.
func (h *Handler) inLang(c *fiber.Ctx, lang string, fn func()) {
	was := h.lang(c)
	c.Locals(localLang, lang)
	defer c.Locals(localLang, was)
	fn()
}

// versionPage starts the view of a public page about l, its main part in
// l's language (see inVersion), titled in the interface's language by the
// catalogue's key with args, or by l's title when key is "".
func (h *Handler) versionPage(c *fiber.Ctx, l *models.Letter, data any, key string, args ...any) *views.Page {
	title := l.Title
	if key != "" {
		title = h.msg(c, key, args...)
	}
	return inVersion(h.page(c, title, data), l)
}

// VersionLink is one version of a letter in its language switcher.
type VersionLink struct {
	Lang, Name, Path string
	Current          bool
}

// AddedTranslation is a translation added after the letter was published,
// which the letter dates.
type AddedTranslation struct {
	Lang string
	On   time.Time
}

// setVersions fills in what v, the view of l, says of l's versions: the
// switcher, the original a translation is from, and the translations added
// since publication.
func setVersions(v *LetterView, l *models.Letter) {
	v.Path = letterPath(l)
	if l.IsTranslation() {
		v.Original, v.OriginalPath, v.Behind = l.Original, versionPath(l, l.Original), l.TranslationBehind
	}
	if langs := l.Versions(); len(langs) > 1 {
		for _, lang := range langs {
			v.Versions = append(v.Versions, VersionLink{Lang: lang, Name: views.LanguageName(lang), Path: versionPath(l, lang), Current: lang == l.Lang})
		}
	}
	for _, t := range l.LaterTranslations() {
		v.Added = append(v.Added, AddedTranslation{Lang: t.Lang, On: *t.PublishedAt})
	}
}

// alternates links a letter's page to its versions for search engines:
// each by its language, the original as the default.
func (h *Handler) alternates(l *models.Letter, suffix string) []views.Alternate {
	langs := l.Versions()
	if len(langs) < 2 {
		return nil
	}
	var out []views.Alternate
	for _, lang := range langs {
		out = append(out, views.Alternate{Lang: lang, URL: h.absolute(versionPath(l, lang) + suffix)})
	}
	return append(out, views.Alternate{Lang: "x-default", URL: h.absolute(versionPath(l, l.OriginalLang()) + suffix)})
}
