package handlers

import "time"

// SetThrottleClock makes the login throttle read the time from now, so
// that tests can wait out its delays at once.
func (h *Handler) SetThrottleClock(now func() time.Time) { h.throttle.now = now }
