package handlers_test

import (
	"html"
	"net/http"
	"strings"
	"testing"

	"undersigned/handlers"
)

// An invisible formatting character in a list entry changes how the list
// reads: U+202E reverses the rest of the entry, so "Leyla Yunus, Azerbaijan"
// can be made to show a country or a name that was never typed. The signing
// form refuses it in the field it is in, says which character, keeps what
// was typed and stores nothing.
func TestSigningFormRefusesInvisibleFormattingCharacters(t *testing.T) {
	s := newSite(t, handlers.Config{})
	s.publishedLetter("c@example.org", "Org")
	tests := []struct {
		field, value, message string
	}{
		{"name", "Leyla \u202eYunus", "Your name contains an invisible formatting character (U+202E)"},
		{"name", "\u200fLeyla Yunus", "Your name contains an invisible formatting character (U+200F)"},
		{"name", "Leyla Yunus\u200c", "Your name contains an invisible formatting character (U+200C)"},
		{"affiliation", "Institute for \u2066Peace", "The organisation or affiliation contains an invisible formatting character (U+2066)"},
		{"role", "Dir\u200bector", "Your title or role contains an invisible formatting character (U+200B)"},
		{"email", "leyla\u202e@example.org", "Your email address contains an invisible formatting character (U+202E)"},
		{"email", "ley\u200cla@example.org", "Your email address contains an invisible formatting character (U+200C)"},
	}
	for _, tt := range tests {
		t.Run(tt.field+" "+tt.message[len(tt.message)-7:], func(t *testing.T) {
			b := s.browser()
			b.get(seedSlug)
			form := signForm("Leyla Yunus", "AZ", "leyla@example.org")
			form.Set("role", "Director")
			form.Set(tt.field, tt.value)
			b.post(seedSlug+"/sign", form).expect(t, http.StatusUnprocessableEntity,
				`href="#f-`+tt.field+`"`, `id="f-`+tt.field+`-error"`, `<option value="AZ" selected>`).
				shows(t, tt.message, `value="`+tt.value+`"`)
		})
	}
	if n := s.signatures(); n != 0 {
		t.Fatalf("refused signatures stored: %d", n)
	}
	// The joiners Persian, Indic scripts and emoji need stay, inside a word.
	b := s.browser()
	b.get(seedSlug)
	b.post(seedSlug+"/sign", signForm("مهدی حسین\u200cزاده", "IR", "mehdi@example.org")).expect(t, http.StatusSeeOther)
	b.post(seedSlug+"/sign", signForm("Shreya \u0915\u094d\u200d\u0937", "IN", "shreya@example.org")).expect(t, http.StatusSeeOther)
}

// The import refuses the same characters, row by row, naming the field.
func TestImportRefusesInvisibleFormattingCharacters(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, letterPath := s.openLetter("c@example.org", "Org", importSettings())
	coord.get(letterPath + "/import")
	lines := "Leyla Yunus, Institute for Peace, Azerbaijan\nArif \u202eYunus, Institute for Peace, Azerbaijan\n" +
		"Anar Mammadli, EMDS\u2069, Azerbaijan\n"
	preview := coord.postMultipart(letterPath+"/import/preview", importForm(lines, "individual"), "", "").
		expect(t, http.StatusUnprocessableEntity).
		shows(t, "To add: 1. Already on the list or repeated, skipped: 0. Cannot be read: 2.",
			"The name contains an invisible formatting character (U+202E)",
			"The organisation or affiliation contains an invisible formatting character (U+2069)",
			"Arif \u202eYunus, Institute for Peace, Azerbaijan\nAnar Mammadli, EMDS\u2069, Azerbaijan</textarea>")
	if strings.Contains(preview.body, "Add 1 signatories") {
		t.Error("a preview with refused lines offers to confirm")
	}
	coord.postMultipart(letterPath+"/import", importForm(lines, "individual"), "", "").
		expect(t, http.StatusUnprocessableEntity).shows(t, "U+202E")
	if n := s.signatures(); n != 0 {
		t.Fatalf("a refused import stored %d signatures", n)
	}
}

// A coordinator's account and the editor's lines of names are held to the
// same rule: they are shown on public pages too.
func TestCoordinatorFormsRefuseInvisibleFormattingCharacters(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord := s.coordinator("c@example.org", "Org")
	coord.get("/dashboard/letters/new")
	form := letterForm("save")
	form.Set("initiators", "CIVICUS\nFreedom \u202eNow")
	coord.post("/dashboard/letters", form).expect(t, http.StatusUnprocessableEntity,
		`href="#f-initiators"`).shows(t, "invisible formatting character (U+202E)", "Freedom \u202eNow</textarea>")
}

// shows fails the test unless the page, read as text (entities decoded, as
// a reader sees it), contains every fragment.
func (r response) shows(t *testing.T, fragments ...string) response {
	t.Helper()
	text := html.UnescapeString(r.body)
	for _, f := range fragments {
		if !strings.Contains(text, f) {
			t.Fatalf("the page does not say %q:\n%s", f, excerpt(text))
		}
	}
	return r
}
