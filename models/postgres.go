package models

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
)

// postgresConns is the size of the pool that reads and writes on
// PostgreSQL; every instance sharing the database has its own, and one
// connection more for its signature writer.
const postgresConns = 16

// PostgresMailSenders is the most messages a mailer may send at once on
// PostgreSQL: each holds one of the pool's connections, in the transaction
// of DeliverClaimed, while the mail server takes it.
const PostgresMailSenders = postgresConns / 4

// postgresConfig parses a postgres:// URL into pgx's configuration, with the
// session's time zone set to UTC, so that dates the database computes from a
// timestamp are UTC dates, as on SQLite.
func postgresConfig(dsn string) (*pgx.ConnConfig, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// The error would quote the URL, password included.
		return nil, fmt.Errorf("open database: invalid PostgreSQL URL")
	}
	cfg.RuntimeParams["timezone"] = "UTC"
	return cfg, nil
}

// utcTimes makes a connection read TIMESTAMPTZ columns as UTC times, as
// SQLite's driver does, instead of in the machine's local time zone.
func utcTimes(_ context.Context, c *pgx.Conn) error {
	c.TypeMap().RegisterType(&pgtype.Type{Name: "timestamptz", OID: pgtype.TimestamptzOID,
		Codec: &pgtype.TimestamptzCodec{ScanLocation: time.UTC}})
	return nil
}

func openPostgres(ctx context.Context, dsn string, cfg *gorm.Config) (*Store, error) {
	pcfg, err := postgresConfig(dsn)
	if err != nil {
		return nil, err
	}
	db, err := openPostgresPool(pcfg, postgresConns, cfg)
	if err != nil {
		return nil, err
	}
	signer, err := openPostgresPool(pcfg, 1, cfg)
	if err != nil {
		closePool(db)
		return nil, err
	}
	s := &Store{read: db, write: db, signer: signer, now: cfg.NowFunc, dialect: Postgres, dsn: dsn, instance: newInstanceID()}
	if err := s.migrate(ctx); err != nil {
		closePool(db)
		closePool(signer)
		return nil, err
	}
	return s, nil
}

// openPostgresPool opens a pool of at most conns connections.
//
// The pool keeps every connection it opened: a connection costs a new
// backend process and a round of authentication, and a pool keeping a few
// of its connections idle opened one per request under load. It closes them
// after a quiet spell, and renews each within an hour, so that no backend
// grows its caches for ever.
func openPostgresPool(pcfg *pgx.ConnConfig, conns int, cfg *gorm.Config) (*gorm.DB, error) {
	pool := stdlib.OpenDB(*pcfg, stdlib.OptionAfterConnect(utcTimes))
	pool.SetMaxOpenConns(conns)
	pool.SetMaxIdleConns(conns)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	pool.SetConnMaxLifetime(time.Hour)
	db, err := gorm.Open(postgres.New(postgres.Config{Conn: pool}), cfg)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("open database on %s: %w", pcfg.Host, err)
	}
	return db, nil
}

// closePool closes the connections of a pool a store failed to open with.
func closePool(db *gorm.DB) {
	if pool, err := db.DB(); err == nil {
		pool.Close()
	}
}
