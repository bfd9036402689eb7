package handlers_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"undersigned/handlers"
	"undersigned/handlers/handlertest"
	"undersigned/models"
)

// replyPDF is a response's PDF as a coordinator uploads it.
const replyPDF = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% We have received your letter.\n%%EOF\n"

// responseForm is the editor's response form, filled in.
func responseForm() url.Values {
	return url.Values{"posted_on": {"2017-03-02"}, "from": {"Ministry of Foreign Affairs"},
		"body": {"We have *received* the statement."}, "link": {"https://mfa.example/reply"}}
}

var responsePDFLink = regexp.MustCompile(`href="(` + seedSlug + `/responses/(\d+)\.pdf)"`)

// TestRecordingAResponse: a coordinator records a response with its PDF;
// it is on the letter's page and its translation's, marked "Response", on
// the index as the letter's latest update, in its JSON and in the feed, and its PDF downloads from the letter's
// address only. Deleting it deletes the file.
func TestRecordingAResponse(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, editor := s.publishedLetter("c@example.org", "Org")
	publishTranslation(t, coord, editor, "fr", seedFrench)
	for _, path := range []string{"/", seedSlug, seedSlug + "/fr", seedSlug + ".json", "/feed.atom"} { // kept by the page cache, if at all, until the response
		s.client().Get(path).Expect(t, http.StatusOK)
	}
	coord.Get(editor).Expect(t, http.StatusOK, `action="`+editor+`/responses" enctype="multipart/form-data"`,
		`<label for="f-response-from">`, `id="f-response-file" name="file" type="file" accept="application/pdf"`)
	r := coord.PostFile(editor+"/responses", responseForm(), "file", "reply.pdf", replyPDF).Expect(t, http.StatusSeeOther)
	if r.Location != editor+"?saved=1#updates" {
		t.Errorf("recorded, the coordinator is sent to %q", r.Location)
	}

	const heading = `<span class="update-kind">Response</span> from <bdi>Ministry of Foreign Affairs</bdi>, <time datetime="2017-03-02">March 2, 2017</time>`
	page := s.client().Get(seedSlug).Expect(t, http.StatusOK, "<em>received</em>", `href="https://mfa.example/reply"`).ExpectMarkup(t, heading)
	m := responsePDFLink.FindStringSubmatch(page.Markup)
	if m == nil {
		t.Fatal("the letter's page does not link the response's PDF")
	}
	pdfPath, id := m[1], m[2]
	s.client().Get("/").Expect(t, http.StatusOK).ExpectMarkup(t, `<strong>Response from <bdi>Ministry of Foreign Affairs</bdi>, <time datetime="2017-03-02">March 2, 2017</time></strong> — <bdi lang="en">We have received the statement.</bdi>`)
	s.client().Get(seedSlug+"/fr").Expect(t, http.StatusOK, "<em>received</em>", `href="`+pdfPath+`"`).
		ExpectMarkup(t, `Réponse</span> de <bdi>Ministry of Foreign Affairs</bdi>`)
	coord.Get(editor).Expect(t, http.StatusOK, `href="`+pdfPath+`"`).ExpectMarkup(t, `<span class="update-kind">Response</span> from <bdi>Ministry of Foreign Affairs</bdi>`)

	pdf := s.client().Get(pdfPath).Expect(t, http.StatusOK)
	if pdf.Markup != replyPDF || pdf.Header.Get("Content-Type") != "application/pdf" || pdf.Header.Get("X-Content-Type-Options") != "nosniff" ||
		!strings.HasPrefix(pdf.Header.Get("Content-Disposition"), "attachment;") {
		t.Errorf("the PDF: %q, headers %v", pdf.Markup, pdf.Header)
	}

	var api handlers.APILetter
	if err := json.Unmarshal([]byte(s.client().Get(seedSlug+".json").Expect(t, http.StatusOK).Markup), &api); err != nil {
		t.Fatal(err)
	}
	if len(api.Responses) != 1 || api.Responses[0].From != "Ministry of Foreign Affairs" || api.Responses[0].PostedOn != "2017-03-02" ||
		api.Responses[0].PDF == nil || *api.Responses[0].PDF != siteURL+pdfPath || api.Responses[0].Link == nil ||
		!strings.Contains(api.Responses[0].BodyHTML, "<em>received</em>") || api.Responses[0].URL != siteURL+seedSlug+"#update-"+id {
		t.Errorf("the letter's JSON has responses %+v", api.Responses)
	}
	s.client().Get("/feed.atom").Expect(t, http.StatusOK, "<title>Response from Ministry of Foreign Affairs: Joint statement",
		`<link rel="enclosure" type="application/pdf" href="`+siteURL+pdfPath+`" length="`+strconv.Itoa(len(replyPDF))+`"></link>`,
		`<link rel="related" type="text/html" href="https://mfa.example/reply"></link>`, `<category term="response" label="Response"></category>`)

	// Another letter's address does not reach this one's PDF.
	other := handlertest.LetterForm("save")
	other.Set("title", "Another letter")
	coord.OpenLetter(other, listAtOnce())
	s.client().Get("/letters/another-letter/responses/"+id+".pdf").Expect(t, http.StatusNotFound)
	s.client().Get(seedSlug+"/responses/x.pdf").Expect(t, http.StatusNotFound)

	del := regexp.MustCompile(`action="(` + editor + `/updates/\d+/delete)"`).FindStringSubmatch(coord.Get(editor).Markup)
	coord.Post(del[1], url.Values{}).Expect(t, http.StatusSeeOther)
	s.client().Get(pdfPath).Expect(t, http.StatusNotFound)
	updateID, _ := strconv.ParseInt(id, 10, 64)
	if _, err := s.store.ResponseFile(context.Background(), s.letter().ID, updateID); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("the deleted response's file: err = %v, want ErrNotFound", err)
	}
}

// TestALargePDFDownloadsWhole: a PDF of several of the chunks a download
// reads at a time arrives whole, byte for byte, as a PDF.
func TestALargePDFDownloadsWhole(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, editor := s.publishedLetter("c@example.org", "Org")
	var scan strings.Builder
	scan.WriteString("%PDF-1.7\n")
	for i := 0; scan.Len() < 3<<20; i++ {
		fmt.Fprintf(&scan, "%% line %d of a scanned reply\n", i)
	}
	coord.Get(editor)
	coord.PostFile(editor+"/responses", responseForm(), "file", "scan.pdf", scan.String()).Expect(t, http.StatusSeeOther)
	m := responsePDFLink.FindStringSubmatch(s.client().Get(seedSlug).Markup)
	if m == nil {
		t.Fatal("the letter's page does not link the response's PDF")
	}
	r := s.client().Get(m[1]).Expect(t, http.StatusOK)
	if r.Markup != scan.String() || r.Header.Get("Content-Type") != "application/pdf" {
		t.Errorf("downloaded %d bytes (%s), uploaded %d", len(r.Markup), r.Header.Get("Content-Type"), scan.Len())
	}
}

// TestRefusedResponsesKeepTheirValues: a file that is not a PDF (whatever
// its name), one over 10 MB (sent with or without its length, which is
// read no further than it must be), a response with nothing to read and a
// link that is not one are each refused with a message beside the field,
// the values kept, and nothing published.
func TestRefusedResponsesKeepTheirValues(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, editor := s.publishedLetter("c@example.org", "Org")
	tooLarge := "%PDF-1.4\n" + strings.Repeat("x", models.ResponseFileMaxBytes)
	without := func(name string) url.Values { f := responseForm(); f.Del(name); return f }
	withLink := func(link string) url.Values { f := responseForm(); f.Set("link", link); return f }
	for _, tc := range []struct {
		name         string
		form         url.Values
		file         string // "" for no file chosen
		chunked      bool
		field, error string
	}{
		{"not a PDF", responseForm(), "<html><body>%PDF-1.4</body></html>", false, "file", "This file is not a PDF."},
		{"too large", responseForm(), tooLarge, false, "file", "This file is larger than 10 MB."},
		{"too large, length unknown", responseForm(), tooLarge + strings.Repeat("y", 3<<20), true, "file", "This file is larger than 10 MB."},
		{"nothing to read", url.Values{"posted_on": {"2017-03-02"}, "from": {"Ministry of Foreign Affairs"}}, "", false, "body", "Give the text of the response, a link to it or its PDF."},
		{"no one responded", without("from"), replyPDF, false, "from", "Enter who responded"},
		{"a script for a link", withLink("javascript:alert(1)"), "", false, "link", "Enter a full web address starting with https://"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			coord.Get(editor)
			r := postResponse(t, s, coord, editor+"/responses", tc.form, tc.file, tc.chunked).Expect(t, http.StatusUnprocessableEntity,
				`id="f-response-`+tc.field+`-error"`, tc.error, `href="#f-response-`+tc.field+`"`)
			if from := tc.form.Get("from"); from != "" {
				r.Expect(t, http.StatusUnprocessableEntity, `id="f-response-from" name="from" type="text" value="`+from+`"`)
			}
			if tc.field != "file" && tc.file != "" {
				r.Expect(t, http.StatusUnprocessableEntity, `id="f-response-file-error"`, "Choose the PDF again")
			}
			if body := tc.form.Get("body"); body != "" {
				r.Expect(t, http.StatusUnprocessableEntity, body+"</textarea>")
			}
			if page := s.client().Get(seedSlug).Expect(t, http.StatusOK); strings.Contains(page.Body, "update-kind") {
				t.Error("a refused response is published")
			}
		})
	}
}

// postResponse sends a form as a browser sends the response form, the file in the
// part "file" ("" for none chosen); chunked, without saying its length,
// over a loopback port (app.Test sends no such request).
func postResponse(t *testing.T, s *site, c *handlertest.Client, path string, form url.Values, file string, chunked bool) handlertest.Response {
	t.Helper()
	if !chunked {
		return c.PostFile(path, form, "file", map[bool]string{true: "reply.pdf"}[file != ""], file)
	}
	form.Set("_csrf", c.CSRF)
	c = s.servedAs(c)
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k := range form {
		w.WriteField(k, form.Get(k))
	}
	fw, _ := w.CreateFormFile("file", "reply.pdf")
	io.WriteString(fw, file)
	w.Close()
	req := httptest.NewRequest(http.MethodPost, path, io.MultiReader(&body)) // of unknown length
	req.Header.Set("Content-Type", w.FormDataContentType())
	return c.Do(req)
}

// servedAs is a client of the site served on a loopback port, with c's
// cookies: logged in as c is.
func (s *site) servedAs(c *handlertest.Client) *handlertest.Client {
	served := handlertest.OverServer(s.t, s.serve())
	for k, v := range c.Cookies {
		served.Cookies[k] = v
	}
	return served
}

// TestOnlyAResponseMaySendAFile: every other form is still refused past
// 256 KiB, with or without its length; a response's form is not read past
// its bound, nor at all for a visitor who is not logged in.
func TestOnlyAResponseMaySendAFile(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, editor := s.publishedLetter("c@example.org", "Org")
	coord.Get(editor)
	big := strings.Repeat("x", 300<<10)
	for _, chunked := range []bool{false, true} {
		postResponse(t, s, coord, editor+"/updates", url.Values{"update_on": {"2017-03-02"}}, big, chunked).Expect(t, http.StatusRequestEntityTooLarge)
	}
	// A response's form that says it is larger than anything taken is
	// refused once the server has the first few KB it reads ahead, not
	// read on: the rest never comes.
	conn, err := net.Dial("tcp", s.serve())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	var cookies []string
	for k, v := range coord.Cookies {
		cookies = append(cookies, k+"="+v)
	}
	fmt.Fprintf(conn, "POST %s/responses HTTP/1.1\r\nHost: undersigned.test\r\nCookie: %s\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: %d\r\n\r\n--b\r\n%s",
		editor, strings.Join(cookies, "; "), 100<<20, strings.Repeat("x", 16<<10))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("a 100 MB response form: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("a 100 MB response form: status %d, want 413", resp.StatusCode)
	}

	stranger := s.client()
	stranger.Get(seedSlug)
	postResponse(t, s, stranger, editor+"/responses", responseForm(), big, false).Expect(t, http.StatusForbidden)
}

// TestAnUploadPastItsLimitIsNotHeld: a response's form whose file goes on
// past the limit, sent without its length, is read to its end and refused,
// but what the server allocates for it does not grow with what is sent:
// a file of 60 MB costs about what one of 12 MB does.
func TestAnUploadPastItsLimitIsNotHeld(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, editor := s.publishedLetter("c@example.org", "Org")
	coord.Get(editor)
	served := s.servedAs(coord)
	form := responseForm()
	form.Set("_csrf", coord.CSRF)
	var head bytes.Buffer
	w := multipart.NewWriter(&head)
	for k := range form {
		w.WriteField(k, form.Get(k))
	}
	w.CreateFormFile("file", "reply.pdf")
	allocated := func(size int64) uint64 {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		body := io.MultiReader(bytes.NewReader(head.Bytes()), strings.NewReader("%PDF-1.4\n"), io.LimitReader(filler{}, size), strings.NewReader("\r\n--"+w.Boundary()+"--\r\n"))
		req := httptest.NewRequest(http.MethodPost, editor+"/responses", body) // of unknown length
		req.Header.Set("Content-Type", w.FormDataContentType())
		served.Do(req).Expect(t, http.StatusUnprocessableEntity, "This file is larger than 10 MB.")
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	small, large := allocated(12<<20), allocated(60<<20)
	if large > small+24<<20 { // half what is sent beyond: holding it would cost more than all of it
		t.Errorf("a file of 60 MB allocated %d MB, one of 12 MB %d MB: the server holds what is past the limit", large>>20, small>>20)
	}
	t.Logf("allocated for a file of 12 MB: %d MB; of 60 MB: %d MB", small>>20, large>>20)
}

// filler is an endless stream of a PDF's worth of bytes.
type filler struct{}

func (filler) Read(b []byte) (int, error) {
	for i := range b {
		b[i] = 'x'
	}
	return len(b), nil
}
