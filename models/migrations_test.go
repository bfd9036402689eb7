package models_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"undersigned/models"
	"undersigned/models/modeltest"
)

// Both databases have the same numbered migrations: a version applied on
// one has its counterpart on the other, so a deployment can move between
// them.
func TestMigrationsHaveTheSameVersionsOnBothDatabases(t *testing.T) {
	sqlite, postgres := migrationNames(t, "sqlite"), migrationNames(t, "postgres")
	if len(sqlite) == 0 || !slices.Equal(sqlite, postgres) {
		t.Errorf("migrations/sqlite has %q, migrations/postgres has %q; want the same names", sqlite, postgres)
	}
}

// Servers started together on one new database apply each migration once:
// on PostgreSQL an advisory lock makes the second wait for the first, on
// SQLite the immediate transaction does.
func TestMigrationsApplyOnceWhenServersStartTogether(t *testing.T) {
	dsn := modeltest.DSN(t)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			s, err := models.Open(context.Background(), dsn)
			if err == nil {
				err = s.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("servers starting together: %v", err)
	}
	var versions, rows int
	if err := modeltest.RawDB(t, dsn).QueryRow("SELECT COUNT(DISTINCT version), COUNT(*) FROM schema_migrations").Scan(&versions, &rows); err != nil {
		t.Fatal(err)
	}
	if want := len(migrationNames(t, "sqlite")); versions != want || rows != want {
		t.Errorf("schema_migrations has %d rows of %d versions, want %d of each", rows, versions, want)
	}
}

// Markdown is the only text stored: no table keeps a rendering of it, which
// a change of the renderer or of its sanitiser would leave as it was.
func TestNoTableStoresRenderedHTML(t *testing.T) {
	_, dsn := modeltest.OpenDSN(t)
	db := modeltest.RawDB(t, dsn)
	for _, table := range []string{"letters", "letter_revisions", "letter_translations", "translation_revisions", "letter_updates"} {
		rows, err := db.Query("SELECT * FROM " + table + " WHERE 1 = 0")
		if err != nil {
			t.Fatal(err)
		}
		columns, err := rows.Columns()
		rows.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range columns {
			if strings.HasSuffix(c, "_html") {
				t.Errorf("%s stores %s", table, c)
			}
		}
	}
}

// migrationNames lists the files in migrations/dialect.
func migrationNames(t *testing.T, dialect string) []string {
	t.Helper()
	entries, err := os.ReadDir("migrations/" + dialect)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// migrateAgain takes the database dsn names back to before a migration,
// with stmts run behind the store's back, closes s and opens the database
// again, which applies the migration to what is there. The store it
// returns is closed when t ends.
func migrateAgain(t *testing.T, s *models.Store, dsn string, stmts ...string) (*models.Store, *sql.DB) {
	t.Helper()
	raw := modeltest.RawDB(t, dsn)
	for _, stmt := range stmts {
		if _, err := raw.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	s, err := models.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, raw
}
