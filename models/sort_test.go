package models_test

import (
	"context"
	"strings"
	"testing"

	"undersigned/models"
	"undersigned/models/modeltest"
)

// Rows written before the list broke ties by given name get the same order
// from the migration that gave them the tie-breaker, among themselves and
// beside rows written since.
func TestSortTiesMigrationOrdersOlderRowsByGivenName(t *testing.T) {
	ctx := context.Background()
	s, dsn := modeltest.OpenDSN(t)
	_, l := openLetter(t, s)
	modeltest.ListAtOnce(t, s, l)
	for i, name := range []string{"Michael Brown", "Sarah Brown", "Emily Brown"} {
		modeltest.Signatory{Name: name, Country: "GB"}.Sign(t, s, l.ID, i)
	}
	// As the rows were before: keyed by the family name alone.
	s, _ = migrateAgain(t, s, dsn, "UPDATE signatures SET sort_key = lower(sort_name)",
		"DELETE FROM schema_migrations WHERE version LIKE '%_sort_ties'")
	modeltest.Signatory{Name: "David Brown", Country: "GB"}.Sign(t, s, l.ID, 3)
	sigs, err := s.SectionSignatories(ctx, l, models.KindIndividual, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, sig := range sigs {
		names = append(names, sig.Name)
	}
	if got, want := strings.Join(names, ", "), "David Brown, Emily Brown, Michael Brown, Sarah Brown"; got != want {
		t.Errorf("the list reads %s, want %s", got, want)
	}
}
