package handlers

import (
	"errors"
	"io"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"undersigned/models"
	"undersigned/views"
)

// ImportForm adds signatories collected elsewhere (by email, on paper, at
// an event): pasted lines "Name, Affiliation, Country", or a CSV file. CSV
// is where a preview carries an uploaded file's text forward, since a file
// input cannot be filled again: confirming re-reads exactly what was previewed.
type ImportForm struct {
	Lines   string `form:"lines" validate:"multiline"`
	CSV     string `form:"csv" validate:"multiline"`
	Kind    string `form:"import_kind" validate:"required,oneof=individual organisation"`
	Display string `form:"import_display" validate:"required,oneof=full anonymous counted"`
	// Source says where the signatures were gathered: "online" (by
	// email, as a form that does not say means), "paper", or "event",
	// named by Event.
	Source string `form:"import_source" validate:"omitempty,oneof=online paper event"`
	Event  string `form:"import_event" validate:"required_if=Source event,max=100,text,visible"`
}

func (f *ImportForm) normalize() {
	f.Lines, f.CSV = models.NormalizeMultiline(f.Lines), models.NormalizeMultiline(f.CSV)
	f.Event = models.NormalizeText(f.Event)
	if f.Source == "" {
		f.Source = importOnline
	}
}

// keys finds the labels and messages of the fields about offline
// signatures under "offline." (see formErrors).
func (f *ImportForm) keys() string { return "offline." }

// importOnline is the source of signatures collected online, by email:
// not gathered offline.
const importOnline = "online"

// offline is where the signatures were gathered offline
// (models.OfflinePaper or the event's name), or "" for a list collected online.
func (f *ImportForm) offline() string {
	switch f.Source {
	case models.OfflinePaper:
		return models.OfflinePaper
	case "event":
		return f.Event
	}
	return ""
}

// source is the format and text to parse: the CSV when there is one.
func (f *ImportForm) source() (models.ImportFormat, string) {
	if f.CSV != "" {
		return models.ImportCSV, f.CSV
	}
	return models.ImportLines, f.Lines
}

// ImportView is the import page: the form, and the preview once sent.
type ImportView struct {
	LetterID int64
	Title    string
	Closed   bool // the letter takes no signatures now, so none can be added
	Form     ImportForm
	Kinds    *views.Options
	Displays *views.Options
	Sources  []views.Option // where the signatures were gathered: radio buttons
	Preview  *ImportPreview
	Done     string // what the last import did
}

// ImportPreview is what an import would do, row by row.
type ImportPreview struct {
	Format     models.ImportFormat
	Source     string // carried to the confirming form
	Rows       []ImportRowView
	ToAdd      int
	Duplicates int
	Problems   int
}

// ImportRowView is one row of the preview.
type ImportRowView struct {
	Line        int
	Source      string
	Name        string
	Affiliation string // with the role, as the list will read
	Countries   string
	Problem     string // why the row cannot be imported
	Duplicate   bool
}

func (h *Handler) importView(c *fiber.Ctx, l *models.Letter, form ImportForm) ImportView {
	return ImportView{
		LetterID: l.ID, Title: l.Title, Form: form, Closed: l.AcceptsSignatures(h.cfg.Now()) != nil,
		Kinds: views.NewOptions([]views.Option{
			{Value: string(models.KindIndividual), Label: h.msg(c, "import.kind.individual")},
			{Value: string(models.KindOrganisation), Label: h.msg(c, "import.kind.organisation")},
		}),
		Displays: views.NewOptions([]views.Option{
			{Value: string(models.DisplayFull), Label: h.msg(c, "import.display.full")},
			{Value: string(models.DisplayAnonymous), Label: h.msg(c, "import.display.anonymous")},
			{Value: string(models.DisplayCounted), Label: h.msg(c, "import.display.counted")},
		}),
		Sources: []views.Option{
			{Value: importOnline, Label: h.msg(c, "offline.source.online")},
			{Value: models.OfflinePaper, Label: h.msg(c, "offline.source.paper")},
			{Value: "event", Label: h.msg(c, "offline.source.event")},
		},
	}
}

func (h *Handler) renderImport(c *fiber.Ctx, status int, l *models.Letter, v ImportView, errs views.FormErrors) error {
	p := h.page(c, h.msg(c, "import.title", "title", l.Title), v)
	p.Errors = errs
	return h.render(c, status, "import", p)
}

// importForm shows the empty form, and after an import what it did.
func (h *Handler) importForm(c *fiber.Ctx, l *models.Letter) error {
	v := h.importView(c, l, ImportForm{Kind: string(models.KindIndividual), Display: string(models.DisplayFull), Source: importOnline})
	if n := c.QueryInt("imported", -1); n >= 0 {
		v.Done = h.msg(c, "import.done", "added", n, "skipped", c.QueryInt("skipped", 0))
	}
	return h.renderImport(c, fiber.StatusOK, l, v, nil)
}

// previewImport parses what was sent and shows what an import would do,
// writing nothing.
func (h *Handler) previewImport(c *fiber.Ctx, l *models.Letter) error {
	return h.withImport(c, l, func(v ImportView, _ []models.ImportRow) error {
		return h.renderImport(c, fiber.StatusOK, l, v, nil)
	})
}

// importSignatures reads the confirmed source again and adds its rows, all
// or none, then returns to the form with what it did.
func (h *Handler) importSignatures(c *fiber.Ctx, l *models.Letter) error {
	return h.withImport(c, l, func(v ImportView, rows []models.ImportRow) error {
		res, err := h.store.ImportSignatures(c.UserContext(), l, coordinator(c).ID,
			models.SignatureKind(v.Form.Kind), models.Display(v.Form.Display), v.Form.offline(), rows)
		if err != nil {
			return h.importFailed(c, l, v, nil, err)
		}
		q := url.Values{"imported": {strconv.Itoa(res.Added)}, "skipped": {strconv.Itoa(res.Skipped)}}
		return c.Redirect(editorPath(l)+"/import?"+q.Encode(), fiber.StatusSeeOther)
	})
}

// withImport reads and parses an import, answers the request itself when
// the import cannot go ahead (the form's errors, a row that cannot be read,
// a letter that takes no signatures), and otherwise calls next with the
// preview and the rows.
func (h *Handler) withImport(c *fiber.Ctx, l *models.Letter, next func(ImportView, []models.ImportRow) error) error {
	v, rows, errs, err := h.readImport(c, l)
	if err != nil || len(errs) > 0 || v.Closed {
		return h.importFailed(c, l, v, errs, err)
	}
	if v.Preview.Problems > 0 {
		return h.renderImport(c, fiber.StatusUnprocessableEntity, l, v, h.rowProblems(c, v.Preview))
	}
	return next(v, rows)
}

// rowProblems is the error summary's line for a preview whose rows cannot
// all be read; each row's reason is beside it in the preview.
func (h *Handler) rowProblems(c *fiber.Ctx, p *ImportPreview) views.FormErrors {
	field := "lines"
	if p.Format == models.ImportCSV {
		field = "csv_file"
	}
	return views.FormErrors{{Field: field, Label: h.summaryLabel(c, field), Message: h.msg(c, "import.error.rows", "count", p.Problems)}}
}

// importFailed answers a refused import: 409 when the letter takes no
// signatures, 422 with the form's errors, and the error page otherwise.
func (h *Handler) importFailed(c *fiber.Ctx, l *models.Letter, v ImportView, errs views.FormErrors, err error) error {
	switch {
	case errors.Is(err, models.ErrLetterClosed), errors.Is(err, models.ErrLetterNotOpen), err == nil && v.Closed:
		v.Closed, v.Preview = true, nil
		return h.renderImport(c, fiber.StatusConflict, l, v, nil)
	case errors.Is(err, models.ErrKindNotAllowed):
		errs = h.fieldError(c, "import_kind", "import.error.kind")
	case err != nil:
		return err
	}
	v.Preview = nil
	return h.renderImport(c, fiber.StatusUnprocessableEntity, l, v, errs)
}

// readImport reads the form and its file, parses the source and marks the
// duplicates: the view with its preview, the rows, and the form's errors.
func (h *Handler) readImport(c *fiber.Ctx, l *models.Letter) (ImportView, []models.ImportRow, views.FormErrors, error) {
	var form ImportForm
	errs, err := h.parseForm(c, &form)
	if err != nil {
		return ImportView{}, nil, nil, err
	}
	fileErr := h.readImportFile(c, &form)
	v := h.importView(c, l, form)
	if fileErr != "" {
		errs = append(errs, views.FieldError{Field: "csv_file", Label: h.summaryLabel(c, "csv_file"), Message: h.msg(c, fileErr)})
	}
	if len(errs) > 0 || v.Closed {
		return v, nil, errs, nil
	}
	kind := models.SignatureKind(form.Kind)
	if !l.AllowsKind(kind) {
		return v, nil, h.fieldError(c, "import_kind", "import.error.kind"), nil
	}
	format, src := form.source()
	field := "lines"
	if format == models.ImportCSV {
		field = "csv_file"
	}
	rows, err := models.ParseImport(format, src, kind, views.Languages...)
	switch {
	case errors.Is(err, models.ErrImportEmpty):
		return v, nil, h.fieldError(c, field, "import.error.empty"), nil
	case errors.Is(err, models.ErrImportTooLarge):
		return v, nil, h.fieldError(c, field, "import.error.too_large"), nil
	case errors.Is(err, models.ErrImportHeader):
		return v, nil, h.fieldError(c, field, "import.error.header"), nil
	case err != nil:
		return v, nil, nil, err
	}
	if err := h.store.MarkImportDuplicates(c.UserContext(), l, kind, rows); err != nil {
		return v, nil, nil, err
	}
	v.Preview = h.importPreview(c, format, src, rows)
	return v, rows, nil, nil
}

// readImportFile puts an uploaded CSV file's text into form.CSV. It returns
// the catalogue key of what is wrong with the file, if anything.
func (h *Handler) readImportFile(c *fiber.Ctx, form *ImportForm) string {
	text, problem := readCSVFile(c, "csv_file")
	switch {
	case problem != "":
		return "import.error." + problem
	case text != "" && form.Lines != "":
		return "import.error.both"
	case text != "":
		form.CSV = text
	}
	return ""
}

// readCSVFile reads the CSV file uploaded in a form's field, bounded as an
// import is: its text, "" when no file was chosen (browsers then send an
// empty part), or what is wrong with the file: "too_large", "not_text" or
// "empty", each page saying it its own way.
func readCSVFile(c *fiber.Ctx, field string) (text, problem string) {
	fh, err := c.FormFile(field)
	if err != nil || (fh.Size == 0 && fh.Filename == "") {
		return "", ""
	}
	if fh.Size > models.ImportMaxBytes {
		return "", "too_large"
	}
	f, err := fh.Open()
	if err != nil {
		return "", "not_text"
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, models.ImportMaxBytes+1))
	if err != nil || len(b) > models.ImportMaxBytes {
		return "", "too_large"
	}
	if !models.CSVLooksLikeText(b) {
		return "", "not_text"
	}
	text = models.NormalizeMultiline(strings.TrimPrefix(string(b), "\ufeff"))
	if text == "" {
		return "", "empty"
	}
	return text, ""
}

// importPreview shows each parsed row as the list will read it, or why it
// cannot be imported, and counts what the import would do.
func (h *Handler) importPreview(c *fiber.Ctx, format models.ImportFormat, src string, rows []models.ImportRow) *ImportPreview {
	p := &ImportPreview{Format: format, Source: src, Rows: make([]ImportRowView, len(rows))}
	for i := range rows {
		r := &rows[i]
		affiliation := r.Affiliation
		if r.Role != "" {
			affiliation = strings.TrimSuffix(r.Role+", "+r.Affiliation, ", ")
		}
		row := ImportRowView{Line: r.Line, Source: r.Source, Name: r.Name, Affiliation: affiliation, Duplicate: r.Duplicate}
		if r.Name == "" && r.Problem == nil { // an organisation: its name is the entry's name
			row.Name, row.Affiliation = r.Affiliation, r.Role
		}
		switch {
		case r.Problem != nil:
			p.Problems++
			row.Problem = h.invalidMessage(c, *r.Problem, "import.problem.")
		case r.Duplicate:
			p.Duplicates++
		default:
			p.ToAdd++
		}
		if r.Problem == nil {
			row.Countries = models.Signature{Country: r.Country, Country2: r.Country2}.Countries(h.lang(c))
		}
		p.Rows[i] = row
	}
	return p
}
