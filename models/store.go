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
	"os"
	"sort"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFiles embed.FS

// Dialect names the SQL database a Store runs on.
type Dialect string

// The databases Undersigned runs on.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Store is the database behind Undersigned. On SQLite, reads go through a
// pool of connections and every write through a single connection, so SQLite
// never sees two writers and never answers "database is locked". On
// PostgreSQL both are one pool, and write transactions take a lock that
// serialises them across every instance sharing the database.
type Store struct {
	read  *gorm.DB
	write *gorm.DB
	// signer is where the signature writer commits its batches: SQLite's
	// write connection; on PostgreSQL a connection of its own, so that a
	// batch never waits for one behind the crowd of readers whose
	// signatures it holds.
	signer  *gorm.DB
	now     func() time.Time
	dialect Dialect
	// dsn is PostgreSQL's connection string, for the connection that listens
	// to other instances; empty on SQLite.
	dsn string
	// instance tells this store's notifications from other instances'.
	instance string
	// signatures is the single writer of signatures (writer.go).
	signatures *signatureWriter
	// generation counts changes to letters and their lists (generation.go).
	generation generation
	// loading says the store fills a new file (OpenForLoading): the lists'
	// buckets are cut once, as it closes, not kept batch by batch.
	loading bool
	// newsSecret is the key of the links that stop news (news.go).
	newsSecret secretOnce
}

// IsPostgres reports whether dsn names a PostgreSQL database rather than a
// SQLite file.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open opens the database dsn names and applies the migrations it has not
// seen yet: a postgres:// or postgresql:// URL is a PostgreSQL database;
// anything else is the path of a SQLite file, created if needed.
func Open(ctx context.Context, dsn string) (*Store, error) {
	var s *Store
	var err error
	if IsPostgres(dsn) {
		s, err = openPostgres(ctx, dsn, gormConfig())
	} else {
		s, err = openSQLite(ctx, dsn, gormConfig(), false)
	}
	if err != nil {
		return nil, err
	}
	s.startSignatureWriter()
	return s, nil
}

// OpenForLoading opens a new SQLite file at path, as Open does, to fill it
// before any server opens it, as a load test does: with no rollback
// journal, no flush to disk and a page cache of 128 MiB, a million
// signatures are written in a fraction of the time. A crash meanwhile
// leaves a file to throw away, so it refuses a file that exists. Close it,
// and Open turns the file to WAL, as the server finds it.
func OpenForLoading(ctx context.Context, path string) (*Store, error) {
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("open database %s for loading: want a new file (%v)", path, err)
	}
	s, err := openSQLite(ctx, path, gormConfig(), true)
	if err != nil {
		return nil, err
	}
	s.startSignatureWriter()
	return s, nil
}

// gormConfig is how the store uses GORM: SQL in the models' own words, no
// log, no transaction it did not ask for, and its errors (a duplicate key)
// as GORM's.
func gormConfig() *gorm.Config {
	return &gorm.Config{
		Logger:                 logger.Discard,
		NowFunc:                func() time.Time { return time.Now().UTC() },
		SkipDefaultTransaction: true,
		TranslateError:         true,
	}
}

// ownerOnly makes the database file at path, creating it if missing, and
// its -wal and -shm files readable and writable by their owner only: they
// hold signers' email addresses. SQLite gives the -wal and -shm files it
// creates the main file's mode; files of an older version, made under the
// usual umask, lose their group and world permissions.
func ownerOnly(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open database %s: %w", path, err)
	}
	f.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		info, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("database file: %w", err)
		}
		if mode := info.Mode().Perm(); mode&0o077 != 0 {
			if err := os.Chmod(p, mode&^0o077); err != nil {
				return fmt.Errorf("database file: %w", err)
			}
		}
	}
	return nil
}

// openSQLite opens the SQLite file at path for the server or, loading, for
// OpenForLoading.
func openSQLite(ctx context.Context, path string, cfg *gorm.Config, loading bool) (*Store, error) {
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
	if loading {
		q.Set("_journal_mode", "OFF")
		q.Set("_synchronous", "OFF")
		q.Set("_cache_size", "-131072") // KiB
	}
	dsn := "file:" + path + "?" + q.Encode()
	if err := ownerOnly(path); err != nil {
		return nil, err
	}

	// Turning a new file to WAL needs it alone: a server opening it at that
	// moment is told "database is locked" at once, whatever the busy
	// timeout, and tries again for as long as that timeout.
	write, err := gorm.Open(sqlite.Open(dsn), cfg)
	for deadline := time.Now().Add(5 * time.Second); isBusy(err) && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		write, err = gorm.Open(sqlite.Open(dsn), cfg)
	}
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
	s := &Store{write: write, signer: write, now: cfg.NowFunc, dialect: SQLite, loading: loading}
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
	return s, nil
}

// Close stops the signature writer, after the batch in hand, and closes
// the connection pools.
func (s *Store) Close() error {
	s.signatures.stop()
	var errs []error
	if s.loading {
		errs = append(errs, s.cutBuckets())
	}
	closed := map[*gorm.DB]bool{}
	for _, g := range []*gorm.DB{s.read, s.write, s.signer} {
		if closed[g] {
			continue
		}
		closed[g] = true
		if db, err := g.DB(); err == nil {
			errs = append(errs, db.Close())
		}
	}
	return errors.Join(errs...)
}

// Dialect is the database the store runs on.
func (s *Store) Dialect() Dialect { return s.dialect }

// Ping checks that the database answers a query.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	return s.read.WithContext(ctx).Raw("SELECT 1").Scan(&one).Error
}

// transaction runs fn in one write transaction, and records a change once
// it committed: whatever a transaction changes may be on a public page.
func (s *Store) transaction(ctx context.Context, fn func(tx *gorm.DB) error) error {
	err := s.privateTransaction(ctx, func(tx *gorm.DB) error {
		if err := fn(tx); err != nil {
			return err
		}
		return s.tellOthers(tx)
	})
	if err != nil {
		return err
	}
	s.changedHere()
	return nil
}

// privateTransaction is transaction for writes no public page shows, such
// as the outbox's and the keys': it records no change, so that no cached
// page is rendered again for them.
func (s *Store) privateTransaction(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return s.write.WithContext(ctx).Transaction(s.serialised(fn))
}

// serialised is fn run under the write lock: SQLite's transactions are
// immediate ones, which take it as they begin; on PostgreSQL fn first takes
// an advisory lock, so that the domain's rules (a closed letter takes no
// signature, counters match the list, a signer is asked once) hold as they
// do with SQLite's single writer, across every instance sharing the database.
func (s *Store) serialised(fn func(tx *gorm.DB) error) func(tx *gorm.DB) error {
	if s.dialect != Postgres {
		return fn
	}
	return func(tx *gorm.DB) error {
		if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", writeLock).Error; err != nil {
			return fmt.Errorf("take the write lock: %w", err)
		}
		return fn(tx)
	}
}

// isBusy says whether err is SQLite's "database is locked".
func isBusy(err error) bool {
	var e sqlite3.Error
	return errors.As(err, &e) && e.Code == sqlite3.ErrBusy
}

// Keys of PostgreSQL's advisory locks: any two numbers no other program
// sharing the database would choose.
const (
	writeLock   int64 = 0x756e646572 // "under"
	migrateLock int64 = 0x7369676e   // "sign"
)

// migrate applies, in order and each in its own transaction, the numbered SQL
// files in migrations/DIALECT/ that the schema_migrations table does not list
// yet. On PostgreSQL each transaction first takes a lock, so two instances
// starting together apply each migration once.
func (s *Store) migrate(ctx context.Context) error {
	db := s.write.WithContext(ctx)
	lock := func(tx *gorm.DB) error {
		if s.dialect != Postgres {
			return nil
		}
		return tx.Exec("SELECT pg_advisory_xact_lock(?)", migrateLock).Error
	}
	timestamp := map[Dialect]string{SQLite: "DATETIME", Postgres: "TIMESTAMPTZ"}[s.dialect]
	err := db.Transaction(func(tx *gorm.DB) error {
		if err := lock(tx); err != nil {
			return err
		}
		return tx.Exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
		version TEXT PRIMARY KEY,
		applied_at ` + timestamp + ` NOT NULL
	)`).Error
	})
	if err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	dir := "migrations/" + string(s.dialect) + "/"
	names, err := fs.Glob(migrationFiles, dir+"*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		version := strings.TrimSuffix(strings.TrimPrefix(name, dir), ".sql")
		body, err := migrationFiles.ReadFile(name)
		if err != nil {
			return err
		}
		err = db.Transaction(func(tx *gorm.DB) error {
			if err := lock(tx); err != nil {
				return err
			}
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
