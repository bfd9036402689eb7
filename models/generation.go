package models

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// generation counts the committed changes that may alter what a public page
// shows: a letter, its list, its counts. Caches keep the generation they
// were filled at, and fill again once it moved, or after at most a second,
// for what changes without a write here (another instance's writes, a
// letter reaching its closing date).
type generation struct {
	n atomic.Uint64

	mu      sync.Mutex
	letters map[string]cachedLetter // published letters by slug
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

// Changed records a change that public pages may show.
func (s *Store) Changed() { s.generation.n.Add(1) }

// Generation is the number of changes recorded so far.
func (s *Store) Generation() uint64 { return s.generation.n.Load() }

// letter returns a copy of the letter kept under slug, if it is current.
func (g *generation) letter(slug string) *Letter {
	g.mu.Lock()
	c, ok := g.letters[slug]
	g.mu.Unlock()
	if !ok || c.generation != g.n.Load() || time.Since(c.read) >= letterTTL {
		return nil
	}
	l := c.letter
	l.DemandGroups = slices.Clone(l.DemandGroups) // the caller may change its copy
	return &l
}

// keep keeps a copy of l, read at generation gen.
func (g *generation) keep(gen uint64, l *Letter) {
	c := cachedLetter{generation: gen, read: time.Now(), letter: *l}
	c.letter.DemandGroups = slices.Clone(l.DemandGroups)
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.letters == nil || len(g.letters) >= maxCachedLetters {
		g.letters = map[string]cachedLetter{}
	}
	g.letters[l.Slug] = c
}
