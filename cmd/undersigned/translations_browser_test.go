package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"undersigned/models"
	"undersigned/models/modeltest"
	"undersigned/views"
)

// TestBrowserLetterInThreeLanguages is the journey of one letter in
// several languages: a coordinator drafts seed 003's letter in English,
// adds a French and an Arabic translation with both demand groups (a
// demand left out is refused first, everything typed kept), and publishes
// them; people sign through each version, in Arabic with two countries,
// in Cyrillic, and for an organisation; every version shows the same list
// and count. The Arabic version is laid out right to left. Every version
// passes axe and html-validate, and is screenshotted at 1280 and 390 px.
func TestBrowserLetterInThreeLanguages(t *testing.T) {
	srv, setupLink := serveFresh(t)
	b := startBrowser(t, "http://"+srv.addr)
	letter := modeltest.Azerbaijan
	var letterPath string

	t.Run("coordinator drafts in English, translates into French and Arabic, publishes", func(t *testing.T) {
		c := b.newTab(t)
		c.navigate(http.StatusOK, chromedp.Navigate(setupLink))
		c.do(
			chromedp.SendKeys(field("Full name"), "Jakub Klepal"),
			chromedp.SendKeys(field("Email address"), coordinatorEmail),
			chromedp.SendKeys(field("Password"), coordinatorPassword),
			chromedp.SendKeys(field("Organisation"), "Forum 2000"),
		)
		c.navigate(http.StatusOK, chromedp.Click(button("Create account")))
		c.navigate(http.StatusOK, chromedp.Click(link("Draft a new letter")))
		c.do(
			chromedp.SetValue(field("Title"), letter.Title),
			chromedp.SetValue(field("Summary"), letter.Summary),
			chromedp.SetValue(field("Initiating organisations"), letter.Initiators),
			chromedp.SetValue(field("Text"), letter.Body),
			chromedp.SetValue(field("Lead-in", "Demand group 1"), letter.Groups[0].LeadIn),
			chromedp.SetValue(field("Demands", "Demand group 1"), letter.Groups[0].Demands),
		)
		c.navigate(http.StatusOK, chromedp.Click(button("Add a demand group")))
		c.do(
			chromedp.SetValue(field("Lead-in", "Demand group 2"), letter.Groups[1].LeadIn),
			chromedp.SetValue(field("Demands", "Demand group 2"), letter.Groups[1].Demands),
		)
		c.navigate(http.StatusOK, chromedp.Click(button("Create the draft")))
		c.do(chromedp.Click(field("Confirm signatures by email")), chromedp.Click(field("Review signatures of organisations before they appear")))
		c.navigate(http.StatusOK, chromedp.Click(button("Save the settings")))
		editor := eval[string](c, `location.pathname`)

		// Arabic first, with the last demand of group 2 left out.
		short := modeltest.AzerbaijanArabic
		short.Groups = []models.DemandGroupText{short.Groups[0],
			{LeadIn: short.Groups[1].LeadIn, Demands: strings.Join(strings.Split(short.Groups[1].Demands, "\n")[:4], "\n")}}
		c.navigate(http.StatusOK, chromedp.Click(link("Translate into Arabic")))
		c.check("translation-editor")
		fillTranslation(c, short)
		c.navigate(http.StatusUnprocessableEntity, chromedp.Click(button("Publish the translation")))
		c.expectText("Demand group 2 has 5 demands in the original and 4 here")
		if got := c.value(field("Title")); got != short.Title {
			t.Errorf("the refused translation's title came back as %q", got)
		}
		c.check("translation-refused")
		c.do(chromedp.SetValue(field("Demands", "Demand group 2"), modeltest.AzerbaijanArabic.Groups[1].Demands))
		c.navigate(http.StatusOK, chromedp.Click(button("Publish the translation")))
		c.expectText("Translation saved.")

		c.open(editor, http.StatusOK)
		c.navigate(http.StatusOK, chromedp.Click(link("Translate into French")))
		fillTranslation(c, modeltest.AzerbaijanFrench)
		c.navigate(http.StatusOK, chromedp.Click(button("Publish the translation")))

		c.open(editor, http.StatusOK)
		c.navigate(http.StatusOK, chromedp.Click(button("Publish the letter")))
		c.navigate(http.StatusOK, chromedp.Click(link("Public page")))
		letterPath = eval[string](c, `location.pathname`)
	})
	if letterPath == "" {
		t.Fatal("no letter was published")
	}

	signers := []struct {
		version, lang, name, organisation, country, country2, email string
	}{
		{"/ar", "ar", "سلمى إبراهيم", "مركز القاهرة لدراسات حقوق الإنسان", "EG", "JO", "salma@example.org"},
		{"/fr", "fr", "Ольга Смирнова", "", "RU", "", "olga@example.org"},
		{"", "en", "Jakub Klepal", "Forum 2000 Foundation", "CZ", "", "office@forum2000.example"},
	}
	t.Run("people sign through each version", func(t *testing.T) {
		for _, s := range signers {
			tb := b.newTab(t)
			tb.open(letterPath+s.version, http.StatusOK)
			if s.name == "Jakub Klepal" {
				tb.do(chromedp.Click(`#f-kind-organisation`))
			}
			// The form is in the version's language: its labels are.
			label := func(name string) string { return field(views.Message(s.lang, "label."+name)) }
			tb.do(chromedp.SetValue(label("name"), s.name), chromedp.SetValue(label("country"), s.country),
				chromedp.SetValue(label("email"), s.email), chromedp.Click(`#f-agree`))
			if s.organisation != "" {
				tb.do(chromedp.SetValue(label("affiliation"), s.organisation))
			}
			if s.country2 != "" {
				tb.do(chromedp.SetValue(label("country2"), s.country2))
			}
			tb.navigate(http.StatusOK, chromedp.Click(`#sign button[type=submit]`))
			if path := eval[string](tb, `location.pathname`); path != letterPath+s.version+"/thanks" {
				t.Errorf("signing through %q led to %s", s.version, path)
			}
		}
	})

	t.Run("every version shows the one list, in its language and direction", func(t *testing.T) {
		phone := b.newTab(t, chromedp.EmulateViewport(phoneWidth, phoneHeight, chromedp.EmulateMobile))
		for _, v := range []struct{ path, lang, dir string }{{"", "en", "ltr"}, {"/fr", "fr", "ltr"}, {"/ar", "ar", "rtl"}} {
			tb := b.newTab(t)
			tb.open(letterPath+v.path, http.StatusOK)
			tb.expectText("سلمى إبراهيم", "Ольга Смирнова", "Forum 2000 Foundation") // an organisation is listed by its name
			if n := eval[int](tb, `document.querySelectorAll('.signatory-list li').length`); n != 3 {
				t.Errorf("version %q lists %d entries, want the 3 of the one list", v.lang, n)
			}
			main := eval[[]string](tb, `(() => { const m = document.querySelector('main'); return [m.lang, getComputedStyle(m).direction]; })()`)
			if main[0] != v.lang || main[1] != v.dir {
				t.Errorf("version %q: main is lang %q, direction %q; want %q, %q", v.lang, main[0], main[1], v.lang, v.dir)
			}
			side := eval[string](tb, `(() => {
				const f = document.querySelector('#sign form').getBoundingClientRect(), text = document.createRange();
				text.selectNodeContents(document.querySelector('label[for="f-name"]'));
				const l = text.getBoundingClientRect();
				return Math.abs(l.right - f.right) < Math.abs(l.left - f.left) ? 'rtl' : 'ltr'; // at the right: rtl
			})()`)
			if side != v.dir {
				t.Errorf("version %q: the label of the form's first field sits on the %s side, want the %s one", v.lang, side, v.dir)
			}
			// A chart's country names end before its bars, in either direction.
			if n := eval[int](tb, `(() => {
				const bars = [...document.querySelectorAll('figure[aria-labelledby="chart-country-caption"] rect')].map(r => r.getBoundingClientRect().left);
				return [...document.querySelectorAll('figure[aria-labelledby="chart-country-caption"] text[text-anchor="end"]')]
					.filter(t => t.getBoundingClientRect().right > Math.min(...bars) + 1).length;
			})()`); n > 0 {
				t.Errorf("version %q: %d country names of the chart run into its bars", v.lang, n)
			}
			tb.check(fmt.Sprintf("letter-%s-1280", v.lang))
			phone.open(letterPath+v.path, http.StatusOK)
			if over := phone.horizontalOverflow(); over > 0 {
				t.Errorf("version %q is %d px wider than a %d px phone", v.lang, over, phoneWidth)
			}
			phone.screenshot(fmt.Sprintf("letter-%s-390", v.lang))
		}
	})

	t.Run("every version is valid HTML", func(t *testing.T) {
		b.validateHTML(t)
	})
	t.Logf("screenshots and page sources: %s", b.artefacts)
}

// fillTranslation types text into the translation editor on screen.
func fillTranslation(tb *tab, text models.LetterText) {
	tb.do(
		chromedp.SetValue(field("Title"), text.Title),
		chromedp.SetValue(field("Summary"), text.Summary),
		chromedp.SetValue(field("Text"), text.Body),
	)
	for i, g := range text.Groups {
		group := fmt.Sprintf("Demand group %d", i+1)
		tb.do(chromedp.SetValue(field("Lead-in", group), g.LeadIn), chromedp.SetValue(field("Demands", group), g.Demands))
	}
}
