package main

import (
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"
	"unicode"

	"github.com/chromedp/chromedp"

	"undersigned/models"
	"undersigned/models/modeltest"
	"undersigned/views"
)

// letterFrame is what a letter says around seed 003's statement when it is
// sent as a letter: to whom, about what, its salutation and closing. The
// seed has none; the journey adds them, in each language, so that every
// part of a translation is typed, published and shown.
type letterFrame struct{ addressees, subject, salutation, closing string }

// framed returns text with frame's parts.
func framed(text models.LetterText, f letterFrame) models.LetterText {
	text.Addressees, text.Subject, text.Salutation, text.Closing = f.addressees, f.subject, f.salutation, f.closing
	return text
}

// The three versions of the journey's letter: seed 003 in English, French and Arabic.
var (
	journeyEnglish = framed(modeltest.Azerbaijan, letterFrame{
		addressees: "Members of the Parliamentary Assembly and of the Committee of Ministers of the Council of Europe\n" +
			"Representatives of the European Union, its member states and the United States\nDelegates to COP29 in Baku",
		subject:    "Political prisoners in Azerbaijan ahead of COP29",
		salutation: "Dear Members, Representatives and Delegates,",
		closing:    "We count on you to act before COP29 opens in Baku.\n\nRespectfully,\nThe undersigned",
	})
	journeyFrench = framed(modeltest.AzerbaijanFrench, letterFrame{
		addressees: "Membres de l’Assemblée parlementaire et du Comité des ministres du Conseil de l’Europe\n" +
			"Représentants de l’Union européenne, de ses États membres et des États-Unis\nDélégations à la COP29 à Bakou",
		subject:    "Les prisonniers politiques en Azerbaïdjan à l’approche de la COP29",
		salutation: "Mesdames, Messieurs,",
		closing:    "Nous comptons sur votre action avant l’ouverture de la COP29 à Bakou.\n\nVeuillez agréer, Mesdames, Messieurs, l’expression de notre haute considération.\nLes signataires",
	})
	journeyArabic = framed(modeltest.AzerbaijanArabic, letterFrame{
		addressees: "أعضاء الجمعية البرلمانية ولجنة الوزراء في مجلس أوروبا\n" +
			"ممثلو الاتحاد الأوروبي ودوله الأعضاء والولايات المتحدة\nالوفود المشاركة في مؤتمر COP29 في باكو",
		subject:    "السجناء السياسيون في أذربيجان قبيل مؤتمر COP29",
		salutation: "السيدات والسادة،",
		closing:    "نعوّل على تحرّككم قبل افتتاح مؤتمر COP29 في باكو.\n\nوتفضّلوا بقبول فائق الاحترام،\nالموقّعون أدناه",
	})
)

// editorLabels are the labels of the letter editor's fields, as an
// interface language shows them; Group is the legend of a demand group,
// with a verb for its number.
type editorLabels struct {
	Title, Summary, Initiators, Addressees, Subject, Salutation, Body, Closing, Group, LeadIn, Demands string
}

// frenchEditor is the editor in the French interface (a no-break space
// before each colon), written out here so that finding each field asserts
// the editor speaks French.
var frenchEditor = editorLabels{
	Title: "Titre", Summary: "Résumé", Initiators: "Organisations à l’initiative", Addressees: "Destinataires (À\u00a0:)",
	Subject: "Objet de la lettre (Objet\u00a0:)", Salutation: "Formule d’appel", Body: "Texte", Closing: "Texte de conclusion",
	Group: "Groupe de revendications %d", LeadIn: "Phrase d’introduction", Demands: "Revendications",
}

// typeLetter types text into the letter or translation editor on screen,
// whose labels are l: each part text has, and each of its demand groups.
func typeLetter(tb *tab, l editorLabels, text models.LetterText) {
	tb.t.Helper()
	for _, part := range [][2]string{{l.Title, text.Title}, {l.Summary, text.Summary}, {l.Initiators, text.Initiators},
		{l.Addressees, text.Addressees}, {l.Subject, text.Subject}, {l.Salutation, text.Salutation},
		{l.Body, text.Body}, {l.Closing, text.Closing}} {
		if part[1] != "" {
			tb.do(chromedp.SetValue(field(part[0]), part[1]))
		}
	}
	for i, g := range text.Groups {
		group := fmt.Sprintf(l.Group, i+1)
		tb.do(chromedp.SetValue(field(l.LeadIn, group), g.LeadIn), chromedp.SetValue(field(l.Demands, group), g.Demands))
	}
}

// journeySigner is one person signing the journey's letter through one of its versions.
type journeySigner struct {
	version           string // the version's language
	organisation      bool   // signs on behalf of Affiliation
	name, affiliation string
	country, country2 string
	email, listedAs   string // listedAs: how the list's entry starts, whatever the version
}

// TestBrowserCoordinatorInFrenchPublishesThreeVersions is issue 13's
// journey. A coordinator switches the interface to French with the
// header's link, and through the French editor drafts seed 003's letter in
// English, adds a French and an Arabic translation of every part with both
// demand groups (the Arabic one refused first for a missing demand, what
// was typed kept), and publishes them. People sign through each version: an
// Arabic name with two countries through the Arabic one, a Cyrillic name
// through the French one, an organisation through the English one; each
// gets the confirmation email in the language of the version signed and
// confirms. Every version then shows the same count and the same entries,
// in its own language; the Arabic version is laid out right to left, its
// form's first field at the right. Each version passes axe and
// html-validate at 1280 and 390 px wide, where it does not overflow, and
// is screenshotted at both widths.
func TestBrowserCoordinatorInFrenchPublishesThreeVersions(t *testing.T) {
	mx := startSMTP(t, "", "")
	srv, setupLink := serveFresh(t, "-smtp-url", mx.url())
	b := startBrowser(t, "http://"+srv.addr)
	var letterPath string

	t.Run("a coordinator in the French interface drafts, translates and publishes", func(t *testing.T) {
		c := b.newTab(t)
		c.navigate(http.StatusOK, chromedp.Navigate(setupLink))
		c.navigate(http.StatusOK, chromedp.Click(link("français")))
		if lang := eval[string](c, `document.documentElement.lang`); lang != "fr" {
			t.Fatalf("after choosing “français” the page is in %q", lang)
		}
		c.do(
			chromedp.SendKeys(field("Nom complet"), "Jakub Klepal"),
			chromedp.SendKeys(field("Adresse e-mail"), coordinatorEmail),
			chromedp.SendKeys(field("Mot de passe"), coordinatorPassword),
			chromedp.SendKeys(field("Organisation"), "Forum 2000"),
		)
		c.navigate(http.StatusOK, chromedp.Click(button("Créer le compte")))
		c.navigate(http.StatusOK, chromedp.Click(link("Rédiger une nouvelle lettre")))
		first := journeyEnglish
		first.Groups = first.Groups[:1]
		typeLetter(c, frenchEditor, first)
		c.navigate(http.StatusOK, chromedp.Click(button("Ajouter un groupe de revendications")))
		typeLetter(c, frenchEditor, journeyEnglish)
		c.navigate(http.StatusOK, chromedp.Click(button("Créer le brouillon")))
		if lang := c.value(field("Langue de la lettre")); lang != "en" {
			t.Errorf("the draft's language is %q, want en", lang)
		}
		if !c.checked(field("Faire confirmer les signatures par e-mail")) {
			t.Error("a new letter does not ask signers to confirm by email")
		}
		if c.checked(field("Vérifier les signatures d’organisations avant leur affichage")) {
			c.do(chromedp.Click(field("Vérifier les signatures d’organisations avant leur affichage")))
		}
		c.navigate(http.StatusOK, chromedp.Click(button("Enregistrer les paramètres")))
		editor := eval[string](c, `location.pathname`)

		for _, tr := range []struct {
			lang       string
			text       models.LetterText
			incomplete bool // first sent without the last demand, and refused
		}{{"fr", journeyFrench, false}, {"ar", journeyArabic, true}} {
			language := views.LanguageNameIn("fr", tr.lang) // "arabe", as CLDR names it
			c.open(editor, http.StatusOK)
			c.navigate(http.StatusOK, chromedp.Click(link("Traduire en "+language)))
			c.expectText("Traduction en " + language)
			if tr.incomplete {
				short := tr.text
				demands := strings.Split(short.Groups[1].Demands, "\n")
				short.Groups = []models.DemandGroupText{short.Groups[0], {LeadIn: short.Groups[1].LeadIn, Demands: strings.Join(demands[:len(demands)-1], "\n")}}
				typeLetter(c, frenchEditor, short)
				c.navigate(http.StatusUnprocessableEntity, chromedp.Click(button("Publier la traduction")))
				c.expectText(fmt.Sprintf("Le groupe de revendications 2 compte %d revendications dans l’original et %d ici", len(demands), len(demands)-1))
				if got := c.value(field("Titre")); got != short.Title {
					t.Errorf("the refused translation's title came back as %q", got)
				}
				c.check("journey-translation-refused")
			}
			typeLetter(c, frenchEditor, tr.text)
			c.navigate(http.StatusOK, chromedp.Click(button("Publier la traduction")))
			c.expectText("Traduction enregistrée.")
			c.check("journey-translation-" + tr.lang)
		}
		c.open(editor, http.StatusOK)
		c.navigate(http.StatusOK, chromedp.Click(button("Publier la lettre")))
		c.navigate(http.StatusOK, chromedp.Click(link("Page publique")))
		letterPath = eval[string](c, `location.pathname`)
	})
	if letterPath == "" {
		t.Fatal("no letter was published")
	}

	versions := map[string]struct {
		path, dir string
		text      models.LetterText
	}{"en": {letterPath, "ltr", journeyEnglish}, "fr": {letterPath + "/fr", "ltr", journeyFrench}, "ar": {letterPath + "/ar", "rtl", journeyArabic}}
	signers := []journeySigner{
		{version: "ar", name: "سلمى إبراهيم", affiliation: "مركز القاهرة لدراسات حقوق الإنسان", country: "EG", country2: "JO", email: "salma@example.org", listedAs: "سلمى إبراهيم"},
		{version: "fr", name: "Ольга Романова", country: "RU", email: "olga@example.org", listedAs: "Ольга Романова"},
		{version: "en", organisation: true, name: "Ketevan Chachava", affiliation: "Center for Development and Democracy", country: "GE", email: "office@cdd.example", listedAs: "Center for Development and Democracy"},
	}
	t.Run("people sign through each version and confirm by an email in its language", func(t *testing.T) {
		for _, s := range signers {
			v := versions[s.version]
			signThrough(b.newTab(t), mx, v.path, s.version, v.text.Title, s)
		}
	})

	t.Run("every version shows the one list and count, in its language and direction", func(t *testing.T) {
		phone := b.newTab(t, chromedp.EmulateViewport(phoneWidth, phoneHeight, chromedp.EmulateMobile))
		var names []string // the entries' names, in the English version's order
		for _, lang := range []string{"en", "fr", "ar"} {
			v := versions[lang]
			desk := b.newTab(t)
			desk.open(v.path, http.StatusOK)
			entries := eval[[]string](desk, `[...document.querySelectorAll('.signatories .signatory-list li')].map(li => li.textContent.trim())`)
			if n := listedCount(desk); n != len(signers) || len(entries) != len(signers) {
				t.Errorf("version %s counts %d signatures and lists %d entries, want the %d of the one list: %q", lang, n, len(entries), len(signers), entries)
			}
			var got []string
			for _, e := range entries {
				for _, s := range signers {
					if !strings.HasPrefix(e, s.listedAs) {
						continue
					}
					got = append(got, s.listedAs)
					for _, code := range []string{s.country, s.country2} {
						if country := models.CountryNameIn(lang, code); code != "" && !strings.Contains(e, country) {
							t.Errorf("version %s lists %q, without %s", lang, e, country)
						}
					}
				}
			}
			if names == nil {
				names = got
			} else if strings.Join(got, "|") != strings.Join(names, "|") {
				t.Errorf("version %s lists %q, version en %q", lang, got, names)
			}
			desk.expectText(v.text.Title, v.text.Subject, v.text.Salutation, v.text.Groups[1].LeadIn)
			main := eval[[]string](desk, `(() => { const m = document.querySelector('main'); return [m.lang, getComputedStyle(m).direction]; })()`)
			if main[0] != lang || main[1] != v.dir {
				t.Errorf("version %s: main is lang %q, direction %q; want %q, %q", lang, main[0], main[1], lang, v.dir)
			}
			desk.expectFirstFieldAt(v.dir)
			if !eval[bool](desk, `document.querySelector('#sign').getBoundingClientRect().top < document.querySelector('article.letter').getBoundingClientRect().bottom`) {
				t.Errorf("version %s: at 1280 px the form is under the letter, not beside it", lang)
			}
			// A chart's country names end before its bars, in either direction.
			if n := eval[int](desk, `(() => {
				const chart = 'figure[aria-labelledby="chart-country-caption"]';
				const bars = [...document.querySelectorAll(chart + ' rect')].map(r => r.getBoundingClientRect().left);
				return [...document.querySelectorAll(chart + ' text[text-anchor="end"]')]
					.filter(t => t.getBoundingClientRect().right > Math.min(...bars) + 1).length;
			})()`); n > 0 {
				t.Errorf("version %s: %d country names of the chart run into its bars", lang, n)
			}
			desk.check(fmt.Sprintf("journey-letter-%s-1280", lang))

			phone.open(v.path, http.StatusOK)
			if over := phone.horizontalOverflow(); over > 0 {
				t.Errorf("version %s is %d px wider than a %d px phone", lang, over, phoneWidth)
			}
			phone.check(fmt.Sprintf("journey-letter-%s-390", lang))
		}
	})

	t.Run("every version is valid HTML", func(t *testing.T) { b.validateHTML(t) })
	t.Logf("screenshots and page sources: %s", b.artefacts)
}

// signThrough has s sign the version of the letter at path, in language
// lang and titled title, on tb; the confirmation email must be in that
// language, and its link confirms the signature.
func signThrough(tb *tab, mx *smtpServer, path, lang, title string, s journeySigner) {
	tb.t.Helper()
	in := func(key string) string { return views.Message(lang, key) }
	tb.open(path, http.StatusOK)
	kind := "sign.kind.individual"
	if s.organisation {
		kind = "sign.kind.organisation"
	}
	tb.do(chromedp.Click(field(in(kind))))
	tb.do(chromedp.SetValue(field(in("label.name")), s.name), chromedp.SetValue(field(in("label.country")), s.country),
		chromedp.SetValue(field(in("label.email")), s.email), chromedp.Click(field(in("label.agree"))))
	if s.affiliation != "" {
		tb.do(chromedp.SetValue(field(in("label.affiliation")), s.affiliation))
	}
	if s.country2 != "" {
		tb.do(chromedp.SetValue(field(in("label.country2")), s.country2))
	}
	tb.navigate(http.StatusOK, chromedp.Click(button(in("sign.submit"))))
	tb.expectText(in("thanks.heading"))

	mail := mx.received.next(tb.t, s.email)
	if want := views.Message(lang, "mail.confirm.subject", "title", title); mail.Subject != want {
		tb.t.Errorf("%s signed the %s version and got the email %q, want %q", s.name, lang, mail.Subject, want)
	}
	if greeting, _, _ := strings.Cut(in("mail.confirm.body"), "\n"); !strings.HasPrefix(mail.Body, greeting) || !strings.Contains(mail.Body, title) {
		tb.t.Errorf("%s signed the %s version and got an email that does not start %q and name %q:\n%s", s.name, lang, greeting, title, mail.Body)
	}
	// The link's page is in the visitor's interface language: English here.
	tb.open(linkPath(tb.t, mail.link("/confirm/")), http.StatusOK)
	tb.navigate(http.StatusOK, chromedp.Click(button("Confirm my signature")))
	tb.expectText("Your signature is confirmed")
}

// listedCount reads the count above the list on screen, in whatever digits it is written.
func listedCount(tb *tab) int {
	tb.t.Helper()
	n, digits := 0, false
	for _, r := range tb.text(`//section[contains(@class, "signatories")]//p[@class = "count"]`) {
		if unicode.IsDigit(r) {
			n, digits = n*10+digitValue(r), true
		}
	}
	if !digits {
		tb.t.Errorf("the count above the list has no digits")
	}
	return n
}

// digitValue is the value of a decimal digit, Western or Arabic-Indic.
func digitValue(r rune) int {
	for _, zero := range []rune{'0', '٠', '۰'} {
		if r >= zero && r <= zero+9 {
			return int(r - zero)
		}
	}
	return 0
}

// expectFirstFieldAt checks that the signing form's first field starts at
// the form's side where its text starts (the right in a right-to-left
// version): that edge within a few pixels of the form's, the other edge
// away from the form's other one.
func (tb *tab) expectFirstFieldAt(dir string) {
	tb.t.Helper()
	box := eval[[]float64](tb, fmt.Sprintf(`(() => {
		const f = document.querySelector('#sign form').getBoundingClientRect(), e = %s.getBoundingClientRect();
		return [f.left, f.right, e.left, e.right];
	})()`, xpathJS(firstField)))
	form, fieldBox := [2]float64{box[0], box[1]}, [2]float64{box[2], box[3]}
	start, end := 0, 1 // the edges where a line starts and ends
	if dir == "rtl" {
		start, end = 1, 0
	}
	const few = 8 // px; the radio button stands 3 to 5 px in from the form's edge
	if math.Abs(fieldBox[start]-form[start]) > few || math.Abs(fieldBox[end]-form[end]) < few {
		tb.t.Errorf("the form's first field spans %.0f–%.0f px in a form at %.0f–%.0f px: it does not start at the %s side", fieldBox[0], fieldBox[1], form[0], form[1], dir)
	}
}
