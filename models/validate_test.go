package models_test

import (
	"reflect"
	"strings"
	"testing"

	"undersigned/models"
)

// validSignature is a signature the rules take; each case below breaks one.
func validSignature() models.NewSignature {
	return models.NewSignature{Kind: models.KindIndividual, Display: models.DisplayFull, Name: "Leyla Yunus",
		Affiliation: "Institute for Peace and Democracy", Role: "Director", Country: "AZ", Country2: "NL", Email: "leyla@example.org"}
}

func validText() models.LetterText {
	return models.LetterText{Title: "Joint statement", Slug: "joint-statement", Body: "We, the undersigned…",
		Groups: []models.DemandGroupText{{LeadIn: "We call on the authorities to:", Demands: "Release them\nDrop the charges"}}}
}

// Each rule of a signature, a letter's text and its settings says which
// field broke it, how, and what its message needs (the limit, the
// character), so that every form and the import word it alike.
func TestValidateNamesFieldCodeAndParameters(t *testing.T) {
	long := func(n int) string { return strings.Repeat("a", n) }
	sig := func(change func(*models.NewSignature)) any {
		s := validSignature()
		change(&s)
		return s
	}
	text := func(change func(*models.LetterText)) any {
		l := validText()
		change(&l)
		return l
	}
	settings := func(change func(*models.LetterSettings)) any {
		st := models.DefaultLetterSettings()
		change(&st)
		return st
	}
	most := func(n int) map[string]any { return map[string]any{"max": n} }
	char := func(c string) map[string]any { return map[string]any{"char": c} }
	tests := []struct {
		name string
		in   any
		want []models.Invalid
	}{
		{"a valid signature", validSignature(), nil},
		{"no kind", sig(func(s *models.NewSignature) { s.Kind = "" }), []models.Invalid{{Field: "kind", Code: "required"}}},
		{"an unknown kind", sig(func(s *models.NewSignature) { s.Kind = "robot" }), []models.Invalid{{Field: "kind", Code: "choice"}}},
		{"no name", sig(func(s *models.NewSignature) { s.Name = "" }), []models.Invalid{{Field: "name", Code: "required"}}},
		{"a name of 200 characters", sig(func(s *models.NewSignature) { s.Name = long(200) }), nil},
		{"a name of 201 characters", sig(func(s *models.NewSignature) { s.Name = long(201) }), []models.Invalid{{Field: "name", Code: "too_long", Params: most(200)}}},
		{"a name of 201 Arabic letters", sig(func(s *models.NewSignature) { s.Name = strings.Repeat("س", 201) }), []models.Invalid{{Field: "name", Code: "too_long", Params: most(200)}}},
		{"a control character", sig(func(s *models.NewSignature) { s.Name = "Leyla\x07Yunus" }), []models.Invalid{{Field: "name", Code: "plain_text"}}},
		{"a bidi override", sig(func(s *models.NewSignature) { s.Name = "Leyla\u202eYunus" }), []models.Invalid{{Field: "name", Code: "invisible", Params: char("U+202E")}}},
		{"a Persian joiner", sig(func(s *models.NewSignature) { s.Name = "حسین\u200cزاده" }), nil},
		{"an organisation without its name", sig(func(s *models.NewSignature) { s.Kind, s.Affiliation = models.KindOrganisation, "" }), []models.Invalid{{Field: "affiliation", Code: "required"}}},
		{"an individual without affiliation", sig(func(s *models.NewSignature) { s.Affiliation = "" }), nil},
		{"a long affiliation", sig(func(s *models.NewSignature) { s.Affiliation = long(201) }), []models.Invalid{{Field: "affiliation", Code: "too_long", Params: most(200)}}},
		{"a mark in the role", sig(func(s *models.NewSignature) { s.Role = "\u200fDirector" }), []models.Invalid{{Field: "role", Code: "invisible", Params: char("U+200F")}}},
		{"a long role", sig(func(s *models.NewSignature) { s.Role = long(201) }), []models.Invalid{{Field: "role", Code: "too_long", Params: most(200)}}},
		{"no country", sig(func(s *models.NewSignature) { s.Country = "" }), []models.Invalid{{Field: "country", Code: "required"}}},
		{"an unknown country", sig(func(s *models.NewSignature) { s.Country = "SU" }), []models.Invalid{{Field: "country", Code: "country"}}},
		{"an unknown second country", sig(func(s *models.NewSignature) { s.Country2 = "XX" }), []models.Invalid{{Field: "country2", Code: "country"}}},
		{"the same country twice", sig(func(s *models.NewSignature) { s.Country2 = "AZ" }), []models.Invalid{{Field: "country2", Code: "same_country"}}},
		{"no email", sig(func(s *models.NewSignature) { s.Email = "" }), []models.Invalid{{Field: "email", Code: "required"}}},
		{"not an email", sig(func(s *models.NewSignature) { s.Email = "leyla" }), []models.Invalid{{Field: "email", Code: "email"}}},
		{"a long email", sig(func(s *models.NewSignature) { s.Email = long(250) + "@x.org" }), []models.Invalid{{Field: "email", Code: "too_long", Params: most(254)}}},
		{"a joiner in an email", sig(func(s *models.NewSignature) { s.Email = "ley\u200dla@example.org" }), []models.Invalid{{Field: "email", Code: "invisible", Params: char("U+200D")}}},
		{"no display", sig(func(s *models.NewSignature) { s.Display = "" }), []models.Invalid{{Field: "display", Code: "required"}}},
		{"an unknown display", sig(func(s *models.NewSignature) { s.Display = "bold" }), []models.Invalid{{Field: "display", Code: "choice"}}},
		{"several fields, in order", sig(func(s *models.NewSignature) { s.Name, s.Country, s.Email = "", "", "x" }), []models.Invalid{
			{Field: "name", Code: "required"}, {Field: "country", Code: "required"}, {Field: "email", Code: "email"}}},

		{"a valid text", validText(), nil},
		{"no title", text(func(l *models.LetterText) { l.Title = "" }), []models.Invalid{{Field: "title", Code: "required"}}},
		{"a long title", text(func(l *models.LetterText) { l.Title = long(201) }), []models.Invalid{{Field: "title", Code: "too_long", Params: most(200)}}},
		{"a bad slug", text(func(l *models.LetterText) { l.Slug = "Joint Statement" }), []models.Invalid{{Field: "slug", Code: "slug"}}},
		{"a long summary", text(func(l *models.LetterText) { l.Summary = long(601) }), []models.Invalid{{Field: "summary", Code: "too_long", Params: most(600)}}},
		{"a mark among the addressees", text(func(l *models.LetterText) { l.Addressees = "UN\u202dHRC" }), []models.Invalid{{Field: "addressees", Code: "invisible", Params: char("U+202D")}}},
		{"a long body", text(func(l *models.LetterText) { l.Body = long(60001) }), []models.Invalid{{Field: "body", Code: "too_long", Params: most(60000)}}},
		{"a lead-in on two lines", text(func(l *models.LetterText) { l.Groups[0].LeadIn = "We call\non" }), []models.Invalid{{Field: "group_lead_in", Code: "plain_text"}}},
		{"long demands", text(func(l *models.LetterText) { l.Groups[0].Demands = long(20001) }), []models.Invalid{{Field: "group_demands", Code: "too_long", Params: most(20000)}}},
		{"too many groups", text(func(l *models.LetterText) { l.Groups = make([]models.DemandGroupText, 51) }), []models.Invalid{{Field: "group_lead_in", Code: "too_many", Params: most(50)}}},

		{"default settings", models.DefaultLetterSettings(), nil},
		{"no language", settings(func(st *models.LetterSettings) { st.Lang = "" }), []models.Invalid{{Field: "lang", Code: "required"}}},
		{"not a language", settings(func(st *models.LetterSettings) { st.Lang = "english!" }), []models.Invalid{{Field: "lang", Code: "lang"}}},
		{"unknown signers", settings(func(st *models.LetterSettings) { st.Signers = "robots" }), []models.Invalid{{Field: "signers", Code: "choice"}}},
		{"no order", settings(func(st *models.LetterSettings) { st.ListOrder = "" }), []models.Invalid{{Field: "list_order", Code: "required"}}},
		{"no retention", settings(func(st *models.LetterSettings) { st.RetentionDays = 0 }), []models.Invalid{{Field: "retention_days", Code: "too_small", Params: map[string]any{"min": 1}}}},
		{"ten years and more", settings(func(st *models.LetterSettings) { st.RetentionDays = 3651 }), []models.Invalid{{Field: "retention_days", Code: "too_large", Params: most(3650)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := models.Validate(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}
