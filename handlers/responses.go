package handlers

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime/multipart"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"undersigned/models"
	"undersigned/views"
)

// A response's PDF is the one upload larger than a form: the server streams
// every request's body (see New), and readBody reads it into memory within
// these bounds before anything else sees it.
const (
	// formBodyMax is the most any form may send, an upload's fields included.
	formBodyMax = 256 << 10
	// uploadMax is the most a response's form may send before it is refused
	// without being read: a file past models.ResponseFileMaxBytes is read
	// up to it and dropped, so that the coordinator gets the form back with
	// a message rather than a broken connection.
	uploadMax = 8 * models.ResponseFileMaxBytes
	// uploadKept is the most of a response's form kept in memory: its
	// fields, its file cut a byte past its limit, and the parts' framing.
	uploadKept = formBodyMax + models.ResponseFileMaxBytes + 1 + 4<<10
	// uploadReadTimeout is how long a response's form may take to arrive:
	// a PDF on a slow line needs longer than the server's ReadTimeout.
	uploadReadTimeout = 2 * time.Minute
	// uploadParts bounds the parts of a response's form: it has six.
	uploadParts = 16
	// uploadsAtOnce is how many responses' forms are read and kept at once;
	// more wait their turn. Each holds a file a few times over, tens of MB.
	uploadsAtOnce = 2
)

// responseUploadPath is the address of the form that records a response
// (see routes), the only one whose body may carry a PDF.
var responseUploadPath = regexp.MustCompile(`^/dashboard/letters/[0-9]+/responses$`)

// readBody reads the request's body, streamed by the server, into memory:
// at most formBodyMax (413 past it), or a response's form with its PDF
// (see readUpload). Nothing reads the body before it.
func (h *Handler) readBody(c *fiber.Ctx) error {
	req := c.Request()
	if !req.IsBodyStream() {
		return c.Next()
	}
	boundary := string(req.Header.MultipartFormBoundary())
	if boundary != "" && c.Method() == fiber.MethodPost && responseUploadPath.MatchString(c.Path()) {
		return h.readUpload(c, boundary)
	}
	if req.Header.ContentLength() > formBodyMax {
		return fiber.ErrRequestEntityTooLarge
	}
	body, err := io.ReadAll(io.LimitReader(req.BodyStream(), formBodyMax+1))
	if err != nil {
		return fiber.ErrBadRequest
	}
	if len(body) > formBodyMax {
		return fiber.ErrRequestEntityTooLarge
	}
	req.SetBodyRaw(body)
	return c.Next()
}

// readUpload reads a response's multipart form, boundary, for a logged-in
// coordinator only: its fields (and its parts' headers) within
// formBodyMax, and its one file up to a byte past
// models.ResponseFileMaxBytes, the rest of a larger one read and dropped,
// so that the handler sees it is too large. What was kept is the request's
// body again, for the CSRF check and the handler to read as any form. At
// most a form and a file's limit are held at once.
func (h *Handler) readUpload(c *fiber.Ctx, boundary string) error {
	req := c.Request()
	if req.Header.ContentLength() > uploadMax {
		return fiber.ErrRequestEntityTooLarge
	}
	u, err := h.currentUser(c)
	if err != nil {
		return err
	}
	if u == nil {
		return fiber.ErrForbidden // no stranger's upload is read
	}
	if err := c.Context().Conn().SetReadDeadline(time.Now().Add(uploadReadTimeout)); err != nil {
		return err
	}
	h.uploadSlots <- struct{}{}
	defer func() { <-h.uploadSlots }() // once the handler has kept the file
	var body bytes.Buffer
	body.Grow(min(max(req.Header.ContentLength(), 0), uploadKept)) // no copies while it grows
	out := multipart.NewWriter(&body)
	if err := out.SetBoundary(boundary); err != nil {
		return fiber.ErrBadRequest
	}
	src := &io.LimitedReader{R: req.BodyStream(), N: uploadMax}
	in := multipart.NewReader(src, boundary)
	fields, files := int64(0), 0 // bytes of the fields and their parts' headers; files
	for parts := 0; ; parts++ {
		part, err := in.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil || parts == uploadParts {
			return badUpload(src)
		}
		for k, vs := range part.Header {
			fields += int64(len(k) + len(strings.Join(vs, "")))
		}
		limit := formBodyMax - fields
		if part.FileName() != "" {
			files++
			limit = models.ResponseFileMaxBytes + 1
		}
		if fields >= formBodyMax || files > 1 {
			return fiber.ErrRequestEntityTooLarge
		}
		w, err := out.CreatePart(part.Header)
		if err != nil {
			return err
		}
		n, err := io.Copy(w, io.LimitReader(part, limit))
		if err != nil {
			return badUpload(src)
		}
		if part.FileName() == "" {
			if fields += n; fields >= formBodyMax {
				return fiber.ErrRequestEntityTooLarge
			}
		}
		if _, err := io.Copy(io.Discard, part); err != nil { // what is past a file's limit
			return badUpload(src)
		}
	}
	if err := out.Close(); err != nil {
		return err
	}
	req.SetBodyRaw(body.Bytes())
	return c.Next()
}

// badUpload is the error of an upload that cannot be read from src: too
// large when it was cut at uploadMax (sent without its length), otherwise
// malformed or broken off.
func badUpload(src *io.LimitedReader) error {
	if src.N == 0 {
		return fiber.ErrRequestEntityTooLarge
	}
	return fiber.ErrBadRequest
}

// ResponseForm records a response to the letter: when it came, from whom,
// and its text, a link to it, or both; its PDF, if any, is the file field
// "file", read apart (see readResponseFile).
type ResponseForm struct {
	PostedOn string `form:"posted_on" validate:"required,datetime=2006-01-02"`
	From     string `form:"from" validate:"required,max=200,text,visible"`
	Body     string `form:"body" validate:"max=20000,multiline"`
	Link     string `form:"link" validate:"omitempty,max=2000,http_url"`
}

func (f *ResponseForm) normalize() {
	f.PostedOn, f.Link = strings.TrimSpace(f.PostedOn), strings.TrimSpace(f.Link)
	f.From, f.Body = models.NormalizeText(f.From), models.NormalizeMultiline(f.Body)
}

// keys: the editor's letter form has a "body" too.
func (f *ResponseForm) keys() string { return "response." }

// responseFieldID is the id on the editor of a response's field: its name
// under "response-", apart from the letter's own fields.
func responseFieldID(name string) string { return "response-" + name }

// postResponse records a response to the letter, as one of its updates.
func (h *Handler) postResponse(c *fiber.Ctx, l *models.Letter) error {
	var form ResponseForm
	errs, err := h.parseForm(c, &form)
	if err != nil {
		return err
	}
	file, problem := readResponseFile(c)
	if problem == "" && file != nil && len(errs) > 0 {
		problem = "again" // a browser does not fill a file input again
	}
	if problem != "" {
		errs = h.responseError(c, errs, "file", problem)
	}
	if len(errs) == 0 && form.Body == "" && form.Link == "" && file == nil {
		errs = h.responseError(c, errs, "body", "empty")
	}
	if len(errs) == 0 {
		on, _ := time.Parse(time.DateOnly, form.PostedOn) // validated
		r := models.Response{PostedOn: on, From: form.From, Body: form.Body, Link: form.Link, File: file}
		if _, err := h.store.AddResponse(c.UserContext(), l, r); err != nil {
			return err
		}
		return c.Redirect(editorPath(l)+"?saved=1#updates", fiber.StatusSeeOther)
	}
	for i := range errs {
		errs[i].Field = responseFieldID(errs[i].Field)
	}
	v, err := h.letterEditorView(c, c.UserContext(), l, letterFormOf(l), settingsFormOf(l))
	if err != nil {
		return err
	}
	v.Response = form
	return h.renderEditor(c, fiber.StatusUnprocessableEntity, l, v, errs)
}

// responseError adds to errs the message "response.error."+key beside the
// response's field.
func (h *Handler) responseError(c *fiber.Ctx, errs views.FormErrors, field, key string) views.FormErrors {
	return append(errs, views.FieldError{Field: field, Label: h.msg(c, "response.label."+field), Message: h.msg(c, "response.error."+key)})
}

// readResponseFile reads the PDF uploaded with a response: nil when no file
// was chosen (browsers then send an empty part), or what is wrong with it,
// "too_large" or "not_pdf", told by its first bytes and not its name.
func readResponseFile(c *fiber.Ctx) (*models.UpdateFile, string) {
	fh, err := c.FormFile("file")
	if err != nil || (fh.Size == 0 && fh.Filename == "") {
		return nil, ""
	}
	if fh.Size > models.ResponseFileMaxBytes {
		return nil, "too_large"
	}
	f, err := fh.Open()
	if err != nil {
		return nil, "not_pdf"
	}
	defer f.Close()
	data := make([]byte, fh.Size) // at most the limit, checked above
	if _, err := io.ReadFull(f, data); err != nil || !models.IsPDF(data) {
		return nil, "not_pdf"
	}
	return &models.UpdateFile{Filename: fh.Filename, Data: data}, ""
}

// responsePDFPath is the public address of the PDF of the response id to the letter slug.
func responsePDFPath(slug string, id int64) string {
	return "/letters/" + slug + "/responses/" + strconv.FormatInt(id, 10) + ".pdf"
}

// responseChunk is how much of a response's PDF a download reads at once.
const responseChunk = 256 << 10

// responsePDF answers GET /letters/:slug/responses/:update.pdf: the PDF
// kept with a response of a public letter, and 404 for any other update,
// another letter's included. It is streamed a chunk at a time in one of
// the client's download slots, as the list's exports are, so that a crowd
// reading a response of a viral letter holds a chunk each, not the file.
func (h *Handler) responsePDF(c *fiber.Ctx) error {
	l, err := h.store.PublicLetter(c.UserContext(), c.Params("slug"))
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(c.Params("update"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	f, err := h.store.ResponseFile(c.UserContext(), l.ID, id)
	if err != nil {
		return err
	}
	return h.stream(c, func() error {
		c.Attachment(l.Slug + "-response-" + strconv.FormatInt(id, 10) + ".pdf")
		c.Set(fiber.HeaderContentType, "application/pdf")
		return nil
	}, func(ctx context.Context, w io.Writer) error {
		for off := int64(0); off < f.Size; off += responseChunk {
			chunk, err := h.store.ResponseFileChunk(ctx, id, off, responseChunk)
			if err != nil {
				return err
			}
			if len(chunk) == 0 {
				return errors.New("the file was deleted while it was read")
			}
			if _, err := w.Write(chunk); err != nil {
				return err
			}
		}
		return nil
	})
}
