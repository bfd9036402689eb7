package models

import (
	"context"
	"crypto/rand"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

type session struct {
	KeyHash   string `gorm:"primaryKey"`
	Data      []byte
	ExpiresAt time.Time
}

// SessionStorage keeps coordinators' sessions in the database, under the hash
// of their key. It has the methods of fiber.Storage, so Fiber's session
// middleware can use it, without models knowing about HTTP.
type SessionStorage struct{ store *Store }

// Sessions returns the session storage backed by this store.
func (s *Store) Sessions() *SessionStorage { return &SessionStorage{store: s} }

// Get returns a live session's data, or nil when there is none.
func (ss *SessionStorage) Get(key string) ([]byte, error) {
	var sess session
	err := ss.store.read.Where("key_hash = ? AND expires_at > ?", TokenHash(key), ss.store.now()).Take(&sess).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	return sess.Data, err
}

// Set stores a session's data for exp.
func (ss *SessionStorage) Set(key string, val []byte, exp time.Duration) error {
	sess := session{KeyHash: TokenHash(key), Data: val, ExpiresAt: ss.store.now().Add(exp)}
	return ss.store.write.Clauses(clause.OnConflict{UpdateAll: true}).Create(&sess).Error
}

// Delete ends a session.
func (ss *SessionStorage) Delete(key string) error {
	return ss.store.write.Where("key_hash = ?", TokenHash(key)).Delete(&session{}).Error
}

// Reset ends every session.
func (ss *SessionStorage) Reset() error {
	return ss.store.write.Where("1 = 1").Delete(&session{}).Error
}

// Close does nothing: the store owns the connection.
func (ss *SessionStorage) Close() error { return nil }

// DeleteExpiredSessions removes sessions past their expiry.
func (s *Store) DeleteExpiredSessions(ctx context.Context) error {
	return s.write.WithContext(ctx).Where("expires_at <= ?", s.now()).Delete(&session{}).Error
}

type setting struct {
	Name  string `gorm:"primaryKey"`
	Value []byte
}

// Secret returns the random 32-byte key stored under name, creating it on
// first use. Keys live in the database so that tokens survive a restart.
func (s *Store) Secret(ctx context.Context, name string) ([]byte, error) {
	var st setting
	err := s.transaction(ctx, func(tx *gorm.DB) error {
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
