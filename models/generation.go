package models

import "sync/atomic"

// generation counts the committed changes that may alter what a public page
// shows: a letter, its list, its counts. Caches of rendered pages keep the
// generation they were rendered at, and render again once it moved.
type generation struct{ n atomic.Uint64 }

// Changed records a change that public pages may show.
func (s *Store) Changed() { s.generation.n.Add(1) }

// Generation is the number of changes recorded so far.
func (s *Store) Generation() uint64 { return s.generation.n.Load() }
