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

// Expiring names a table of values kept until they expire, under the hash
// of their key: a copy of the database neither logs anyone in nor names
// whom a rate limit counts.
type Expiring string

const (
	// Sessions holds coordinators' sessions.
	Sessions Expiring = "sessions"
	// RateLimits holds the rate limits' counters when several instances
	// share the database, so that they count requests together.
	RateLimits Expiring = "rate_limits"
)

// expiringEntry is a row of an Expiring table.
type expiringEntry struct {
	KeyHash   string `gorm:"primaryKey"`
	Data      []byte
	ExpiresAt time.Time
}

// GetExpiring returns the data kept under key in table, or nil when there
// is none, or it expired.
func (s *Store) GetExpiring(ctx context.Context, table Expiring, key string) ([]byte, error) {
	var e expiringEntry
	err := s.read.WithContext(ctx).Table(string(table)).Where("key_hash = ? AND expires_at > ?", TokenHash(key), s.now()).Take(&e).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	return e.Data, err
}

// SetExpiring keeps data under key in table for ttl.
func (s *Store) SetExpiring(ctx context.Context, table Expiring, key string, data []byte, ttl time.Duration) error {
	e := expiringEntry{KeyHash: TokenHash(key), Data: data, ExpiresAt: s.now().Add(ttl)}
	return s.write.WithContext(ctx).Table(string(table)).Clauses(clause.OnConflict{UpdateAll: true}).Create(&e).Error
}

// DeleteExpiring removes what table keeps under key: ends a session.
func (s *Store) DeleteExpiring(ctx context.Context, table Expiring, key string) error {
	return s.write.WithContext(ctx).Table(string(table)).Where("key_hash = ?", TokenHash(key)).Delete(&expiringEntry{}).Error
}

// ResetExpiring removes everything table keeps.
func (s *Store) ResetExpiring(ctx context.Context, table Expiring) error {
	return s.write.WithContext(ctx).Table(string(table)).Where("1 = 1").Delete(&expiringEntry{}).Error
}

// Hits is a rate limit's count of a key in its window: the requests
// counted, the one just counted included, and when the window ends.
type Hits struct {
	Count int64
	Ends  time.Time
}

// CountHit counts a request under key in the RateLimits table, in a
// window of the given length that begins with the first request to find
// none running, and returns the key's count in that window, in one
// statement: atomic however many instances count the key at once, and a
// round trip where a read and a write back took two.
func (s *Store) CountHit(ctx context.Context, key string, window time.Duration) (Hits, error) {
	now := s.now()
	var h struct {
		Hits      int64
		ExpiresAt time.Time
	}
	err := s.write.WithContext(ctx).Raw(`INSERT INTO rate_limits (key_hash, data, hits, expires_at) VALUES (?, ?, 1, ?)
		ON CONFLICT (key_hash) DO UPDATE SET
			hits = CASE WHEN rate_limits.expires_at <= ? THEN 1 ELSE rate_limits.hits + 1 END,
			expires_at = CASE WHEN rate_limits.expires_at <= ? THEN excluded.expires_at ELSE rate_limits.expires_at END
		RETURNING hits, expires_at`, TokenHash(key), []byte{}, now.Add(window), now, now).Scan(&h).Error
	return Hits{Count: h.Hits, Ends: h.ExpiresAt}, err
}

// UncountHit takes back a request CountHit counted under key, in the
// window still running.
func (s *Store) UncountHit(ctx context.Context, key string) error {
	return s.write.WithContext(ctx).Exec(`UPDATE rate_limits SET hits = hits - 1 WHERE key_hash = ? AND hits > 0 AND expires_at > ?`, TokenHash(key), s.now()).Error
}

// DeleteExpired removes sessions and rate-limit counters past their expiry.
func (s *Store) DeleteExpired(ctx context.Context) error {
	for _, table := range []Expiring{Sessions, RateLimits} {
		if err := s.write.WithContext(ctx).Table(string(table)).Where("expires_at <= ?", s.now()).Delete(&expiringEntry{}).Error; err != nil {
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
