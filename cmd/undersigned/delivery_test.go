package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"undersigned/handlers/handlertest"
	"undersigned/models/modeltest"
)

// Names in other scripts that the delivery packet must print intact.
const (
	arabicName   = "ليلى يونس"
	cyrillicName = "Андрей Сахаров"
)

// TestBrowserDeliveryPacket prints seed 003's letter and its list, with an
// Arabic and a Cyrillic name, to PDF in Chromium as a coordinator saving it
// for delivery does, on A4 and on Letter paper; pdftotext must find the
// title, the date of the list and every name intact. The letter page with
// its charts, the print page and the embeddable counter pass axe and
// html-validate, and another site can frame the counter.
func TestBrowserDeliveryPacket(t *testing.T) {
	pdftotext := needPdftotext(t)
	srv, setupLink := serveFresh(t)
	b := startBrowser(t, "http://"+srv.addr)
	letterPath := publishSeedLetter(t, srv.addr, setupLink)

	signer := handlertest.OverServer(t, srv.addr)
	signer.Get(letterPath)
	names := []string{arabicName, cyrillicName}
	for i, sig := range modeltest.AzerbaijanSignatories {
		form := handlertest.SignForm(sig.Name, sig.Country, modeltest.SignerEmail(i))
		form.Set("affiliation", sig.Affiliation)
		form.Set("role", sig.Role)
		form.Set("country2", sig.Country2)
		signer.Post(letterPath+"/sign", form).Expect(t, http.StatusSeeOther)
		names = append(names, sig.Name)
	}
	signer.Post(letterPath+"/sign", handlertest.SignForm(arabicName, "AZ", "layla@example.org")).Expect(t, http.StatusSeeOther)
	signer.Post(letterPath+"/sign", handlertest.SignForm(cyrillicName, "RU", "andrei@example.org")).Expect(t, http.StatusSeeOther)
	anonymous := handlertest.SignForm("Aigerim Seitkali", "KZ", "aigerim@example.kz")
	anonymous.Set("display", "anonymous")
	signer.Post(letterPath+"/sign", anonymous).Expect(t, http.StatusSeeOther)
	signer.Post(letterPath+"/sign", handlertest.OrgForm("Jakub Klepal", "Forum 2000 Foundation", "CZ", "office@forum2000.example")).Expect(t, http.StatusSeeOther)
	title := modeltest.Azerbaijan.Title

	t.Run("the letter page draws its figures and links the packet", func(t *testing.T) {
		v := b.newTab(t)
		v.open(letterPath, http.StatusOK)
		v.expectText("Signatures in figures", "Signatures over time", "Signatories by country", "Share this letter", "Print or save as PDF")
		// Each drawing (the two charts and the map) is named and described
		// once; the map's countries have titles of their own, inside them.
		if n := eval[int](v, `document.querySelectorAll('figure.chart svg[role="img"]').length`); n != 3 {
			t.Errorf("the page has %d drawings, want the two charts and the map", n)
		}
		if n := eval[int](v, `document.querySelectorAll('figure.chart svg[role="img"] > title, figure.chart svg[role="img"] > desc').length`); n != 6 {
			t.Errorf("the drawings have %d titles and descriptions, want one of each", n)
		}
		v.check("letter-charts")
		for name, sel := range map[string]string{"charts": `//section[@class="figures"]`, "share": `//section[@class="share"]`} {
			shot := run(v, "screenshot of the "+name, chromedp.Screenshot(sel))
			if err := os.WriteFile(filepath.Join(b.artefacts, name+".png"), shot, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		v.navigate(http.StatusOK, chromedp.Click(link("Print or save as PDF")))
		v.expectText(title, "Signatories as of", "Individuals (25)", arabicName, cyrillicName, "Anonymous, Kazakhstan")
		// The row keeps the list's direction, so that it aligns with the
		// others; the name in it reads right to left.
		dirs := eval[[]string](v, `(() => {
			const row = [...document.querySelectorAll('.signatory-list li')].find(li => li.textContent.startsWith('`+arabicName+`'));
			const dir = e => e.matches(':dir(rtl)') ? 'rtl' : 'ltr';
			return [dir(row), dir(row.querySelector('bdi'))];
		})()`)
		if dirs[0] != "ltr" || dirs[1] != "rtl" {
			t.Errorf("the Arabic entry's row reads %s and its name %s, want the row left to right as the list, the name right to left", dirs[0], dirs[1])
		}
		v.check("print")
	})

	t.Run("Chromium saves the packet as a PDF with every name intact", func(t *testing.T) {
		p := b.newTab(t)
		p.open(letterPath+"/print", http.StatusOK)
		asOf := p.text(`//h2[@id="signatories-title"]/time`)
		p.do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
			return err
		}))
		p.screenshot("print-media")
		for _, paper := range []struct {
			name string
			size chromedp.PaperSize
		}{{"a4", chromedp.PaperA4}, {"letter", chromedp.PaperLetter}} {
			pdf := run(p, "print to PDF", chromedp.PrintToPDF(chromedp.PDFPaper(paper.size)))
			file := filepath.Join(b.artefacts, "packet-"+paper.name+".pdf")
			if err := os.WriteFile(file, pdf, 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(pdftotext, "-enc", "UTF-8", file, "-").Output()
			if err != nil {
				t.Fatalf("pdftotext %s: %v", file, err)
			}
			text := string(out)
			if err := os.WriteFile(strings.TrimSuffix(file, ".pdf")+".txt", out, 0o644); err != nil {
				t.Fatal(err)
			}
			folded := strings.Join(strings.Fields(text), " ")
			for _, want := range append([]string{title, "Signatories as of " + asOf, "Organisations (1)", "Individuals (25)"}, names...) {
				if !strings.Contains(folded, want) && !strings.Contains(folded, visualOrder(want)) {
					t.Errorf("%s PDF: pdftotext does not find %q, in logical or visual order, in:\n%.4000s", paper.name, want, text)
				}
			}
			for _, secret := range []string{"Aigerim", "@example"} {
				if strings.Contains(text, secret) {
					t.Errorf("%s PDF shows %q", paper.name, secret)
				}
			}
			// pdftotext ends each page with a form feed: the list starts on a
			// page of its own, and every page is numbered in its margin.
			pages := strings.Split(strings.TrimSuffix(text, "\f"), "\f")
			pageOf := func(s string) int {
				return slices.IndexFunc(pages, func(p string) bool { return strings.Contains(p, s) })
			}
			if closing, list := pageOf("Sincerely,"), pageOf("Organisations (1)"); closing < 0 || list <= closing {
				t.Errorf("%s PDF: the list starts on page %d, the letter ends on page %d; want the list on a new page", paper.name, list+1, closing+1)
			}
			for i, p := range pages {
				if want := fmt.Sprintf("Page %d of %d", i+1, len(pages)); !strings.Contains(p, want) {
					t.Errorf("%s PDF: page %d lacks %q in its margin", paper.name, i+1, want)
				}
			}
			t.Logf("%s PDF: %d pages; pdftotext reads the Arabic name as %q", paper.name, len(pages), arabicAsRead(text))
		}
	})

	t.Run("the counter is framed by another site", func(t *testing.T) {
		e := b.newTab(t)
		e.open(letterPath+"/embed", http.StatusOK)
		e.expectText(title, "26 signatures", "Sign the letter")
		e.check("embed")

		// A page of another origin frames the counter, and the letter page
		// beside it, which must stay unframeable.
		elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, `<!DOCTYPE html><html lang="en"><title>Elsewhere</title><iframe src="%[1]s/embed" title="counter" width="320" height="200"></iframe>
<iframe src="%[1]s" title="letter" width="320" height="200"></iframe></html>`, b.base+letterPath)
		}))
		defer elsewhere.Close()
		e.navigate(http.StatusOK, chromedp.Navigate(elsewhere.URL))
		var tree page.GetFrameTreeResult
		for deadline := time.Now().Add(stepTimeout); ; time.Sleep(100 * time.Millisecond) {
			var err error
			if tree, err = chromedp.Call(e.ctx, page.GetFrameTree, cdp.Empty{}); err != nil {
				t.Fatal(err)
			}
			// Settled as expected: the counter shown, the letter refused.
			var shown, refused bool
			for _, f := range tree.FrameTree.ChildFrames {
				shown = shown || strings.HasSuffix(f.Frame.URL, "/embed")
				refused = refused || strings.HasPrefix(f.Frame.URL, "chrome-error:")
			}
			if shown && refused || time.Now().After(deadline) {
				break
			}
		}
		loaded := map[string]bool{}
		for _, f := range tree.FrameTree.ChildFrames {
			t.Logf("framed: %s (unreachable %q)", f.Frame.URL, f.Frame.UnreachableURL)
			loaded[f.Frame.URL] = f.Frame.UnreachableURL == "" && !strings.HasPrefix(f.Frame.URL, "chrome-error:")
		}
		if !loaded[b.base+letterPath+"/embed"] {
			t.Error("another site could not frame the counter")
		}
		if loaded[b.base+letterPath] {
			t.Error("another site could frame the letter page")
		}
		e.screenshot("embed-framed")
	})

	t.Run("every page checked is valid HTML", func(t *testing.T) {
		b.validateHTML(t)
	})
	t.Logf("axe: %d delivery, chart and counter pages without serious or critical WCAG 2.1 A/AA violations", b.axeRan)
	t.Logf("screenshots and page sources: %s (with the delivery packet's PDFs and their text)", b.artefacts)
}

// needPdftotext returns the path of pdftotext, or skips the test (fails it under CI=true).
func needPdftotext(t *testing.T) string {
	t.Helper()
	return modeltest.Tool(t, "pdftotext", "apt-get install poppler-utils")
}

// publishSeedLetter sets up the first coordinator by the one-time link,
// drafts seed 003's letter listing signatures at once, and publishes it. It
// returns the letter's public path.
func publishSeedLetter(t *testing.T, addr, setupLink string) string {
	t.Helper()
	coord := handlertest.OverServer(t, addr)
	setup := linkPath(t, setupLink)
	coord.Get(setup)
	coord.Post(setup, url.Values{"name": {"Jakub Klepal"}, "email": {coordinatorEmail}, "password": {coordinatorPassword}, "organisation": {"Forum 2000"}}).Expect(t, http.StatusSeeOther)
	coord = loggedIn(t, addr, coordinatorEmail, coordinatorPassword)
	coord.Get("/dashboard/letters/new")
	l := modeltest.Azerbaijan
	form := url.Values{
		"title": {l.Title}, "slug": {"azerbaijan"}, "summary": {l.Summary}, "initiators": {l.Initiators}, "body": {l.Body},
		"addressees": {"Members of the Parliamentary Assembly of the Council of Europe\nDelegations to COP29"},
		"subject":    {"Political prisoners in Azerbaijan"}, "salutation": {"Excellencies,"}, "closing": {"Sincerely,"}, "action": {"save"},
	}
	for _, g := range l.Groups {
		form.Add("group_lead_in", g.LeadIn)
		form.Add("group_demands", g.Demands)
	}
	editor := strings.TrimSuffix(coord.Post("/dashboard/letters", form).Expect(t, http.StatusSeeOther).Location, "?saved=1")
	coord.Get(editor)
	coord.Post(editor+"/settings", handlertest.Settings("listed")).Expect(t, http.StatusSeeOther) // no confirmation by email, no review
	coord.Post(editor+"/state", url.Values{"state": {"open"}}).Expect(t, http.StatusSeeOther)
	return "/letters/azerbaijan"
}

// visualOrder is s with its letters reversed, as a PDF of right-to-left
// text may hold them and a text extractor may give them back.
func visualOrder(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}

// arabicAsRead returns the line of text that holds Arabic letters, as the extractor read it.
func arabicAsRead(text string) string {
	for _, line := range strings.Split(text, "\n") {
		for _, r := range line {
			if r >= 0x0600 && r <= 0x06FF {
				return line
			}
		}
	}
	return ""
}
