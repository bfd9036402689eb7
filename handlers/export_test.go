package handlers

import "time"

// StartedTokenAt is the started token of a signing form of a letter shown
// at t, for tests of forms left open: the clock cannot be moved.
func (h *Handler) StartedTokenAt(letterID int64, t time.Time) string {
	return h.startedToken(letterID, t)
}
