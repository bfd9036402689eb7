package models

import "time"

// SetClock makes the store read the time from now, so that tests can step
// past a link's expiry or a letter's retention instead of waiting for it.
// It exists only in test builds.
func (s *Store) SetClock(now func() time.Time) { s.now = now }
