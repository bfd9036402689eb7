package models_test

import (
	"context"
	"testing"
	"time"

	"undersigned/models"
	"undersigned/models/modeltest"
)

func TestChartFiguresCountListedSignaturesByDayAndCountry(t *testing.T) {
	ctx := context.Background()
	s := modeltest.Open(t)
	_, l := openLetter(t, s)
	modeltest.ListAtOnce(t, s, l)
	day := time.Date(2024, 11, 9, 23, 30, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return day })
	for i, sig := range modeltest.AzerbaijanSignatories {
		if i == 10 {
			day = day.Add(48 * time.Hour) // November 11, after a day without signatures
		}
		sig.Sign(t, s, l.ID, i)
	}
	// One signer is counted without being listed: their country stays out of the chart.
	if _, err := s.AddSignature(ctx, l.ID, models.NewSignature{Kind: models.KindIndividual, Display: models.DisplayCounted,
		Name: "Hidden", Country: "AZ", Email: "hidden@example.org"}, modeltest.Mail); err != nil {
		t.Fatal(err)
	}
	l = reload(t, s, l.Slug)

	days, err := s.SignaturesByDay(ctx, l)
	if err != nil {
		t.Fatal(err)
	}
	if len(days) != 2 || !days[0].Day.Equal(time.Date(2024, 11, 9, 0, 0, 0, 0, time.UTC)) || days[0].Count != 10 ||
		!days[1].Day.Equal(time.Date(2024, 11, 11, 0, 0, 0, 0, time.UTC)) || days[1].Count != 13 {
		t.Errorf("by day: %+v, want 10 on November 9 and 13 (the counted-only signer too) on November 11", days)
	}

	countries, err := s.CountryCounts(ctx, l)
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	for _, c := range countries {
		total += c.Count
	}
	if total != 22 || countries[0] != (models.CountryCount{Country: "GE", Count: 4}) ||
		countries[1] != (models.CountryCount{Country: "CZ", Count: 3}) {
		t.Errorf("by country: %+v, want Georgia 4, Czechia 3 first and 22 in all (the counted-only signer left out)", countries)
	}
	for _, c := range countries {
		if c.Country == "AZ" && c.Count != 2 {
			t.Errorf("Azerbaijan counts %d, want the two Yunuses only", c.Count)
		}
	}
}
