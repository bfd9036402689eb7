package handlers

import (
	"context"
	"errors"
	"iter"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"undersigned/models"
	"undersigned/models/mail"
	"undersigned/views"
	"undersigned/views/packet"
)

// AddresseesView is the page where a coordinator gives each addressee line
// of a letter a role and an email address.
type AddresseesView struct {
	LetterID int64
	Title    string
	Rows     []models.Addressee // Position, Line, and the role and address as entered
	Saved    bool
}

// addresseesPath is the address of l's addressees page.
func addresseesPath(l *models.Letter) string { return editorPath(l) + "/addressees" }

// deliveriesPath is the address of l's deliveries page.
func deliveriesPath(l *models.Letter) string { return editorPath(l) + "/deliveries" }

// addresseesPage shows the letter's addressee lines with their roles and
// addresses.
func (h *Handler) addresseesPage(c *fiber.Ctx, l *models.Letter) error {
	rows, err := h.store.Addressees(c.UserContext(), l)
	if err != nil {
		return err
	}
	return h.renderAddressees(c, fiber.StatusOK, l, rows, nil)
}

func (h *Handler) renderAddressees(c *fiber.Ctx, status int, l *models.Letter, rows []models.Addressee, errs views.FormErrors) error {
	v := AddresseesView{LetterID: l.ID, Title: l.Title, Rows: rows, Saved: c.Query("saved") == "1"}
	p := h.page(c, h.msg(c, "addressees.title"), v)
	p.Errors = errs
	return h.render(c, status, "addressees", p)
}

// saveAddressees keeps the role and address of each addressee line, from
// the fields role_<i> and email_<i>; an invalid one is refused with the
// values kept.
func (h *Handler) saveAddressees(c *fiber.Ctx, l *models.Letter) error {
	rows, err := h.store.Addressees(c.UserContext(), l)
	if err != nil {
		return err
	}
	details := make([]models.AddresseeDetails, len(rows))
	var errs views.FormErrors
	for i := range rows {
		n := strconv.Itoa(i)
		d := models.AddresseeDetails{
			Role:  models.NormalizeText(strings.Clone(c.FormValue("role_" + n))),
			Email: strings.TrimSpace(strings.Clone(c.FormValue("email_" + n))),
		}
		details[i], rows[i].Role, rows[i].Email = d, d.Role, d.Email
		for _, inv := range models.Validate(d) {
			errs = append(errs, views.FieldError{Field: inv.Field + "_" + n,
				Label: h.msg(c, "addressees.summary."+inv.Field, "line", rows[i].Line), Message: h.invalidMessage(c, inv)})
		}
	}
	if len(errs) > 0 {
		return h.renderAddressees(c, fiber.StatusUnprocessableEntity, l, rows, errs)
	}
	if err := h.store.SaveAddressees(c.UserContext(), l, details); err != nil {
		return err
	}
	return c.Redirect(addresseesPath(l)+"?saved=1", fiber.StatusSeeOther)
}

// DeliveryForm delivers a dated list of a letter: by email through the
// outbox, or recorded as delivered by hand.
type DeliveryForm struct {
	Snapshot    string   `form:"snapshot" validate:"required,max=10"` // "now", or a dated list's date
	Versions    []string `form:"versions" validate:"required,max=20,dive,max=35"`
	Addressees  []int    `form:"addressee" validate:"max=200"`
	Message     string   `form:"message" validate:"max=10000,multiline"`
	Attach      string   `form:"attach" validate:"omitempty,oneof=pdf link"`
	ByHand      string   `form:"by_hand" validate:"omitempty,oneof=1"`
	HandHow     string   `form:"hand_how" validate:"required_if=ByHand 1,max=200,text"`
	DeliveredOn string   `form:"delivered_on" validate:"required_if=ByHand 1,omitempty,datetime=2006-01-02"`
	Confirm     string   `form:"confirm"`
}

func (f *DeliveryForm) normalize() {
	f.Snapshot, f.Message, f.HandHow = strings.TrimSpace(f.Snapshot), models.NormalizeMultiline(f.Message), models.NormalizeText(f.HandHow)
	f.DeliveredOn = strings.TrimSpace(f.DeliveredOn)
}

func (f *DeliveryForm) keys() string { return "delivery." }

// ChoiceView is one tickable choice of a form.
type ChoiceView struct {
	Value, Label, Note string
	Checked            bool
}

// ChoiceGroup is a fieldset of radio buttons or checkboxes sharing a name.
type ChoiceGroup struct {
	Name, Type    string // Type: "radio" or "checkbox"
	Legend, Error string
	Choices       []ChoiceView
	None          string // said when there is no choice
}

// DeliveriesView is the page to deliver a letter and the record of its
// deliveries.
type DeliveriesView struct {
	LetterID int64
	Title    string
	Form     DeliveryForm
	// Groups are the form's choices: the dated list ("now", then the
	// dated lists, newest first), the versions, the addressees and what
	// the email carries.
	Groups  []ChoiceGroup
	ReplyTo string
	Again   bool // the form asks to confirm a second delivery
	Done    bool
	Record  []DeliveryView
}

// DeliveryView is a delivery as the coordinators' record shows it.
type DeliveryView struct {
	On, AsOf   time.Time
	ListURL    string
	Versions   []string
	ByHand     string
	Attach     string
	Recipients []RecipientView
}

// RecipientView is an addressee a delivery went to, and what became of it.
type RecipientView struct {
	Name, Outcome string
}

// deliveriesKept is how many deliveries a letter's pages show: a letter is
// delivered a few times, not hundreds.
const deliveriesKept = 50

// deliveriesPage shows the delivery form and the record of past deliveries.
func (h *Handler) deliveriesPage(c *fiber.Ctx, l *models.Letter) error {
	form := DeliveryForm{Snapshot: "now", Versions: []string{l.Lang}, Attach: models.AttachPDF, DeliveredOn: h.cfg.Now().Format(time.DateOnly)}
	return h.renderDeliveries(c, fiber.StatusOK, l, form, nil, "")
}

func (h *Handler) renderDeliveries(c *fiber.Ctx, status int, l *models.Letter, form DeliveryForm, errs views.FormErrors, problem string) error {
	ctx := c.UserContext()
	v := DeliveriesView{LetterID: l.ID, Title: l.Title, Form: form, ReplyTo: coordinator(c).Email, Done: c.Query("done") == "1",
		Again: status == fiber.StatusConflict}
	snaps, err := h.store.Snapshots(ctx, l.ID)
	if err != nil {
		return err
	}
	lists := []ChoiceView{{Value: "now", Label: h.msg(c, "delivery.snapshot_now", "date", h.date(c, h.cfg.Now()))}}
	for _, s := range snaps {
		lists = append(lists, ChoiceView{Value: s.AsOf.Format(time.DateOnly), Label: h.msg(c, "snapshots.as_of", "date", h.date(c, s.AsOf)),
			Note: h.msg(c, "list.count", "count", s.SignatureCount())})
	}
	for i := range lists {
		lists[i].Checked = lists[i].Value == form.Snapshot
	}
	var versions []ChoiceView
	for _, lang := range l.Versions() {
		versions = append(versions, ChoiceView{Value: lang, Label: views.LanguageNameIn(h.lang(c), lang), Checked: slices.Contains(form.Versions, lang)})
	}
	addressees, err := h.store.Addressees(ctx, l)
	if err != nil {
		return err
	}
	var to []ChoiceView
	for _, a := range addressees {
		choice := ChoiceView{Value: strconv.Itoa(a.Position), Label: a.Name(), Note: a.Email, Checked: slices.Contains(form.Addressees, a.Position)}
		if a.Email == "" {
			choice.Note = h.msg(c, "delivery.no_address")
		}
		to = append(to, choice)
	}
	attach := []ChoiceView{
		{Value: models.AttachPDF, Label: h.msg(c, "delivery.attach.pdf"), Checked: form.Attach == models.AttachPDF},
		{Value: models.AttachLink, Label: h.msg(c, "delivery.attach.link"), Checked: form.Attach == models.AttachLink},
	}
	group := func(name, typ string, choices []ChoiceView) ChoiceGroup {
		return ChoiceGroup{Name: name, Type: typ, Legend: h.msg(c, "delivery.label."+name), Error: errs.For(name), Choices: choices}
	}
	v.Groups = []ChoiceGroup{group("snapshot", "radio", lists), group("versions", "checkbox", versions), group("addressee", "checkbox", to), group("attach", "radio", attach)}
	v.Groups[2].None = h.msg(c, "addressees.none")
	if v.Record, err = h.deliveryRecord(ctx, l); err != nil {
		return err
	}
	p := h.page(c, h.msg(c, "delivery.title"), v)
	p.Errors, p.Problem = errs, problem
	return h.render(c, status, "deliveries", p)
}

// deliveryRecord is l's deliveries, newest first, as the coordinators see them.
func (h *Handler) deliveryRecord(ctx context.Context, l *models.Letter) ([]DeliveryView, error) {
	ds, err := h.store.Deliveries(ctx, l.ID, deliveriesKept)
	out := make([]DeliveryView, len(ds))
	for i, d := range ds {
		out[i] = DeliveryView{On: d.DeliveredOn, AsOf: d.AsOf, ListURL: datedListPath(l, d.AsOf), Versions: d.VersionList(), ByHand: d.ByHand, Attach: d.Attach}
		for _, r := range d.Recipients {
			out[i].Recipients = append(out[i].Recipients, RecipientView{Name: r.Name(), Outcome: r.Outcome})
		}
	}
	return out, err
}

// deliver delivers a dated list of the letter to the addressees chosen, or
// records a delivery made by hand. A second delivery of the same list to
// an addressee is answered 409, asking to confirm it.
func (h *Handler) deliver(c *fiber.Ctx, l *models.Letter) error {
	var form DeliveryForm
	errs, err := h.parseForm(c, &form)
	if err != nil {
		return err
	}
	if len(errs) == 0 {
		errs = h.checkDeliveryForm(c, l, &form)
	}
	if len(errs) > 0 {
		return h.renderDeliveries(c, fiber.StatusUnprocessableEntity, l, form, errs, "")
	}
	d, err := h.newDelivery(c.UserContext(), l, &form)
	if err != nil {
		return h.refuseDelivery(c, l, form, err)
	}
	var to []models.Addressee
	if to, err = h.store.CheckDelivery(c.UserContext(), l, d); err != nil {
		return h.refuseDelivery(c, l, form, err)
	}
	if err := h.freezeToday(c.UserContext(), l, d); err != nil {
		return h.refuseDelivery(c, l, form, err)
	}
	compose := func(models.Addressee) models.Message { return models.Message{} }
	if d.ByHand == "" {
		if compose, err = h.deliveryMail(c, l, d); err != nil {
			return h.refuseDelivery(c, l, form, err)
		}
	}
	if _, err := h.store.Deliver(c.UserContext(), l, coordinator(c).ID, *d, compose, h.deliveryDetail(d)); err != nil {
		return h.refuseDelivery(c, l, form, err)
	}
	h.log.Info("letter delivered", "letter", l.ID, "addressees", len(to), "by_hand", d.ByHand != "")
	return c.Redirect(deliveriesPath(l)+"?done=1", fiber.StatusSeeOther)
}

// deliveryDetail is the audit log's detail of delivery d: which dated
// list, to how many addressees, by email or by hand; in the site's
// language, as the log is read by all the letter's coordinators.
func (h *Handler) deliveryDetail(d *models.NewDelivery) func(addressees int) string {
	key := "delivery.audit_email"
	if d.ByHand != "" {
		key = "delivery.audit_hand"
	}
	return func(addressees int) string {
		return views.Message(h.cfg.Lang, key, "date", views.FormatDate(h.cfg.Lang, d.Snapshot.AsOf), "count", addressees)
	}
}

// checkDeliveryForm checks what the form's tags cannot: that its list is a
// date or "now", its versions are the letter's, and that an email says
// whether it carries the packet.
func (h *Handler) checkDeliveryForm(c *fiber.Ctx, l *models.Letter, f *DeliveryForm) views.FormErrors {
	var errs views.FormErrors
	if _, err := time.Parse(time.DateOnly, f.Snapshot); err != nil && f.Snapshot != "now" {
		errs = append(errs, h.deliveryError(c, "snapshot"))
	}
	for _, lang := range f.Versions {
		if !slices.Contains(l.Versions(), lang) {
			errs = append(errs, h.deliveryError(c, "versions"))
			break
		}
	}
	if len(f.Addressees) == 0 {
		errs = append(errs, h.deliveryError(c, "addressee"))
	}
	if f.ByHand == "" && f.Attach == "" {
		errs = append(errs, h.deliveryError(c, "attach"))
	}
	return errs
}

// deliveryError is the delivery form's error for field.
func (h *Handler) deliveryError(c *fiber.Ctx, field string) views.FieldError {
	return views.FieldError{Field: field, Label: h.msg(c, "delivery.label."+field), Message: h.msg(c, "delivery.error."+field)}
}

// newDelivery is the delivery the form asks for. Its dated list is the one
// of the form's date, or for "now" today's, which Deliver's caller
// publishes once the delivery is checked (see publishToday): until then
// it has no id, and no delivery yet.
func (h *Handler) newDelivery(ctx context.Context, l *models.Letter, f *DeliveryForm) (*models.NewDelivery, error) {
	d := &models.NewDelivery{Versions: f.Versions, Positions: f.Addressees, Message: f.Message, Attach: f.Attach, Again: f.Confirm == "1"}
	if f.ByHand == "1" {
		d.ByHand, d.Attach = f.HandHow, ""
		d.DeliveredOn, _ = time.Parse(time.DateOnly, f.DeliveredOn) // validated
	}
	date := h.cfg.Now()
	if f.Snapshot != "now" {
		date, _ = time.Parse(time.DateOnly, f.Snapshot) // checked
	}
	snap, err := h.store.SnapshotAsOf(ctx, l.ID, date)
	switch {
	case errors.Is(err, models.ErrNotFound) && f.Snapshot == "now":
		snap = &models.Snapshot{AsOf: models.Day(date)}
	case err != nil:
		return nil, err
	}
	d.Snapshot = snap
	return d, nil
}

// refuseDelivery answers a delivery the store or the letter refused:
// unknown dated list 422, a second delivery 409 asking to confirm it.
func (h *Handler) refuseDelivery(c *fiber.Ctx, l *models.Letter, form DeliveryForm, err error) error {
	var noAddress *models.NoAddress
	var before *models.DeliveredBefore
	switch {
	case errors.Is(err, models.ErrNotFound):
		return h.renderDeliveries(c, fiber.StatusUnprocessableEntity, l, form, views.FormErrors{h.deliveryError(c, "snapshot")}, "")
	case errors.Is(err, models.ErrNoAddressee):
		return h.renderDeliveries(c, fiber.StatusUnprocessableEntity, l, form, views.FormErrors{h.deliveryError(c, "addressee")}, "")
	case errors.As(err, &noAddress):
		fe := h.deliveryError(c, "addressee")
		fe.Message = h.msg(c, "delivery.error.no_address", "names", strings.Join(noAddress.Addressees, "; "))
		return h.renderDeliveries(c, fiber.StatusUnprocessableEntity, l, form, views.FormErrors{fe}, "")
	case errors.As(err, &before):
		return h.renderDeliveries(c, fiber.StatusConflict, l, form, nil, h.msg(c, "delivery.again", "names", strings.Join(before.Addressees, "; ")))
	case errors.Is(err, models.ErrLetterNotOpen), errors.Is(err, models.ErrListHidden):
		return h.renderDeliveries(c, fiber.StatusConflict, l, form, nil, h.msg(c, "delivery.not_public"))
	}
	return err
}

// freezeToday publishes today's dated list if d freezes one and none was
// published today.
func (h *Handler) freezeToday(ctx context.Context, l *models.Letter, d *models.NewDelivery) error {
	if d.Snapshot.ID != 0 {
		return nil
	}
	snap, err := h.store.PublishSnapshot(ctx, l, views.Message(l.Lang, "list.anonymous"))
	if errors.Is(err, models.ErrSnapshotExists) {
		snap, err = h.store.SnapshotAsOf(ctx, l.ID, d.Snapshot.AsOf)
	}
	if err != nil {
		return err
	}
	d.Snapshot = snap
	return nil
}

// deliveryMail makes the packet of each version if the email carries it, and returns
// what composes each addressee's email: in the first version's language,
// from the site's sender with replies to the coordinator delivering it.
func (h *Handler) deliveryMail(c *fiber.Ctx, l *models.Letter, d *models.NewDelivery) (func(models.Addressee) models.Message, error) {
	ctx := c.UserContext()
	versions := make([]*models.Letter, len(d.Versions))
	var files []mail.Attachment
	for i, lang := range d.Versions {
		v, err := l.Version(lang)
		if err != nil {
			return nil, err
		}
		versions[i] = v
		if d.Attach == models.AttachPDF {
			pdf, err := h.snapshotPacket(ctx, v, d.Snapshot)
			if err != nil {
				return nil, err
			}
			files = append(files, mail.Attachment{Filename: l.Slug + "-" + lang + "-" + d.Snapshot.AsOf.Format(time.DateOnly) + ".pdf", ContentType: "application/pdf", Data: pdf})
		}
	}
	first, replyTo := versions[0], coordinator(c).Email
	body := h.deliveryBody(first.Lang, d, versions, replyTo)
	return func(a models.Addressee) models.Message {
		return models.Message{To: a.Email, Lang: first.Lang, Subject: first.Title, Body: body, ReplyTo: replyTo, Attachments: files}
	}, nil
}

// deliveryBody is the text of a delivery's email in lang: the covering
// message, then where each version and the dated list can be read.
func (h *Handler) deliveryBody(lang string, d *models.NewDelivery, versions []*models.Letter, replyTo string) string {
	var b strings.Builder
	if d.Message != "" {
		b.WriteString(d.Message + "\n\n")
	}
	date := views.FormatDate(lang, d.Snapshot.AsOf)
	b.WriteString(views.Message(lang, "delivery.mail."+d.Attach, "title", versions[0].Title, "date", date) + "\n\n")
	for _, v := range versions {
		b.WriteString(views.Message(lang, "delivery.mail.letter", "language", views.LanguageNameIn(lang, v.Lang), "url", h.absolute(letterPath(v))) + "\n")
		b.WriteString(views.Message(lang, "delivery.mail.list", "date", date, "url", h.absolute(datedListPath(v, d.Snapshot.AsOf))) + "\n")
	}
	b.WriteString("\n" + views.Message(lang, "delivery.mail.replies", "address", replyTo) + "\n")
	return b.String()
}

// snapshotPacket is the PDF of l's delivery packet with its list as the
// dated list snap froze it, read a chunk of entries at a time. It waits
// its turn with the public PDFs: the server makes one PDF at a time.
func (h *Handler) snapshotPacket(ctx context.Context, l *models.Letter, snap *models.Snapshot) ([]byte, error) {
	h.packetSlot <- struct{}{}
	defer func() { <-h.packetSlot }()
	p := h.packetLetter(l)
	p.AsOf, p.Signatures, p.Unlisted = snap.AsOf, snap.SignatureCount(), snap.UnlistedCount
	p.PrintURL = h.absolute(datedListPath(l, snap.AsOf))
	p.Sections = func(each func(packet.Section)) error {
		var failed error
		for _, part := range []struct {
			organisations bool
			from, count   int64
		}{{true, 0, snap.OrganisationCount}, {false, snap.OrganisationCount, snap.IndividualCount}} {
			if part.count > 0 {
				each(packet.Section{Organisations: part.organisations, Count: part.count, Entries: h.frozenEntries(ctx, snap, part.from, part.count, &failed)})
			}
		}
		return failed
	}
	return h.writePacket(l, p)
}

// frozenEntries yields count entries of snap from offset from, read a
// chunk at a time; a failed read ends them and is kept in *failed.
func (h *Handler) frozenEntries(ctx context.Context, snap *models.Snapshot, from, count int64, failed *error) iter.Seq[string] {
	const chunk = 1000
	return func(yield func(string) bool) {
		for at := from; at < from+count; at += chunk {
			entries, err := h.store.SnapshotEntries(ctx, snap, int(at), int(min(chunk, from+count-at)))
			if err != nil {
				*failed = err
				return
			}
			for _, e := range entries {
				if !yield(e.Entry) {
					return
				}
			}
			if len(entries) == 0 {
				return
			}
		}
	}
}

// PublicDeliveryView is a delivery as the public letter says it: "Delivered
// on {date} to {addressees}", with a link to the dated list delivered.
type PublicDeliveryView struct {
	ID       int64
	On, AsOf time.Time
	To       []string // the addressees' roles, or their lines
	ListURL  string
}

// publicDeliveries are l's deliveries as its public page shows them,
// newest first.
func (h *Handler) publicDeliveries(ctx context.Context, l *models.Letter) ([]PublicDeliveryView, error) {
	ds, err := h.store.Deliveries(ctx, l.ID, deliveriesKept)
	out := make([]PublicDeliveryView, len(ds))
	for i, d := range ds {
		out[i] = PublicDeliveryView{ID: d.ID, On: d.DeliveredOn, AsOf: d.AsOf, To: recipientNames(d), ListURL: datedListPath(l, d.AsOf)}
	}
	return out, err
}

// deliveryEntries are entries with the feed's entries for the latest
// deliveries of public letters: "Delivered: {title}", to whom and when,
// linking to the dated list delivered.
func (h *Handler) deliveryEntries(c *fiber.Ctx, entries []atomEntry) ([]atomEntry, error) {
	ds, err := h.store.PublicDeliveries(c.UserContext(), feedEntries)
	for _, d := range ds {
		l := &models.Letter{Slug: d.Slug}
		url := h.absolute(datedListPath(l, d.AsOf))
		e := atomEntry{ID: h.absolute(letterPath(l) + "#delivery-" + strconv.FormatInt(d.ID, 10)), Title: h.msg(c, "delivery.feed_title", "title", d.Title),
			Summary: h.msg(c, "delivery.feed_summary", "date", h.date(c, d.DeliveredOn), "addressees", views.List(h.lang(c), recipientNames(d))),
			Links:   []atomLink{{Rel: "alternate", Type: "text/html", Href: url}}}
		e.Published = isoTime(d.DeliveredOn)
		e.Updated = e.Published
		entries = append(entries, e)
	}
	return entries, err
}

// recipientNames are the names d's addressees go by in public: their
// roles, or their lines.
func recipientNames(d models.Delivery) []string {
	names := make([]string, len(d.Recipients))
	for i, r := range d.Recipients {
		names[i] = r.Name()
	}
	return names
}
