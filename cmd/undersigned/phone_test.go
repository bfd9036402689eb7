package main

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"undersigned/models/modeltest"
	"undersigned/views"
)

// The phone the signing journeys are made on: a 390×844 viewport, by touch.
const phoneWidth, phoneHeight = 390, 844

// TestBrowserSigningOnAPhone signs seed 003's long letter on a 390×844
// phone, by touch: the count and a large "Sign this letter" button are
// above the fold, and a tap on the button opens the form. Each way the form
// can be refused (a missing name, a signature the database failed to save,
// one over the signing limit) brings the page back open at the form: its
// error summary on screen and focused, the title starting "Error:", what was
// typed kept. Without JavaScript the page still opens at the summary. The
// same holds for an Arabic letter, shown right to left; and a desktop
// window gets the same summary. Every page passes axe and html-validate.
func TestBrowserSigningOnAPhone(t *testing.T) {
	db := modeltest.DSN(t)
	// One signature of a letter per client a minute: the second is refused.
	srv := start(t, db, freeAddr(t), "-sign-burst", "1/1m")
	b := startBrowser(t, "http://"+srv.addr)
	letterPath := publishSeedLetter(t, srv.addr, srv.console.setupLink(t))
	phone := chromedp.EmulateViewport(phoneWidth, phoneHeight, chromedp.EmulateMobile, chromedp.EmulateTouch)
	// One signer's tab goes from one refusal to the next, keeping what was
	// typed, as a person would; each step reports to its own subtest.
	p := b.newTab(t, phone)

	t.Run("the count and the sign button are above the fold, and a tap opens the form", func(t *testing.T) {
		p.t = t
		p.open(letterPath, http.StatusOK)
		p.viewportShot("phone-letter")
		p.check("phone-letter")
		p.expectAboveTheFold("phone-letter", letterPath)
	})

	typed := map[string]string{"Organisation or affiliation": "Institute for Peace and Democracy", "Email address": "leyla@example.org"}
	t.Run("a form without a name (422) opens at its focused error summary", func(t *testing.T) {
		p.t = t
		p.fillSignForm(typed)
		p.navigate(http.StatusUnprocessableEntity, chromedp.Tap(button("Sign the letter")))
		p.expectRefusal("phone-sign-422", "Full name: Enter your full name", typed)
		if !p.checked(agreement) {
			t.Error("the agreement ticked before the refusal came back unticked")
		}
	})

	t.Run("a signature the database could not save (503) opens at its focused error summary", func(t *testing.T) {
		p.t = t
		modeltest.FailInsertsNamed(t, db, "Leyla Yunus")
		p.do(chromedp.SendKeys(field("Full name"), "Leyla Yunus"))
		typed["Full name"] = "Leyla Yunus"
		p.navigate(http.StatusServiceUnavailable, chromedp.Tap(button("Sign the letter")))
		p.expectRefusal("phone-sign-503", "could not be saved", typed)
	})

	t.Run("without JavaScript a refused form opens at its error summary", func(t *testing.T) {
		n := b.newTab(t, phone, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
			return err
		}))
		n.noScript = true
		n.open(letterPath, http.StatusOK)
		n.navigate(http.StatusUnprocessableEntity, chromedp.Tap(button("Sign the letter")))
		n.viewportShot("phone-sign-422-no-javascript")
		n.check("phone-sign-422-no-javascript")
		if top, bottom := n.onScreen(`//*[@role="alert"]`); top < 0 || bottom > phoneHeight {
			t.Errorf("without JavaScript the error summary is at %.0f–%.0f px of a %d px screen", top, bottom, phoneHeight)
		}
	})

	t.Run("an Arabic letter reads right to left, with the same sign button and summary", func(t *testing.T) {
		coord := loggedIn(t, srv.addr, coordinatorEmail, coordinatorPassword)
		coord.Get("/dashboard/letters/new")
		editor := strings.TrimSuffix(coord.Post("/dashboard/letters", url.Values{
			"title": {"الحرية للمعتقلين السياسيين في أذربيجان"}, "slug": {"arabic"}, "action": {"save"},
			"body": {strings.Repeat("نحن، المنظمات الموقعة أدناه، ندعو إلى الإفراج الفوري عن جميع المعتقلين السياسيين. ", 40)},
		}).Expect(t, http.StatusSeeOther).Location, "?saved=1")
		coord.Get(editor)
		coord.Post(editor+"/settings", url.Values{"lang": {"ar"}, "signers": {"both"}, "list_order": {"alphabetical"}, "retention_days": {"180"}, "listed": {"true"}}).Expect(t, http.StatusSeeOther)
		coord.Post(editor+"/state", url.Values{"state": {"open"}}).Expect(t, http.StatusSeeOther)

		a := b.newTab(t, phone)
		a.open("/letters/arabic", http.StatusOK)
		if dir := eval[string](a, `document.querySelector('article.letter').matches(':dir(rtl)') ? 'rtl' : 'ltr'`); dir != "rtl" {
			t.Errorf("the Arabic letter reads %s, want right to left", dir)
		}
		if over := a.horizontalOverflow(); over > 0 {
			t.Errorf("the Arabic letter is %d px wider than the phone", over)
		}
		a.viewportShot("phone-arabic")
		a.check("phone-arabic")
		a.expectAboveTheFold("phone-arabic", "/letters/arabic")
		// The page around the Arabic letter is in Arabic, whatever the
		// visitor's interface language: so is its form.
		a.navigate(http.StatusUnprocessableEntity, chromedp.Tap(button(views.Message("ar", "sign.submit"))))
		a.expectRefusal("phone-arabic-422", views.Message("ar", "label.name")+": "+views.Message("ar", "error.required.name"), nil)
	})

	t.Run("on a desktop the form beside the letter opens at its focused summary too", func(t *testing.T) {
		d := b.newTab(t)
		d.open(letterPath, http.StatusOK)
		d.viewportShot("desktop-letter")
		d.check("desktop-letter")
		d.navigate(http.StatusUnprocessableEntity, chromedp.Click(button("Sign the letter")))
		d.expectRefusal("desktop-sign-422", "Full name: Enter your full name", nil)
	})

	t.Run("a signature over the limit (429) opens at its focused error summary", func(t *testing.T) {
		p.t = t
		p.do(chromedp.SetValue(field("Full name"), "Arif Yunus"), chromedp.SetValue(field("Email address"), "arif@example.org"))
		p.navigate(http.StatusOK, chromedp.Tap(button("Sign the letter")))
		p.expectText("Check your email")
		p.open(letterPath, http.StatusOK)
		typed := map[string]string{"Full name": "Dinara Yunus", "Email address": "dinara@example.org"}
		p.fillSignForm(typed)
		p.navigate(http.StatusTooManyRequests, chromedp.Tap(button("Sign the letter")))
		p.expectRefusal("phone-sign-429", "There is a problem", typed)
	})

	t.Run("every page checked is valid HTML", func(t *testing.T) {
		b.validateHTML(t)
	})
	t.Logf("screenshots and page sources: %s", b.artefacts)
}

// firstField is the signing form's first field a signer fills in.
var firstField = `(//form[contains(@action, "/sign")]//*[self::input[not(@type="hidden")] or self::select or self::textarea])[1]`

// agreement is the signing form's checkbox that agrees to the letter.
var agreement = field("I have read the letter and agree to add my name to it.")

// fillSignForm fills the signing form by touch: each field labelled in
// typed gets its text, the country is Azerbaijan, the agreement is ticked.
func (tb *tab) fillSignForm(typed map[string]string) {
	tb.t.Helper()
	steps := []chromedp.Action[chromedp.Void]{chromedp.SendKeys(field("Country"), "Azerbaijan"), chromedp.Tap(agreement)}
	for label, text := range typed {
		steps = append(steps, chromedp.SendKeys(field(label), text))
	}
	tb.do(steps...)
}

// expectAboveTheFold checks the letter at path, on screen at its top: its
// count and a "Sign this letter" button of at least 44×44 px show without
// scrolling, and a tap on the button brings the form's first field into
// view, as name-tapped-screen.png shows.
func (tb *tab) expectAboveTheFold(name, path string) {
	tb.t.Helper()
	count := `(//main//*[contains(@class, "count")])[1]`
	if top, bottom := tb.onScreen(count); top < 0 || bottom > phoneHeight {
		tb.t.Errorf("%s: the count is at %.0f–%.0f px, below the fold of a %d px screen", path, top, bottom, phoneHeight)
	}
	signButton := `//main//a[contains(@class, "sign-button")]`
	if top, bottom := tb.onScreen(signButton); top < 0 || bottom > phoneHeight {
		tb.t.Errorf("%s: the sign button is at %.0f–%.0f px, below the fold of a %d px screen", path, top, bottom, phoneHeight)
	}
	size := eval[[]float64](tb, fmt.Sprintf(`(() => { const r = %s.getBoundingClientRect(); return [r.width, r.height]; })()`, xpathJS(signButton)))
	if size[0] < 44 || size[1] < 44 {
		tb.t.Errorf("%s: the sign button is %.0f×%.0f px, smaller than a 44×44 px touch target", path, size[0], size[1])
	}
	tb.do(chromedp.Tap(signButton))
	var top, bottom float64
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if top, bottom = tb.onScreen(firstField); top >= 0 && bottom <= phoneHeight {
			tb.viewportShot(name + "-tapped")
			return
		}
	}
	tb.t.Errorf("%s: after a tap on the sign button, the form's first field is at %.0f–%.0f px of a %d px screen", path, top, bottom, phoneHeight)
}

// expectRefusal checks the page a refused signing form came back as: the
// title starts "Error:", the error summary says want, is on screen and
// holds the focus, and each field labelled in typed holds what was typed.
// The page's view is saved as name.png and checked as a key page.
func (tb *tab) expectRefusal(name, want string, typed map[string]string) {
	tb.t.Helper()
	summary := `//*[@role="alert"]`
	focused := false
	for deadline := time.Now().Add(2 * time.Second); !focused && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		focused = eval[bool](tb, fmt.Sprintf(`!!%s?.contains(document.activeElement)`, xpathJS(summary)))
	}
	tb.viewportShot(name)
	if title := eval[string](tb, `document.title`); !strings.HasPrefix(title, "Error: ") {
		tb.t.Errorf("%s: the title %q does not start with \"Error: \"", name, title)
	}
	if text := tb.text(summary); !strings.Contains(text, want) {
		tb.t.Errorf("%s: the error summary says %q, want %q", name, text, want)
	}
	height := eval[float64](tb, `window.innerHeight`)
	if top, bottom := tb.onScreen(summary); top < 0 || bottom > height {
		tb.t.Errorf("%s: the error summary is at %.0f–%.0f px, off a %.0f px screen", name, top, bottom, height)
	}
	if !focused {
		tb.t.Errorf("%s: the focus is on %s, not in the error summary", name, eval[string](tb, `document.activeElement.outerHTML.slice(0, 80)`))
	}
	for label, value := range typed {
		if got := tb.value(field(label)); got != value {
			tb.t.Errorf("%s: %s came back as %q, want %q as typed", name, label, got, value)
		}
	}
	tb.check(name)
}

// onScreen returns where the first element sel (an XPath) finds is, from
// the top of the screen: its top and bottom edges in CSS pixels. It asks
// the browser, not the page's JavaScript, so that it works with scripts off.
func (tb *tab) onScreen(sel string) (top, bottom float64) {
	tb.t.Helper()
	box := run(tb, "box of "+sel, chromedp.Dimensions(sel))
	return math.Round(box.Border[1]), math.Round(box.Border[5])
}

// xpathJS is JavaScript that finds the first element sel (an XPath) finds.
func xpathJS(sel string) string {
	return fmt.Sprintf(`document.evaluate(%q, document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue`, sel)
}

// viewportShot saves what the screen shows as name-screen.png among the
// artefacts, beside name.png of the whole page.
// It clips the capture to the visual viewport: after a full-page screenshot
// under device emulation, Chromium's plain capture takes the whole page.
func (tb *tab) viewportShot(name string) {
	tb.t.Helper()
	ctx, cancel := tb.step()
	defer cancel()
	metrics, err := chromedp.Call(ctx, page.GetLayoutMetrics, cdp.Empty{})
	if err != nil {
		tb.t.Fatalf("layout metrics: %v", err)
	}
	vv := metrics.CSSVisualViewport
	shot, err := chromedp.Call(ctx, page.CaptureScreenshot, page.CaptureScreenshotParams{
		Clip: &page.Viewport{X: vv.PageX, Y: vv.PageY, Width: vv.ClientWidth, Height: vv.ClientHeight, Scale: 1},
	})
	if err != nil {
		tb.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(tb.b.artefacts, name+"-screen.png"), shot.Data, 0o644); err != nil {
		tb.t.Fatal(err)
	}
}
