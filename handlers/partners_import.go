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

// PartnerImportView is the directory's import page: the upload form, and
// the preview once a file was sent. As the signatories' import does, the
// preview carries the file's text to its confirming form (field "csv"),
// and confirming reads exactly what was previewed.
type PartnerImportView struct {
	Org     models.Organisation
	Preview *PartnerPreview
	Done    string // what the last import did
}

// PartnerPreview is what an import into the directory would do, row by row.
type PartnerPreview struct {
	Source   string
	Rows     []PartnerPreviewRow
	Partners int // partners to add
	Contacts int // contacts to add, to them
	Skipped  int
	Problems int
}

// PartnerPreviewRow is one row of the preview: the partner as the
// directory will read it, or why the row cannot be imported.
type PartnerPreviewRow struct {
	Line      int
	Source    string
	Name      string
	Countries string
	Contact   string // its name and address
	Result    string // what the import does with it
	Existing  *PartnerLink
	Problem   string
}

func (h *Handler) renderPartnerImport(c *fiber.Ctx, status int, org *models.Organisation, v PartnerImportView, errs views.FormErrors) error {
	v.Org = *org
	p := h.page(c, h.msg(c, "partners.import_title", "organisation", org.Name), v)
	p.Errors = errs
	return h.render(c, status, "partners_import", p)
}

// partnerImportForm shows the upload form, and after an import what it did.
func (h *Handler) partnerImportForm(c *fiber.Ctx, org *models.Organisation) error {
	var v PartnerImportView
	if n := c.QueryInt("partners", -1); n >= 0 {
		v.Done = h.msg(c, "partners.import_done", "partners", n, "contacts", c.QueryInt("contacts"), "skipped", c.QueryInt("skipped"))
	}
	return h.renderPartnerImport(c, fiber.StatusOK, org, v, nil)
}

// previewPartnerImport shows what importing the file would do, writing nothing.
func (h *Handler) previewPartnerImport(c *fiber.Ctx, org *models.Organisation) error {
	return h.withPartnerImport(c, org, func(v PartnerImportView, _ []models.PartnerRow) error {
		return h.renderPartnerImport(c, fiber.StatusOK, org, v, nil)
	})
}

// importPartners reads the confirmed source again and adds its rows, all
// or none, then returns to the form with what it did.
func (h *Handler) importPartners(c *fiber.Ctx, org *models.Organisation) error {
	return h.withPartnerImport(c, org, func(v PartnerImportView, rows []models.PartnerRow) error {
		res, err := h.store.ImportPartners(c.UserContext(), org.ID, rows)
		if err != nil {
			return err
		}
		q := url.Values{"partners": {strconv.Itoa(res.Partners)}, "contacts": {strconv.Itoa(res.Contacts)}, "skipped": {strconv.Itoa(res.Skipped)}}
		return c.Redirect(partnersPath(org)+"/import?"+q.Encode(), fiber.StatusSeeOther)
	})
}

// withPartnerImport reads the uploaded file (or the previewed text the
// confirming form carries), parses it and finds what each row would do;
// it answers 422 itself when the file or a row cannot be read, and
// otherwise calls next with the preview and the rows.
func (h *Handler) withPartnerImport(c *fiber.Ctx, org *models.Organisation, next func(PartnerImportView, []models.PartnerRow) error) error {
	var v PartnerImportView
	src, problem := readCSVFile(c, "file")
	if src == "" && problem == "" {
		src = models.NormalizeMultiline(c.FormValue("csv"))
	}
	if problem == "" && src == "" {
		problem = "empty"
	}
	var rows []models.PartnerRow
	if problem == "" {
		var err error
		rows, err = models.ParsePartnerImport(src, views.Languages...)
		switch {
		case errors.Is(err, models.ErrImportEmpty):
			problem = "empty"
		case errors.Is(err, models.ErrImportTooLarge):
			problem = "too_large"
		case errors.Is(err, models.ErrImportHeader):
			problem = "header"
		case err != nil:
			return err
		}
	}
	if problem != "" {
		errs := h.formErrors(c, partnerKeys, []models.Invalid{{Field: "file", Code: problem}})
		return h.renderPartnerImport(c, fiber.StatusUnprocessableEntity, org, v, errs)
	}
	if err := h.store.MarkPartnerDuplicates(c.UserContext(), org.ID, rows); err != nil {
		return err
	}
	v.Preview = h.partnerPreview(c, src, rows)
	if v.Preview.Problems > 0 {
		errs := h.formErrors(c, partnerKeys, []models.Invalid{{Field: "file", Code: "rows", Params: map[string]any{"count": v.Preview.Problems}}})
		return h.renderPartnerImport(c, fiber.StatusUnprocessableEntity, org, v, errs)
	}
	return next(v, rows)
}

// partnerPreview shows each row as the directory will read it, or why it
// cannot be imported, and counts what the import would do.
func (h *Handler) partnerPreview(c *fiber.Ctx, src string, rows []models.PartnerRow) *PartnerPreview {
	p := &PartnerPreview{Source: src, Rows: make([]PartnerPreviewRow, len(rows))}
	for i := range rows {
		r := &rows[i]
		row := PartnerPreviewRow{Line: r.Line, Source: r.Source, Name: r.Partner.Name}
		row.Countries = strings.Join(countryNames(h.lang(c), r.Partner.Countries), ", ")
		if r.Contact != nil {
			row.Contact = h.msg(c, "partners.contact_line", "name", r.Contact.Name, "email", r.Contact.Email)
		}
		switch {
		case r.Problem != nil:
			p.Problems++
			row.Problem = h.rowProblem(c, *r.Problem)
		case r.Existing != nil:
			p.Skipped++
			row.Existing = &PartnerLink{ID: r.Existing.ID, Name: r.Existing.Name}
		case r.SameAs != 0:
			p.Contacts++
			row.Result = h.msg(c, "partners.row.same_as", "line", r.SameAs)
		case r.Repeats != 0:
			p.Skipped++
			row.Result = h.msg(c, "partners.row.repeats", "line", r.Repeats)
		default:
			p.Partners++
			row.Result = h.msg(c, "partners.row.new")
			if r.Contact != nil {
				p.Contacts++
			}
		}
		p.Rows[i] = row
	}
	return p
}

// rowProblem says why a row cannot be imported, naming the column.
func (h *Handler) rowProblem(c *fiber.Ctx, inv models.Invalid) string {
	msg := h.invalidMessage(c, inv, "partners.error.", "import.problem.")
	if inv.Field == "" {
		return msg
	}
	return h.msg(c, "format.label_value", "label", h.msg(c, partnerKeys+"label."+inv.Field), "value", msg)
}
