package modeltest

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"undersigned/models"
)

// Rebind writes query's ? placeholders as the database dsn names takes
// them: as they are for SQLite, $1, $2… for PostgreSQL.
func Rebind(dsn, query string) string {
	if !models.IsPostgres(dsn) {
		return query
	}
	for i := 1; strings.Contains(query, "?"); i++ {
		query = strings.Replace(query, "?", fmt.Sprintf("$%d", i), 1)
	}
	return query
}

// Exec runs a statement written with ? placeholders on raw, the database
// dsn names (see RawDB), behind the store's back.
func Exec(t testing.TB, raw *sql.DB, dsn, stmt string, args ...any) {
	t.Helper()
	if _, err := raw.Exec(Rebind(dsn, stmt), args...); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}
