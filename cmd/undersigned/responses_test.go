package main

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserRecordingAResponse: on a phone, a coordinator records a
// response; a file that is not a PDF comes back with its message beside
// the field and the values kept, then the PDF is taken. The editor, in
// English and Arabic, and the letter showing the response pass axe and
// html-validate, without sideways scrolling.
func TestBrowserRecordingAResponse(t *testing.T) {
	srv, setupLink := serveFresh(t)
	b := startBrowser(t, "http://"+srv.addr)
	letterPath := publishSeedLetter(t, srv.addr, setupLink)
	const editor, form = "/dashboard/letters/1", "/dashboard/letters/1/responses"
	dir := t.TempDir()
	notPDF, pdf := filepath.Join(dir, "reply.pdf"), filepath.Join(dir, "scan.pdf")
	for path, content := range map[string]string{notPDF: "<html>not a PDF</html>", pdf: "%PDF-1.4\n% The Secretariat has received the letter.\n%%EOF\n"} {
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	c := b.newTab(t, chromedp.EmulateViewport(phoneWidth, phoneHeight, chromedp.EmulateMobile, chromedp.EmulateTouch))
	c.open("/login", http.StatusOK)
	c.do(chromedp.SendKeys(field("Email address"), coordinatorEmail), chromedp.SendKeys(field("Password"), coordinatorPassword))
	c.navigate(http.StatusOK, chromedp.Click(button("Log in")))
	c.open(editor, http.StatusOK)
	c.do(
		chromedp.SendKeys(field("Who responded"), "Secretariat of the Parliamentary Assembly"),
		chromedp.SendKeys(field("Text of the response"), "The President has *received* the letter."),
		chromedp.SetUploadFiles(in(form, "file"), []string{notPDF}),
	)
	c.navigate(http.StatusUnprocessableEntity, chromedp.Click(submit(form)))
	c.expectText("This file is not a PDF.")
	if got := c.value(field("Who responded")); got != "Secretariat of the Parliamentary Assembly" {
		t.Errorf("refused, the form keeps %q as who responded", got)
	}
	c.check("response-refused")
	c.do(chromedp.SetUploadFiles(in(form, "file"), []string{pdf}))
	c.navigate(http.StatusOK, chromedp.Click(submit(form)))
	c.expectText("Response from Secretariat of the Parliamentary Assembly", "Download the response (PDF)")
	c.check("response-editor")
	c.open(editor+"?lang=ar", http.StatusOK)
	c.check("response-editor-ar")
	if n := c.horizontalOverflow(); n > 0 {
		t.Errorf("the editor in Arabic is %d px wider than the phone", n)
	}

	v := b.newTab(t, chromedp.EmulateViewport(phoneWidth, phoneHeight, chromedp.EmulateMobile, chromedp.EmulateTouch))
	v.open(letterPath, http.StatusOK)
	v.expectText("Response from Secretariat of the Parliamentary Assembly", "The President has received the letter.")
	v.check("response-letter")
	if n := v.horizontalOverflow(); n > 0 {
		t.Errorf("the letter with a response is %d px wider than the phone", n)
	}
	t.Run("the pages are valid HTML", b.validateHTML)
}
