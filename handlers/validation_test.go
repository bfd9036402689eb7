package handlers_test

import (
	"net/http"
	"strings"
	"testing"

	"undersigned/handlers"
	"undersigned/handlers/handlertest"
)

// One limit, one message: a name one character too long is refused with
// the same limit and the same words on the signing form and in an import,
// and the editor's title, held to the same length, says so for the title;
// each page keeps what was typed. In French too, where the words come
// from the same catalogue keys: the signing form of the letter's French
// version, and the coordinators' pages in the French interface.
func TestTheSameRuleSaysTheSameOnEveryForm(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, path := s.publishedLetter("c@example.org", "Org")
	publishTranslation(t, coord, path, "fr", seedFrench)
	signer := s.client()
	long := strings.Repeat("ş", 201) // 201 characters, 402 bytes: the limit counts characters

	for _, c := range []struct{ lang, version, name, title string }{
		{"en", seedSlug, "Name must be 200 characters or fewer", "Title must be 200 characters or fewer"},
		{"fr", seedSlug + "/fr", "Le nom doit comporter au maximum 200 caractères", "Le titre doit comporter au maximum 200 caractères"},
	} {
		t.Run(c.lang, func(t *testing.T) {
			signer.Get(c.version + "?lang=" + c.lang)
			signer.Post(c.version+"/sign", handlertest.SignForm(long, "AZ", "a@example.org")).Expect(t, http.StatusUnprocessableEntity, `href="#f-name"`, `value="`+long+`"`).Shows(t, c.name)

			coord.Get(path + "/import?lang=" + c.lang)
			coord.PostMultipart(path+"/import/preview", importForm(long+", Civic IDEA, Georgia", "individual"), "", "").Expect(t, http.StatusUnprocessableEntity, long+", Civic IDEA, Georgia</textarea>").Shows(t, c.name)

			form := handlertest.LetterForm("save")
			form.Set("title", long)
			coord.Post(path, form).Expect(t, http.StatusUnprocessableEntity, `href="#f-title"`, `value="`+long+`"`).Shows(t, c.title)
		})
	}
	if n := s.signatures(); n != 0 {
		t.Errorf("%d signatures stored", n)
	}
	// One character fewer passes everywhere.
	ok := strings.Repeat("ş", 200)
	signer.Post(seedSlug+"/sign", handlertest.SignForm(ok, "AZ", "a@example.org")).Expect(t, http.StatusSeeOther)
	coord.PostMultipart(path+"/import/preview", importForm(ok+", Civic IDEA, Georgia", "individual"), "", "").Expect(t, http.StatusOK)
}

// Each field's message says what to do about that field, not that "this
// field is required".
func TestEachFieldSaysWhatItNeeds(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, path := s.publishedLetter("c@example.org", "Org")
	publishTranslation(t, coord, path, "ar", seedArabic)
	signer := s.client()
	signer.Get(seedSlug)
	r := signer.Post(seedSlug+"/sign", handlertest.SignForm("", "", "leyla")).Expect(t, http.StatusUnprocessableEntity)
	r.Shows(t, "Full name: Enter your full name", "Country: Choose the country you live or work in",
		"Email address: Enter an email address like name@example.org", `value="leyla"`)
	if strings.Contains(r.Body, "This field is required") {
		t.Error("the form says “This field is required”")
	}
	// The form of the letter's Arabic version answers in Arabic.
	signer.Get(seedSlug + "/ar")
	signer.Post(seedSlug+"/ar/sign", handlertest.SignForm("", "AZ", "leyla@example.org")).Expect(t, http.StatusUnprocessableEntity, `href="#f-name"`).Shows(t, "يُرجى إدخال الاسم الكامل")
}

// A list collected in French, Russian or Arabic names its countries so; the
// import reads them as the signing form's list does.
func TestImportReadsCountriesInEveryInterfaceLanguage(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, path := s.publishedLetter("c@example.org", "Org")
	coord.Get(path + "/import")
	lines := "Anna Novak, Civic IDEA, Allemagne\nIvan Petrov, Германия\nسلمى إبراهيم، مركز القاهرة، ألمانيا\nJuan Pérez, alemania/Francia"
	r := coord.PostMultipart(path+"/import/preview", importForm(lines, "individual"), "", "").Expect(t, http.StatusOK, "To add: 4.")
	if n := strings.Count(r.Body, "Germany"); n != 4 {
		t.Errorf("Germany shown %d times in the preview, want 4", n)
	}
	r = coord.PostMultipart(path+"/import/preview", importForm("Anna Novak, Germania", "individual"), "", "").Expect(t, http.StatusUnprocessableEntity)
	r.Shows(t, "Country not recognised: “Germania”. Write its name in English or in a language of this site")
}
