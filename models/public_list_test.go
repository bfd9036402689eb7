package models_test

import (
	"context"
	"reflect"
	"testing"

	"undersigned/models"
	"undersigned/models/modeltest"
)

// TestPublicListStreamsOnlyWhatIsPublic: the streamed public list reads
// organisations then individuals in list order, never an email, never the
// person behind an organisation, never what an anonymous signer hid, and
// leaves out the counted-not-listed, the unconfirmed and other letters'
// signatures; counts by country cover the same entries.
func TestPublicListStreamsOnlyWhatIsPublic(t *testing.T) {
	s := modeltest.Open(t)
	ctx := context.Background()
	_, l := openLetter(t, s)
	modeltest.ListAtOnce(t, s, l)
	u, org := modeltest.Coordinator(t, s, "other@example.org", "Other")
	other, err := s.CreateLetter(ctx, u.ID, org, models.LetterText{Title: "Another letter"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetLetterState(ctx, other, models.StateOpen); err != nil {
		t.Fatal(err)
	}
	modeltest.ListAtOnce(t, s, other)
	sign(t, s, other, person("Someone Else", "FR", "else@example.org"))

	sign(t, s, l, organisation("Civic IDEA", "GE", "office@civicidea.example"))
	sign(t, s, l, person("Ucha Nanuashvili", "GE", "ucha@example.org"))
	sign(t, s, l, person("Igor Blazevic", "CZ", "igor@example.org"))
	anonymous := person("Leyla Yunus", "AZ", "leyla@example.org")
	anonymous.Country2, anonymous.Affiliation, anonymous.Display = "NL", "Institute for Peace and Democracy", models.DisplayAnonymous
	sign(t, s, l, anonymous)
	counted := person("Cora Quist", "BY", "cora@example.org")
	counted.Display = models.DisplayCounted
	sign(t, s, l, counted)
	modeltest.ChangeSettings(t, s, l, func(st *models.LetterSettings) { st.ConfirmEmail = true })
	sign(t, s, l, person("Uma Unconfirmed", "UA", "uma@example.org"))

	var got []models.Signature
	err = s.EachPublicSignatory(ctx, reload(t, s, l.Slug), func(sig *models.Signature) error {
		got = append(got, *sig)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var entries []string
	for _, sig := range got {
		entries = append(entries, sig.Entry("en", "Anonymous"))
		if sig.Email != "" || sig.EmailKey != "" || sig.ManageTokenHash != nil {
			t.Errorf("%s: private columns read: %+v", sig.Entry("en", "Anonymous"), sig)
		}
		if sig.Kind == models.KindOrganisation && sig.Name != "" {
			t.Errorf("the person behind %s is read: %q", sig.Affiliation, sig.Name)
		}
		if sig.Display == models.DisplayAnonymous && (sig.Name != "" || sig.Affiliation != "") {
			t.Errorf("an anonymous signer's name or affiliation is read: %+v", sig)
		}
	}
	want := []string{"Civic IDEA, Georgia", "Igor Blazevic, Czechia", "Ucha Nanuashvili, Georgia", "Anonymous, Azerbaijan/Netherlands"}
	if !reflect.DeepEqual(entries, want) {
		t.Errorf("the public list reads %q, want %q", entries, want)
	}

	counts, err := s.CountryCounts(ctx, l)
	if err != nil {
		t.Fatal(err)
	}
	wantCounts := []models.CountryCount{{Country: "GE", Count: 2}, {Country: "AZ", Count: 1}, {Country: "CZ", Count: 1}}
	if !reflect.DeepEqual(counts, wantCounts) {
		t.Errorf("counts by country %+v, want %+v", counts, wantCounts)
	}
}
