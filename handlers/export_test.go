package handlers

import "time"

// SetThrottleClock makes the login throttle read the time from now, so
// that tests can wait out its delays at once.
func (h *Handler) SetThrottleClock(now func() time.Time) { h.throttle.now = now }

// StartedTokenAt is the started token of a signing form of a letter shown
// at t, for tests of forms left open: the clock cannot be moved.
func (h *Handler) StartedTokenAt(letterID int64, t time.Time) string {
	return h.startedToken(letterID, t)
}
