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
// together (Limits.Storage). The counters of signing and resending count
// there in one statement each (hitCounter); the login throttle keeps its
// entries as Fiber's storage does.
func SharedRateLimits(store *models.Store) fiber.Storage {
	return rateLimitTable{tableStorage{store: store, table: models.RateLimits}}
}

// hitCounter is a storage that counts requests itself, each in one
// statement, in windows that begin with a key's first request.
type hitCounter interface {
	countHit(key string, window time.Duration) (models.Hits, error)
	uncountHit(key string) error
}

// rateLimitTable is the database's table of rate limits.
type rateLimitTable struct{ tableStorage }

// countHit counts a request under key, and returns the count of its window.
func (t rateLimitTable) countHit(key string, window time.Duration) (models.Hits, error) {
	return t.store.CountHit(context.Background(), key, window)
}

// uncountHit takes back a request countHit counted.
func (t rateLimitTable) uncountHit(key string) error {
	return t.store.UncountHit(context.Background(), key)
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
