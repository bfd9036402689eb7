package models_test

import (
	"os"
	"slices"
	"testing"
)

// Both databases have the same numbered migrations: a version applied on
// one has its counterpart on the other, so a deployment can move between
// them.
func TestMigrationsHaveTheSameVersionsOnBothDatabases(t *testing.T) {
	names := func(dir string) []string {
		entries, err := os.ReadDir("migrations/" + dir)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range entries {
			out = append(out, e.Name())
		}
		return out
	}
	sqlite, postgres := names("sqlite"), names("postgres")
	if len(sqlite) == 0 || !slices.Equal(sqlite, postgres) {
		t.Errorf("migrations/sqlite has %q, migrations/postgres has %q; want the same names", sqlite, postgres)
	}
}
