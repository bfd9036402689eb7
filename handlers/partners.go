package handlers

import (
	"errors"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"undersigned/models"
	"undersigned/views"
)

const partnersPerPage = 50

// partnerKeys is where the directory's pages find their labels, hints and
// messages: its fields' names ("name", "countries") mean other things on
// other forms.
const partnerKeys = "partners."

// PartnerForm is a partner as the directory's forms send it; the add form
// sends its first contact too. Countries, domains and tags are separated
// by ";" or one per line; the rules are models.PartnerInput's and
// models.PartnerContact's (see Check).
type PartnerForm struct {
	Name         string `form:"name"`
	Countries    string `form:"countries"`
	Website      string `form:"website"`
	Domains      string `form:"domains"`
	Tags         string `form:"tags"`
	ContactName  string `form:"contact_name"`
	ContactRole  string `form:"contact_role"`
	ContactEmail string `form:"contact_email"`
	ContactLang  string `form:"contact_lang"`
}

func (f *PartnerForm) partner() models.PartnerInput {
	return models.PartnerInput{Name: f.Name, Countries: f.Countries, Website: f.Website, Domains: f.Domains, Tags: f.Tags}
}

// contact is the form's contact, or nil when none was typed.
func (f *PartnerForm) contact() *models.PartnerContact {
	c := models.PartnerContact{Name: f.ContactName, Role: f.ContactRole, Email: f.ContactEmail, Lang: f.ContactLang}
	if c == (models.PartnerContact{}) {
		return nil
	}
	return &c
}

// form is the form showing the partner as it is.
func (v PartnerView) form() PartnerForm {
	return PartnerForm{Name: v.Name, Countries: strings.Join(v.Countries, "; "), Website: v.Website,
		Domains: strings.Join(v.Domains, "; "), Tags: strings.Join(v.Tags, "; ")}
}

// countryNames names a partner's countries (codes one per line) in lang.
func countryNames(lang, countries string) []string {
	var names []string
	for _, code := range models.Lines(countries) {
		names = append(names, models.CountryNameIn(lang, code))
	}
	return names
}

// PartnerLink is a partner a page links to, such as the one a duplicate
// repeats.
type PartnerLink struct {
	ID   int64
	Name string
}

// PartnersView is an organisation's directory: a page of partners, the
// filter, and the form that adds one.
type PartnersView struct {
	Org        models.Organisation
	Partners   []PartnerView
	Total      int64
	Country    string
	Tag        string
	Query      string
	Countries  *views.Options
	Langs      *views.Options
	Form       PartnerForm
	Contact    PartnerForm  // the first contact's fields: Form's
	Duplicate  *PartnerLink // the partner the refused form repeats
	Done       string       // what the last action did
	Pagination Pagination
}

// PartnerView is a partner as the directory shows it.
type PartnerView struct {
	ID        int64
	Name      string
	Countries []string
	Website   string
	Domains   []string
	Tags      []string
	Contacts  []ContactView
}

// ContactView is a partner's contact as the directory shows it.
type ContactView struct {
	ID                int64
	Name, Role, Email string
	Lang              string // the language's name, or "" for the letter's
	Bounced           bool
}

func (h *Handler) partnerView(c *fiber.Ctx, p *models.Partner) PartnerView {
	v := PartnerView{ID: p.ID, Name: p.Name, Website: p.Website, Tags: models.Lines(p.Tags), Countries: countryNames(h.lang(c), p.Countries)}
	for _, d := range p.Domains {
		v.Domains = append(v.Domains, d.Domain)
	}
	for _, ct := range p.Contacts {
		cv := ContactView{ID: ct.ID, Name: ct.Name, Role: ct.Role, Email: ct.Email, Bounced: ct.BouncedAt != nil}
		if ct.Lang != "" {
			cv.Lang = views.LanguageNameIn(h.lang(c), ct.Lang)
		}
		v.Contacts = append(v.Contacts, cv)
	}
	return v
}

// contactLangs are the choices of a contact's language: the interface's.
func (h *Handler) contactLangs(c *fiber.Ctx) *views.Options {
	opts := make([]views.Option, len(views.Languages))
	for i, lang := range views.Languages {
		opts[i] = views.Option{Value: lang, Label: views.LanguageNameIn(h.lang(c), lang)}
	}
	return views.NewOptions(opts)
}

// partnersPath is the address of an organisation's directory.
func partnersPath(org *models.Organisation) string {
	return "/dashboard/organisations/" + strconv.FormatInt(org.ID, 10) + "/partners"
}

// partnerPath is the address of a partner's page.
func partnerPath(org *models.Organisation, partnerID int64) string {
	return partnersPath(org) + "/" + strconv.FormatInt(partnerID, 10)
}

// withOrganisation runs next for the :org organisation when the
// coordinator is one of its members; another's is not found.
func (h *Handler) withOrganisation(next func(*fiber.Ctx, *models.Organisation) error) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := strconv.ParseInt(c.Params("org"), 10, 64)
		if err != nil {
			return fiber.ErrNotFound
		}
		org, err := h.store.CoordinatorOrganisation(c.UserContext(), coordinator(c).ID, id)
		if err != nil {
			return err
		}
		return next(c, org)
	}
}

// withPartner is withOrganisation for the :partner partner of its directory.
func (h *Handler) withPartner(next func(*fiber.Ctx, *models.Organisation, *models.Partner) error) fiber.Handler {
	return h.withOrganisation(func(c *fiber.Ctx, org *models.Organisation) error {
		id, err := strconv.ParseInt(c.Params("partner"), 10, 64)
		if err != nil {
			return fiber.ErrNotFound
		}
		p, err := h.store.Partner(c.UserContext(), org.ID, id)
		if err != nil {
			return err
		}
		return next(c, org, p)
	})
}

func (h *Handler) partners(c *fiber.Ctx, org *models.Organisation) error {
	var v PartnersView
	switch {
	case c.QueryInt("added", -1) >= 0:
		v.Done = h.msg(c, "partners.added_from_letters", "count", c.QueryInt("added"))
	case c.Query("deleted") != "":
		v.Done = h.msg(c, "partners.deleted")
	}
	return h.renderPartners(c, fiber.StatusOK, org, v, nil)
}

// renderPartners shows a page of the directory as the query filters it,
// with v's form and what was done.
func (h *Handler) renderPartners(c *fiber.Ctx, status int, org *models.Organisation, v PartnersView, errs views.FormErrors) error {
	page := pageNumber(c)
	v.Org, v.Country, v.Tag, v.Query = *org, strings.ToUpper(c.Query("country")), c.Query("tag"), c.Query("q")
	partners, total, err := h.store.Partners(c.UserContext(), org.ID, models.PartnerFilter{
		Country: v.Country, Tag: v.Tag, Query: v.Query, Offset: (page - 1) * partnersPerPage, Limit: partnersPerPage})
	if err != nil {
		return err
	}
	v.Total, v.Countries, v.Langs, v.Contact = total, countryOptions[h.lang(c)], h.contactLangs(c), v.Form
	for i := range partners {
		v.Partners = append(v.Partners, h.partnerView(c, &partners[i]))
	}
	v.Pagination = paginate(partnersPath(org), page, total, partnersPerPage)
	v.Pagination.Query = url.Values{"country": {v.Country}, "tag": {v.Tag}, "q": {v.Query}}
	p := h.page(c, h.msg(c, "partners.title", "organisation", org.Name), v)
	p.Errors = errs
	return h.render(c, status, "partners", p)
}

// readPartnerForm reads a partner's form, or with withPartner false a
// contact's: the partner and its contact as the directory will keep them,
// and what is wrong with them. A contact is nil when none was typed, as
// the add form allows; the contact form needs one.
func (h *Handler) readPartnerForm(c *fiber.Ctx, withPartner bool) (PartnerForm, models.PartnerInput, *models.PartnerContact, views.FormErrors, error) {
	var form PartnerForm
	if err := c.BodyParser(&form); err != nil {
		return form, models.PartnerInput{}, nil, nil, fiber.NewError(fiber.StatusBadRequest, "form cannot be read")
	}
	var in models.PartnerInput
	var invalid []models.Invalid
	if withPartner {
		in, invalid = form.partner().Check(views.Languages...)
	}
	contact := form.contact()
	switch {
	case contact != nil:
		var contactInvalid []models.Invalid
		*contact, contactInvalid = contact.Check(views.Languages...)
		invalid = append(invalid, contactInvalid...)
	case !withPartner:
		invalid = append(invalid, models.Invalid{Field: "contact_name", Code: "required"})
	}
	inFormOrder(&form, invalid)
	return form, in, contact, h.formErrors(c, partnerKeys, invalid), nil
}

// duplicateErrors reads the store's refusal of a partner's form: the
// error beside the field that repeats a partner of the directory, and that
// partner, to link to. Any other error comes back as it is.
func (h *Handler) duplicateErrors(c *fiber.Ctx, err error) (views.FormErrors, *PartnerLink, error) {
	var dup *models.DuplicatePartnerError
	if !errors.As(err, &dup) {
		return nil, nil, err
	}
	field, msg := "name", h.msg(c, "partners.error.duplicate_name", "name", dup.Existing.Name)
	if dup.Domain != "" {
		field, msg = "domains", h.msg(c, "partners.error.duplicate_domain", "domain", dup.Domain, "name", dup.Existing.Name)
	}
	errs := views.FormErrors{{Field: field, Label: h.msg(c, partnerKeys+"label."+field), Message: msg}}
	return errs, &PartnerLink{ID: dup.Existing.ID, Name: dup.Existing.Name}, nil
}

// addPartner adds a partner, with its first contact if one was typed, and
// opens its page.
func (h *Handler) addPartner(c *fiber.Ctx, org *models.Organisation) error {
	form, in, contact, errs, err := h.readPartnerForm(c, true)
	if err != nil {
		return err
	}
	v := PartnersView{Form: form}
	if len(errs) == 0 {
		var contacts []models.PartnerContact
		if contact != nil {
			contacts = append(contacts, *contact)
		}
		p, err := h.store.AddPartner(c.UserContext(), org.ID, in, contacts...)
		if err == nil {
			return c.Redirect(partnerPath(org, p.ID)+"?saved=1", fiber.StatusSeeOther)
		}
		if errs, v.Duplicate, err = h.duplicateErrors(c, err); err != nil {
			return err
		}
	}
	return h.renderPartners(c, fiber.StatusUnprocessableEntity, org, v, errs)
}

// PartnerPageView is a partner's page: its form, its contacts and the form
// that adds one.
type PartnerPageView struct {
	Org       models.Organisation
	Partner   PartnerView
	Form      PartnerForm
	Contact   PartnerForm // the contact form's fields
	Langs     *views.Options
	Duplicate *PartnerLink
	Saved     bool
}

func (h *Handler) editPartner(c *fiber.Ctx, org *models.Organisation, p *models.Partner) error {
	v := PartnerPageView{Form: h.partnerView(c, p).form(), Saved: c.Query("saved") != ""}
	return h.renderPartner(c, fiber.StatusOK, org, p, v, nil)
}

func (h *Handler) renderPartner(c *fiber.Ctx, status int, org *models.Organisation, p *models.Partner, v PartnerPageView, errs views.FormErrors) error {
	v.Org, v.Partner, v.Langs = *org, h.partnerView(c, p), h.contactLangs(c)
	page := h.page(c, h.msg(c, "partners.partner_title", "name", p.Name, "organisation", org.Name), v)
	page.Errors = errs
	return h.render(c, status, "partner", page)
}

// savePartner saves a partner's form; its contacts have forms of their own.
func (h *Handler) savePartner(c *fiber.Ctx, org *models.Organisation, p *models.Partner) error {
	form, in, _, errs, err := h.readPartnerForm(c, true)
	if err != nil {
		return err
	}
	v := PartnerPageView{Form: form}
	if len(errs) == 0 {
		_, err := h.store.UpdatePartner(c.UserContext(), org.ID, p.ID, in)
		if err == nil {
			return c.Redirect(partnerPath(org, p.ID)+"?saved=1", fiber.StatusSeeOther)
		}
		if errs, v.Duplicate, err = h.duplicateErrors(c, err); err != nil {
			return err
		}
	}
	return h.renderPartner(c, fiber.StatusUnprocessableEntity, org, p, v, errs)
}

// addContact adds a contact to a partner.
func (h *Handler) addContact(c *fiber.Ctx, org *models.Organisation, p *models.Partner) error {
	form, _, contact, errs, err := h.readPartnerForm(c, false)
	if err != nil {
		return err
	}
	v := PartnerPageView{Form: h.partnerView(c, p).form(), Contact: form}
	if len(errs) == 0 {
		_, err := h.store.AddPartnerContact(c.UserContext(), p.ID, *contact)
		switch {
		case errors.Is(err, models.ErrDuplicateContact):
			errs = views.FormErrors{{Field: "contact_email", Label: h.msg(c, partnerKeys+"label.contact_email"),
				Message: h.msg(c, "partners.error.duplicate_contact")}}
		case err != nil:
			return err
		default:
			return c.Redirect(partnerPath(org, p.ID)+"?saved=1#contacts", fiber.StatusSeeOther)
		}
	}
	return h.renderPartner(c, fiber.StatusUnprocessableEntity, org, p, v, errs)
}

// removeContact removes one of a partner's contacts.
func (h *Handler) removeContact(c *fiber.Ctx, org *models.Organisation, p *models.Partner) error {
	id, err := strconv.ParseInt(c.Params("contact"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	if err := h.store.RemovePartnerContact(c.UserContext(), org.ID, p.ID, id); err != nil {
		return err
	}
	return c.Redirect(partnerPath(org, p.ID)+"?saved=1#contacts", fiber.StatusSeeOther)
}

// deletePartner removes a partner from the directory.
func (h *Handler) deletePartner(c *fiber.Ctx, org *models.Organisation, p *models.Partner) error {
	if err := h.store.DeletePartner(c.UserContext(), org.ID, p.ID); err != nil {
		return err
	}
	return c.Redirect(partnersPath(org)+"?deleted=1", fiber.StatusSeeOther)
}

// partnersFromLetters adds the organisations that signed the
// organisation's past letters, and says how many.
func (h *Handler) partnersFromLetters(c *fiber.Ctx, org *models.Organisation) error {
	n, err := h.store.AddPartnersFromLetters(c.UserContext(), org.ID)
	if err != nil {
		return err
	}
	return c.Redirect(partnersPath(org)+"?added="+strconv.Itoa(n), fiber.StatusSeeOther)
}
