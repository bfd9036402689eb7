package handlers

import (
	"errors"
	"net/url"
	"slices"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"undersigned/models"
	"undersigned/views"
)

// ToDo is one line of a letter's overview: a count of what needs doing,
// linked to the page that lists it.
type ToDo struct {
	Text string
	Link string // empty for a line that lists nothing, such as the closing date
}

// toDo is l's overview o as lines, the counts of nothing left out.
func (h *Handler) toDo(c *fiber.Ctx, l *models.Letter, o models.Overview) []ToDo {
	signatures := editorPath(l) + "/signatures?"
	var out []ToDo
	add := func(n int64, key, link string) {
		if n > 0 {
			out = append(out, ToDo{Text: h.msg(c, key, "count", n), Link: link})
		}
	}
	add(o.InReview, "overview.in_review", signatures+"status="+string(models.StatusInReview))
	add(o.Overdue, "overview.overdue", signatures+url.Values{"status": {string(models.StatusUnconfirmed)}, "signed": {string(models.AgeOverdue)}}.Encode())
	add(o.Unanswered, "overview.unanswered", editorPath(l)+"/invitations?status=unanswered")
	add(o.Recent, "overview.recent", signatures+"signed="+string(models.AgeRecent))
	switch {
	case o.DaysLeft == 0:
		out = append(out, ToDo{Text: h.msg(c, "overview.closes_today")})
	case o.DaysLeft > 0:
		out = append(out, ToDo{Text: h.msg(c, "overview.closes_in", "count", o.DaysLeft, "date", views.FormatDate(h.lang(c), *l.ClosesOn))})
	}
	return out
}

// lettersToDo is the overview of every letter of orgs, by letter id, read
// in one go (Store.LetterOverviews).
func (h *Handler) lettersToDo(c *fiber.Ctx, orgs []models.OrganisationLetters) (map[int64][]ToDo, error) {
	var letters []models.Letter
	for _, o := range orgs {
		letters = append(letters, o.Letters...)
	}
	overviews, err := h.store.LetterOverviews(c.UserContext(), letters)
	if err != nil {
		return nil, err
	}
	out := make(map[int64][]ToDo, len(letters))
	for i := range letters {
		out[letters[i].ID] = h.toDo(c, &letters[i], overviews[letters[i].ID])
	}
	return out, nil
}

// SignaturesQuery is the search and the filters of a letter's signatures
// page, kept in its links and in the batch form that returns to it.
type SignaturesQuery struct {
	Q        string `query:"q" form:"q" validate:"max=200,text"`
	Kind     string `query:"kind" form:"kind" validate:"omitempty,oneof=individual organisation"`
	Status   string `query:"status" form:"status" validate:"omitempty,oneof=unconfirmed in_review listed rejected"`
	Display  string `query:"display" form:"display" validate:"omitempty,oneof=full anonymous counted"`
	Verified string `query:"verified" form:"verified" validate:"omitempty,oneof=yes no"`
	// Version is the language of the version signed, one of the letter's
	// (see versions); not "lang", which every page takes as the language
	// of the interface.
	Version string `query:"version" form:"version" validate:"max=35"`
	Signed  string `query:"signed" form:"signed" validate:"omitempty,oneof=last24h before48h"`
	// Source is where the signatures come from (models.SignatureFilter.Source):
	// signed on the site, imported, gathered offline, or at one offline source.
	Source string `query:"source" form:"source" validate:"max=120,text"`
}

// Fields are the search and filters set, by field name: the batch form
// carries them, to return to the page as it was.
func (q SignaturesQuery) Fields() map[string]string {
	out := map[string]string{}
	for k, v := range map[string]string{"q": q.Q, "kind": q.Kind, "status": q.Status, "display": q.Display, "verified": q.Verified,
		"version": q.Version, "signed": q.Signed, "source": q.Source} {
		if v != "" {
			out[k] = v
		}
	}
	return out
}

// values is q as a link's query.
func (q SignaturesQuery) values() url.Values {
	out := url.Values{}
	for k, v := range q.Fields() {
		out.Set(k, v)
	}
	return out
}

// filter is q for the store, a country typed read in lang.
func (q SignaturesQuery) filter(lang string) models.SignatureFilter {
	f := models.SignatureFilter{Query: q.Q, Lang: lang, Kind: models.SignatureKind(q.Kind), Status: models.SignatureStatus(q.Status),
		Display: models.Display(q.Display), Version: q.Version, Signed: models.Age(q.Signed), Source: q.Source}
	if q.Verified != "" {
		verified := q.Verified == "yes"
		f.Verified = &verified
	}
	return f
}

// BatchForm acts at once on the signatures ticked on a letter's
// signatures page. Removing asks a reason, as removing one did: it goes
// to the audit log.
type BatchForm struct {
	Action string  `form:"action" validate:"required,oneof=approve reject remove verify"`
	Sig    []int64 `form:"sig" validate:"max=500"`
	Reason string  `form:"reason" validate:"required_if=Action remove,max=500,text"`
}

// normalize drops a signature ticked twice (a crafted form), so that
// what the batch skipped is counted right.
func (f *BatchForm) normalize() {
	f.Reason = models.NormalizeText(f.Reason)
	slices.Sort(f.Sig)
	f.Sig = slices.Compact(f.Sig)
}

// signaturesLabels names the signatures page's fields, for their labels
// and the error summary.
func (h *Handler) signaturesLabels(c *fiber.Ctx) map[string]string {
	return map[string]string{
		"q": h.msg(c, "overview.label.q"), "kind": h.msg(c, "overview.label.kind"), "status": h.msg(c, "overview.label.status"),
		"display": h.msg(c, "overview.label.display"), "verified": h.msg(c, "overview.label.verified"),
		"version": h.msg(c, "overview.label.version"), "signed": h.msg(c, "overview.label.signed"),
		"action": h.msg(c, "overview.label.action"), "reason": h.msg(c, "label.reason"), "sig": h.msg(c, "overview.label.sig"),
		"source": h.msg(c, "offline.label.source"),
	}
}

// signaturesChoices are the options of the signatures page's selects.
func (h *Handler) signaturesChoices(c *fiber.Ctx, l *models.Letter) SignaturesChoices {
	options := func(pairs ...string) *views.Options {
		var opts []views.Option
		for i := 0; i < len(pairs); i += 2 {
			opts = append(opts, views.Option{Value: pairs[i], Label: h.msg(c, pairs[i+1])})
		}
		return views.NewOptions(opts)
	}
	ch := SignaturesChoices{
		Kinds:    options("individual", "signatures.kind.individual", "organisation", "signatures.kind.organisation"),
		Statuses: options("unconfirmed", "status.unconfirmed", "in_review", "status.in_review", "listed", "status.listed", "rejected", "status.rejected"),
		Displays: options("full", "overview.display.full", "anonymous", "overview.display.anonymous", "counted", "overview.display.counted"),
		Verified: options("yes", "overview.verified.yes", "no", "overview.verified.no"),
		Ages:     options(string(models.AgeRecent), "overview.signed.last24h", string(models.AgeOverdue), "overview.signed.before48h"),
		Actions: options("approve", "overview.action.approve", "reject", "overview.action.reject", "remove", "overview.action.remove",
			"verify", "overview.action.verify"),
	}
	if versions := versions(l); len(versions) > 1 {
		var opts []views.Option
		for _, lang := range versions {
			opts = append(opts, views.Option{Value: lang, Label: views.LanguageNameIn(h.lang(c), lang)})
		}
		ch.Versions = views.NewOptions(opts)
	}
	return ch
}

// versions are the languages l may be signed in: its original's and its translations'.
func versions(l *models.Letter) []string {
	out := []string{l.Lang}
	for _, t := range l.Translations {
		out = append(out, t.Lang)
	}
	return out
}

// SignaturesChoices are the options of the signatures page's selects;
// Versions is nil for a letter without translations.
type SignaturesChoices struct {
	Kinds, Statuses, Displays, Verified, Versions, Ages, Actions, Sources *views.Options
}

// sourceChoices are the sources a letter's signatures may be filtered by:
// signed on the site, imported from a list collected online, gathered
// offline, and each offline source its counts know.
func (h *Handler) sourceChoices(c *fiber.Ctx, l *models.Letter) (*views.Options, error) {
	counts, err := h.store.OfflineCounts(c.UserContext(), l)
	opts := []views.Option{
		{Value: models.SourceForm, Label: h.msg(c, "offline.source.form")},
		{Value: models.SourceImport, Label: h.msg(c, "offline.source.import")},
		{Value: models.SourceOffline, Label: h.msg(c, "offline.source.all")},
	}
	for _, sc := range counts {
		opts = append(opts, views.Option{Value: models.OfflineSourceKey(sc.Source), Label: h.offlineSourceName(c, sc.Source)})
	}
	return views.NewOptions(opts), err
}

// offlineSourceName names an offline source as the coordinators' pages
// do: "On paper", or "At" and the event's name.
func (h *Handler) offlineSourceName(c *fiber.Ctx, source string) string {
	if source == models.OfflinePaper {
		return h.msg(c, "offline.source.paper")
	}
	return h.msg(c, "offline.at_event", "event", source)
}

// signaturesQuery reads and checks the signatures page's search and
// filters from the address, or from the batch form's hidden fields.
func (h *Handler) signaturesQuery(c *fiber.Ctx, l *models.Letter, labels map[string]string) (SignaturesQuery, views.FormErrors) {
	var q SignaturesQuery
	var err error
	if c.Method() == fiber.MethodPost {
		err = c.BodyParser(&q)
	} else {
		err = c.QueryParser(&q)
	}
	if err != nil {
		return SignaturesQuery{}, views.FormErrors{{Field: "q", Label: labels["q"], Message: h.msg(c, "error.invalid")}}
	}
	q.Q = models.NormalizeText(q.Q)
	errs := h.labelled(c, models.Validate(&q), labels)
	if q.Version != "" && !slices.Contains(versions(l), q.Version) {
		errs = append(errs, views.FieldError{Field: "version", Label: labels["version"], Message: h.msg(c, "error.choice")})
	}
	if q.Source != "" && !models.IsSourceKey(q.Source) {
		errs = append(errs, views.FieldError{Field: "source", Label: labels["source"], Message: h.msg(c, "error.choice")})
	}
	return q, errs
}

// labelled is the failures invalid as form errors, each field named by labels.
func (h *Handler) labelled(c *fiber.Ctx, invalid []models.Invalid, labels map[string]string) views.FormErrors {
	var out views.FormErrors
	for _, inv := range invalid {
		out = append(out, views.FieldError{Field: inv.Field, Label: labels[inv.Field], Message: h.invalidMessage(c, inv)})
	}
	return out
}

// batchSignatures approves, rejects, removes or verifies the ticked signatures, in
// one transaction, and returns to the page as it was filtered, saying
// what changed. A ticked signature of another letter is not found: 404,
// and nothing changes.
func (h *Handler) batchSignatures(c *fiber.Ctx, l *models.Letter) error {
	labels := h.signaturesLabels(c)
	var form BatchForm
	if err := c.BodyParser(&form); err != nil {
		return fiber.NewError(fiber.StatusBadRequest, "form cannot be read")
	}
	form.normalize()
	q, errs := h.signaturesQuery(c, l, labels)
	errs = append(errs, h.labelled(c, models.Validate(&form), labels)...)
	if len(form.Sig) == 0 {
		errs = append(errs, views.FieldError{Field: "sig", Label: labels["sig"], Message: h.msg(c, "overview.error.none_ticked")})
	}
	if len(errs) > 0 {
		return h.renderSignatures(c, fiber.StatusUnprocessableEntity, l, q, &form, errs)
	}
	n, err := h.store.ActOnSignatures(c.UserContext(), l, coordinator(c).ID, form.Sig, models.BatchAction(form.Action), form.Reason, h.entryIn(h.lang(c)))
	if errors.Is(err, models.ErrNotFound) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	done := q.values()
	done.Set("done", form.Action)
	done.Set("count", strconv.Itoa(n))
	done.Set("skipped", strconv.Itoa(len(form.Sig)-n))
	return c.Redirect(editorPath(l)+"/signatures?"+done.Encode(), fiber.StatusSeeOther)
}

// batchDone says what the last batch did, from the address it returned to.
func (h *Handler) batchDone(c *fiber.Ctx) string {
	n, skipped := c.QueryInt("count"), c.QueryInt("skipped")
	var done string
	skippedKey := "overview.skipped"
	switch c.Query("done") {
	case "approve":
		done = h.msg(c, "review.approved", "count", n)
	case "reject":
		done = h.msg(c, "review.rejected", "count", n)
	case "remove":
		done = h.msg(c, "overview.removed", "count", n)
	case "verify":
		done, skippedKey = h.msg(c, "verify.done.verified", "count", n), "overview.skipped_verify"
	default:
		return ""
	}
	if skipped > 0 {
		done += " " + h.msg(c, skippedKey, "count", skipped)
	}
	return done
}
