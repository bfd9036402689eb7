package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"undersigned/handlers"
	"undersigned/models"
	"undersigned/models/modeltest"
	"undersigned/views"
)

// translationForm is text as the translation editor's form sends it.
func translationForm(text models.LetterText, action string) url.Values {
	f := url.Values{
		"title": {text.Title}, "summary": {text.Summary}, "body": {text.Body}, "addressees": {text.Addressees},
		"subject": {text.Subject}, "salutation": {text.Salutation}, "closing": {text.Closing}, "action": {action},
	}
	for _, g := range text.Groups {
		f.Add("group_lead_in", g.LeadIn)
		f.Add("group_demands", g.Demands)
	}
	return f
}

// seedFrench and seedArabic are the translations of the letter letterForm
// drafts, every part of it translated.
var (
	seedFrench = withParts(modeltest.AzerbaijanFrench, "Membres de l’Assemblée parlementaire du Conseil de l’Europe\nDélégations à la COP29",
		"Les prisonniers politiques en Azerbaïdjan", "Excellences,", "Veuillez agréer l’expression de notre haute considération.")
	seedArabic = withParts(modeltest.AzerbaijanArabic, "أعضاء الجمعية البرلمانية لمجلس أوروبا\nالوفود المشاركة في COP29",
		"السجناء السياسيون في أذربيجان", "أصحاب السعادة،", "وتفضلوا بقبول فائق الاحترام.")
)

func withParts(text models.LetterText, addressees, subject, salutation, closing string) models.LetterText {
	text.Addressees, text.Subject, text.Salutation, text.Closing = addressees, subject, salutation, closing
	return text
}

// publishTranslation publishes a translation of the seed letter through the editor.
func publishTranslation(t *testing.T, coordinator *browser, editor, lang string, text models.LetterText) {
	t.Helper()
	coordinator.get(editor+"/translations/"+lang).expect(t, http.StatusOK)
	r := coordinator.post(editor+"/translations/"+lang, translationForm(text, "publish")).expect(t, http.StatusSeeOther)
	if want := editor + "/translations/" + lang + "?saved=1"; r.location != want {
		t.Fatalf("publishing leads to %q, want %q", r.location, want)
	}
}

func TestPublishingATranslationThatLacksADemandIsRefusedKeepingEveryValue(t *testing.T) {
	s := newSite(t, handlers.Config{})
	b, editor := s.publishedLetter("c@example.org", "ICDR")
	b.get(editor).expect(t, http.StatusOK, `href="`+editor+`/translations/fr"`, "Translate into French")

	short := seedFrench
	short.Groups = []models.DemandGroupText{short.Groups[0], {LeadIn: short.Groups[1].LeadIn,
		Demands: strings.Join(strings.Split(short.Groups[1].Demands, "\n")[:4], "\n")}}
	// What the original says is read with the field that translates it.
	form := b.get(editor+"/translations/fr").expect(t, http.StatusOK, `id="f-title-original"`)
	if !regexp.MustCompile(`<input id="f-title" [^>]*aria-describedby="[^"]*f-title-original`).MatchString(form.markup) {
		t.Error("the title's field is not described by what the original says")
	}
	r := b.post(editor+"/translations/fr", translationForm(short, "publish")).expect(t, http.StatusUnprocessableEntity,
		`id="error-summary"`, `href="#f-group_demands-1"`,
		"Demand group 2 has 5 demands in the original and 4 here",
		`id="f-group_demands-1-error"`, `aria-invalid="true"`)
	for _, typed := range []string{short.Title, short.Closing, strings.Split(short.Groups[1].Demands, "\n")[3], short.Groups[0].LeadIn} {
		if !strings.Contains(r.body, htmlEscape(typed)) {
			t.Errorf("the refused form lost %q", typed)
		}
	}

	// A group missing altogether, and a part the original has left empty.
	noGroup := seedFrench
	noGroup.Groups, noGroup.Salutation = noGroup.Groups[:1], ""
	b.post(editor+"/translations/fr", translationForm(noGroup, "publish")).expect(t, http.StatusUnprocessableEntity,
		"Demand group 2 of the original, with 5 demands, is missing here", `href="#f-group_lead_in-1"`,
		`id="f-group_lead_in-1"`, `href="#f-salutation"`)

	// Nothing of a refused translation is public, nor stored.
	s.browser().get(seedSlug+"/fr").expect(t, http.StatusNotFound)
	b.get(editor+"/translations/fr").expect(t, http.StatusOK, "Draft: not public.")
	if _, err := s.store.Translation(context.Background(), s.letter(), "fr"); err == nil {
		t.Error("a refused translation was stored")
	}

	publishTranslation(t, b, editor, "fr", seedFrench)
	s.browser().get(seedSlug+"/fr").expect(t, http.StatusOK, htmlEscape(seedFrench.Title))
}

// htmlEscape is s as html/template writes it in text.
func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}

func TestATranslationHasItsAddressLanguageAndDirection(t *testing.T) {
	s := newSite(t, handlers.Config{})
	b, editor := s.publishedLetter("c@example.org", "ICDR")
	publishTranslation(t, b, editor, "fr", seedFrench)
	publishTranslation(t, b, editor, "ar", seedArabic)
	visitor := s.browser()
	const abs = "http://undersigned.test" + seedSlug

	// The page around the French text is French, whatever the interface's language.
	fr := visitor.get(seedSlug+"/fr").expect(t, http.StatusOK, `<html lang="en"`,
		htmlEscape(views.Message("fr", "letter.to")), htmlEscape(views.Message("fr", "sign.title")),
		htmlEscape(views.Message("fr", "sign.submit")), views.FormatDate("fr", time.Now()),
		`<main id="main" tabindex="-1" lang="fr" dir="ltr">`, `<article class="letter" lang="fr" dir="ltr"`, htmlEscape(seedFrench.Title),
		htmlEscape(strings.Split(seedFrench.Groups[1].Demands, "\n")[4]),
		`<p class="letter-authority">`, `<a href="`+seedSlug+`" hreflang="en">`,
		`action="`+seedSlug+`/fr/sign#error-summary"`)
	if strings.Contains(fr.body, htmlEscape(modeltest.Azerbaijan.Title)) || strings.Contains(fr.body, ">To:<") {
		t.Error("the French version shows the English title, or the English chrome around it")
	}
	visitor.get(seedSlug+"/ar").expect(t, http.StatusOK,
		`<main id="main" tabindex="-1" lang="ar" dir="rtl">`, `<article class="letter" lang="ar" dir="rtl"`, seedArabic.Title)

	// Every version links every other, for people and for search engines.
	for _, path := range []string{seedSlug, seedSlug + "/fr", seedSlug + "/ar"} {
		visitor.get(path).expect(t, http.StatusOK,
			`<link rel="alternate" hreflang="en" href="`+abs+`">`,
			`<link rel="alternate" hreflang="fr" href="`+abs+`/fr">`,
			`<link rel="alternate" hreflang="ar" href="`+abs+`/ar">`,
			`<link rel="alternate" hreflang="x-default" href="`+abs+`">`,
			`<a href="`+seedSlug+`" hreflang="en" lang="en" dir="ltr"`, ">English</a>",
			`<a href="`+seedSlug+`/fr" hreflang="fr" lang="fr" dir="ltr"`, ">français</a>",
			`<a href="`+seedSlug+`/ar" hreflang="ar" lang="ar" dir="rtl"`, ">العربية</a>")
	}
	if r := visitor.get(seedSlug); strings.Contains(r.body, `class="letter-authority"`) {
		t.Error("the original calls itself a translation")
	}
}

func TestAnUnknownOrUnpublishedLanguageIsNotFound(t *testing.T) {
	s := newSite(t, handlers.Config{})
	b, editor := s.publishedLetter("c@example.org", "ICDR")
	publishTranslation(t, b, editor, "fr", seedFrench)
	b.get(editor + "/translations/es")
	b.post(editor+"/translations/es", translationForm(seedFrench, "save")).expect(t, http.StatusSeeOther) // a draft
	visitor := s.browser()
	for _, path := range []string{
		seedSlug + "/xx", seedSlug + "/de", seedSlug + "/en", seedSlug + "/es", seedSlug + "/fr-fr",
		seedSlug + "/es/sign", seedSlug + "/xx/signatories", seedSlug + "/es/print", seedSlug + "/xx/signatories.csv",
		seedSlug + "/es.json", "/letters/no-such-letter/fr",
	} {
		visitor.get(path).expect(t, http.StatusNotFound)
	}
	visitor.get(seedSlug) // a form's token, to send the form to a version that does not exist
	visitor.post(seedSlug+"/es/sign", signForm("Someone", "FR", "someone@example.org")).expect(t, http.StatusNotFound)
	// Nor is a translation's editor in the original's language or an unknown one.
	b.get(editor+"/translations/en").expect(t, http.StatusNotFound)
	b.get(editor+"/translations/xx").expect(t, http.StatusNotFound)
	b.get(editor)
	b.post(editor+"/translations/en", translationForm(seedFrench, "publish")).expect(t, http.StatusNotFound)
}

func TestSigningThroughATranslationRecordsItAndSharesTheList(t *testing.T) {
	s := newSite(t, handlers.Config{})
	b, editor := s.publishedLetter("c@example.org", "ICDR")
	publishTranslation(t, b, editor, "fr", seedFrench)

	french := s.browser()
	french.get(seedSlug+"/fr").expect(t, http.StatusOK)
	// A refused form says what is wrong in French, as the form around it.
	french.post(seedSlug+"/fr/sign", signForm("", "FR", "nicolas@example.org")).expect(t, http.StatusUnprocessableEntity,
		`<main id="main" tabindex="-1" lang="fr"`, htmlEscape(views.Message("fr", "error.required.name")))
	r := french.post(seedSlug+"/fr/sign", signForm("Nicolas Tenzer", "FR", "nicolas@example.org")).expect(t, http.StatusSeeOther)
	if r.location != seedSlug+"/fr/thanks#top" {
		t.Errorf("signing in French leads to %q, want the French thank-you page", r.location)
	}
	french.get(seedSlug+"/fr/thanks").expect(t, http.StatusOK, `<main id="main" tabindex="-1" lang="fr"`, "nicolas@example.org")
	english := s.browser()
	english.get(seedSlug)
	english.post(seedSlug+"/sign", signForm("Leyla Yunus", "AZ", "leyla@example.org")).expect(t, http.StatusSeeOther)

	for _, path := range []string{seedSlug, seedSlug + "/signatories"} {
		s.browser().get(path).expect(t, http.StatusOK, "2 signatures", "Nicolas Tenzer", "Leyla Yunus")
	}
	// The same list and count in French, its figures and sign form in French too.
	for _, path := range []string{seedSlug + "/fr", seedSlug + "/fr/signatories"} {
		s.browser().get(path).expect(t, http.StatusOK, views.Message("fr", "list.count", "count", 2), "Nicolas Tenzer", "Leyla Yunus, Azerbaïdjan")
	}
	s.browser().get(seedSlug+"/fr").expect(t, http.StatusOK, htmlEscape(views.Message("fr", "charts.time.title")),
		htmlEscape(views.Message("fr", "sign.kind.organisation")))
	sigs, _, err := s.store.CoordinatorSignatures(context.Background(), s.letter(), 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, sig := range sigs {
		if want := map[string]string{"Nicolas Tenzer": "fr", "Leyla Yunus": "en"}[sig.Name]; sig.Lang != want {
			t.Errorf("%s signed the %q version, recorded %q", sig.Name, want, sig.Lang)
		}
	}
	// Coordinators see which version each signer signed.
	b.get(editor+"/signatures").expect(t, http.StatusOK, `<td lang="fr">français</td>`, `<td lang="en">English</td>`)
	csv := b.get(editor+"/signatures.csv").expect(t, http.StatusOK, ",signed_at,version\n")
	if !strings.Contains(csv.body, "nicolas@example.org") || !strings.Contains(csv.body, "Z,fr\n") {
		t.Errorf("the coordinators' CSV does not say who signed in French:\n%s", csv.body)
	}
	// The signer's email names the version they read.
	mail := s.inbox("nicolas@example.org")
	if len(mail) != 1 || !strings.Contains(mail[0].Subject, seedFrench.Title) {
		t.Errorf("the French signer's email: %+v, want one naming %q", mail, seedFrench.Title)
	}
}

func TestATranslationAddedAfterPublicationIsDated(t *testing.T) {
	s := newSite(t, handlers.Config{})
	b, editor := s.publishedLetter("c@example.org", "ICDR")
	signer := s.browser()
	signer.get(seedSlug)
	signer.post(seedSlug+"/sign", signForm("Leyla Yunus", "AZ", "leyla@example.org")).expect(t, http.StatusSeeOther)
	time.Sleep(10 * time.Millisecond) // the translation comes after the publication
	publishTranslation(t, b, editor, "fr", seedFrench)
	today := time.Now().UTC().Format("January 2, 2006")
	s.browser().get(seedSlug).expect(t, http.StatusOK, "French translation added on "+today+".")
	// Its signers were not asked anything again.
	if mail := s.inbox("leyla@example.org"); len(mail) != 1 {
		t.Errorf("the signer got %d emails, want their one signing email", len(mail))
	}
}

func TestExportsOfAVersionAreInItsLanguageWithTheSameList(t *testing.T) {
	s, b, editor, _ := signedInFrench(t)
	b.post(editor+"/snapshots", url.Values{}).expect(t, http.StatusSeeOther)
	today := time.Now().UTC().Format(time.DateOnly)
	visitor := s.browser()

	title := htmlEscape(seedFrench.Title)
	visitor.get(seedSlug+"/fr/print").expect(t, http.StatusOK, `<main id="main" tabindex="-1" lang="fr"`, title, "Nicolas Tenzer")
	visitor.get(seedSlug+"/fr/embed").expect(t, http.StatusOK, `<html lang="fr"`, title, "http://undersigned.test"+seedSlug+"/fr")
	visitor.get(seedSlug+"/fr/as-of/"+today).expect(t, http.StatusOK, `<main id="main" tabindex="-1" lang="fr"`, title, "Nicolas Tenzer")
	csv := visitor.get(seedSlug+"/fr/signatories.csv").expect(t, http.StatusOK, "Nicolas Tenzer")
	if original := visitor.get(seedSlug + "/signatories.csv"); original.body != csv.body {
		t.Error("the French version's CSV differs from the original's: one list, one download")
	}
	visitor.get(seedSlug+"/fr.json").expect(t, http.StatusOK, `"lang":"fr"`, `"title":"`+seedFrench.Title[:20])
	visitor.get(seedSlug+"/fr/signatories.json").expect(t, http.StatusOK, "Nicolas Tenzer")
	visitor.get("/api"+seedSlug+"/fr").expect(t, http.StatusOK, `"lang":"fr"`)
	// The PDF packet reads the French text, kept apart from the original's.
	visitor.get(seedSlug+"/packet.pdf").expect(t, http.StatusOK)
	pdf := visitor.get(seedSlug+"/fr/packet.pdf").expect(t, http.StatusOK)
	if text := extractText(t, needPdftotext(t), pdf.body); !strings.Contains(text, "Déclaration commune") || !strings.Contains(text, "Nicolas Tenzer") {
		t.Errorf("the French packet lacks the French title or the list:\n%s", text)
	}
	visitor.get("/feed.atom").expect(t, http.StatusOK,
		`<link rel="alternate" type="text/html" href="http://undersigned.test`+seedSlug+`/fr" hreflang="fr" title="`+seedFrench.Title[:20])
}

// revisedFrench is seedFrench with its first demand rewritten.
func revisedFrench() models.LetterText {
	text := seedFrench
	text.Groups = slices.Clone(text.Groups)
	text.Groups[0].Demands = strings.Replace(text.Groups[0].Demands, frenchDemand, "de libérer sans délai tous les prisonniers politiques ;", 1)
	return text
}

const frenchDemand = "de libérer sans condition tous les prisonniers politiques et d’abandonner les poursuites engagées contre eux ;"

func TestChangingASignedTranslationFollowsTheRevisionRules(t *testing.T) {
	s := newSite(t, handlers.Config{})
	b, editor := s.publishedLetter("c@example.org", "ICDR")
	publishTranslation(t, b, editor, "fr", seedFrench)
	for path, signer := range map[string][]string{seedSlug + "/fr": {"Nicolas Tenzer", "FR", "nicolas@example.org"}, seedSlug: {"Leyla Yunus", "AZ", "leyla@example.org"}} {
		v := s.browser()
		v.get(path)
		v.post(path+"/sign", signForm(signer[0], signer[1], signer[2])).expect(t, http.StatusSeeOther)
	}
	trEditor := editor + "/translations/fr"

	// A correction: no new revision, no one asked, the translation dated.
	b.get(trEditor)
	corrected := seedFrench
	corrected.Title += "."
	confirm := b.post(trEditor, translationForm(corrected, "publish")).expect(t, http.StatusOK, "What kind of change is this?", `action="`+trEditor+`"`)
	b.post(trEditor, keptForm(confirm.body, "confirm", "correction")).expect(t, http.StatusSeeOther)
	frenchNote := htmlEscape(views.Message("fr", "letter.corrected", "date", views.FormatDate("fr", time.Now())))
	s.browser().get(seedSlug+"/fr").expect(t, http.StatusOK, htmlEscape(corrected.Title), frenchNote)
	if r := s.browser().get(seedSlug); strings.Contains(r.body, "Text corrected on") {
		t.Error("a correction of the French translation dates the English original")
	}

	// A change of substance: the next revision, agreed to by this version's signers.
	b.get(trEditor)
	confirm = b.post(trEditor, translationForm(revisedFrench(), "publish")).expect(t, http.StatusOK, "<del>", htmlEscape(frenchDemand))
	r := b.post(trEditor, keptForm(confirm.body, "confirm", "substance")).expect(t, http.StatusSeeOther)
	if !strings.Contains(r.location, "asked=1") {
		t.Errorf("revising the French translation leads to %q, want one signer asked", r.location)
	}
	mail := s.inbox("nicolas@example.org")
	if len(mail) != 2 || !strings.Contains(mail[1].Body, "http://undersigned.test"+seedSlug+"/fr/revisions/1") {
		t.Errorf("the French signer was not asked with a link to the French text they signed: %+v", mail)
	}
	if n := len(s.inbox("leyla@example.org")); n != 1 {
		t.Errorf("the English signer, whose text did not change, got %d emails, want only their signing one", n)
	}
	// The revision is read as the letter is, in the version's language around it.
	s.browser().get(seedSlug+"/fr/revisions/1").expect(t, http.StatusOK, `<main id="main" tabindex="-1" lang="fr"`, htmlEscape(frenchDemand),
		htmlEscape(views.Message("fr", "revision.current")))
	fr := s.browser().get(seedSlug+"/fr/signatories").expect(t, http.StatusOK, "Tenzer")
	if !strings.Contains(fr.body, "Nicolas Tenzer, France *") || strings.Contains(fr.body, "Leyla Yunus, Azerbaijan *") {
		t.Errorf("the marks of the list: want the French signer's entry marked, the English one's not:\n%s", excerpt(fr.body))
	}

	// The legend of the mark is in the version's language too, whatever
	// the visitor's interface, and the dated list's title in the interface's.
	frenchLegend := htmlEscape(strings.Split(views.Message("fr", "list.earlier"), "{")[0])
	englishLegend := strings.Split(views.Message("en", "list.earlier"), "{")[0]
	for _, path := range []string{seedSlug + "/fr/signatories", seedSlug + "/fr/print"} {
		if r := s.browser().get(path).expect(t, http.StatusOK, frenchLegend); strings.Contains(r.body, englishLegend) {
			t.Errorf("%s explains its marks in English", path)
		}
	}
	b.post(editor+"/snapshots", url.Values{}).expect(t, http.StatusSeeOther)
	today := time.Now().UTC()
	dated := s.browser().get(seedSlug+"/fr/as-of/"+today.Format(time.DateOnly)).expect(t, http.StatusOK,
		htmlEscape(views.Message("fr", "snapshot.earlier")), "as of "+views.FormatDate("en", today)+" · ")
	if strings.Contains(dated.body, views.Message("en", "snapshot.earlier")) {
		t.Error("the French dated list explains its marks in English")
	}
}

func TestARevisedOriginalMarksItsTranslationsBehind(t *testing.T) {
	s := newSite(t, handlers.Config{})
	b, editor := s.publishedLetter("c@example.org", "ICDR")
	publishTranslation(t, b, editor, "fr", seedFrench)
	signer := s.browser()
	signer.get(seedSlug)
	signer.post(seedSlug+"/sign", signForm("Leyla Yunus", "AZ", "leyla@example.org")).expect(t, http.StatusSeeOther)
	behind := htmlEscape(views.Message("fr", "letter.translation_behind", "date", views.FormatDate("fr", time.Now())))
	if r := s.browser().get(seedSlug + "/fr"); strings.Contains(r.body, behind) {
		t.Fatal("an up-to-date translation says it is behind the original")
	}

	reviseSeedLetter(t, b, editor, "substance")
	s.browser().get(seedSlug+"/fr").expect(t, http.StatusOK, behind)
	b.get(editor).expect(t, http.StatusOK, "after this translation: bring it up to date.")

	// Brought up to date, it says so no more.
	b.get(editor + "/translations/fr")
	b.post(editor+"/translations/fr", translationForm(seedFrench, "publish")).expect(t, http.StatusSeeOther)
	if r := s.browser().get(seedSlug + "/fr"); strings.Contains(r.body, behind) {
		t.Error("a translation saved since the original's revision still says it is behind")
	}
}

func TestTheEditorNamesASlugClashAndTransliteratesTitles(t *testing.T) {
	s := newSite(t, handlers.Config{})
	b, _ := s.publishedLetter("c@example.org", "ICDR")

	clash := letterForm("save")
	clash.Set("title", "Another letter")
	clash.Set("slug", strings.TrimPrefix(seedSlug, "/letters/"))
	b.get("/dashboard/letters/new")
	b.post("/dashboard/letters", clash).expect(t, http.StatusUnprocessableEntity, `href="#f-slug"`,
		`id="f-slug-error"`, htmlEscape(views.Message("en", "error.slug_taken")), `value="Another letter"`)

	arabic := letterForm("save")
	arabic.Set("title", seedArabic.Title)
	r := b.post("/dashboard/letters", arabic).expect(t, http.StatusSeeOther)
	b.get(strings.TrimSuffix(r.location, "?saved=1")).expect(t, http.StatusOK, `value="byn-mshtrk-bsh-n-hl-hqwq-lnsn-fy-dhrbyjn"`)

	symbols := letterForm("save")
	symbols.Set("title", "✊ ✊ ✊")
	b.get("/dashboard/letters/new")
	b.post("/dashboard/letters", symbols).expect(t, http.StatusUnprocessableEntity, htmlEscape(views.Message("en", "error.slug_needed")))
}

// TestANewLinkNamesTheVersionSigned: a signer of the French version who
// asks for a new confirmation link, from its expired page or from the
// original's thank-you page, gets it in French under the French title, as
// their first email: never a French email under the English title.
func TestANewLinkNamesTheVersionSigned(t *testing.T) {
	s := newSite(t, handlers.Config{})
	b, editor := s.openLetter("c@example.org", "ICDR", withSettings("confirm_email"))
	publishTranslation(t, b, editor, "fr", seedFrench)
	const email = "nicolas@example.org"
	signer := s.browser()
	signer.get(seedSlug + "/fr")
	signer.post(seedSlug+"/fr/sign", signForm("Nicolas Tenzer", "FR", email)).expect(t, http.StatusSeeOther)
	signer.post(s.mailedLink(email, "/confirm/")+"/renew", url.Values{}).expect(t, http.StatusOK)
	signer.get(seedSlug + "/thanks")
	signer.post(seedSlug+"/resend", url.Values{}).expect(t, http.StatusSeeOther)

	mail := s.inbox(email)
	if len(mail) != 3 {
		t.Fatalf("the signer got %d emails, want 3", len(mail))
	}
	for i, m := range mail {
		if !strings.Contains(m.Subject, seedFrench.Title) {
			t.Errorf("email %d: %q, want the French title %q", i+1, m.Subject, seedFrench.Title)
		}
	}
}

// signedInFrench is a site whose seed letter has a French translation,
// which Nicolas Tenzer signed: its coordinator and editor, and his browser.
func signedInFrench(t *testing.T) (s *site, coordinator *browser, editor string, signer *browser) {
	s = newSite(t, handlers.Config{})
	coordinator, editor = s.publishedLetter("c@example.org", "ICDR")
	publishTranslation(t, coordinator, editor, "fr", seedFrench)
	signer = s.browser()
	signer.get(seedSlug + "/fr")
	signer.post(seedSlug+"/fr/sign", signForm("Nicolas Tenzer", "FR", "nicolas@example.org")).expect(t, http.StatusSeeOther)
	return s, coordinator, editor, signer
}

// TestAVersionsRefusalsAreInItsLanguage: a form refused on a translation's
// page says why in the page's language, whatever the visitor's interface.
func TestAVersionsRefusalsAreInItsLanguage(t *testing.T) {
	_, _, _, signer := signedInFrench(t)
	signer.get(seedSlug + "/fr/thanks")
	for range 3 {
		signer.post(seedSlug+"/fr/resend", url.Values{}).expect(t, http.StatusSeeOther)
	}
	wait := views.Message("fr", "time.minutes", "count", 60)
	signer.post(seedSlug+"/fr/resend", url.Values{}).expect(t, http.StatusTooManyRequests,
		htmlEscape(views.Message("fr", "thanks.resend_limited", "wait", wait)))
}

// TestAVersionsChartsWriteNumbersAsItsLanguageDoes: the figures of the
// charts, and of the tables that say them in words, are grouped as the
// sentence above them groups the total: "1 200" in French.
func TestAVersionsChartsWriteNumbersAsItsLanguageDoes(t *testing.T) {
	s := newSite(t, handlers.Config{})
	b, editor := s.publishedLetter("c@example.org", "ICDR")
	publishTranslation(t, b, editor, "fr", seedFrench)
	s.signMany(1200)
	total := s.letter().SignatureCount()
	figure := views.FormatNumber("fr", int(total))
	page := s.browser().get(seedSlug+"/fr").expect(t, http.StatusOK, "<td>"+figure+"</td>")
	if strings.Contains(page.body, "<td>"+strconv.FormatInt(total, 10)+"</td>") {
		t.Errorf("the French page's chart table writes %d ungrouped", total)
	}
}

// TestNoPublicRouteShowsADraftTranslation: every public address of a
// version (its page, list, exports, API, print page, PDF, counter, dated
// lists, revisions, signing) is 404 for a translation saved as a draft,
// and shows nothing of its text.
func TestNoPublicRouteShowsADraftTranslation(t *testing.T) {
	s := newSite(t, handlers.Config{})
	b, editor := s.publishedLetter("c@example.org", "ICDR")
	b.get(editor + "/translations/fr")
	b.post(editor+"/translations/fr", translationForm(seedFrench, "save")).expect(t, http.StatusSeeOther) // a draft
	b.post(editor+"/snapshots", url.Values{}).expect(t, http.StatusSeeOther)                              // a dated list of today
	visitor := s.browser()
	visitor.get(seedSlug)
	walked := 0
	for _, r := range s.app.GetRoutes(true) {
		if !strings.Contains(r.Path, ":lang") || strings.HasPrefix(r.Path, "/dashboard") {
			continue
		}
		path := strings.NewReplacer(":slug", strings.TrimPrefix(seedSlug, "/letters/"), ":lang", "fr",
			":date", time.Now().UTC().Format("2006-01-02"), ":n", "1").Replace(r.Path)
		var resp response
		switch r.Method {
		case http.MethodGet:
			resp = visitor.get(path)
		case http.MethodPost:
			resp = visitor.post(path, signForm("Someone", "FR", "someone@example.org"))
		default:
			continue
		}
		walked++
		if resp.status != http.StatusNotFound || strings.Contains(resp.body, seedFrench.Title) {
			t.Errorf("%s %s of a draft translation: status %d, want 404 and nothing of its text", r.Method, path, resp.status)
		}
	}
	if walked < 15 {
		t.Errorf("walked only %d routes of a version", walked)
	}
	if n := s.signatures(); n != 0 {
		t.Errorf("%d signatures were taken through a draft translation", n)
	}
}

// TestAHostileTranslationIsShownAsText: a translator's text is shown as
// text on every page of its version, in its print stylesheet (a CSS
// string) and in the feed; a title that would end an email's subject
// header is refused.
func TestAHostileTranslationIsShownAsText(t *testing.T) {
	s := newSite(t, handlers.Config{})
	b, editor := s.publishedLetter("c@example.org", "ICDR")
	hostile := seedFrench
	hostile.Title = `</style><script>alert("fr")</script>"; } * { display: none } /*`
	hostile.Body = "<script>alert(1)</script>\n\n[clic](javascript:alert(2)) <img src=x onerror=alert(3)>"
	hostile.Groups = slices.Clone(hostile.Groups)
	hostile.Groups[0].LeadIn = `<b onmouseover=alert(5)>Nous demandons :</b>`
	publishTranslation(t, b, editor, "fr", hostile)
	visitor := s.browser()
	for _, path := range []string{"/fr", "/fr/signatories", "/fr/print", "/fr/embed", "/fr/revisions/1", "/fr/thanks", "/fr.json", "/fr/signatories.json"} {
		r := visitor.get(seedSlug+path).expect(t, http.StatusOK)
		for _, bad := range []string{"<script>", `href="javascript:`, "<img", "<b ", "</style>"} {
			if strings.Contains(r.body, bad) {
				t.Errorf("%s contains %q", path, bad)
			}
		}
	}
	css := visitor.get(seedSlug+"/fr/print.css").expect(t, http.StatusOK).body
	if strings.Count(css, "{") != 4 || strings.Count(css, "}") != 4 || strings.Contains(css, "/*") || strings.Contains(css, "<") {
		t.Errorf("the title breaks out of its CSS string:\n%s", css)
	}
	feed := visitor.get("/feed.atom").expect(t, http.StatusOK).body
	if strings.Contains(feed, "<script>") || !strings.Contains(feed, "&lt;script&gt;") {
		t.Errorf("the feed does not escape the translated title:\n%.2000s", feed)
	}
	injected := seedFrench
	injected.Title = "Prisonniers\r\nBcc: everyone@example.org"
	b.get(editor + "/translations/fr")
	b.post(editor+"/translations/fr", translationForm(injected, "publish")).expect(t, http.StatusUnprocessableEntity)
}
