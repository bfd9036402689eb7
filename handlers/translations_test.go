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
	"undersigned/handlers/handlertest"
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

// seedFrench and seedArabic are the translations of the letter
// handlertest.LetterForm drafts, every part of it translated.
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
func publishTranslation(t *testing.T, coordinator *handlertest.Client, editor, lang string, text models.LetterText) {
	t.Helper()
	coordinator.Get(editor+"/translations/"+lang).Expect(t, http.StatusOK)
	r := coordinator.Post(editor+"/translations/"+lang, translationForm(text, "publish")).Expect(t, http.StatusSeeOther)
	if want := editor + "/translations/" + lang + "?saved=1"; r.Location != want {
		t.Fatalf("publishing leads to %q, want %q", r.Location, want)
	}
}

func TestPublishingATranslationThatLacksADemandIsRefusedKeepingEveryValue(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coordinator, editor := s.publishedLetter("c@example.org", "ICDR")
	coordinator.Get(editor).Expect(t, http.StatusOK, `href="`+editor+`/translations/fr"`, "Translate into French")

	short := seedFrench
	short.Groups = []models.DemandGroupText{short.Groups[0], {LeadIn: short.Groups[1].LeadIn,
		Demands: strings.Join(strings.Split(short.Groups[1].Demands, "\n")[:4], "\n")}}
	// What the original says is read with the field that translates it.
	form := coordinator.Get(editor+"/translations/fr").Expect(t, http.StatusOK, `id="f-title-original"`)
	if !regexp.MustCompile(`<input id="f-title" [^>]*aria-describedby="[^"]*f-title-original`).MatchString(form.Markup) {
		t.Error("the title's field is not described by what the original says")
	}
	r := coordinator.Post(editor+"/translations/fr", translationForm(short, "publish")).Expect(t, http.StatusUnprocessableEntity,
		`id="error-summary"`, `href="#f-group_demands-1"`,
		"Demand group 2 has 5 demands in the original and 4 here",
		`id="f-group_demands-1-error"`, `aria-invalid="true"`)
	for _, typed := range []string{short.Title, short.Closing, strings.Split(short.Groups[1].Demands, "\n")[3], short.Groups[0].LeadIn} {
		if !strings.Contains(r.Body, htmlEscape(typed)) {
			t.Errorf("the refused form lost %q", typed)
		}
	}

	// A group missing altogether, and a part the original has left empty.
	noGroup := seedFrench
	noGroup.Groups, noGroup.Salutation = noGroup.Groups[:1], ""
	coordinator.Post(editor+"/translations/fr", translationForm(noGroup, "publish")).Expect(t, http.StatusUnprocessableEntity,
		"Demand group 2 of the original, with 5 demands, is missing here", `href="#f-group_lead_in-1"`,
		`id="f-group_lead_in-1"`, `href="#f-salutation"`)

	// Nothing of a refused translation is public, nor stored.
	s.client().Get(seedSlug+"/fr").Expect(t, http.StatusNotFound)
	coordinator.Get(editor+"/translations/fr").Expect(t, http.StatusOK, "Draft: not public.")
	if _, err := s.store.Translation(context.Background(), s.letter(), "fr"); err == nil {
		t.Error("a refused translation was stored")
	}

	publishTranslation(t, coordinator, editor, "fr", seedFrench)
	s.client().Get(seedSlug+"/fr").Expect(t, http.StatusOK, htmlEscape(seedFrench.Title))
}

// htmlEscape is s as html/template writes it in text.
func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}

func TestATranslationHasItsAddressLanguageAndDirection(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coordinator, editor := s.publishedLetter("c@example.org", "ICDR")
	publishTranslation(t, coordinator, editor, "fr", seedFrench)
	publishTranslation(t, coordinator, editor, "ar", seedArabic)
	visitor := s.client()
	const abs = siteURL + seedSlug

	// The page around the French text is French, whatever the interface's language.
	fr := visitor.Get(seedSlug+"/fr").Expect(t, http.StatusOK, `<html lang="en"`,
		htmlEscape(views.Message("fr", "letter.to")), htmlEscape(views.Message("fr", "sign.title")),
		htmlEscape(views.Message("fr", "sign.submit")), views.FormatDate("fr", time.Now()),
		`<main id="main" tabindex="-1" lang="fr" dir="ltr">`, `<article class="letter" lang="fr" dir="ltr"`, htmlEscape(seedFrench.Title),
		htmlEscape(strings.Split(seedFrench.Groups[1].Demands, "\n")[4]),
		`<p class="letter-authority">`, `<a href="`+seedSlug+`" hreflang="en">`,
		`action="`+seedSlug+`/fr/sign#error-summary"`)
	if strings.Contains(fr.Body, htmlEscape(modeltest.Azerbaijan.Title)) || strings.Contains(fr.Body, ">To:<") {
		t.Error("the French version shows the English title, or the English chrome around it")
	}
	visitor.Get(seedSlug+"/ar").Expect(t, http.StatusOK,
		`<main id="main" tabindex="-1" lang="ar" dir="rtl">`, `<article class="letter" lang="ar" dir="rtl"`, seedArabic.Title)

	// Every version links every other, for people and for search engines.
	for _, path := range []string{seedSlug, seedSlug + "/fr", seedSlug + "/ar"} {
		visitor.Get(path).Expect(t, http.StatusOK,
			`<link rel="alternate" hreflang="en" href="`+abs+`">`,
			`<link rel="alternate" hreflang="fr" href="`+abs+`/fr">`,
			`<link rel="alternate" hreflang="ar" href="`+abs+`/ar">`,
			`<link rel="alternate" hreflang="x-default" href="`+abs+`">`,
			`<a href="`+seedSlug+`" hreflang="en" lang="en" dir="ltr"`, ">English</a>",
			`<a href="`+seedSlug+`/fr" hreflang="fr" lang="fr" dir="ltr"`, ">français</a>",
			`<a href="`+seedSlug+`/ar" hreflang="ar" lang="ar" dir="rtl"`, ">العربية</a>")
	}
	if r := visitor.Get(seedSlug); strings.Contains(r.Body, `class="letter-authority"`) {
		t.Error("the original calls itself a translation")
	}
}

func TestAnUnknownOrUnpublishedLanguageIsNotFound(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coordinator, editor := s.publishedLetter("c@example.org", "ICDR")
	publishTranslation(t, coordinator, editor, "fr", seedFrench)
	coordinator.Get(editor + "/translations/es")
	coordinator.Post(editor+"/translations/es", translationForm(seedFrench, "save")).Expect(t, http.StatusSeeOther) // a draft
	visitor := s.client()
	for _, path := range []string{
		seedSlug + "/xx", seedSlug + "/de", seedSlug + "/en", seedSlug + "/es", seedSlug + "/fr-fr",
		seedSlug + "/es/sign", seedSlug + "/xx/signatories", seedSlug + "/es/print", seedSlug + "/xx/signatories.csv",
		seedSlug + "/es.json", "/letters/no-such-letter/fr",
	} {
		visitor.Get(path).Expect(t, http.StatusNotFound)
	}
	visitor.Get(seedSlug) // a form's token, to send the form to a version that does not exist
	visitor.Post(seedSlug+"/es/sign", handlertest.SignForm("Someone", "FR", "someone@example.org")).Expect(t, http.StatusNotFound)
	// Nor is a translation's editor in the original's language or an unknown one.
	coordinator.Get(editor+"/translations/en").Expect(t, http.StatusNotFound)
	coordinator.Get(editor+"/translations/xx").Expect(t, http.StatusNotFound)
	coordinator.Get(editor)
	coordinator.Post(editor+"/translations/en", translationForm(seedFrench, "publish")).Expect(t, http.StatusNotFound)
}

func TestSigningThroughATranslationRecordsItAndSharesTheList(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coordinator, editor := s.publishedLetter("c@example.org", "ICDR")
	publishTranslation(t, coordinator, editor, "fr", seedFrench)

	french := s.client()
	french.Get(seedSlug+"/fr").Expect(t, http.StatusOK)
	// A refused form says what is wrong in French, as the form around it.
	french.Post(seedSlug+"/fr/sign", handlertest.SignForm("", "FR", "nicolas@example.org")).Expect(t, http.StatusUnprocessableEntity,
		`<main id="main" tabindex="-1" lang="fr"`, htmlEscape(views.Message("fr", "error.required.name")))
	r := french.Post(seedSlug+"/fr/sign", handlertest.SignForm("Nicolas Tenzer", "FR", "nicolas@example.org")).Expect(t, http.StatusSeeOther)
	if r.Location != seedSlug+"/fr/thanks#top" {
		t.Errorf("signing in French leads to %q, want the French thank-you page", r.Location)
	}
	french.Get(seedSlug+"/fr/thanks").Expect(t, http.StatusOK, `<main id="main" tabindex="-1" lang="fr"`, "nicolas@example.org")
	english := s.client()
	english.Get(seedSlug)
	english.Post(seedSlug+"/sign", handlertest.SignForm("Leyla Yunus", "AZ", "leyla@example.org")).Expect(t, http.StatusSeeOther)

	for _, path := range []string{seedSlug, seedSlug + "/signatories"} {
		s.client().Get(path).Expect(t, http.StatusOK, "2 signatures", "Nicolas Tenzer", "Leyla Yunus")
	}
	// The same list and count in French, its figures and sign form in French too.
	for _, path := range []string{seedSlug + "/fr", seedSlug + "/fr/signatories"} {
		s.client().Get(path).Expect(t, http.StatusOK, views.Message("fr", "list.count", "count", 2), "Nicolas Tenzer", "Leyla Yunus, Azerbaïdjan")
	}
	s.client().Get(seedSlug+"/fr").Expect(t, http.StatusOK, htmlEscape(views.Message("fr", "charts.time.title")),
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
	coordinator.Get(editor+"/signatures").Expect(t, http.StatusOK, `<span lang="fr">français</span>`, `<span lang="en">English</span>`)
	csv := coordinator.Get(editor+"/signatures.csv").Expect(t, http.StatusOK, ",signed_at,version,verified,source\n")
	if !strings.Contains(csv.Body, "nicolas@example.org") || !strings.Contains(csv.Body, "Z,fr,,\n") {
		t.Errorf("the coordinators' CSV does not say who signed in French:\n%s", csv.Body)
	}
	// The signer's email names the version they read.
	mail := s.inbox("nicolas@example.org")
	if len(mail) != 1 || !strings.Contains(mail[0].Subject, seedFrench.Title) {
		t.Errorf("the French signer's email: %+v, want one naming %q", mail, seedFrench.Title)
	}
}

func TestATranslationAddedAfterPublicationIsDated(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coordinator, editor := s.publishedLetter("c@example.org", "ICDR")
	signer := s.client()
	signer.Get(seedSlug)
	signer.Post(seedSlug+"/sign", handlertest.SignForm("Leyla Yunus", "AZ", "leyla@example.org")).Expect(t, http.StatusSeeOther)
	time.Sleep(10 * time.Millisecond) // the translation comes after the publication
	publishTranslation(t, coordinator, editor, "fr", seedFrench)
	today := time.Now().UTC().Format("January 2, 2006")
	s.client().Get(seedSlug).Expect(t, http.StatusOK, "French translation added on "+today+".")
	// Its signers were not asked anything again.
	if mail := s.inbox("leyla@example.org"); len(mail) != 1 {
		t.Errorf("the signer got %d emails, want their one signing email", len(mail))
	}
}

func TestExportsOfAVersionAreInItsLanguageWithTheSameList(t *testing.T) {
	s, coordinator, editor, _ := signedInFrench(t)
	coordinator.Post(editor+"/snapshots", url.Values{}).Expect(t, http.StatusSeeOther)
	today := time.Now().UTC().Format(time.DateOnly)
	visitor := s.client()

	title := htmlEscape(seedFrench.Title)
	visitor.Get(seedSlug+"/fr/print").Expect(t, http.StatusOK, `<main id="main" tabindex="-1" lang="fr"`, title, "Nicolas Tenzer")
	visitor.Get(seedSlug+"/fr/embed").Expect(t, http.StatusOK, `<html lang="fr"`, title, siteURL+seedSlug+"/fr")
	visitor.Get(seedSlug+"/fr/as-of/"+today).Expect(t, http.StatusOK, `<main id="main" tabindex="-1" lang="fr"`, title, "Nicolas Tenzer")
	csv := visitor.Get(seedSlug+"/fr/signatories.csv").Expect(t, http.StatusOK, "Nicolas Tenzer")
	if original := visitor.Get(seedSlug + "/signatories.csv"); original.Body != csv.Body {
		t.Error("the French version's CSV differs from the original's: one list, one download")
	}
	visitor.Get(seedSlug+"/fr.json").Expect(t, http.StatusOK, `"lang":"fr"`, `"title":"`+seedFrench.Title[:20])
	visitor.Get(seedSlug+"/fr/signatories.json").Expect(t, http.StatusOK, "Nicolas Tenzer")
	visitor.Get("/api"+seedSlug+"/fr").Expect(t, http.StatusOK, `"lang":"fr"`)
	// The PDF packet reads the French text, kept apart from the original's.
	visitor.Get(seedSlug+"/packet.pdf").Expect(t, http.StatusOK)
	pdf := visitor.Get(seedSlug+"/fr/packet.pdf").Expect(t, http.StatusOK)
	if text := extractText(t, needPdftotext(t), pdf.Body); !strings.Contains(text, "Déclaration commune") || !strings.Contains(text, "Nicolas Tenzer") {
		t.Errorf("the French packet lacks the French title or the list:\n%s", text)
	}
	visitor.Get("/feed.atom").Expect(t, http.StatusOK,
		`<link rel="alternate" type="text/html" href="`+siteURL+seedSlug+`/fr" hreflang="fr" title="`+seedFrench.Title[:20])
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
	coordinator, editor := s.publishedLetter("c@example.org", "ICDR")
	publishTranslation(t, coordinator, editor, "fr", seedFrench)
	for path, signer := range map[string][]string{seedSlug + "/fr": {"Nicolas Tenzer", "FR", "nicolas@example.org"}, seedSlug: {"Leyla Yunus", "AZ", "leyla@example.org"}} {
		v := s.client()
		v.Get(path)
		v.Post(path+"/sign", handlertest.SignForm(signer[0], signer[1], signer[2])).Expect(t, http.StatusSeeOther)
	}
	trEditor := editor + "/translations/fr"

	// A correction: no new revision, no one asked, the translation dated.
	coordinator.Get(trEditor)
	corrected := seedFrench
	corrected.Title += "."
	confirm := coordinator.Post(trEditor, translationForm(corrected, "publish")).Expect(t, http.StatusOK, "What kind of change is this?", `action="`+trEditor+`"`)
	coordinator.Post(trEditor, keptForm(confirm.Body, "confirm", "correction")).Expect(t, http.StatusSeeOther)
	frenchNote := htmlEscape(views.Message("fr", "letter.corrected", "date", views.FormatDate("fr", time.Now())))
	s.client().Get(seedSlug+"/fr").Expect(t, http.StatusOK, htmlEscape(corrected.Title), frenchNote)
	if r := s.client().Get(seedSlug); strings.Contains(r.Body, "Text corrected on") {
		t.Error("a correction of the French translation dates the English original")
	}

	// A change of substance: the next revision, agreed to by this version's signers.
	coordinator.Get(trEditor)
	confirm = coordinator.Post(trEditor, translationForm(revisedFrench(), "publish")).Expect(t, http.StatusOK, "<del>", htmlEscape(frenchDemand))
	r := coordinator.Post(trEditor, keptForm(confirm.Body, "confirm", "substance")).Expect(t, http.StatusSeeOther)
	if !strings.Contains(r.Location, "asked=1") {
		t.Errorf("revising the French translation leads to %q, want one signer asked", r.Location)
	}
	mail := s.inbox("nicolas@example.org")
	if len(mail) != 2 || !strings.Contains(mail[1].Body, siteURL+seedSlug+"/fr/revisions/1") {
		t.Errorf("the French signer was not asked with a link to the French text they signed: %+v", mail)
	}
	if n := len(s.inbox("leyla@example.org")); n != 1 {
		t.Errorf("the English signer, whose text did not change, got %d emails, want only their signing one", n)
	}
	// The revision is read as the letter is, in the version's language around it.
	s.client().Get(seedSlug+"/fr/revisions/1").Expect(t, http.StatusOK, `<main id="main" tabindex="-1" lang="fr"`, htmlEscape(frenchDemand),
		htmlEscape(views.Message("fr", "revision.current")))
	fr := s.client().Get(seedSlug+"/fr/signatories").Expect(t, http.StatusOK, "Tenzer")
	if !strings.Contains(fr.Body, "Nicolas Tenzer, France *") || strings.Contains(fr.Body, "Leyla Yunus, Azerbaijan *") {
		t.Errorf("the marks of the list: want the French signer's entry marked, the English one's not:\n%s", handlertest.Excerpt(fr.Body))
	}

	// The legend of the mark is in the version's language too, whatever
	// the visitor's interface, and the dated list's title in the interface's.
	frenchLegend := htmlEscape(strings.Split(views.Message("fr", "list.earlier"), "{")[0])
	englishLegend := strings.Split(views.Message("en", "list.earlier"), "{")[0]
	for _, path := range []string{seedSlug + "/fr/signatories", seedSlug + "/fr/print"} {
		if r := s.client().Get(path).Expect(t, http.StatusOK, frenchLegend); strings.Contains(r.Body, englishLegend) {
			t.Errorf("%s explains its marks in English", path)
		}
	}
	coordinator.Post(editor+"/snapshots", url.Values{}).Expect(t, http.StatusSeeOther)
	today := time.Now().UTC()
	dated := s.client().Get(seedSlug+"/fr/as-of/"+today.Format(time.DateOnly)).Expect(t, http.StatusOK,
		htmlEscape(views.Message("fr", "snapshot.earlier")), "as of "+views.FormatDate("en", today)+" · ")
	if strings.Contains(dated.Body, views.Message("en", "snapshot.earlier")) {
		t.Error("the French dated list explains its marks in English")
	}
}

func TestARevisedOriginalMarksItsTranslationsBehind(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coordinator, editor := s.publishedLetter("c@example.org", "ICDR")
	publishTranslation(t, coordinator, editor, "fr", seedFrench)
	signer := s.client()
	signer.Get(seedSlug)
	signer.Post(seedSlug+"/sign", handlertest.SignForm("Leyla Yunus", "AZ", "leyla@example.org")).Expect(t, http.StatusSeeOther)
	behind := htmlEscape(views.Message("fr", "letter.translation_behind", "date", views.FormatDate("fr", time.Now())))
	if r := s.client().Get(seedSlug + "/fr"); strings.Contains(r.Body, behind) {
		t.Fatal("an up-to-date translation says it is behind the original")
	}

	reviseSeedLetter(t, coordinator, editor, "substance")
	s.client().Get(seedSlug+"/fr").Expect(t, http.StatusOK, behind)
	coordinator.Get(editor).Expect(t, http.StatusOK, "after this translation: bring it up to date.")

	// Brought up to date, it says so no more.
	coordinator.Get(editor + "/translations/fr")
	coordinator.Post(editor+"/translations/fr", translationForm(seedFrench, "publish")).Expect(t, http.StatusSeeOther)
	if r := s.client().Get(seedSlug + "/fr"); strings.Contains(r.Body, behind) {
		t.Error("a translation saved since the original's revision still says it is behind")
	}
}

func TestTheEditorNamesASlugClashAndTransliteratesTitles(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coordinator, _ := s.publishedLetter("c@example.org", "ICDR")

	clash := handlertest.LetterForm("save")
	clash.Set("title", "Another letter")
	clash.Set("slug", strings.TrimPrefix(seedSlug, "/letters/"))
	coordinator.Get("/dashboard/letters/new")
	coordinator.Post("/dashboard/letters", clash).Expect(t, http.StatusUnprocessableEntity, `href="#f-slug"`,
		`id="f-slug-error"`, htmlEscape(views.Message("en", "error.slug_taken")), `value="Another letter"`)

	arabic := handlertest.LetterForm("save")
	arabic.Set("title", seedArabic.Title)
	r := coordinator.Post("/dashboard/letters", arabic).Expect(t, http.StatusSeeOther)
	coordinator.Get(strings.TrimSuffix(r.Location, "?saved=1")).Expect(t, http.StatusOK, `value="byn-mshtrk-bsh-n-hl-hqwq-lnsn-fy-dhrbyjn"`)

	symbols := handlertest.LetterForm("save")
	symbols.Set("title", "✊ ✊ ✊")
	coordinator.Get("/dashboard/letters/new")
	coordinator.Post("/dashboard/letters", symbols).Expect(t, http.StatusUnprocessableEntity, htmlEscape(views.Message("en", "error.slug_needed")))
}

// TestANewLinkNamesTheVersionSigned: a signer of the French version who
// asks for a new confirmation link, from its expired page or from the
// original's thank-you page, gets it in French under the French title, as
// their first email: never a French email under the English title.
func TestANewLinkNamesTheVersionSigned(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coordinator, editor := s.openLetter("c@example.org", "ICDR", withSettings("confirm_email"))
	publishTranslation(t, coordinator, editor, "fr", seedFrench)
	const email = "nicolas@example.org"
	signer := s.client()
	signer.Get(seedSlug + "/fr")
	signer.Post(seedSlug+"/fr/sign", handlertest.SignForm("Nicolas Tenzer", "FR", email)).Expect(t, http.StatusSeeOther)
	signer.Post(s.mailedLink(email, "/confirm/")+"/renew", url.Values{}).Expect(t, http.StatusOK)
	signer.Get(seedSlug + "/thanks")
	signer.Post(seedSlug+"/resend", url.Values{}).Expect(t, http.StatusSeeOther)

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
// which Nicolas Tenzer signed: its coordinator and editor, and his client.
func signedInFrench(t *testing.T) (s *site, coordinator *handlertest.Client, editor string, signer *handlertest.Client) {
	s = newSite(t, handlers.Config{})
	coordinator, editor = s.publishedLetter("c@example.org", "ICDR")
	publishTranslation(t, coordinator, editor, "fr", seedFrench)
	signer = s.client()
	signer.Get(seedSlug + "/fr")
	signer.Post(seedSlug+"/fr/sign", handlertest.SignForm("Nicolas Tenzer", "FR", "nicolas@example.org")).Expect(t, http.StatusSeeOther)
	return s, coordinator, editor, signer
}

// TestAVersionsRefusalsAreInItsLanguage: a form refused on a translation's
// page says why in the page's language, whatever the visitor's interface.
func TestAVersionsRefusalsAreInItsLanguage(t *testing.T) {
	_, _, _, signer := signedInFrench(t)
	signer.Get(seedSlug + "/fr/thanks")
	for range 3 {
		signer.Post(seedSlug+"/fr/resend", url.Values{}).Expect(t, http.StatusSeeOther)
	}
	wait := views.Message("fr", "time.minutes", "count", 60)
	signer.Post(seedSlug+"/fr/resend", url.Values{}).Expect(t, http.StatusTooManyRequests,
		htmlEscape(views.Message("fr", "thanks.resend_limited", "wait", wait)))
}

// TestAVersionsChartsWriteNumbersAsItsLanguageDoes: the figures of the
// charts, and of the tables that say them in words, are grouped as the
// sentence above them groups the total: "1 200" in French.
func TestAVersionsChartsWriteNumbersAsItsLanguageDoes(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coordinator, editor := s.publishedLetter("c@example.org", "ICDR")
	publishTranslation(t, coordinator, editor, "fr", seedFrench)
	s.signMany(1200)
	total := s.letter().SignatureCount()
	figure := views.FormatNumber("fr", int(total))
	page := s.client().Get(seedSlug+"/fr").Expect(t, http.StatusOK, "<td>"+figure+"</td>")
	if strings.Contains(page.Body, "<td>"+strconv.FormatInt(total, 10)+"</td>") {
		t.Errorf("the French page's chart table writes %d ungrouped", total)
	}
}

// TestNoPublicRouteShowsADraftTranslation: every public address of a
// version (its page, list, exports, API, print page, PDF, counter, dated
// lists, revisions, signing) is 404 for a translation saved as a draft,
// and shows nothing of its text.
func TestNoPublicRouteShowsADraftTranslation(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coordinator, editor := s.publishedLetter("c@example.org", "ICDR")
	coordinator.Get(editor + "/translations/fr")
	coordinator.Post(editor+"/translations/fr", translationForm(seedFrench, "save")).Expect(t, http.StatusSeeOther) // a draft
	coordinator.Post(editor+"/snapshots", url.Values{}).Expect(t, http.StatusSeeOther)                              // a dated list of today
	visitor := s.client()
	visitor.Get(seedSlug)
	walked := 0
	for _, r := range s.app.GetRoutes(true) {
		if !strings.Contains(r.Path, ":lang") || strings.HasPrefix(r.Path, "/dashboard") {
			continue
		}
		path := strings.NewReplacer(":slug", strings.TrimPrefix(seedSlug, "/letters/"), ":lang", "fr",
			":date", time.Now().UTC().Format("2006-01-02"), ":n", "1").Replace(r.Path)
		var resp handlertest.Response
		switch r.Method {
		case http.MethodGet:
			resp = visitor.Get(path)
		case http.MethodPost:
			resp = visitor.Post(path, handlertest.SignForm("Someone", "FR", "someone@example.org"))
		default:
			continue
		}
		walked++
		if resp.Status != http.StatusNotFound || strings.Contains(resp.Body, seedFrench.Title) {
			t.Errorf("%s %s of a draft translation: status %d, want 404 and nothing of its text", r.Method, path, resp.Status)
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
	coordinator, editor := s.publishedLetter("c@example.org", "ICDR")
	hostile := seedFrench
	hostile.Title = `</style><script>alert("fr")</script>"; } * { display: none } /*`
	hostile.Body = "<script>alert(1)</script>\n\n[clic](javascript:alert(2)) <img src=x onerror=alert(3)>"
	hostile.Groups = slices.Clone(hostile.Groups)
	hostile.Groups[0].LeadIn = `<b onmouseover=alert(5)>Nous demandons :</b>`
	publishTranslation(t, coordinator, editor, "fr", hostile)
	visitor := s.client()
	for _, path := range []string{"/fr", "/fr/signatories", "/fr/print", "/fr/embed", "/fr/revisions/1", "/fr/thanks", "/fr.json", "/fr/signatories.json"} {
		r := visitor.Get(seedSlug+path).Expect(t, http.StatusOK)
		for _, bad := range []string{"<script>", `href="javascript:`, "<img", "<b ", "</style>"} {
			if strings.Contains(r.Body, bad) {
				t.Errorf("%s contains %q", path, bad)
			}
		}
	}
	css := visitor.Get(seedSlug+"/fr/print.css").Expect(t, http.StatusOK).Body
	if strings.Count(css, "{") != 4 || strings.Count(css, "}") != 4 || strings.Contains(css, "/*") || strings.Contains(css, "<") {
		t.Errorf("the title breaks out of its CSS string:\n%s", css)
	}
	feed := visitor.Get("/feed.atom").Expect(t, http.StatusOK).Body
	if strings.Contains(feed, "<script>") || !strings.Contains(feed, "&lt;script&gt;") {
		t.Errorf("the feed does not escape the translated title:\n%.2000s", feed)
	}
	injected := seedFrench
	injected.Title = "Prisonniers\r\nBcc: everyone@example.org"
	coordinator.Get(editor + "/translations/fr")
	coordinator.Post(editor+"/translations/fr", translationForm(injected, "publish")).Expect(t, http.StatusUnprocessableEntity)
}
