package handlers

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"undersigned/models"
)

// tableStorage is one of the store's expiring tables in the shape Fiber's
// session and limiter middleware keep their data in. Fiber's interface
// takes no context: each query runs on its own.
type tableStorage struct {
	store *models.Store
	table models.Expiring
}

// SharedRateLimits keeps the rate limits' counters in the store's
// database, for instances sharing it to count each client's requests
// together (Limits.Storage).
func SharedRateLimits(store *models.Store) fiber.Storage {
	return tableStorage{store: store, table: models.RateLimits}
}

// Get returns a live entry's data, or nil when there is none.
func (s tableStorage) Get(key string) ([]byte, error) {
	return s.store.GetExpiring(context.Background(), s.table, key)
}

// Set keeps val under key for exp.
func (s tableStorage) Set(key string, val []byte, exp time.Duration) error {
	return s.store.SetExpiring(context.Background(), s.table, key, val, exp)
}

// Delete removes an entry: ends a session.
func (s tableStorage) Delete(key string) error {
	return s.store.DeleteExpiring(context.Background(), s.table, key)
}

// Reset removes every entry.
func (s tableStorage) Reset() error { return s.store.ResetExpiring(context.Background(), s.table) }

// Close does nothing: the store owns the connection.
func (s tableStorage) Close() error { return nil }
