package models

import (
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"
	"gorm.io/gorm"
)

// generation counts the committed changes that may alter what a public page
// shows: a letter, its list, its counts, here and, on PostgreSQL, in the
// other instances sharing the database. Caches keep the generation they
// were filled at, and fill again once it moved, or after at most a second,
// for what changes without a write (a letter reaching its closing date, a
// notice from another instance that was lost).
//
// The store owns the counter, and the caches outside it (the handlers'
// page cache) only read it through Generation: the store moves it after
// its own commits, and when another instance's notice arrives on its
// connection (listen.go), and keeps its own cache of published letters
// by it. So nothing in models needs to know of those caches.
type generation struct {
	n atomic.Uint64

	mu      sync.Mutex
	letters map[string]cachedLetter // published letters by slug
	// reads shares one read of a letter among the requests that miss it
	// at once: each signature moves the generation, and without it every
	// signer of a crowd would read the letter again after each batch.
	reads singleflight.Group
}

// cachedLetter is a published letter as read at a generation.
type cachedLetter struct {
	generation uint64
	read       time.Time
	letter     Letter
}

// letterTTL is the longest a letter read is used again.
const letterTTL = time.Second

// maxCachedLetters bounds the letters kept: those being read at the moment.
const maxCachedLetters = 1024

// changedHere bumps this instance's generation. A write calls it after
// its commit, and before it answers, so that the writer's next page shows
// the change; FollowOtherInstances calls it for another instance's write.
func (s *Store) changedHere() { s.generation.n.Add(1) }

// tellOthers notifies, within tx, the other instances sharing a PostgreSQL
// database of a change; on SQLite there are none. PostgreSQL sends the
// notice as tx commits, and only if it does: the others hear of a change
// exactly when it can be read, and before the writer is answered.
func (s *Store) tellOthers(tx *gorm.DB) error {
	if s.dialect != Postgres {
		return nil
	}
	if err := tx.Exec("SELECT pg_notify(?, ?)", changeChannel, s.instance).Error; err != nil {
		return fmt.Errorf("notify other instances: %w", err)
	}
	return nil
}

// Generation counts the changes that may alter a public page, made here
// and, on PostgreSQL, in the other instances: a cached page made at an
// earlier generation is stale. It is cheap, an atomic read, for a cache to
// call on every request.
func (s *Store) Generation() uint64 { return s.generation.n.Load() }

// letter returns a copy of the letter kept under slug, if it is current.
func (g *generation) letter(slug string) *Letter {
	g.mu.Lock()
	c, ok := g.letters[slug]
	g.mu.Unlock()
	if !ok || c.generation != g.n.Load() || time.Since(c.read) >= letterTTL {
		return nil
	}
	return copyLetter(&c.letter)
}

// copyLetter is a copy of l that its caller may change without changing l.
func copyLetter(l *Letter) *Letter {
	c := *l
	c.DemandGroups = slices.Clone(l.DemandGroups)
	c.Translations = slices.Clone(l.Translations)
	c.Initiating = slices.Clone(l.Initiating)
	return &c
}

// share returns the letter under slug that read reads at the current
// generation, sharing one read among the callers that ask at once, each
// given its own copy. A caller that comes after a change does not join a
// read begun before it: the writer's next page must show the change.
func (g *generation) share(slug string, read func(gen uint64) (*Letter, error)) (*Letter, error) {
	gen := g.n.Load()
	l, err, _ := g.reads.Do(strconv.FormatUint(gen, 10)+" "+slug, func() (any, error) { return read(gen) })
	if err != nil {
		return nil, err
	}
	return copyLetter(l.(*Letter)), nil
}

// keep keeps a copy of l, read at generation gen.
func (g *generation) keep(gen uint64, l *Letter) {
	c := cachedLetter{generation: gen, read: time.Now(), letter: *copyLetter(l)}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.letters == nil || len(g.letters) >= maxCachedLetters {
		g.letters = map[string]cachedLetter{}
	}
	g.letters[l.Slug] = c
}
