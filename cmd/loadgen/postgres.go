package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver

	"undersigned/models"
)

// newDatabase is where a run's letter goes: path, a SQLite file that must
// not exist yet, or on the PostgreSQL server a postgres:// URL names, a
// database loadgen creates for the run. It returns the database's name for
// the server, and what removes a database it created.
func newDatabase(ctx context.Context, path string) (string, func() error, error) {
	if !models.IsPostgres(path) {
		return path, func() error { return nil }, nil
	}
	u, err := url.Parse(path)
	if err != nil {
		return "", nil, errors.New("-db: a malformed PostgreSQL URL") // not err, which would show its password
	}
	admin, err := sql.Open("pgx", path)
	if err != nil {
		return "", nil, err
	}
	name := "loadgen_" + strings.ToLower(rand.Text()[:12]) // PostgreSQL folds unquoted names
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		// Redacted: the URL may hold a password, which the output must not show.
		return "", nil, fmt.Errorf("create a database for the run on %s: %w", u.Redacted(), err)
	}
	u.Path = "/" + name
	return u.String(), func() error {
		defer admin.Close()
		_, err := admin.Exec("DROP DATABASE " + name + " WITH (FORCE)")
		return err
	}, nil
}

// openNew opens the run's new database to fill it: a SQLite file as one no
// server reads yet (models.OpenForLoading), a PostgreSQL database as the
// server does.
func openNew(ctx context.Context, db string) (*models.Store, error) {
	if models.IsPostgres(db) {
		return models.Open(ctx, db)
	}
	return models.OpenForLoading(ctx, db)
}

// shownDB is db as loadgen prints it: a PostgreSQL URL without its password.
func shownDB(db string) string {
	if u, err := url.Parse(db); err == nil && models.IsPostgres(db) {
		return u.Redacted()
	}
	return db
}
