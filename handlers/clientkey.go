package handlers

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
)

// clientKeys hold the key of the day that client addresses are hashed with
// for rate limits. The key is never stored: it is random and held in this
// process's memory, or derived from a secret the operator gives every
// instance (so that instances sharing a database count together), and it
// changes at midnight UTC, when the day's key is dropped. A copy of the
// database therefore names no client's address.
type clientKeys struct {
	secret []byte // Config.ClientKey; nil: random keys

	mu  sync.Mutex
	day string
	key []byte
}

// today returns the key of now's UTC day, making it at the first call of the day.
func (k *clientKeys) today(now time.Time) []byte {
	day := now.UTC().Format(time.DateOnly)
	k.mu.Lock()
	defer k.mu.Unlock()
	if day != k.day {
		k.day, k.key = day, k.derive(day)
	}
	return k.key
}

func (k *clientKeys) derive(day string) []byte {
	if len(k.secret) == 0 {
		return randomKey()
	}
	m := hmac.New(sha256.New, k.secret)
	m.Write([]byte("client-key:" + day))
	return m.Sum(nil)
}

func randomKey() []byte {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return key
}

// ipHash is the keyed hash that stands for the client's IP address in rate
// limits. Its key changes every day and is kept in memory only, so the
// hash cannot be turned back into an address from the database.
func (h *Handler) ipHash(c *fiber.Ctx) string {
	m := hmac.New(sha256.New, h.clientKeys.today(time.Now()))
	m.Write([]byte(c.IP()))
	return hex.EncodeToString(m.Sum(nil)[:16])
}
