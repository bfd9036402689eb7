package handlers

import (
	"errors"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/text/language"

	"undersigned/models"
	"undersigned/views"
)

// SignForm is the public signing form. The signature's rules are
// models.NewSignature's (see input).
type SignForm struct {
	Kind        string `form:"kind"`
	Name        string `form:"name"`
	Affiliation string `form:"affiliation"`
	Role        string `form:"role"`
	Country     string `form:"country"`
	Country2    string `form:"country2"`
	Email       string `form:"email"`
	Display     string `form:"display"`
	Agree       bool   `form:"agree" validate:"required"`
	News        bool   `form:"news"`
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

func (f *SignForm) signature() models.NewSignature {
	return models.NewSignature{
		Kind: models.SignatureKind(f.Kind), Display: models.Display(f.Display), Name: f.Name, Affiliation: f.Affiliation,
		Role: f.Role, Country: f.Country, Country2: f.Country2, Email: f.Email, News: f.News,
	}
}

func (f *SignForm) input() any { return f.signature() }

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
// lists: the n-th lead-in goes with the n-th block of demands. The text's
// rules are models.LetterText's (see input).
type LetterForm struct {
	Title        string   `form:"title"`
	Slug         string   `form:"slug"`
	Summary      string   `form:"summary"`
	Initiators   string   `form:"initiators"`
	Addressees   string   `form:"addressees"`
	Subject      string   `form:"subject"`
	Salutation   string   `form:"salutation"`
	Body         string   `form:"body"`
	GroupLeadIns []string `form:"group_lead_in"`
	GroupDemands []string `form:"group_demands"`
	Closing      string   `form:"closing"`
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

func (f *LetterForm) input() any { return f.text() }

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

// SettingsForm is the editor's settings form. The settings' rules are
// models.LetterSettings's (see input); the form reads the dates, and the
// launch's time in UTC, to the minute or, typed so, the second.
type SettingsForm struct {
	Lang                string `form:"lang"`
	ClosesOn            string `form:"closes_on" validate:"omitempty,datetime=2006-01-02"`
	Timezone            string `form:"timezone"`
	Signers             string `form:"signers"`
	Listed              bool   `form:"listed"`
	ListOrder           string `form:"list_order"`
	ConfirmEmail        bool   `form:"confirm_email"`
	ReviewIndividuals   bool   `form:"review_individuals"`
	ReviewOrganisations bool   `form:"review_organisations"`
	AllowIndexing       bool   `form:"allow_indexing"`
	RetentionDays       int    `form:"retention_days"`
	InvitationsOnly     bool   `form:"invitations_only"`
	SignerDomains       string `form:"signer_domains" validate:"max=15000"`
	ListHiddenUntil     string `form:"list_hidden_until" validate:"omitempty,datetime=2006-01-02T15:04:05"`
	SentOn              string `form:"sent_on" validate:"omitempty,datetime=2006-01-02"`
	MarkVerified        bool   `form:"mark_verified"`
	// The goals, as typed: digits, which may be grouped ("10 000"); empty for none.
	GoalSignatures    string `form:"goal_signatures" validate:"omitempty,number"`
	GoalOrganisations string `form:"goal_organisations" validate:"omitempty,number"`
}

// keys are where the catalogue keeps the goals' labels and messages; the
// other fields' are found under the common keys, as no goal.* key names them.
func (f *SettingsForm) keys() string { return "goal." }

// goalDigits drops the spaces and commas people group a number's digits with.
var goalDigits = strings.NewReplacer(" ", "", ",", "", "\u00a0", "", "\u202f", "")

// goalSetting is a goal typed in the form as the settings take it: nil for
// none, or one too large (strconv's bound) for the settings' rule to refuse.
func goalSetting(typed string) *int64 {
	n, err := strconv.ParseInt(typed, 10, 64)
	if typed == "" || (err != nil && !errors.Is(err, strconv.ErrRange)) {
		return nil // not digits: the form's rule says so
	}
	return &n
}

// goalText is a goal as the form shows it: empty for none.
func goalText(goal int64) string {
	if goal == 0 {
		return ""
	}
	return strconv.FormatInt(goal, 10)
}

func (f *SettingsForm) normalize() {
	f.Lang, f.ClosesOn = strings.TrimSpace(f.Lang), strings.TrimSpace(f.ClosesOn)
	if f.Timezone = strings.TrimSpace(f.Timezone); f.Timezone == "" {
		f.Timezone = "UTC" // a form from before the setting, or left empty
	}
	if tag, err := language.Parse(f.Lang); err == nil {
		f.Lang = tag.String()
	}
	f.ListHiddenUntil, f.SentOn = strings.TrimSpace(f.ListHiddenUntil), strings.TrimSpace(f.SentOn)
	if len(f.ListHiddenUntil) == len("2006-01-02T15:04") {
		f.ListHiddenUntil += ":00" // a browser's datetime-local sends no seconds
	}
	// A domain is kept as DomainOf reads an address: "@NGO.org" is ngo.org.
	var domains []string
	for _, d := range models.Lines(strings.ToLower(f.SignerDomains)) {
		domains = append(domains, strings.TrimSuffix(strings.TrimPrefix(d, "@"), "."))
	}
	f.SignerDomains = strings.Join(domains, "\n")
	f.GoalSignatures = goalDigits.Replace(strings.TrimSpace(f.GoalSignatures))
	f.GoalOrganisations = goalDigits.Replace(strings.TrimSpace(f.GoalOrganisations))
}

func (f *SettingsForm) settings() models.LetterSettings {
	st := models.LetterSettings{
		Lang: f.Lang, Signers: models.Signers(f.Signers), Listed: f.Listed, ListOrder: models.ListOrder(f.ListOrder),
		ConfirmEmail: f.ConfirmEmail, ReviewIndividuals: f.ReviewIndividuals, ReviewOrganisations: f.ReviewOrganisations,
		AllowIndexing: f.AllowIndexing, RetentionDays: f.RetentionDays,
		InvitationsOnly: f.InvitationsOnly, SignerDomains: models.Lines(f.SignerDomains), MarkVerified: f.MarkVerified,
	}
	st.ClosesOn, st.Timezone = parsedTime(time.DateOnly, f.ClosesOn), f.Timezone
	st.ListHiddenUntil = parsedTime(launchLayout, f.ListHiddenUntil)
	st.SentOn = parsedTime(time.DateOnly, f.SentOn)
	st.SignatureGoal, st.OrganisationGoal = goalSetting(f.GoalSignatures), goalSetting(f.GoalOrganisations)
	return st
}

// launchLayout is how the settings form writes a launch's time, in UTC.
const launchLayout = "2006-01-02T15:04:05"

// parsedTime is value read by layout, in UTC, or nil when it reads no time.
func parsedTime(layout, value string) *time.Time {
	t, err := time.Parse(layout, value)
	if err != nil {
		return nil
	}
	return &t
}

// formTime writes t by layout in UTC for a form's field, or "" for nil; a
// launch on the minute, as people set it, without its seconds.
func formTime(layout string, t *time.Time) string {
	if t == nil {
		return ""
	}
	if layout == launchLayout && t.Second() == 0 {
		layout = "2006-01-02T15:04"
	}
	return t.UTC().Format(layout)
}

func (f *SettingsForm) input() any { return f.settings() }

func settingsFormOf(l *models.Letter) SettingsForm {
	f := SettingsForm{
		Lang: l.Lang, Signers: string(l.Signers), Listed: l.Listed, ListOrder: string(l.ListOrder),
		ConfirmEmail: l.ConfirmEmail, ReviewIndividuals: l.ReviewIndividuals, ReviewOrganisations: l.ReviewOrganisations,
		AllowIndexing: l.AllowIndexing, RetentionDays: l.RetentionDays,
		InvitationsOnly: l.InvitationsOnly, SignerDomains: l.SignerDomains, MarkVerified: l.MarkVerified,
		ClosesOn: formTime(time.DateOnly, l.ClosesOn), Timezone: l.Timezone, ListHiddenUntil: formTime(launchLayout, l.ListHiddenUntil), SentOn: formTime(time.DateOnly, l.SentOn),
		GoalSignatures: goalText(l.SignatureGoal), GoalOrganisations: goalText(l.OrganisationGoal),
	}
	return f
}

// SortNameForm corrects a signature's sort name.
type SortNameForm struct {
	SortName string `form:"sort_name" validate:"required,max=200,text,visible"`
}

func (f *SortNameForm) normalize() { f.SortName = models.NormalizeText(f.SortName) }

// UpdateForm posts a dated update on a letter: its date (today unless
// changed) and its text in Markdown.
type UpdateForm struct {
	On   string `form:"update_on" validate:"required,datetime=2006-01-02"`
	Body string `form:"update_body" validate:"required,max=10000,multiline"`
}

func (f *UpdateForm) normalize() {
	f.On, f.Body = strings.TrimSpace(f.On), models.NormalizeMultiline(f.Body)
}

// parseForm reads the request's form into form, normalises it when it can,
// and validates it: its own rules, and those of the models input it
// carries, if any (see SignForm.input). It returns the invalid fields, in
// form order.
func (h *Handler) parseForm(c *fiber.Ctx, form any) (views.FormErrors, error) {
	if err := c.BodyParser(form); err != nil {
		return nil, fiber.NewError(fiber.StatusBadRequest, "form cannot be read")
	}
	if n, ok := form.(interface{ normalize() }); ok {
		n.normalize()
	}
	invalid := models.Validate(form)
	if in, ok := form.(interface{ input() any }); ok {
		invalid = append(invalid, models.Validate(in.input())...)
	}
	inFormOrder(form, invalid)
	prefix := ""
	if k, ok := form.(interface{ keys() string }); ok {
		prefix = k.keys()
	}
	return h.formErrors(c, prefix, invalid), nil
}

// formErrors are the failures of a form's fields as its error summary and
// fields show them. With a prefix (such as "partners."), a page whose
// fields' names other forms use in another sense finds their labels and
// messages under it first ("partners.label.name", "partners.error.required").
func (h *Handler) formErrors(c *fiber.Ctx, prefix string, invalid []models.Invalid) views.FormErrors {
	var out views.FormErrors
	for _, inv := range invalid {
		label := h.summaryLabel(c, inv.Field)
		var prefixes []string
		if prefix != "" {
			prefixes = []string{prefix + "error."}
			if views.Has(prefix + "label." + inv.Field) {
				label = h.msg(c, prefix+"label."+inv.Field)
			}
		}
		out = append(out, views.FieldError{Field: inv.Field, Label: label, Message: h.invalidMessage(c, inv, prefixes...)})
	}
	return out
}

// inFormOrder sorts failures as their fields come in form, a pointer to a
// form struct, so that the error summary reads as the page does.
func inFormOrder(form any, invalid []models.Invalid) {
	t := reflect.TypeOf(form).Elem()
	pos := map[string]int{}
	for i := range t.NumField() {
		pos[strings.SplitN(t.Field(i).Tag.Get("form"), ",", 2)[0]] = i
	}
	slices.SortStableFunc(invalid, func(a, b models.Invalid) int { return pos[a.Field] - pos[b.Field] })
}

// invalidMessage says what is wrong with a field and how to fix it: the
// catalogue's "<prefix><code>.<field>", written for that field (such as
// "error.too_long.name"), else "<prefix><code>", for each prefix in turn
// and then "error.", with the failure's parameters. An import passes its
// own prefix first, for the few messages a row words differently from a
// form ("No name before the first comma").
func (h *Handler) invalidMessage(c *fiber.Ctx, inv models.Invalid, prefixes ...string) string {
	args := make([]any, 0, 2*len(inv.Params))
	for name, value := range inv.Params {
		args = append(args, name, value)
	}
	for _, prefix := range append(prefixes, "error.") {
		for _, key := range []string{prefix + inv.Code + "." + inv.Field, prefix + inv.Code} {
			if views.Has(key) {
				return h.msg(c, key, args...)
			}
		}
	}
	return h.msg(c, "error.invalid")
}

// fieldError is a FormErrors with one field's message, for errors the store finds.
func (h *Handler) fieldError(c *fiber.Ctx, field, key string) views.FormErrors {
	return views.FormErrors{{Field: field, Label: h.summaryLabel(c, field), Message: h.msg(c, key)}}
}

// summaryLabel names a field in the error summary: its label, or a shorter
// "summary.NAME" where the label is a sentence.
func (h *Handler) summaryLabel(c *fiber.Ctx, field string) string {
	if views.Has("summary." + field) {
		return h.msg(c, "summary."+field)
	}
	return h.msg(c, "label."+field)
}
