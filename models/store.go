// Package models holds Undersigned's domain: letters, signatures, coordinators
// and their organisations, the rules about them, and their storage.
package models

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"sort"
	"strings"
	"time"

	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Store is the database behind Undersigned. Reads go through a pool of
// connections; every write goes through a single connection, so SQLite never
// sees two writers and never answers "database is locked".
type Store struct {
	read       *gorm.DB
	write      *gorm.DB
	now        func() time.Time
	signatures *signatureWriter
	generation generation
}

// Open opens (creating if needed) the SQLite database at path and applies the
// migrations it has not seen yet.
func Open(ctx context.Context, path string) (*Store, error) {
	cfg := &gorm.Config{
		Logger:                 logger.Discard,
		NowFunc:                func() time.Time { return time.Now().UTC() },
		SkipDefaultTransaction: true,
		TranslateError:         true,
	}
	// Pragmas in the DSN apply to every connection the pool opens: WAL lets
	// readers go on while the writer commits, synchronous=FULL makes an
	// acknowledged commit durable, and _txlock=immediate takes the write lock
	// when a transaction begins instead of failing half-way through it.
	q := url.Values{}
	q.Set("_busy_timeout", "5000")
	q.Set("_journal_mode", "WAL")
	q.Set("_foreign_keys", "on")
	q.Set("_synchronous", "FULL")
	q.Set("_txlock", "immediate")
	// Deleted rows are overwritten: a withdrawn or erased signer's email
	// does not linger in free pages of the file.
	q.Set("_secure_delete", "on")
	dsn := "file:" + path + "?" + q.Encode()

	write, err := gorm.Open(sqlite.Open(dsn), cfg)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	writeDB, err := write.DB()
	if err != nil {
		return nil, err
	}
	writeDB.SetMaxOpenConns(1)
	writeDB.SetConnMaxIdleTime(0)

	// Migrate before the read pool opens: a connection open during a
	// migration answers its next query with the columns it knew before, and
	// GORM would read the added ones as zero values.
	s := &Store{write: write, now: cfg.NowFunc}
	if err := s.migrate(ctx); err != nil {
		writeDB.Close()
		return nil, err
	}

	q.Set("mode", "ro")
	read, err := gorm.Open(sqlite.Open("file:"+path+"?"+q.Encode()), cfg)
	if err != nil {
		writeDB.Close()
		return nil, fmt.Errorf("open database %s for reading: %w", path, err)
	}
	readDB, _ := read.DB()
	readDB.SetMaxOpenConns(8)
	readDB.SetMaxIdleConns(8)
	s.read = read
	s.startSignatureWriter()
	return s, nil
}

// Close stops the signature writer, after the batch in hand, and closes
// both connection pools.
func (s *Store) Close() error {
	s.signatures.stop()
	var errs []error
	for _, g := range []*gorm.DB{s.read, s.write} {
		if db, err := g.DB(); err == nil {
			errs = append(errs, db.Close())
		}
	}
	return errors.Join(errs...)
}

// Ping checks that the database answers a query.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	return s.read.WithContext(ctx).Raw("SELECT 1").Scan(&one).Error
}

// transaction runs fn in one immediate write transaction, and records a
// change once it committed: whatever a transaction changes may be on a public
// page. (Writes no page shows, such as sessions and the outbox, go without.)
func (s *Store) transaction(ctx context.Context, fn func(tx *gorm.DB) error) error {
	if err := s.write.WithContext(ctx).Transaction(fn); err != nil {
		return err
	}
	s.Changed()
	return nil
}

// migrate applies, in order and each in its own transaction, the numbered SQL
// files in migrations/ that the schema_migrations table does not list yet.
func (s *Store) migrate(ctx context.Context) error {
	db := s.write.WithContext(ctx)
	if err := db.Exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
		version TEXT PRIMARY KEY,
		applied_at DATETIME NOT NULL
	)`).Error; err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		version := strings.TrimSuffix(strings.TrimPrefix(name, "migrations/"), ".sql")
		body, err := migrationFiles.ReadFile(name)
		if err != nil {
			return err
		}
		err = db.Transaction(func(tx *gorm.DB) error {
			var applied int64
			if err := tx.Table("schema_migrations").Where("version = ?", version).Count(&applied).Error; err != nil {
				return err
			}
			if applied > 0 {
				return nil
			}
			if err := tx.Exec(string(body)).Error; err != nil {
				return err
			}
			return tx.Exec("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)", version, s.now()).Error
		})
		if err != nil {
			return fmt.Errorf("migration %s: %w", version, err)
		}
	}
	return nil
}
