package models_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"undersigned/models"
	"undersigned/models/modeltest"
)

// withoutLastDemand is text with the last demand of group g (from 0) left out.
func withoutLastDemand(text models.LetterText, g int) models.LetterText {
	text.Groups = slices.Clone(text.Groups)
	lines := strings.Split(text.Groups[g].Demands, "\n")
	text.Groups[g].Demands = strings.Join(lines[:len(lines)-1], "\n")
	return text
}

func TestTranslationMissingADemandOrAGroupIsNotPublished(t *testing.T) {
	ctx := context.Background()
	s := modeltest.Open(t)
	_, l := openLetter(t, s)

	short := models.LetterText{Title: modeltest.AzerbaijanFrench.Title, Summary: modeltest.AzerbaijanFrench.Summary,
		Body: modeltest.AzerbaijanFrench.Body, Groups: modeltest.AzerbaijanFrench.Groups[:1]}
	for name, tc := range map[string]struct {
		text models.LetterText
		want []models.TranslationGap
	}{
		"a demand short": {withoutLastDemand(modeltest.AzerbaijanFrench, 1),
			[]models.TranslationGap{{Field: "group_demands", Group: 2, Original: 5, Here: 4}}},
		"a group short": {short, []models.TranslationGap{{Field: "group", Group: 2, Original: 5}}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := s.SaveTranslation(ctx, l, "fr", tc.text, true)
			var incomplete *models.IncompleteError
			if !errors.As(err, &incomplete) {
				t.Fatalf("publish an incomplete translation: err = %v, want IncompleteError", err)
			}
			if !slices.Equal(incomplete.Gaps, tc.want) {
				t.Errorf("gaps %+v, want %+v", incomplete.Gaps, tc.want)
			}
			if _, err := s.Translation(ctx, l, "fr"); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("a refused translation was stored: err = %v", err)
			}
			if _, err := reload(t, s, l.Slug).Version("fr"); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("the refused translation is public: err = %v", err)
			}
		})
	}

	// A draft may be incomplete; publishing it is refused until it is whole.
	if _, err := s.SaveTranslation(ctx, l, "fr", short, false); err != nil {
		t.Fatalf("save an incomplete draft: %v", err)
	}
	if _, err := reload(t, s, l.Slug).Version("fr"); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("a draft translation is public: err = %v", err)
	}
	if _, err := s.SaveTranslation(ctx, l, "fr", modeltest.AzerbaijanFrench, true); err != nil {
		t.Fatalf("publish the whole translation: %v", err)
	}
	fr, err := reload(t, s, l.Slug).Version("fr")
	if err != nil {
		t.Fatalf("the published translation: %v", err)
	}
	if fr.Title != modeltest.AzerbaijanFrench.Title || fr.Lang != "fr" || len(fr.DemandGroups) != 2 || len(fr.DemandGroups[1].DemandList()) != 5 {
		t.Errorf("French version reads %q in %q with %d groups", fr.Title, fr.Lang, len(fr.DemandGroups))
	}
	if fr.Initiators != l.Initiators {
		t.Errorf("the initiators' names changed in translation: %q", fr.Initiators)
	}
}

func TestNoTranslationIntoTheOriginalsLanguage(t *testing.T) {
	ctx := context.Background()
	s := modeltest.Open(t)
	_, l := openLetter(t, s)
	if _, err := s.SaveTranslation(ctx, l, "en", modeltest.Azerbaijan, false); !errors.Is(err, models.ErrTranslationLang) {
		t.Errorf("a translation into English of an English letter: err = %v, want ErrTranslationLang", err)
	}
	if _, err := s.SaveTranslation(ctx, l, "fr", modeltest.AzerbaijanFrench, true); err != nil {
		t.Fatal(err)
	}
	err := s.UpdateLetterSettings(ctx, l, models.LetterSettings{Lang: "fr", Signers: l.Signers, ListOrder: l.ListOrder, RetentionDays: 30})
	if !errors.Is(err, models.ErrTranslationLang) {
		t.Errorf("original relabelled French beside a French translation: err = %v, want ErrTranslationLang", err)
	}
}

func TestEveryVersionSharesOneListAndEachSignatureKeepsItsVersion(t *testing.T) {
	ctx := context.Background()
	s := modeltest.Open(t)
	_, l := openLetter(t, s)
	modeltest.ListAtOnce(t, s, l)
	for lang, text := range map[string]models.LetterText{"fr": modeltest.AzerbaijanFrench, "ar": modeltest.AzerbaijanArabic} {
		if _, err := s.SaveTranslation(ctx, l, lang, text, true); err != nil {
			t.Fatalf("publish %s: %v", lang, err)
		}
	}
	for i, lang := range []string{"fr", "ar", "", "en"} {
		sig := modeltest.AzerbaijanSignatories[i]
		in := models.NewSignature{Kind: models.KindIndividual, Name: sig.Name, Country: sig.Country, Email: modeltest.SignerEmail(i), Lang: lang}
		if _, err := s.AddSignature(ctx, l.ID, in, modeltest.Mail); err != nil {
			t.Fatalf("sign through %q: %v", lang, err)
		}
	}
	cur := reload(t, s, l.Slug)
	fr, _ := cur.Version("fr")
	if cur.SignatureCount() != 4 || fr.SignatureCount() != 4 {
		t.Errorf("count %d on the original and %d in French, want 4 on both", cur.SignatureCount(), fr.SignatureCount())
	}
	list, err := s.Signatories(ctx, fr, 0, 10)
	if err != nil || len(list) != 4 {
		t.Fatalf("the French version's list: %d entries, %v", len(list), err)
	}
	if !slices.Equal(cur.Versions(), []string{"en", "ar", "fr"}) {
		t.Errorf("versions %v, want the original first: en, ar, fr", cur.Versions())
	}
	sigs, _, err := s.CoordinatorSignatures(ctx, l, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	langs := map[string]string{}
	for _, sig := range sigs {
		langs[sig.Name] = sig.Lang
	}
	want := map[string]string{"Igor Blazevic": "fr", "Andreas Bummel": "ar", "Ketevan Chachava": "en", "Javier El-Hage": "en"}
	for name, lang := range want {
		if langs[name] != lang {
			t.Errorf("%s signed the %q version, recorded %q", name, lang, langs[name])
		}
	}
}

func TestTranslationAddedAfterPublicationIsDated(t *testing.T) {
	ctx := context.Background()
	s := modeltest.Open(t)
	u, org := modeltest.Coordinator(t, s, "c@example.org", "ICDR")
	l, err := s.CreateLetter(ctx, u.ID, org, modeltest.Azerbaijan)
	if err != nil {
		t.Fatal(err)
	}
	// A translation published with the letter is not added later.
	if _, err := s.SaveTranslation(ctx, l, "ar", modeltest.AzerbaijanArabic, true); err != nil {
		t.Fatal(err)
	}
	if err := s.SetLetterState(ctx, l, models.StateOpen); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveTranslation(ctx, l, "fr", modeltest.AzerbaijanFrench, true); err != nil {
		t.Fatal(err)
	}
	later := reload(t, s, l.Slug).LaterTranslations()
	if len(later) != 1 || later[0].Lang != "fr" {
		t.Errorf("translations dated as added later: %+v, want French only", later)
	}
}

func TestNonLatinTitleGivesAReadableSlug(t *testing.T) {
	ctx := context.Background()
	s := modeltest.Open(t)
	u, org := modeltest.Coordinator(t, s, "c@example.org", "ICDR")
	for title, want := range map[string]string{
		modeltest.AzerbaijanArabic.Title:     "byn-mshtrk-bsh-n-hl-hqwq-lnsn-fy-dhrbyjn",
		"Открытое письмо о политзаключённых": "otkrytoe-pis-mo-o-politzakliuchionnykh",
	} {
		l, err := s.CreateLetter(ctx, u.ID, org, models.LetterText{Title: title})
		if err != nil {
			t.Fatal(err)
		}
		if l.Slug != want {
			t.Errorf("slug of %q: %q, want %q", title, l.Slug, want)
		}
	}
	if _, err := s.CreateLetter(ctx, u.ID, org, models.LetterText{Title: "✊ ✊"}); !errors.Is(err, models.ErrSlugNeeded) {
		t.Errorf("a title that gives no slug: err = %v, want ErrSlugNeeded, not a generic address", err)
	}
}
