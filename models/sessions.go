package models

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// hashedEntry is a row of a HashedStorage's table.
type hashedEntry struct {
	KeyHash   string `gorm:"primaryKey"`
	Data      []byte
	ExpiresAt time.Time
}

// HashedStorage keeps values with an expiry in a table of the database,
// under the hash of their key: coordinators' sessions, and the rate limits'
// counters when several instances share the database. It has the methods of
// fiber.Storage, so Fiber's middleware can use it, without models knowing
// about HTTP. A copy of the database neither logs anyone in nor names whom
// a limit counts.
type HashedStorage struct {
	store *Store
	table string
}

// Sessions returns the session storage backed by this store.
func (s *Store) Sessions() *HashedStorage { return &HashedStorage{store: s, table: "sessions"} }

// RateLimits returns the rate limits' storage backed by this store, for
// instances sharing a database to count requests together.
func (s *Store) RateLimits() *HashedStorage { return &HashedStorage{store: s, table: "rate_limits"} }

// Get returns a live entry's data, or nil when there is none.
func (hs *HashedStorage) Get(key string) ([]byte, error) {
	var e hashedEntry
	err := hs.store.read.Table(hs.table).Where("key_hash = ? AND expires_at > ?", TokenHash(key), hs.store.now()).Take(&e).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	return e.Data, err
}

// Set stores an entry's data for exp.
func (hs *HashedStorage) Set(key string, val []byte, exp time.Duration) error {
	e := hashedEntry{KeyHash: TokenHash(key), Data: val, ExpiresAt: hs.store.now().Add(exp)}
	return hs.store.write.Table(hs.table).Clauses(clause.OnConflict{UpdateAll: true}).Create(&e).Error
}

// Delete removes an entry: ends a session.
func (hs *HashedStorage) Delete(key string) error {
	return hs.store.write.Table(hs.table).Where("key_hash = ?", TokenHash(key)).Delete(&hashedEntry{}).Error
}

// Reset removes every entry.
func (hs *HashedStorage) Reset() error {
	return hs.store.write.Table(hs.table).Where("1 = 1").Delete(&hashedEntry{}).Error
}

// Close does nothing: the store owns the connection.
func (hs *HashedStorage) Close() error { return nil }

// DeleteExpired removes sessions and rate-limit counters past their expiry.
func (s *Store) DeleteExpired(ctx context.Context) error {
	for _, table := range []string{"sessions", "rate_limits"} {
		if err := s.write.WithContext(ctx).Table(table).Where("expires_at <= ?", s.now()).Delete(&hashedEntry{}).Error; err != nil {
			return fmt.Errorf("delete expired %s: %w", table, err)
		}
	}
	return nil
}

type setting struct {
	Name  string `gorm:"primaryKey"`
	Value []byte
}

// Secret returns the random 32-byte key stored under name, creating it on
// first use. Keys live in the database so that tokens survive a restart.
func (s *Store) Secret(ctx context.Context, name string) ([]byte, error) {
	var st setting
	err := s.privateTransaction(ctx, func(tx *gorm.DB) error {
		err := tx.Where("name = ?", name).Take(&st).Error
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		st = setting{Name: name, Value: make([]byte, 32)}
		if _, err := rand.Read(st.Value); err != nil {
			return err
		}
		return tx.Create(&st).Error
	})
	return st.Value, err
}
