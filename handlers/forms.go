package handlers

import (
	"errors"
	"reflect"
	"strings"
	"time"

	"github.com/go-playground/validator/v10"
	"github.com/gofiber/fiber/v2"
	"golang.org/x/text/language"

	"undersigned/models"
	"undersigned/views"
)

// SignForm is the public signing form.
type SignForm struct {
	Kind        string `form:"kind" validate:"required,oneof=individual organisation"`
	Name        string `form:"name" validate:"required,max=200,text,visible"`
	Affiliation string `form:"affiliation" validate:"required_if=Kind organisation,max=200,text,visible"`
	Role        string `form:"role" validate:"max=200,text,visible"`
	Country     string `form:"country" validate:"required,country"`
	Country2    string `form:"country2" validate:"omitempty,country,nefield=Country"`
	Email       string `form:"email" validate:"required,max=254,email,visible_email"`
	Display     string `form:"display" validate:"required,oneof=full anonymous counted"`
	Agree       bool   `form:"agree" validate:"required"`
	// Code is a honeypot: hidden from people and from assistive technology,
	// named so that no password manager fills it, and filled in by bots.
	Code string `form:"referral_code" validate:"-"`
	// Started is when the form was shown, signed by the server.
	Started string `form:"started" validate:"-"`
}

func (f *SignForm) normalize() {
	f.Name, f.Affiliation, f.Role = models.NormalizeText(f.Name), models.NormalizeText(f.Affiliation), models.NormalizeText(f.Role)
	f.Country, f.Country2 = strings.ToUpper(strings.TrimSpace(f.Country)), strings.ToUpper(strings.TrimSpace(f.Country2))
	f.Email = strings.TrimSpace(f.Email)
}

// DisplayForm is a signer's choice of how their signature appears.
type DisplayForm struct {
	Display string `form:"display" validate:"required,oneof=full anonymous counted"`
}

// ReviewForm approves or rejects signatures in review: the ticked ones
// (Action), or the one whose own button was pressed (Approve or Reject).
type ReviewForm struct {
	Action  string  `form:"action" validate:"omitempty,oneof=approve reject"`
	IDs     []int64 `form:"ids" validate:"max=500"`
	Approve int64   `form:"approve"`
	Reject  int64   `form:"reject"`
}

// decision returns the signatures to decide on and whether to approve them.
func (f *ReviewForm) decision() (ids []int64, approve bool) {
	switch {
	case f.Approve > 0:
		return []int64{f.Approve}, true
	case f.Reject > 0:
		return []int64{f.Reject}, false
	}
	return f.IDs, f.Action == "approve"
}

// LoginForm is the coordinators' login form.
type LoginForm struct {
	Email    string `form:"email" validate:"required,max=254,email"`
	Password string `form:"password" validate:"required,max=1000"`
	Next     string `form:"next" validate:"-"`
}

// AccountForm creates a coordinator's account: at setup (with an
// organisation) or through an invitation (without).
type AccountForm struct {
	Name         string `form:"name" validate:"required,max=200,text,visible"`
	Email        string `form:"email" validate:"required,max=254,email,visible_email"`
	Password     string `form:"password" validate:"required,max=1000"` // and models.CheckNewPassword
	Organisation string `form:"organisation" validate:"omitempty,max=200,text,visible"`
}

func (f *AccountForm) normalize() {
	f.Name, f.Organisation, f.Email = models.NormalizeText(f.Name), models.NormalizeText(f.Organisation), strings.TrimSpace(f.Email)
}

func (f *AccountForm) account() models.NewAccount {
	return models.NewAccount{Email: f.Email, Name: f.Name, Password: f.Password}
}

// LetterForm is the editor's text form. Demand groups come as parallel
// lists: the n-th lead-in goes with the n-th block of demands.
type LetterForm struct {
	Title        string   `form:"title" validate:"required,max=200,text"`
	Slug         string   `form:"slug" validate:"omitempty,max=80,slug"`
	Summary      string   `form:"summary" validate:"max=600,multiline"`
	Initiators   string   `form:"initiators" validate:"max=2000,multiline,visible"`
	Addressees   string   `form:"addressees" validate:"max=2000,multiline,visible"`
	Subject      string   `form:"subject" validate:"max=300,text"`
	Salutation   string   `form:"salutation" validate:"max=200,text"`
	Body         string   `form:"body" validate:"max=60000,multiline"`
	GroupLeadIns []string `form:"group_lead_in" validate:"max=50,dive,max=1000,text"`
	GroupDemands []string `form:"group_demands" validate:"max=50,dive,max=20000,multiline"`
	Closing      string   `form:"closing" validate:"max=10000,multiline"`
	Action       string   `form:"action" validate:"-"`
	// Change says what a change of a signed text is: a correction or a
	// change of substance (see saveSignedText).
	Change string `form:"change" validate:"-"`
}

func (f *LetterForm) normalize() {
	for _, p := range []*string{&f.Title, &f.Slug, &f.Subject, &f.Salutation} {
		*p = models.NormalizeText(*p)
	}
	for _, p := range []*string{&f.Summary, &f.Initiators, &f.Addressees, &f.Body, &f.Closing} {
		*p = models.NormalizeMultiline(*p)
	}
	for i := range f.GroupLeadIns {
		f.GroupLeadIns[i] = models.NormalizeText(f.GroupLeadIns[i])
	}
	for i := range f.GroupDemands {
		f.GroupDemands[i] = models.NormalizeMultiline(f.GroupDemands[i])
	}
}

// Groups pairs lead-ins with their demands.
func (f *LetterForm) Groups() []models.DemandGroupText {
	n := max(len(f.GroupLeadIns), len(f.GroupDemands))
	out := make([]models.DemandGroupText, n)
	for i := range out {
		if i < len(f.GroupLeadIns) {
			out[i].LeadIn = f.GroupLeadIns[i]
		}
		if i < len(f.GroupDemands) {
			out[i].Demands = f.GroupDemands[i]
		}
	}
	return out
}

func (f *LetterForm) text() models.LetterText {
	return models.LetterText{
		Title: f.Title, Slug: f.Slug, Summary: f.Summary, Initiators: f.Initiators, Addressees: f.Addressees,
		Subject: f.Subject, Salutation: f.Salutation, Body: f.Body, Closing: f.Closing, Groups: f.Groups(),
	}
}

func letterFormOf(l *models.Letter) LetterForm {
	f := LetterForm{
		Title: l.Title, Slug: l.Slug, Summary: l.Summary, Initiators: l.Initiators, Addressees: l.Addressees,
		Subject: l.Subject, Salutation: l.Salutation, Body: l.Body, Closing: l.Closing,
	}
	for _, g := range l.DemandGroups {
		f.GroupLeadIns = append(f.GroupLeadIns, g.LeadIn)
		f.GroupDemands = append(f.GroupDemands, g.Demands)
	}
	return f
}

// SettingsForm is the editor's settings form.
type SettingsForm struct {
	Lang                string `form:"lang" validate:"required,max=35,bcp47"`
	ClosesOn            string `form:"closes_on" validate:"omitempty,datetime=2006-01-02"`
	Signers             string `form:"signers" validate:"required,oneof=individuals organisations both"`
	Listed              bool   `form:"listed"`
	ListOrder           string `form:"list_order" validate:"required,oneof=alphabetical signed"`
	ConfirmEmail        bool   `form:"confirm_email"`
	ReviewIndividuals   bool   `form:"review_individuals"`
	ReviewOrganisations bool   `form:"review_organisations"`
	AllowIndexing       bool   `form:"allow_indexing"`
	RetentionDays       int    `form:"retention_days" validate:"min=1,max=3650"`
}

func (f *SettingsForm) normalize() {
	f.Lang, f.ClosesOn = strings.TrimSpace(f.Lang), strings.TrimSpace(f.ClosesOn)
	if tag, err := language.Parse(f.Lang); err == nil {
		f.Lang = tag.String()
	}
}

func (f *SettingsForm) settings() models.LetterSettings {
	st := models.LetterSettings{
		Lang: f.Lang, Signers: models.Signers(f.Signers), Listed: f.Listed, ListOrder: models.ListOrder(f.ListOrder),
		ConfirmEmail: f.ConfirmEmail, ReviewIndividuals: f.ReviewIndividuals, ReviewOrganisations: f.ReviewOrganisations,
		AllowIndexing: f.AllowIndexing, RetentionDays: f.RetentionDays,
	}
	if d, err := time.Parse("2006-01-02", f.ClosesOn); err == nil {
		st.ClosesOn = &d
	}
	return st
}

func settingsFormOf(l *models.Letter) SettingsForm {
	f := SettingsForm{
		Lang: l.Lang, Signers: string(l.Signers), Listed: l.Listed, ListOrder: string(l.ListOrder),
		ConfirmEmail: l.ConfirmEmail, ReviewIndividuals: l.ReviewIndividuals, ReviewOrganisations: l.ReviewOrganisations,
		AllowIndexing: l.AllowIndexing, RetentionDays: l.RetentionDays,
	}
	if l.ClosesOn != nil {
		f.ClosesOn = l.ClosesOn.Format("2006-01-02")
	}
	return f
}

// RemoveForm removes a signature from the list.
type RemoveForm struct {
	Reason string `form:"reason" validate:"required,max=500,text"`
}

// SortNameForm corrects a signature's sort name.
type SortNameForm struct {
	SortName string `form:"sort_name" validate:"required,max=200,text,visible"`
}

func (f *SortNameForm) normalize() { f.SortName = models.NormalizeText(f.SortName) }

func (f *RemoveForm) normalize() { f.Reason = models.NormalizeText(f.Reason) }

// UpdateForm posts a dated update on a letter: its date (today unless
// changed) and its text in Markdown.
type UpdateForm struct {
	On   string `form:"update_on" validate:"required,datetime=2006-01-02"`
	Body string `form:"update_body" validate:"required,max=10000,multiline"`
}

func (f *UpdateForm) normalize() {
	f.On, f.Body = strings.TrimSpace(f.On), models.NormalizeMultiline(f.Body)
}

// newValidator returns the validator with Undersigned's own rules, naming
// fields by their form names.
func newValidator() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		return strings.SplitN(f.Tag.Get("form"), ",", 2)[0]
	})
	rules := map[string]func(string) bool{
		"text":      func(s string) bool { return models.ValidPlainText(s, false) },
		"multiline": func(s string) bool { return models.ValidPlainText(s, true) },
		"country":   models.IsCountryCode,
		"slug":      models.ValidSlug,
		"visible": func(s string) bool {
			_, found := models.InvisibleIn(s)
			return !found
		},
		"visible_email": func(s string) bool {
			_, found := models.InvisibleInEmail(s)
			return !found
		},
		"bcp47": func(s string) bool {
			_, err := language.Parse(s)
			return err == nil
		},
	}
	for tag, ok := range rules {
		v.RegisterValidation(tag, func(fl validator.FieldLevel) bool { return ok(fl.Field().String()) })
	}
	return v
}

// errorMessages maps a validator tag to the catalogue key of its message.
var errorMessages = map[string]string{
	"required":    "error.required",
	"required_if": "error.required",
	"max":         "error.too_long",
	"min":         "error.too_short",
	"email":       "error.email",
	"country":     "error.country",
	"nefield":     "error.same_country",
	"text":        "error.plain_text",
	"multiline":   "error.plain_text",
	"oneof":       "error.choice",
	"slug":        "error.slug",
	"bcp47":       "error.lang",
	"datetime":    "error.date",

	// Their message names the character (see fieldErrorArgs).
	"visible":       "error.invisible",
	"visible_email": "error.invisible",
}

// parseForm reads the request's form into form, normalises it when it can,
// and validates it. It returns the invalid fields, in form order.
func (h *Handler) parseForm(c *fiber.Ctx, form any) (views.FormErrors, error) {
	if err := c.BodyParser(form); err != nil {
		return nil, fiber.NewError(fiber.StatusBadRequest, "form cannot be read")
	}
	if n, ok := form.(interface{ normalize() }); ok {
		n.normalize()
	}
	err := h.validate.Struct(form)
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		return nil, err
	}
	var out views.FormErrors
	for _, fe := range verrs {
		field := fe.Field()
		if i := strings.IndexByte(field, '['); i >= 0 {
			field = field[:i] // a demand group's lead-in or demands
		}
		if out.For(field) != "" {
			continue
		}
		key, ok := errorMessages[fe.Tag()]
		if !ok {
			key = "error.invalid"
		}
		if isNumber(fe.Kind()) && (fe.Tag() == "min" || fe.Tag() == "max") {
			key = "error.number." + fe.Tag() // a bound of a number, not of a length
		}
		if specific := key + "." + field; h.msg(c, specific) != specific {
			key = specific // a message written for this field, such as error.required.country
		}
		out = append(out, views.FieldError{Field: field, Label: h.summaryLabel(c, field), Message: h.msg(c, key, fieldErrorArgs(fe)...)})
	}
	return out, nil
}

// isNumber reports whether a form field of kind k holds a number.
func isNumber(k reflect.Kind) bool {
	return k >= reflect.Int && k <= reflect.Float64
}

// fieldErrorArgs are what a field's message says beside its text: the
// limit broken, or the invisible character found.
func fieldErrorArgs(fe validator.FieldError) []any {
	value, _ := fe.Value().(string)
	switch fe.Tag() {
	case "max", "min":
		return []any{fe.Tag(), fe.Param()}
	case "visible":
		r, _ := models.InvisibleIn(value)
		return []any{"char", models.CodePoint(r)}
	case "visible_email":
		r, _ := models.InvisibleInEmail(value)
		return []any{"char", models.CodePoint(r)}
	}
	return nil
}

// fieldError is a FormErrors with one field's message, for errors the store finds.
func (h *Handler) fieldError(c *fiber.Ctx, field, key string) views.FormErrors {
	return views.FormErrors{{Field: field, Label: h.summaryLabel(c, field), Message: h.msg(c, key)}}
}

// summaryLabel names a field in the error summary: its label, or a shorter
// "summary.NAME" where the label is a sentence.
func (h *Handler) summaryLabel(c *fiber.Ctx, field string) string {
	if short := h.msg(c, "summary."+field); short != "summary."+field {
		return short
	}
	return h.msg(c, "label."+field)
}
